"""Serve the simulated PBXs and OneNET on loopback ports, inside the caller's event loop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .onenet import create_onenet_app
from .pbx import create_pbx_app
from .yeastar_p import create_yeastar_p_app

if TYPE_CHECKING:
    from .demo import FarSide


async def start_simulator(simulated: FarSide, *, host: str = "127.0.0.1") -> list[web.AppRunner]:
    """Start OneNET, the PBXs and the P-Series PBX; ``cleanup()`` each returned runner to stop."""
    services = [(create_onenet_app(simulated.onenet), simulated.onenet_port)]
    services += [(create_pbx_app(state), port) for port, state in simulated.pbxs.items()]
    services.append((create_yeastar_p_app(simulated.yeastar_p), simulated.yeastar_p_port))
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
