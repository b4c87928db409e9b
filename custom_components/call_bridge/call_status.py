"""``call_bridge_call_status``: how a call goes, in the same words whichever provider placed it."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api.telephony import CallState, CallStatus
from .const import DOMAIN, EVENT_CALL_STATUS

# The states a call reports, as automations see them ("unknown" for one a provider does not document).
CALL_STATES: Final = tuple(state.value for state in CallState)


def signal_call_status(entry_id: str) -> str:
    """Return the dispatcher signal that carries an entry's typed call statuses.

    Its entities and escalation chains listen to it; automations listen to the bus.
    """
    return f"{DOMAIN}_{entry_id}_call_status"


def async_fire_call_status(
    hass: HomeAssistant, entry_id: str, device_id: str, status: CallStatus
) -> dict[str, Any]:
    """Fire the event of a call's new ``status`` on the bus, and send it to the entry's listeners."""
    event = {"entry_id": entry_id, "device_id": device_id} | status.as_dict()
    hass.bus.async_fire(EVENT_CALL_STATUS, event)
    async_dispatcher_send(hass, signal_call_status(entry_id), status)
    return event
