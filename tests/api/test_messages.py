"""Spoken messages on the wire: OneNET's voice notifications and the PBX's prompts."""

from __future__ import annotations

import asyncio
import json

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.onenet import (
    CallbackRefused,
    OneNetClient,
    OneNetRefusedError,
    VoiceMessage,
    parse_callback,
)
from custom_components.call_bridge.api.telephony import InvalidPromptError, normalize_prompts
from custom_components.call_bridge.api.yeastar_s import (
    InvalidReportError,
    PbxClient,
    PbxRefusedError,
    parse_report,
)
from simulator.onenet import OneNetState
from simulator.pbx import PbxState

SPONSOR = OneNetState.sponsor


def onenet(session: ClientSession, url: str) -> OneNetClient:
    return OneNetClient(OneNetState.app_id, OneNetState.access_key, session=session, base_url=url)


def test_a_message_is_played_or_collects_keys() -> None:
    played = VoiceMessage("1001", (("param1", "厨房"),), plays=3)
    assert played.action() == {
        "operation": "Play",
        "tts_template": "1001",
        "param_value": {"param1": "厨房"},
        "relay_time": "3",
    }
    assert VoiceMessage("1001", collect_keys=2).action() == {
        "operation": "PlayAndCollect",
        "tts_template": "1001",
        "param_value": {},
        "collect_length": "2",
        "replay_after_collection": "false",
    }


@pytest.mark.parametrize(
    "message",
    [
        {"template": ""},
        {"template": "1" * 21},
        {"template": "10\n01"},
        {"template": "1001", "plays": 0},
        {"template": "1001", "plays": 11},
        {"template": "1001", "collect_keys": 0},
        {"template": "1001", "collect_keys": 33},
        {"template": "1001", "variables": (("", "x"),)},
        {"template": "1001", "variables": (("a", "x" * 257),)},
        {"template": "1001", "variables": (("a", "line\nbreak"),)},
        {"template": "1001", "variables": tuple((str(n), "x") for n in range(33))},
    ],
)
def test_messages_onenet_would_refuse_are_not_made(message: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="template|played|keys|variables"):
        VoiceMessage(**message)  # type: ignore[arg-type]


async def test_a_notification_is_sent_as_documented(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    message = VoiceMessage("1001", (("place", "厨房"),))
    result = await onenet(session, onenet_url).voice_notify("8613800138000", SPONSOR, message)
    assert result.call_id is not None
    [request] = onenet_state.requests
    assert json.loads(request["body"]) == {
        "appid": OneNetState.app_id,
        "participant_address": "8613800138000",
        "display": SPONSOR,
        "actions": [message.action()],
    }
    # Variables in Chinese travel as UTF-8, as the content type says.
    assert "厨房" in request["body"]


async def test_a_template_onenet_did_not_approve_is_refused(
    session: ClientSession, onenet_url: str
) -> None:
    with pytest.raises(OneNetRefusedError) as refused:
        await onenet(session, onenet_url).voice_notify(
            "8613800138000", SPONSOR, VoiceMessage("9999")
        )
    assert refused.value.code_no == "000004"


@pytest.mark.parametrize(
    ("number", "outcome", "statuses"),
    [
        (
            "8613800138000",
            "answered",
            ["CallingCallee", "Connected", "CollectResult", "Disconnected"],
        ),
        ("8613800000480", "no_answer", ["CallingCallee", "Disconnected"]),
    ],
)
async def test_keys_pressed_come_back_with_the_status(
    session: ClientSession,
    onenet_url: str,
    onenet_state: OneNetState,
    number: str,
    outcome: str,
    statuses: list[str],
) -> None:
    onenet_state.outcomes[number] = outcome
    onenet_state.keys[number] = "123"
    received: list[dict[str, str]] = []

    async def callback(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"code_no": "000000"})

    app = web.Application()
    app.router.add_post("/hook", callback)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    await onenet(session, onenet_url).voice_notify(
        number,
        SPONSOR,
        VoiceMessage("1002", collect_keys=2),
        notify_url=f"http://127.0.0.1:{server.port}/hook",
    )
    for _ in range(200):  # bounded: at most two seconds
        if received and received[-1]["status"] == "Disconnected":
            break
        await asyncio.sleep(0.01)
    await server.close()
    assert [body["status"] for body in received] == statuses
    callbacks = [parse_callback(body, OneNetState.app_id) for body in received]
    assert [c.digits for c in callbacks if c.status == "CollectResult"] == (
        ["12"] if outcome == "answered" else []
    )
    assert all(c.caller == SPONSOR and c.callee == number for c in callbacks)


def test_a_notification_s_callback() -> None:
    body = {"appid": "a", "call_id": "1", "status": "Disconnected", "reason": "CalleeUnregistere"}
    assert parse_callback(body, "a").reason == "CalleeUnregistere"
    collected = parse_callback(body | {"status": "CollectResult", "operation_result": "1#"}, "a")
    assert collected.digits == "1#"
    for keys in ("1 2", "x", "１", "1" * 65):
        with pytest.raises(CallbackRefused):
            parse_callback(body | {"operation_result": keys}, "a")


def test_prompt_names() -> None:
    assert normalize_prompts("alarm") == ("alarm",)
    assert normalize_prompts("alarm + press-1") == ("alarm", "press-1")
    assert normalize_prompts(["alarm", "门铃"]) == ("alarm", "门铃")
    for names in ("", "alarm+", ["a+b"], ["x\u0000y"], ["a"] * 9, "n" * 65, []):
        with pytest.raises(InvalidPromptError):
            normalize_prompts(names)


async def test_a_prompt_is_asked_for_as_documented(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    pbx_state.api_version = "v1.1.0"
    client = PbxClient(
        "127.0.0.1",
        session=session,
        port=pbx_port,
        api_version="v1.1.0",
        token="static-token-0123456789abcdef",
    )
    assert await client.play_prompt("101", ("alarm", "press-1"), autoanswer=True) is not None
    request = pbx_state.requests[-1]
    assert request["path"] == "/api/v1.1.0/extension/playprompt"
    assert json.loads(request["body"]) == {
        "extid": "101",
        "prompt": "alarm+press-1",
        "autoanswer": "yes",
    }
    with pytest.raises(PbxRefusedError) as refused:
        await client.play_prompt("101", ("no-such-recording",))
    assert refused.value.errno == "10023"


def test_a_dtmf_report_s_key() -> None:
    report = {"action": "DTMF", "callid": "1", "ext": {"extid": "101"}, "info": "5"}
    assert parse_report(report).key == "5"
    assert parse_report(report | {"action": "RING"}).key is None
    for info in ("55", "x", 5.5):
        with pytest.raises(InvalidReportError):
            parse_report(report | {"info": info})
