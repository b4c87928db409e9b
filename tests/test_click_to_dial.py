"""The call_bridge.click_to_dial action against a faked OneNET."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qsl

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.api.onenet import CODES
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


def expected_authorization(et: int, method: str) -> str:
    """Recompute the header from the access key, independently of the integration's code."""
    res = f"onenet_voice/{APP_ID}"
    digest = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256}[method]
    text = f"{et}\n{method}\n{res}\nv1".encode()
    mac = base64.b64encode(hmac.new(base64.b64decode(ACCESS_KEY), text, digest).digest()).decode()
    quoted = mac.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    return f"version=v1&res=onenet_voice%2F{APP_ID}&et={et}&method={method}&sign={quoted}"


@pytest.mark.parametrize("method", ["sha1", "md5", "sha256"])
async def test_click_to_dial_request(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    setup_entry: SetupEntry,
    external_url: str,
    freezer: FrozenDateTimeFactory,
    method: str,
) -> None:
    freezer.move_to("2026-11-24 08:00:00+00:00")
    await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"sign_method": method}, unique_id=APP_ID)
    )
    assert await click(hass) == {
        "call_id": "150104227912386807",
        "request_id": "85fcaba7045247c88b87380149ea0941",
        "suppressed": False,
    }
    [(method_used, url, data, headers)] = mock_onenet.mock_calls
    assert (method_used.upper(), str(url)) == ("POST", ONENET_URL)
    assert json.loads(data) == {
        "appid": APP_ID,
        "sponsor": "02066240222",
        "caller": "8613800138000",
        "callee": "075528000003",
        "notify_url": f"{external_url}/api/webhook/{WEBHOOK_ID}",
    }
    et = 1795507200 + 300  # 2026-11-24 08:00 UTC, plus the header's five minutes
    assert headers["Authorization"] == expected_authorization(et, method)
    assert dict(parse_qsl(headers["Authorization"]))["et"] == str(et)
    assert headers["Content-Type"] == "application/json;charset=utf-8"


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
    with pytest.raises(ServiceValidationError, match="No OneNET voice account"):
        await click(hass)
    with pytest.raises(ServiceValidationError, match="is not a OneNET voice account"):
        await click(hass, config_entry_id=pbx_entry.entry_id)
    await setup_entry(onenet_entry)
    await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA | {"webhook_id": "other"}, unique_id="b")
    )
    with pytest.raises(ServiceValidationError, match="Several OneNET"):
        await click(hass)
