"""The OneNET client against the simulated OneNET (which checks signatures on its own)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.onenet import (
    CODES,
    InvalidAccessKeyError,
    OneNetAuthError,
    OneNetClient,
    OneNetConnectionError,
    OneNetRefusedError,
    OneNetResponseError,
    authorization,
    decode_access_key,
)
from custom_components.call_bridge.api.onenet.client import REMEMBERED_HEADERS
from simulator.onenet import OneNetState

ACCESS_KEY = OneNetState.access_key


def make_client(session: ClientSession, base_url: str, **kwargs: object) -> OneNetClient:
    return OneNetClient(
        OneNetState.app_id, ACCESS_KEY, session=session, base_url=base_url, **kwargs
    )


def expected_authorization(et: int, method: str) -> str:
    """Recompute the header from the access key, independently of the client's code."""
    res = f"onenet_voice/{OneNetState.app_id}"
    digest = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}[method]
    text = f"{et}\n{method}\n{res}\nv1".encode()
    mac = base64.b64encode(hmac.new(base64.b64decode(ACCESS_KEY), text, digest).digest()).decode()
    quoted = mac.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return (
        f"version=v1&res=onenet_voice%2F{OneNetState.app_id}&et={et}&method={method}&sign={quoted}"
    )


@pytest.mark.parametrize("method", ["sha1", "md5", "sha256"])
async def test_each_request_is_signed_for_five_minutes(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState, method: str
) -> None:
    now = int(time.time())  # a whole second, so that the expiry is exactly five minutes on
    client = make_client(session, onenet_url, sign_method=method, clock=lambda: now)
    await client.click_to_dial("8613800138000", "075528000003", "02066240222")
    [request] = onenet_state.requests
    assert request["headers"]["Authorization"] == expected_authorization(now + 300, method)
    assert request["headers"]["Accept"] == "application/json;charset=utf-8"
    assert request["headers"]["User-Agent"] == "call-bridge-onenet/1.0"


async def test_without_a_session_the_client_opens_and_closes_its_own(
    onenet_url: str, onenet_state: OneNetState
) -> None:
    async with OneNetClient(OneNetState.app_id, ACCESS_KEY, base_url=onenet_url) as client:
        await client.click_to_dial("8613800138000", "075528000003", "02066240222")
        session = client._session
        assert session is not None
    assert session.closed
    assert len(onenet_state.requests) == 1


async def test_an_injected_session_is_left_open(session: ClientSession, onenet_url: str) -> None:
    async with make_client(session, onenet_url) as client:
        await client.click_to_dial("8613800138000", "075528000003", "02066240222")
    assert not session.closed


@pytest.mark.parametrize("method", ["sha1", "md5", "sha256"])
async def test_click_to_dial_is_accepted(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState, method: str
) -> None:
    client = make_client(session, onenet_url, sign_method=method)
    result = await client.click_to_dial(
        "8613800138000", "8613900139000", "02066240222", display="02066240222"
    )
    assert result.call_id is not None
    assert result.request_id is not None
    [request] = onenet_state.requests
    assert json.loads(request["body"]) == {
        "appid": OneNetState.app_id,
        "sponsor": "02066240222",
        "caller": "8613800138000",
        "callee": "8613900139000",
        "display": "02066240222",
    }
    assert request["headers"]["Content-Type"] == "application/json;charset=utf-8"
    assert f"method={method}" in request["headers"]["Authorization"]


async def test_a_wrong_key_is_refused_by_the_simulator(
    session: ClientSession, onenet_url: str
) -> None:
    client = OneNetClient(
        OneNetState.app_id,
        "bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA==",
        session=session,
        base_url=onenet_url,
    )
    with pytest.raises(OneNetAuthError) as caught:
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    assert caught.value.code_no == "000015"
    with pytest.raises(OneNetAuthError):
        await client.check_credentials()


@pytest.mark.parametrize("hours", [-1, 1])
async def test_a_clock_an_hour_off_is_corrected_by_onenet_s(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState, hours: int
) -> None:
    """OneNET's Date header gives its time: a header that expired by ours is signed again by it."""
    clock_off = time.time() + hours * 3600
    client = make_client(session, onenet_url, clock=lambda: clock_off)
    await client.check_credentials()
    result = await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    assert result.call_id is not None
    assert abs(client.clock_offset + hours * 3600) < 10
    # Behind: one refused request teaches the offset, then every request is signed by it.
    assert len(onenet_state.requests) == (3 if hours < 0 else 2)


