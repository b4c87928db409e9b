"""Simulated OneNET voice: signed click-to-dial and voice notifications, and their status callbacks."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
import hashlib
import hmac
import json
import logging
import secrets
import time
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import ClientError, ClientSession, ClientTimeout, web

_LOGGER = logging.getLogger(__name__)

OUTCOMES = ("answered", "busy", "no_answer")


@dataclass(frozen=True)
class OneNetApp:
    """One voice application of an account: its id, its access key and its business number."""

    app_id: str
    access_key: str
    sponsor: str


@dataclass
class OneNetState:
    """What the simulated OneNET knows; tests read ``requests`` and ``callbacks``.

    ``app_id``, ``access_key`` and ``sponsor`` are the first application; ``other_apps`` are more.
    """

    app_id: str = "3143eba93adb4f35bde98aa31e4e5bbd"
    access_key: str = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
    sponsor: str = "02066240222"
    other_apps: list[OneNetApp] = field(default_factory=list)
    # Seconds between two status callbacks of a played call.
    step_delay: float = 1.0
    talk_seconds: int = 12
    default_outcome: str = "answered"
    # Callee number (OneNET form) -> outcome, for numbers that behave otherwise.
    outcomes: dict[str, str] = field(default_factory=dict)
    # Approved voice templates; any other id is refused as OneNET refuses an invalid parameter.
    templates: set[str] = field(default_factory=lambda: {"1001", "1002"})
    # The keys a callee presses when a notification collects them; others press these.
    keys: dict[str, str] = field(default_factory=dict)
    default_keys: str = "1"
    requests: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def apps(self) -> dict[str, OneNetApp]:
        """Every application, by app id."""
        first = OneNetApp(self.app_id, self.access_key, self.sponsor)
        return {app.app_id: app for app in (first, *self.other_apps)}


_DIGESTS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}


def _signature(app: OneNetApp, *, et: str, method: str, res: str, version: str) -> str:
    """Return OneNET's base64 HMAC of et, method, res and version with the application's key."""
    text = f"{et}\n{method}\n{res}\n{version}"
    mac = hmac.new(base64.b64decode(app.access_key), text.encode(), _DIGESTS[method]).digest()
    return base64.b64encode(mac).decode()


def _signed_app(header: str, state: OneNetState) -> tuple[OneNetApp | None, str]:
    """Check an Authorization header: (the application it signs for, code_no) with OneNET's codes."""
    if not header:
        return None, "000014"
    pairs = {}
    for part in header.split("&"):
        name, _, value = part.partition("=")
        pairs[name] = unquote(value)
    method = pairs.get("method", "")
    res = pairs.get("res", "")
    app = (
        state.apps().get(res.removeprefix("onenet_voice/"))
        if res.startswith("onenet_voice/")
        else None
    )
    if method not in _DIGESTS or app is None:
        return None, "000015"
    try:
        expires = int(pairs["et"])
    except (KeyError, ValueError):
        return None, "000015"
    if expires < time.time():
        return None, "000015"
    expected = _signature(
        app, et=pairs["et"], method=method, res=res, version=pairs.get("version", "")
    )
    if not hmac.compare_digest(expected, pairs.get("sign", "")):
        return None, "000015"
    return app, "000000"


def sign_callback(state: OneNetState, app_id: str | None = None) -> str:
    """Sign a callback the way OneNET signs requests, with the application's key."""
    app = state.apps()[app_id or state.app_id]
    et = str(int(time.time()) + 300)
    res = f"onenet_voice/{app.app_id}"
    signature = _signature(app, et=et, method="sha1", res=res, version="v1")
    return (
        f"version=v1&res={quote(res, safe='')}&et={et}&method=sha1&sign={quote(signature, safe='')}"
    )


def _envelope(code_no: str, code: str, message: str, data: Any = None) -> web.Response:
    body: dict[str, Any] = {
        "request_id": secrets.token_hex(16),
        "code_no": code_no,
        "code": code,
        "message": message,
    }
    if data is not None:
        body["data"] = data
    return web.json_response(body)


def _is_msisdn_or_landline(number: str) -> bool:
    return number.isdigit() and (
        (len(number) == 13 and number.startswith("861"))
        or (number.startswith("0") and 10 <= len(number) <= 12)
    )


