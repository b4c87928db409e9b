"""What an entry remembers is bounded: memory does not grow with the number of calls."""

from __future__ import annotations

from custom_components.call_bridge.call_log import (
    FOLLOWED_CALL_LIFETIME,
    FOLLOWED_CALLS_LIMIT,
    PLACED_CALL_LIFETIME,
    PLACED_CALLS_LIMIT,
    RECENT_CALLS_LIMIT,
    SEEN_CALLBACKS_LIMIT,
    CallLog,
)
from custom_components.call_bridge.cooldown import PLACED_LIMIT, CallGate


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


def test_placed_calls_are_bounded_and_expire() -> None:
    now = [1000.0]
    log = CallLog(clock=lambda: now[0])
    for number in range(PLACED_CALLS_LIMIT + 1):
        log.remember_placed(str(number))
    assert not log.was_placed("0")  # the oldest was forgotten
    assert log.was_placed(str(PLACED_CALLS_LIMIT))
    restored = CallLog(clock=lambda: now[0])
    restored.restore(
        {"placed": {str(n): 900.0 + n for n in range(PLACED_CALLS_LIMIT + 5)} | {"x": "y", "z": 1}}
    )
    assert len(restored.placed) == PLACED_CALLS_LIMIT
    restored.restore({"placed": "not a mapping"})
    now[0] += PLACED_CALL_LIFETIME
    assert not log.was_placed(str(PLACED_CALLS_LIMIT))  # a day later
    assert log.stored() == {"placed": {}, "followed": {}}


def test_calls_to_follow_again_are_bounded_expire_and_survive_a_malformed_store() -> None:
    now = [1000.0]
    log = CallLog(clock=lambda: now[0])
    for number in range(FOLLOWED_CALLS_LIMIT + 1):
        log.remember_placed(str(number), {"caller": "101"})
    assert next(call_id for call_id, _ in log.to_follow()) == "1"  # the oldest was forgotten
    restored = CallLog(clock=lambda: now[0])
    restored.restore(
        log.stored() | {"followed": log.stored()["followed"] | {"x": "y", "z": {"placed_at": "no"}}}
    )
    assert restored.to_follow() == log.to_follow()
    restored.restore(
        {
            "followed": {
                str(n): {"placed_at": 900.0 + n, "follow": {}}
                for n in range(FOLLOWED_CALLS_LIMIT + 5)
            }
        }
    )
    assert len(restored.followed) == FOLLOWED_CALLS_LIMIT
    now[0] += FOLLOWED_CALL_LIFETIME
    assert log.to_follow() == []  # an hour later


async def test_a_twin_of_a_cancelled_call_places_it_itself() -> None:
    import asyncio

    gate = CallGate(clock=lambda: 0.0)
    started = asyncio.Event()

    async def never() -> str:
        started.set()
        await asyncio.Event().wait()
        return "never"

    async def placed() -> str:
        return "placed"

    first = asyncio.create_task(gate.place("call", 0, never))
    await started.wait()
    twin = asyncio.create_task(gate.place("call", 0, placed))
    await asyncio.sleep(0)
    first.cancel()
    assert await twin == ("placed", False)


async def test_a_twin_cancelled_while_it_waits_is_cancelled() -> None:
    import asyncio

    import pytest

    gate = CallGate(clock=lambda: 0.0)
    release = asyncio.Event()

    async def slow() -> str:
        await release.wait()
        return "placed"

    first = asyncio.create_task(gate.place("call", 0, slow))
    await asyncio.sleep(0)
    twin = asyncio.create_task(gate.place("call", 0, slow))
    await asyncio.sleep(0)
    twin.cancel()
    with pytest.raises(asyncio.CancelledError):
        await twin
    release.set()
    assert await first == ("placed", False)
