"""The simulator answers as the documentation's examples do (shared/reference, sections cited)."""

from __future__ import annotations

import asyncio
import hashlib
import json

from aiohttp import ClientSession
import pytest

from simulator.onenet import OneNetState, call_script, sign_callback
from simulator.pbx import LOCKOUT_FAILURES, PbxState


async def post(
    session: ClientSession, url: str, body: object = None, **kwargs: object
) -> dict[str, object]:
    async with session.post(url, json=body, **kwargs) as response:  # type: ignore[arg-type]
        assert (
            response.status == 200
        )  # the PBX answers 200 for success and failure alike (pbx-api 0)
        return dict(await response.json(content_type=None))


def login_body(password: str) -> dict[str, str]:
    md5 = hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
    return {"username": "api", "password": md5, "port": "8260"}


async def test_pbx_login_and_lockout(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    base = f"http://127.0.0.1:{pbx_port}/api/v0.0.1"
    answer = await post(session, f"{base}/login?type=json", login_body("password"))
    assert answer["status"] == "Success"
    assert len(str(answer["token"])) == 32  # a 32-character hex token (pbx-api 1.1)
    for _ in range(LOCKOUT_FAILURES):
        assert await post(session, f"{base}/login?type=json", login_body("wrong")) == {
            "status": "Failed",
            "errno": "20003",
        }
    # Five failures lock the client out (pbx-api 1.1), even with the right password...
    assert (await post(session, f"{base}/login?type=json", login_body("password")))[
        "errno"
    ] == "20002"
    # ...for ten minutes by default.
    assert pbx_state.locked_until is not None
    assert pbx_state.locked_until - pbx_state.clock() == pytest.approx(600, abs=5)
    pbx_state.locked_until = pbx_state.clock() - 1
    answer = await post(session, f"{base}/login?type=json", login_body("password"))
    assert answer["status"] == "Success"


async def test_pbx_tokens_expire_and_heartbeats_extend_them(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    now = [0.0]
    pbx_state.clock = lambda: now[0]
    base = f"http://127.0.0.1:{pbx_port}/api/v0.0.1"
    token = (await post(session, f"{base}/login?type=json", login_body("password")))["token"]
    now[0] = 1700.0
    assert (await post(session, f"{base}/heartbeat?token={token}", {"port": "8260"}))[
        "status"
    ] == "Success"
    now[0] = 3400.0  # 28 minutes after the heartbeat: still valid
    assert (await post(session, f"{base}/deviceinfo/query?token={token}&type=json"))[
        "status"
    ] == "Success"
    now[0] = 3400.0 + 1801
    assert await post(session, f"{base}/deviceinfo/query?token={token}&type=json") == {
        "status": "Failed",
        "errno": "20004",
    }


async def test_pbx_documented_shapes(session: ClientSession, pbx_port: int) -> None:
    base = f"http://127.0.0.1:{pbx_port}/api/v0.0.1"
    token = "static-token-0123456789abcdef"
    info = await post(session, f"{base}/deviceinfo/query?token={token}&type=json")
    assert set(info["deviceinfo"]) >= {"devicename", "sn", "hardwarever", "firmwarever"}  # type: ignore[arg-type]
    async with session.post(f"{base}/extensionlist/query?token={token}&type=xml") as response:
        xml = await response.text()
    # Lists are <item id="N"> elements inside <extlist> (pbx-api 4.2).
    assert xml.startswith(
        '<?xml version="1.0" encoding="UTF-8" ?><xml><status>Success</status><extlist><item id="0">'
    )
    for callee, errno in (("999", "10006"), ("103", "10008")):
        answer = await post(
            session,
            f"{base}/extension/dial_extension?token={token}&type=json",
            {"caller": "101", "callee": callee},
        )
        assert answer == {"status": "Failed", "errno": errno}
    assert await post(session, f"{base}/extension/dial_extension?type=json", {}) == {
        "status": "Failed",
        "errno": "20005",
    }


async def test_a_busy_pbx_answers_late(
    session: ClientSession, pbx_port: int, pbx_state: PbxState
) -> None:
    """A busy PBX holds every answer, so that calls sent together are all in flight at once."""
    pbx_state.answer_delay = 0.5
    base = f"http://127.0.0.1:{pbx_port}/api/v0.0.1"
    url = f"{base}/deviceinfo/query?token=static-token-0123456789abcdef&type=json"
    answer = asyncio.ensure_future(post(session, url))
    await asyncio.sleep(0.05)
    assert not answer.done()
    assert pbx_state.requests == []
    assert (await answer)["status"] == "Success"


@pytest.mark.parametrize(
    ("headers", "body", "code_no"),
    [
        ({}, {}, "000014"),
        ({"Authorization": "version=v1&res=x&et=1&method=sha1&sign=x"}, {}, "000015"),
    ],
)
async def test_onenet_refusals(
    session: ClientSession,
    onenet_url: str,
    headers: dict[str, str],
    body: dict[str, str],
    code_no: str,
) -> None:
    async with session.post(
        f"{onenet_url}/v1/onenet/dial/notify", json=body, headers=headers
    ) as response:
        answer = await response.json()
    assert answer["code_no"] == code_no
    assert set(answer) == {"request_id", "code_no", "code", "message"}  # onenet-voice 2.3


async def test_onenet_envelope_and_codes(
    session: ClientSession, onenet_url: str, onenet_state: OneNetState
) -> None:
    signed = {"Authorization": sign_callback(onenet_state)}
    url = f"{onenet_url}/v1/onenet/dial/notify"
    cases = [
        ({"appid": onenet_state.app_id}, "000006"),
        ({"appid": "another"}, "000002"),
        (
            {
                "appid": onenet_state.app_id,
                "sponsor": "1",
                "caller": "8613800138000",
                "callee": "8613900139000",
            },
            "001008",
        ),
        (
            {
                "appid": onenet_state.app_id,
                "sponsor": onenet_state.sponsor,
                "caller": "138",
                "callee": "8613900139000",
            },
            "001005",
        ),
    ]
    for body, code_no in cases:
        async with session.post(url, json=body, headers=signed) as response:
            assert (await response.json())["code_no"] == code_no
    async with session.post(url, data=b"{", headers=signed) as response:
        assert (await response.json())["code_no"] == "000012"
    body = {
        "appid": onenet_state.app_id,
        "sponsor": onenet_state.sponsor,
        "caller": "8613800138000",
        "callee": "075528000003",
    }
    async with session.post(url, json=body, headers=signed) as response:
        answer = await response.json()
    assert (answer["code_no"], answer["code"], answer["message"]) == (
        "000000",
        "OneNET_common_success",
        "调用成功",
    )
    assert json.dumps(answer["data"]).startswith('{"call_id": "')


@pytest.mark.parametrize(
    ("outcome", "statuses", "reason"),
    [
        ("answered", ["CallingCaller", "CallingCallee", "Connected", "Disconnected"], "HangUp"),
        ("busy", ["CallingCaller", "CallingCallee", "Disconnected"], "CalleeBusy"),
        ("no_answer", ["CallingCaller", "Disconnected"], "CallerNoAnswer"),
    ],
)
def test_played_calls(outcome: str, statuses: list[str], reason: str) -> None:
    script = call_script(OneNetState(), outcome)
    assert [step["status"] for step in script] == statuses
    assert script[-1]["reason"] == reason  # onenet-voice 3.3
    assert script[-1]["call_duration"].isdigit()  # seconds as a string (3.2)
