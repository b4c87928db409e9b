"""What an entry remembers is bounded: memory does not grow with the number of calls."""

from __future__ import annotations

from custom_components.call_bridge.cooldown import PLACED_LIMIT, CallGate
from custom_components.call_bridge.data import RECENT_CALLS_LIMIT, SEEN_CALLBACKS_LIMIT, CallLog


async def test_call_gate_forgets_the_oldest_calls() -> None:
    gate = CallGate(clock=lambda: 0.0)

    async def place() -> str:
        return "placed"

    for number in range(PLACED_LIMIT + 1):
        assert await gate.place(number, 60, place) == ("placed", False)
    assert await gate.place(0, 60, place) == ("placed", False)  # forgotten: allowed again
    assert await gate.place(PLACED_LIMIT, 60, place) == (None, True)  # still remembered


def test_call_log_is_bounded() -> None:
    log = CallLog()
    for number in range(SEEN_CALLBACKS_LIMIT + 1):
        assert log.first_delivery(str(number), "Connected")
    assert not log.first_delivery(str(SEEN_CALLBACKS_LIMIT), "Connected")
    assert log.first_delivery("0", "Connected")  # the oldest was forgotten
    for number in range(RECENT_CALLS_LIMIT + 5):
        log.record(str(number), {"state": "connected"})
    assert len(log.recent_calls) == RECENT_CALLS_LIMIT
    assert next(iter(log.recent_calls)) == "5"
