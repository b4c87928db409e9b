"""What the demo and the end-to-end tests set up in a fresh instance: both kinds of entry, presets."""

from __future__ import annotations

import asyncio
from typing import Any

from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.yeastar_p import YeastarPState

from .api_client import HomeAssistantClient

OWNER_NAME = "Demo"
USERNAME = "demo"
PASSWORD = "call-bridge-demo"


def pbx_form(state: PbxState, port: int) -> dict[str, Any]:
    """Return the PBX form as a user fills it for a simulated PBX."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "username": state.username,
        "password": state.password,
        "ssl": False,
        "verify_ssl": True,
        "api_version": state.api_version,
        "payload_format": "json",
    }


def onenet_form(state: OneNetState, port: int) -> dict[str, Any]:
    """Return the OneNET form as a user fills it for the simulated OneNET's first application."""
    return {
        "app_id": state.app_id,
        "access_key": state.access_key,
        "sponsor": state.sponsor,
        "sign_method": "sha1",
        "base_url": f"http://127.0.0.1:{port}",
    }


def onenet_generation_2_form(state: OneNetState, port: int) -> dict[str, Any]:
    """Return the OneNET form as a user fills it for the simulated generation-2 account."""
    user = state.users[0]
    return {
        "api_generation": "2",
        "user_id": user.app_id,
        "access_key": user.access_key,
        "sponsor": user.sponsor,
        "sign_method": "sha1",
        "base_url": f"http://127.0.0.1:{port}",
    }


async def add_entry(client: HomeAssistantClient, kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """Add an entry of ``kind`` (the config flow's menu choice) with ``form``; return the result."""
    result = await client.config_flow("call_bridge", {"next_step_id": kind}, form)
    if result["type"] != "create_entry":
        raise RuntimeError(f"setting up the {kind} entry stopped at {result}")
    return result


async def add_onenet_generation_2(
    client: HomeAssistantClient, onenet: OneNetState, onenet_port: int
) -> dict[str, Any]:
    """Add the simulated generation-2 OneNET account through the real config flow."""
    return await add_entry(client, "onenet", onenet_generation_2_form(onenet, onenet_port))


def yeastar_p_form(state: YeastarPState, port: int) -> dict[str, Any]:
    """Return the P-Series form as a user fills it for the simulated P-Series PBX (plain HTTP)."""
    return {
        "host": "127.0.0.1",
        "port": port,
        "ssl": False,
        "verify_ssl": True,
        "client_id": state.client_id,
        "client_secret": state.client_secret,
    }


async def add_yeastar_p(
    client: HomeAssistantClient, state: YeastarPState, port: int
) -> dict[str, Any]:
    """Add the simulated P-Series PBX through the real config flow."""
    return await add_entry(client, "yeastar_p", yeastar_p_form(state, port))


async def sign_in(client: HomeAssistantClient) -> None:
    """Onboard a fresh instance, or log in to one onboarded before."""
    if await client.needs_onboarding():
        await client.onboard(OWNER_NAME, USERNAME, PASSWORD)
    else:
        await client.login(USERNAME, PASSWORD)


async def add_entries(
    client: HomeAssistantClient, pbx: PbxState, pbx_port: int, onenet: OneNetState, onenet_port: int
) -> dict[str, dict[str, Any]]:
    """Add a PBX and a OneNET entry through the real config flow; return the flows' results."""
    return {
        "pbx": await add_entry(client, "pbx", pbx_form(pbx, pbx_port)),
        "onenet": await add_entry(client, "onenet", onenet_form(onenet, onenet_port)),
    }


# The alarm's message presets: the PBX's extension 105 never answers; the OneNET phone answers and
# presses 1 (the simulator's keys). Button entity ids follow from the entries' and presets' names.
ALARM_PRESETS = {
    "pbx": {"name": "Alarm: kitchen", "extension": "105", "prompt": "alarm", "autoanswer": False},
    "onenet": {
        "name": "Alarm: caretaker",
        "number": "13900139000",
        "template": "1001",
        "variables": {"place": "厨房"},
        "collect_digits": 1,
    },
}
ALARM_TARGETS = [
    "button.openvox_uc501_alarm_kitchen",
    "button.onenet_voice_02066240222_alarm_caretaker",
]


async def add_alarm_presets(client: HomeAssistantClient, entry_ids: dict[str, str]) -> None:
    """Add the alarm's message presets through their flows; return once their buttons exist.

    A new preset reloads its entry, which adds the button a moment later.
    """
    for kind, preset in ALARM_PRESETS.items():
        result = await client.subentry_flow(entry_ids[kind], "message", preset)
        if result["type"] != "create_entry":
            raise RuntimeError(f"adding the {kind} alarm preset stopped at {result}")
    async with asyncio.timeout(30):
        for entity_id in ALARM_TARGETS:
            while await client.state(entity_id) is None:  # noqa: ASYNC110 - polled over HTTP
                await asyncio.sleep(0.1)
