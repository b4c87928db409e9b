"""Message presets: subentries made in the UI become buttons that play their message."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import SetupEntry, mock_pbx_answers, onenet_answer, pbx_requests
from .far_side import VOICE_URL


async def message_form(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "message"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    return dict(result)


async def add_message(
    hass: HomeAssistant, entry: MockConfigEntry, fields: dict[str, Any]
) -> dict[str, Any]:
    form = await message_form(hass, entry)
    result = await hass.config_entries.subentries.async_configure(form["flow_id"], fields)
    await hass.async_block_till_done()
    return dict(result)


async def press(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call("button", "press", {"entity_id": entity_id}, blocking=True)


async def test_a_onenet_message_preset(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    aioclient_mock: AiohttpClientMocker,
    entity_registry: er.EntityRegistry,
) -> None:
    aioclient_mock.post(VOICE_URL, json=onenet_answer(data={"call_id": "7"}))
    await setup_entry(onenet_entry)
    form = await message_form(hass, onenet_entry)
    assert [str(key) for key in form["data_schema"].schema] == [
        "name",
        "number",
        "template",
        "variables",
        "repeat",
        "collect_digits",
    ]
    result = await add_message(
        hass,
        onenet_entry,
        {
            "name": "Water leak",
            "number": "138 0013 8000",
            "template": "1001",
            "variables": {"place": "厨房"},
            "collect_digits": 1,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entity_id = "button.onenet_voice_02066240222_water_leak"
    registered = entity_registry.async_get(entity_id)
    assert registered is not None
    assert registered.translation_key == "message"
    await press(hass, entity_id)
    [(_, _, body, _)] = aioclient_mock.mock_calls
    assert json.loads(body)["actions"] == [
        {
            "operation": "PlayAndCollect",
            "tts_template": "1001",
            "param_value": {"place": "厨房"},
            "collect_length": "1",
            "replay_after_collection": "false",
        }
    ]
    [subentry_id] = onenet_entry.subentries
    result = await hass.config_entries.subentries.async_init(
        (onenet_entry.entry_id, "message"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Water leak", "number": "13800138000", "template": "1002", "repeat": 2},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    await press(hass, entity_id)
    assert json.loads(aioclient_mock.mock_calls[-1][2])["actions"][0] == {
        "operation": "Play",
        "tts_template": "1002",
        "param_value": {},
        "relay_time": "2",
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"number": "12", "template": "1001"}, {"number": "invalid_phone_number"}),
        ({"number": "13800138000", "template": "1" * 21}, {"template": "invalid_message"}),
        (
            {"number": "13800138000", "template": "1001", "variables": {"a": {"b": 1}}},
            {"variables": "invalid_message"},
        ),
        (
            {"number": "13800138000", "template": "1001", "variables": ["a"]},
            {"variables": "invalid_message"},
        ),
    ],
)
async def test_a_onenet_message_preset_that_would_be_refused(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    fields: dict[str, Any],
    errors: dict[str, str],
) -> None:
    await setup_entry(onenet_entry)
    result = await add_message(hass, onenet_entry, {"name": "Leak"} | fields)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert not onenet_entry.subentries


async def test_a_pbx_message_preset(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(mock_pbx, {"extension/playprompt": {"json": {"status": "Success"}}})
    await setup_entry(pbx_entry)
    result = await add_message(
        hass, pbx_entry, {"name": "Alarm", "extension": "1O1", "prompt": "a"}
    )
    assert result["errors"] == {"extension": "invalid_extension"}
    result = await add_message(
        hass, pbx_entry, {"name": "Alarm", "extension": "101", "prompt": "alarm+"}
    )
    assert result["errors"] == {"prompt": "invalid_prompt"}
    result = await add_message(
        hass, pbx_entry, {"name": "Alarm", "extension": "102", "prompt": "alarm + press-1"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await press(hass, "button.openvox_uc501_alarm")
    [(_, _, body, _)] = pbx_requests(mock_pbx, "extension/playprompt")
    assert json.loads(body) == {"extid": "102", "prompt": "alarm+press-1", "autoanswer": "no"}
