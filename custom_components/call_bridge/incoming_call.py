"""``call_bridge_incoming_call``: a call that came in, in the same words whichever PBX it rang."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api.incoming import IncomingCallEvent, IncomingState
from .const import DOMAIN, EVENT_INCOMING_CALL

# The states of a call that came in, as automations see them.
INCOMING_STATES: Final = tuple(state.value for state in IncomingState)


def signal_incoming_call(entry_id: str) -> str:
    """Return the dispatcher signal that carries an entry's calls that came in, to its entities."""
    return f"{DOMAIN}_{entry_id}_incoming_call"


def signal_missed_calls(entry_id: str) -> str:
    """Return the dispatcher signal that tells an entry's missed calls changed (or were cleared)."""
    return f"{DOMAIN}_{entry_id}_missed_calls"


def async_fire_incoming_call(
    hass: HomeAssistant, entry_id: str, device_id: str, event: IncomingCallEvent
) -> dict[str, Any]:
    """Fire a call's new step on the bus, and send it to the entry's entities."""
    data = {"entry_id": entry_id, "device_id": device_id} | event.as_dict()
    hass.bus.async_fire(EVENT_INCOMING_CALL, data)
    async_dispatcher_send(hass, signal_incoming_call(entry_id), event)
    return data
