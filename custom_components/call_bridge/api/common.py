"""What the vendor packages share and no vendor owns: a session, bounded answers, typed digits."""

from __future__ import annotations

import re
from types import TracebackType
from typing import Final, Self
import unicodedata

import aiohttp
from aiohttp import hdrs

MAX_ANSWER_BYTES: Final = 1024 * 1024
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
