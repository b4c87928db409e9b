"""The simulators against the field evidence: the shapes and orders real boxes were seen to send.

A P-Series call is played and its frames compared with what the P570 captures show; then the same
frames go through the follower, which must read them as the captures are read. The S-Series
simulator keeps each call apart, so a second call of one extension orphans nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
from typing import Any

from aiohttp import ClientSession, WSMsgType
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.telephony import CallState, Outcome
from custom_components.call_bridge.api.yeastar_p import PbxEvent, decode_frame
from custom_components.call_bridge.api.yeastar_p.follow import CallFollower
from custom_components.call_bridge.api.yeastar_p.incoming import IncomingFollower
from simulator.pbx import PbxState, create_pbx_app
from simulator.yeastar_p import YeastarPState, create_yeastar_p_app

BUSY = "13800000486"
UNREACHABLE = "13800000404"


@pytest.fixture
def state() -> YeastarPState:
    return YeastarPState(
        step_delay=0.01,
        two_devices={"2001"},
        outcomes={BUSY: "busy", UNREACHABLE: "unreachable"},
        failure_first=True,
    )


@pytest.fixture
async def base(state: YeastarPState) -> AsyncIterator[str]:
    server = TestServer(create_yeastar_p_app(state), host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}/openapi/v1.0"
    await server.close()


async def request(
    session: ClientSession, base: str, method: str, endpoint: str, **fields: Any
) -> dict[str, Any]:
    token = fields.pop("access_token", None)
    params = {"access_token": token} if token else {}
    async with session.request(
        method,
        f"{base}/{endpoint}",
        params=params,
        json=fields or None,
        headers={"User-Agent": "OpenAPI"},
    ) as response:
        answer: dict[str, Any] = await response.json()
        return answer


async def token(session: ClientSession, base: str) -> str:
    answer = await request(
        session,
        base,
        "POST",
        "get_token",
        username=YeastarPState.client_id,
        password=YeastarPState.client_secret,
    )
    return str(answer["access_token"])


async def test_the_wrong_method_is_an_interface_that_does_not_exist(
    session: ClientSession, base: str
) -> None:
    access = await token(session, base)
    for method, endpoint in (("POST", "extension/list"), ("POST", "call/query")):
        answer = await request(session, base, method, endpoint, access_token=access)
        assert answer == {"errcode": 10001, "errmsg": "INTERFACE NOT EXISTED"}
    answer = await request(session, base, "GET", "no/such/endpoint", access_token=access)
    assert answer["errcode"] == 10001
    answer = await request(session, base, "GET", "extension/list", access_token=access)
    assert answer["errcode"] == 0


async def test_too_many_tokens(session: ClientSession, base: str, state: YeastarPState) -> None:
    tokens = [await token(session, base) for _ in range(state.token_limit)]
    answer = await request(
        session,
        base,
        "POST",
        "get_token",
        username=state.client_id,
        password=state.client_secret,
    )
    assert answer == {"errcode": 60002, "errmsg": "MAX LIMITATION EXCEEDED"}
    assert (await request(session, base, "GET", "del_token", access_token=tokens[0]))[
        "errcode"
    ] == 0
    assert await token(session, base)  # one was given back


async def listen(session: ClientSession, base: str) -> tuple[Any, list[str]]:
    """Open the event connection and subscribe to every call event."""
    access = await token(session, base)
    ws = await session.ws_connect(
        f"{base.replace('http', 'ws')}/subscribe?access_token={access}",
        headers={"User-Agent": "OpenAPI"},
    )
    frames: list[str] = []
    frames.append((await ws.receive(timeout=5)).data)
    await ws.send_str(json.dumps({"topic_list": [30008, 30011, 30012, 30015, 30017]}))
    frames.append((await ws.receive(timeout=5)).data)
    return ws, frames


async def play(
    session: ClientSession, base: str, state: YeastarPState, caller: str, callee: str
) -> tuple[str, list[PbxEvent]]:
    """Dial, and collect the call's events until the simulator has played it whole."""
    ws, frames = await listen(session, base)
    assert frames == ["heartbeat response", '{"errcode":0,"errmsg":"SUCCESS"}']
    access = await token(session, base)
    dialled = await request(
        session, base, "POST", "call/dial", access_token=access, caller=caller, callee=callee
    )
    call_id = str(dialled["call_id"])
    events: list[PbxEvent] = []
    async with asyncio.timeout(10):
        while True:  # until the call is played and its last frame taken
            try:
                message = await ws.receive(timeout=0.2)
            except TimeoutError:
                if not state.playing:
                    break
                continue
            if message.type is WSMsgType.TEXT:
                decoded = decode_frame(message.data)
                if isinstance(decoded, PbxEvent):
                    events.append(decoded)
    await ws.close()
    return call_id, [event for event in events if event.call_id == call_id]


def member_statuses(event: PbxEvent) -> list[tuple[str | None, str | None]]:
    return [(member.number or member.fields.get("to"), member.status) for member in event.members()]


