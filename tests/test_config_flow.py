"""The config flow: menu, PBX, OneNET, errors, reauthentication, reconfiguration, options."""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    APP_ID,
    DEVICE_INFO,
    ONENET_FORM,
    ONENET_URL,
    PBX_BASE,
    PBX_FORM,
    SERIAL,
    TOKEN,
    SetupEntry,
    mock_pbx_answers,
    onenet_answer,
    start_flow,
)


async def test_pbx_with_api_user(hass: HomeAssistant, mock_pbx: AiohttpClientMocker) -> None:
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "OpenVox UC501"
    assert result["result"].unique_id == SERIAL
    assert result["data"] == {"entry_type": "pbx", "webhook_id": ANY} | PBX_FORM
    await hass.async_block_till_done()
    assert result["result"].state is ConfigEntryState.LOADED


async def test_pbx_with_static_token_drops_the_user(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker
) -> None:
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"token": TOKEN}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["token"] == TOKEN
    assert "username" not in result["data"]
    assert "password" not in result["data"]
    assert not any(str(url).endswith("/login") for _, url, _, _ in mock_pbx.mock_calls)


async def test_pbx_without_serial_is_identified_by_address(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/deviceinfo/query", json={"status": "Failed", "errno": "10003"})
    aioclient_mock.post(
        f"{PBX_BASE}/extensionlist/query", json={"status": "Success", "extlist": []}
    )
    result = await start_flow(hass, "pbx")
    with patch("custom_components.call_bridge.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], PBX_FORM | {"token": TOKEN}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "OpenVox PBX 127.0.0.1"
    assert result["result"].unique_id == "127.0.0.1:9011"


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"json": {"status": "Failed", "errno": "20003"}}, "invalid_auth"),
        ({"json": {"status": "Failed", "errno": "30003"}}, "invalid_auth"),
        ({"exc": TimeoutError()}, "cannot_connect"),
        ({"text": "<html>not the API</html>"}, "cannot_connect"),
    ],
)
async def test_pbx_errors_then_recovery(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, answer: dict[str, Any], error: str
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", **answer)
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}

    aioclient_mock.clear_requests()
    mock_pbx_answers(aioclient_mock)
    with patch("custom_components.call_bridge.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_pbx_unexpected_refusal_is_unknown(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, caplog: pytest.LogCaptureFixture
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/deviceinfo/query", json={"status": "Failed", "errno": "10003"})
    aioclient_mock.post(
        f"{PBX_BASE}/extensionlist/query", json={"status": "Failed", "errno": "10025"}
    )
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"token": TOKEN}
    )
    assert result["errors"] == {"base": "unknown"}
    assert "10025" in caplog.text
    assert TOKEN not in caplog.text


async def test_pbx_needs_credentials(hass: HomeAssistant) -> None:
    result = await start_flow(hass, "pbx")
    form = {key: value for key, value in PBX_FORM.items() if key != "password"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["errors"] == {"base": "missing_credentials"}


async def test_onenet_shows_the_webhook_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, external_url: str
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    result = await start_flow(hass, "onenet")
    with patch(
        "custom_components.call_bridge.providers.onenet.flow.webhook.async_generate_id",
        return_value="hookid",
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "OneNET voice 02066240222"
    assert result["result"].unique_id == APP_ID
    assert result["data"] == ONENET_FORM | {
        "entry_type": "onenet",
        "api_generation": 1,  # chosen by default
        "webhook_id": "hookid",
        "cloudhook": False,
    }
    assert result["description"] == "onenet"
    assert result["description_placeholders"] == {
        "webhook_url": f"{external_url}/api/webhook/hookid"
    }
    # The check sent no numbers: it cannot place a call.
    [(_, _, body, _)] = aioclient_mock.mock_calls
    assert body == f'{{"appid": "{APP_ID}"}}'.encode()


async def test_onenet_without_external_url_shows_the_best_url(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000004"))
    result = await start_flow(hass, "onenet")
    with patch(
        "custom_components.call_bridge.providers.onenet.flow.webhook.async_generate_id",
        return_value="hookid",
    ):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["description_placeholders"]["webhook_url"].endswith("/api/webhook/hookid")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"json": onenet_answer("000015")}, {"base": "invalid_auth"}),
        ({"json": onenet_answer("000002")}, {"base": "invalid_auth"}),
        ({"exc": TimeoutError()}, {"base": "cannot_connect"}),
        ({"json": onenet_answer("001009")}, {"base": "unknown"}),
        ({"json": onenet_answer("000000")}, {"base": "unknown"}),
        ({"text": "busy"}, {"base": "unknown"}),
    ],
)
async def test_onenet_errors(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    answer: dict[str, Any],
    error: dict[str, str],
) -> None:
    aioclient_mock.post(ONENET_URL, **answer)
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error


