"""What the vendor packages share and no vendor owns: a session, bounded answers, typed digits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import random
import re
from types import TracebackType
from typing import Final, Self
import unicodedata

import aiohttp
from aiohttp import hdrs

MAX_ANSWER_BYTES: Final = 1024 * 1024
# What Home Assistant can keep of an id a provider gives (a call, a channel, a request): printable
# text, which excludes control characters and the lone surrogates that its storage cannot write.
MAX_ID_LENGTH: Final = 64
# A PBX extension number, as the PBXs list and dial them.
EXTENSION_NUMBER: Final = re.compile(r"[0-9]{1,16}")
# Separators people type inside numbers: spaces (also full-width), dashes, dots, brackets.
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015.()]")


async def read_answer(response: aiohttp.ClientResponse) -> bytes | None:
    """Return the answer's body, or None once it passes 1 MiB: no API answer is that long.

    An answer that gives its length is read at once (aiohttp reads no more than that length);
    any other is read in chunks, counted as they come.
    """
    length = response.headers.get(hdrs.CONTENT_LENGTH, "")
    if length.isascii() and length.isdigit():
        return await response.read() if int(length) <= MAX_ANSWER_BYTES else None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def strip_separators(number: str) -> str:
    """Return a typed number without separators, full-width characters read as ASCII (NFKC)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number))


def valid_id(value: object) -> str | None:
    """Return an id a provider gave, if it is printable text of 1 to 64 characters; else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= MAX_ID_LENGTH and text.isprintable() else None


def answered_id(value: object, what: str, error: type[Exception]) -> str | None:
    """Return the id an answer gives (None when it gives none); raise ``error`` for one not kept.

    An id that is not printable text of at most 64 characters is a bad answer: Home Assistant
    would fail to store it (a lone surrogate), or it is no id a provider means.
    """
    if value is None or value == "":
        return None
    checked = valid_id(value)
    if checked is None:
        raise error(
            f"the answer's {what} is not printable text of at most {MAX_ID_LENGTH} characters"
        )
    return checked


@dataclass(slots=True)
class Backoff:
    """Delays between attempts to connect: doubling from ``first`` to ``most``, with jitter.

    A connection that ends before it was up ``stable`` seconds, for whatever reason (refused, a
    "normal" close, a token the PBX does not take), counts as a failure: a far side that closes
    every connection at once is asked again less and less often, not in a loop.
    """

    first: float = 1.0
    most: float = 60.0
    stable: float = 60.0
    jitter: Callable[[], float] = random.random
    failures: int = 0

    def after(self, lasted: float | None) -> float:
        """Return how long to wait after a connection that was up ``lasted`` seconds (None: never)."""
        if lasted is not None and lasted >= self.stable:
            self.failures = 0
            return 0.0
        delay: float = min(self.most, self.first * 2**self.failures)
        self.failures += 1
        return delay * (0.5 + self.jitter() / 2)


def listed_extension(value: object) -> str | None:
    """Return an extension number a PBX listed (as text or a number); None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    number = str(value)
    return number if EXTENSION_NUMBER.fullmatch(number) else None


class SessionClient:
    """A client on an injected aiohttp session, or on its own, opened at first use.

    ``close`` (also at the end of ``async with``) closes the session only when it is the client's.
    """

    def __init__(self, session: aiohttp.ClientSession | None) -> None:
        """Keep an injected session; without one, the client opens its own when it first sends."""
        self._session = session
        self._owns_session = session is None

    def _http(self) -> aiohttp.ClientSession:
        """Return the session to send with."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Close the HTTP session this client opened."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> Self:
        """Use the client in ``async with``; it is closed at the end."""
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the client."""
        await self.close()
