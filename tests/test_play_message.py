"""call_bridge.play_message: OneNET's voice notifications and the PBX's prompts, and their keys."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS

from .conftest import (
    APP_ID,
    REPORTS,
    WEBHOOK_ID,
    SetupEntry,
    mock_pbx_answers,
    onenet_answer,
    pbx_requests,
)
from .far_side import VOICE_URL

CALL_ID = "150104227912386807"


async def play(hass: HomeAssistant, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "play_message", fields, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


@pytest.fixture
async def onenet(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    aioclient_mock: AiohttpClientMocker,
    external_url: str,
) -> MockConfigEntry:
    """A OneNET entry whose voice notifications are accepted."""
    aioclient_mock.post(VOICE_URL, json=onenet_answer(data={"call_id": CALL_ID}))
    return await setup_entry(onenet_entry)


async def test_a_notification_that_collects_keys(
    hass: HomeAssistant,
    onenet: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    external_url: str,
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await play(
        hass,
        number="138 0013 8000",
        template="1001",
        variables={"place": "厨房", "floor": 2},
        collect_digits=1,
    )
    assert response == {
        "call_id": CALL_ID,
        "request_id": onenet_answer()["request_id"],
        "suppressed": False,
    }
    [(_, _, body, _)] = aioclient_mock.mock_calls
    assert json.loads(body) == {
        "appid": APP_ID,
        "participant_address": "8613800138000",
        "display": "02066240222",  # the business number, as no display is set
        "actions": [
            {
                "operation": "PlayAndCollect",
                "tts_template": "1001",
                "param_value": {"place": "厨房", "floor": "2"},
                "collect_length": "1",
                "replay_after_collection": "false",
            }
        ],
        "notify_url": f"{external_url}/api/webhook/{WEBHOOK_ID}",
    }
    client = await hass_client_no_auth()
    base = {"appid": APP_ID, "call_id": CALL_ID, "caller": "02066240222", "callee": "8613800138000"}
    for update in (
        {"status": "CallingCallee"},
        {"status": "Connected"},
        {"status": "CollectResult", "operation_result": "1"},
        {"status": "CollectResult", "operation_result": "9"},  # repeated: no event
        {"status": "Disconnected", "reason": "HangUp", "call_duration": "20"},
    ):
        answer = await client.post(f"/api/webhook/{WEBHOOK_ID}", json=base | update)
        assert answer.status == 200
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["digits"], e.data["outcome"]) for e in statuses] == [
        ("calling_callee", None, None),
        ("connected", None, None),
        ("collect_result", "1", None),
        ("disconnected", None, "answered"),
    ]
    state = hass.states.get("event.onenet_voice_02066240222_call_status")
    assert state is not None
    assert state.attributes["digits"] is None
    assert state.attributes["outcome"] == "answered"


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("CalleeUnregistere", "unreachable"),
        ("CalleenotReach", "unreachable"),
        ("CalleeReject", "rejected"),
        ("CalleeNoAnswer", "no_answer"),
    ],
)
async def test_a_notification_nobody_took(
    hass: HomeAssistant,
    onenet: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    reason: str,
    outcome: str,
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await play(hass, number="13800138000", template="1001", repeat=2)
    client = await hass_client_no_auth()
    body = {"appid": APP_ID, "call_id": CALL_ID, "status": "Disconnected", "reason": reason}
    assert (await client.post(f"/api/webhook/{WEBHOOK_ID}", json=body)).status == 200
    await hass.async_block_till_done()
    assert [(e.data["reason"], e.data["outcome"]) for e in statuses] == [(reason, outcome)]


async def test_keys_of_a_call_this_entry_did_not_place_fire_nothing(
    hass: HomeAssistant, onenet: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    forged = {"appid": APP_ID, "call_id": "1", "status": "CollectResult", "operation_result": "1"}
    assert (await client.post(f"/api/webhook/{WEBHOOK_ID}", json=forged)).status == 200
    odd = forged | {"call_id": CALL_ID, "operation_result": "1\n2"}
    assert (await client.post(f"/api/webhook/{WEBHOOK_ID}", json=odd)).status == 422
    await hass.async_block_till_done()
    assert statuses == []


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"number": "13800138000"}, "missing_field"),
        ({"extension": "101", "template": "1001"}, "missing_field"),
        ({"number": "13800138000", "template": "1" * 21}, "invalid_message"),
        ({"number": "12", "template": "1001"}, "invalid_phone_number"),
    ],
)
async def test_notifications_onenet_would_refuse_are_not_sent(
    hass: HomeAssistant,
    onenet: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    fields: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await play(hass, **fields)
    assert refused.value.translation_key == key
    assert aioclient_mock.call_count == 0


async def test_the_action_s_own_limits(hass: HomeAssistant, onenet: MockConfigEntry) -> None:
    for fields in (
        {"number": "13800138000", "template": "1001", "repeat": 2, "collect_digits": 1},
        {"number": "13800138000", "template": "1001", "collect_digits": 33},
        {"number": "13800138000", "extension": "101"},
        {"template": "1001"},
    ):
        with pytest.raises(vol.Invalid):
            await play(hass, **fields)


async def test_a_template_onenet_refuses(
    hass: HomeAssistant, onenet: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.clear_requests()
    aioclient_mock.post(VOICE_URL, json=onenet_answer("000004"))
    with pytest.raises(HomeAssistantError) as refused:
        await play(hass, number="13800138000", template="9999")
    assert refused.value.translation_key == "onenet_code_000004"


async def test_a_prompt_is_followed_with_its_keys(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    mock_pbx_answers(mock_pbx, {"extension/playprompt": {"json": {"status": "Success"}}})
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await play(hass, extension="10 1", prompt=["alarm", "press-1"], autoanswer=True)
    [request] = pbx_requests(mock_pbx, "extension/playprompt")
    assert json.loads(request[2]) == {
        "extid": "101",
        "prompt": "alarm+press-1",
        "autoanswer": "yes",
    }
    call_id = response["call_id"]
    assert call_id.startswith("call_bridge_")
    client = await hass_client_no_auth()
    for body in (
        '{"action":"RING","callid":"3.1","ext":{"extid":"101"}}',
        '{"action":"ANSWERED","callid":"3.2","call":[{"ext":{"extid":"101"}}]}',
        '{"action":"DTMF","callid":"3.2","ext":{"extid":"101"},"info":"1"}',
        '{"action":"DTMF","callid":"3.2","ext":{"extid":"101"},"info":"#"}',
        '{"action":"PlayPromptEnd","callid":"3.2","ext":{"extid":"101"},"prompt":"alarm"}',
        '{"action":"BYE","callid":"3.3","ext":{"extid":"101"}}',
    ):
        assert (await client.post(REPORTS, data=body)).status == 200
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["digits"], e.data["outcome"]) for e in statuses] == [
        ("calling_callee", None, None),
        ("connected", None, None),
        ("collect_result", "1", None),
        ("collect_result", "1#", None),
        ("disconnected", None, "answered"),
    ]
    assert {(e.data["call_id"], e.data["caller"], e.data["callee"]) for e in statuses} == {
        (call_id, "101", "101")
    }


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"extension": "101"}, "missing_field"),
        ({"number": "13800138000", "template": "1001"}, "missing_field"),
        ({"extension": "101", "prompt": "alarm+"}, "invalid_prompt"),
        ({"extension": "1O1", "prompt": "alarm"}, "invalid_extension"),
    ],
)
async def test_prompts_the_pbx_would_refuse_are_not_asked_for(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    reporting: MockConfigEntry,
    fields: dict[str, Any],
    key: str,
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await play(hass, **fields)
    assert refused.value.translation_key == key
    assert pbx_requests(mock_pbx, "extension/playprompt") == []


async def test_with_a_pbx_and_onenet_the_entry_is_named(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    reporting: MockConfigEntry,
    onenet: MockConfigEntry,
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await play(hass, number="13800138000", template="1001")
    assert refused.value.translation_key == "several_entries"
    response = await play(
        hass, config_entry_id=onenet.entry_id, number="13800138000", template="1001"
    )
    assert response["call_id"] == CALL_ID
