"""``python -m benchmarks.action``: ``call_bridge.dial_extension`` against its floor, on a real hass.

Three actions place the same call to the simulated PBX, over the same WebSocket connection:
Call Bridge's ``dial_extension``; ``raw_dial.dial``, the least an action can do (one POST through
Home Assistant's shared session); and ``rest_command``, the way people place such calls without an
integration. Rounds rotate the three, so that the machine's load weighs on each alike; the latency
of every call is kept, and medians, 99th percentiles and ratios are printed. Nothing passes or
fails. Traffic goes to loopback only, in a bounded number of calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
import statistics
import time
from typing import Any

from devtools.api_client import HomeAssistantWebSocket
from devtools.instance import Instance

from . import on_a_real_hass

ROUNDS = 30
CALLS = 50
TOKEN = "benchmark-static-token"  # noqa: S105 - the simulated PBX's, for this run only
CONFIGURATION = """\
homeassistant:
  name: Call Bridge benchmark
  time_zone: Asia/Shanghai
api:
config:
raw_dial:
rest_command:
  pbx_dial:
    url: "{{{{ url }}}}"
    method: post
    content_type: "application/json; charset=utf-8"
    payload: '{{"caller": "101", "callee": "102", "autoanswer": "no"}}'
logger:
  default: warning
"""

type Contestant = Callable[[HomeAssistantWebSocket], Any]


def _call(domain: str, service: str, data: dict[str, Any]) -> Contestant:
    async def call(websocket: HomeAssistantWebSocket) -> None:
        answer = await websocket.command(
            {
                "type": "call_service",
                "domain": domain,
                "service": service,
                "service_data": data,
                "return_response": True,
            }
        )
        assert answer["success"], answer

    return call


async def measure(instance: Instance) -> dict[str, list[float]]:
    """Rotating rounds of the three actions; every call's latency in seconds."""
    pbx_port, pbx = next(iter(instance.far_side.pbxs.items()))
    pbx.static_tokens.add(TOKEN)  # the baselines do not log in
    url = f"http://127.0.0.1:{pbx_port}/api/v0.0.1/extension/dial_extension?token={TOKEN}&type=json"
    contestants = {
        "call_bridge.dial_extension": _call(
            "call_bridge",
            "dial_extension",
            {"config_entry_id": instance.entry_ids["pbx"], "caller": "101", "callee": "102"},
        ),
        "raw_dial.dial": _call("raw_dial", "dial", {"url": url, "caller": "101", "callee": "102"}),
        "rest_command.pbx_dial": _call("rest_command", "pbx_dial", {"url": url}),
    }
    latencies: dict[str, list[float]] = {name: [] for name in contestants}
    names = list(contestants)
    async with instance.client.websocket() as websocket:
        for name in names:  # warm each up
            for _ in range(CALLS):
                await contestants[name](websocket)
        for number in range(ROUNDS):
            # Each goes first, second and third in turn.
            order = names[number % len(names) :] + names[: number % len(names)]
            for name in order:
                for _ in range(CALLS):
                    started = time.perf_counter()
                    await contestants[name](websocket)
                    latencies[name].append(time.perf_counter() - started)
    return latencies


def p99(values: list[float]) -> float:
    """Return the 99th percentile."""
    return statistics.quantiles(values, n=100)[98]


async def run() -> None:
    latencies = await on_a_real_hass(CONFIGURATION, Path(__file__).parent / "raw_dial", measure)
    floor = latencies["raw_dial.dial"]
    print(
        f"\n{'action on a real hass':<28}{'median':>10}{'p99':>10}{'median/floor':>14}{'p99/floor':>11}"
    )
    for name, values in latencies.items():
        print(
            f"{name:<28}{statistics.median(values) * 1000:>8.2f}ms{p99(values) * 1000:>8.2f}ms"
            f"{statistics.median(values) / statistics.median(floor):>14.2f}"
            f"{p99(values) / p99(floor):>11.2f}"
        )
    print(
        f"({ROUNDS} rotating rounds of {CALLS} calls each over one WebSocket; the floor is"
        " raw_dial.dial; target: dial_extension <= 1.05, and below rest_command)"
    )


if __name__ == "__main__":
    asyncio.run(run())
