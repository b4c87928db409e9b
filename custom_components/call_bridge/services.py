"""The actions: their fields, and which entry carries each call out."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.util.json import JsonValueType
import voluptuous as vol

from .calls import async_place_call, supports
from .const import (
    ATTR_AUTOANSWER,
    ATTR_CALL_ID,
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_COLLECT_DIGITS,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DISPLAY,
    ATTR_EXTENSION,
    ATTR_LIMIT,
    ATTR_MESSAGE,
    ATTR_NOTIFY_URL,
    ATTR_NUMBER,
    ATTR_PROMPT,
    ATTR_REPEAT,
    ATTR_SPONSOR,
    ATTR_TEMPLATE,
    ATTR_TTS_ENGINE,
    ATTR_VARIABLES,
    DOMAIN,
    MAX_COLLECTED_DIGITS,
    MAX_HISTORY,
    MAX_REPEAT,
    MAX_SPOKEN_MESSAGE,
    SERVICE_CALL_UNTIL_ANSWERED,
    SERVICE_CLEAR_MISSED_CALLS,
    SERVICE_CLICK_TO_DIAL,
    SERVICE_DIAL_EXTENSION,
    SERVICE_DIAL_OUTBOUND,
    SERVICE_GET_CALL_HISTORY,
    SERVICE_HANGUP,
    SERVICE_PLAY_MESSAGE,
)
from .escalation import ESCALATION_SCHEMA, async_call_until_answered
from .providers.base import CallBridgeConfigEntry

SCHEMAS: dict[str, vol.Schema | vol.All] = {
    SERVICE_DIAL_EXTENSION: vol.Schema(
        {
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
            vol.Required(ATTR_CALLER): cv.string,
            vol.Required(ATTR_CALLEE): cv.string,
            vol.Optional(ATTR_AUTOANSWER): cv.boolean,
        }
    ),
    SERVICE_CLICK_TO_DIAL: vol.Schema(
        {
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
            vol.Required(ATTR_CALLER): cv.string,
            vol.Required(ATTR_CALLEE): cv.string,
            vol.Optional(ATTR_DISPLAY): cv.string,
            vol.Optional(ATTR_SPONSOR): cv.string,
            vol.Optional(ATTR_NOTIFY_URL): cv.url,
        }
    ),
    SERVICE_DIAL_OUTBOUND: vol.Schema(
        {
            vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
            vol.Required(ATTR_EXTENSION): cv.string,
            vol.Required(ATTR_NUMBER): cv.string,
            vol.Optional(ATTR_AUTOANSWER): cv.boolean,
        }
    ),
    SERVICE_HANGUP: vol.All(
        vol.Schema(
            {
                vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
                vol.Exclusive(ATTR_EXTENSION, "call"): cv.string,
                vol.Exclusive(ATTR_CALL_ID, "call"): cv.string,
            }
        ),
        cv.has_at_least_one_key(ATTR_EXTENSION, ATTR_CALL_ID),
    ),
    # OneNET plays a template to a number, a PBX its prompts to an extension: each provider
    # checks that it got its own fields.
    SERVICE_PLAY_MESSAGE: vol.All(
        vol.Schema(
            {
                vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
                vol.Exclusive(ATTR_NUMBER, "callee"): cv.string,
                vol.Exclusive(ATTR_EXTENSION, "callee"): cv.string,
                vol.Optional(ATTR_TEMPLATE): cv.string,
                vol.Optional(ATTR_VARIABLES): vol.Schema({cv.string: cv.string}),
                vol.Exclusive(ATTR_REPEAT, "plays"): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=MAX_REPEAT)
                ),
                vol.Exclusive(ATTR_COLLECT_DIGITS, "plays"): vol.All(
                    vol.Coerce(int), vol.Range(min=1, max=MAX_COLLECTED_DIGITS)
                ),
                vol.Optional(ATTR_NOTIFY_URL): cv.url,
                # What is played: the PBX's prompts, or words that text-to-speech speaks.
                vol.Exclusive(ATTR_PROMPT, "played"): vol.Any(cv.string, [cv.string]),
                vol.Exclusive(ATTR_MESSAGE, "played"): vol.All(
                    cv.string, vol.Length(min=1, max=MAX_SPOKEN_MESSAGE)
                ),
                vol.Optional(ATTR_TTS_ENGINE): cv.string,
                vol.Optional(ATTR_AUTOANSWER): cv.boolean,
            }
        ),
        cv.has_at_least_one_key(ATTR_NUMBER, ATTR_EXTENSION),
    ),
}


HISTORY_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Optional(ATTR_LIMIT, default=20): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_HISTORY)
        ),
    }
)
CLEAR_MISSED_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string})


def _entry_for_call(call: ServiceCall, *, any_entry: bool = False) -> CallBridgeConfigEntry:
    """Return the entry named by ``config_entry_id``, or the only loaded entry that can do the action.

    ``any_entry``: every entry can (its call history).
    """
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None:
        able: list[CallBridgeConfigEntry] = [
            entry
            for entry in call.hass.config_entries.async_loaded_entries(DOMAIN)
            if any_entry or supports(entry, call.service)
        ]
        if len(able) == 1:
            return able[0]
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="several_entries" if able else "no_entry",
            translation_placeholders={"action": f"{DOMAIN}.{call.service}"},
        )
    entry = call.hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"config_entry_id": entry_id},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_loaded",
            translation_placeholders={"entry_title": entry.title},
        )
    return entry


async def _async_place_call(call: ServiceCall) -> ServiceResponse:
    return await async_place_call(_entry_for_call(call), call.service, call.data)


async def _async_call_until_answered(call: ServiceCall) -> ServiceResponse:
    return await async_call_until_answered(call.hass, call.data)


async def _async_get_call_history(call: ServiceCall) -> ServiceResponse:
    """Answer the entry's recent calls, both ways, the newest first."""
    entry = _entry_for_call(call, any_entry=True)
    calls: list[JsonValueType] = list(entry.runtime_data.history.newest(call.data[ATTR_LIMIT]))
    return {"calls": calls}


async def _async_clear_missed_calls(call: ServiceCall) -> None:
    """Clear the missed calls of one entry, or of every loaded entry."""
    if ATTR_CONFIG_ENTRY_ID in call.data:
        entries = [_entry_for_call(call)]
    else:
        entries = call.hass.config_entries.async_loaded_entries(DOMAIN)
    for entry in entries:
        entry.runtime_data.clear_missed_calls()


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, so automations validate before any entry is loaded."""
    for action, schema in SCHEMAS.items():
        hass.services.async_register(
            DOMAIN,
            action,
            _async_place_call,
            schema=schema,
            supports_response=SupportsResponse.OPTIONAL,
        )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CALL_UNTIL_ANSWERED,
        _async_call_until_answered,
        schema=ESCALATION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_CALL_HISTORY,
        _async_get_call_history,
        schema=HISTORY_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CLEAR_MISSED_CALLS,
        _async_clear_missed_calls,
        schema=CLEAR_MISSED_SCHEMA,
    )
