"""The gate every call passes: identical calls in flight are merged, repeats within the cooldown dropped."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
import time

# Distinct calls remembered for the cooldown; the oldest are forgotten first.
PLACED_LIMIT = 256


class CallGate:
    """Decides whether a call may go to the provider.

    ``try_enter`` and ``leave`` run in the event loop without awaiting, so two identical calls started
    at the same moment cannot both pass.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        """Start with nothing in flight and nothing placed."""
        self._clock = clock or time.monotonic
        self._in_flight: set[Hashable] = set()
        self._placed: OrderedDict[Hashable, float] = OrderedDict()

    def try_enter(self, key: Hashable, cooldown: float) -> bool:
        """Claim ``key``; False when the same call is in flight or was placed within ``cooldown`` s."""
        if key in self._in_flight:
            return False
        placed_at = self._placed.get(key)
        if placed_at is not None and self._clock() - placed_at < cooldown:
            return False
        self._in_flight.add(key)
        return True

    def leave(self, key: Hashable, *, placed: bool) -> None:
        """Release ``key``; a placed call starts its cooldown, a failed one leaves none behind."""
        self._in_flight.discard(key)
        if not placed:
            return
        self._placed.pop(key, None)
        self._placed[key] = self._clock()
        if len(self._placed) > PLACED_LIMIT:
            self._placed.popitem(last=False)
