"""Answers and bodies from outside that are not what the far side's API sends: refused, never raised."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from hypothesis import given, strategies as st
import pytest

from custom_components.call_bridge.api.common import normalize_host
from custom_components.call_bridge.api.onenet import (
    CallbackRefused,
    OneNetClient,
    OneNetResponseError,
    decode_callback,
    parse_callback,
)
from custom_components.call_bridge.api.onenet.callback import MAX_LENGTHS
from custom_components.call_bridge.api.yeastar_s import (
    PbxClient,
    PbxConnectionError,
    PbxResponseError,
    udp_source_address,
)
from custom_components.call_bridge.api.yeastar_s.codec import decode_json, decode_xml
from simulator.onenet import OneNetState
from simulator.pbx import PbxState

APP_ID = OneNetState.app_id
BILLION_LAUGHS_UTF16 = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    "<xml><status>&b;</status></xml>"
).encode("utf-16")


@pytest.mark.parametrize(
    "raw",
    [
        BILLION_LAUGHS_UTF16,
        b'<?xml version="1.0" encoding="klingon"?><xml><status>Success</status></xml>',
        b"<xml>" + b"<a>" * 100 + b"x" + b"</a>" * 100 + b"</xml>",
        b"\xff\xfe\xfa",
        b"",
    ],
)
def test_hostile_xml_is_a_bad_answer(raw: bytes) -> None:
    with pytest.raises(PbxResponseError):
        decode_xml(raw)


@pytest.mark.parametrize(
    "raw", [b"[" * 100000 + b"]" * 100000, b"\xff\xfe\x00\x00", b"\xc3\x28", b"1e999999"]
)
def test_hostile_json_is_a_bad_answer(raw: bytes) -> None:
    with pytest.raises(PbxResponseError):
        decode_json(raw)


@given(st.binary(max_size=300))
def test_any_bytes_decode_to_an_answer_or_a_bad_answer(raw: bytes) -> None:
    for decode in (decode_json, decode_xml):
        with contextlib.suppress(PbxResponseError):
            assert isinstance(decode(raw), dict)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["appid", "call_id", "caller", "callee", "status", "reason", "call_duration", "report_date"]
)


@given(st.dictionaries(FIELDS, JSON_VALUES, max_size=8))
def test_any_body_is_a_clean_callback_or_refused(body: dict[str, object]) -> None:
    try:
        callback = parse_callback(body, APP_ID)
    except CallbackRefused as refused:
        status, why = refused.status, refused.why
        assert 400 <= status < 500
        assert why.isprintable()
        return
    for name in ("call_id", "caller", "callee", "status", "reason"):
        value = getattr(callback, name)
        assert value is None or (value.isprintable() and len(value) <= MAX_LENGTHS[name])
    assert callback.call_duration is None or 0 <= callback.call_duration <= 7 * 24 * 3600


@given(st.binary(max_size=200))
def test_any_bytes_are_a_json_object_or_refused(raw: bytes) -> None:
    try:
        assert isinstance(decode_callback(raw), dict)
    except CallbackRefused as refused:
        status = refused.status
        assert status == 400


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("192.168.1.20", ("192.168.1.20", None, None)),
        ("  pbx.lan ", ("pbx.lan", None, None)),
        ("http://pbx.lan:9011/", ("pbx.lan", 9011, False)),
        ("HTTPS://192.168.1.20", ("192.168.1.20", None, True)),
        ("192.168.1.20:8088", ("192.168.1.20", 8088, None)),
        ("[::1]", ("::1", None, None)),
        ("[fd00::1]:9011", ("fd00::1", 9011, None)),
        ("fd00::1", ("fd00::1", None, None)),
    ],
)
def test_hosts_as_people_type_them(typed: str, expected: tuple[object, ...]) -> None:
    assert normalize_host(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "pbx lan", "http://", "pbx:port", "pbx:99999", "[::1]x", "a b/c", "-pbx"]
)
def test_hosts_that_are_none(typed: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the form turns any of them into one error
        normalize_host(typed)


async def serve(handler: web.Handler, path: str = "/{path:.*}") -> TestServer:
    app = web.Application()
    app.router.add_post(path, handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


@pytest.mark.parametrize("with_length", [True, False], ids=["with its length", "streamed"])
async def test_an_answer_over_a_mebibyte_is_a_bad_answer(
    session: ClientSession, with_length: bool
) -> None:
    body = json.dumps({"status": "Success", "pad": "x" * (1024 * 1024)}).encode()

    async def huge(request: web.Request) -> web.StreamResponse:
        if with_length:
            return web.Response(body=body, content_type="application/json")
        response = web.StreamResponse()  # chunked: it tells no length
        await response.prepare(request)
        for start in range(0, len(body), 64 * 1024):
            await response.write(body[start : start + 64 * 1024])
        await response.write_eof()
        return response

    server = await serve(huge)
    client = PbxClient("127.0.0.1", session=session, port=server.port, token="t")
    with pytest.raises(PbxResponseError, match="1 MiB"):
        await client.device_info()
    onenet = OneNetClient(
        APP_ID, OneNetState.access_key, session=session, base_url=str(server.make_url(""))
    )
    with pytest.raises(OneNetResponseError, match="1 MiB"):
        await onenet.check_credentials()
    await server.close()


async def test_onenet_success_with_an_error_status_is_a_bad_answer(session: ClientSession) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"code_no": "000000", "data": {"call_id": "1"}}, status=500)

    server = await serve(answer)
    client = OneNetClient(
        APP_ID, OneNetState.access_key, session=session, base_url=str(server.make_url(""))
    )
    with pytest.raises(OneNetResponseError, match="HTTP 500 with a success code"):
        await client.click_to_dial("8613800138000", "8613900139000", "02066240222")
    await server.close()


async def test_every_pbx_request_carries_a_json_body(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = PbxClient(
        "127.0.0.1", session=session, port=pbx_port, username="api", password="password"
    )
    await client.identify()
    await client.extensions()
    await client.heartbeat()
    await client.logout()
    for request in pbx_state.requests:
        assert request["content_type"] == "application/json; charset=utf-8", request["path"]
        assert isinstance(json.loads(request["body"]), dict)
    [heartbeat] = [r for r in pbx_state.requests if r["path"].endswith("/heartbeat")]
    assert json.loads(heartbeat["body"]) == {"ipaddr": "127.0.0.1", "port": "8260"}


async def test_a_hanging_login_holds_every_request_to_the_timeout(session: ClientSession) -> None:
    logins = 0

    async def hang(request: web.Request) -> web.Response:
        nonlocal logins
        logins += 1
        await asyncio.sleep(5)
        return web.json_response({"status": "Success", "token": "t"})

    server = await serve(hang)
    client = PbxClient(
        "127.0.0.1",
        session=session,
        port=server.port,
        username="u",
        password="p",
        request_timeout=0.3,
    )
    started = time.monotonic()
    results = await asyncio.gather(
        *(client.dial_extension("101", "102") for _ in range(5)), return_exceptions=True
    )
    assert time.monotonic() - started < 0.3 + 1
    assert all(isinstance(result, PbxConnectionError) for result in results)
    assert logins == 1  # the five requests shared one login
    await server.close()


async def test_a_date_header_that_is_no_date_is_ignored(session: ClientSession) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"code_no": "000006"}, headers={"Date": "the day after"})

    server = await serve(answer)
    client = OneNetClient(
        APP_ID, OneNetState.access_key, session=session, base_url=str(server.make_url(""))
    )
    await client.check_credentials()
    assert client.clock_offset == 0.0
    await server.close()


def test_a_report_date_that_is_no_date_is_null() -> None:
    body = {"appid": APP_ID, "call_id": "1", "status": "Connected", "report_date": "20261399999999"}
    assert parse_callback(body, APP_ID).report_date is None


async def test_logout_that_hangs_gives_up_within_the_timeout(session: ClientSession) -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/logout"):
            await asyncio.sleep(5)
        return web.json_response({"status": "Success", "token": "t"})

    server = await serve(answer)
    client = PbxClient(
        "127.0.0.1",
        session=session,
        port=server.port,
        username="u",
        password="p",
        request_timeout=0.2,
    )
    await client.heartbeat()
    started = time.monotonic()
    await client.logout()
    assert time.monotonic() - started < 1.2
    await server.close()


async def test_the_heartbeat_finds_the_address_of_a_pbx_by_name(
    session: ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int, **kwargs: object) -> object:
        assert host == "pbx.lan"
        return [(socket.AF_INET, socket.SOCK_DGRAM, 17, "", ("127.0.0.1", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", resolve)
    client = PbxClient("pbx.lan", session=session, token="t")
    assert await client._source_address() == "127.0.0.1"


async def test_a_pbx_name_that_does_not_resolve_sends_no_address(
    session: ClientSession, pbx_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = PbxClient("pbx.invalid", session=session, port=pbx_port, token="t")

    async def no_answer(*args: object, **kwargs: object) -> object:
        raise OSError("no such host")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", no_answer)
    assert await client._source_address() is None


async def test_no_route_gives_no_address(monkeypatch: pytest.MonkeyPatch) -> None:
    class NoRoute:
        def __init__(self, *args: object) -> None:
            raise OSError("network is unreachable")

    monkeypatch.setattr("socket.socket", NoRoute)
    assert await udp_source_address("192.0.2.1") is None
