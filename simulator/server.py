"""Serve the simulated PBX and OneNET on loopback ports, inside the caller's event loop."""

from __future__ import annotations

from aiohttp import web

from .onenet import OneNetState, create_onenet_app
from .pbx import PbxState, create_pbx_app


async def start_simulator(
    pbx: PbxState, onenet: OneNetState, *, host: str = "127.0.0.1", pbx_port: int, onenet_port: int
) -> list[web.AppRunner]:
    """Start both services; ``cleanup()`` each returned runner to stop them."""
    runners = []
    for app, port in ((create_pbx_app(pbx), pbx_port), (create_onenet_app(onenet), onenet_port)):
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        runners.append(runner)
    return runners
