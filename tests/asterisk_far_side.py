"""An Asterisk for the unit tests: ARI's answers and frames as a real Asterisk gave them.

Every answer and frame comes from ``fixtures/asterisk.json``, which ``python -m
devtools.asterisk_frames`` recorded from Debian's Asterisk 22 (``e2e/test_asterisk_frames.py``
checks it against a live one). A call placed here is answered with the channel Asterisk made, and
its recorded frames follow on every event connection, with the call's id in place of the
recording's. Tests may refuse any request, or push frames of their own.
"""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
import json
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

from devtools.asterisk import ARI_APP, ARI_PASSWORD, ARI_USER
from devtools.asterisk_frames import RECORDED_ID

RECORDING: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "asterisk.json").read_text(encoding="utf-8")
)


@dataclass
class AsteriskState:
    """What the replayed Asterisk answers, and what it was asked."""

    username: str = ARI_USER
    password: str = ARI_PASSWORD
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Requests refused, by "METHOD path": the status and the answer's body.
    refusals: dict[str, tuple[int, str]] = field(default_factory=dict)
    endpoints: list[dict[str, Any]] = field(
        default_factory=lambda: list(RECORDING["answers"]["endpoints"])
    )
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    # Whether a call's frames come before the answer to its request (Asterisk sends either way).
    frames_first: bool = False
    replays: bool = True

    @property
    def authorization(self) -> str:
        credentials = f"{self.username}:{self.password}".encode()
        return f"Basic {base64.b64encode(credentials).decode()}"

    def scenario_of(self, caller: str, callee: str | None) -> str | None:
        for name, scenario in RECORDING["scenarios"].items():
            if (scenario["caller"], scenario["callee"]) == (caller, callee):
                return str(name)
        return None

    @staticmethod
    def frames_of(scenario: str, call_id: str) -> list[dict[str, Any]]:
        """Return a recorded call's frames, as they would be for the call ``call_id``."""
        text = json.dumps(RECORDING["scenarios"][scenario]["frames"])
        return list(json.loads(text.replace(RECORDED_ID, call_id)))

    async def push(self, frames: list[dict[str, Any]] | list[str]) -> None:
        """Send frames (objects, or text as it is) on every open event connection."""
        for frame in frames:
            text = frame if isinstance(frame, str) else json.dumps(frame)
            for socket in list(self.sockets):
                await socket.send_str(text)

    async def drop_connections(self) -> None:
        """Close every event connection, as a restarting Asterisk does."""
        for socket in list(self.sockets):
            await socket.close()


def create_asterisk_app(state: AsteriskState) -> web.Application:
    """Return ARI's routes, answered as the recording says."""

    @web.middleware
    async def checked(request: web.Request, handler: Any) -> web.StreamResponse:
        body = await request.text()
        state.requests.append(
            {
                "method": request.method,
                "path": request.path.removeprefix("/ari/"),
                "query": dict(request.query),
                "body": body,
                "authorization": request.headers.get("Authorization"),
            }
        )
        if request.headers.get("Authorization") != state.authorization:
            return web.json_response({"message": "Authentication required"}, status=401)
        refusal = state.refusals.get(f"{request.method} {request.path.removeprefix('/ari/')}")
        if refusal is not None:
            return web.Response(status=refusal[0], text=refusal[1])
        return await handler(request)

    async def info(request: web.Request) -> web.Response:
        return web.json_response(RECORDING["answers"]["info"])

    async def endpoints(request: web.Request) -> web.Response:
        return web.json_response(state.endpoints)

    async def endpoint(request: web.Request) -> web.Response:
        for row in state.endpoints:
            if row["resource"] == request.match_info["resource"]:
                return web.json_response(row)
        return web.json_response({"message": "Endpoint not found"}, status=404)

    async def originate(request: web.Request) -> web.Response:
        query = request.query
        caller = query["endpoint"].split("/", 1)[1]
        call_id = query["channelId"]
        scenario = state.scenario_of(caller, query.get("extension"))
        frames = state.frames_of(scenario, call_id) if scenario and state.replays else []
        if state.frames_first:
            await state.push(frames)
        else:
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(state.push(frames)))
        return web.json_response(
            {"id": call_id, "name": f"PJSIP/{caller}-00000001", "state": "Down"}
        )

    async def play(request: web.Request) -> web.Response:
        return web.json_response({"id": request.query["playbackId"], "state": "queued"}, status=201)

    async def hang_up(request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def events(request: web.Request) -> web.WebSocketResponse:
        if request.query.get("app") != ARI_APP or request.query.get("subscribeAll") != "true":
            raise web.HTTPBadRequest
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        state.sockets.append(socket)
        try:
            async for message in socket:
                if message.type is WSMsgType.ERROR:
                    break
        finally:
            state.sockets.remove(socket)
        return socket

    app = web.Application(middlewares=[checked])
    app.router.add_get("/ari/asterisk/info", info)
    app.router.add_get("/ari/endpoints/PJSIP", endpoints)
    app.router.add_get("/ari/endpoints/PJSIP/{resource}", endpoint)
    app.router.add_post("/ari/channels", originate)
    app.router.add_post("/ari/channels/{id}/play", play)
    app.router.add_delete("/ari/channels/{id}", hang_up)
    app.router.add_get("/ari/events", events)
    return app
