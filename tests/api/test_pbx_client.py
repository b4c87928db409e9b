"""The PBX client against the simulated PBX, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import hashlib
import json

from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.call_bridge.api.yeastar_s import (
    PbxAuthError,
    PbxClient,
    PbxConnectionError,
    PbxLockedOutError,
    PbxRefusedError,
    PbxResponseError,
)
from custom_components.call_bridge.api.yeastar_s.codec import decode_xml, encode_xml
from custom_components.call_bridge.api.yeastar_s.models import LOCKOUT_SECONDS
from simulator.pbx import PbxState

STATIC_TOKEN = "static-token-0123456789abcdef"


def user_client(session: ClientSession, port: int, **kwargs: object) -> PbxClient:
    return PbxClient(
        "127.0.0.1", session=session, port=port, username="api", password="password", **kwargs
    )


def paths(state: PbxState) -> list[str]:
    return [request["path"].rsplit("/v0.0.1/", 1)[-1] for request in state.requests]


async def test_dial_with_static_token_json(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    assert await client.dial_extension("101", "102", autoanswer=True) is None
    [request] = pbx_state.requests
    assert request["path"] == "/api/v0.0.1/extension/dial_extension"
    assert request["query"] == {"token": STATIC_TOKEN, "type": "json"}
    assert request["content_type"] == "application/json; charset=utf-8"
    assert request["user_agent"] == "call-bridge-yeastar-s/1.0"
    assert json.loads(request["body"]) == {"caller": "101", "callee": "102", "autoanswer": "yes"}


async def test_without_a_session_the_client_opens_its_own_and_logs_out_at_the_end(
    pbx_port: int, pbx_state: PbxState
) -> None:
    async with PbxClient("127.0.0.1", port=pbx_port, username="api", password="password") as client:
        await client.dial_extension("101", "102")
        session = client._session
        assert session is not None
    assert session.closed
    assert paths(pbx_state) == ["login", "extension/dial_extension", "logout"]


async def test_an_injected_session_is_left_open(session: ClientSession, pbx_port: int) -> None:
    async with PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN) as client:
        await client.dial_extension("101", "102")
    assert not session.closed


async def test_dial_xml(session: ClientSession, pbx_port: int, pbx_state: PbxState) -> None:
    client = PbxClient(
        "127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN, payload_format="xml"
    )
    await client.dial_extension("101", "102")
    [request] = pbx_state.requests
    assert request["query"] == {"token": STATIC_TOKEN, "type": "xml"}
    assert request["content_type"] == "application/xml; charset=utf-8"
    assert request["body"] == (
        '<?xml version="1.0" encoding="UTF-8" ?>'
        "<xml><caller>101</caller><callee>102</callee><autoanswer>no</autoanswer></xml>"
    )


async def test_xml_answers_parse_like_json(session: ClientSession, pbx_port: int) -> None:
    xml = PbxClient(
        "127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN, payload_format="xml"
    )
    plain = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    assert await xml.extensions() == await plain.extensions()
    assert await xml.device_info() == await plain.device_info()
    with pytest.raises(PbxRefusedError) as caught:
        await xml.dial_extension("101", "999")
    assert caught.value.errno == "10006"


async def test_login_sends_md5_and_reuses_the_token(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = user_client(session, pbx_port)
    info = await client.identify()
    assert info is not None
    assert (info.model, info.serial, info.firmware_version) == ("UC501", "a09805021987", "4.1.1")
    await client.dial_extension("101", "102")
    await client.heartbeat()
    assert paths(pbx_state) == [
        "login",
        "deviceinfo/query",
        "extension/dial_extension",
        "heartbeat",
    ]
    login = json.loads(pbx_state.requests[0]["body"])
    assert login["username"] == "api"
    assert login["password"] == hashlib.md5(b"password").hexdigest()
    assert pbx_state.requests[0]["query"] == {"type": "json"}


async def test_expired_token_logs_in_once_and_resends_once(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = user_client(session, pbx_port)
    await client.dial_extension("101", "102")
    pbx_state.expire_tokens()
    await client.dial_extension("101", "102")
    assert paths(pbx_state) == [
        "login",
        "extension/dial_extension",
        "extension/dial_extension",  # refused: 20004, no call placed
        "login",
        "extension/dial_extension",
    ]


async def test_concurrent_requests_share_one_login(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = user_client(session, pbx_port)
    await asyncio.gather(client.extensions(), client.extensions(), client.heartbeat())
    assert paths(pbx_state).count("login") == 1


async def test_refused_login_is_never_repeated(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = PbxClient(
        "127.0.0.1", session=session, port=pbx_port, username="api", password="wrong"
    )
    for _ in range(7):
        with pytest.raises(PbxAuthError) as caught:
            await client.dial_extension("101", "102")
        assert caught.value.errno == "20003"
    assert paths(pbx_state) == ["login"]
    assert pbx_state.login_failures == 1


async def test_static_token_refusal_is_final(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token="unknown-token")
    with pytest.raises(PbxAuthError) as caught:
        await client.dial_extension("101", "102")
    assert caught.value.errno == "20004"
    assert paths(pbx_state) == ["extension/dial_extension"]
    assert "unknown-token" not in str(caught.value)


async def test_token_still_refused_after_fresh_login(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    pbx_state.token_lifetime = -1  # every token is expired at once
    client = user_client(session, pbx_port)
    with pytest.raises(PbxAuthError):
        await client.dial_extension("101", "102")
    assert paths(pbx_state) == [
        "login",
        "extension/dial_extension",
        "login",
        "extension/dial_extension",
    ]


@pytest.mark.parametrize(
    ("caller", "callee", "errno", "meaning"),
    [
        ("101", "999", "10006", "the extension does not exist"),
        ("101", "103", "10008", "the extension is not idle (busy)"),
        ("", "102", "10004", "a required parameter is blank"),
    ],
)
async def test_refusals_carry_errno_and_meaning(
    session: ClientSession, pbx_port: int, caller: str, callee: str, errno: str, meaning: str
) -> None:
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    with pytest.raises(PbxRefusedError) as caught:
        await client.dial_extension(caller, callee)
    assert (caught.value.errno, caught.value.meaning) == (errno, meaning)
    assert not isinstance(caught.value, PbxAuthError)


async def test_yeastar_returns_a_call_id(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    pbx_state.api_version = "v1.1.0"
    client = PbxClient(
        "127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN, api_version="v1.1.0"
    )
    assert client.manufacturer == "Yeastar"
    assert await client.dial_extension("101", "102") is not None


async def test_identify_falls_back_to_the_extension_list(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    pbx_state.has_deviceinfo = False
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    assert await client.identify() is None
    assert paths(pbx_state) == ["deviceinfo/query", "extensionlist/query"]


async def test_identify_does_not_hide_auth_errors(session: ClientSession, pbx_port: int) -> None:
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token="nope")
    with pytest.raises(PbxAuthError):
        await client.identify()


async def test_logout_only_ends_sessions_it_started(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    static = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    await static.logout()
    user = user_client(session, pbx_port)
    await user.logout()  # never logged in: nothing to end
    await user.heartbeat()
    await user.logout()
    assert paths(pbx_state) == ["login", "heartbeat", "logout"]
    assert pbx_state.tokens == {}


async def test_unreachable_pbx(session: ClientSession, closed_port: int) -> None:
    client = PbxClient("127.0.0.1", session=session, port=closed_port, token=STATIC_TOKEN)
    with pytest.raises(PbxConnectionError) as caught:
        await client.dial_extension("101", "102")
    assert STATIC_TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


async def test_logout_failure_is_quiet(
    session: ClientSession, pbx_port: int, closed_port: int
) -> None:
    client = user_client(session, pbx_port)
    await client.heartbeat()
    client._port = closed_port
    await client.logout()


async def serve(handler: web.Handler) -> TestServer:
    app = web.Application()
    app.router.add_post("/{path:.*}", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


async def test_slow_pbx_times_out(session: ClientSession) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.json_response({"status": "Success"})

    server = await serve(slow)
    client = PbxClient(
        "127.0.0.1", session=session, port=server.port, token=STATIC_TOKEN, request_timeout=0.05
    )
    with pytest.raises(PbxConnectionError, match="did not answer within 0.05 s"):
        await client.dial_extension("101", "102")
    await server.close()


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, "{}", "HTTP 500"),
        (200, "<html>", "not JSON"),
        (200, "[1, 2]", "not an object"),
        (200, '{"result": "ok"}', "without a status"),
        (200, '{"status": "Success"}', "without deviceinfo"),
    ],
)
async def test_answers_that_are_not_the_api(
    session: ClientSession, status: int, body: str, message: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body)

    server = await serve(answer)
    client = PbxClient("127.0.0.1", session=session, port=server.port, token=STATIC_TOKEN)
    with pytest.raises(PbxResponseError, match=message):
        await client.device_info()
    await server.close()


async def test_login_answer_without_token(session: ClientSession) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"status": "Success"})

    server = await serve(answer)
    client = PbxClient("127.0.0.1", session=session, port=server.port, username="api", password="x")
    with pytest.raises(PbxResponseError, match="without a token"):
        await client.heartbeat()
    await server.close()


async def test_extension_list_must_be_a_list(session: ClientSession) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"status": "Success", "extlist": "none"})

    server = await serve(answer)
    client = PbxClient("127.0.0.1", session=session, port=server.port, token=STATIC_TOKEN)
    with pytest.raises(PbxResponseError, match="without extlist"):
        await client.extensions()
    await server.close()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xml><status>&lol2;</status></xml>"""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (BILLION_LAUGHS, "document type declaration"),
        (b"<xml><status>Success</status>", "malformed XML"),
        (b"<xml>Success</xml>", "without fields"),
    ],
)
def test_unsafe_or_broken_xml_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(PbxResponseError, match=message):
        decode_xml(raw)


