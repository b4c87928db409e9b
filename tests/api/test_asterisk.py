"""The ARI library without Home Assistant: what a recorded Asterisk sent, and what no Asterisk sends.

Against a live Asterisk: ``e2e/test_asterisk.py`` and ``e2e/test_asterisk_frames.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import io
import json
from typing import Any
import wave

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.asterisk import (
    AriClient,
    AriEventStream,
    AsteriskAuthError,
    AsteriskConnectionError,
    AsteriskResponseError,
    CallFollower,
    decode_frame,
)
from custom_components.call_bridge.api.asterisk.follow import MAX_LEGS
from custom_components.call_bridge.api.asterisk.media import MAX_SPEECH_BYTES, telephony_wav
from custom_components.call_bridge.api.asterisk.models import Endpoint
from custom_components.call_bridge.api.asterisk.reported import reported_event
from custom_components.call_bridge.api.common import Backoff
from custom_components.call_bridge.providers.asterisk.speech import (
    KEEP_SECONDS,
    MAX_SPEECHES,
    Speeches,
)
from devtools.asterisk import ARI_PASSWORD, ARI_USER
from devtools.asterisk_frames import RECORDED_ID

from ..asterisk_far_side import RECORDING

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve(
    session: ClientSession,
) -> AsyncIterator[Callable[[str, str, Handler], Awaitable[AriClient]]]:
    """Serve one route as an Asterisk would not; return a client of it."""
    servers: list[TestServer] = []

    async def start(method: str, path: str, handler: Handler) -> AriClient:
        app = web.Application()
        app.router.add_route(method, path, handler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        assert server.port is not None
        return AriClient(
            "127.0.0.1",
            ARI_USER,
            ARI_PASSWORD,
            port=server.port,
            session=session,
            request_timeout=0.5,
        )

    yield start
    for server in servers:
        await server.close()


def answering(body: Any, status: int = 200) -> Handler:
    async def handler(request: web.Request) -> web.Response:
        text = body if isinstance(body, str | bytes) else json.dumps(body)
        return web.Response(body=text, status=status, content_type="application/json")

    return handler


@pytest.mark.parametrize(
    ("method", "path", "body", "ask", "error"),
    [
        ("GET", "/ari/endpoints/PJSIP", {"not": "a list"}, "endpoints", "gave no list"),
        ("GET", "/ari/endpoints/PJSIP/100", [], "channels", "no endpoint"),
        ("POST", "/ari/channels", {"name": "PJSIP/100-1"}, "dial", "has no id"),
        ("POST", "/ari/channels", {"id": "1\u0000"}, "dial", "printable"),
        ("GET", "/ari/asterisk/info", {"system": {"version": 7}}, "info", "no version"),
        ("GET", "/ari/asterisk/info", "<html>", "info", "without JSON"),
        ("GET", "/ari/asterisk/info", b" " * (1024 * 1024 + 1), "info", "more than 1 MiB"),
    ],
)
async def test_answers_that_are_no_answers(
    serve: Any, method: str, path: str, body: Any, ask: str, error: str
) -> None:
    client = await serve(method, path, answering(body))
    asks = {
        "endpoints": client.endpoints,
        "channels": lambda: client.channels_of("100"),
        "dial": lambda: client.dial("call_bridge-1", "100", "101"),
        "info": client.info,
    }
    with pytest.raises(AsteriskResponseError, match=error):
        await asks[ask]()


async def test_an_asterisk_that_does_not_answer_in_time(serve: Any) -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response()

    client = await serve("GET", "/ari/asterisk/info", silent)
    with pytest.raises(AsteriskConnectionError, match="within 0.5 s"):
        await client.info()


async def test_endpoints_that_are_none_are_left_out(serve: Any) -> None:
    rows = [
        *RECORDING["answers"]["endpoints"][:2],
        "a trunk?",
        {"technology": "PJSIP", "resource": "105", "state": "online", "channel_ids": "1"},
        {"technology": "PJSIP", "resource": 106, "state": "online", "channel_ids": []},
        {"technology": "PJSIP", "resource": "107", "state": "online", "channel_ids": ["1", 2.5]},
    ]
    client = await serve("GET", "/ari/endpoints/PJSIP", answering(rows))
    endpoints = await client.endpoints()
    assert [endpoint.resource for endpoint in endpoints] == ["trunk", "201", "107"]
    assert endpoints[2].channel_ids == ("1",)  # an id that is none is no channel


def test_an_endpoint_s_state() -> None:
    assert Endpoint("PJSIP", "100", "online", ()).extension_state == "idle"
    assert Endpoint("PJSIP", "100", "online", ("1",)).extension_state == "in_use"
    assert Endpoint("PJSIP", "100", "offline", ()).extension_state == "offline"


@pytest.mark.parametrize("scenario", sorted(RECORDING["scenarios"]))
def test_each_recorded_call_tells_what_it_told_live(scenario: str) -> None:
    """The follower reads the recording as it read the live frames when they were recorded."""
    recorded = RECORDING["scenarios"][scenario]
    follower = CallFollower("asterisk")
    follower.start(
        RECORDED_ID,
        recorded["caller"],
        recorded["callee"] or recorded["caller"],
        one_party=recorded["callee"] is None,
    )
    statuses = []
    for frame in recorded["frames"]:
        event = decode_frame(json.dumps(frame))
        if event is not None:
            statuses.extend(status.as_dict() for status in follower.follow(event))
    assert statuses == recorded["statuses"]


def test_a_follower_remembers_a_bounded_number_of_legs() -> None:
    follower = CallFollower("asterisk")
    follower.start("call", "100", "101", one_party=False)
    caller = {"id": "call", "name": "PJSIP/100-1", "state": "Up"}
    for leg in range(MAX_LEGS + 10):
        peer = {"id": f"leg{leg}", "name": "PJSIP/101-2", "state": "Down"}
        event = decode_frame(
            json.dumps({"type": "Dial", "caller": caller, "peer": peer, "dialstatus": ""})
        )
        assert event is not None
        follower.follow(event)
    assert len(follower._legs) == MAX_LEGS
    assert "leg0" not in follower._legs


def test_what_is_read_of_names() -> None:
    event = decode_frame(
        json.dumps(
            {
                "type": "ChannelDestroyed",
                "channel": {"id": "1", "name": "SIP/100-0000002a", "state": "Up"},
            }
        )
    )
    assert event is not None
    assert event.channel is not None
    assert (event.cause, event.channel.caller_number) == (None, None)
    assert event.channel.resource("SIP") == "100"
    assert event.channel.resource("PJSIP") is None  # another technology's phone
    device = decode_frame(
        json.dumps(
            {"type": "DeviceStateChanged", "device_state": {"name": "Queue:1", "state": "INUSE"}}
        )
    )
    assert device is not None
    assert device.device_resource("PJSIP") is None
    assert reported_event(device, "PJSIP") is not None  # told, about no extension
    started = decode_frame(
        json.dumps(
            {"type": "Dial", "peer": {"id": "1", "name": "x", "state": "Down"}, "dialstatus": ""}
        )
    )
    assert started is not None
    assert reported_event(started, "PJSIP") is None  # a Dial that starts tells nothing yet
    played = decode_frame(
        json.dumps(
            {
                "type": "PlaybackFinished",
                "playback": {"id": "p", "target_uri": "bridge:1", "state": "done"},
            }
        )
    )
    assert played is not None
    assert played.playback_target is None  # played to a bridge, not a call


def plain_wav(rate: int = 8000, frames: int = 80) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as written:
        written.setnchannels(1)
        written.setsampwidth(2)
        written.setframerate(rate)
        written.writeframes(b"\x00\x01" * frames)
    return out.getvalue()


def test_speech_asterisk_plays() -> None:
    assert telephony_wav(plain_wav()) == plain_wav()
    for audio, error in [
        (b"ID3 not a wav", "not a WAV"),
        (plain_wav()[:20], "not a WAV"),
        (plain_wav(rate=16000), "16000 Hz"),
        (b"\x00" * (MAX_SPEECH_BYTES + 1), "longer than any message"),
    ]:
        with pytest.raises(ValueError, match=error):
            telephony_wav(audio)


def test_speeches_are_served_a_while_and_a_few_at_once() -> None:
    speeches = Speeches()
    first = speeches.add(b"first", now=0)
    assert speeches.get(first, now=KEEP_SECONDS - 1) == b"first"
    assert speeches.get(first, now=KEEP_SECONDS) is None  # no longer served
    names = [speeches.add(bytes([n]), now=1) for n in range(MAX_SPEECHES + 1)]
    assert speeches.get(names[0], now=2) is None  # the oldest made room
    assert speeches.get(names[-1], now=2) == bytes([MAX_SPEECHES])
    assert len(names[-1]) > 40  # 256 random bits: no one guesses a name


async def stream_of(serve: Any, handler: Handler) -> tuple[AriEventStream, list[Any]]:
    client = await serve("GET", "/ari/events", handler)
    events: list[Any] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) >= 3:
            raise asyncio.CancelledError
        await asyncio.sleep(0)

    stream = AriEventStream(
        client, events.append, name="Asterisk", backoff=Backoff(jitter=lambda: 1.0), sleep=sleep
    )
    return stream, waits


@pytest.mark.parametrize(("status", "error"), [(401, AsteriskAuthError), (404, None), (500, None)])
async def test_an_event_connection_asterisk_refuses(
    serve: Any, status: int, error: type[Exception] | None
) -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=status)

    stream, waits = await stream_of(serve, refuse)
    if error is not None:
        with pytest.raises(error):
            await stream.run()  # only new credentials help: no retrying
        assert waits == []
    else:
        with pytest.raises(asyncio.CancelledError):
            await stream.run()
        assert waits == [1.0, 2.0, 4.0]  # backing off, never connected
    assert stream.connections == 0


async def test_an_event_connection_that_ends(serve: Any) -> None:
    async def closing(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_bytes(b"\x00 not text")
        await socket.close()
        return socket

    stream, waits = await stream_of(serve, closing)
    with pytest.raises(asyncio.CancelledError):
        await stream.run()
    assert stream.connections == 3
    assert waits == [1.0, 2.0, 4.0]  # a connection that ends at once is a failed one


async def test_an_upgrade_that_never_comes(serve: Any) -> None:
    async def silent(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response()

    stream, waits = await stream_of(serve, silent)
    with pytest.raises(asyncio.CancelledError):
        await stream.run()
    assert waits == [1.0, 2.0, 4.0]
