"""``call_bridge_call_status``: how a call goes, in the same words whichever provider placed it."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN, EVENT_CALL_STATUS
from .providers.base import Provider

# The states a call reports, as automations see them; "unknown" for one the provider does not document.
CALL_STATES: Final = (
    "calling_caller",
    "calling_callee",
    "connected",
    "collect_result",
    "disconnected",
)
STATE_UNKNOWN: Final = "unknown"


def signal_call_status(entry_id: str) -> str:
    """Return the dispatcher signal that carries an entry's call-status events to its entities."""
    return f"{DOMAIN}_{entry_id}_call_status"


def async_fire_call_status(provider: Provider[Any], status: dict[str, Any]) -> dict[str, Any]:
    """Fire the event of a call's new ``status`` on the bus and to the entry's entities."""
    event = {"entry_id": provider.entry.entry_id, "device_id": provider.device_id} | status
    provider.hass.bus.async_fire(EVENT_CALL_STATUS, event)
    async_dispatcher_send(provider.hass, signal_call_status(provider.entry.entry_id), event)
    return event
