"""What the vendor packages share and no vendor owns: bounded answers, digits as people type them."""

from __future__ import annotations

import re
from typing import Final
import unicodedata

import aiohttp
from aiohttp import hdrs

MAX_ANSWER_BYTES: Final = 1024 * 1024
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
