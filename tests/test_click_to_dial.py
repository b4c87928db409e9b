"""The call_bridge.click_to_dial action against a faked OneNET."""

from __future__ import annotations

import json
from unittest.mock import ANY

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.api.onenet import CODES, OneNetClient
from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    ACCESS_KEY,
    APP_ID,
    ONENET_DATA,
    ONENET_URL,
    WEBHOOK_ID,
    SetupEntry,
    assert_no_secret,
    onenet_answer,
    spy,
)


async def click(hass: HomeAssistant, **fields: object) -> dict[str, object]:
    response = await hass.services.async_call(
        DOMAIN,
        "click_to_dial",
        {"caller": "+86 138 0013 8000", "callee": "0755-28000003"} | fields,
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


@pytest.mark.parametrize("method", ["sha1", "md5", "sha256"])
async def test_click_to_dial_request(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    setup_entry: SetupEntry,
    external_url: str,
    method: str,
) -> None:
    with spy(OneNetClient, "__init__") as created:
        await setup_entry(
            MockConfigEntry(
                domain=DOMAIN, data=ONENET_DATA | {"sign_method": method}, unique_id=APP_ID
            )
        )
    created.assert_called_once_with(
        ANY,
        APP_ID,
        ACCESS_KEY,
        generation=1,  # the entry has no api_generation: made before there were two
        session=ANY,
        sign_method=method,
        base_url="http://127.0.0.1:8002",
        request_timeout=10,
    )
    with spy(OneNetClient, "click_to_dial") as click_to_dial:
        assert await click(hass) == {
            "call_id": "150104227912386807",
            "request_id": "85fcaba7045247c88b87380149ea0941",
            "suppressed": False,
        }
    click_to_dial.assert_awaited_once_with(
        ANY,
        "8613800138000",
        "075528000003",
        "02066240222",
        display=None,
        notify_url=f"{external_url}/api/webhook/{WEBHOOK_ID}",
    )
    assert len(mock_onenet.mock_calls) == 1


@pytest.mark.parametrize(
    ("caller", "callee", "sent"),
    [
        ("13800138000", "8613900139000", ("8613800138000", "8613900139000")),
        ("0086 138 0013 8000", "(010) 1234 5678", ("8613800138000", "01012345678")),
    ],
)
async def test_numbers_as_typed(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caller: str,
    callee: str,
    sent: tuple[str, str],
) -> None:
    await setup_entry(onenet_entry)
    await click(hass, caller=caller, callee=callee)
    body = json.loads(mock_onenet.mock_calls[0][2])
    assert (body["caller"], body["callee"]) == sent


@pytest.mark.parametrize("field", ["caller", "callee", "display", "sponsor"])
async def test_bad_numbers(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    field: str,
) -> None:
    await setup_entry(onenet_entry)
    with pytest.raises(ServiceValidationError, match="is not a number OneNET can call") as caught:
        await click(hass, **{field: "12345"})
    assert caught.value.translation_placeholders == {"number": "12345"}
    assert mock_onenet.mock_calls == []


async def test_overrides_and_explicit_notify_url(
    hass: HomeAssistant, mock_onenet: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN, data=ONENET_DATA | {"display": "02066240222"}, unique_id=APP_ID
        )
    )
    await click(hass, sponsor="+86 135 0000 0003", notify_url="https://example.com/status")
    await click(hass, caller="13900139000", display="13900139000")
    first, second = (json.loads(call[2]) for call in mock_onenet.mock_calls)
    assert first["sponsor"] == "8613500000003"
    assert first["display"] == "02066240222"
    assert first["notify_url"] == "https://example.com/status"
    assert second["display"] == "8613900139000"


async def test_no_notify_url_when_turned_off(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    setup_entry: SetupEntry,
    external_url: str,
) -> None:
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN, data=ONENET_DATA, unique_id=APP_ID, options={"send_notify_url": False}
        )
    )
    await click(hass)
    assert "notify_url" not in json.loads(mock_onenet.mock_calls[0][2])


async def test_no_reachable_url_calls_anyway_and_raises_a_repair(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    await setup_entry(onenet_entry)
    issue_id = f"no_external_url_{onenet_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None  # raised at setup already
    await click(hass)
    assert "notify_url" not in json.loads(mock_onenet.mock_calls[0][2])
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "no_external_url"
    assert issue.translation_placeholders == {"entry_title": "OneNET voice 02066240222"}

    from homeassistant.core_config import async_process_ha_core_config

    await async_process_ha_core_config(hass, {"external_url": "https://ha.example.com"})
    await click(hass, callee="13900139000")
    assert json.loads(mock_onenet.mock_calls[1][2])["notify_url"].startswith(
        "https://ha.example.com/"
    )
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize("code_no", sorted(CODES))
async def test_every_refusal_is_translated(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
    code_no: str,
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer(code_no))
    await setup_entry(onenet_entry)
    with pytest.raises(
        HomeAssistantError, match=f"OneNET refused the call with code {code_no}"
    ) as caught:
        await click(hass)
    assert caught.value.translation_key == f"onenet_code_{code_no}"
    assert len(aioclient_mock.mock_calls) == 1  # never re-sent, even when "retry later"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert bool(flows) is CODES[code_no].auth
    if flows:
        assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert_no_secret(caplog.text, str(caught.value))


async def test_undocumented_code_and_bad_answer(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("123456") | {"code": "strange"})
    await setup_entry(onenet_entry)
    with pytest.raises(
        HomeAssistantError, match=r"code 123456 \(strange\), which is not documented"
    ):
        await click(hass)
    aioclient_mock.clear_requests()
    aioclient_mock.post(ONENET_URL, text="<html>gateway</html>", status=502)
    with pytest.raises(HomeAssistantError, match="does not understand"):
        await click(hass)


async def test_wrong_kind_of_entry(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
) -> None:
    await setup_entry(pbx_entry)
    with pytest.raises(
        ServiceValidationError,
        match="No loaded Call Bridge entry can run call_bridge.click_to_dial",
    ):
        await click(hass)
    with pytest.raises(
        ServiceValidationError, match="cannot run call_bridge.click_to_dial"
    ) as caught:
        await click(hass, config_entry_id=pbx_entry.entry_id)
    assert caught.value.translation_key == "not_supported_by_provider"
    await setup_entry(onenet_entry)
    await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"webhook_id": "other"}, unique_id="b")
    )
    with pytest.raises(
        ServiceValidationError,
        match="Several Call Bridge entries can run call_bridge.click_to_dial",
    ):
        await click(hass)


async def test_an_outage_of_onenet_is_logged_once_and_its_end_once(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    aioclient_mock.post(ONENET_URL, exc=TimeoutError())
    await setup_entry(onenet_entry)
    for callee in ("0755-28000003", "0755-28000004"):
        with pytest.raises(HomeAssistantError, match="could not be reached"):
            await click(hass, callee=callee)
    aioclient_mock.clear_requests()
    aioclient_mock.post(ONENET_URL, json=onenet_answer(data={"call_id": "1"}))
    for callee in ("0755-28000005", "0755-28000006"):
        await click(hass, callee=callee)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("custom_components")]
    assert len([line for line in ours if "is unreachable" in line]) == 1
    assert len([line for line in ours if "is reachable again" in line]) == 1