async def test_a_busy_call_out_from_a_caller_with_two_devices(
    session: ClientSession, base: str, state: YeastarPState
) -> None:
    call_id, events = await play(session, base, state, "2001", BUSY)
    calls = [e for e in events if e.type == 30011]
    # The caller's two channels ring, one gives up at once; the caller answers; then the trunk.
    assert member_statuses(calls[0]) == [("2001", "ALERT"), ("2001", "ALERT")]
    assert member_statuses(calls[1]) == [("2001", "ALERT"), ("2001", "BYE")]
    assert member_statuses(calls[2]) == [("2001", "ANSWERED")]
    assert member_statuses(calls[3]) == [(BUSY, "RING")]
    [failure] = [e for e in events if e.type == 30015]
    assert failure.text("reason") == "486 Busy Here"
    records = [
        (e.text("call_to"), e.text("status"), e.text("type")) for e in events if e.type == 30012
    ]
    assert records == [
        (BUSY, "BUSY", "Outbound"),
        ("2001", "NO ANSWER", "Internal"),
        ("2001", "ANSWERED", "Internal"),
    ]
    follower = CallFollower("yeastar_p")
    follower.start(call_id, "2001", BUSY, one_party=False)
    statuses = [s for event in events for s in follower.follow(event, event.members())]
    assert [(s.state, s.outcome) for s in statuses] == [
        (CallState.CALLING_CALLER, None),
        (CallState.CALLING_CALLEE, None),
        (CallState.DISCONNECTED, Outcome.BUSY),
    ]


async def test_an_unreachable_number_fails_without_members_after_the_last_bye(
    session: ClientSession, base: str, state: YeastarPState
) -> None:
    state.failure_first = False
    _, events = await play(session, base, state, "2002", UNREACHABLE)
    kinds = [e.type for e in events if e.type in (30011, 30015)]
    assert kinds[-3:] == [30011, 30011, 30015]  # the callee's BYE, the caller's, then 30015
    [failure] = [e for e in events if e.type == 30015]
    assert (failure.text("reason"), failure.msg["members"]) == ("NOT found", None)


async def test_the_order_of_30015_and_bye_alternates(
    session: ClientSession, base: str, state: YeastarPState
) -> None:
    state.failure_first = None
    orders = []
    for _ in range(2):
        _, events = await play(session, base, state, "2002", BUSY)
        orders.append([e.type for e in events if e.type in (30011, 30015)][-3:])
    assert orders == [[30015, 30011, 30011], [30011, 30011, 30015]]


async def test_a_ringing_call_hung_up_by_its_channel(
    session: ClientSession, base: str, state: YeastarPState
) -> None:
    state.step_delay = 0.3
    access = await token(session, base)
    dialled = await request(
        session, base, "POST", "call/dial", access_token=access, caller="2002", callee="2003"
    )
    [channel] = [c for c, of in state.channels.items() if of == dialled["call_id"] and "2002" in c]
    answer = await request(
        session, base, "POST", "call/hangup", access_token=access, channel_id=channel
    )
    assert answer["errcode"] == 0
    async with asyncio.timeout(5):
        while state.playing:
            await asyncio.sleep(0.01)
    [record] = [json.loads(e["msg"]) for e in state.events if e["type"] == 30012][:1]
    assert (record["call_to"], record["status"]) == ("2003", "NO ANSWER")
    again = await request(
        session, base, "POST", "call/hangup", access_token=access, channel_id=channel
    )
    assert again["errcode"] == 60001


async def test_two_calls_of_one_extension_are_both_ended(session: ClientSession) -> None:
    state = PbxState(step_delay=5, report_url="http://127.0.0.1:9/reports")
    pbx = TestServer(create_pbx_app(state), host="127.0.0.1")
    await pbx.start_server()
    url = f"http://127.0.0.1:{pbx.port}/api/v0.0.1"
    async with session.post(
        f"{url}/login", json={"username": "api", "password": "5f4dcc3b5aa765d61d8327deb882cf99"}
    ) as response:
        access = (await response.json())["token"]
    for callee in ("102", "102"):
        async with session.post(
            f"{url}/extension/dial_extension",
            params={"token": access},
            json={"caller": "101", "callee": callee},
        ) as response:
            assert (await response.json())["status"] == "Success"
    assert len(state.playing) == 2  # each call of its own, not one orphaned by the other
    async with session.post(
        f"{url}/extension/hangup", params={"token": access}, json={"extid": "101"}
    ) as response:
        assert (await response.json())["status"] == "Success"
    async with asyncio.timeout(5):
        while state.playing:
            await asyncio.sleep(0.01)
    await pbx.close()


@pytest.mark.parametrize(
    ("answered", "outcome", "duration"), [(True, "ended", 0), (False, "missed", None)]
)
async def test_calls_from_outside_ring_the_p_series_in_turn(
    session: ClientSession,
    state: YeastarPState,
    answered: bool,
    outcome: str,
    duration: int | None,
) -> None:
    """The demo's P-Series rings now and then, as the P570 captures show a call coming in."""
    state.callers = [("13800138000", "2002", answered)]
    state.ring_every = 0.05
    server = TestServer(create_yeastar_p_app(state), host="127.0.0.1")
    await server.start_server()
    ws, _ = await listen(session, f"http://127.0.0.1:{server.port}/openapi/v1.0")
    events: list[PbxEvent] = []
    async with asyncio.timeout(10):
        while not any(event.type == 30012 for event in events):
            message = await ws.receive()
            if message.type is WSMsgType.TEXT and isinstance(
                decoded := decode_frame(message.data), PbxEvent
            ):
                events.append(decoded)
    await ws.close()
    await server.close()
    # The PBX's stop ended what still rang (a task's callback may leave it listed a moment more).
    assert all(task.done() for task in state.playing.values())
    first = events[0].call_id
    follower = IncomingFollower("yeastar_p")
    calls = [
        step
        for event in events
        if event.call_id in (first, None)
        for step in follower.follow(event, event.members())
    ]
    assert [str(step.state) for step in calls] == ["ringing", *(["answered"] * answered), outcome]
    assert (calls[0].caller, calls[-1].extension, calls[-1].duration) == (
        "13800138000",
        "2002",
        duration,
    )
