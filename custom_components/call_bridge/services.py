"""The ``dial_extension`` and ``click_to_dial`` actions: validate the fields, find the entry, call."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
import voluptuous as vol

from .calls import OneNetCall, PbxCall, async_place_call
from .const import (
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_NOTIFY_URL,
    CONF_AUTOANSWER,
    CONF_DISPLAY,
    CONF_ENTRY_TYPE,
    CONF_SPONSOR,
    DOMAIN,
    ENTRY_TYPE_ONENET,
    ENTRY_TYPE_PBX,
)
from .data import CallBridgeConfigEntry

SERVICE_DIAL_EXTENSION = "dial_extension"
SERVICE_CLICK_TO_DIAL = "click_to_dial"

DIAL_EXTENSION_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_CALLER): cv.string,
        vol.Required(ATTR_CALLEE): cv.string,
        vol.Optional(CONF_AUTOANSWER): cv.boolean,
    }
)
CLICK_TO_DIAL_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        vol.Required(ATTR_CALLER): cv.string,
        vol.Required(ATTR_CALLEE): cv.string,
        vol.Optional(CONF_DISPLAY): cv.string,
        vol.Optional(CONF_SPONSOR): cv.string,
        vol.Optional(ATTR_NOTIFY_URL): cv.url,
    }
)


def _entry_for_call(call: ServiceCall, entry_type: str) -> CallBridgeConfigEntry:
    """Return the entry named by ``config_entry_id``, or the only loaded entry of ``entry_type``."""
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is None:
        loaded = [
            entry
            for entry in call.hass.config_entries.async_loaded_entries(DOMAIN)
            if entry.data[CONF_ENTRY_TYPE] == entry_type
        ]
        if len(loaded) == 1:
            return loaded[0]
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=f"{'no' if not loaded else 'several'}_{entry_type}_entries",
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


async def _async_dial_extension(call: ServiceCall) -> ServiceResponse:
    entry = _entry_for_call(call, ENTRY_TYPE_PBX)
    return await async_place_call(
        call.hass,
        entry,
        PbxCall(call.data[ATTR_CALLER], call.data[ATTR_CALLEE], call.data.get(CONF_AUTOANSWER)),
    )


async def _async_click_to_dial(call: ServiceCall) -> ServiceResponse:
    entry = _entry_for_call(call, ENTRY_TYPE_ONENET)
    return await async_place_call(
        call.hass,
        entry,
        OneNetCall(
            call.data[ATTR_CALLER],
            call.data[ATTR_CALLEE],
            display=call.data.get(CONF_DISPLAY),
            sponsor=call.data.get(CONF_SPONSOR),
            notify_url=call.data.get(ATTR_NOTIFY_URL),
        ),
    )


def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions once, so automations validate before any entry is loaded."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_DIAL_EXTENSION,
        _async_dial_extension,
        schema=DIAL_EXTENSION_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_CLICK_TO_DIAL,
        _async_click_to_dial,
        schema=CLICK_TO_DIAL_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
