"""What Call Bridge keeps to itself and how it behaves under faults: secrets, refusals, outages."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    ACCESS_KEY,
    ONENET_FORM,
    ONENET_URL,
    PASSWORD,
    PBX_BASE,
    PBX_DATA,
    PBX_FORM,
    SERIAL,
    TOKEN,
    SetupEntry,
    answers_in_turn,
    mock_pbx_answers,
    onenet_answer,
    pbx_requests,
    start_flow,
)


def sent_to_the_browser(result: dict[str, Any]) -> str:
    """What of a form result the frontend receives: its fields' suggested and default values."""
    values = []
    for key in result["data_schema"].schema:
        values.append((key.description or {}).get("suggested_value"))
        values.append(key.default() if callable(getattr(key, "default", None)) else None)
    return json.dumps(
        [values, result.get("errors"), result.get("description_placeholders")], default=str
    )


@pytest.mark.parametrize("kind", ["pbx", "onenet"])
async def test_reconfigure_never_shows_a_stored_secret(
    hass: HomeAssistant, request: pytest.FixtureRequest, kind: str
) -> None:
    entry: MockConfigEntry = request.getfixturevalue(f"{kind}_entry")
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    shown = sent_to_the_browser(result)
    for secret in (PASSWORD, ACCESS_KEY, TOKEN):
        assert secret not in shown


async def test_an_empty_secret_keeps_the_stored_one(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    result = await pbx_entry.start_reconfigure_flow(hass)
    form = {key: value for key, value in PBX_FORM.items() if key != "password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form | {"verify_ssl": False}
    )
    assert result["reason"] == "reconfigure_successful"
    assert pbx_entry.data["password"] == PASSWORD
    assert pbx_entry.data["verify_ssl"] is False
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(pbx_entry.entry_id)


async def test_a_refused_form_does_not_echo_the_secret_typed(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20003"})
    result = await start_flow(hass, "pbx")
    typed = "the-password-typed-0123"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"password": typed}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    assert typed not in sent_to_the_browser(result)
    assert "api" in sent_to_the_browser(result)  # the user name is shown again


async def test_reloads_never_repeat_a_refused_login(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20003"})
    await setup_entry(pbx_entry)
    for _ in range(6):
        await hass.config_entries.async_reload(pbx_entry.entry_id)
        await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.SETUP_ERROR
    assert len(pbx_requests(aioclient_mock, "login")) == 1


async def test_new_credentials_are_tried(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(f"{PBX_BASE}/login", json={"status": "Failed", "errno": "20003"})
    await setup_entry(pbx_entry)
    aioclient_mock.clear_requests()
    mock_pbx_answers(aioclient_mock)
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": "api", "password": PASSWORD}
    )
    assert result["reason"] == "reauth_successful"  # proven good: the refusal is forgotten
    await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.LOADED


@pytest.mark.parametrize(
    ("host", "stored"),
    [
        ("http://127.0.0.1:9011/", {"host": "127.0.0.1", "port": 9011, "ssl": False}),
        (" 127.0.0.1 ", {"host": "127.0.0.1"}),
    ],
)
async def test_hosts_are_taken_as_typed(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, host: str, stored: dict[str, Any]
) -> None:
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"host": host}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert stored.items() <= result["data"].items()


@pytest.mark.parametrize("host", ["pbx lan", "http://", "127.0.0.1:port", "[::1", "a\u0000b"])
async def test_a_host_that_is_none_is_a_form_error(hass: HomeAssistant, host: str) -> None:
    result = await start_flow(hass, "pbx")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"host": host}
    )
    assert result["errors"] == {"host": "invalid_host"}


async def test_identical_calls_failing_together_share_the_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    gate = asyncio.Event()

    async def busy(method: str, url: object, data: object) -> AiohttpClientMockResponse:
        await gate.wait()
        return AiohttpClientMockResponse(method, url, json={"status": "Failed", "errno": "10008"})

    mock_pbx_answers(aioclient_mock, {"extension/dial_extension": {"side_effect": busy}})
    await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, unique_id="sn"))

    async def dial() -> object:
        return await hass.services.async_call(
            DOMAIN,
            "dial_extension",
            {"caller": "101", "callee": "102"},
            blocking=True,
            return_response=True,
        )

    calls = [asyncio.create_task(dial()) for _ in range(3)]
    for _ in range(10):
        await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert all(isinstance(result, HomeAssistantError) for result in results), results
    assert {result.translation_key for result in results} == {"pbx_errno_10008"}  # type: ignore[union-attr]
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 1


async def test_an_outage_met_by_actions_is_logged_once_and_its_end_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer: dict[str, Any] = {"exc": TimeoutError()}

    async def dial(method: str, url: object, data: object) -> AiohttpClientMockResponse:
        return AiohttpClientMockResponse(method, url, **answer)

    mock_pbx_answers(aioclient_mock, {"extension/dial_extension": {"side_effect": dial}})
    await setup_entry(pbx_entry)
    for callee in ("102", "103", "104"):
        with pytest.raises(HomeAssistantError):
            await hass.services.async_call(
                DOMAIN, "dial_extension", {"caller": "101", "callee": callee}, blocking=True
            )
    answer.clear()
    answer["json"] = {"status": "Success"}
    for callee in ("105", "106"):
        await hass.services.async_call(
            DOMAIN, "dial_extension", {"caller": "101", "callee": callee}, blocking=True
        )
    await hass.async_block_till_done()
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    down = [r for r in ours if r.levelno >= logging.WARNING]
    assert len(down) == 1
    assert "OpenVox UC501" in down[0].getMessage()
    assert len([r for r in ours if "data recovered" in r.getMessage()]) == 1


