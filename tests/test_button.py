"""Call presets: subentries made in the UI become buttons that place their call."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import ONENET_URL, SetupEntry, mock_pbx_answers, pbx_requests


async def add_preset(
    hass: HomeAssistant, entry: MockConfigEntry, fields: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "preset"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], fields)
    await hass.async_block_till_done()
    return result


async def press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call("button", "press", {"entity_id": entity_id}, blocking=True)


async def test_pbx_preset_lifecycle(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    await setup_entry(pbx_entry)
    result = await add_preset(
        hass,
        pbx_entry,
        {"name": "Front door", "caller": "101", "callee": "1 02", "autoanswer": True},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    [subentry_id] = pbx_entry.subentries
    entity_id = "button.openvox_uc501_front_door"
    state = hass.states.get(entity_id)
    assert state is not None
    registry_entry = entity_registry.async_get(entity_id)
    assert registry_entry is not None
    assert registry_entry.device_id == pbx_entry.runtime_data.device_id

    await press(hass, entity_id)
    [(_, _, data, _)] = pbx_requests(mock_pbx, "extension/dial_extension")
    assert json.loads(data) == {"caller": "101", "callee": "102", "autoanswer": "yes"}

    result = await hass.config_entries.subentries.async_init(
        (pbx_entry.entry_id, "preset"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Garage", "caller": "102", "callee": "101", "autoanswer": False}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert pbx_entry.subentries[subentry_id].title == "Garage"
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["friendly_name"] == "OpenVox UC501 Garage"
    await press(hass, entity_id)
    dials = pbx_requests(mock_pbx, "extension/dial_extension")
    assert json.loads(dials[-1][2]) == {"caller": "102", "callee": "101", "autoanswer": "no"}

    hass.config_entries.async_remove_subentry(pbx_entry, subentry_id)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id) is None
    assert entity_registry.async_get(entity_id) is None


async def test_onenet_preset(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(onenet_entry)
    result = await add_preset(
        hass,
        onenet_entry,
        {"name": "Call mum", "caller": "138 0013 8000", "callee": "+86 139 0013 9000"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await press(hass, "button.onenet_voice_02066240222_call_mum")
    [(_, url, data, _)] = mock_onenet.mock_calls
    assert str(url) == ONENET_URL
    body = json.loads(data)
    assert (body["caller"], body["callee"]) == ("8613800138000", "8613900139000")


@pytest.mark.parametrize(
    ("kind", "fields", "errors"),
    [
        ("pbx", {"name": "x", "caller": "abc", "callee": "102"}, {"caller": "invalid_extension"}),
        (
            "onenet",
            {"name": "x", "caller": "123", "callee": "13900139000", "display": "1"},
            {"caller": "invalid_phone_number", "display": "invalid_phone_number"},
        ),
    ],
)
async def test_preset_numbers_are_checked(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    kind: str,
    fields: dict[str, str],
    errors: dict[str, str],
) -> None:
    entry: MockConfigEntry = request.getfixturevalue(f"{kind}_entry")
    entry.add_to_hass(hass)
    result = await add_preset(hass, entry, fields)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors


async def test_pressing_reports_failures(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(
        aioclient_mock,
        {"extension/dial_extension": {"json": {"status": "Failed", "errno": "10008"}}},
    )
    await setup_entry(pbx_entry)
    await add_preset(hass, pbx_entry, {"name": "Busy", "caller": "101", "callee": "103"})
    with pytest.raises(HomeAssistantError, match="10008"):
        await press(hass, "button.openvox_uc501_busy")
