"""``python -m benchmarks.office``: a large office's PBX on a real hass, against a small one.

The simulated S-Series PBX lists 1,000 extensions; a second one lists four. Printed, never pass
or fail:
- setup: seconds from the config flow's answer until every extension has its sensor;
- memory: what the hass process grew by when the entry was added (resident set, MiB);
- idle: sensors rewritten during a minute in which nothing happens (their ``last_reported``);
- a burst of 50 reports a second about 30 of the entry's calls: the time from posting a report to
  its ``call_bridge_call_status`` arriving over the WebSocket API, median and 99th percentile,
  against the time a report takes through a no-op webhook (alternating, as the same burst).
Traffic goes to loopback only, in a bounded number of requests.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import statistics
import tempfile
import time
from typing import Any

from aiohttp import ClientSession

from devtools.api_client import HomeAssistantClient
from devtools.instance import Instance, running_instance
from devtools.provision import add_entry, pbx_form
from simulator.demo import FarSide

from .noop_webhook import WEBHOOK_ID

EXTENSIONS = 1000
IDLE_SECONDS = 60.0
CALLS = 30  # each with three steps: 90 reports (an entry follows its 32 newest calls)
RATE = 50.0  # reports a second
CONFIGURATION = """\
homeassistant:
  name: Call Bridge office benchmark
  time_zone: Asia/Shanghai
  external_url: "http://127.0.0.1:{port}"
api:
config:
noop_webhook:
logger:
  default: warning
"""


def rss_mib(pid: int) -> float:
    """Return a process's resident set size, in MiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def nothing(client: HomeAssistantClient, far_side: FarSide) -> dict[str, str]:
    """Set no entry up before the benchmark does."""
    return {}


async def sensors_of(client: HomeAssistantClient, prefix: str) -> list[dict[str, Any]]:
    async with client._session.get(  # noqa: SLF001 - the client's own session
        f"{client.base_url}/api/states", headers={"Authorization": f"Bearer {client.token}"}
    ) as response:
        states = await response.json()
    return [state for state in states if state["entity_id"].startswith(prefix)]


async def add_pbx(instance: Instance, port: int, prefix: str, count: int) -> tuple[float, float]:
    """Add a PBX through the flow; return the seconds until its sensors exist, and MiB grown."""
    pbx = instance.far_side.pbxs[port]
    before = rss_mib(instance.hass.pid)
    started = time.perf_counter()
    result = await add_entry(instance.client, "pbx", pbx_form(pbx, port))
    instance.entry_ids[prefix] = result["result"]["entry_id"]
    async with asyncio.timeout(300):
        while len(await sensors_of(instance.client, prefix)) < count:  # noqa: ASYNC110 - over HTTP
            await asyncio.sleep(0.2)
    took = time.perf_counter() - started
    await asyncio.sleep(2)
    return took, rss_mib(instance.hass.pid) - before


async def idle_rewrites(instance: Instance, prefix: str) -> int:
    """How many of the PBX's sensors were written during IDLE_SECONDS of nothing."""
    before = {s["entity_id"]: s["last_reported"] for s in await sensors_of(instance.client, prefix)}
    await asyncio.sleep(IDLE_SECONDS)
    after = await sensors_of(instance.client, prefix)
    return sum(state["last_reported"] != before.get(state["entity_id"]) for state in after)


