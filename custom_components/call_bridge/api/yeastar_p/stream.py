"""The PBX's events over the WebSocket that Home Assistant opens (reference section 7).

Subscribed at every connection with the full topic list; kept alive with the text ``heartbeat``
well within the PBX's 60 seconds; reconnected with back-off when it drops, and with the new
token whenever the token changes (renewed before it expires, or by a request). One log line when
it drops, one when it is back. Nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import json
import logging
from typing import Final

import aiohttp

from .client import YeastarPClient
from .errors import InvalidEventError, YeastarPAuthError, YeastarPError
from .events import TOPICS, Answer, PbxEvent, decode_frame
from .models import SUCCESS, refuses_the_token

_LOGGER = logging.getLogger(__name__)

HEARTBEAT: Final = 30.0
HEARTBEAT_RESPONSE: Final = "heartbeat response"
BACKOFF: Final = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
CONNECT_TIMEOUT: Final = 10.0


class EventStream:
    """Runs the event connection of one PBX until cancelled; hands each event to ``on_event``."""

    def __init__(
        self,
        client: YeastarPClient,
        on_event: Callable[[PbxEvent], None],
        *,
        name: str,
        topics: Sequence[int] = TOPICS,
        heartbeat: float = HEARTBEAT,
        backoff: Sequence[float] = BACKOFF,
        on_state: Callable[[bool], None] | None = None,
        on_frame: Callable[[str], None] | None = None,
    ) -> None:
        """Keep what to run; ``run`` connects. ``name`` names the PBX in log lines.

        ``on_frame`` sees every text frame as received, but the heartbeat's replies.
        """
        self._client = client
        self._on_event = on_event
        self._name = name
        self._topics = list(topics)
        self._heartbeat = heartbeat
        self._backoff = tuple(backoff)
        self._on_state = on_state
        self._on_frame = on_frame
        self.connected = False
        self.connections = 0
        self._dropped = False

    async def run(self) -> None:
        """Connect, and connect again each time the connection ends, until cancelled.

        Stops (raising it) only when the PBX refuses the credentials: new ones are needed.
        """
        attempt = 0
        while True:
            try:
                await self._connect_once()
            except YeastarPAuthError:
                self._set_connected(False)
                raise
            except (aiohttp.ClientError, YeastarPError, TimeoutError, OSError) as err:
                self._set_connected(False)
                if not self._dropped:
                    self._dropped = True
                    # aiohttp's messages hold the URL, and with it the token: only the kind.
                    reason = str(err) if isinstance(err, YeastarPError) else type(err).__name__
                    _LOGGER.warning(
                        "%s: event connection lost (%s); reconnecting", self._name, reason
                    )
                await asyncio.sleep(self._backoff[min(attempt, len(self._backoff) - 1)])
                attempt += 1
                continue
            # It ended because the token changed: open it again at once, with the new one.
            attempt = 0
            _LOGGER.debug("%s: reconnecting events with the new token", self._name)

    async def _connect_once(self) -> None:
        """Run one connection; return when it should be opened again with a new token."""
        client = self._client
        token = await client.tokens.access_token()
        try:
            connection = client._http().ws_connect(  # noqa: SLF001 - the client's own session
                client.subscribe_url(token),
                ssl=client.ssl,
                headers={"User-Agent": "OpenAPI"},
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=CONNECT_TIMEOUT),
            )
            ws = await connection
        except aiohttp.WSServerHandshakeError:
            # The PBX answered the upgrade with an error: most likely the token (it restarted,
            # or revoked it), so the next attempt renews it.
            client.tokens.expire(token)
            raise
        async with ws:
            await ws.send_str(json.dumps({"topic_list": self._topics}))
            async with asyncio.timeout(CONNECT_TIMEOUT):
                answer = await self._answer(ws)
            if answer.errcode != SUCCESS:
                if refuses_the_token(answer.errcode, answer.errmsg):
                    client.tokens.expire(token)
                raise YeastarPError(f"subscription refused ({answer.errcode})")
            self.connections += 1
            self._set_connected(True)
            if self._dropped:
                self._dropped = False
                _LOGGER.info("%s: event connection is back", self._name)
            await self._read(ws, token)

    async def _answer(self, ws: aiohttp.ClientWebSocketResponse) -> Answer:
        """Wait for the subscription's answer (events may not come before it)."""
        while True:
            message = await ws.receive()
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise YeastarPError("the PBX closed the event connection")
            decoded = decode_frame(message.data)
            if isinstance(decoded, Answer):
                return decoded

    async def _read(self, ws: aiohttp.ClientWebSocketResponse, token: str) -> None:
        """Take events until the connection ends or the token changes; beat meanwhile."""
        loop = asyncio.get_running_loop()
        tokens = self._client.tokens
        next_beat = loop.time() + self._heartbeat
        while True:
            now = loop.time()
            due = tokens.tokens.renew_at if tokens.tokens else now
            if tokens.current != token or now >= due:
                return  # connected again with the new token (renewed as it connects)
            if now >= next_beat:
                await ws.send_str("heartbeat")
                next_beat = now + self._heartbeat
                continue
            try:
                # Always more than 0 here: aiohttp takes a timeout of 0 for none at all.
                message = await ws.receive(timeout=min(next_beat, due) - now)
            except TimeoutError:
                continue  # a heartbeat or the token is due
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise YeastarPError("the PBX closed the event connection")
            if self._on_frame is not None and message.data != HEARTBEAT_RESPONSE:
                self._on_frame(message.data)
            try:
                decoded = decode_frame(message.data)
            except InvalidEventError as err:
                _LOGGER.debug("%s: frame ignored: %s", self._name, err)
                continue
            if isinstance(decoded, PbxEvent):
                self._on_event(decoded)
            elif isinstance(decoded, Answer) and refuses_the_token(decoded.errcode, decoded.errmsg):
                tokens.expire(token)
                return

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            if self._on_state is not None:
                self._on_state(connected)
