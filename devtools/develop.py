"""``scripts/develop``: the simulator and a Home Assistant with Call Bridge set up against it.

Runs until Ctrl-C, then stops Home Assistant cleanly. The instance keeps its state in ``config/``:
a second run logs in to the same instance.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
import logging
import signal

from aiohttp import ClientSession

from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.server import start_simulator

from .api_client import HomeAssistantClient
from .hass_process import REPO, HomeAssistantProcess
from .provision import PASSWORD, USERNAME, add_entries, sign_in

HASS_PORT = 8123
PBX_PORT = 9011
ONENET_PORT = 8002
BUSY_NUMBER = "8613800000486"
UNANSWERED_NUMBER = "8613800000480"

PRESETS = {
    "pbx": {"name": "Ring the kitchen", "caller": "101", "callee": "102", "autoanswer": True},
    "onenet": {"name": "Call the caretaker", "caller": "13800138000", "callee": "13900139000"},
}

BANNER = """
Call Bridge is running against the simulated PBX and OneNET.

  Home Assistant   {url}
  Log in as        {username} / {password}

Try it (Developer tools > Actions, YAML mode):

  action: call_bridge.dial_extension
  data:
    caller: "101"
    callee: "102"

  action: call_bridge.click_to_dial
  data:
    caller: "+86 138 0013 8000"
    callee: "139 0013 9000"

Watch the call go by in Developer tools > Events, listening to call_bridge_call_status,
or on the "Call status" entity of the OneNET device. A callee of 138 0000 0486 is busy,
138 0000 0480 never answers; extension 103 is busy, 999 does not exist.

Ctrl-C stops Home Assistant and the simulator. Home Assistant's log: {log}
"""


async def run() -> None:
    """Start everything, set it up once, and wait for Ctrl-C."""
    pbx = PbxState()
    onenet = OneNetState(
        step_delay=3.0,
        outcomes={BUSY_NUMBER: "busy", UNANSWERED_NUMBER: "no_answer"},
    )
    try:
        runners = await start_simulator(pbx, onenet, pbx_port=PBX_PORT, onenet_port=ONENET_PORT)
    except OSError as err:
        raise SystemExit(
            f"Cannot listen on ports {PBX_PORT} and {ONENET_PORT} ({err.strerror}): "
            "is another scripts/develop running?"
        ) from None
    hass = HomeAssistantProcess(REPO / "config", HASS_PORT)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        print(f"Starting Home Assistant on port {HASS_PORT} (the first start takes a minute)...")
        await hass.start()
        async with ClientSession() as session:
            client = HomeAssistantClient(session, hass.base_url)
            await sign_in(client)
            async with client.websocket() as ws:
                # Home Assistant 2026.10 moves configuration.yaml's http settings (loopback only)
                # into its own store and asks to confirm them; older releases do not know the command.
                await ws.command({"type": "http/config/promote"})
            if not await client.entries("call_bridge"):
                results = await add_entries(client, pbx, PBX_PORT, onenet, ONENET_PORT)
                for kind, preset in PRESETS.items():
                    entry_id = results[kind]["result"]["entry_id"]
                    await client.subentry_flow(entry_id, "preset", preset)
        print(
            BANNER.format(
                url=hass.base_url,
                username=USERNAME,
                password=PASSWORD,
                log=hass.log_path.relative_to(REPO),
            )
        )
        await stop.wait()
    finally:
        print("Stopping Home Assistant and the simulator...")
        await hass.stop()
        for runner in runners:
            with suppress(Exception):
                await runner.cleanup()


def main() -> None:
    """Run the demo."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run())


if __name__ == "__main__":
    main()
