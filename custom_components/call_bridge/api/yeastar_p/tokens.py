"""One access token per PBX, renewed before it expires, never a login loop into the lockout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
import logging
import time

from .errors import YeastarPAuthError, YeastarPRefusedError
from .models import Tokens

_LOGGER = logging.getLogger(__name__)


class TokenManager:
    """Hands out the current access token, renewing it when it is due.

    A due token is refreshed with its refresh token; when that is refused (or expired) the client
    id and secret ask for a new one. Once the PBX refuses those, no request asks again: five
    refusals would lock Home Assistant's address out. Only new credentials (a new manager) do.
    Concurrent callers share one renewal.
    """

    def __init__(
        self,
        get_token: Callable[[], Awaitable[Tokens]],
        refresh_token: Callable[[str], Awaitable[Tokens]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Start without a token; the first caller gets one."""
        self._get_token = get_token
        self._refresh_token = refresh_token
        self._clock = clock
        self._lock = asyncio.Lock()
        self.tokens: Tokens | None = None
        self.refused: YeastarPAuthError | None = None

    @property
    def current(self) -> str | None:
        """The access token in use, if any."""
        return self.tokens.access_token if self.tokens else None

    async def access_token(self) -> str:
        """Return a token that is not due; raise YeastarPAuthError once the credentials are refused."""
        async with self._lock:
            if self.refused is not None:
                raise self.refused
            now = self._clock()
            if self.tokens is not None and now < self.tokens.renew_at:
                return self.tokens.access_token
            if self.tokens is not None and now < self.tokens.refresh_expires:
                try:
                    self.tokens = await self._refresh_token(self.tokens.refresh_token)
                except YeastarPRefusedError as err:
                    _LOGGER.debug("Refresh refused (%s); asking for a new token", err.errcode)
                else:
                    return self.tokens.access_token
            try:
                self.tokens = await self._get_token()
            except YeastarPAuthError as err:
                self.tokens = None
                self.refused = err
                raise
            return self.tokens.access_token

    def expire(self, token: str) -> None:
        """Take ``token`` as due after the PBX said it expired: the next caller renews it."""
        if self.tokens is not None and self.tokens.access_token == token:
            self.tokens = replace(self.tokens, renew_at=float("-inf"))
