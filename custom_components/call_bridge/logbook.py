"""Logbook lines for call-status events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CALL_STATUS

STATE_PHRASES = {
    "calling_caller": "is ringing the caller",
    "calling_callee": "is ringing the callee",
    "connected": "is connected",
    "disconnected": "ended",
}


def describe_call_status(data: Mapping[str, Any]) -> str:
    """Describe a call-status event in one sentence."""
    phrase = STATE_PHRASES.get(data.get("state", ""), f"reported status {data.get('status')}")
    message = (
        f"call {data.get('call_id')} from {data.get('caller')} to {data.get('callee')} {phrase}"
    )
    if data.get("reason"):
        message += f" ({data['reason']})"
    if data.get("call_duration") is not None:
        message += f" after {data['call_duration']} s"
    return message


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe call-status events in words."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: "Call Bridge",
            LOGBOOK_ENTRY_MESSAGE: describe_call_status(event.data),
        }

    async_describe_event(DOMAIN, EVENT_CALL_STATUS, describe)
