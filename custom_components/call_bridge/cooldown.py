"""The gate every call passes: identical calls in flight are merged, repeats within the cooldown dropped."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
import time
from typing import Any

# Distinct calls remembered for the cooldown; the oldest are forgotten first.
PLACED_LIMIT = 256


class _Flight:
    """A call on its way to the provider; twins that wait for it make its outcome a future."""

    __slots__ = ("outcome",)

    def __init__(self) -> None:
        self.outcome: asyncio.Future[Any] | None = None


class CallGate:
    """Decides whether a call may go to the provider.

    Checking and claiming a call happen in the event loop without awaiting in between, so two
    identical calls started at the same moment cannot both pass: the second shares the outcome of
    the first, its result or its error. A call without twins costs no future.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        """Start with nothing in flight and nothing placed."""
        self._clock = clock or time.monotonic
        self._in_flight: dict[Hashable, _Flight] = {}
        self._placed: OrderedDict[Hashable, float] = OrderedDict()

    async def place[T](
        self, key: Hashable, cooldown: float, place: Callable[[], Awaitable[T]]
    ) -> tuple[T | None, bool]:
        """Run ``place`` for the call ``key`` unless it is held back; return (result, suppressed).

        An identical call in flight is awaited instead, and its result (or its error) is this one's
        too; an identical call placed less than ``cooldown`` seconds ago suppresses this one with
        no result. A failed call starts no cooldown.
        """
        while (twin := self._in_flight.get(key)) is not None:
            if twin.outcome is None:
                twin.outcome = asyncio.get_running_loop().create_future()
                twin.outcome.add_done_callback(_retrieved)
            try:
                return await asyncio.shield(twin.outcome), True
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if not twin.outcome.cancelled() or (task is not None and task.cancelling()):
                    raise
                # The call it waited for was cancelled, not this one: it goes on its own.
        placed_at = self._placed.get(key)
        if placed_at is not None and self._clock() - placed_at < cooldown:
            return None, True
        flight = self._in_flight[key] = _Flight()
        try:
            result = await place()
        except asyncio.CancelledError:
            if flight.outcome is not None:
                flight.outcome.cancel()
            raise
        except Exception as err:
            if flight.outcome is not None:
                flight.outcome.set_exception(err)
            raise
        finally:
            # Also when cancelled: a call left "in flight" would hold back its twins forever.
            del self._in_flight[key]
        if flight.outcome is not None:
            flight.outcome.set_result(result)
        self._placed.pop(key, None)
        self._placed[key] = self._clock()
        if len(self._placed) > PLACED_LIMIT:
            self._placed.popitem(last=False)
        return result, False


def _retrieved(outcome: asyncio.Future[Any]) -> None:
    """Mark an outcome's error as seen: when no twin waited for it, it is no one's to log."""
    if not outcome.cancelled():
        outcome.exception()