def create_onenet_app(state: OneNetState) -> web.Application:
    """Return the aiohttp application of a simulated OneNET voice service."""

    async def signed(request: web.Request) -> tuple[OneNetApp, dict[str, Any]] | web.Response:
        """Return a request's application and body, or OneNET's answer refusing it."""
        raw = await request.read()
        state.requests.append({"headers": dict(request.headers), "body": raw.decode()})
        app, code_no = _signed_app(request.headers.get("Authorization", ""), state)
        if app is None:
            name = "authorizationIsNull" if code_no == "000014" else "authorizationFailed"
            return _envelope(code_no, f"onenet_common_{name}", "鉴权失败")
        try:
            body = json.loads(raw)
        except ValueError:
            return _envelope("000012", "onenet_common_JsonException", "JSON格式错误")
        if not isinstance(body, dict):
            return _envelope("000012", "onenet_common_JsonException", "JSON格式错误")
        if body.get("appid") != app.app_id:
            return _envelope("000002", "onenet_common_authException", "鉴权失败")
        return app, body

    async def dial_notify(request: web.Request) -> web.Response:
        checked = await signed(request)
        if isinstance(checked, web.Response):
            return checked
        app, body = checked
        if not all(body.get(name) for name in ("sponsor", "caller", "callee")):
            return _envelope("000006", "onenet_common_paramNullException", "必填参数为空")
        if body["sponsor"] != app.sponsor or body.get("display") not in (
            None,
            app.sponsor,
            body["caller"],
        ):
            return _envelope("001008", "onenet_iaepVoice_BusinessNumberMismatch", "业务号码不匹配")
        if not all(_is_msisdn_or_landline(str(body[name])) for name in ("caller", "callee")):
            return _envelope("001005", "onenet_iaepVoice_NumberFormatRrror", "号码格式错误")
        call_id = str(secrets.randbelow(10**18))
        notify = str(body.get("notify_url") or "")
        outcome = state.outcomes.get(str(body["callee"]), state.default_outcome)
        script = call_script(state, outcome)
        _play(
            state, PlayedCall(call_id, app.app_id, body["caller"], body["callee"], notify, script)
        )
        return _envelope("000000", "OneNET_common_success", "调用成功", {"call_id": call_id})

    async def voice_notify(request: web.Request) -> web.Response:
        checked = await signed(request)
        if isinstance(checked, web.Response):
            return checked
        app, body = checked
        actions = body.get("actions")
        if not body.get("participant_address") or not body.get("display") or not actions:
            return _envelope("000006", "onenet_common_paramNullException", "必填参数为空")
        if body["display"] != app.sponsor:
            return _envelope("001008", "onenet_iaepVoice_BusinessNumberMismatch", "业务号码不匹配")
        number = str(body["participant_address"])
        if not _is_msisdn_or_landline(number):
            return _envelope("001005", "onenet_iaepVoice_NumberFormatRrror", "号码格式错误")
        [action] = actions
        if (
            action.get("operation") not in ("Play", "PlayAndCollect")
            or action.get("tts_template") not in state.templates
        ):
            return _envelope("000004", "onenet_common_invalidParams", "模板不存在")
        call_id = str(secrets.randbelow(10**18))
        notify = str(body.get("notify_url") or "")
        outcome = state.outcomes.get(number, state.default_outcome)
        keys = None
        if action["operation"] == "PlayAndCollect":
            keys = state.keys.get(number, state.default_keys)[: int(action["collect_length"])]
        script = notification_script(state, outcome, keys)
        _play(state, PlayedCall(call_id, app.app_id, body["display"], number, notify, script))
        return _envelope("000000", "OneNET_common_success", "调用成功", {"call_id": call_id})

    async def stop_calls(app: web.Application) -> None:
        for task in list(state.tasks):
            task.cancel()

    app = web.Application()
    app.router.add_post("/v1/onenet/dial/notify", dial_notify)
    app.router.add_post("/v1/onenet/voice/notify", voice_notify)
    app.on_shutdown.append(stop_calls)
    return app


def call_script(state: OneNetState, outcome: str) -> list[dict[str, str]]:
    """Return the status updates of a call with this outcome, in order."""
    if outcome == "no_answer":
        return [
            {"status": "CallingCaller"},
            {"status": "Disconnected", "reason": "CallerNoAnswer", "call_duration": "0"},
        ]
    if outcome == "busy":
        return [
            {"status": "CallingCaller"},
            {"status": "CallingCallee"},
            {"status": "Disconnected", "reason": "CalleeBusy", "call_duration": "0"},
        ]
    return [
        {"status": "CallingCaller"},
        {"status": "CallingCallee"},
        {"status": "Connected"},
        {"status": "Disconnected", "reason": "HangUp", "call_duration": str(state.talk_seconds)},
    ]


def notification_script(state: OneNetState, outcome: str, keys: str | None) -> list[dict[str, str]]:
    """Return the status updates of a voice notification (section 4.2), keys pressed if any."""
    if outcome in ("no_answer", "busy"):
        reason = "CalleeNoAnswer" if outcome == "no_answer" else "CalleeBusy"
        return [
            {"status": "CallingCallee"},
            {"status": "Disconnected", "reason": reason, "call_duration": "0"},
        ]
    collected = [{"status": "CollectResult", "operation_result": keys}] if keys else []
    return [
        {"status": "CallingCallee"},
        {"status": "Connected"},
        *collected,
        {"status": "Disconnected", "reason": "HangUp", "call_duration": str(state.talk_seconds)},
    ]


@dataclass(frozen=True)
class PlayedCall:
    """A call the simulated OneNET plays: whose it is, its parties, where its status goes."""

    call_id: str
    app_id: str
    caller: str
    callee: str
    notify_url: str
    script: list[dict[str, str]]


def _play(state: OneNetState, call: PlayedCall) -> None:
    """Play a call in the background, when its request named where to post its status."""
    if not call.notify_url:
        return
    task = asyncio.create_task(play_call(state, call))
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def play_call(state: OneNetState, call: PlayedCall) -> None:
    """Post the call's status callbacks to its ``notify_url``, one every ``step_delay`` seconds."""
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        for update in call.script:
            await asyncio.sleep(state.step_delay)
            body = {
                "appid": call.app_id,
                "call_id": call.call_id,
                "caller": call.caller,
                "callee": call.callee,
                "report_date": time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 8 * 3600)),
            } | update
            try:
                async with session.post(
                    call.notify_url,
                    json=body,
                    headers={"Authorization": sign_callback(state, call.app_id)},
                ) as response:
                    state.callbacks.append({"body": body, "status": response.status})
            except ClientError as err:
                _LOGGER.warning("Callback to Home Assistant failed: %s", err)
