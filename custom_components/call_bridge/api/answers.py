"""Reading a provider's answer: never more of it than an API answer can be."""

from __future__ import annotations

from typing import Final

import aiohttp

from .errors import ProviderResponseError

MAX_ANSWER_BYTES: Final = 1024 * 1024


async def read_answer(response: aiohttp.ClientResponse, who: str) -> bytes:
    """Return the answer's body; raise ProviderResponseError once it passes 1 MiB."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise ProviderResponseError(f"{who} answered with more than 1 MiB")
        chunks.append(chunk)
    return b"".join(chunks)
