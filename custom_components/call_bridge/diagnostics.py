"""Diagnostics of a Call Bridge entry: configuration, device and recent calls, secrets redacted."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .const import (
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_DISPLAY,
    ATTR_MESSAGE,
    ATTR_NUMBER,
    ATTR_SPONSOR,
    ATTR_VARIABLES,
)
from .providers.base import CallBridgeConfigEntry

# The webhook id (it is the callback URL's only secret), people's phone numbers and what a message
# says of them; each provider adds its credentials.
TO_REDACT = frozenset(
    {
        CONF_WEBHOOK_ID,
        ATTR_CALLER,
        ATTR_CALLEE,
        ATTR_DISPLAY,
        ATTR_SPONSOR,
        ATTR_NUMBER,
        ATTR_VARIABLES,
        ATTR_MESSAGE,
    }
)


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: CallBridgeConfigEntry
) -> dict[str, Any]:
    """Return what helps to understand a problem, and nothing that would let anyone place a call."""
    provider = entry.runtime_data
    redacted = TO_REDACT | provider.secrets
    device = dr.async_get(hass).async_get(provider.device_id)
    return {
        "entry": {
            # Titles hold numbers (a OneNET entry's business number).
            "title": REDACTED,
            "data": async_redact_data(dict(entry.data), redacted),
            "options": dict(entry.options),
        },
        "presets": [
            {
                "type": subentry.subentry_type,
                "title": subentry.title,
                "data": async_redact_data(dict(subentry.data), redacted),
            }
            for subentry in entry.subentries.values()
        ],
        "device": device
        and {
            "manufacturer": device.manufacturer,
            "model": device.model,
            "sw_version": device.sw_version,
            "hw_version": device.hw_version,
            "serial_number": device.serial_number,
        },
        "recent_calls": async_redact_data(dict(provider.calls.recent_calls), redacted),
        "callbacks": dict(sorted(provider.callbacks.counts.items())),
        # What the far side sent last, as received: a report of a misread can become a test case.
        "far_side_messages": provider.far_side.masked(
            str(entry.data.get(key) or "") for key in redacted
        ),
        "provider": provider.diagnostics(),
    }