async def test_onenet_malformed_access_key(hass: HomeAssistant) -> None:
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {"access_key": "not base64 at all"}
    )
    assert result["errors"] == {"access_key": "invalid_access_key"}


@pytest.mark.parametrize(("kind", "form"), [("pbx", PBX_FORM), ("onenet", ONENET_FORM)])
async def test_already_configured(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    request: pytest.FixtureRequest,
    kind: str,
    form: dict[str, Any],
) -> None:
    request.getfixturevalue(f"{kind}_entry").add_to_hass(hass)
    result = await start_flow(hass, kind)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_pbx_reauth(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    result = await pbx_entry.start_reauth_flow(hass)
    assert result["step_id"] == "pbx_reauth"
    assert result["description_placeholders"]["name"] == "OpenVox UC501"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"token": TOKEN})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert pbx_entry.data["token"] == TOKEN
    assert "password" not in pbx_entry.data
    assert pbx_entry.data["host"] == "127.0.0.1"
    await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.LOADED


async def test_pbx_reauth_refused_then_accepted_sets_a_failed_entry_up(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20003"})
    await setup_entry(pbx_entry)
    assert pbx_entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "api", "password": "wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}

    aioclient_mock.clear_requests()
    mock_pbx_answers(aioclient_mock)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "api", "password": "new-password"}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.LOADED
    assert pbx_entry.data["password"] == "new-password"


async def test_pbx_reauth_reaching_another_pbx(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    other = {"status": "Success", "deviceinfo": DEVICE_INFO["deviceinfo"] | {"sn": "another"}}
    aioclient_mock.post(f"{PBX_BASE}/deviceinfo/query", json=other)
    result = await pbx_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"token": TOKEN})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"


async def test_onenet_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, onenet_entry: MockConfigEntry
) -> None:
    onenet_entry.add_to_hass(hass)
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    new_key = "bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA=="
    result = await onenet_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"access_key": new_key}
    )
    assert result["reason"] == "reauth_successful"
    assert onenet_entry.data["access_key"] == new_key
    assert (
        onenet_entry.data["webhook_id"]
        == "5f6b9e2f0c3a4d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
    )
    await hass.async_block_till_done()
    assert onenet_entry.state is ConfigEntryState.LOADED


async def test_pbx_reconfigure(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    result = await pbx_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "pbx_reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"verify_ssl": False}
    )
    assert result["reason"] == "reconfigure_successful"
    assert pbx_entry.data["verify_ssl"] is False
    assert pbx_entry.unique_id == SERIAL
    await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.LOADED


async def test_pbx_reconfigure_errors_and_other_device(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    aioclient_mock.post(f"{PBX_BASE}/login", exc=TimeoutError())
    result = await pbx_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["errors"] == {"base": "cannot_connect"}
    aioclient_mock.clear_requests()
    other = {"status": "Success", "deviceinfo": DEVICE_INFO["deviceinfo"] | {"sn": "another"}}
    mock_pbx_answers(aioclient_mock, {"deviceinfo/query": {"json": other}})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["reason"] == "wrong_device"


async def test_onenet_reconfigure(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, onenet_entry: MockConfigEntry
) -> None:
    onenet_entry.add_to_hass(hass)
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    result = await onenet_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {"sponsor": "8613500000003", "sign_method": "sha256"}
    )
    assert result["reason"] == "reconfigure_successful"
    assert onenet_entry.data["sponsor"] == "8613500000003"
    assert (
        onenet_entry.data["webhook_id"]
        == "5f6b9e2f0c3a4d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
    )
    await hass.async_block_till_done()
    assert onenet_entry.state is ConfigEntryState.LOADED

    result = await onenet_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {"app_id": "another"}
    )
    assert result["reason"] == "wrong_account"

    result = await onenet_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {"access_key": "%%%"}
    )
    assert result["errors"] == {"access_key": "invalid_access_key"}


