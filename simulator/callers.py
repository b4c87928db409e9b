"""Calls from outside that a simulated PBX plays now and then, as the demo's PBXs ring Home Assistant."""

from __future__ import annotations

import asyncio
import itertools
from typing import Protocol

from aiohttp import web

# The task that rings Home Assistant now and then, kept by the application.
RINGER: web.AppKey[asyncio.Task[None]] = web.AppKey("ringer")


class Ringing(Protocol):
    """A simulated PBX's state that plays calls from outside."""

    # (caller, extension, answered), rung in turn, one every ``ring_every`` seconds.
    callers: list[tuple[str, str, bool]]
    ring_every: float

    def ring_in(self, caller: str, extension: str, *, answered: bool) -> None:
        """Play one call from outside."""


def ring_now_and_then(app: web.Application, state: Ringing) -> None:
    """Have the PBX that ``app`` serves ring in turn from ``state.callers``, while it runs."""

    async def ring_in_turn() -> None:
        for caller, extension, answered in itertools.cycle(state.callers):
            await asyncio.sleep(state.ring_every)
            state.ring_in(caller, extension, answered=answered)

    async def start(app: web.Application) -> None:
        if state.callers:
            app[RINGER] = asyncio.get_running_loop().create_task(ring_in_turn())

    async def stop(app: web.Application) -> None:
        if (ringer := app.get(RINGER)) is not None:
            ringer.cancel()

    app.on_startup.append(start)
    app.on_shutdown.append(stop)
