"""Simulated PBX API: login (MD5), expiring tokens, heartbeat, device info, extensions, calls, reports."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import hashlib
import json
import secrets
import time
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

from .callers import ring_now_and_then
from .pbx_reports import CallComingIn, PlayedCall, PlayedPrompt, report_destination, run_call

LOCKOUT_FAILURES = 5
# How long an address stays locked out after LOCKOUT_FAILURES failed logins (pbx-api 1.1).
LOCKOUT_SECONDS = 600.0


@dataclass
class PbxState:
    """What the simulated PBX knows; tests read ``requests`` and change the rest."""

    api_version: str = "v0.0.1"
    username: str = "api"
    password: str = "password"
    static_tokens: set[str] = field(default_factory=set)
    serial: str = "a09805021987"
    model: str = "UC501"
    token_lifetime: float = 1800.0
    # Older firmware answers deviceinfo/query with "unsupported API request".
    has_deviceinfo: bool = True
    # Extension number -> status; "Busy" and "InUse" refuse calls with errno 10008.
    extensions: dict[str, str] = field(
        default_factory=lambda: {"101": "Registered", "102": "Registered", "103": "InUse"}
    )
    tokens: dict[str, float] = field(default_factory=dict)
    login_failures: int = 0
    lockout_seconds: float = LOCKOUT_SECONDS
    locked_until: float | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    clock: Any = time.monotonic
    # Reports: where the last login or heartbeat said, in the format the login asked for.
    report_url: str | None = None
    report_format: str | None = None
    step_delay: float = 1.0
    # Seconds a busy PBX takes to answer any request.
    answer_delay: float = 0.0
    # Callee (extension or number) -> "busy", "no_answer" or "failed"; any other callee answers.
    outcomes: dict[str, str] = field(default_factory=dict)
    reports: list[dict[str, Any]] = field(default_factory=list)
    # System Recordings by name, and the keys an extension presses while a prompt plays.
    prompts: set[str] = field(default_factory=lambda: {"alarm", "doorbell", "press-1"})
    keys: dict[str, str] = field(default_factory=dict)
    # Calls from outside that ring Home Assistant's PBX every so often (the demo's), in turn:
    # (caller, extension, answered), and the seconds between two.
    callers: list[tuple[str, str, bool]] = field(default_factory=list)
    ring_every: float = 60.0
    # The calls being played, by a number of their own.
    playing: dict[int, tuple[PlayedCall, asyncio.Task[None]]] = field(default_factory=dict)
    calls_played: int = 0

    def issue_token(self) -> str:
        """Create a token valid for ``token_lifetime``."""
        token = secrets.token_hex(16)
        self.tokens[token] = self.clock() + self.token_lifetime
        return token

    def ring_in(self, caller: str, extension: str, *, answered: bool) -> None:
        """Play a call from outside to ``extension`` (reported only when told where to)."""
        if self.report_url:
            self.play(CallComingIn(self, caller, extension, answered=answered))

    def play(self, call: PlayedCall) -> None:
        """Play a call, posting its reports; it is ended when the PBX stops."""
        self.calls_played += 1
        number = self.calls_played
        task = asyncio.get_running_loop().create_task(run_call(call))
        self.playing[number] = (call, task)
        task.add_done_callback(lambda _: self.playing.pop(number, None))

    def expire_tokens(self) -> None:
        """Forget every token, as a PBX restart does."""
        self.tokens.clear()


def _decode(raw: bytes, payload_format: str) -> dict[str, str]:
    if not raw:
        return {}
    if payload_format == "xml":
        root = ET.fromstring(raw)  # noqa: S314 - the simulator parses only its own tests' requests
        return {child.tag: child.text or "" for child in root}
    value = json.loads(raw)
    return value if isinstance(value, dict) else {}


def _encode(answer: dict[str, Any], payload_format: str) -> web.Response:
    if payload_format != "xml":
        return web.json_response(answer)
    return web.Response(text=_xml_document(answer), content_type="application/xml")


def _xml_document(answer: dict[str, Any]) -> str:
    def element(tag: str, value: Any) -> str:
        if isinstance(value, dict):
            inner = "".join(element(key, item) for key, item in value.items())
        elif isinstance(value, list):
            inner = "".join(
                element("item", item).replace("<item>", f'<item id="{index}">', 1)
                for index, item in enumerate(value)
            )
        else:
            inner = str(value).replace("&", "&amp;").replace("<", "&lt;")
        return f"<{tag}>{inner}</{tag}>"

    return '<?xml version="1.0" encoding="UTF-8" ?>' + element("xml", answer)


def create_pbx_app(state: PbxState) -> web.Application:
    """Return the aiohttp application of a simulated PBX."""

    async def handle(request: web.Request) -> web.Response:
        version = request.match_info["version"]
        action = request.match_info["action"]
        payload_format = request.query.get("type", "json")
        raw = await request.read()
        if state.answer_delay:
            await asyncio.sleep(state.answer_delay)
        state.requests.append(
            {
                "path": request.path,
                "query": dict(request.query),
                "content_type": request.headers.get("Content-Type"),
                "user_agent": request.headers.get("User-Agent"),
                "body": raw.decode(),
            }
        )
        if version != state.api_version:
            return _encode({"status": "Failed", "errno": "10003"}, payload_format)
        try:
            fields = _decode(raw, payload_format)
        except (ValueError, ET.ParseError):
            return _encode({"status": "Failed", "errno": "10002"}, payload_format)
        answer = _answer(state, action, request.query.get("token"), fields)
        if answer["status"] == "Success":
            _carry_out(state, action, fields, request.remote)
        return _encode(answer, payload_format)

    async def stop_calls(app: web.Application) -> None:
        tasks = [task for _, task in state.playing.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    app = web.Application()
    app.router.add_post("/api/{version}/{action:.+}", handle)
    ring_now_and_then(app, state)
    app.on_cleanup.append(stop_calls)
    return app


def _answer(
    state: PbxState, action: str, token: str | None, fields: dict[str, str]
) -> dict[str, Any]:
    if action == "login":
        return _login(state, fields)
    if token is None or token == "":
        return {"status": "Failed", "errno": "20005"}
    if token not in state.static_tokens:
        expiry = state.tokens.get(token)
        if expiry is None or expiry < state.clock():
            state.tokens.pop(token, None)
            return {"status": "Failed", "errno": "20004"}
        state.tokens[token] = state.clock() + state.token_lifetime
    if action == "heartbeat":
        return {"status": "Success"}
    if action == "logout":
        state.tokens.pop(token, None)
        return {"status": "Success"}
    if action == "deviceinfo/query" and state.has_deviceinfo:
        return {
            "status": "Success",
            "deviceinfo": {
                "devicename": state.model,
                "sn": state.serial,
                "hardwarever": "3.1",
                "firmwarever": "4.1.1",
                "extensionstatus": f"{len(state.extensions)}/300",
            },
        }
    if action == "extensionlist/query":
        return {
            "status": "Success",
            "extlist": [
                {"extnumber": number, "status": status, "type": "pjsip", "username": number}
                for number, status in state.extensions.items()
            ],
        }
    if action == "extension/dial_extension":
        return _dial(state, fields, ("caller", "callee"), ("caller", "callee"))
    if action == "extension/dial_outbound":
        return _dial(state, fields, ("extid", "outto"), ("extid",))
    if action == "extension/playprompt":
        answer = _dial(state, fields, ("extid", "prompt"), ("extid",))
        if answer["status"] == "Success" and not set(fields["prompt"].split("+")) <= state.prompts:
            return {"status": "Failed", "errno": "10023"}
        return answer
    if action == "extension/hangup":
        return _hangup(state, fields)
    return {"status": "Failed", "errno": "10003"}


def _login(state: PbxState, fields: dict[str, str]) -> dict[str, Any]:
    if state.locked_until is not None:
        if state.clock() < state.locked_until:
            return {"status": "Failed", "errno": "20002"}
        state.locked_until, state.login_failures = None, 0
    expected = hashlib.md5(state.password.encode(), usedforsecurity=False).hexdigest()
    if fields.get("username") != state.username or fields.get("password") != expected:
        state.login_failures += 1
        if state.login_failures >= LOCKOUT_FAILURES:
            state.locked_until = state.clock() + state.lockout_seconds
        return {"status": "Failed", "errno": "20003"}
    state.login_failures = 0
    return {"status": "Success", "token": state.issue_token()}


def _carry_out(state: PbxState, action: str, fields: dict[str, str], remote: str | None) -> None:
    """Do what an accepted request asks beyond its answer: note where reports go, play calls.

    A call is played only for a PBX that was told where to report it.
    """
    if action in ("login", "heartbeat"):
        state.report_url = report_destination(fields, remote) or state.report_url
        if action == "login":
            state.report_format = fields.get("version")
    elif action in _CALLS and state.report_url:
        state.play(_CALLS[action](state, fields))
    elif action == "extension/hangup":
        # The PBX ends every call the extension is in.
        for call, task in list(state.playing.values()):
            if fields["extid"] in (call.caller, call.callee):
                call.hung_up = True
                task.cancel()


# The requests that place a call, and the call each plays.
_CALLS: dict[str, Any] = {
    "extension/dial_extension": lambda state, fields: PlayedCall(
        state, fields["caller"], fields["callee"], outbound=False
    ),
    "extension/dial_outbound": lambda state, fields: PlayedCall(
        state, fields["extid"], fields["outto"], outbound=True
    ),
    "extension/playprompt": lambda state, fields: PlayedPrompt(
        state, fields["extid"], fields["prompt"]
    ),
}


def _hangup(state: PbxState, fields: dict[str, str]) -> dict[str, Any]:
    extension = fields.get("extid", "")
    if not extension:
        return {"status": "Failed", "errno": "10004"}
    if extension not in state.extensions:
        return {"status": "Failed", "errno": "10006"}
    return {"status": "Success"}


def _dial(
    state: PbxState, fields: dict[str, str], required: tuple[str, ...], extensions: tuple[str, ...]
) -> dict[str, Any]:
    """Place a call that needs the ``required`` fields and rings the ``extensions`` given in them."""
    if not all(fields.get(name) for name in required):
        return {"status": "Failed", "errno": "10004"}
    for name in extensions:
        if fields[name] not in state.extensions:
            return {"status": "Failed", "errno": "10006"}
        if state.extensions[fields[name]] in ("Busy", "InUse"):
            return {"status": "Failed", "errno": "10008"}
    answer: dict[str, Any] = {"status": "Success"}
    if state.api_version == "v1.1.0":  # Yeastar answers with a call id, OpenVox does not
        answer["callid"] = f"{time.time():.3f}"
    return answer