async def test_reconfigure_keeps_a_stored_token_and_access_key(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, onenet_entry: MockConfigEntry
) -> None:
    mock_pbx_answers(aioclient_mock)
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000006"))
    token_entry = MockConfigEntry(
        domain=DOMAIN,
        data={"entry_type": "pbx", "host": "127.0.0.1", "port": 9011, "token": TOKEN},
        unique_id=SERIAL,
    )
    token_entry.add_to_hass(hass)
    result = await token_entry.start_reconfigure_flow(hass)
    form = {key: value for key, value in PBX_FORM.items() if key not in ("username", "password")}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["reason"] == "reconfigure_successful"
    assert token_entry.data["token"] == TOKEN
    onenet_entry.add_to_hass(hass)
    result = await onenet_entry.start_reconfigure_flow(hass)
    form = {key: value for key, value in ONENET_FORM.items() if key != "access_key"}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form)
    assert result["reason"] == "reconfigure_successful"
    assert onenet_entry.data["access_key"] == ACCESS_KEY
    await hass.async_block_till_done()
    for entry in (token_entry, onenet_entry):
        await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_refuses_a_host_that_is_none(
    hass: HomeAssistant, pbx_entry: MockConfigEntry
) -> None:
    pbx_entry.add_to_hass(hass)
    result = await pbx_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], PBX_FORM | {"host": "not a host"}
    )
    assert result["errors"] == {"host": "invalid_host"}


@pytest.mark.parametrize("base_url", ["voice.heclouds.com", "ftp://voice.heclouds.com", "https://"])
async def test_an_api_address_that_is_none_is_a_form_error(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, base_url: str
) -> None:
    result = await start_flow(hass, "onenet")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], ONENET_FORM | {"base_url": base_url}
    )
    assert result["errors"] == {"base_url": "invalid_url"}
    assert aioclient_mock.mock_calls == []


async def test_a_login_refused_by_an_action_is_remembered(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(
        aioclient_mock,
        {
            "extension/dial_extension": {"json": {"status": "Failed", "errno": "20004"}},
            "login": {
                "side_effect": answers_in_turn(
                    {"status": "Success", "token": TOKEN}, {"status": "Failed", "errno": "20003"}
                )
            },
        },
    )
    await setup_entry(pbx_entry)
    with pytest.raises(HomeAssistantError, match="20003"):
        await hass.services.async_call(
            DOMAIN, "dial_extension", {"caller": "101", "callee": "102"}, blocking=True
        )
    logins = len(pbx_requests(aioclient_mock, "login"))
    await hass.config_entries.async_reload(pbx_entry.entry_id)
    await hass.async_block_till_done()
    assert pbx_entry.state is ConfigEntryState.SETUP_ERROR
    assert len(pbx_requests(aioclient_mock, "login")) == logins


async def test_refusals_are_bounded_and_survive_a_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    from custom_components.call_bridge.providers.yeastar_s.refusals import (
        LIMIT,
        RefusedLogins,
        remember_refusal,
    )

    remember_refusal(hass, "nothing loaded yet", "20003")  # no memory before the first setup
    hass_storage["call_bridge.refused_logins"] = {
        "version": 1,
        "key": "call_bridge.refused_logins",
        "data": {"refused": {"kept": "20003", "malformed": 3, "4": None}},
    }
    refused = RefusedLogins(hass)
    await refused.async_load()
    assert refused.errno("kept") == "20003"
    assert refused.errno("malformed") is None
    assert refused.errno(None) is None
    refused.remember(None, "20003")
    refused.forget("never refused")
    for number in range(LIMIT + 1):
        refused.remember(str(number), "20003")
    assert refused.errno("kept") is None  # the oldest went first
    assert refused.errno(str(LIMIT)) == "20003"


async def test_no_route_to_the_pbx_sends_the_heartbeat_without_an_address(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, pbx_entry: MockConfigEntry
) -> None:
    from unittest.mock import patch

    from homeassistant.exceptions import HomeAssistantError as NoAddress

    from custom_components.call_bridge.providers.yeastar_s.client import create_pbx_client

    aioclient_mock.post(
        "http://192.0.2.10:9011/api/v0.0.1/login?type=json",
        json={"status": "Success", "token": "t" * 32},
    )
    aioclient_mock.post("http://192.0.2.10:9011/api/v0.0.1/heartbeat", json={"status": "Success"})
    client = create_pbx_client(hass, PBX_DATA | {"host": "192.0.2.10"})
    with patch(
        "custom_components.call_bridge.providers.yeastar_s.client.network.async_get_source_ip",
        side_effect=NoAddress,
    ):
        await client.heartbeat()
    [(_, _, body, _)] = pbx_requests(aioclient_mock, "heartbeat")
    assert json.loads(body) == {"port": "8260"}


async def test_a_pbx_on_this_machine_is_told_the_loopback_address(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker
) -> None:
    from custom_components.call_bridge.providers.yeastar_s.client import create_pbx_client

    client = create_pbx_client(hass, PBX_DATA)
    await client.heartbeat()
    [(_, _, body, _)] = pbx_requests(mock_pbx, "heartbeat")
    assert json.loads(body)["ipaddr"] == "127.0.0.1"
