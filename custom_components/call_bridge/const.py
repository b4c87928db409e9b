"""Names shared by the Call Bridge modules: domain, entry keys, option defaults, event."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "call_bridge"

CONF_ENTRY_TYPE: Final = "entry_type"
ENTRY_TYPE_PBX: Final = "pbx"
ENTRY_TYPE_ONENET: Final = "onenet"

# PBX entry data (host, port, ssl, verify_ssl, token, username, password use Home Assistant's names).
CONF_API_VERSION: Final = "api_version"
CONF_PAYLOAD_FORMAT: Final = "payload_format"
DEFAULT_PBX_PORT: Final = 9011

# OneNET entry data.
CONF_APP_ID: Final = "app_id"
CONF_ACCESS_KEY: Final = "access_key"
CONF_SPONSOR: Final = "sponsor"
CONF_DISPLAY: Final = "display"
CONF_SIGN_METHOD: Final = "sign_method"
CONF_BASE_URL: Final = "base_url"
CONF_CLOUDHOOK: Final = "cloudhook"

# Options.
CONF_COOLDOWN: Final = "cooldown"
CONF_TIMEOUT: Final = "timeout"
CONF_AUTOANSWER: Final = "autoanswer"
CONF_SEND_NOTIFY_URL: Final = "send_notify_url"
CONF_VERIFY_CALLBACKS: Final = "verify_callbacks"
DEFAULT_COOLDOWN: Final = 0
DEFAULT_TIMEOUT: Final = 10
DEFAULT_AUTOANSWER: Final = False
DEFAULT_SEND_NOTIFY_URL: Final = True
VERIFY_OFF: Final = "off"
VERIFY_LOG: Final = "log"
VERIFY_ENFORCE: Final = "enforce"
DEFAULT_VERIFY_CALLBACKS: Final = VERIFY_LOG

# Action and preset fields.
ATTR_CALLER: Final = "caller"
ATTR_CALLEE: Final = "callee"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_NOTIFY_URL: Final = "notify_url"

SUBENTRY_TYPE_PRESET: Final = "preset"

EVENT_CALL_STATUS: Final = "call_bridge_call_status"
# OneNET's call states and the names automations see.
CALL_STATES: Final[dict[str, str]] = {
    "CallingCaller": "calling_caller",
    "CallingCallee": "calling_callee",
    "Connected": "connected",
    "Disconnected": "disconnected",
}
STATE_UNKNOWN: Final = "unknown"

ISSUE_NO_EXTERNAL_URL: Final = "no_external_url"
