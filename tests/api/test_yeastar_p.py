"""The Yeastar P-Series client against the simulated P-Series PBX: tokens, requests, events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import logging
import time
from typing import Any

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.common import Backoff
from custom_components.call_bridge.api.yeastar_p import (
    TOPICS,
    Answer,
    EventStream,
    InvalidEventError,
    PbxEvent,
    YeastarPAuthError,
    YeastarPClient,
    YeastarPConnectionError,
    YeastarPRefusedError,
    YeastarPResponseError,
    decode_frame,
)
from simulator.yeastar_p import YeastarPState, create_yeastar_p_app


@pytest.fixture
def state() -> YeastarPState:
    return YeastarPState(step_delay=0.02)


@pytest.fixture
async def port(state: YeastarPState) -> AsyncIterator[int]:
    server = TestServer(create_yeastar_p_app(state), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    yield server.port
    await server.close()


class Clock:
    """A clock the test moves: the client's, while the PBX keeps real time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


SECRET = YeastarPState.client_secret


def pbx(
    session: ClientSession, port: int, *, secret: str = SECRET, **kwargs: Any
) -> YeastarPClient:
    return YeastarPClient(
        "127.0.0.1",
        "call-bridge-client",
        secret,
        port=port,
        ssl=False,
        session=session,
        **kwargs,
    )


def quick(delay: float, *, stable: float = 60.0) -> Backoff:
    """A back-off of one fixed delay, for tests on real time."""
    return Backoff(first=delay, most=delay, stable=stable, jitter=lambda: 1.0)


def endpoints(state: YeastarPState) -> list[str]:
    return [request["endpoint"] for request in state.requests]


