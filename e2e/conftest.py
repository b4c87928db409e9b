"""One real ``hass`` process and the simulator for the whole run; nothing is left running after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from devtools.instance import Instance, running_instance
from simulator.demo import BUSY_NUMBER, UNANSWERED_NUMBER

__all__ = ["BUSY", "UNANSWERED", "Instance"]

BUSY = BUSY_NUMBER
UNANSWERED = UNANSWERED_NUMBER

CONFIGURATION = """\
homeassistant:
  name: Call Bridge end-to-end
  time_zone: Asia/Shanghai
  country: CN
  external_url: "http://127.0.0.1:{port}"
  # Where a PBX on this machine fetches the speech it plays (Home Assistant listens on loopback).
  internal_url: "http://127.0.0.1:{port}"
# What a person's browser needs, as in the demo's configuration.
frontend:
api:
config:
onboarding:
history:
logbook:
# Speech for the messages PBXs play (the demo engine: offline, as this machine is).
tts:
  - platform: demo
logger:
  default: warning
  logs:
    custom_components.call_bridge: debug
"""


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def instance(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Instance]:
    """Start the simulator and ``hass``; set a PBX and a OneNET entry up through the config flow."""
    async with running_instance(
        tmp_path_factory.mktemp("hass-config"), CONFIGURATION, step_delay=0.3
    ) as started:
        yield started
        assert_no_blocking_call(started)


def assert_no_blocking_call(instance: Instance) -> None:
    """Fail when Home Assistant saw Call Bridge block its event loop, after every test's actions."""
    log = instance.hass.log_path.read_text(encoding="utf-8")
    blocking = [line for line in log.splitlines() if "Detected blocking call" in line]
    assert not blocking, blocking[:3]
