"""Asterisk's events over the WebSocket that Home Assistant opens (``/ari/events``).

Opening it registers the application (calls into it need it open) and, with ``subscribeAll``,
brings the events of every channel and device. Kept alive with WebSocket pings, whose pongs are
expected: an Asterisk that stops answering them is taken as gone. The upgrade has the request
timeout as its deadline; every end waits its back-off (``ReconnectingStream``). The password
goes in the upgrade's ``Authorization`` header, never in its URL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import logging
from typing import Final

import aiohttp

from ..common import Backoff
from ..stream import ReconnectingStream
from .client import AriClient
from .errors import AsteriskAuthError, AsteriskConnectionError, InvalidEventError
from .events import AriEvent, decode_frame

_LOGGER = logging.getLogger(__name__)

HEARTBEAT: Final = 30.0
# No ARI event is near this; a larger frame ends the connection rather than fill memory.
MAX_FRAME_BYTES: Final = 256 * 1024


class AriEventStream(ReconnectingStream):
    """Runs the event connection of one Asterisk until cancelled; hands each event on."""

    def __init__(
        self,
        client: AriClient,
        on_event: Callable[[AriEvent], None],
        *,
        name: str,
        heartbeat: float = HEARTBEAT,
        backoff: Backoff | None = None,
        on_state: Callable[[bool], None] | None = None,
        on_frame: Callable[[str], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Keep what to run; ``run`` connects. ``on_frame`` sees each frame of an event read."""
        super().__init__(
            name=name,
            backoff=backoff or Backoff(stable=2 * heartbeat),
            on_state=on_state,
            sleep=sleep,
        )
        self._client = client
        self._on_event = on_event
        self._heartbeat = heartbeat
        self._on_frame = on_frame
        self.refused = 0

    async def connect_once(self) -> None:
        """Run one connection until Asterisk ends it (raising: the next waits its back-off)."""
        client = self._client
        timeout = client.request_timeout
        try:
            async with asyncio.timeout(timeout):
                ws = await client._http().ws_connect(  # noqa: SLF001 - the client's own session
                    client.events_url(),
                    headers=client.headers,
                    ssl=client.ssl,
                    heartbeat=self._heartbeat,
                    max_msg_size=MAX_FRAME_BYTES,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=timeout),
                )
        except aiohttp.WSServerHandshakeError as err:
            if err.status in (401, 403):
                raise AsteriskAuthError(err.status, "the ARI user was refused") from None
            raise AsteriskConnectionError(
                f"Asterisk refused the event connection (HTTP {err.status})"
            ) from None
        except TimeoutError:
            raise AsteriskConnectionError(
                f"Asterisk did not take the event connection within {timeout:g} s"
            ) from None
        async with ws:
            self.up()
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    break
                self._take(message.data)
        raise AsteriskConnectionError("Asterisk closed the event connection")

    def _take(self, frame: str) -> None:
        """Hand an event on; a frame that is no event Call Bridge reads is let by."""
        try:
            event = decode_frame(frame)
        except InvalidEventError as err:
            self.refused += 1
            _LOGGER.debug("%s: frame ignored: %s", self._name, err)
            return
        if event is None:
            return
        if self._on_frame is not None:
            self._on_frame(frame)
        self._on_event(event)
