"""One access token per PBX, renewed before it expires, never a login loop into the lockout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
import logging
import time

from .errors import (
    YeastarPAuthError,
    YeastarPConnectionError,
    YeastarPRefusedError,
    YeastarPResponseError,
)
from .models import Tokens

_LOGGER = logging.getLogger(__name__)


class TokenManager:
    """Hands out the current access token, renewing it when it is due.

    A due token is refreshed with its refresh token; when that is refused (or expired) the client
    id and secret ask for a new one. Once the PBX refuses those, no request asks again: five
    refusals would lock Home Assistant's address out. Only new credentials (a new manager) do.
    Concurrent callers share one renewal, which has ``timeout`` seconds: the lock is never held
    longer, whatever the PBX does.
    """

    def __init__(
        self,
        get_token: Callable[[], Awaitable[Tokens]],
        refresh_token: Callable[[str], Awaitable[Tokens]],
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 10.0,
    ) -> None:
        """Start without a token; the first caller gets one."""
        self._get_token = get_token
        self._refresh_token = refresh_token
        self._clock = clock
        self.timeout = timeout
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
            if self.tokens is not None and self._clock() < self.tokens.renew_at:
                return self.tokens.access_token
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._renew()
            except TimeoutError:
                raise YeastarPConnectionError(
                    f"the PBX gave no token within {self.timeout:g} s"
                ) from None

    async def _renew(self) -> str:
        """Refresh the token, or ask for a new one; the caller holds the lock."""
        if self.tokens is not None and self._clock() < self.tokens.refresh_expires:
            try:
                self.tokens = await self._refresh_token(self.tokens.refresh_token)
            except (YeastarPRefusedError, YeastarPResponseError) as err:
                # Refused, or answered with no token: the client id and secret ask anew.
                _LOGGER.debug("Refresh not taken (%s); asking for a new token", err)
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
