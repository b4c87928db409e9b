"""Names every provider shares: domain, entry kind, options, action fields, events."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "call_bridge"

# Which provider an entry is for; each provider's package names its own entry data.
CONF_ENTRY_TYPE: Final = "entry_type"
# Whether the entry's webhook is reached through Home Assistant Cloud.
CONF_CLOUDHOOK: Final = "cloudhook"
# The MAC address of a PBX that DHCP discovery found (or recognised): it follows the PBX's moves.
CONF_MAC: Final = "mac"

# Options of every entry.
CONF_COOLDOWN: Final = "cooldown"
CONF_TIMEOUT: Final = "timeout"
DEFAULT_COOLDOWN: Final = 0
DEFAULT_TIMEOUT: Final = 10

# Actions and their fields (call presets store the fields of their provider's preset action).
SERVICE_DIAL_EXTENSION: Final = "dial_extension"
SERVICE_CLICK_TO_DIAL: Final = "click_to_dial"
SERVICE_DIAL_OUTBOUND: Final = "dial_outbound"
SERVICE_HANGUP: Final = "hangup"
SERVICE_PLAY_MESSAGE: Final = "play_message"
SERVICE_CALL_UNTIL_ANSWERED: Final = "call_until_answered"
SERVICE_GET_CALL_HISTORY: Final = "get_call_history"
SERVICE_CLEAR_MISSED_CALLS: Final = "clear_missed_calls"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_CALLER: Final = "caller"
ATTR_CALLEE: Final = "callee"
ATTR_AUTOANSWER: Final = "autoanswer"
ATTR_DISPLAY: Final = "display"
ATTR_SPONSOR: Final = "sponsor"
ATTR_NOTIFY_URL: Final = "notify_url"
ATTR_EXTENSION: Final = "extension"
ATTR_NUMBER: Final = "number"
ATTR_CALL_ID: Final = "call_id"
# play_message: OneNET's template, the PBX's prompts.
ATTR_TEMPLATE: Final = "template"
ATTR_VARIABLES: Final = "variables"
ATTR_REPEAT: Final = "repeat"
ATTR_COLLECT_DIGITS: Final = "collect_digits"
# How often a message may be played, and how many keys collected (what OneNET, the one provider
# that takes them, allows).
MAX_REPEAT: Final = 10
MAX_COLLECTED_DIGITS: Final = 32
ATTR_PROMPT: Final = "prompt"
# play_message on a P-Series: words that Home Assistant's text-to-speech speaks, and its engine.
ATTR_MESSAGE: Final = "message"
ATTR_TTS_ENGINE: Final = "tts_engine"
MAX_SPOKEN_MESSAGE: Final = 1000
# call_until_answered.
ATTR_TARGETS: Final = "targets"
ATTR_RING_TIMEOUT: Final = "ring_timeout"
ATTR_ROUNDS: Final = "rounds"
ATTR_ACKNOWLEDGE_DIGITS: Final = "acknowledge_digits"
ATTR_PAUSE: Final = "pause"
ATTR_DECLINE_DIGITS: Final = "decline_digits"
ATTR_LABEL: Final = "label"
# get_call_history: how many of the entry's recent calls (the newest first).
ATTR_LIMIT: Final = "limit"
MAX_HISTORY: Final = 100

# Presets, each a button: a call, or a spoken message.
SUBENTRY_TYPE_PRESET: Final = "preset"
SUBENTRY_TYPE_MESSAGE: Final = "message"
# The phonebook: a contact's name and numbers, which name the calls that come in.
SUBENTRY_TYPE_CONTACT: Final = "contact"
CONF_NUMBERS: Final = "numbers"

EVENT_CALL_STATUS: Final = "call_bridge_call_status"
EVENT_PBX_EVENT: Final = "call_bridge_pbx_event"
EVENT_INCOMING_CALL: Final = "call_bridge_incoming_call"
EVENT_ESCALATION: Final = "call_bridge_escalation"

ISSUE_NO_EXTERNAL_URL: Final = "no_external_url"
