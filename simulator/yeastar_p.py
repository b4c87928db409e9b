"""Simulated Yeastar P-Series PBX: OpenAPI tokens, calls and prompts, and events over WebSocket.

It behaves as the real boxes of the reference's "Field evidence" do, not only as the documents
say: the caller's own ``ANSWERED`` comes before the callee's fate; a caller extension with two
devices rings on two channels, one of which hangs up at once; each call ends with several call
records (the callee's, then the caller's devices'); ``30015`` comes before the last ``BYE`` in one
call and after it in the next; an outside number that cannot be reached fails with
``"members": null``; the first frame of a connection is the plain text ``heartbeat response``; a
request with the wrong method answers ``10001``, and ``get_token`` answers ``60002`` once the
client holds ``token_limit`` live tokens.

Token lifetimes are settable (``access_lifetime``, ``refresh_lifetime``), so that tests see a
refresh and a reconnect in seconds. An expired token is refused with 10004 over HTTP, and an open
event connection whose token expired gets a 10004 frame and is closed. ``drop_connections``
closes every event connection, as a network outage does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
import itertools
import json
import secrets
import time
from typing import Any

from aiohttp import WSMsgType, web

from .callers import ring_now_and_then

LOCKOUT_FAILURES = 5
# Endpoints that take GET; every other takes POST (reference sections 2 to 6).
GET_ENDPOINTS = frozenset(
    {"del_token", "system/information", "extension/list", "extension/query", "call/query"}
)
# What an outcome of a callee gives: the reason of 30015 and the status of the callee's record.
FAILURES = {
    "busy": ("486 Busy Here", "BUSY"),
    "no_answer": ("480 Temporatily Unavailable", "NO ANSWER"),  # sic, as the PBX spells it
    "unreachable": ("NOT found", "FAILED"),
}
HUNG_UP = ("487 Request Terminated", "NO ANSWER")


@dataclass
class YeastarPState:
    """What the simulated P-Series PBX knows; tests read ``requests`` and change the rest."""

    client_id: str = "call-bridge-client"
    client_secret: str = "p-series-client-secret"
    serial: str = "3631A2124001"
    model: str = "P-Series Software Edition"
    access_lifetime: float = 1800.0
    refresh_lifetime: float = 86400.0
    # How many live tokens a client may hold (the CE documents 8).
    token_limit: int = 8
    extensions: dict[str, str] = field(
        default_factory=lambda: {"2001": "available", "2002": "available", "2003": "away"}
    )
    # Extensions signed in on no phone or Linkus client; those signed in on two (two channels).
    offline: set[str] = field(default_factory=set)
    two_devices: set[str] = field(default_factory=set)
    # Callee (an extension or an outside number) -> "busy", "no_answer" or "unreachable"; any
    # other answers. Prompts the PBX has, keys pressed.
    outcomes: dict[str, str] = field(default_factory=dict)
    prompts: set[str] = field(default_factory=lambda: {"alarm", "press-1"})
    keys: dict[str, str] = field(default_factory=dict)
    step_delay: float = 1.0
    # False: a dial is answered errcode 0 without a call id, and places nothing (a live report).
    call_ids: bool = True
    # How long an answered call talks before it hangs up (None: one step).
    talk_seconds: float | None = None
    # Whether 30015 comes before the last BYE; None: it alternates from call to call.
    failure_first: bool | None = None
    # Faults, for tests: endpoints never answered ("subscribe": the upgrade), heartbeats unanswered.
    unanswered: set[str] = field(default_factory=set)
    answers_heartbeats: bool = True
    tokens: dict[str, float] = field(default_factory=dict)
    refresh_tokens: dict[str, float] = field(default_factory=dict)
    login_failures: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    subscriptions: dict[int, list[int]] = field(default_factory=dict)
    heartbeats: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    # The calls being played, by call id; each channel names the call it is a leg of.
    playing: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    # Calls from outside that ring Home Assistant's PBX every so often (the demo's), in turn:
    # (caller, extension, answered), and the seconds between two.
    callers: list[tuple[str, str, bool]] = field(default_factory=list)
    ring_every: float = 60.0
    _orders: itertools.cycle[bool] = field(
        default_factory=lambda: itertools.cycle((True, False)), repr=False
    )

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

    def live_tokens(self) -> int:
        """How many tokens the client holds that have not expired or been given back."""
        now = time.monotonic()
        return sum(expiry > now for expiry in self.tokens.values())

    def next_failure_first(self) -> bool:
        """Whether this call's 30015 comes before its last BYE."""
        order = next(self._orders)
        return order if self.failure_first is None else self.failure_first

    def play(self, call_id: str, events: Coroutine[Any, Any, None]) -> None:
        """Play a call's ``events``; it is ended when the PBX stops, or hung up."""
        task = asyncio.get_running_loop().create_task(events)
        self.playing[call_id] = task
        task.add_done_callback(lambda _: self.playing.pop(call_id, None))

    def ring_in(self, caller: str, extension: str, *, answered: bool) -> None:
        """Play a call from outside to ``extension``, as the P570 captures show one."""
        call = CallComingIn(self, caller, extension)
        self.play(call.call_id, call.play(answered=answered))

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
        if endpoint in state.unanswered:
            await asyncio.Event().wait()  # until the server closes
        if endpoint == "subscribe":
            return await _subscribe(state, request, token)
        if not request.headers.get("User-Agent"):
            return _failure(40002, "PARAMETER ERROR")
        if (request.method == "GET") != (endpoint in GET_ENDPOINTS):
            # Seen on a P570: the wrong method reads as an endpoint that does not exist.
            return _failure(10001, "INTERFACE NOT EXISTED")
        body: dict[str, Any] = json.loads(raw) if raw else {}
        if endpoint == "get_token":
            return _get_token(state, body)
        if endpoint == "refresh_token":
            expiry = state.refresh_tokens.pop(str(body.get("refresh_token")), 0.0)
            if expiry <= time.monotonic():
                return _failure(10004, "TOKEN EXPIRED")
            return web.json_response(state.issue())
        if not state.valid(token):
            return _failure(10004, "TOKEN EXPIRED")
        if endpoint == "del_token":
            state.tokens.pop(str(token), None)
        return web.json_response(await _answer(state, endpoint, body))

    async def stop(app: web.Application) -> None:
        for task in list(state.playing.values()):
            task.cancel()
        await asyncio.gather(*state.playing.values(), return_exceptions=True)
        await state.drop_connections()

    app = web.Application()
    app.router.add_route("*", "/openapi/v1.0/{endpoint:.+}", api)
    ring_now_and_then(app, state)
    app.on_shutdown.append(stop)
    return app


