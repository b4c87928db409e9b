"""The incoming-call blueprint, imported into Home Assistant and rung from outside."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_mock_service
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from .conftest import PBX_BASE, REPORTS, SERIAL, pbx_requests, use_blueprint
from .test_incoming import add_contact

MUM = "13800138000"


async def set_up(hass: HomeAssistant, tmp_path: Path, **inputs: Any) -> None:
    await use_blueprint(hass, tmp_path, "incoming_call.yaml", "gate", inputs)


async def ring(hass: HomeAssistant, client: Any, caller: str) -> None:
    report = {
        "action": "ALERT",
        "callid": f"{caller}.1",
        "ext": {"extid": "101"},
        "inbound": {"from": caller, "to": "101", "trunk": "gate-line"},
        "sn": SERIAL,
    }
    assert (await client.post(REPORTS, json=report)).status == 200
    await hass.async_block_till_done()


async def test_a_contact_calling_opens_the_gate_and_is_hung_up(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    tmp_path: Path,
) -> None:
    mock_pbx.post(f"{PBX_BASE}/extension/hangup", json={"status": "Success"})
    await add_contact(hass, reporting, "Mum", ["+86 138 0013 8000"])
    opened = async_mock_service(hass, "test", "open_gate")
    await set_up(
        hass,
        tmp_path,
        entry=reporting.entry_id,
        callers=["Mum"],
        when_actions=[{"action": "test.open_gate"}],
        hang_up=True,
    )
    client = await hass_client_no_auth()
    await ring(hass, client, "13900139000")  # not on the list
    assert opened == []
    await ring(hass, client, MUM)
    assert len(opened) == 1
    [hangup] = pbx_requests(mock_pbx, "extension/hangup")
    assert json.loads(hangup[2])["extid"] == "101"


async def test_any_caller_when_no_one_is_chosen(
    hass: HomeAssistant,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    tmp_path: Path,
) -> None:
    opened = async_mock_service(hass, "test", "open_gate")
    await set_up(hass, tmp_path, when_actions=[{"action": "test.open_gate"}])
    client = await hass_client_no_auth()
    await ring(hass, client, "13900139000")
    await ring(hass, client, MUM)
    assert len(opened) == 2
