"""``python -m benchmarks.webhook``: Call Bridge's webhook against a no-op one, on a real hass.

One hass process serves both: Call Bridge's OneNET webhook, with its default options, and the
``noop_webhook`` benchmark component's, which only reads the body and answers. Rounds alternate
between the two so that the machine's load weighs on both alike; the ratio is printed, nothing
passes or fails. Traffic goes to loopback only, in a bounded number of requests.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import statistics
import time

from aiohttp import ClientSession

from devtools.instance import Instance

from . import on_a_real_hass
from .noop_webhook import WEBHOOK_ID

ROUNDS = 20
POSTS = 300
CONFIGURATION = """\
homeassistant:
  name: Call Bridge benchmark
  time_zone: Asia/Shanghai
  external_url: "http://127.0.0.1:{port}"
api:
config:
noop_webhook:
logger:
  default: warning
"""


async def throughput(session: ClientSession, url: str, body: bytes) -> float:
    """Return requests per second, for POSTS sequential posts of ``body``."""
    started = time.perf_counter()
    for _ in range(POSTS):
        async with session.post(url, data=body) as response:
            await response.read()
    return POSTS / (time.perf_counter() - started)


async def measure(instance: Instance) -> list[float]:
    """Alternating rounds of posts to Call Bridge's webhook and to the no-op one."""
    client = instance.client
    ours = (await client.options_form(instance.entry_ids["onenet"]))["description_placeholders"][
        "webhook_url"
    ]
    _, answer = await client.call_action(
        "call_bridge",
        "click_to_dial",
        {"caller": "13800138000", "callee": "13900139000", "notify_url": "http://127.0.0.1:9/"},
    )
    # A callback of a call the entry placed, unsigned (the default options log it, at most once a
    # minute), delivered again and again.
    body = json.dumps(
        {
            "appid": instance.onenet.app_id,
            "call_id": answer["service_response"]["call_id"],
            "status": "Connected",
        }
    ).encode()
    noop = f"{instance.hass.base_url}/api/webhook/{WEBHOOK_ID}"
    ratios = []
    async with ClientSession() as session:
        await throughput(session, ours, body)  # warm both up
        await throughput(session, noop, body)
        for number in range(ROUNDS):
            # Each goes first every other round, so that going first weighs on both.
            if number % 2:
                base = await throughput(session, noop, body)
                mine = await throughput(session, ours, body)
            else:
                mine = await throughput(session, ours, body)
                base = await throughput(session, noop, body)
            ratios.append(mine / base)
    return ratios


async def run() -> None:
    ratios = await on_a_real_hass(CONFIGURATION, Path(__file__).parent / "noop_webhook", measure)
    print(f"\n{'webhook on a real hass':<26}{'ratio of a no-op webhook':>26}")
    print(
        f"{'callback throughput':<26}{statistics.median(ratios):>26.2f}"
        f"   (median of {ROUNDS} alternating rounds of {POSTS} posts; target >= 0.9)"
    )


if __name__ == "__main__":
    asyncio.run(run())
