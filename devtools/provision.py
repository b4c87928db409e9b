"""What the demo and the end-to-end tests set up in a fresh instance: both kinds of entry, presets."""

from __future__ import annotations

from typing import Any

from simulator.onenet import OneNetState
from simulator.pbx import PbxState

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
    results = {
        "pbx": await client.config_flow(
            "call_bridge", {"next_step_id": "pbx"}, pbx_form(pbx, pbx_port)
        ),
        "onenet": await client.config_flow(
            "call_bridge", {"next_step_id": "onenet"}, onenet_form(onenet, onenet_port)
        ),
    }
    for kind, result in results.items():
        if result["type"] != "create_entry":
            raise RuntimeError(f"setting up the {kind} entry stopped at {result}")
    return results
