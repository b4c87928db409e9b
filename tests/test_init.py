"""Setting entries up and down: devices, polls, reauthentication, cloudhooks, repairs."""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from types import ModuleType
from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState, ConfigSubentryData
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    APP_ID,
    CLOUDHOOK_URL,
    ONENET_DATA,
    ONENET_FORM,
    ONENET_URL,
    PBX_BASE,
    PBX_DATA,
    SERIAL,
    TOKEN,
    SetupEntry,
    mock_pbx_answers,
    onenet_answer,
    pbx_requests,
    start_flow,
)


async def test_pbx_device_and_logout(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    await setup_entry(pbx_entry)
    assert pbx_entry.state is ConfigEntryState.LOADED
    device = device_registry.async_get(pbx_entry.runtime_data.device_id)
    assert device is not None
    assert (
        device.manufacturer,
        device.model,
        device.sw_version,
        device.hw_version,
        device.serial_number,
    ) == (
        "OpenVox",
        "UC501",
        "4.1.1",
        "3.1",
        "a09805021987",
    )
    assert device.name == "OpenVox UC501"
    assert await hass.config_entries.async_unload(pbx_entry.entry_id)
    assert pbx_entry.state is ConfigEntryState.NOT_LOADED
    assert len(pbx_requests(mock_pbx, "logout")) == 1


async def test_pbx_not_ready_retries(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", exc=TimeoutError())
    await setup_entry(pbx_entry)
    assert pbx_entry.state is ConfigEntryState.SETUP_RETRY
    assert pbx_entry.reason is not None
    assert pbx_entry.reason.startswith("The PBX at 127.0.0.1 cannot be reached yet")


async def test_pbx_refused_credentials_start_reauth(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20003"})
    await setup_entry(pbx_entry)
    assert pbx_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_polls_keep_the_token_and_report_outages_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    heartbeat: dict[str, Any] = {"json": {"status": "Success"}}

    async def answer_heartbeat(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(method, url, **heartbeat)

    def replace_heartbeat(**answer: Any) -> None:
        heartbeat.clear()
        heartbeat.update(answer)

    async def minutes_later(minutes: int) -> None:
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=minutes))
        await hass.async_block_till_done()

    mock_pbx_answers(aioclient_mock, {"heartbeat": {"side_effect": answer_heartbeat}})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="OpenVox UC501",
        data=PBX_DATA,
        unique_id=SERIAL,
        subentries_data=[
            ConfigSubentryData(
                data={"caller": "101", "callee": "102", "autoanswer": False},
                subentry_type="preset",
                title="Front door",
                unique_id=None,
            )
        ],
    )
    await setup_entry(entry)
    button = "button.openvox_uc501_front_door"
    await minutes_later(6)
    beats = pbx_requests(aioclient_mock, "heartbeat")
    assert len(beats) == 2  # at setup, and five minutes later
    assert all(beat[1].query["token"] == TOKEN for beat in beats)
    assert len(pbx_requests(aioclient_mock, "extensionlist/query")) == 2
    assert entry.runtime_data.coordinator.data.keys() == {"101", "102"}

    replace_heartbeat(exc=TimeoutError())
    for minutes in (12, 18):
        await minutes_later(minutes)
    errors = [
        record
        for record in caplog.records
        if record.name.startswith("custom_components") and record.levelno >= logging.WARNING
    ]
    assert len(errors) == 1
    assert "OpenVox UC501" in errors[0].getMessage()
    assert "does not answer" in errors[0].getMessage()
    assert hass.states.get(button).state == STATE_UNAVAILABLE

    replace_heartbeat(json={"status": "Failed", "errno": "10003"})  # refused, but it answers
    await minutes_later(24)
    assert hass.states.get(button).state != STATE_UNAVAILABLE
    assert "Fetching OpenVox UC501 data recovered" in caplog.text
    assert TOKEN not in caplog.text


async def test_a_lockout_met_by_a_poll_is_waited_out(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_pbx_answers(aioclient_mock)
    await setup_entry(pbx_entry)
    aioclient_mock.clear_requests()
    mock_pbx_answers(
        aioclient_mock, {"heartbeat": {"json": {"status": "Failed", "errno": "20002"}}}
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done()
    assert not pbx_entry.runtime_data.available
    assert "locked Home Assistant's address out" in caplog.text
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []  # no reauth


async def test_heartbeat_refused_for_good_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    mock_pbx_answers(
        aioclient_mock, {"heartbeat": {"json": {"status": "Failed", "errno": "20004"}}}
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={"entry_type": "pbx", "host": "127.0.0.1", "port": 9011, "token": TOKEN},
        unique_id="a09805021987",
    )
    await setup_entry(entry)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=21))
    await hass.async_block_till_done()
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert (
        pbx_requests(aioclient_mock, "logout") == []
    )  # a static token is the user's: never logged out


async def test_onenet_device(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    await setup_entry(onenet_entry)
    device = device_registry.async_get(onenet_entry.runtime_data.device_id)
    assert device is not None
    assert (device.manufacturer, device.model, device.entry_type) == (
        "China Mobile",
        "OneNET voice",
        dr.DeviceEntryType.SERVICE,
    )
    assert await hass.config_entries.async_unload(onenet_entry.entry_id)


async def test_onenet_stored_key_unreadable_starts_reauth(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"access_key": "%%%"}, unique_id=APP_ID)
    )
    assert entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_removing_an_entry_removes_its_repair(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    await setup_entry(onenet_entry)
    issue_id = f"no_external_url_{onenet_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    await hass.config_entries.async_remove(onenet_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_cloudhook_created_used_and_deleted(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    fake_cloud: ModuleType,
    issue_registry: ir.IssueRegistry,
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description_placeholders"] == {"webhook_url": CLOUDHOOK_URL}
    entry = result["result"]
    assert entry.data["cloudhook"] is True
    fake_cloud.async_create_cloudhook.assert_awaited_once_with(hass, entry.data["webhook_id"])
    await hass.async_block_till_done()
    assert issue_registry.async_get_issue(DOMAIN, f"no_external_url_{entry.entry_id}") is None

    aioclient_mock.clear_requests()
    aioclient_mock.post(ONENET_URL, json=onenet_answer(data={"call_id": "1"}))
    await hass.services.async_call(
        DOMAIN, "click_to_dial", {"caller": "13800138000", "callee": "13900139000"}, blocking=True
    )
    assert json.loads(aioclient_mock.mock_calls[0][2])["notify_url"] == CLOUDHOOK_URL

    await hass.config_entries.async_remove(entry.entry_id)
    fake_cloud.async_delete_cloudhook.assert_awaited_once_with(hass, entry.data["webhook_id"])


async def test_cloud_not_connected(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, fake_cloud: ModuleType
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    fake_cloud.async_create_cloudhook.side_effect = fake_cloud.CloudNotAvailable()
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cloud_not_connected"


async def test_cloud_gone_later(
    hass: HomeAssistant,
    fake_cloud: ModuleType,
    setup_entry: SetupEntry,
    issue_registry: ir.IssueRegistry,
    mock_onenet: AiohttpClientMocker,
) -> None:
    fake_cloud.async_get_or_create_cloudhook.side_effect = fake_cloud.CloudNotAvailable()
    fake_cloud.async_delete_cloudhook.side_effect = fake_cloud.CloudNotAvailable()
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"cloudhook": True}, unique_id=APP_ID)
    )
    assert issue_registry.async_get_issue(DOMAIN, f"no_external_url_{entry.entry_id}") is not None
    await hass.config_entries.async_remove(
        entry.entry_id
    )  # the cloud's failure is not the user's problem


