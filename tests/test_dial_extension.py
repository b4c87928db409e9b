"""The call_bridge.dial_extension action against a faked PBX."""

from __future__ import annotations

import json
from unittest.mock import ANY

from aiohttp import ClientConnectionError
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.api.yeastar_s import PbxClient
from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    PBX_BASE,
    PBX_DATA,
    TOKEN,
    SetupEntry,
    answers_in_turn,
    assert_no_secret,
    mock_pbx_answers,
    pbx_requests,
    spy,
    yeastar_with_token,
)

DIAL_URL = f"{PBX_BASE}/extension/dial_extension"


async def dial(hass: HomeAssistant, **fields: object) -> dict[str, object]:
    response = await hass.services.async_call(
        DOMAIN,
        "dial_extension",
        {"caller": "101", "callee": "102"} | fields,
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def test_dial_json(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    with spy(PbxClient, "dial_extension") as dial_extension:
        response = await dial(hass)
    # OpenVox gives no call id; the entry receives reports, so Call Bridge makes one.
    assert response == {"call_id": ANY, "suppressed": False}
    assert str(response["call_id"]).startswith("call_bridge_")
    dial_extension.assert_awaited_once_with(ANY, "101", "102", autoanswer=False)
    assert len(pbx_requests(mock_pbx, "extension/dial_extension")) == 1


async def test_dial_xml(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    xml_ok = '<?xml version="1.0" encoding="UTF-8" ?><xml><status>Success</status></xml>'
    aioclient_mock.post(
        f"{PBX_BASE}/login", text=f"<xml><status>Success</status><token>{TOKEN}</token></xml>"
    )
    aioclient_mock.post(
        f"{PBX_BASE}/deviceinfo/query",
        text="<xml><status>Success</status><deviceinfo><sn>a09805021987</sn></deviceinfo></xml>",
    )
    aioclient_mock.post(DIAL_URL, text=xml_ok)
    aioclient_mock.post(f"{PBX_BASE}/heartbeat", text=xml_ok)
    aioclient_mock.post(
        f"{PBX_BASE}/extensionlist/query",
        text="<xml><status>Success</status><extlist><item><extnumber>101</extnumber></item></extlist></xml>",
    )
    aioclient_mock.post(f"{PBX_BASE}/logout", text=xml_ok)
    entry = MockConfigEntry(
        domain=DOMAIN, data=PBX_DATA | {"payload_format": "xml"}, unique_id="a09805021987"
    )
    with spy(PbxClient, "__init__") as created:
        await setup_entry(entry)
    assert created.call_args.kwargs["payload_format"] == "xml"
    with spy(PbxClient, "dial_extension") as dial_extension:
        await dial(hass, caller="1 01", callee=" 102", autoanswer=True)
    dial_extension.assert_awaited_once_with(ANY, "101", "102", autoanswer=True)


async def test_autoanswer_default_from_options(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN, data=PBX_DATA, unique_id="a09805021987", options={"autoanswer": True}
    )
    await setup_entry(entry)
    await dial(hass)
    await dial(hass, autoanswer=False, caller="102", callee="101")
    first, second = pbx_requests(mock_pbx, "extension/dial_extension")
    assert json.loads(first[2])["autoanswer"] == "yes"
    assert json.loads(second[2])["autoanswer"] == "no"


async def test_yeastar_call_id(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = yeastar_with_token(
        aioclient_mock,
        {"extension/dial_extension": {"status": "Success", "callid": "1547397927.431"}},
    )
    await setup_entry(entry)
    assert await dial(hass) == {"call_id": "1547397927.431", "suppressed": False}
    assert entry.runtime_data.calls.recent_calls["1547397927.431"]["state"] == "requested"


@pytest.mark.parametrize(
    ("errno", "words"),
    [
        ("10006", "PBX error 10006: the extension does not exist"),
        ("10008", "PBX error 10008: the extension is busy"),
        ("10024", "PBX error 10024: the extension has no permission for outbound calls"),
        ("19999", "PBX error 19999, which is not documented"),
    ],
)
async def test_refusals_name_the_code_and_meaning(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    errno: str,
    words: str,
) -> None:
    mock_pbx_answers(
        aioclient_mock,
        {"extension/dial_extension": {"json": {"status": "Failed", "errno": errno}}},
    )
    await setup_entry(pbx_entry)
    with pytest.raises(HomeAssistantError, match=words) as caught:
        await dial(hass)
    assert not isinstance(caught.value, ServiceValidationError)
    assert caught.value.translation_domain == DOMAIN
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 1


async def test_token_expiring_mid_session(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_pbx_answers(
        aioclient_mock,
        {
            "login": {
                "side_effect": answers_in_turn(
                    {"status": "Success", "token": TOKEN}, {"status": "Success", "token": "f" * 32}
                )
            },
            "extension/dial_extension": {
                "side_effect": answers_in_turn(
                    {"status": "Failed", "errno": "20004"}, {"status": "Success"}
                )
            },
        },
    )
    await setup_entry(pbx_entry)
    assert (await dial(hass))["suppressed"] is False
    refused, resent = pbx_requests(aioclient_mock, "extension/dial_extension")
    assert refused[1].query["token"] == TOKEN
    assert resent[1].query["token"] == "f" * 32
    logins = [
        call for call in aioclient_mock.mock_calls if str(call[1]).endswith("/login?type=json")
    ]
    assert len(logins) == 2
    assert_no_secret(caplog.text)


async def test_static_token_refused_starts_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    mock_pbx_answers(
        aioclient_mock,
        {"extension/dial_extension": {"json": {"status": "Failed", "errno": "20004"}}},
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={k: v for k, v in PBX_DATA.items() if k not in ("username", "password")}
        | {"token": TOKEN},
        unique_id="a09805021987",
    )
    await setup_entry(entry)
    with pytest.raises(HomeAssistantError, match="20004") as caught:
        await dial(hass)
    assert TOKEN not in str(caught.value)
    await hass.async_block_till_done()
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 1


@pytest.mark.parametrize("failure", [TimeoutError(), ClientConnectionError("connection refused")])
async def test_pbx_down_is_not_retried(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
    failure: Exception,
) -> None:
    mock_pbx_answers(aioclient_mock, {"extension/dial_extension": {"exc": failure}})
    await setup_entry(pbx_entry)
    with pytest.raises(HomeAssistantError, match="could not be reached") as caught:
        await dial(hass)
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 1
    assert_no_secret(caplog.text, str(caught.value), repr(caught.value.__cause__))


async def test_an_answer_without_status_is_a_bad_answer(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(aioclient_mock, {"extension/dial_extension": {"json": {"callid": "1"}}})
    await setup_entry(pbx_entry)
    with pytest.raises(HomeAssistantError, match="does not understand") as caught:
        await dial(hass)
    assert caught.value.translation_key == "provider_bad_answer"
    assert pbx_entry.runtime_data.available  # it answered


@pytest.mark.parametrize(("caller", "callee"), [("abc", "102"), ("101", ""), ("101", "1" * 17)])
async def test_bad_extensions(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    caller: str,
    callee: str,
) -> None:
    await setup_entry(pbx_entry)
    with pytest.raises(ServiceValidationError, match="is not a PBX extension") as caught:
        await dial(hass, caller=caller, callee=callee)
    assert caught.value.translation_key == "invalid_extension"
    assert pbx_requests(mock_pbx, "extension/dial_extension") == []


async def test_entry_choice(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    setup_entry: SetupEntry,
    onenet_entry: MockConfigEntry,
) -> None:
    await setup_entry(onenet_entry)
    with pytest.raises(
        ServiceValidationError,
        match="No loaded Call Bridge entry can run call_bridge.dial_extension",
    ):
        await dial(hass)
    with pytest.raises(
        ServiceValidationError, match="cannot run call_bridge.dial_extension"
    ) as caught:
        await dial(hass, config_entry_id=onenet_entry.entry_id)
    assert caught.value.translation_key == "not_supported_by_provider"
    with pytest.raises(ServiceValidationError, match="No Call Bridge entry has the ID nope"):
        await dial(hass, config_entry_id="nope")

    first = await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, unique_id="one"))
    await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, unique_id="two"))
    with pytest.raises(
        ServiceValidationError,
        match="Several Call Bridge entries can run call_bridge.dial_extension",
    ):
        await dial(hass)
    await dial(hass, config_entry_id=first.entry_id)

    await hass.config_entries.async_unload(first.entry_id)
    with pytest.raises(ServiceValidationError, match="is not loaded"):
        await dial(hass, config_entry_id=first.entry_id)


async def test_actions_exist_before_any_entry(hass: HomeAssistant) -> None:
    from homeassistant.setup import async_setup_component

    assert await async_setup_component(hass, DOMAIN, {})
    assert hass.services.has_service(DOMAIN, "dial_extension")
    assert hass.services.has_service(DOMAIN, "click_to_dial")
