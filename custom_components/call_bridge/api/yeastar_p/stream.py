"""The PBX's events over the WebSocket that Home Assistant opens (reference section 7).

Subscribed at every connection with the full topic list; kept alive with the text ``heartbeat``
well within the PBX's 60 seconds, whose replies are expected: a PBX that misses two is taken as
gone. Every step has a deadline (the token, the upgrade, the subscription, each heartbeat's reply),
the client's request timeout. Reconnected at once when the token was renewed; any other end (a
drop, a close, the PBX ending the token) waits its back-off (``ReconnectingStream``). Nothing
here blocks the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
import json
import logging
from typing import Final

import aiohttp

from ..common import Backoff
from ..stream import ReconnectingStream
from .client import YeastarPClient
from .errors import InvalidEventError, YeastarPConnectionError, YeastarPError
from .events import TOPICS, Answer, PbxEvent, decode_frame
from .models import SUCCESS, refuses_the_token

_LOGGER = logging.getLogger(__name__)

HEARTBEAT: Final = 30.0
HEARTBEAT_RESPONSE: Final = "heartbeat response"
# Heartbeats in a row without a reply that make a connection a dead one.
MISSED_HEARTBEATS: Final = 2


class SilentPbxError(YeastarPConnectionError):
    """The PBX stopped answering heartbeats on an open connection."""


class EventStream(ReconnectingStream):
    """Runs the event connection of one PBX until cancelled; hands each event to ``on_event``."""

    def __init__(
        self,
        client: YeastarPClient,
        on_event: Callable[[PbxEvent], None],
        *,
        name: str,
        topics: Sequence[int] = TOPICS,
        heartbeat: float = HEARTBEAT,
        backoff: Backoff | None = None,
        on_state: Callable[[bool], None] | None = None,
        on_frame: Callable[[str], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Keep what to run; ``run`` connects. ``name`` names the PBX in log lines.

        ``on_frame`` sees every text frame as received, but the heartbeat's replies.
        """
        super().__init__(
            name=name,
            backoff=backoff or Backoff(stable=2 * heartbeat),
            on_state=on_state,
            sleep=sleep,
        )
        self._client = client
        self._on_event = on_event
        self._topics = list(topics)
        self._heartbeat = heartbeat
        self._on_frame = on_frame

    async def connect_once(self) -> None:
        """Run one connection; return when it should be opened again with a new token."""
        client = self._client
        timeout = client.request_timeout
        token = await client.tokens.access_token()
        try:
            async with asyncio.timeout(timeout):
                ws = await client._http().ws_connect(  # noqa: SLF001 - the client's own session
                    client.subscribe_url(token),
                    ssl=client.ssl,
                    headers={"User-Agent": "OpenAPI"},
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=timeout),
                )
        except aiohttp.WSServerHandshakeError:
            # The PBX answered the upgrade with an error: most likely the token (it restarted,
            # or revoked it), so the next attempt renews it.
            client.tokens.expire(token)
            raise
        except TimeoutError:
            raise YeastarPConnectionError(
                f"the PBX did not take the connection within {timeout:g} s"
            ) from None
        async with ws:
            await ws.send_str(json.dumps({"topic_list": self._topics}))
            try:
                async with asyncio.timeout(timeout):
                    answer = await self._answer(ws)
            except TimeoutError:
                raise YeastarPConnectionError(
                    f"the PBX did not answer the subscription within {timeout:g} s"
                ) from None
            if answer.errcode != SUCCESS:
                if refuses_the_token(answer.errcode, answer.errmsg):
                    client.tokens.expire(token)
                raise YeastarPError(f"subscription refused ({answer.errcode})")
            self.up()
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
        """Take events until the token is renewed; beat meanwhile; raise when the PBX ends it.

        The PBX ending the token on the connection (``TOKEN EXPIRED``) is a failure like any
        other: a PBX that does it to every connection is asked again after a growing delay.

        Each heartbeat's reply is due within the request timeout; a missed one is followed by
        another heartbeat at once, and a second miss ends the connection.
        """
        loop = asyncio.get_running_loop()
        tokens = self._client.tokens
        next_beat = loop.time() + self._heartbeat
        reply_due: float | None = None
        missed = 0
        while True:
            now = loop.time()
            due = tokens.tokens.renew_at if tokens.tokens else now
            if tokens.current != token or now >= due:
                return  # connected again with the new token (renewed as it connects)
            if reply_due is not None and now >= reply_due:
                missed += 1
                if missed >= MISSED_HEARTBEATS:
                    raise SilentPbxError(f"the PBX did not answer {missed} heartbeats")
                reply_due, next_beat = None, now  # beat again at once
            if now >= next_beat and reply_due is None:
                await ws.send_str("heartbeat")
                next_beat = now + self._heartbeat
                reply_due = now + self._client.request_timeout
                continue
            wake = min(next_beat, due, reply_due or next_beat)
            try:
                # Always more than 0 here: aiohttp takes a timeout of 0 for none at all.
                message = await ws.receive(timeout=max(wake - now, 0.001))
            except TimeoutError:
                continue  # a heartbeat, its reply or the token is due
            if message.type is not aiohttp.WSMsgType.TEXT:
                raise YeastarPError("the PBX closed the event connection")
            if message.data == HEARTBEAT_RESPONSE:
                reply_due, missed = None, 0
                continue
            if self._on_frame is not None:
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
                raise YeastarPError(f"the PBX ended the token ({decoded.errcode})")
