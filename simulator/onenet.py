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
    # Generation 2's accounts: a user id, the user's access key and business number.
    users: list[OneNetApp] = field(
        default_factory=lambda: [
            OneNetApp("38055", "Z2VuZXJhdGlvbi10d28tdXNlci1hY2Nlc3Mta2V5ISE=", "075528000005")
        ]
    )
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

    def user_accounts(self) -> dict[str, OneNetApp]:
        """Every generation-2 account, by user id."""
        return {user.app_id: user for user in self.users}


_DIGESTS = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}


def _signature(app: OneNetApp, *, et: str, method: str, res: str, version: str) -> str:
    """Return OneNET's base64 HMAC of et, method, res and version with the application's key."""
    text = f"{et}\n{method}\n{res}\n{version}"
    mac = hmac.new(base64.b64decode(app.access_key), text.encode(), _DIGESTS[method]).digest()
    return base64.b64encode(mac).decode()


# What each generation names its signatures by, and signs with.
_RES_PREFIX = {1: "onenet_voice/", 2: "userid/"}
_AUTH_VERSION = {1: "v1", 2: "2020-05-29"}
# Generation 1's codes that the simulator answers, and generation 2's names for them (2.5).
_CODES = {
    "000002": ("onenet_common_authException", "authException", "鉴权失败"),
    "000004": ("onenet_common_invalidParams", "invalidParams", "参数错误"),
    "000006": ("onenet_common_paramNullException", "paramNullException", "必填参数为空"),
    "000012": ("onenet_common_JsonException", "invalidJsonParams", "JSON格式错误"),
    "000014": ("onenet_common_authorizationIsNull", "", "鉴权失败"),
    "000015": ("onenet_common_authorizationFailed", "", "鉴权失败"),
    "001005": ("onenet_iaepVoice_NumberFormatRrror", "numberFormatError", "号码格式错误"),
    "001008": (
        "onenet_iaepVoice_BusinessNumberMismatch",
        "businessNumberMismatch",
        "业务号码不匹配",
    ),
}


class Refused(Exception):  # noqa: N818 - OneNET's refusal, answered in each generation's envelope
    """A request OneNET refuses, by generation 1's code."""

    def __init__(self, code_no: str) -> None:
        """Keep the code."""
        super().__init__(code_no)
        self.code_no = code_no


def _signed_account(header: str, state: OneNetState, generation: int) -> OneNetApp:
    """Return the account an Authorization header signs for; raise Refused as OneNET does."""
    if not header:
        raise Refused("000014")
    pairs = {}
    for part in header.split("&"):
        name, _, value = part.partition("=")
        pairs[name] = unquote(value)
    method = pairs.get("method", "")
    res = pairs.get("res", "")
    prefix = _RES_PREFIX[generation]
    accounts = state.apps() if generation == 1 else state.user_accounts()
    account = accounts.get(res.removeprefix(prefix)) if res.startswith(prefix) else None
    if method not in _DIGESTS or account is None:
        raise Refused("000015")
    try:
        expires = int(pairs["et"])
    except (KeyError, ValueError):
        raise Refused("000015") from None
    if expires < time.time() or pairs.get("version") != _AUTH_VERSION[generation]:
        raise Refused("000015")
    expected = _signature(account, et=pairs["et"], method=method, res=res, version=pairs["version"])
    if not hmac.compare_digest(expected, pairs.get("sign", "")):
        raise Refused("000015")
    return account


def sign_callback(state: OneNetState, account_id: str | None = None, generation: int = 1) -> str:
    """Sign a callback the way OneNET signs requests, with the account's key."""
    accounts = state.apps() if generation == 1 else state.user_accounts()
    account = accounts[account_id or state.app_id]
    et = str(int(time.time()) + 300)
    res = f"{_RES_PREFIX[generation]}{account.app_id}"
    version = _AUTH_VERSION[generation]
    signature = _signature(account, et=et, method="sha1", res=res, version=version)
    return (
        f"version={version}&res={quote(res, safe='')}&et={et}&method=sha1"
        f"&sign={quote(signature, safe='')}"
    )


def _envelope(generation: int, refused: str | None = None, data: Any = None) -> web.Response:
    """Answer in the generation's envelope: success with ``data``, or the refusal's code."""
    if generation == 2:
        if refused is None:
            return web.json_response(
                {"requestId": secrets.token_hex(16), "success": True, "data": data}
            )
        _, name, message = _CODES[refused]
        answer: dict[str, Any] = {
            "requestId": secrets.token_hex(16),
            "success": False,
            "msg": message,
        }
        if name:
            answer["code"] = f"iot.vcs.{name}"
        # Generation 2 documents no code for a refused signature: HTTP 401, as its platform does.
        return web.json_response(answer, status=200 if name else 401)
    if refused is None:
        code_no, code, message = "000000", "OneNET_common_success", "调用成功"
    else:
        code_no, (code, _, message) = refused, _CODES[refused]
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