def test_xml_shapes() -> None:
    assert decode_xml(
        b'<xml><status>Success</status><extlist><item id="0"><extnumber>100</extnumber></item>'
        b'<item id="1"><extnumber>101</extnumber></item></extlist><a>1</a><a>2</a><a>3</a></xml>'
    ) == {
        "status": "Success",
        "extlist": [{"extnumber": "100"}, {"extnumber": "101"}],
        "a": ["1", "2", "3"],
    }
    assert encode_xml({"caller": "<&>"}).endswith(b"<caller>&lt;&amp;&gt;</caller></xml>")


@pytest.mark.parametrize(
    "credentials",
    [{}, {"token": "t", "username": "u", "password": "p"}, {"username": "u"}, {"password": "p"}],
)
def test_exactly_one_way_to_authenticate(
    session: ClientSession, credentials: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="token|password"):
        PbxClient("127.0.0.1", session=session, **credentials)


async def test_a_lockout_is_waited_out_without_logging_in(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    now = [0.0]
    pbx_state.locked_until = 1e12  # locked out, by earlier failures
    client = user_client(session, pbx_port, clock=lambda: now[0])
    for _ in range(3):
        with pytest.raises(PbxLockedOutError) as caught:
            await client.dial_extension("101", "102")
        assert caught.value.errno == "20002"
        assert not isinstance(caught.value, PbxAuthError)  # new credentials would not help
    assert paths(pbx_state) == ["login"]
    pbx_state.locked_until = None
    now[0] = LOCKOUT_SECONDS + 1
    await client.dial_extension("101", "102")
    assert paths(pbx_state) == ["login", "login", "extension/dial_extension"]


async def test_dial_outbound_and_hangup(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    client = PbxClient("127.0.0.1", session=session, port=pbx_port, token=STATIC_TOKEN)
    assert await client.dial_outbound("101", "075528000003", autoanswer=True) is None
    await client.hangup("101")
    dial, hangup = pbx_state.requests
    assert dial["path"] == "/api/v0.0.1/extension/dial_outbound"
    assert json.loads(dial["body"]) == {
        "extid": "101",
        "outto": "075528000003",
        "autoanswer": "yes",
    }
    assert hangup["path"] == "/api/v0.0.1/extension/hangup"
    assert json.loads(hangup["body"]) == {"extid": "101"}
    with pytest.raises(PbxRefusedError, match="10006"):
        await client.hangup("999")
    with pytest.raises(PbxRefusedError, match="10006"):
        await client.dial_outbound("999", "075528000003")
