"""OneNET entries of the second API generation: set up, calls placed, callbacks taken."""

from __future__ import annotations

import json
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS

from .conftest import ACCESS_KEY, ONENET_FORM, WEBHOOK_ID, SetupEntry, start_flow

GENERATION_2 = "https://openapi.heclouds.com/vcs"
DIAL = f"{GENERATION_2}?action=dialNotify&version=2"
USER_ID = "38055"
DATA = {
    "entry_type": "onenet",
    "api_generation": 2,
    "user_id": USER_ID,
    "access_key": ACCESS_KEY,
    "sponsor": "02066240222",
    "sign_method": "sha1",
    "base_url": "https://openapi.heclouds.com",
    "webhook_id": WEBHOOK_ID,
    "cloudhook": False,
}


def answer(**fields: Any) -> dict[str, Any]:
    return {"requestId": "2f1e", **fields}


async def test_a_generation_2_account_is_set_up(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, external_url: str
) -> None:
    aioclient_mock.post(DIAL, json=answer(success=False, code="iot.vcs.paramNullException"))
    result = await start_flow(hass, "onenet")
    form = {key: value for key, value in ONENET_FORM.items() if key not in ("app_id", "base_url")}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form | {"api_generation": "2", "user_id": f" {USER_ID} "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == f"userid/{USER_ID}"
    data = result["data"]
    assert (data["api_generation"], data["user_id"].strip(), "app_id" in data) == (
        2,
        USER_ID,
        False,
    )
    # Generation 1's address, left as it was, became generation 2's.
    assert data["base_url"] == "https://openapi.heclouds.com"
    [(_, url, body, headers)] = aioclient_mock.mock_calls
    assert str(url) == DIAL
    assert json.loads(body) == {}
    assert headers["Authorization"].startswith(f"version=2020-05-29&res=userid%2F{USER_ID}&")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"api_generation": "2", "user_id": ""}, {"user_id": "invalid_user_id"}),
        ({"api_generation": "2", "user_id": "38o55"}, {"user_id": "invalid_user_id"}),
        ({"api_generation": "1", "app_id": " "}, {"app_id": "app_id_required"}),
    ],
)
async def test_each_generation_needs_its_own_account(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    fields: dict[str, str],
    errors: dict[str, str],
) -> None:
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM | fields)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert aioclient_mock.call_count == 0


@pytest.fixture
async def generation_2(
    hass: HomeAssistant, setup_entry: SetupEntry, aioclient_mock: AiohttpClientMocker
) -> MockConfigEntry:
    aioclient_mock.post(DIAL, json=answer(success=True, data={"call_id": "777"}))
    return await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="OneNET voice 02066240222",
            data=DATA,
            unique_id=f"userid/{USER_ID}",
        )
    )


async def test_a_call_and_its_callbacks(
    hass: HomeAssistant,
    generation_2: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    external_url: str,
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await hass.services.async_call(
        DOMAIN,
        "click_to_dial",
        {"caller": "13800138000", "callee": "13900139000"},
        blocking=True,
        return_response=True,
    )
    assert response == {"call_id": "777", "request_id": "2f1e", "suppressed": False}
    [(_, url, body, _)] = aioclient_mock.mock_calls
    assert str(url) == DIAL
    assert json.loads(body) == {
        "sponsor": "02066240222",
        "caller": "8613800138000",
        "callee": "8613900139000",
        "notify_url": f"{external_url}/api/webhook/{WEBHOOK_ID}",
    }
    client = await hass_client_no_auth()
    hook = f"/api/webhook/{WEBHOOK_ID}"
    callback = {"user_id": int(USER_ID), "call_id": "777", "status": "Connected"}
    assert (await client.post(hook, json=callback)).status == 200
    # A body that names the account as generation 1 does is not this entry's.
    appid = {"appid": USER_ID, "call_id": "777", "status": "Disconnected"}
    assert (await client.post(hook, json=appid)).status == 403
    other = callback | {"user_id": 38056, "status": "Disconnected"}
    assert (await client.post(hook, json=other)).status == 403
    await hass.async_block_till_done()
    assert [(e.data["call_id"], e.data["state"]) for e in statuses] == [("777", "connected")]


async def test_a_voice_notification_and_its_keys(
    hass: HomeAssistant,
    generation_2: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
    hass_client_no_auth: ClientSessionGenerator,
    external_url: str,
) -> None:
    aioclient_mock.clear_requests()
    aioclient_mock.post(
        f"{GENERATION_2}?action=voiceNotify&version=2",
        json=answer(success=True, data={"call_id": "778"}),
    )
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await hass.services.async_call(
        DOMAIN,
        "play_message",
        {"number": "138 0013 8000", "template": "1001", "collect_digits": 1},
        blocking=True,
        return_response=True,
    )
    assert response == {"call_id": "778", "request_id": "2f1e", "suppressed": False}
    [(_, _, body, _)] = aioclient_mock.mock_calls
    sent = json.loads(body)
    assert "appid" not in sent  # generation 2 names the account in the signature only
    assert (sent["participant_address"], sent["notify_url"]) == (
        "8613800138000",
        f"{external_url}/api/webhook/{WEBHOOK_ID}",
    )
    assert sent["actions"][0]["operation"] == "PlayAndCollect"
    client = await hass_client_no_auth()
    base = {"user_id": int(USER_ID), "call_id": "778"}
    for update in (
        {"status": "Connected"},
        {"status": "CollectResult", "operation_result": "1"},
        {"status": "Disconnected", "reason": "HangUp"},
    ):
        assert (await client.post(f"/api/webhook/{WEBHOOK_ID}", json=base | update)).status == 200
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["digits"]) for e in statuses] == [
        ("connected", None),
        ("collect_result", "1"),
        ("disconnected", None),
    ]


async def test_a_generation_2_refusal_is_translated(
    hass: HomeAssistant, generation_2: MockConfigEntry, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.clear_requests()
    aioclient_mock.post(DIAL, json=answer(success=False, code="iot.vcs.ipWhiteListNotMatch"))
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            DOMAIN,
            "click_to_dial",
            {"caller": "13800138000", "callee": "13900139000"},
            blocking=True,
        )
    assert refused.value.translation_key == "onenet_code_ip_white_list_not_match"
    assert refused.value.translation_placeholders["code"] == "iot.vcs.ipWhiteListNotMatch"
