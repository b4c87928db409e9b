"""One real ``hass`` process and the simulator for the whole module; nothing is left running after."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
import socket

from aiohttp import ClientSession
import pytest
import pytest_asyncio

from devtools.api_client import HomeAssistantClient
from devtools.hass_process import HomeAssistantProcess
from devtools.provision import add_entries, sign_in
from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.server import start_simulator

BUSY = "8613800000486"
UNANSWERED = "8613800000480"

CONFIGURATION = """\
homeassistant:
  name: Call Bridge end-to-end
  time_zone: Asia/Shanghai
  country: CN
  external_url: "http://127.0.0.1:{port}"
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
logger:
  default: warning
  logs:
    custom_components.call_bridge: debug
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Instance:
    """What the tests reach: Home Assistant's APIs, the simulator's state, the entries."""

    hass: HomeAssistantProcess
    client: HomeAssistantClient
    pbx: PbxState
    onenet: OneNetState
    entry_ids: dict[str, str]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def instance(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Instance]:
    """Start the simulator and ``hass``; set both entries up through the config flow over HTTP."""
    pbx = PbxState()
    onenet = OneNetState(step_delay=0.3, outcomes={BUSY: "busy", UNANSWERED: "no_answer"})
    pbx_port, onenet_port, hass_port = free_port(), free_port(), free_port()
    runners = await start_simulator(pbx, onenet, pbx_port=pbx_port, onenet_port=onenet_port)
    config_dir: Path = tmp_path_factory.mktemp("hass-config")
    (config_dir / "configuration.yaml").write_text(CONFIGURATION.format(port=hass_port))
    hass = HomeAssistantProcess(config_dir, hass_port)
    try:
        await hass.start()
        async with ClientSession() as session:
            client = HomeAssistantClient(session, hass.base_url)
            await sign_in(client)
            results = await add_entries(client, pbx, pbx_port, onenet, onenet_port)
            yield Instance(
                hass=hass,
                client=client,
                pbx=pbx,
                onenet=onenet,
                entry_ids={kind: result["result"]["entry_id"] for kind, result in results.items()},
            )
    finally:
        await hass.stop()
        for runner in runners:
            await runner.cleanup()
