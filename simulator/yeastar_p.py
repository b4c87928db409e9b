"""Simulated Yeastar P-Series PBX: OpenAPI tokens, calls and prompts, and events over WebSocket.

Token lifetimes are settable (``access_lifetime``, ``refresh_lifetime``), so that tests see a
refresh and a reconnect in seconds. An expired token is refused with 10004 over HTTP, and an open
event connection whose token expired gets a 10004 frame and is closed. ``drop_connections``
closes every event connection, as a network outage does.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import json
import secrets
import time
from typing import Any

from aiohttp import WSMsgType, web

LOCKOUT_FAILURES = 5


@dataclass
class YeastarPState:
    """What the simulated P-Series PBX knows; tests read ``requests`` and change the rest."""

    client_id: str = "call-bridge-client"
    client_secret: str = "p-series-client-secret"
    serial: str = "3631A2124001"
    model: str = "P-Series Software Edition"
    access_lifetime: float = 1800.0
    refresh_lifetime: float = 86400.0
    extensions: dict[str, str] = field(
        default_factory=lambda: {"2001": "available", "2002": "available", "2003": "away"}
    )
    # Extensions signed in on no phone or Linkus client.
    offline: set[str] = field(default_factory=set)
    # Callee -> "busy" or "no_answer"; any other answers. Prompts the PBX has, keys pressed.
    outcomes: dict[str, str] = field(default_factory=dict)
    prompts: set[str] = field(default_factory=lambda: {"alarm", "press-1"})
    keys: dict[str, str] = field(default_factory=dict)
    step_delay: float = 1.0
    # How long an answered call talks before it hangs up (None: one step).
    talk_seconds: float | None = None
    tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: dict[str, float] = field(default_factory=dict)
    login_failures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    subscriptions: dict[int, list[int]] = field(default_factory=dict)
    heartbeats: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    channels: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)

    def issue(self) -> dict[str, Any]:
        """Make a token pair, as get_token and refresh_token answer."""
        access, refresh = secrets.token_hex(16), secrets.token_hex(16)
        now = time.monotonic()
        self.tokens[access] = now + self.access_lifetime
        self.refresh_tokens[refresh] = now + self.refresh_lifetime
        return {
            "errcode": 0,
            "errmsg": "SUCCESS",
            "access_token_expire_time": round(self.access_lifetime),
            "access_token": access,
            "refresh_token_expire_time": round(self.refresh_lifetime),
            "refresh_token": refresh,
        }

    def valid(self, token: str | None) -> bool:
        """Whether an access token is one the PBX issued and has not expired."""
        return token is not None and self.tokens.get(token, 0.0) > time.monotonic()

    async def drop_connections(self) -> None:
        """Close every event connection, as an outage does."""
        for socket in list(self.sockets):
            await socket.close()

    async def broadcast(self, kind: int, msg: dict[str, Any]) -> None:
        """Send an event to every connection subscribed to it, ``msg`` encoded as a string."""
        frame = {"type": kind, "sn": self.serial, "msg": json.dumps(msg)}
        self.events.append(frame)
        for socket in list(self.sockets):
            if kind in self.subscriptions.get(id(socket), []) and not socket.closed:
                await socket.send_str(json.dumps(frame))


def _failure(errcode: int, errmsg: str) -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})


def create_yeastar_p_app(state: YeastarPState) -> web.Application:
    """Return the aiohttp application of a simulated P-Series PBX."""

    async def api(request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        token = request.query.get("access_token")
        if endpoint == "custom_prompt/upload":  # multipart, read as a form
            return web.json_response(await _upload(state, request, token))
        raw = await request.read()
        state.requests.append(
            {
                "method": request.method,
                "endpoint": endpoint,
                "query": dict(request.query),
                "user_agent": request.headers.get("User-Agent"),
                "body": raw.decode(),
            }
        )
        if endpoint == "subscribe":
            return await _subscribe(state, request, token)
        if not request.headers.get("User-Agent"):
            return _failure(40002, "PARAMETER ERROR")
        body: dict[str, Any] = json.loads(raw) if raw else {}
        if endpoint == "get_token":
            if state.login_failures >= LOCKOUT_FAILURES:
                return web.Response(status=403, text="blocked")
            if (body.get("username"), body.get("password")) != (
                state.client_id,
                state.client_secret,
            ):
                state.login_failures += 1
                return web.json_response(
                    {
                        "errcode": -1,
                        "errmsg": "FAILURE",
                        "invalid_param_list": [{"field": "username or password", "value": "error"}],
                    }
                )
            state.login_failures = 0
            return web.json_response(state.issue())
        if endpoint == "refresh_token":
            expiry = state.refresh_tokens.pop(str(body.get("refresh_token")), 0.0)
            if expiry <= time.monotonic():
                return _failure(10004, "TOKEN EXPIRED")
            return web.json_response(state.issue())
        if not state.valid(token):
            return _failure(10004, "TOKEN EXPIRED")
        return web.json_response(await _answer(state, endpoint, body))

    async def stop(app: web.Application) -> None:
        for task in list(state.tasks):
            task.cancel()
        await state.drop_connections()

    app = web.Application()
    app.router.add_route("*", "/openapi/v1.0/{endpoint:.+}", api)
    app.on_shutdown.append(stop)
    return app


async def _upload(state: YeastarPState, request: web.Request, token: str | None) -> dict[str, Any]:
    """Take an uploaded custom prompt: its name is the file's, without the extension."""
    form = await request.post()
    upload = form.get("file")
    state.requests.append(
        {
            "method": request.method,
            "endpoint": "custom_prompt/upload",
            "query": dict(request.query),
            "user_agent": request.headers.get("User-Agent"),
            "body": "",
            "file": upload.filename if isinstance(upload, web.FileField) else None,
        }
    )
    if not state.valid(token):
        return {"errcode": 10004, "errmsg": "TOKEN EXPIRED"}
    if not isinstance(upload, web.FileField) or form.get("is_check") != "force":
        return {"errcode": 40002, "errmsg": "PARAMETER ERROR"}
    name, _, extension = upload.filename.rpartition(".")
    content = upload.file.read()
    if extension not in ("wav", "mp3", "gsm") or len(content) > 8 * 1024 * 1024:
        return {"errcode": 40002, "errmsg": "PARAMETER ERROR"}
    state.prompts.add(name)
    state.uploads[name] = content
    return {"errcode": 0, "errmsg": "SUCCESS"}


