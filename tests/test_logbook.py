"""Call-status events in the logbook, in words."""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import Event, HomeAssistant
import pytest

from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS
from custom_components.call_bridge.logbook import async_describe_events


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "call_id": "7",
                "caller": "8613800138000",
                "callee": "8613900139000",
                "state": "calling_caller",
            },
            "call 7 from 8613800138000 to 8613900139000 is ringing the caller",
        ),
        (
            {"call_id": "7", "caller": "a", "callee": "b", "state": "calling_callee"},
            "call 7 from a to b is ringing the callee",
        ),
        (
            {"call_id": "7", "caller": "a", "callee": "b", "state": "connected"},
            "call 7 from a to b is connected",
        ),
        (
            {
                "call_id": "7",
                "caller": "a",
                "callee": "b",
                "state": "disconnected",
                "reason": "HangUp",
                "call_duration": 42,
            },
            "call 7 from a to b ended (HangUp) after 42 s",
        ),
        (
            {
                "call_id": "7",
                "caller": "a",
                "callee": "b",
                "state": "unknown",
                "status": "Transferred",
            },
            "call 7 from a to b reported status Transferred",
        ),
    ],
)
def test_descriptions(hass: HomeAssistant, data: dict[str, object], message: str) -> None:
    described: dict[tuple[str, str], Callable[[Event], dict[str, str]]] = {}

    def register(domain: str, event_type: str, describe: Callable[[Event], dict[str, str]]) -> None:
        described[(domain, event_type)] = describe

    async_describe_events(hass, register)
    describe = described[(DOMAIN, EVENT_CALL_STATUS)]
    assert describe(Event(EVENT_CALL_STATUS, data)) == {"name": "Call Bridge", "message": message}