def _get_token(state: YeastarPState, body: dict[str, Any]) -> web.Response:
    if state.login_failures >= LOCKOUT_FAILURES:
        return web.Response(status=403, text="blocked")
    if (body.get("username"), body.get("password")) != (state.client_id, state.client_secret):
        state.login_failures += 1
        return web.json_response(
            {
                "errcode": -1,
                "errmsg": "FAILURE",
                "invalid_param_list": [{"field": "username or password", "value": "error"}],
            }
        )
    state.login_failures = 0
    if state.live_tokens() >= state.token_limit:
        return _failure(60002, "MAX LIMITATION EXCEEDED")
    return web.json_response(state.issue())


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
                    "linkus_mobile": {
                        "status": int(number in state.two_devices),
                        "ext_dev_type": "",
                    },
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
        callee = caller if endpoint == "call/play_prompt" else str(body.get("callee", ""))
        if not state.call_ids:
            return success
        call = PlayedCall(
            state, f"{time.time():.3f}", caller, callee, endpoint == "call/play_prompt"
        )
        state.play(call.call_id, call.play())
        return success | {"call_id": call.call_id}
    if endpoint == "call/hangup":
        call_id = state.channels.get(str(body.get("channel_id")))
        if call_id is None or call_id not in state.playing:
            return {"errcode": 60001, "errmsg": "DATA NOT FOUND"}
        state.playing[call_id].cancel()
        return success | {"call_id": call_id}
    return {"errcode": 10001, "errmsg": "INTERFACE NOT EXISTED"}


async def _subscribe(
    state: YeastarPState, request: web.Request, token: str | None
) -> web.StreamResponse:
    if not state.valid(token):
        return _failure(10004, "TOKEN EXPIRED")
    socket = web.WebSocketResponse()
    await socket.prepare(request)
    state.sockets.append(socket)
    try:
        # Seen on a P570: the first frame, before anything was asked.
        await socket.send_str("heartbeat response")
        async for message in socket:
            if message.type is not WSMsgType.TEXT:
                break
            if not state.valid(token):
                await socket.send_str('{"errcode":10004,"errmsg":"TOKEN EXPIRED"}')
                break
            if message.data == "heartbeat":
                state.heartbeats += 1
                if state.answers_heartbeats:
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