def _dial(state: OneNetState, account: OneNetApp, body: dict[str, Any], generation: int) -> str:
    """Place a click-to-dial call; return its call id."""
    if not all(body.get(name) for name in ("sponsor", "caller", "callee")):
        raise Refused("000006")
    if body["sponsor"] != account.sponsor or body.get("display") not in (
        None,
        account.sponsor,
        body["caller"],
    ):
        raise Refused("001008")
    if not all(_is_msisdn_or_landline(str(body[name])) for name in ("caller", "callee")):
        raise Refused("001005")
    call_id = str(secrets.randbelow(10**18))
    outcome = state.outcomes.get(str(body["callee"]), state.default_outcome)
    script = call_script(state, outcome)
    _play(
        state,
        PlayedCall(
            call_id,
            account.app_id,
            generation,
            body["caller"],
            body["callee"],
            str(body.get("notify_url") or ""),
            script,
        ),
    )
    return call_id


def _notify(state: OneNetState, account: OneNetApp, body: dict[str, Any], generation: int) -> str:
    """Place a voice notification; return its call id."""
    actions = body.get("actions")
    if not body.get("participant_address") or not body.get("display") or not actions:
        raise Refused("000006")
    if body["display"] != account.sponsor:
        raise Refused("001008")
    number = str(body["participant_address"])
    if not _is_msisdn_or_landline(number):
        raise Refused("001005")
    [action] = actions
    if (
        action.get("operation") not in ("Play", "PlayAndCollect")
        or action.get("tts_template") not in state.templates
    ):
        raise Refused("000004")  # an unknown template is an invalid parameter
    call_id = str(secrets.randbelow(10**18))
    outcome = state.outcomes.get(number, state.default_outcome)
    keys = None
    if action["operation"] == "PlayAndCollect":
        keys = state.keys.get(number, state.default_keys)[: int(action["collect_length"])]
    script = notification_script(state, outcome, keys)
    _play(
        state,
        PlayedCall(
            call_id,
            account.app_id,
            generation,
            body["display"],
            number,
            str(body.get("notify_url") or ""),
            script,
        ),
    )
    return call_id


_OPERATIONS = {"dialNotify": _dial, "voiceNotify": _notify}


def _carry_out(state: OneNetState, header: str, raw: bytes, operation: str, generation: int) -> str:
    """Check a request as OneNET does and place its call; return the call id, or raise Refused."""
    account = _signed_account(header, state, generation)
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refused("000012") from None
    if not isinstance(body, dict):
        raise Refused("000012")
    if generation == 1 and body.get("appid") != account.app_id:
        raise Refused("000002")
    if operation not in _OPERATIONS:
        raise Refused("000004")
    return _OPERATIONS[operation](state, account, body, generation)


def create_onenet_app(state: OneNetState) -> web.Application:
    """Return the aiohttp application of a simulated OneNET voice service (both generations)."""

    async def carry_out(request: web.Request, operation: str, generation: int) -> web.Response:
        raw = await request.read()
        state.requests.append(
            {"headers": dict(request.headers), "body": raw.decode(), "path_qs": request.path_qs}
        )
        try:
            call_id = _carry_out(
                state, request.headers.get("Authorization", ""), raw, operation, generation
            )
        except Refused as refused:
            return _envelope(generation, refused.code_no)
        return _envelope(generation, data={"call_id": call_id})

    async def dial_notify(request: web.Request) -> web.Response:
        return await carry_out(request, "dialNotify", 1)

    async def voice_notify(request: web.Request) -> web.Response:
        return await carry_out(request, "voiceNotify", 1)

    async def vcs(request: web.Request) -> web.Response:
        return await carry_out(request, request.query.get("action", ""), 2)

    async def stop_calls(app: web.Application) -> None:
        for task in list(state.tasks):
            task.cancel()

    app = web.Application()
    app.router.add_post("/v1/onenet/dial/notify", dial_notify)
    app.router.add_post("/v1/onenet/voice/notify", voice_notify)
    app.router.add_post("/vcs", vcs)
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
    # The app id (generation 1) or the user id (generation 2) it was placed for.
    account_id: str
    generation: int
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
            account: dict[str, Any] = (
                {"appid": call.account_id}
                if call.generation == 1
                else {"user_id": int(call.account_id)}
            )
            body = (
                account
                | {
                    "call_id": call.call_id,
                    "caller": call.caller,
                    "callee": call.callee,
                    "report_date": time.strftime(
                        "%Y%m%d%H%M%S", time.gmtime(time.time() + 8 * 3600)
                    ),
                }
                | update
            )
            try:
                async with session.post(
                    call.notify_url,
                    json=body,
                    headers={
                        "Authorization": sign_callback(state, call.account_id, call.generation)
                    },
                ) as response:
                    state.callbacks.append({"body": body, "status": response.status})
            except ClientError as err:
                _LOGGER.warning("Callback to Home Assistant failed: %s", err)
