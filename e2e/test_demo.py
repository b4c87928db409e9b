"""The demo as a newcomer meets it: its entries, and every action its banner prints, run as printed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import partial
import textwrap
from typing import Any

import pytest
import pytest_asyncio
import yaml

from devtools.asterisk import Office, running_office
from devtools.develop import banner
from devtools.instance import Instance, running_instance
from devtools.provision import ASTERISK_TITLE, DEMO_TITLES, provision_demo

from .conftest import CONFIGURATION, assert_no_blocking_call
from .test_real_home_assistant import follow_call, watching_call_status

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def office() -> AsyncIterator[Office]:
    """The demo's Asterisk (this machine has one: the setup installs it where the tests run)."""
    async with running_office() as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(tmp_path_factory: pytest.TempPathFactory, office: Office) -> AsyncIterator[Instance]:
    """A hass with the demo's entries, set up as ``scripts/develop`` sets them up."""
    async with running_instance(
        tmp_path_factory.mktemp("demo-config"),
        CONFIGURATION,
        step_delay=0.3,
        provision=partial(provision_demo, office=office),
    ) as started:
        yield started
        assert_no_blocking_call(started)


def printed_actions(text: str) -> list[dict[str, Any]]:
    """Return the actions a banner prints: its indented blocks that start with ``action:``."""
    blocks = [textwrap.dedent(block) for block in text.split("\n\n")]
    return [yaml.safe_load(block) for block in blocks if block.startswith("action: ")]


async def test_the_demo_s_entries_are_found_again_by_a_second_run(
    demo: Instance, office: Office
) -> None:
    entries = await demo.client.entries("call_bridge")
    assert {entry["title"] for entry in entries} == {*DEMO_TITLES.values(), ASTERISK_TITLE}
    assert await provision_demo(demo.client, demo.far_side, office) == demo.entry_ids


async def test_every_action_the_banner_prints_works_as_printed(demo: Instance) -> None:
    text = banner(
        await demo.client.version(),
        demo.hass.base_url,
        demo.entry_ids,
        demo.far_side.describe(),
        "home-assistant.log",
    )
    actions = printed_actions(text)
    assert [action["action"] for action in actions] == [
        "call_bridge.dial_extension",
        "call_bridge.dial_outbound",
        "call_bridge.click_to_dial",
        "call_bridge.play_message",
    ]
    outcomes = []
    async with watching_call_status(demo) as ws:
        for action in actions:
            service = action["action"].removeprefix("call_bridge.")
            _, statuses = await follow_call(ws, service, action["data"])
            outcomes.append(statuses[-1]["outcome"])
    # The P-Series' caller answers first; the outside number then is busy, as the banner says.
    assert outcomes == ["answered", "busy", "answered", "answered"]