async def test_a_signature_refused_without_a_clock_offset_is_not_sent_again(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    client = OneNetClient(
        OneNetState.app_id,
        "bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA==",
        session=session,
        base_url=onenet_url,
    )
    with pytest.raises(OneNetAuthError):
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    assert len(onenet_state.requests) == 1


async def test_credential_check_places_no_call(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    await make_client(session, onenet_url).check_credentials()
    assert json.loads(onenet_state.requests[0]["body"]) == {"appid": OneNetState.app_id}
    assert onenet_state.callbacks == []


async def test_the_call_is_played_to_notify_url(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    received: list[dict[str, str]] = []

    async def callback(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response({"code_no": "000000"})

    app = web.Application()
    app.router.add_post("/hook", callback)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    client = make_client(session, onenet_url)
    await client.click_to_dial(
        "8613800138000",
        "8613900139000",
        "02066240222",
        notify_url=f"http://127.0.0.1:{server.port}/hook",
    )
    for _ in range(200):
        if len(received) == 4:
            break
        await asyncio.sleep(0.01)
    assert [body["status"] for body in received] == [
        "CallingCaller",
        "CallingCallee",
        "Connected",
        "Disconnected",
    ]
    await server.close()


async def canned(session: ClientSession, status: int, body: str) -> tuple[OneNetClient, TestServer]:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/v1/onenet/dial/notify", answer)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return make_client(session, f"http://127.0.0.1:{server.port}/"), server


@pytest.mark.parametrize("code_no", sorted(CODES))
async def test_every_documented_code(session: ClientSession, code_no: str) -> None:
    client, server = await canned(
        session, 200, json.dumps({"code_no": code_no, "code": "x", "message": "m"})
    )
    with pytest.raises(OneNetRefusedError) as caught:
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    known = CODES[code_no]
    assert (caught.value.code, caught.value.meaning) == (known.code, known.meaning)
    assert caught.value.retryable is (code_no in ("000001", "000111"))
    assert isinstance(caught.value, OneNetAuthError) is (code_no in ("000002", "000014", "000015"))
    assert ACCESS_KEY not in str(caught.value)
    await server.close()


async def test_undocumented_code(session: ClientSession) -> None:
    client, server = await canned(session, 200, '{"code_no": "009999"}')
    with pytest.raises(OneNetRefusedError, match="009999 \\(unknown\\): undocumented"):
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    await server.close()


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (502, "<html>", "HTTP 502 without JSON"),
        (200, "[]", "without a result code"),
        (200, "{}", "without a result code"),
    ],
)
async def test_answers_that_are_not_the_api(
    session: ClientSession, status: int, body: str, message: str
) -> None:
    client, server = await canned(session, status, body)
    with pytest.raises(OneNetResponseError, match=message):
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    await server.close()


async def test_success_without_data(session: ClientSession) -> None:
    client, server = await canned(session, 200, '{"code_no": "000000"}')
    result = await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    assert (result.call_id, result.request_id) == (None, None)
    with pytest.raises(OneNetResponseError, match="without numbers"):
        await client.check_credentials()
    await server.close()


async def test_credential_check_raises_unexpected_refusals(session: ClientSession) -> None:
    client, server = await canned(session, 200, '{"code_no": "001009"}')
    with pytest.raises(OneNetRefusedError):
        await client.check_credentials()
    await server.close()


async def test_unreachable_and_slow(session: ClientSession, closed_port: int) -> None:
    client = make_client(session, f"http://127.0.0.1:{closed_port}")
    with pytest.raises(OneNetConnectionError, match="cannot reach OneNET"):
        await client.check_credentials()

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/v1/onenet/dial/notify", slow)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    client = make_client(session, f"http://127.0.0.1:{server.port}", request_timeout=0.05)
    with pytest.raises(OneNetConnectionError, match="within 0.05 s"):
        await client.check_credentials()
    await server.close()


def test_a_malformed_key_fails_at_once(session: ClientSession) -> None:
    with pytest.raises(InvalidAccessKeyError):
        OneNetClient("app", "%%%", session=session)


def test_callback_verification_uses_the_key(session: ClientSession) -> None:
    client = OneNetClient(OneNetState.app_id, ACCESS_KEY, session=session, clock=lambda: 1000.0)
    assert client.res == f"onenet_voice/{OneNetState.app_id}"
    header = authorization(decode_access_key(ACCESS_KEY), et=1300, method="md5", res=client.res)
    assert client.verify_callback(header, "call-1", "Connected")
    assert client.verify_callback(header, "call-1", "Connected")  # a redelivery
    assert not client.verify_callback(header, "call-1", "Disconnected")  # replayed for another
    assert not client.verify_callback(header, "call-2", "Connected")
    assert not client.verify_callback("version=v1", "call-1", "Connected")


def test_no_header_the_client_sent_passes_as_a_callback_s(session: ClientSession) -> None:
    client = OneNetClient(OneNetState.app_id, ACCESS_KEY, session=session, clock=lambda: 1000.0)
    assert not client.verify_callback(client.authorization(), "call-1", "Connected")


def test_replay_memory_is_bounded(session: ClientSession) -> None:
    now = [1000.0]
    client = OneNetClient(OneNetState.app_id, ACCESS_KEY, session=session, clock=lambda: now[0])
    key = decode_access_key(ACCESS_KEY)
    for et in range(1001, 1001 + REMEMBERED_HEADERS + 10):
        header = authorization(key, et=et, method="md5", res=client.res)
        assert client.verify_callback(header, str(et), "Connected")
        client.authorization()
        now[0] += 1
    assert len(client._seen) == REMEMBERED_HEADERS
    assert len(client._sent) == REMEMBERED_HEADERS