async def test_cloud_integration_removed_later(
    hass: HomeAssistant, setup_entry: SetupEntry, issue_registry: ir.IssueRegistry
) -> None:
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"cloudhook": True}, unique_id=APP_ID)
    )
    assert issue_registry.async_get_issue(DOMAIN, f"no_external_url_{entry.entry_id}") is not None
    await hass.config_entries.async_remove(entry.entry_id)


async def test_pbx_lockout_at_setup_waits_without_reauth(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20002"})
    await setup_entry(pbx_entry)
    assert pbx_entry.state is ConfigEntryState.SETUP_RETRY
    assert pbx_entry.reason is not None
    assert "locked" in pbx_entry.reason
    assert "10 minutes" in pbx_entry.reason
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_a_static_token_refused_at_setup_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/deviceinfo/query", json={"status": "Failed", "errno": "20004"})
    entry = await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            data={"entry_type": "pbx", "host": "127.0.0.1", "port": 9011, "token": TOKEN},
            unique_id="a09805021987",
        )
    )
    assert entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_a_login_refused_at_a_heartbeat_is_remembered(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    from unittest.mock import patch

    from custom_components.call_bridge.api.yeastar_s import PbxLoginRefusedError
    from custom_components.call_bridge.providers.yeastar_s.refusals import DATA_REFUSED_LOGINS

    await setup_entry(pbx_entry)
    client = pbx_entry.runtime_data.client
    with patch.object(
        type(client),
        "heartbeat",
        side_effect=PbxLoginRefusedError("20003", "refused", documented=True),
    ):
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=21))
        await hass.async_block_till_done()
    assert hass.data[DATA_REFUSED_LOGINS].errno(client.login_fingerprint) == "20003"
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
