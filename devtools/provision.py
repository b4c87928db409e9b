"""What the demo and the end-to-end tests set up in a fresh instance: both kinds of entry, presets."""

from __future__ import annotations

import asyncio
from typing import Any

from simulator.demo import CONTACT_NAME, CONTACT_NUMBER, FarSide
from simulator.onenet import OneNetState
from simulator.pbx import PbxState
from simulator.yeastar_p import YeastarPState

from .api_client import HomeAssistantClient
from .asterisk import ARI_APP, ARI_PASSWORD, ARI_USER, AsteriskPbx, Office

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


def asterisk_form(pbx: AsteriskPbx) -> dict[str, Any]:
    """Return the Asterisk form as a FreePBX user fills it, for the test PBX's ARI on loopback."""
    return {
        "host": "127.0.0.1",
        "port": pbx.ari_port,
        "ssl": False,
        "verify_ssl": True,
        "username": ARI_USER,
        "password": ARI_PASSWORD,
        "app": ARI_APP,
        "context": "from-internal",
        "technology": "PJSIP",
    }


async def add_asterisk(client: HomeAssistantClient, pbx: AsteriskPbx) -> dict[str, Any]:
    """Add a running Asterisk through the real config flow."""
    return await add_entry(client, "asterisk", asterisk_form(pbx))


async def sign_in(client: HomeAssistantClient) -> None:
    """Onboard a fresh instance, or log in to one onboarded before."""
    if await client.needs_onboarding():
        await client.onboard(OWNER_NAME, USERNAME, PASSWORD)
    else:
        await client.login(USERNAME, PASSWORD)


async def add_entries(client: HomeAssistantClient, far_side: FarSide) -> dict[str, str]:
    """Add the first PBX and OneNET's first app through the real config flow; return their ids."""
    pbx_port, pbx = next(iter(far_side.pbxs.items()))
    results = {
        "pbx": await add_entry(client, "pbx", pbx_form(pbx, pbx_port)),
        "onenet": await add_entry(
            client, "onenet", onenet_form(far_side.onenet, far_side.onenet_port)
        ),
    }
    return {kind: result["result"]["entry_id"] for kind, result in results.items()}


# The demo's entries, as their flows title them; a second run of the demo finds them by these.
DEMO_TITLES = {
    "pbx": "OpenVox UC501",
    "onenet": "OneNET voice 02066240222",
    "onenet_generation_2": "OneNET voice 075528000005",
    "yeastar_p": "Yeastar P-Series Software Edition",
}
# The demo's Asterisk (when the machine has one), as its flow titles it.
ASTERISK_TITLE = "Asterisk 127.0.0.1"
# A call preset of each of the first two, as a person adds one.
DEMO_PRESETS = {
    "pbx": {"name": "Ring the kitchen", "caller": "101", "callee": "102", "autoanswer": True},
    "onenet": {"name": "Call the caretaker", "caller": "13800138000", "callee": "13900139000"},
}


# The phonebook's contact, who calls the first PBX now and then (the simulator's CALLERS).
DEMO_CONTACT = {"name": CONTACT_NAME, "numbers": [f"+86 {CONTACT_NUMBER}"]}


async def provision_demo(
    client: HomeAssistantClient, far_side: FarSide, office: Office | None = None
) -> dict[str, str]:
    """Set up the demo's entries and presets, once (a second run finds them); return their ids.

    With a running Asterisk (``office``), its entry too, once.
    """
    existing = {entry["title"]: entry["entry_id"] for entry in await client.entries("call_bridge")}
    if office is not None and ASTERISK_TITLE not in existing:
        result = await add_asterisk(client, office.pbx)
        existing[ASTERISK_TITLE] = result["result"]["entry_id"]
    asterisk = {"asterisk": existing[ASTERISK_TITLE]} if office is not None else {}
    if set(existing) - {ASTERISK_TITLE}:
        found = {kind: existing[title] for kind, title in DEMO_TITLES.items() if title in existing}
        return found | asterisk
    entry_ids = await add_entries(client, far_side)
    for kind, preset in DEMO_PRESETS.items():
        await client.subentry_flow(entry_ids[kind], "preset", preset)
    await client.subentry_flow(entry_ids["pbx"], "contact", DEMO_CONTACT)
    await add_alarm_presets(client, entry_ids)
    generation_2 = await add_onenet_generation_2(client, far_side.onenet, far_side.onenet_port)
    p_series = await add_yeastar_p(client, far_side.yeastar_p, far_side.yeastar_p_port)
    return (
        entry_ids
        | {
            "onenet_generation_2": generation_2["result"]["entry_id"],
            "yeastar_p": p_series["result"]["entry_id"],
        }
        | asterisk
    )


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
