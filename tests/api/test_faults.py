"""The P-Series client and event stream against a PBX that misbehaves in one way at a time.

Each fault was seen in hostile-network tests: a PBX that refuses every new connection's token,
one that never answers heartbeats, an upgrade, a token renewal or ``del_token`` never answered.
The back-off's waits go through a clock of the test's own, so its delays are checked, not slept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import json
import time
from typing import Any

from aiohttp import ClientSession, WSMsgType, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.common import Backoff, answered_id, valid_id
from custom_components.call_bridge.api.yeastar_p import (
    EventStream,
    YeastarPClient,
    YeastarPConnectionError,
    YeastarPResponseError,
)
from custom_components.call_bridge.api.yeastar_p.stream import SilentPbxError

TOKEN = {
    "errcode": 0,
    "errmsg": "SUCCESS",
    "access_token_expire_time": 1800,
    "refresh_token_expire_time": 86400,
    "refresh_token": "r" * 32,
}
SUBSCRIBED = '{"errcode":0,"errmsg":"SUCCESS"}'


class FaultyPbx:
    """A loopback P-Series whose endpoints each do what the test says; it counts what it is asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.tokens = 0
        self.handlers: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = {}
        self.server: TestServer | None = None

    async def start(self) -> int:
        async def route(request: web.Request) -> web.StreamResponse:
            endpoint = request.match_info["endpoint"]
            self.asked.append(endpoint)
            if endpoint in self.handlers:
                return await self.handlers[endpoint](request)
            if endpoint == "get_token":
                self.tokens += 1
                return web.json_response(TOKEN | {"access_token": f"token-{self.tokens:026}"})
            return web.json_response({"errcode": 0, "errmsg": "SUCCESS"})

        app = web.Application()
        app.router.add_route("*", "/openapi/v1.0/{endpoint:.+}", route)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        assert self.server.port is not None
        return self.server.port

    async def stop(self) -> None:
        assert self.server is not None
        await self.server.close()


@pytest.fixture
async def faulty() -> Any:
    pbx = FaultyPbx()
    await pbx.start()
    yield pbx
    await pbx.stop()


def client_of(session: ClientSession, pbx: FaultyPbx, timeout: float = 0.2) -> YeastarPClient:
    assert pbx.server is not None
    return YeastarPClient(
        "127.0.0.1",
        "client",
        "secret",
        port=pbx.server.port,
        ssl=False,
        session=session,
        request_timeout=timeout,
    )


async def forever(request: web.Request) -> web.StreamResponse:
    """Never answer (until the server closes)."""
    await asyncio.sleep(3600)
    raise AssertionError("answered")