async def test_pbx_options(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    result = await hass.config_entries.options.async_init(pbx_entry.entry_id)
    assert result["step_id"] == "pbx_options"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"cooldown": 30, "timeout": 5, "autoanswer": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert pbx_entry.options == {"cooldown": 30, "timeout": 5, "autoanswer": True}
    assert pbx_entry.runtime_data.client.request_timeout == 5


async def test_onenet_options_show_the_url(
    hass: HomeAssistant, onenet_entry: MockConfigEntry, setup_entry: SetupEntry, external_url: str
) -> None:
    await setup_entry(onenet_entry)
    result = await hass.config_entries.options.async_init(onenet_entry.entry_id)
    assert result["step_id"] == "onenet_options"
    assert result["description_placeholders"]["webhook_url"] == (
        f"{external_url}/api/webhook/{onenet_entry.data['webhook_id']}"
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"cooldown": 0, "timeout": 10, "send_notify_url": False, "verify_callbacks": "enforce"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert onenet_entry.options["verify_callbacks"] == "enforce"


LOCKED_OUT = {"json": {"status": "Failed", "errno": "20002"}}


async def test_pbx_lockout_is_reported_as_a_lockout_with_the_wait(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", **LOCKED_OUT)
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM)
    assert result["errors"] == {"base": "locked_out"}
    assert result["description_placeholders"]["minutes"] == "10"


async def test_pbx_reauth_reports_a_lockout(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    aioclient_mock.post(f"{PBX_BASE}/login", **LOCKED_OUT)
    result = await pbx_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"username": "api", "password": "new-password"}
    )
    assert result["errors"] == {"base": "locked_out"}
    assert result["description_placeholders"]["minutes"] == "10"


@pytest.mark.parametrize(
    ("model", "api_version"),
    [("openvox_uc", "v0.0.1"), ("yeastar_s", "v1.1.0"), ("v1.1.0", "v1.1.0")],
)
async def test_pbx_model_is_stored_as_its_api_version(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, model: str, api_version: str
) -> None:
    base = f"http://127.0.0.1:9011/api/{api_version}"
    aioclient_mock.post(f"{base}/deviceinfo/query", json=DEVICE_INFO)
    result = await start_flow(hass, "pbx")
    schema = result["data_schema"].schema
    [api_field] = [key for key in schema if key == "api_version"]
    assert api_field.default() == "openvox_uc"
    with patch("custom_components.call_bridge.async_setup_entry", return_value=True):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], PBX_FORM | {"token": TOKEN, "api_version": model}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["api_version"] == api_version


async def test_pbx_model_refuses_other_values(hass: HomeAssistant) -> None:
    from homeassistant.data_entry_flow import InvalidData

    result = await start_flow(hass, "pbx")
    with pytest.raises(InvalidData):
        await hass.config_entries.flow.async_configure(
            result["flow_id"], PBX_FORM | {"api_version": "v9"}
        )


async def test_pbx_reconfigure_shows_the_model(
    hass: HomeAssistant, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    result = await pbx_entry.start_reconfigure_flow(hass)
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["api_version"] == "openvox_uc"
    assert result["description_placeholders"]["address"] == "127.0.0.1:9011"


async def test_onenet_cannot_connect_names_onenet(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.post(ONENET_URL, exc=TimeoutError())
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM)
    assert result["errors"] == {"base": "cannot_connect"}
    assert result["description_placeholders"] == {
        "service": "OneNET",
        "address": "http://127.0.0.1:8002",
    }


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"sponsor": "12345"}, {"sponsor": "invalid_phone_number"}),
        ({"display": "0"}, {"display": "invalid_phone_number"}),
        (
            {"sponsor": "x", "display": "+1 415 555 0100"},
            {
                "sponsor": "invalid_phone_number",
                "display": "invalid_phone_number",
            },
        ),
    ],
)
async def test_onenet_business_number_is_checked(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    fields: dict[str, str],
    errors: dict[str, str],
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], ONENET_FORM | fields)
    assert result["errors"] == errors
    assert aioclient_mock.mock_calls == []  # refused before anything was sent


@pytest.mark.parametrize("field", ["sponsor", "display"])
async def test_onenet_reconfigure_checks_the_business_number(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    field: str,
) -> None:
    onenet_entry.add_to_hass(hass)
    result = await onenet_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {field: "12345"}
    )
    assert result["errors"] == {field: "invalid_phone_number"}
    assert aioclient_mock.mock_calls == []
