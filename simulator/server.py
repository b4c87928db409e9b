"""Serve the simulated PBXs and OneNET on loopback ports, inside the caller's event loop."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from .onenet import OneNetState, create_onenet_app
from .pbx import PbxState, create_pbx_app


async def start_simulator(
    onenet: OneNetState,
    onenet_port: int,
    pbxs: Mapping[int, PbxState],
    *,
    host: str = "127.0.0.1",
) -> list[web.AppRunner]:
    """Start OneNET and one PBX per port of ``pbxs``; ``cleanup()`` each returned runner to stop."""
    services = [(create_onenet_app(onenet), onenet_port)]
    services += [(create_pbx_app(state), port) for port, state in pbxs.items()]
    runners = []
    try:
        for app, port in services:
            runner = web.AppRunner(app)
            await runner.setup()
            runners.append(runner)
            await web.TCPSite(runner, host, port).start()
    except BaseException:
        for runner in runners:
            await runner.cleanup()
        raise
    return runners
