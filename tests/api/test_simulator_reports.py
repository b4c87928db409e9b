"""The simulated PBX's reports: posted where the login said, in the shapes of the reference (6)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.yeastar_s import PbxClient, decode_report, parse_report
from custom_components.call_bridge.api.yeastar_s.incoming import IncomingFollower
from simulator.pbx import PbxState, create_pbx_app


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[TestServer, list[bytes]]]:
    """An application server that takes the PBX's reports."""
    bodies: list[bytes] = []

    async def take(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response()

    app = web.Application()
    app.router.add_post("/reports", take)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server, bodies
    await server.close()


async def play(
    session: ClientSession,
    receiver: tuple[TestServer, list[bytes]],
    state: PbxState,
    dial: str = "dial_extension",
    callee: str = "102",
) -> list[bytes]:
    """Log in (telling the PBX where to report), place a call, and wait for its call record."""
    server, bodies = receiver
    pbx = TestServer(create_pbx_app(state), host="127.0.0.1")
    await pbx.start_server()
    client = PbxClient(
        "127.0.0.1",
        session=session,
        port=pbx.port,
        api_version=state.api_version,  # type: ignore[arg-type]
        username="api",
        password="password",
        report_port=server.port,
        report_path="/reports",
    )
    if dial == "dial_extension":
        await client.dial_extension("101", callee)
    elif dial == "playprompt":
        await client.play_prompt("101", ("alarm", "press-1"))
    else:
        await client.dial_outbound("101", callee)
    for _ in range(200):  # bounded: at most two seconds
        if any(b"NewCdr" in body for body in bodies):
            break
        await asyncio.sleep(0.01)
    await pbx.close()
    return bodies


def actions(bodies: list[bytes]) -> list[str]:
    return [parse_report(decode_report(body)).action for body in bodies]


async def test_an_answered_openvox_call(
    session: ClientSession, receiver: tuple[TestServer, list[bytes]]
) -> None:
    bodies = await play(session, receiver, PbxState(step_delay=0.01))
    calls = [a for a in actions(bodies) if a != "ExtensionStatus"]
    assert calls == ["RING", "ANSWER", "RING", "ANSWER", "BYE", "BYE", "NewCdr"]
    reports = [parse_report(decode_report(body)) for body in bodies]
    byes = [r for r in reports if r.action == "BYE"]
    assert byes[0].callid != byes[1].callid
    assert byes[0].extensions == ("102", "101")
    assert all(r.serial == "a09805021987" for r in reports)
    assert b'"ext": {"extid": ["102", "101"]}' in next(b for b in bodies if b"BYE" in b)
    states = [(r.extensions[0], r.status) for r in reports if r.action == "ExtensionStatus"]
    assert ("102", "InUse") in states
    assert states[-2:] == [("101", "Registered"), ("102", "Registered")]


async def test_a_busy_yeastar_call_in_the_call_array(
    session: ClientSession, receiver: tuple[TestServer, list[bytes]]
) -> None:
    state = PbxState(api_version="v1.1.0", step_delay=0.01, outcomes={"102": "busy"})
    bodies = await play(session, receiver, state)
    failed = next(json.loads(body) for body in bodies if b"CallFailed" in body)
    assert failed["reason"] == "486 Busy Here"
    assert failed["call"] == [{"ext": {"extid": "102"}}, {"ext": {"extid": "101"}}]
    record = next(json.loads(body) for body in bodies if b"NewCdr" in body)
    assert record["status"] == "BUSY"


async def test_the_format_before_1_0_2_repeats_ext(
    session: ClientSession, receiver: tuple[TestServer, list[bytes]]
) -> None:
    state = PbxState(api_version="v1.1.0", step_delay=0.01, outcomes={"102": "no_answer"})
    # The client asks for 1.0.2; the PBX answers in the format it was last asked for.
    bodies = await play(session, receiver, state)
    assert state.report_format == "1.0.2"
    state.report_format = None
    bodies.clear()
    bodies += await play(session, receiver, state)
    ring = next(body for body in bodies if b'"RING"' in body and b"102" in body)
    assert ring.count(b'"ext"') == 2
    assert parse_report(decode_report(ring)).extensions == ("102", "101")


async def test_a_call_out_and_a_hangup(
    session: ClientSession, receiver: tuple[TestServer, list[bytes]]
) -> None:
    bodies = await play(
        session, receiver, PbxState(step_delay=0.01), "dial_outbound", "075528000003"
    )
    ring = next(json.loads(body) for body in bodies if b"outbound" in body)
    assert ring["outbound"]["to"] == "075528000003"


@pytest.mark.parametrize(
    ("api_version", "reason", "record"),
    [("v0.0.1", 503, "FAILED"), ("v1.1.0", "NO Outbound Restriction", "FAILED")],
)
async def test_a_failed_call(
    session: ClientSession,
    receiver: tuple[TestServer, list[bytes]],
    api_version: str,
    reason: object,
    record: str,
) -> None:
    state = PbxState(api_version=api_version, step_delay=0.01, outcomes={"102": "failed"})
    bodies = await play(session, receiver, state)
    assert next(json.loads(b) for b in bodies if b"CallFailed" in b)["reason"] == reason
    assert json.loads(bodies[-1])["status"] == record


@pytest.mark.parametrize(("api_version", "keys"), [("v0.0.1", []), ("v1.1.0", ["1", "2"])])
async def test_a_prompt_reports_its_keys_where_yeastar_does(
    session: ClientSession,
    receiver: tuple[TestServer, list[bytes]],
    api_version: str,
    keys: list[str],
) -> None:
    state = PbxState(api_version=api_version, step_delay=0.01, keys={"101": "12"})
    bodies = await play(session, receiver, state, "playprompt")
    reports = [parse_report(decode_report(body)) for body in bodies]
    calls = [r for r in reports if r.action != "ExtensionStatus"]
    assert [r.type for r in calls] == [
        "ring",
        "answer" if api_version == "v0.0.1" else "answered",
        *["dtmf"] * len(keys),
        "play_prompt_end",
        "bye",
        "bye",
        "new_cdr",
    ]
    assert [r.key for r in calls if r.type == "dtmf"] == keys
    assert all(r.extensions == ("101",) for r in calls[:-1])
    assert json.loads(next(b for b in bodies if b"PlayPromptEnd" in b))["prompt"] == "alarm+press-1"


@pytest.mark.parametrize(
    ("api_version", "answered", "steps", "outcome"),
    [
        ("v0.0.1", True, ["alert", "answer", "bye", "bye", "new_cdr"], "ended"),
        ("v1.1.0", False, ["alert", "bye", "new_cdr"], "missed"),
    ],
)
async def test_calls_from_outside_ring_home_assistant_in_turn(
    session: ClientSession,
    receiver: tuple[TestServer, list[bytes]],
    api_version: str,
    answered: bool,
    steps: list[str],
    outcome: str,
) -> None:
    """The demo's PBX rings now and then; what it reports is one call that came in, to Call Bridge."""
    server, bodies = receiver
    state = PbxState(
        api_version=api_version,
        step_delay=0.01,
        callers=[("13800138000", "101", answered)],
        ring_every=0.3,  # one call ends long before the next rings
        report_url=f"http://127.0.0.1:{server.port}/reports",
        report_format="1.0.2",
    )
    pbx = TestServer(create_pbx_app(state), host="127.0.0.1")
    await pbx.start_server()
    for _ in range(300):  # bounded: at most three seconds
        if any(b"NewCdr" in body for body in bodies):
            break
        await asyncio.sleep(0.01)
    await pbx.close()
    first_record = next(n for n, body in enumerate(bodies) if b"NewCdr" in body)
    reports = [parse_report(decode_report(body)) for body in bodies[: first_record + 1]]
    calls = [report for report in reports if report.action != "ExtensionStatus"]
    assert [str(report.type) for report in calls] == steps
    assert calls[0].inbound is not None
    assert calls[0].inbound["from"] == "13800138000"
    assert calls[-1].cdr is not None
    assert calls[-1].cdr["type"] == "Inbound"
    follower = IncomingFollower("pbx")
    events = [event for report in calls for event in follower.follow(report)]
    assert [str(event.state) for event in events][-1] == outcome
    # The PBX's stop ended what still rang (a task's callback may leave it listed a moment more).
    assert all(task.done() for _, task in state.playing.values())


def test_a_pbx_told_nowhere_to_report_rings_no_one() -> None:
    state = PbxState()
    state.ring_in("13800138000", "101", answered=True)
    assert state.playing == {}
