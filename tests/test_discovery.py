"""PBXs found through DHCP: offered with their address, known ones followed when they move.

The MAC prefixes are the vendors' real ones: Yeastar ``F4:B5:49`` (an S-Series or a P-Series: the
user chooses), OpenVox ``A0:98:05``.
"""

from __future__ import annotations

import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_IGNORE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.const import DOMAIN
from simulator.yeastar_p import YeastarPState

from .conftest import PBX_DATA, PBX_FORM, SERIAL, SetupEntry
from .test_yeastar_p import form, pbx_port, pbx_state

__all__ = ["pbx_port", "pbx_state"]  # fixtures, shared with the P-Series' own tests

YEASTAR_MAC = "f4b549123456"
OPENVOX_MAC = SERIAL  # an OpenVox UC's serial number is its MAC address


def dhcp(ip: str, mac: str, hostname: str = "pbx") -> DhcpServiceInfo:
    """DHCP discovery's data: the MAC address in lower case, without separators."""
    return DhcpServiceInfo(ip=ip, hostname=hostname, macaddress=mac)


async def discovered(hass: HomeAssistant, info: DhcpServiceInfo) -> dict[str, Any]:
    return dict(
        await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=info
        )
    )


def suggested(result: dict[str, Any], field: str) -> Any:
    for key in result["data_schema"].schema:
        if key == field:
            return (key.description or {}).get("suggested_value")
    raise KeyError(field)


async def test_a_yeastar_pbx_is_offered_and_set_up_as_a_p_series(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState
) -> None:
    result = await discovered(hass, dhcp("127.0.0.1", YEASTAR_MAC))
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["pbx", "yeastar_p"]
    assert result["description_placeholders"] == {"host": "127.0.0.1"}
    [progress] = hass.config_entries.flow.async_progress()
    assert progress["context"]["title_placeholders"] == {"host": "127.0.0.1"}
    result = dict(
        await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "yeastar_p"}
        )
    )
    assert result["step_id"] == "yeastar_p"
    assert suggested(result, "host") == "127.0.0.1"
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port)))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["mac"] == "f4:b5:49:12:34:56"
    await hass.async_block_till_done()
    entry = result["result"]
    device = dr.async_get(hass).async_get(entry.runtime_data.device_id)
    assert device is not None
    assert (dr.CONNECTION_NETWORK_MAC, "f4:b5:49:12:34:56") in device.connections
    # Found again: it is known, by its MAC address.
    assert (await discovered(hass, dhcp("127.0.0.1", YEASTAR_MAC)))["reason"] == (
        "already_configured"
    )
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_openvox_pbx_goes_straight_to_its_form(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker
) -> None:
    result = await discovered(hass, dhcp("127.0.0.1", "a09805112233"))
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "pbx")
    assert suggested(result, "host") == "127.0.0.1"
    assert suggested(result, "api_version") == "openvox_uc"
    assert suggested(result, "port") == 9011
    result = dict(await hass.config_entries.flow.async_configure(result["flow_id"], PBX_FORM))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["mac"] == "a0:98:05:11:22:33"


async def test_a_known_pbx_that_moved_gets_its_new_address(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            data=PBX_DATA | {"mac": "f4:b5:49:12:34:56"},
            unique_id="3631A0180802",
            minor_version=2,
        )
    )
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await discovered(hass, dhcp("127.0.0.2", YEASTAR_MAC))
    assert result["reason"] == "already_configured"
    assert entry.data["host"] == "127.0.0.2"
    reload.assert_called_once_with(entry.entry_id)  # set up again at its new address


async def test_a_pbx_added_by_hand_is_known_by_its_address_or_serial(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=dict(PBX_DATA), unique_id="3631A0180802")
    )
    result = await discovered(hass, dhcp("127.0.0.1", YEASTAR_MAC))
    assert result["reason"] == "already_configured"
    assert entry.data["mac"] == "f4:b5:49:12:34:56"  # learnt: it follows the PBX from now on
    assert entry.data["host"] == "127.0.0.1"
    openvox = MockConfigEntry(
        domain=DOMAIN, data=PBX_DATA | {"host": "pbx.invalid"}, unique_id=OPENVOX_MAC
    )
    openvox.add_to_hass(hass)
    # A name that no longer resolves: the serial still tells the PBX.
    with patch.object(hass.loop, "getaddrinfo", side_effect=socket.gaierror):
        result = await discovered(hass, dhcp("127.0.0.3", OPENVOX_MAC))
    assert result["reason"] == "already_configured"
    assert openvox.data["host"] == "127.0.0.3"


async def test_an_ignored_pbx_stays_ignored(hass: HomeAssistant) -> None:
    result = await discovered(hass, dhcp("192.168.1.20", YEASTAR_MAC))
    MockConfigEntry(
        domain=DOMAIN, source=SOURCE_IGNORE, unique_id="f4:b5:49:12:34:56", data={}
    ).add_to_hass(hass)
    hass.config_entries.flow.async_abort(result["flow_id"])
    result = await discovered(hass, dhcp("192.168.1.21", YEASTAR_MAC))
    assert result["reason"] == "already_configured"


async def test_a_device_that_is_no_supported_pbx(hass: HomeAssistant) -> None:
    # DHCP also tells of devices registered with a MAC address, whatever their maker.
    result = await discovered(hass, dhcp("192.168.1.30", "001122334455"))
    assert result["reason"] == "not_supported"


@pytest.mark.parametrize("error", [OSError("no such host"), UnicodeError("bad name")])
async def test_a_host_that_does_not_resolve_is_compared_as_typed(
    hass: HomeAssistant, error: Exception
) -> None:
    MockConfigEntry(
        domain=DOMAIN, data=PBX_DATA | {"host": "pbx.lan"}, unique_id="3631A0180802"
    ).add_to_hass(hass)
    with patch.object(hass.loop, "getaddrinfo", side_effect=error):
        result = await discovered(hass, dhcp("192.168.1.20", YEASTAR_MAC))
    assert result["type"] is FlowResultType.MENU


async def test_onenet_entries_have_no_address(
    hass: HomeAssistant, onenet_entry: MockConfigEntry
) -> None:
    onenet_entry.add_to_hass(hass)
    result = await discovered(hass, dhcp("192.168.1.20", YEASTAR_MAC))
    assert result["type"] is FlowResultType.MENU
