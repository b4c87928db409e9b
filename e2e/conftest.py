"""One real ``hass`` process and the simulator for the whole run; nothing is left running after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from aiohttp import ClientSession
import pytest
import pytest_asyncio

from devtools.api_client import HomeAssistantClient
from devtools.hass_process import HomeAssistantProcess, free_port
from devtools.provision import add_entries, sign_in
from simulator.demo import BUSY_NUMBER, UNANSWERED_NUMBER, FarSide, far_side
from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.server import start_simulator

BUSY = BUSY_NUMBER
UNANSWERED = UNANSWERED_NUMBER

CONFIGURATION = """\
homeassistant:
  name: Call Bridge end-to-end
  time_zone: Asia/Shanghai
  country: CN
  external_url: "http://127.0.0.1:{port}"
# What a person's browser needs, as in the demo's configuration.
frontend:
api:
config:
onboarding:
history:
logbook:
logger:
  default: warning
  logs:
    custom_components.call_bridge: debug
"""


@dataclass
class Instance:
    """What the tests reach: Home Assistant's APIs, the simulator's state, the entries."""

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
        return self.far_side.onenet


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def instance(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Instance]:
    """Start the simulator and ``hass``; set a PBX and a OneNET entry up through the config flow."""
    simulated = far_side(
        0.3, onenet_port=free_port(), pbx_ports=(free_port(), free_port()), lockout_seconds=60
    )
    runners = await start_simulator(simulated.onenet, simulated.onenet_port, simulated.pbxs)
    config_dir: Path = tmp_path_factory.mktemp("hass-config")
    hass_port = free_port()
    (config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=hass_port))
    hass = HomeAssistantProcess(config_dir, hass_port)
    try:
        await hass.start()
        async with ClientSession() as session:
            client = HomeAssistantClient(session, hass.base_url)
            await sign_in(client)
            pbx_port, pbx = next(iter(simulated.pbxs.items()))
            results = await add_entries(
                client, pbx, pbx_port, simulated.onenet, simulated.onenet_port
            )
            yield Instance(
                hass=hass,
                client=client,
                far_side=simulated,
                entry_ids={kind: result["result"]["entry_id"] for kind, result in results.items()},
            )
    finally:
        await hass.stop()
        for runner in runners:
            await runner.cleanup()
