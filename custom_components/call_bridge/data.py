"""What an entry keeps track of, whatever its provider: its calls, its callbacks, its provider's availability."""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import re
import time
from typing import Any, Final

# Enough to swallow any redelivery of a recent call, small enough to stay a few kilobytes: keys are
# bounded in length (a call id is at most 64 characters, a status 16).
SEEN_CALLBACKS_LIMIT = 512
RECENT_CALLS_LIMIT = 20
# Calls whose reports are still expected: the newest ones, for a day.
PLACED_CALLS_LIMIT = 256
PLACED_CALL_LIFETIME = 24 * 3600.0
# Refused or unsigned callbacks are logged at most this often per entry; the diagnostics count them.
LOG_INTERVAL = 60.0
# What the diagnostics keep of the far side's messages: the last ones, each cut at a size no real
# report or frame reaches.
FAR_SIDE_MESSAGES: Final = 20
FAR_SIDE_MESSAGE_CHARACTERS: Final = 16 * 1024
REDACTED: Final = "**REDACTED**"
# Runs of seven digits or more are phone numbers (extensions and event types are shorter); a call
# id's digits before its decimal point ("1702364386.124") are not.
_PHONE_NUMBER: Final = re.compile(r"(?<![\d.])\d{7,}(?![\d]|\.\d)")
# Fields that hold secrets, in a JSON text or in one inside it (escaped quotes).
_SECRET_FIELD: Final = re.compile(
    r'(\\*"(?:access_token|refresh_token|token|password|secret|client_secret|access_key)'
    r'\\*"\s*:\s*\\*")[^"\\]*'
)


@dataclass
class CallLog:
    """What an entry remembers of calls: those it placed, callbacks seen, recent states."""

    # Looked up at each call, so that the tests' frozen clocks apply.
    clock: Callable[[], float] = lambda: time.time()  # noqa: PLW0108
    placed: OrderedDict[str, float] = field(default_factory=OrderedDict)
    seen_callbacks: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    recent_calls: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)

    def remember_placed(self, call_id: str) -> None:
        """Record a call this entry placed, so that its reports are recognised as its own."""
        self.placed.pop(call_id, None)
        self.placed[call_id] = self.clock()
        while len(self.placed) > PLACED_CALLS_LIMIT:
            self.placed.popitem(last=False)

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
            }
        }

    def restore(self, stored: dict[str, Any] | None) -> None:
        """Take back what ``stored`` kept; anything malformed in it is dropped."""
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


@dataclass
class CallbackReport:
    """Counts callbacks by what became of them, and logs the unusual ones at most once a minute.

    Anyone who learns the webhook URL can post to it; a line per post would let them flood the log.
    """

    logger: logging.Logger
    clock: Callable[[], float] = lambda: time.monotonic()  # noqa: PLW0108
    counts: Counter[str] = field(default_factory=Counter)
    _logged_at: dict[str, float] = field(default_factory=dict)
    _unlogged: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, level: int, message: str, *args: Any) -> None:
        """Count a callback of ``kind``; log ``message`` if none of its kind was logged this minute."""
        self.counts[kind] += 1
        now = self.clock()
        last = self._logged_at.get(kind)
        if last is not None and now - last < LOG_INTERVAL:
            self._unlogged[kind] += 1
            return
        self._logged_at[kind] = now
        more, self._unlogged[kind] = self._unlogged[kind], 0
        if more:
            message += " (and %d more like it since the last such line)"
            args = (*args, more)
        self.logger.log(level, message, *args)


@dataclass
class Availability:
    """Whether the provider answered last time; logged once when it goes away and once when back."""

    name: str
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger(__package__))
    _reachable: bool = True

    def unreachable(self, err: Exception) -> None:
        """Note that the provider did not answer an action."""
        if self._reachable:
            self.logger.warning("%s is unreachable: %s", self.name, err)
            self._reachable = False

    def reachable(self) -> None:
        """Note that the provider answered, whatever it said."""
        if not self._reachable:
            self.logger.info("%s is reachable again", self.name)
            self._reachable = True


def mask_phone_numbers(text: str) -> str:
    """Return ``text`` with every phone number masked but for its last four digits."""
    return _PHONE_NUMBER.sub(lambda number: "*" * (len(number[0]) - 4) + number[0][-4:], text)


@dataclass
class FarSideLog:
    """The last messages an entry's far side sent (reports, frames, callbacks), as received.

    Kept for the diagnostics, so that a user's download can become a test case; ``masked``
    removes secrets and masks phone numbers when it is made.
    """

    messages: deque[tuple[datetime, str, str]] = field(
        default_factory=lambda: deque(maxlen=FAR_SIDE_MESSAGES)
    )

    def add(self, kind: str, message: bytes | str) -> None:
        """Keep a message of ``kind`` ("report", "frame", "callback"), cut when it is very long."""
        text = (
            message.decode("utf-8", "backslashreplace") if isinstance(message, bytes) else message
        )
        if len(text) > FAR_SIDE_MESSAGE_CHARACTERS:
            text = f"{text[:FAR_SIDE_MESSAGE_CHARACTERS]}… ({len(text)} characters in all)"
        self.messages.append((datetime.now(UTC), kind, text))

    def masked(self, secrets: Iterable[str]) -> list[dict[str, str]]:
        """Return the messages, oldest first: no secret, phone numbers masked."""
        secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
        kept = []
        for received, kind, message in self.messages:
            text = message
            for secret in secrets:
                text = text.replace(secret, REDACTED)
            text = _SECRET_FIELD.sub(lambda field: field[1] + REDACTED, text)
            kept.append(
                {"received": received.isoformat(), "kind": kind, "text": mask_phone_numbers(text)}
            )
        return kept