class Waits:
    """The back-off's sleeps, recorded and not slept (a few milliseconds of real time each)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0.001)


async def run_until(stream: EventStream, done: Callable[[], bool], seconds: float = 5) -> None:
    task = asyncio.create_task(stream.run())
    try:
        async with asyncio.timeout(seconds):
            while not done():
                await asyncio.sleep(0.005)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_a_pbx_that_refuses_every_connection_s_token_is_asked_less_and_less(
    session: ClientSession, faulty: FaultyPbx
) -> None:
    async def token_expired(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.receive()  # the subscription
        await socket.send_str('{"errcode":10004,"errmsg":"TOKEN EXPIRED"}')
        await socket.close()
        return socket

    faulty.handlers["subscribe"] = token_expired
    waits = Waits()
    stream = EventStream(
        client_of(session, faulty), print, name="P-Series", sleep=waits, backoff=Backoff()
    )
    await run_until(stream, lambda: len(waits.delays) >= 10)
    # Each failure waits longer, up to a minute; one token per attempt, never a burst.
    assert waits.delays[:6] == sorted(waits.delays[:6])
    assert 0.5 <= waits.delays[0] <= 1
    assert 30 <= waits.delays[9] <= 60
    attempts = faulty.asked.count("subscribe")
    assert faulty.tokens <= attempts <= len(waits.delays) + 1
    assert stream.connections == 0  # never counted as connected


async def test_a_connection_that_closes_at_once_counts_as_a_failure(
    session: ClientSession, faulty: FaultyPbx, caplog: pytest.LogCaptureFixture
) -> None:
    async def closes(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.receive()
        await socket.send_str(SUBSCRIBED)
        await socket.close()  # a "normal" close, at once
        return socket

    faulty.handlers["subscribe"] = closes
    waits = Waits()
    stream = EventStream(client_of(session, faulty), print, name="P-Series", sleep=waits)
    await run_until(stream, lambda: len(waits.delays) >= 4)
    assert all(delay > 0 for delay in waits.delays)
    assert waits.delays[3] > waits.delays[0]
    # One line when it dropped, one when a connection was back; none while it keeps flapping.
    assert caplog.text.count("event connection lost") == 1
    assert caplog.text.count("event connection is back") == 1


async def test_a_silent_connection_is_a_dead_one(
    session: ClientSession, faulty: FaultyPbx, caplog: pytest.LogCaptureFixture
) -> None:
    heartbeats = 0

    async def deaf(request: web.Request) -> web.StreamResponse:
        nonlocal heartbeats
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            if message.data == "heartbeat":
                heartbeats += 1  # never answered
            else:
                await socket.send_str(SUBSCRIBED)
        return socket

    faulty.handlers["subscribe"] = deaf
    states: list[bool] = []
    started = time.monotonic()
    stream = EventStream(
        client_of(session, faulty, timeout=0.1),
        print,
        name="P-Series",
        heartbeat=0.2,
        on_state=states.append,
        sleep=Waits(),
    )
    await run_until(stream, lambda: states == [True, False])
    noticed = time.monotonic() - started
    # Two heartbeats missed: the second sent at once after the first's reply was due.
    assert heartbeats == 2
    assert noticed < 0.2 + 2 * 0.1 + 0.3
    assert "did not answer 2 heartbeats" in caplog.text


async def test_answered_heartbeats_keep_a_quiet_connection(
    session: ClientSession, faulty: FaultyPbx
) -> None:
    replies = 0

    async def answers(request: web.Request) -> web.StreamResponse:
        nonlocal replies
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            if message.data == "heartbeat":
                replies += 1
                await socket.send_str("heartbeat response")
            else:
                await socket.send_str(SUBSCRIBED)
        return socket

    faulty.handlers["subscribe"] = answers
    states: list[bool] = []
    stream = EventStream(
        client_of(session, faulty, timeout=0.1),
        print,
        name="P-Series",
        heartbeat=0.05,
        on_state=states.append,
    )
    await run_until(stream, lambda: replies >= 6)
    assert states == [True]


@pytest.mark.parametrize("endpoint", ["subscribe", "get_token"])
async def test_a_step_never_answered_gives_up_within_the_timeout(
    session: ClientSession, faulty: FaultyPbx, endpoint: str
) -> None:
    faulty.handlers[endpoint] = forever
    waits = Waits()
    started = time.monotonic()
    stream = EventStream(client_of(session, faulty), print, name="P-Series", sleep=waits)
    await run_until(stream, lambda: len(waits.delays) >= 2)
    assert time.monotonic() - started < 2 * 0.2 + 1


async def test_a_subscription_never_answered_gives_up_within_the_timeout(
    session: ClientSession, faulty: FaultyPbx, caplog: pytest.LogCaptureFixture
) -> None:
    async def mute(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for _ in socket:
            pass  # takes the subscription, answers nothing
        return socket

    faulty.handlers["subscribe"] = mute
    waits = Waits()
    stream = EventStream(client_of(session, faulty), print, name="P-Series", sleep=waits)
    await run_until(stream, lambda: len(waits.delays) >= 1)
    assert "did not answer the subscription within 0.2 s" in caplog.text


async def test_a_renewal_never_answered_does_not_hold_the_lock(
    session: ClientSession, faulty: FaultyPbx
) -> None:
    faulty.handlers["get_token"] = forever
    client = client_of(session, faulty)
    started = time.monotonic()
    results = await asyncio.gather(
        client.tokens.access_token(), client.tokens.access_token(), return_exceptions=True
    )
    assert all(isinstance(result, YeastarPConnectionError) for result in results)
    assert time.monotonic() - started < 2 * 0.2 + 0.5  # one deadline each, in turn
    del faulty.handlers["get_token"]  # the PBX is back: the next caller gets a token
    assert (await client.tokens.access_token()).startswith("token-")


async def test_a_del_token_never_answered_does_not_hold_the_unload(
    session: ClientSession, faulty: FaultyPbx
) -> None:
    faulty.handlers["del_token"] = forever
    client = client_of(session, faulty)
    await client.tokens.access_token()
    started = time.monotonic()
    await client.close()
    assert time.monotonic() - started < 0.2 + 0.3
    assert client.tokens.current is None


@pytest.mark.parametrize(
    "call_id",
    ["\ud800", "x" * 65, "line\nbreak", "\x00", ["a list"], True],
)
async def test_call_ids_that_cannot_be_kept_are_bad_answers(
    session: ClientSession, faulty: FaultyPbx, call_id: object
) -> None:
    async def dial(request: web.Request) -> web.Response:
        body = json.dumps({"errcode": 0, "errmsg": "SUCCESS", "call_id": call_id})
        return web.Response(text=body, content_type="application/json")

    faulty.handlers["call/dial"] = dial
    with pytest.raises(YeastarPResponseError, match="not printable text of at most 64"):
        await client_of(session, faulty).dial("2001", "2002")


def test_ids_that_are_kept() -> None:
    assert valid_id("1694541708.49") == "1694541708.49"
    assert valid_id(150104227912386807) == "150104227912386807"
    assert valid_id("x" * 64) is not None
    assert valid_id("") is None
    assert answered_id(None, "call_id", ValueError) is None
    assert answered_id("", "call_id", ValueError) is None


def test_the_back_off_grows_and_settles_after_a_stable_connection() -> None:
    backoff = Backoff(first=1, most=60, stable=60, jitter=lambda: 1.0)
    assert [backoff.after(None) for _ in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff.after(5.0) == 60  # up a moment only: still failing
    assert backoff.after(61.0) == 0  # up a while: the next failure starts over
    assert backoff.after(None) == 1
    half = Backoff(first=10, jitter=lambda: 0.0)
    assert half.after(None) == 5  # the jitter takes up to half off


def test_a_silent_pbx_is_a_connection_error() -> None:
    assert issubclass(SilentPbxError, YeastarPConnectionError)


async def test_a_refresh_answered_without_a_token_falls_back_to_the_credentials(
    session: ClientSession, faulty: FaultyPbx
) -> None:
    async def empty(request: web.Request) -> web.Response:
        return web.json_response({"errcode": 0, "errmsg": "SUCCESS"})

    faulty.handlers["refresh_token"] = empty
    client = client_of(session, faulty)
    first = await client.tokens.access_token()
    client.tokens.expire(first)
    assert await client.tokens.access_token() != first
    assert faulty.asked == ["get_token", "refresh_token", "get_token"]
