"""OneNET's second API generation: requests, answers and callbacks, against the simulator."""

from __future__ import annotations

import asyncio
import json

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.onenet import (
    CallbackRefused,
    OneNetAuthError,
    OneNetClient,
    OneNetRefusedError,
    OneNetResponseError,
    VoiceMessage,
    parse_callback,
)
from simulator.onenet import OneNetState

USER = OneNetState().users[0]


def client(session: ClientSession, url: str, key: str = USER.access_key) -> OneNetClient:
    return OneNetClient(USER.app_id, key, generation=2, session=session, base_url=url)


async def test_click_to_dial_as_generation_2_documents_it(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    result = await client(session, onenet_url).click_to_dial(
        "8613800138000", "8613900139000", USER.sponsor
    )
    assert result.call_id is not None
    assert result.request_id is not None  # generation 2's requestId
    [request] = onenet_state.requests
    assert request["path_qs"] == "/vcs?action=dialNotify&version=2"
    # No app id: the account is the signature's.
    assert json.loads(request["body"]) == {
        "sponsor": USER.sponsor,
        "caller": "8613800138000",
        "callee": "8613900139000",
    }
    header = request["headers"]["Authorization"]
    assert header.startswith(f"version=2020-05-29&res=userid%2F{USER.app_id}&et=")


async def test_a_voice_notification_and_its_keys(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    received: list[tuple[dict[str, object], str]] = []

    async def callback(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers["Authorization"]))
        return web.json_response({"code_no": "000000"})

    app = web.Application()
    app.router.add_post("/hook", callback)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    onenet = client(session, onenet_url)
    await onenet.voice_notify(
        "8613800138000",
        USER.sponsor,
        VoiceMessage("1001", collect_keys=1),
        notify_url=f"http://127.0.0.1:{server.port}/hook",
    )
    for _ in range(200):  # bounded: at most two seconds
        if received and received[-1][0]["status"] == "Disconnected":
            break
        await asyncio.sleep(0.01)
    await server.close()
    assert onenet_state.requests[0]["path_qs"] == "/vcs?action=voiceNotify&version=2"
    assert "appid" not in json.loads(onenet_state.requests[0]["body"])
    bodies = [body for body, _ in received]
    assert all(body["user_id"] == int(USER.app_id) and "appid" not in body for body in bodies)
    callbacks = [parse_callback(body, USER.app_id, field="user_id") for body in bodies]
    assert [c.status for c in callbacks] == [
        "CallingCallee",
        "Connected",
        "CollectResult",
        "Disconnected",
    ]
    assert callbacks[2].digits == "1"
    # The callbacks are signed for the user, with generation 2's version.
    header = received[0][1]
    assert header.startswith(f"version=2020-05-29&res=userid%2F{USER.app_id}&")
    # (A client that sent the very same header, signed in the same second, refuses it as its own.)
    assert client(session, onenet_url).verify_callback(header, "1", "CallingCallee")


async def test_the_credential_check_and_a_wrong_key(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    await client(session, onenet_url).check_credentials()
    assert json.loads(onenet_state.requests[0]["body"]) == {}
    with pytest.raises(OneNetAuthError):
        await client(session, onenet_url, OneNetState.access_key).check_credentials()


async def answering(
    session: ClientSession, status: int, body: object
) -> tuple[OneNetClient, TestServer]:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_post("/vcs", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return client(session, f"http://127.0.0.1:{server.port}"), server


@pytest.mark.parametrize(
    ("status", "body", "error", "code_no", "meaning"),
    [
        (
            200,
            {"success": False, "code": "iot.vcs.businessNumberMismatch"},
            OneNetRefusedError,
            "businessNumberMismatch",
            "the business number (sponsor/display) mismatches",
        ),
        (
            200,
            {"success": False, "code": "iot.vcs.ipWhiteListNotMatch"},
            OneNetRefusedError,
            "ipWhiteListNotMatch",
            "documented",
        ),
        (
            200,
            {"success": False, "code": "iot.vcs.somethingNew"},
            OneNetRefusedError,
            "somethingNew",
            "undocumented code",
        ),
        (200, {"success": False}, OneNetRefusedError, "unknown", "undocumented code"),
        (
            200,
            {"success": False, "code": "iot.vcs.userIdNotExist"},
            OneNetAuthError,
            "userIdNotExist",
            "the account was refused",
        ),
        (403, {"success": False}, OneNetAuthError, "403", "the account was refused"),
    ],
)
async def test_generation_2_refusals(
    session: ClientSession,
    status: int,
    body: object,
    error: type[OneNetRefusedError],
    code_no: str,
    meaning: str,
) -> None:
    onenet, server = await answering(session, status, body)
    with pytest.raises(error) as refused:
        await onenet.click_to_dial("8613800138000", "8613900139000", USER.sponsor)
    await server.close()
    assert type(refused.value) is error
    assert (refused.value.code_no, refused.value.meaning) == (code_no, meaning)


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, {"code_no": "000000"}), (200, ["success"]), (500, {"success": True})],
)
async def test_answers_that_are_not_generation_2_s(
    session: ClientSession, status: int, body: object
) -> None:
    onenet, server = await answering(session, status, body)
    with pytest.raises(OneNetResponseError):
        await onenet.click_to_dial("8613800138000", "8613900139000", USER.sponsor)
    await server.close()


async def test_a_refusal_other_than_for_parameters_fails_the_credential_check(
    session: ClientSession,
) -> None:
    onenet, server = await answering(
        session, 200, {"success": False, "code": "iot.vcs.talkTimeIsLimit"}
    )
    with pytest.raises(OneNetRefusedError):
        await onenet.check_credentials()
    await server.close()


def test_callbacks_name_the_user() -> None:
    body = {"user_id": 38055, "call_id": "1", "status": "Connected"}
    assert parse_callback(body, "38055", field="user_id").account == "38055"
    assert parse_callback(body | {"user_id": "38055"}, "38055", field="user_id").call_id == "1"
    for user_id in (38056, True, None, "038055", 38055.0):
        with pytest.raises(CallbackRefused):
            parse_callback(body | {"user_id": user_id}, "38055", field="user_id")
    with pytest.raises(CallbackRefused):  # a generation-1 body is no generation-2 callback
        parse_callback(
            {"appid": "38055", "call_id": "1", "status": "Connected"}, "38055", field="user_id"
        )
