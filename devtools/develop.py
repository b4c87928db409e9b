"""``scripts/develop``: the simulator and a Home Assistant with Call Bridge set up against it.

Runs until Ctrl-C, SIGINT or SIGTERM, then stops Home Assistant and the simulator cleanly. The instance
keeps its state in ``config/``: a second run logs in to the same instance.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack, suppress
import itertools
import logging
import signal

from aiohttp import ClientSession

from simulator.demo import ONENET_PORT, PBX_PORTS, YEASTAR_P_PORT, far_side
from simulator.server import start_simulator

from .api_client import HomeAssistantClient
from .asterisk import ANSWERS, NEVER_ANSWERS, Office, have_asterisk, running_office
from .browser import FrontendStrings
from .hass_process import REPO, HomeAssistantProcess
from .provision import PASSWORD, USERNAME, provision_demo, sign_in

HASS_PORT = 8123
# How often someone calls the demo's first PBX from outside.
RING_EVERY = 30.0
# The demo's Asterisk: ARI, the PBX's SIP, its phones' SIP (fixed: its entry finds it again).
ASTERISK_PORTS = (8188, 5160, 5162)

BANNER = """
Call Bridge is running against the simulated PBXs and OneNET, in Home Assistant {version}.

  Home Assistant   {url}
  Log in as        {username} / {password}

Set up already: PBX 1 and OneNET app 1, each with a call preset and an alarm message preset
(buttons), the OneNET user of API generation 2 and the P-Series PBX{asterisk}. Add the
others yourself (Settings > Devices & services > Add integration > Call Bridge) with:

{services}

Try it ({tools} > Actions, YAML mode); each entry is named by its id, since there are several:

{examples}

Watch the call go by in {tools} > Events, listening to call_bridge_call_status, on the
"Call status" entity of each device, or in {activity}. A callee of 138 0000 0486 is busy,
138 0000 0480 never answers (through OneNET or dialled out by a PBX); extension 103 is busy, 999
does not exist. Turn on "Demo doorbell" (an input boolean) to see the doorbell blueprint call.
Turn on "Demo alarm" to see the alarm escalation blueprint ring extension 105 (which does not
answer) and the caretaker at once; the caretaker acknowledges with key 1, and 105 is hung up
(its trace: Settings > Automations > Demo alarm > Traces).

Every {ring_every:g} seconds someone calls from outside: PBX 1's extension 101, the P-Series'
2002{asterisk_callers}. It is Mum (a contact of the phonebook, under PBX 1) or a
stranger, answered or not. Watch the "Incoming calls" entity and the "Missed calls" sensor of
each device, or call_bridge_incoming_call in {tools} > Events.

Ctrl-C stops Home Assistant and the simulator. Home Assistant's log: {log}
"""


def examples(entry_ids: dict[str, str]) -> str:
    """Return the actions the banner prints, each naming the demo's entry it goes through."""
    return f"""\
  action: call_bridge.dial_extension
  data:
    config_entry_id: {entry_ids["pbx"]}
    caller: "101"
    callee: "102"

  action: call_bridge.dial_outbound
  data:
    config_entry_id: {entry_ids["yeastar_p"]}
    extension: "2001"
    number: "138 0000 0486"

  action: call_bridge.click_to_dial
  data:
    config_entry_id: {entry_ids["onenet"]}
    caller: "+86 138 0013 8000"
    callee: "139 0013 9000\"""" + (
        f"""

  action: call_bridge.play_message
  data:
    config_entry_id: {entry_ids["asterisk"]}
    extension: "103"
    prompt: hello-world"""
        if "asterisk" in entry_ids
        else ""
    )


def banner(version: str, url: str, entry_ids: dict[str, str], services: str, log: str) -> str:
    """Return what the demo prints once it is ready."""
    return BANNER.format(
        version=version,
        url=url,
        asterisk=(
            ",\nand a real Asterisk (Debian's) whose phones are dialplans and a SIPp phone"
            if "asterisk" in entry_ids
            else ""
        ),
        username=USERNAME,
        password=PASSWORD,
        services=services,
        examples=examples(entry_ids),
        log=log,
        ring_every=RING_EVERY,
        asterisk_callers=", Asterisk's 100 and 102" if "asterisk" in entry_ids else "",
        **menus(),
    )


def menus() -> dict[str, str]:
    """Return the names of the menus in the frontend that this Home Assistant serves.

    Recent releases moved the developer tools into Settings, as "Tools"; the frontend's own
    labels tell which release this is.
    """
    labels = FrontendStrings("en")
    tools = labels.by_key("ui.panel.config.dashboard.tools.main")
    settings = labels.by_key("panel.config")
    return {
        "tools": f"{settings} > {tools}" if tools else str(labels.by_key("panel.developer_tools")),
        "activity": str(labels.by_key("panel.logbook")),
    }


async def run() -> None:
    """Start everything, set it up once, and wait until told to stop."""
    simulated = far_side(3.0, onenet_port=ONENET_PORT, pbx_ports=PBX_PORTS, ring_every=RING_EVERY)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        runners = await start_simulator(simulated)
    except OSError as err:
        raise SystemExit(
            f"Cannot listen on ports {ONENET_PORT}, {PBX_PORTS} and {YEASTAR_P_PORT} "
            f"({err.strerror}): "
            "is another scripts/develop running?"
        ) from None
    hass = HomeAssistantProcess(REPO / "config", HASS_PORT)
    stack = AsyncExitStack()
    try:
        office = await start_office(stack)
        print(f"Starting Home Assistant on port {HASS_PORT} (the first start takes a minute)...")
        await hass.start()
        async with ClientSession() as session:
            client = HomeAssistantClient(session, hass.base_url)
            await sign_in(client)
            await client.ignore_installation_method_notice()
            entry_ids = await provision_demo(client, simulated, office)
            version = await client.version()
        services = simulated.describe() + (f"\n{office.describe()}" if office else "")
        if office is not None:
            ringer = asyncio.get_running_loop().create_task(ring_the_office(office))
            stack.callback(ringer.cancel)
        print(
            banner(
                version, hass.base_url, entry_ids, services, str(hass.log_path.relative_to(REPO))
            )
        )
        await stop.wait()
    finally:
        print("Stopping Home Assistant, Asterisk and the simulator...")
        await hass.stop()
        await stack.aclose()
        for runner in runners:
            with suppress(Exception):
                await runner.cleanup()


async def ring_the_office(office: Office) -> None:
    """Call Asterisk's phones from outside now and then: 102 never answers, 100 answers."""
    for extension in itertools.cycle((NEVER_ANSWERS, ANSWERS)):
        await asyncio.sleep(RING_EVERY)
        await office.farm.call_in(extension)
        await asyncio.sleep(RING_EVERY / 3)
        await office.farm.hang_up_callers()


async def start_office(stack: AsyncExitStack) -> Office | None:
    """Start the demo's Asterisk on its own ports, when the machine has one; ``stack`` stops it."""
    if not have_asterisk():
        print("No Asterisk on this machine (scripts/setup installs one): the demo goes without.")
        return None
    try:
        office = await stack.enter_async_context(running_office(ASTERISK_PORTS))
    except (RuntimeError, TimeoutError) as err:
        print(f"Asterisk did not start ({err}): the demo goes without.")
        return None
    try:
        await office.phone.register()  # the banner says 201 is a registered SIP phone
    except (RuntimeError, TimeoutError) as err:
        print(f"The SIPp phone did not register ({err}): extension 201 shows offline.")
    return office


def main() -> None:
    """Run the demo."""
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run())


if __name__ == "__main__":
    main()
