"""The call_bridge.dial_outbound and call_bridge.hangup actions against a faked PBX."""

from __future__ import annotations

from unittest.mock import ANY

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
import voluptuous as vol

from custom_components.call_bridge.api.yeastar_s import PbxClient
from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    SetupEntry,
    mock_pbx_answers,
    pbx_requests,
    spy,
    yeastar_with_token,
)


async def act(hass: HomeAssistant, service: str, **fields: object) -> dict[str, object]:
    response = await hass.services.async_call(
        DOMAIN, service, fields, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def test_dial_outbound(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(mock_pbx, {"extension/dial_outbound": {"json": {"status": "Success"}}})
    await setup_entry(pbx_entry)
    with spy(PbxClient, "dial_outbound") as dial_outbound:
        assert await act(hass, "dial_outbound", extension="1 01", number="0755-2800 0003") == {
            "call_id": ANY,
            "suppressed": False,
        }
    dial_outbound.assert_awaited_once_with(ANY, "101", "075528000003", autoanswer=False)


async def test_dial_outbound_checks_its_numbers(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    with pytest.raises(ServiceValidationError, match="is not an outside number") as caught:
        await act(hass, "dial_outbound", extension="101", number="call me")
    assert caught.value.translation_key == "invalid_outside_number"
    with pytest.raises(ServiceValidationError, match="is not a PBX extension"):
        await act(hass, "dial_outbound", extension="front door", number="075528000003")
    assert pbx_requests(mock_pbx, "extension/dial_outbound") == []


async def test_hangup_by_extension(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(mock_pbx, {"extension/hangup": {"json": {"status": "Success"}}})
    await setup_entry(pbx_entry)
    with spy(PbxClient, "hangup") as hangup:
        assert await act(hass, "hangup", extension="101") == {"call_id": None, "suppressed": False}
    hangup.assert_awaited_once_with(ANY, "101")
    assert pbx_entry.runtime_data.calls.recent_calls == {}  # no call was placed


async def test_hangup_by_call_id_ends_the_call_of_its_first_extension(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = yeastar_with_token(
        aioclient_mock,
        {
            "extension/dial_outbound": {"status": "Success", "callid": "1547397927.431"},
            "extension/hangup": {"status": "Success"},
        },
    )
    await setup_entry(entry)
    placed = await act(hass, "dial_outbound", extension="102", number="075528000003")
    assert placed["call_id"] == "1547397927.431"
    with spy(PbxClient, "hangup") as hangup:
        assert await act(hass, "hangup", call_id="1547397927.431") == {
            "call_id": "1547397927.431",
            "suppressed": False,
        }
    hangup.assert_awaited_once_with(ANY, "102")
    with pytest.raises(
        ServiceValidationError, match="placed no recent call with the ID 42"
    ) as caught:
        await act(hass, "hangup", call_id="42")
    assert caught.value.translation_key == "unknown_call"


async def test_hangup_needs_one_of_extension_and_call_id(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    await setup_entry(pbx_entry)
    with pytest.raises(vol.Invalid):
        await act(hass, "hangup")
    with pytest.raises(vol.Invalid):
        await act(hass, "hangup", extension="101", call_id="1")


async def test_hangup_refused_is_translated(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
) -> None:
    mock_pbx_answers(
        mock_pbx, {"extension/hangup": {"json": {"status": "Failed", "errno": "10007"}}}
    )
    await setup_entry(pbx_entry)
    with pytest.raises(HomeAssistantError, match="the call does not exist") as caught:
        await act(hass, "hangup", extension="101")
    assert caught.value.translation_key == "pbx_errno_10007"


async def test_a_onenet_entry_cannot_hang_up_or_dial_out(
    hass: HomeAssistant, onenet_entry: MockConfigEntry, setup_entry: SetupEntry
) -> None:
    await setup_entry(onenet_entry)
    for service, fields in (
        ("hangup", {"extension": "101"}),
        ("dial_outbound", {"extension": "101", "number": "075528000003"}),
    ):
        with pytest.raises(
            ServiceValidationError, match="its provider does not support it"
        ) as caught:
            await act(hass, service, config_entry_id=onenet_entry.entry_id, **fields)
        assert caught.value.translation_key == "not_supported_by_provider"
        with pytest.raises(ServiceValidationError) as caught:
            await act(hass, service, **fields)
        assert caught.value.translation_key == "no_entry"
