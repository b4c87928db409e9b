"""What an entry remembers is bounded: memory does not grow with the number of calls."""

from __future__ import annotations

from custom_components.call_bridge.cooldown import PLACED_LIMIT, CallGate
from custom_components.call_bridge.data import RECENT_CALLS_LIMIT, SEEN_CALLBACKS_LIMIT, CallLog


def test_call_gate_forgets_the_oldest_calls() -> None:
    now = [0.0]
    gate = CallGate(clock=lambda: now[0])
    for number in range(PLACED_LIMIT + 1):
        assert gate.try_enter(number, cooldown=60)
        gate.leave(number, placed=True)
    assert gate.try_enter(0, cooldown=60)  # forgotten: allowed again
    assert not gate.try_enter(PLACED_LIMIT, cooldown=60)  # still remembered


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