async def _answer(state: YeastarPState, endpoint: str, body: dict[str, Any]) -> dict[str, Any]:
    success = {"errcode": 0, "errmsg": "SUCCESS"}
    if endpoint == "del_token":
        return success
    if endpoint == "system/information":
        return success | {
            "data": {
                "device_name": "PBX",
                "model_name": state.model,
                "sn": state.serial,
                "firmware_version": "83.20.0.21",
            }
        }
    if endpoint == "extension/list":
        rows = [
            {
                "id": n,
                "number": number,
                "caller_id_name": f"Extension {number}",
                "presence_status": p,
                "online_status": {
                    "sip_phone": {
                        "status": int(number not in state.offline),
                        "ext_dev_type": "sip",
                    },
                    "linkus_mobile": {"status": 0, "ext_dev_type": ""},
                },
            }
            for n, (number, p) in enumerate(state.extensions.items(), start=1)
        ]
        return success | {"total_number": len(rows), "data": rows}
    if endpoint in ("call/dial", "call/play_prompt"):
        caller = str(body.get("caller") or body.get("number") or "")
        if caller not in state.extensions:
            return {"errcode": 40002, "errmsg": "PARAMETER ERROR"}
        if endpoint == "call/play_prompt" and not set(body.get("prompts") or []) <= state.prompts:
            return {"errcode": 40002, "errmsg": "PARAMETER ERROR"}
        call_id = f"{time.time():.3f}"
        callee = caller if endpoint == "call/play_prompt" else str(body.get("callee", ""))
        task = asyncio.get_running_loop().create_task(
            _play(state, call_id, caller, callee, prompt=endpoint == "call/play_prompt")
        )
        state.tasks.add(task)
        task.add_done_callback(state.tasks.discard)
        return success | {"call_id": call_id}
    if endpoint == "call/hangup":
        call_id = state.channels.get(str(body.get("channel_id")))
        if call_id is None:
            return {"errcode": 40002, "errmsg": "PARAMETER ERROR"}
        for task in list(state.tasks):
            if task.get_name() == call_id:
                task.cancel()
        return success | {"call_id": call_id}
    return {"errcode": 40002, "errmsg": "INTERFACE NOT EXISTED"}