class PlayedCall:
    """One call the simulated PBX plays, sending its events; hanging up ends it at once."""

    def __init__(
        self, state: YeastarPState, call_id: str, caller: str, callee: str, prompt: bool
    ) -> None:
        """Prepare the call and its channels; ``play`` runs it."""
        self.state = state
        self.call_id = call_id
        self.caller = caller
        self.callee = callee
        self.prompt = prompt
        self.to_extension = prompt or callee in state.extensions
        devices = 2 if caller in state.two_devices else 1
        self.caller_channels = [f"PJSIP/{caller}-{secrets.token_hex(4)}" for _ in range(devices)]
        self.callee_channel = (
            self.caller_channels[0]
            if prompt
            else f"PJSIP/{callee}-{secrets.token_hex(4)}"
            if self.to_extension
            else f"PJSIP/trunk-SIP1-endpoint-{secrets.token_hex(4)}"
        )
        for channel in (*self.caller_channels, self.callee_channel):
            state.channels[channel] = call_id
        self.started = time.monotonic()
        self.answered_at: float | None = None

    def _caller(self, status: str, channel: str | None = None) -> dict[str, Any]:
        return _extension(self.caller, channel or self.caller_channels[0], status)

    def _callee(self, status: str) -> dict[str, Any]:
        if self.to_extension:
            return _extension(self.callee, self.callee_channel, status)
        return {
            "outbound": {
                "from": self.caller,
                "to": self.callee,
                "trunk_name": "SIP1",
                "channel_id": self.callee_channel,
                "member_status": status,
                "call_path": "",
            }
        }

    async def _legs(self, *members: dict[str, Any]) -> None:
        await self.state.broadcast(30011, {"call_id": self.call_id, "members": list(members)})

    async def _extension_status(self, number: str, status: str) -> None:
        if number in self.state.extensions:
            await self.state.broadcast(30008, {"extension": number, "status": status})

    async def play(self) -> None:
        """Send the call's events: ringing, the caller's pick-up, the callee's fate, the records."""
        state, step = self.state, self.state.step_delay
        try:
            await self._extension_status(self.caller, "Ringing")
            if self.prompt:
                await self._legs(self._callee("RING"))
            else:
                await self._legs(*(self._caller("ALERT", c) for c in self.caller_channels))
            if len(self.caller_channels) > 1:
                # The second device gives up at once; the first goes on ringing.
                await self._legs(
                    self._caller("ALERT"), self._caller("BYE", self.caller_channels[1])
                )
            await asyncio.sleep(step)
            if not self.prompt:
                await self._legs(self._caller("ANSWERED"))
                await self._extension_status(self.caller, "Busy")
                await self._extension_status(self.callee, "Ringing")
                await self._legs(self._callee("RING"))
                await asyncio.sleep(step)
            outcome = state.outcomes.get(self.callee, "answered")
            if outcome in FAILURES:
                await self._fail(*FAILURES[outcome], no_members=outcome == "unreachable")
                return
            self.answered_at = time.monotonic()
            await self._extension_status(self.callee, "Busy")
            await self._legs(self._callee("ANSWER"))
            await asyncio.sleep(step)
            await self._keys_and_prompt_end()
            await asyncio.sleep(step if state.talk_seconds is None else state.talk_seconds)
            await self._hang_up()
        except asyncio.CancelledError:
            # Hung up by the API: an answered call ends, a ringing one fails as cancelled.
            await asyncio.shield(self._hang_up() if self.answered_at else self._fail(*HUNG_UP))
            raise

    async def _keys_and_prompt_end(self) -> None:
        keys = self.state.keys.get(self.callee, "")
        for index, key in enumerate(keys):
            await self.state.broadcast(
                30017,
                {
                    "call_id": self.call_id,
                    "members": [self._callee("ANSWER")],
                    "info": key,
                    "flag": index,
                    "infos": keys[: index + 1],
                },
            )
        if self.prompt:
            await self.state.broadcast(
                30018,
                {"call_id": self.call_id, "members": [self._callee("ANSWER")], "prompt": "alarm"},
            )

    async def _fail(self, reason: str, status: str, *, no_members: bool = False) -> None:
        """Fail the call the callee did not take: 30015 before or after the last BYE, the records."""
        failure = {
            "call_id": self.call_id,
            "reason": reason,
            "members": None if no_members else [self._callee("RING")],
        }
        failure_first = self.state.next_failure_first()
        if failure_first:
            await self.state.broadcast(30015, failure)
        await self._byes()
        if not failure_first:
            await self.state.broadcast(30015, failure)
        await self._records(status)

    async def _hang_up(self) -> None:
        await self._byes()
        await self._records("ANSWERED")

    async def _byes(self) -> None:
        """End the callee's leg, then the caller's (a message has only the callee's)."""
        await self._legs(self._callee("BYE"))
        if not self.prompt:
            await self._legs(self._caller("BYE"))

    async def _records(self, status: str) -> None:
        """Free the extensions; send the records: the callee's, then the caller's devices'."""
        talk = 0 if self.answered_at is None else round(time.monotonic() - self.answered_at) + 1
        for number in {self.caller, self.callee}:
            await self._extension_status(number, "Idle")
        kind = "Internal" if self.to_extension else "Outbound"
        await self._record(self.callee, status, kind, talk)
        if not self.prompt:
            if len(self.caller_channels) > 1:
                await self._record(self.caller, "NO ANSWER", "Internal", 0)
            await self._record(self.caller, "ANSWERED", "Internal", 0)

    async def _record(self, call_to: str, status: str, kind: str, talk: int) -> None:
        await self.state.broadcast(
            30012,
            {
                "call_id": self.call_id,
                "time_start": time.strftime("%Y-%m-%d %H:%M:%S"),
                "call_from": self.caller,
                "call_to": call_to,
                "call_duration": round(time.monotonic() - self.started),
                "talk_duration": talk,
                "src_trunk_name": "",
                "dst_trunk_name": "" if kind == "Internal" else "SIP1",
                "status": status,
                "type": kind,
                "recording": "",
            },
        )


