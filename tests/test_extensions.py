"""A PBX's extensions as sensors that follow its list: added, deleted, and enabled where it is small."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from custom_components.call_bridge.const import DOMAIN
from custom_components.call_bridge.providers.yeastar_s.coordinator import UPDATE_INTERVAL
from custom_components.call_bridge.sensor import ENABLED_EXTENSIONS

from .conftest import PBX_DATA, SERIAL, SetupEntry, mock_pbx_answers


def extension_list(*numbers: str) -> dict[str, object]:
    return {
        "status": "Success",
        "extlist": [{"extnumber": n, "status": "Registered", "type": "SIP"} for n in numbers],
    }


def sensors(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, bool]:
    """Each extension sensor, and whether it is enabled."""
    return {
        registered.entity_id.removeprefix(
            "sensor.openvox_uc501_extension_"
        ): not registered.disabled
        for registered in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if registered.domain == "sensor" and "_extension_" in registered.entity_id
    }


async def test_the_sensors_follow_the_pbx_s_list(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    mock_pbx_answers(
        aioclient_mock, {"extensionlist/query": {"json": extension_list("101", "102")}}
    )
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, title="OpenVox UC501", data=dict(PBX_DATA), unique_id=SERIAL)
    )
    assert sensors(hass, entry) == {"101": True, "102": True}
    aioclient_mock.clear_requests()
    mock_pbx_answers(
        aioclient_mock, {"extensionlist/query": {"json": extension_list("102", "103")}}
    )
    async_fire_time_changed(hass, dt_util.utcnow() + UPDATE_INTERVAL)
    await hass.async_block_till_done()
    # 101 was deleted on the PBX: its sensor goes; 103 was added: its sensor comes.
    assert sensors(hass, entry) == {"102": True, "103": True}
    assert hass.states.get("sensor.openvox_uc501_extension_101") is None
    assert hass.states.get("sensor.openvox_uc501_extension_103").state == "idle"
    # A poll that fails deletes nothing.
    aioclient_mock.clear_requests()
    mock_pbx_answers(aioclient_mock, {"heartbeat": {"exc": TimeoutError()}})
    async_fire_time_changed(hass, dt_util.utcnow() + 2 * UPDATE_INTERVAL)
    await hass.async_block_till_done()
    assert sensors(hass, entry) == {"102": True, "103": True}
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_large_pbx_enables_only_its_first_extensions(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    numbers = [str(2000 + n) for n in range(ENABLED_EXTENSIONS + 5)]
    mock_pbx_answers(aioclient_mock, {"extensionlist/query": {"json": extension_list(*numbers)}})
    entry = await setup_entry(
        MockConfigEntry(domain=DOMAIN, title="OpenVox UC501", data=dict(PBX_DATA), unique_id=SERIAL)
    )
    enabled = sensors(hass, entry)
    assert [n for n in numbers if enabled[n]] == numbers[:ENABLED_EXTENSIONS]
    assert hass.states.get(f"sensor.openvox_uc501_extension_{numbers[-1]}") is None
    # One more later: beyond the first 20 too, so disabled.
    aioclient_mock.clear_requests()
    listed = extension_list(*numbers, "2999")
    mock_pbx_answers(aioclient_mock, {"extensionlist/query": {"json": listed}})
    async_fire_time_changed(hass, dt_util.utcnow() + UPDATE_INTERVAL)
    await hass.async_block_till_done()
    assert sensors(hass, entry)["2999"] is False
    await hass.config_entries.async_unload(entry.entry_id)
