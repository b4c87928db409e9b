"""What an entry's far side (a PBX, OneNET) sent: counted, logged sparingly, the last messages kept.

Anyone who learns a webhook's URL can post to it, and a PBX can send anything: a line per message
would let them flood the log, and the diagnostics keep only the last ones, masked.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import re
import time
from typing import Any, Final

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