async def test_a_token_then_requests_with_it(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    info = await client.system_information()
    assert (info.serial, info.model) == ("3631A2124001", "P-Series Software Edition")
    state.offline.add("2003")
    extensions = await client.extensions()
    assert [(e.number, e.presence, e.online) for e in extensions] == [
        ("2001", "available", True),
        ("2002", "available", True),
        ("2003", "away", False),
    ]
    assert endpoints(state) == ["get_token", "system/information", "extension/list"]
    login, *requests = state.requests
    assert json.loads(login["body"]) == {
        "username": "call-bridge-client",
        "password": "p-series-client-secret",
    }
    assert "access_token" not in login["query"]
    assert {r["query"]["access_token"] for r in requests} == set(state.tokens)
    assert {r["user_agent"] for r in state.requests} == {"OpenAPI"}


async def test_concurrent_requests_share_one_token(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    await asyncio.gather(*(client.system_information() for _ in range(5)))
    assert endpoints(state).count("get_token") == 1


async def test_the_token_is_refreshed_before_it_expires(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    clock = Clock()
    client = pbx(session, port, clock=clock)
    await client.system_information()
    clock.now += 1800 * 5 / 6 - 1
    await client.system_information()  # not due yet
    clock.now += 2
    await client.system_information()
    assert endpoints(state) == [
        "get_token",
        "system/information",
        "system/information",
        "refresh_token",
        "system/information",
    ]
    refresh = state.requests[3]
    assert "access_token" not in refresh["query"]
    assert json.loads(refresh["body"]).keys() == {"refresh_token"}
    # A refresh token that expired: a new token from the credentials.
    clock.now += 86400
    await client.system_information()
    assert endpoints(state)[-2:] == ["get_token", "system/information"]


async def test_a_refused_refresh_falls_back_to_the_credentials(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    clock = Clock()
    client = pbx(session, port, clock=clock)
    await client.system_information()
    state.refresh_tokens.clear()
    clock.now += 1600
    await client.system_information()
    assert endpoints(state) == [
        "get_token",
        "system/information",
        "refresh_token",
        "get_token",
        "system/information",
    ]


async def test_an_expired_token_is_renewed_and_the_request_sent_once_more(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    await client.system_information()
    state.tokens.clear()  # the PBX forgot it (a restart)
    call_id = await client.dial("2001", "2002")
    assert call_id is not None
    assert endpoints(state) == [
        "get_token",
        "system/information",
        "call/dial",
        "refresh_token",
        "call/dial",
    ]


async def test_a_token_refused_in_other_words_is_renewed_once(session: ClientSession) -> None:
    # The errcode table is unpublished: a refusal that names the token counts as 10004.
    dials: list[str] = []

    async def dial(request: web.Request) -> web.Response:
        dials.append(request.query["access_token"])
        if len(dials) == 1:
            return web.json_response({"errcode": 10005, "errmsg": "INVALID TOKEN"})
        return web.json_response({"errcode": 0, "call_id": "1.1"})

    server = await canned({"call/dial": dial, "call/hangup": {"errcode": 40002, "errmsg": "x"}})
    assert server.port is not None
    client = pbx(session, server.port)
    assert await client.dial("2001", "2002") == "1.1"
    assert len(dials) == 2
    with pytest.raises(YeastarPRefusedError):  # other refusals are not sent again
        await client.hangup("PJSIP/2001-1")
    await client.close()
    await server.close()


async def test_refused_credentials_are_never_tried_again(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port, secret="wrong")
    for _ in range(6):
        with pytest.raises(YeastarPAuthError) as refused:
            await client.system_information()
    assert refused.value.errcode == -1
    assert endpoints(state) == ["get_token"]  # far from the lockout's five
    await pbx(session, port).system_information()  # new credentials: a new client


async def test_calls_prompts_and_hangups(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    assert await client.dial("2001", "0755 28000003".replace(" ", ""), auto_answer=True)
    assert await client.play_prompt("2002", ("alarm", "press-1"))
    dial, prompt = (
        json.loads(r["body"]) for r in state.requests if r["endpoint"].startswith("call/")
    )
    assert dial == {"caller": "2001", "callee": "075528000003", "auto_answer": "yes"}
    assert prompt == {
        "number": "2002",
        "prompts": ["alarm", "press-1"],
        "count": 1,
        "auto_answer": "no",
    }
    with pytest.raises(YeastarPRefusedError) as refused:
        await client.play_prompt("2002", ("no-such-prompt",))
    assert refused.value.errcode == 40002
    channel = next(iter(state.channels))
    await client.hangup(channel)
    assert json.loads(state.requests[-1]["body"]) == {"channel_id": channel}


async def test_close_gives_the_token_back(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    await client.system_information()
    token = client.tokens.current
    await client.close()
    assert (state.requests[-1]["endpoint"], state.requests[-1]["query"]) == (
        "del_token",
        {"access_token": token},
    )
    await client.close()  # nothing left to give back
    assert len(state.requests) == 3


async def test_a_pbx_that_does_not_answer_the_api(session: ClientSession, closed_port: int) -> None:
    with pytest.raises(YeastarPConnectionError):
        await pbx(session, closed_port).system_information()

    async def html(request: web.Request) -> web.Response:
        return web.Response(text="<html>login</html>")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", html)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    with pytest.raises(YeastarPResponseError):
        await pbx(session, server.port).system_information()
    await server.close()


def frame(kind: int, msg: Any, **more: Any) -> str:
    return json.dumps({"type": kind, "sn": "3631A2124001", "msg": json.dumps(msg)} | more)


def test_events_are_decoded_twice() -> None:
    event = decode_frame(
        frame(
            30011,
            {
                "call_id": "1702364386.124",
                "members": [
                    {
                        "extension": {
                            "number": "700",
                            "channel_id": "PJSIP/700-3b",
                            "member_status": "RING",
                        }
                    },
                    {
                        "inbound": {
                            "from": "0813539441",
                            "to": "27872858652",
                            "member_status": "ALERT",
                        }
                    },
                ],
            },
        )
    )
    assert isinstance(event, PbxEvent)
    assert (event.type, event.serial, event.call_id) == (30011, "3631A2124001", "1702364386.124")
    first, second = event.members()
    assert (first.kind, first.number, first.channel_id, first.status) == (
        "extension",
        "700",
        "PJSIP/700-3b",
        "RING",
    )
    assert (second.kind, second.fields["from"]) == ("inbound", "0813539441")
    failed = decode_frame(frame(30015, {"call_id": "1", "reason": "NOT found", "members": None}))
    assert isinstance(failed, PbxEvent)
    assert (failed.members(), failed.text("reason")) == ((), "NOT found")
    assert decode_frame("heartbeat response") is None
    assert decode_frame('{"errcode":0,"errmsg":"SUCCESS"}') == Answer(0, "SUCCESS")
    assert decode_frame(json.dumps({"type": 30022, "msg": "{}"})) == PbxEvent(30022, None, {})


@pytest.mark.parametrize(
    "text",
    [
        "[1]",
        json.dumps({"type": "30011", "msg": "{}"}),
        json.dumps({"type": True, "msg": "{}"}),
        json.dumps({"type": 30011, "msg": {"call_id": "1"}}),  # not decoded twice: not the API
        json.dumps({"type": 30011, "msg": "{not json"}),
        json.dumps({"type": 30011, "msg": "[]"}),
        json.dumps({"errcode": "0"}),
        frame(30011, {"call_id": "1\n2"}),
        "x" * 70_000,
    ],
)
def test_frames_that_are_not_events(text: str) -> None:
    def call_of(frame_text: str) -> str | None:
        event = decode_frame(frame_text)
        return event.call_id if isinstance(event, PbxEvent) else None

    with pytest.raises(InvalidEventError):
        call_of(text)


@pytest.mark.parametrize(
    "members",
    [
        "x",
        [{"extension": {}, "inbound": {}}],
        [{"trunk": {}}],
        [{"extension": "700"}],
        [{"extension": {"number": ["700"]}}],
        [{"extension": {"number": "7"}}] * 33,
    ],
)
def test_members_that_are_not_legs(members: Any) -> None:
    event = decode_frame(frame(30011, {"call_id": "1", "members": members}))
    assert isinstance(event, PbxEvent)
    with pytest.raises(InvalidEventError):
        event.members()


async def until(condition: Any) -> None:
    for _ in range(300):  # bounded: at most three seconds
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not in time")


async def test_events_of_a_call_with_a_drop_and_a_new_token(
    session: ClientSession, port: int, state: YeastarPState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    state.access_lifetime = 1.2  # renewed after a second
    state.keys["2002"] = "1"
    client = pbx(session, port)
    events: list[PbxEvent] = []
    stream = EventStream(
        client, events.append, name="P-Series", heartbeat=0.1, backoff=quick(0.05, stable=0.2)
    )
    task = asyncio.create_task(stream.run())
    await until(lambda: stream.connected)
    [subscribe] = [r for r in state.requests if r["endpoint"] == "subscribe"]
    assert subscribe["user_agent"] == "OpenAPI"
    assert state.subscriptions[id(state.sockets[0])] == list(TOPICS)
    await client.dial("2001", "2002")
    await until(lambda: any(e.type == 30012 for e in events))
    kinds = [e.type for e in events]
    assert kinds.count(30011) >= 3
    assert 30017 in kinds
    await until(lambda: state.heartbeats > 0)
    # The network drops: one line, a reconnect, one line when it is back.
    await state.drop_connections()
    await until(lambda: stream.connections == 2)
    assert stream.connected
    lost = [r for r in caplog.records if "event connection lost" in r.getMessage()]
    back = [r for r in caplog.records if "event connection is back" in r.getMessage()]
    assert (len(lost), len(back)) == (1, 1)
    # The token is renewed before it expires: the connection is opened again with the new one.
    await until(lambda: stream.connections >= 3)
    tokens = [r["query"]["access_token"] for r in state.requests if r["endpoint"] == "subscribe"]
    assert tokens[-1] != tokens[0]
    assert "refresh_token" in endpoints(state)
    ours = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith("custom_components")
    )
    assert all(token not in ours for token in tokens)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_refused_credentials_stop_the_stream(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    stream = EventStream(pbx(session, port, secret="wrong"), print, name="P-Series")
    with pytest.raises(YeastarPAuthError):
        await stream.run()
    assert not stream.connected


TOKEN_ANSWER = {
    "errcode": 0,
    "errmsg": "SUCCESS",
    "access_token": "a" * 32,
    "refresh_token": "r" * 32,
    "access_token_expire_time": "soon",  # not seconds: the documented lifetime is taken
}


async def canned(answers: dict[str, Any]) -> TestServer:
    """A PBX that gives each endpoint's canned answer: a JSON object, text, or a handler."""

    async def answer(request: web.Request) -> web.StreamResponse:
        given = answers.get(request.match_info["endpoint"], TOKEN_ANSWER)
        if callable(given):
            result: web.StreamResponse = await given(request)
            return result
        if isinstance(given, str):
            return web.Response(text=given)
        return web.json_response(given)

    app = web.Application()
    app.router.add_route("*", "/openapi/v1.0/{endpoint:.+}", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"system/information": {"errcode": 0, "data": {"sn": ""}}}, YeastarPResponseError),
        ({"get_token": {"errcode": 0}}, YeastarPResponseError),
        ({"get_token": {"errcode": 40002, "errmsg": "PARAMETER ERROR"}}, YeastarPRefusedError),
        ({"system/information": {"errmsg": "SUCCESS"}}, YeastarPResponseError),
        ({"system/information": {"errcode": True}}, YeastarPResponseError),
        ({"system/information": "x" * (1024 * 1024 + 1)}, YeastarPResponseError),
    ],
)
async def test_answers_that_are_not_the_api_s(
    session: ClientSession, answers: dict[str, Any], error: type[Exception]
) -> None:
    server = await canned(answers)
    assert server.port is not None
    with pytest.raises(error) as raised:
        await pbx(session, server.port).system_information()
    await server.close()
    assert type(raised.value) is error


async def test_odd_but_valid_answers(session: ClientSession) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"errcode": 0})

    server = await canned(
        {
            "extension/list": {"errcode": 0, "data": None},
            "call/dial": {"errcode": 0, "call_id": ["not", "an", "id"]},
            "call/hangup": slow,
            "del_token": "not json",
        }
    )
    assert server.port is not None
    client = pbx(session, server.port, request_timeout=0.2)
    assert await client.extensions() == []
    # A call id that is not one Home Assistant can keep is a bad answer, never stored.
    with pytest.raises(YeastarPResponseError):
        await client.dial("2001", "2002")
    assert client.tokens.tokens is not None
    assert client.tokens.tokens.access_expires - client.tokens.tokens.renew_at == pytest.approx(300)
    with pytest.raises(YeastarPConnectionError):
        await client.hangup("PJSIP/2001-1")
    await client.close()  # the token could not be given back: closed all the same
    assert client.tokens.current is None
    await server.close()


async def test_listed_extensions_that_are_not_extensions(session: ClientSession) -> None:
    rows = [
        {"number": 2001, "online_status": {"sip_phone": {"status": 1}}},
        {"number": "2002", "online_status": {"sip_phone": {"status": True}}},  # not a number
        {"number": "2003", "online_status": {"sip_phone": {"status": 0}, "linkus_web": "?"}},
        {"number": "2004", "online_status": {}},
        {"number": "2005", "online_status": {"sip_phone": {"status": 0}, "linkus_web": {}}},
        {
            "number": "2006",
            "online_status": {"sip_phone": {"status": 0}, "linkus_web": {"status": 0}},
        },
        {
            "number": "2009",
            "online_status": {"sip_phone": {"status": 0}, "linkus_web": {"status": 1}},
        },
        {"number": "2010", "online_status": ["not", "an", "object"]},
        {"number": "20 06"},
        {"number": "２００７"},  # full-width digits: not what the PBX dials
        {"number": "2008\n"},
        {"number": "1" * 17},
        {"number": True},
        {"number": None},
        "not a row",
    ]
    server = await canned(
        {"extension/list": {"errcode": 0, "total_number": len(rows), "data": rows}}
    )
    assert server.port is not None
    client = pbx(session, server.port)
    listed = await client.extensions()
    assert [(e.number, e.online) for e in listed] == [
        ("2001", True),
        ("2002", None),
        ("2003", None),
        ("2004", None),
        ("2005", None),
        ("2006", False),
        ("2009", True),
        ("2010", None),
    ]
    await client.close()
    await server.close()


async def socket_server(frames: list[str | None]) -> tuple[TestServer, list[str]]:
    """A PBX whose event socket sends ``frames`` in turn after each message (None: closes)."""
    received: list[str] = []

    async def subscribe(request: web.Request) -> web.StreamResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            received.append(message.data)
            if not frames:
                break
            reply = frames.pop(0)
            if reply is None:
                break
            await socket.send_str(reply)
            while frames and frames[0] is not None and not frames[0].startswith('{"errcode":0'):
                await socket.send_str(frames.pop(0))
        await socket.close()
        return socket

    return await canned({"subscribe": subscribe}), received


async def test_the_stream_s_edge_cases(session: ClientSession) -> None:
    expired = '{"errcode":10004,"errmsg":"TOKEN EXPIRED"}'
    subscribed = '{"errcode":0,"errmsg":"SUCCESS"}'
    server, received = await socket_server(
        [
            # The subscription refused for its token, in words: the token is renewed.
            '{"errcode":10005,"errmsg":"INVALID TOKEN"}',
            subscribed,
            "not a frame of the API at all" + "}",
            json.dumps({"type": "x", "msg": "{}"}),  # ignored
            frame(30008, {"extension": "2001", "status": "Idle"}),
            expired,  # on an open connection: renewed, connected again
            subscribed,
        ]
    )
    assert server.port is not None
    client = pbx(session, server.port)
    events: list[PbxEvent] = []
    states: list[bool] = []
    stream = EventStream(
        client,
        events.append,
        name="P-Series",
        heartbeat=5,
        backoff=quick(0.01),
        on_state=states.append,
    )
    task = asyncio.create_task(stream.run())
    await until(lambda: stream.connections == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await server.close()
    assert [e.msg for e in events] == [{"extension": "2001", "status": "Idle"}]
    assert states[0] is True
    assert received.count(json.dumps({"topic_list": list(TOPICS)})) == 3


async def test_a_heartbeat_that_falls_due_while_an_event_is_taken(session: ClientSession) -> None:
    subscribed = '{"errcode":0,"errmsg":"SUCCESS"}'
    server, received = await socket_server(
        [subscribed, frame(30008, {"extension": "2001", "status": "Idle"})]
    )
    assert server.port is not None

    def slow(event: PbxEvent) -> None:
        time.sleep(0.1)  # longer than the heartbeat's interval: the beat is late

    stream = EventStream(pbx(session, server.port), slow, name="P-Series", heartbeat=0.05)
    task = asyncio.create_task(stream.run())
    # A late beat is sent at once; it used to wait for the next frame, which never came.
    await until(lambda: "heartbeat" in received)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await server.close()


async def test_a_socket_closed_before_it_answers(
    session: ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    server, received = await socket_server([None])
    assert server.port is not None
    stream = EventStream(pbx(session, server.port), print, name="P-Series", backoff=quick(0.2))
    task = asyncio.create_task(stream.run())
    await until(lambda: "event connection lost (the PBX closed" in caplog.text)
    assert len(received) == 1
    assert not stream.connected
    task.cancel()  # while it waits to try again: no connection is half open
    with pytest.raises(asyncio.CancelledError):
        await task
    await server.close()


async def test_speech_is_uploaded_as_a_custom_prompt(
    session: ClientSession, port: int, state: YeastarPState
) -> None:
    client = pbx(session, port)
    await client.upload_prompt("call_bridge_0123", "mp3", b"ID3 speech")
    assert state.uploads == {"call_bridge_0123": b"ID3 speech"}
    assert await client.play_prompt("2001", ("call_bridge_0123",)) is not None
    [upload] = [r for r in state.requests if r["endpoint"] == "custom_prompt/upload"]
    assert upload["user_agent"] == "OpenAPI"
    before = len(state.requests)
    for extension, audio in (("ogg", b"x"), ("wav", b"x" * (8 * 1024 * 1024 + 1))):
        with pytest.raises(YeastarPResponseError):
            await client.upload_prompt("call_bridge_0123", extension, audio)
    assert len(state.requests) == before  # refused before anything was sent