async def _subscribe(
    state: YeastarPState, request: web.Request, token: str | None
) -> web.StreamResponse:
    if not state.valid(token):
        return _failure(10004, "TOKEN EXPIRED")
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    state.sockets.append(socket)
    try:
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            if not state.valid(token):
                await socket.send_str('{"errcode":10004,"errmsg":"TOKEN EXPIRED"}')
                break
            if message.data == "heartbeat":
                state.heartbeats += 1
                await socket.send_str("heartbeat response")
                continue
            topics = json.loads(message.data).get("topic_list", [])
            state.subscriptions[id(socket)] = list(topics)
            await socket.send_str('{"errcode":0,"errmsg":"SUCCESS"}')
    finally:
        state.sockets.remove(socket)
        state.subscriptions.pop(id(socket), None)
        await socket.close()
    return socket


def _leg(number: str, channel: str, status: str) -> dict[str, Any]:
    return {
        "extension": {
            "number": number,
            "channel_id": channel,
            "member_status": status,
            "call_path": "",
        }
    }


async def _play(
    state: YeastarPState, call_id: str, caller: str, callee: str, *, prompt: bool
) -> None:
    """Send the call's events: ringing, answered or not, keys, the prompt's end, the record."""
    task = asyncio.current_task()
    assert task is not None
    task.set_name(call_id)
    caller_channel = f"PJSIP/{caller}-{secrets.token_hex(4)}"
    callee_channel = caller_channel if prompt else f"PJSIP/{callee}-{secrets.token_hex(4)}"
    state.channels[caller_channel] = state.channels[callee_channel] = call_id
    outcome = state.outcomes.get(callee, "answered")
    answered = False
    try:
        await state.broadcast(30008, {"extension": caller, "status": "Ringing"})
        await state.broadcast(
            30011,
            {
                "call_id": call_id,
                "members": [_leg(caller, caller_channel, "RING" if prompt else "ALERT")],
            },
        )
        await asyncio.sleep(state.step_delay)
        if not prompt:
            await state.broadcast(
                30011,
                {
                    "call_id": call_id,
                    "members": [
                        _leg(caller, caller_channel, "ANSWERED"),
                        _leg(callee, callee_channel, "RING"),
                    ],
                },
            )
            await asyncio.sleep(state.step_delay)
        if outcome in ("busy", "no_answer"):
            reason = "486 Busy here" if outcome == "busy" else "480 Temporatily Unavailable"
            await state.broadcast(
                30015,
                {
                    "call_id": call_id,
                    "reason": reason,
                    "members": [_leg(callee, callee_channel, "BYE")],
                },
            )
            await _end(
                state, call_id, caller, callee, "BUSY" if outcome == "busy" else "NO ANSWER", 0
            )
            return
        answered = True
        await state.broadcast(30008, {"extension": callee, "status": "Busy"})
        await state.broadcast(
            30011, {"call_id": call_id, "members": [_leg(callee, callee_channel, "ANSWER")]}
        )
        await asyncio.sleep(state.step_delay)
        for index, key in enumerate(state.keys.get(callee, "")):
            await state.broadcast(
                30017,
                {
                    "call_id": call_id,
                    "members": [_leg(callee, callee_channel, "ANSWER")],
                    "info": key,
                    "flag": index,
                    "infos": state.keys[callee][: index + 1],
                },
            )
        if prompt:
            await state.broadcast(
                30018,
                {
                    "call_id": call_id,
                    "members": [_leg(callee, callee_channel, "ANSWER")],
                    "prompt": "alarm",
                },
            )
        await asyncio.sleep(state.step_delay if state.talk_seconds is None else state.talk_seconds)
    finally:
        if answered:
            await asyncio.shield(_hang_up(state, call_id, caller, callee, callee_channel))


async def _hang_up(
    state: YeastarPState, call_id: str, caller: str, callee: str, channel: str
) -> None:
    await state.broadcast(30011, {"call_id": call_id, "members": [_leg(callee, channel, "BYE")]})
    await _end(state, call_id, caller, callee, status="ANSWERED", talk=5)


async def _end(
    state: YeastarPState, call_id: str, caller: str, callee: str, *, status: str, talk: int
) -> None:
    for number in {caller, callee}:
        await state.broadcast(30008, {"extension": number, "status": "Idle"})
    await state.broadcast(
        30012,
        {
            "call_id": call_id,
            "time_start": time.strftime("%Y-%m-%d %H:%M:%S"),
            "call_from": caller,
            "call_to": callee,
            "call_duration": talk + 2,
            "talk_duration": talk,
            "status": status,
            "type": "Internal",
        },
    )