class CallComingIn:
    """A call from an outside number through a trunk to an extension (the P570's frames)."""

    def __init__(self, state: YeastarPState, caller: str, extension: str) -> None:
        """Prepare the call and its two channels; ``play`` runs it."""
        self.state = state
        self.call_id = f"{time.time():.3f}"
        self.caller = caller
        self.extension = extension
        self.trunk_channel = f"PJSIP/trunk-SIP1-endpoint-{secrets.token_hex(4)}"
        self.channel = f"PJSIP/{extension}-{secrets.token_hex(4)}"
        for channel in (self.trunk_channel, self.channel):
            state.channels[channel] = self.call_id

    def _inbound(self, status: str) -> dict[str, Any]:
        return {
            "inbound": {
                "from": self.caller,
                "to": "075528000003",
                "trunk_name": "SIP1",
                "channel_id": self.trunk_channel,
                "member_status": status,
                "call_path": "",
            }
        }

    async def _legs(self, *members: dict[str, Any]) -> None:
        await self.state.broadcast(30011, {"call_id": self.call_id, "members": list(members)})

    async def play(self, *, answered: bool) -> None:
        """Ring the extension from the trunk; it answers and talks, or the caller gives up."""
        state, step = self.state, self.state.step_delay
        await self._legs(self._inbound("ALERT"))
        await state.broadcast(30008, {"extension": self.extension, "status": "Ringing"})
        await self._legs(_extension(self.extension, self.channel, "RING"), self._inbound("ALERT"))
        await asyncio.sleep(step * 2)
        talk = 0
        if answered:
            await state.broadcast(30008, {"extension": self.extension, "status": "Busy"})
            await self._legs(
                _extension(self.extension, self.channel, "ANSWER"), self._inbound("ANSWERED")
            )
            await asyncio.sleep(step * 2)
            talk = round(step * 2)
            await self._legs(_extension(self.extension, self.channel, "BYE"))
            await self._legs(self._inbound("BYE"))
        else:
            await state.broadcast(
                30015,
                {
                    "call_id": self.call_id,
                    "reason": "487 Request Terminated",
                    "members": [
                        _extension(self.extension, self.channel, "RING"),
                        self._inbound("BYE"),
                    ],
                },
            )
            await self._legs(_extension(self.extension, self.channel, "BYE"))
        await state.broadcast(30008, {"extension": self.extension, "status": "Idle"})
        await state.broadcast(
            30012,
            {
                "call_id": self.call_id,
                "time_start": time.strftime("%Y-%m-%d %H:%M:%S"),
                "call_from": self.caller,
                "call_to": self.extension,
                "talk_duration": talk,
                "src_trunk_name": "SIP1",
                "dst_trunk_name": "",
                "status": "ANSWERED" if answered else "NO ANSWER",
                "type": "Inbound",
                "recording": "",
            },
        )


def _extension(number: str, channel: str, status: str) -> dict[str, Any]:
    return {
        "extension": {
            "number": number,
            "channel_id": channel,
            "member_status": status,
            "call_path": "",
        }
    }
