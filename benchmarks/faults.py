"""``python -m benchmarks.faults``: how the P-Series' event connection fares against a faulty PBX.

Figures, never pass or fail, each against what the code did before this release:
- a PBX that refuses every new connection's token: reconnects and tokens asked per minute (the
  back-off's waits advance a clock of this script's own, so ten minutes take a second);
- a PBX that accepts the connection and never answers a heartbeat: the time to notice it, measured
  with short intervals and scaled to the defaults (heartbeat 30 s, timeout 10 s).
Everything runs on loopback, with bounded loops.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import ClientSession, WSMsgType, web

from custom_components.call_bridge.api.common import Backoff
from custom_components.call_bridge.api.yeastar_p import EventStream, YeastarPClient
from custom_components.call_bridge.api.yeastar_p.stream import HEARTBEAT

TOKEN = {
    "errcode": 0,
    "errmsg": "SUCCESS",
    "access_token_expire_time": 1800,
    "refresh_token_expire_time": 86400,
    "refresh_token": "r" * 32,
}
SIMULATED_MINUTES = 10
TIMEOUT = 10.0


class Counts:
    """What the faulty PBX was asked."""

    def __init__(self) -> None:
        """Nothing asked yet."""
        self.tokens = 0
        self.connections = 0


async def faulty_pbx(counts: Counts, *, refuse_tokens: bool) -> web.AppRunner:
    async def route(request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        if endpoint in ("get_token", "refresh_token"):
            counts.tokens += 1
            return web.json_response(TOKEN | {"access_token": f"{counts.tokens:032}"})
        if endpoint != "subscribe":
            return web.json_response({"errcode": 0, "errmsg": "SUCCESS"})
        counts.connections += 1
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        async for message in socket:
            if message.type is not WSMsgType.TEXT or message.data == "heartbeat":
                continue  # heartbeats are never answered
            answer = (
                '{"errcode":10004,"errmsg":"TOKEN EXPIRED"}'
                if refuse_tokens
                else ('{"errcode":0,"errmsg":"SUCCESS"}')
            )
            await socket.send_str(answer)
        return socket

    app = web.Application()
    app.router.add_route("*", "/openapi/v1.0/{endpoint:.+}", route)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


def port_of(runner: web.AppRunner) -> int:
    return int(runner.addresses[0][1])


def client(session: ClientSession, port: int, timeout: float) -> YeastarPClient:
    return YeastarPClient(
        "127.0.0.1",
        "client",
        "secret",
        port=port,
        ssl=False,
        session=session,
        request_timeout=timeout,
    )


async def refusing(session: ClientSession, backoff: Backoff, minutes: float) -> tuple[int, int]:
    """Reconnects and tokens in ``minutes`` of simulated time against a PBX that refuses tokens."""
    counts = Counts()
    runner = await faulty_pbx(counts, refuse_tokens=True)
    simulated = 0.0

    async def sleep(delay: float) -> None:
        nonlocal simulated
        simulated += delay
        await asyncio.sleep(0)

    stream = EventStream(
        client(session, port_of(runner), TIMEOUT), print, name="PBX", backoff=backoff, sleep=sleep
    )
    task = asyncio.create_task(stream.run())
    started = time.monotonic()
    # Polled: the stream's own progress, bounded in real time too.
    while simulated < minutes * 60 and time.monotonic() - started < 20:  # noqa: ASYNC110
        await asyncio.sleep(0.001)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await runner.cleanup()
    return counts.connections, counts.tokens


async def time_to_notice(session: ClientSession, heartbeat: float, deadline: float) -> float:
    """Seconds from connected to given up, against a PBX that never answers heartbeats."""
    counts = Counts()
    runner = await faulty_pbx(counts, refuse_tokens=False)
    states: list[tuple[bool, float]] = []
    stream = EventStream(
        client(session, port_of(runner), deadline),
        print,
        name="PBX",
        heartbeat=heartbeat,
        on_state=lambda up: states.append((up, time.monotonic())),
    )
    task = asyncio.create_task(stream.run())
    async with asyncio.timeout(30):
        while len(states) < 2:  # noqa: ASYNC110 - polled, bounded by the timeout
            await asyncio.sleep(0.001)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await runner.cleanup()
    return states[1][1] - states[0][1]


async def main() -> None:
    async with ClientSession() as session:
        print(f"{'refusing PBX, per minute':<34}{'reconnects':>11}{'tokens':>8}")
        connections, tokens = await refusing(session, Backoff(), SIMULATED_MINUTES)
        print(
            f"{'with back-off':<34}{connections / SIMULATED_MINUTES:>11.1f}"
            f"{tokens / SIMULATED_MINUTES:>8.1f}"
        )
        # Before: the delay started over after every "normal" end, so every attempt was at once
        # (seen: 634 reconnects and 634 tokens in 4 s).
        print(f"{'before (reset at each end), seen':<34}{634 / 4 * 60:>11.0f}{634 / 4 * 60:>8.0f}")
        scale = 100.0
        noticed = await time_to_notice(session, HEARTBEAT / scale, TIMEOUT / scale) * scale
        print(
            f"\n{'silent PBX noticed after':<34}{noticed:>11.1f} s (heartbeat 30 s, timeout 10 s)"
        )
        print(f"{'before: until the token renewal':<34}{25 * 60:>11.1f} s")


if __name__ == "__main__":
    asyncio.run(main())
