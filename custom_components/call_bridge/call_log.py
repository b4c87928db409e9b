"""What an entry remembers of its calls: those it placed (across restarts), callbacks seen, recent states."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
import time
from typing import Any

# Enough to swallow any redelivery of a recent call, small enough to stay a few kilobytes: keys are
# bounded in length (a call id is at most 64 characters, a status 16).
SEEN_CALLBACKS_LIMIT = 512
RECENT_CALLS_LIMIT = 20
# Calls whose reports are still expected: the newest ones, for a day.
PLACED_CALLS_LIMIT = 256
PLACED_CALL_LIFETIME = 24 * 3600.0
# Calls a PBX entry follows again after a reload or a restart: those placed within the last hour.
FOLLOWED_CALLS_LIMIT = 32
FOLLOWED_CALL_LIFETIME = 3600.0


@dataclass
class CallLog:
    """What an entry remembers of calls: those it placed, callbacks seen, recent states."""

    # Looked up at each call, so that the tests' frozen clocks apply.
    clock: Callable[[], float] = lambda: time.time()  # noqa: PLW0108
    placed: OrderedDict[str, float] = field(default_factory=OrderedDict)
    seen_callbacks: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    recent_calls: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    # Call id -> (when it was placed, what its provider needs to follow it again).
    followed: OrderedDict[str, tuple[float, dict[str, Any]]] = field(default_factory=OrderedDict)

    def remember_placed(self, call_id: str, follow: dict[str, Any] | None = None) -> None:
        """Record a call this entry placed, so that its reports are recognised as its own.

        ``follow``: what its provider needs to follow it again after a reload or a restart.
        """
        now = self.clock()
        self.placed.pop(call_id, None)
        self.placed[call_id] = now
        while len(self.placed) > PLACED_CALLS_LIMIT:
            self.placed.popitem(last=False)
        if follow is not None:
            self.followed.pop(call_id, None)
            self.followed[call_id] = (now, follow)
            while len(self.followed) > FOLLOWED_CALLS_LIMIT:
                self.followed.popitem(last=False)

    def to_follow(self) -> list[tuple[str, dict[str, Any]]]:
        """Return the calls placed within the last hour to follow again, the oldest first."""
        now = self.clock()
        return [
            (call_id, follow)
            for call_id, (placed_at, follow) in self.followed.items()
            if now - placed_at < FOLLOWED_CALL_LIFETIME
        ]

    def was_placed(self, call_id: str) -> bool:
        """Whether this entry placed ``call_id`` within the last day."""
        placed_at = self.placed.get(call_id)
        return placed_at is not None and self.clock() - placed_at < PLACED_CALL_LIFETIME

    def stored(self) -> dict[str, Any]:
        """Return what survives a restart: the calls placed within the last day."""
        now = self.clock()
        return {
            "placed": {
                call_id: placed_at
                for call_id, placed_at in self.placed.items()
                if now - placed_at < PLACED_CALL_LIFETIME
            },
            "followed": {
                call_id: {"placed_at": placed_at, "follow": follow}
                for call_id, (placed_at, follow) in self.followed.items()
                if now - placed_at < FOLLOWED_CALL_LIFETIME
            },
        }

    def restore(self, stored: dict[str, Any] | None) -> None:
        """Take back what ``stored`` kept; anything malformed in it is dropped."""
        followed = (stored or {}).get("followed")
        if isinstance(followed, dict):
            kept = [
                (float(record["placed_at"]), call_id, record["follow"])
                for call_id, record in followed.items()
                if isinstance(record, dict)
                and isinstance(record.get("placed_at"), int | float)
                and isinstance(record.get("follow"), dict)
            ]
            for placed_at, call_id, follow in sorted(kept, key=lambda kept: kept[0]):
                self.followed[call_id] = (placed_at, follow)
            while len(self.followed) > FOLLOWED_CALLS_LIMIT:
                self.followed.popitem(last=False)
        placed = (stored or {}).get("placed")
        if not isinstance(placed, dict):
            return
        valid = [
            (float(placed_at), call_id)
            for call_id, placed_at in placed.items()
            if isinstance(call_id, str) and isinstance(placed_at, int | float)
        ]
        for placed_at, call_id in sorted(valid):
            self.placed[call_id] = placed_at
        while len(self.placed) > PLACED_CALLS_LIMIT:
            self.placed.popitem(last=False)

    def first_delivery(self, call_id: str, status: str) -> bool:
        """Record a callback; False when the same (call_id, status) came before."""
        key = (call_id, status)
        if key in self.seen_callbacks:
            return False
        self.seen_callbacks[key] = None
        if len(self.seen_callbacks) > SEEN_CALLBACKS_LIMIT:
            self.seen_callbacks.popitem(last=False)
        return True

    def record(self, call_id: str, details: dict[str, Any]) -> None:
        """Keep the latest known state of a call."""
        self.recent_calls.pop(call_id, None)
        self.recent_calls[call_id] = details
        if len(self.recent_calls) > RECENT_CALLS_LIMIT:
            self.recent_calls.popitem(last=False)
