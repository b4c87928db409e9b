"""A real hass with Call Bridge set up against the simulator, on free loopback ports.

The end-to-end tests and the webhook benchmark start the same thing: the simulated far side, a
``hass`` process, an owner, and a PBX and a OneNET entry made through the config flow.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession

from simulator.demo import FarSide, far_side
from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.server import start_simulator

from .api_client import HomeAssistantClient
from .hass_process import HomeAssistantProcess, free_port
from .provision import add_entries, sign_in

type Provision = Callable[[HomeAssistantClient, FarSide], Awaitable[dict[str, str]]]


@dataclass
class Instance:
    """What a test or a benchmark reaches: Home Assistant's APIs, the simulator, the entries."""

    hass: HomeAssistantProcess
    client: HomeAssistantClient
    far_side: FarSide
    entry_ids: dict[str, str]

    @property
    def pbx(self) -> PbxState:
        """The PBX the instance has an entry for (the simulator's first)."""
        return next(iter(self.far_side.pbxs.values()))

    @property
    def onenet(self) -> OneNetState:
        """The simulated OneNET."""
        return self.far_side.onenet


@asynccontextmanager
async def running_instance(
    config_dir: Path,
    configuration: str,
    *,
    step_delay: float,
    extra_components: tuple[Path, ...] = (),
    provision: Provision = add_entries,
) -> AsyncIterator[Instance]:
    """Start the simulator and hass (``configuration`` has a ``{port}``); stop both afterwards.

    ``provision`` sets the entries up (a PBX and a OneNET entry unless told otherwise).
    """
    simulated = far_side(
        step_delay,
        onenet_port=free_port(),
        pbx_ports=(free_port(), free_port()),
        yeastar_p_port=free_port(),
        lockout_seconds=60,
    )
    runners = await start_simulator(simulated)
    port = free_port()
    (config_dir / "configuration.yaml").write_text(configuration.format(port=port))
    hass = HomeAssistantProcess(config_dir, port, extra_components)
    try:
        await hass.start()
        async with ClientSession() as session:
            client = HomeAssistantClient(session, hass.base_url)
            await sign_in(client)
            entry_ids = await provision(client, simulated)
            yield Instance(hass=hass, client=client, far_side=simulated, entry_ids=entry_ids)
    finally:
        await hass.stop()
        for runner in runners:
            await runner.cleanup()