async def burst(instance: Instance, port: int) -> tuple[list[float], list[float]]:
    """Report the calls' steps at RATE a second; time each to its status, and to a no-op answer."""
    client = instance.client
    entry_id = instance.entry_ids["sensor.openvox_uc501_extension_"]
    # Where the PBX was told to post (its login said so): the entry's webhook.
    report_url = instance.far_side.pbxs[port].report_url
    assert report_url is not None
    noop_url = f"{client.base_url}/api/webhook/{WEBHOOK_ID}"
    calls = []
    for number in range(CALLS):
        caller, callee = str(2000 + number), str(2500 + number)
        _, answer = await client.call_action(
            "call_bridge",
            "dial_extension",
            {"config_entry_id": entry_id, "caller": caller, "callee": callee},
        )
        calls.append((answer["service_response"]["call_id"], caller, callee))
    steps = [("RING", "calling_callee"), ("ANSWERED", "connected"), ("BYE", "disconnected")]
    ours: list[float] = []
    noop: list[float] = []
    pending: dict[tuple[str, str], float] = {}
    async with client.websocket() as ws, ClientSession() as session:
        subscribed = await ws.command(
            {"type": "subscribe_events", "event_type": "call_bridge_call_status"}
        )
        assert subscribed["success"]

        async def receive() -> None:
            while len(ours) < len(steps) * len(calls):
                event = (await ws.next_event())["data"]
                key = (event["call_id"], event["state"])
                if key in pending:
                    ours.append(time.perf_counter() - pending.pop(key))

        receiver = asyncio.create_task(receive())
        interval = 1 / RATE
        next_post = time.perf_counter()
        for index, (action, state) in enumerate(steps):
            for call_id, caller, callee in calls:
                body = {"action": action, "callid": "9.9", "ext": {"extid": [callee, caller]}}
                await asyncio.sleep(max(0.0, next_post - time.perf_counter()))
                next_post += interval
                if (index + len(noop)) % 2:  # alternate which goes first
                    noop.append(await timed_post(session, noop_url, body))
                    pending[(call_id, state)] = time.perf_counter()
                    await post(session, report_url, body)
                else:
                    pending[(call_id, state)] = time.perf_counter()
                    await post(session, report_url, body)
                    noop.append(await timed_post(session, noop_url, body))
        async with asyncio.timeout(30):
            await receiver
    return ours, noop


async def post(session: ClientSession, url: str, body: dict[str, Any]) -> None:
    async with session.post(url, json=body) as response:
        await response.read()


async def timed_post(session: ClientSession, url: str, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    await post(session, url, body)
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(instance: Instance) -> None:
    large_port, small_port = list(instance.far_side.pbxs)
    large = instance.far_side.pbxs[large_port]
    large.extensions = {str(2000 + n): "Registered" for n in range(EXTENSIONS)}
    small_took, small_grew = await add_pbx(instance, small_port, "sensor.yeastar_s50_extension_", 4)
    large_took, large_grew = await add_pbx(
        instance, large_port, "sensor.openvox_uc501_extension_", EXTENSIONS
    )
    print(f"\n{'large office':<34}{'1,000 ext.':>11}{'4 ext.':>9}{'ratio':>8}")
    print(f"{'setup, s':<34}{large_took:>11.2f}{small_took:>9.2f}{large_took / small_took:>8.1f}")
    print(f"{'memory grown, MiB':<34}{large_grew:>11.1f}{small_grew:>9.1f}")
    rewritten = await idle_rewrites(instance, "sensor.openvox_uc501_extension_")
    print(f"{'sensors rewritten in an idle minute':<34}{rewritten:>11d}{'':>9}")
    ours, noop = await burst(instance, large_port)
    print(
        f"{'50 reports/s, to call status, ms':<34}{'median':>11}{'p99':>9}\n"
        f"{'  Call Bridge':<34}{statistics.median(ours) * 1000:>11.1f}"
        f"{percentile(ours, 0.99) * 1000:>9.1f}\n"
        f"{'  a no-op webhook':<34}{statistics.median(noop) * 1000:>11.1f}"
        f"{percentile(noop, 0.99) * 1000:>9.1f}"
    )


async def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with running_instance(
            Path(folder),
            CONFIGURATION,
            step_delay=3600.0,
            extra_components=(Path(__file__).parent / "noop_webhook",),
            provision=nothing,
        ) as instance:
            await measure(instance)


if __name__ == "__main__":
    asyncio.run(run())
