"""What the vendor packages share and no vendor owns: errors, a session, bounded answers, ids, hosts.

Every vendor's errors derive from the bases here, so that one mapping turns any of them into
what the user reads: the far side not reached, an answer that is no answer, a refusal (with the
vendor's code and the key that names it), or credentials refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import ipaddress
import random
import re
from types import TracebackType
from typing import Final, Self

import aiohttp
from aiohttp import hdrs

MAX_ANSWER_BYTES: Final = 1024 * 1024
# What Home Assistant can keep of an id a provider gives (a call, a channel, a request): printable
# text, which excludes control characters and the lone surrogates that its storage cannot write.
MAX_ID_LENGTH: Final = 64


class ApiError(Exception):
    """Base of every error a vendor's client raises.

    Messages never carry a secret or a request URL (aiohttp puts the URL, a token in it, into its
    own exceptions, so those are never chained onto these).
    """


class ApiConnectionError(ApiError):
    """The far side could not be reached, or did not answer in time."""


class ApiResponseError(ApiError):
    """The far side answered something that is not an answer of its API."""


class ApiRefusedError(ApiError):
    """The far side refused, with a code of its own.

    ``key`` names the refusal in the vendor's table of codes (one of its own, or the vendor's
    "undocumented"); ``placeholders`` are what a message about it names (the code, its words).
    """

    def __init__(self, message: str, key: str, placeholders: dict[str, str]) -> None:
        """Keep the message, the refusal's key and what its message names."""
        super().__init__(message)
        self.key = key
        self.placeholders = placeholders


class ApiAuthError(ApiRefusedError):
    """The far side refused the credentials: only new ones help."""


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


# A host name of DNS labels (letters, digits, hyphens; underscores are found on LANs).
_HOST_NAME: Final = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?"
)


def normalize_host(typed: str) -> tuple[str, int | None, bool | None]:
    """Return (host, port, ssl) from a host as people type it; raise ValueError if it is none.

    "192.168.1.20", " pbx.lan ", "http://pbx:9011/", "https://pbx", "[fd00::1]:9011" and "::1" are
    understood; the port and the scheme, when typed, override the form's.
    """
    text = typed.strip()
    ssl: bool | None = None
    for scheme, secure in (("http://", False), ("https://", True)):
        if text.lower().startswith(scheme):
            text, ssl = text[len(scheme) :], secure
    text = text.split("/", 1)[0]
    port: int | None = None
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        address, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError(typed)
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(typed)
            port = int(rest[1:])
        text = address
    elif text.count(":") == 1:
        text, _, digits = text.partition(":")
        if not digits.isdigit():
            raise ValueError(typed)
        port = int(digits)
    if port is not None and not 0 < port < 65536:
        raise ValueError(typed)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOST_NAME.fullmatch(text):
            raise ValueError(typed) from None
    return text, port, ssl


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
