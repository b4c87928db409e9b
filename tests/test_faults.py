"""Hostile and faulty far sides through Home Assistant: nothing piles up, hangs or is stored broken.

Numbers the PBX never listed make no sensor and no memory; a change rewrites only the entity it is
about; a P-Series whose steps are never answered leaves its entities unavailable and its unload
quick; an id that Home Assistant could not store is a bad answer, and the entry's calls are saved.
"""

from __future__ import annotations

from datetime import timedelta
import json
import time
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, StateMachine
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.const import DOMAIN
from custom_components.call_bridge.providers.pbx_parts import (
    LIST_INTERVAL as P_SERIES_INTERVAL,
)
from custom_components.call_bridge.providers.yeastar_s.coordinator import UPDATE_INTERVAL
from simulator.yeastar_p import YeastarPState

from .conftest import ONENET_URL, REPORTS, SERIAL, SetupEntry, onenet_answer, spy
from .test_yeastar_p import entry_of, pbx_port, pbx_state, until

__all__ = ["pbx_port", "pbx_state"]  # fixtures, shared with the P-Series' own tests

P_SENSOR = "sensor.yeastar_p_series_software_edition_extension_"


def sensors(hass: HomeAssistant, entry_id: str) -> list[str]:
    """The extension sensors of an entry."""
    return [
        registered.entity_id
        for registered in er.async_entries_for_config_entry(er.async_get(hass), entry_id)
        if registered.domain == "sensor" and "_extension_" in registered.entity_id
    ]


async def test_reports_about_numbers_the_pbx_never_listed_make_nothing(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    client = await hass_client_no_auth()
    numbers = ["abc", "../../etc", "١٢٣", *(str(n) for n in range(2000, 2500))]
    for number in numbers:
        report = {"action": "ExtensionStatus", "extension": number, "status": "InUse"}
        assert (await client.post(REPORTS, json=report | {"sn": SERIAL})).status == 200
    await hass.async_block_till_done()
    assert sorted(sensors(hass, reporting.entry_id)) == [
        "sensor.openvox_uc501_extension_101",
        "sensor.openvox_uc501_extension_102",
    ]
    assert sorted(reporting.runtime_data.extensions.states) == ["101", "102"]


async def test_a_change_rewrites_only_its_own_sensor(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    def sensors_written() -> list[str]:
        return [c.args[1] for c in written.mock_calls if c.args[1].startswith("sensor.")]

    with spy(StateMachine, "async_set_internal") as written:
        # A poll that changes nothing writes nothing.
        async_fire_time_changed(hass, dt_util.utcnow() + UPDATE_INTERVAL)
        await hass.async_block_till_done()
        assert sensors_written() == []
        client = await hass_client_no_auth()
        report = {"action": "ExtensionStatus", "extension": "101", "status": "Ringing"}
        assert (await client.post(REPORTS, json=report)).status == 200
        await hass.async_block_till_done()
        assert sensors_written() == ["sensor.openvox_uc501_extension_101"]


async def test_p_series_events_about_numbers_it_never_listed_make_nothing(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port))
    await until(lambda: entry.runtime_data.stream.connected)
    accepted = entry.runtime_data.callbacks.counts["accepted"]
    for n in range(1000):
        number = str(30000 + n)
        await pbx_state.broadcast(30008, {"extension": number, "status": "Busy"})
        await pbx_state.broadcast(30009, {"extension": number, "status": "away"})
        leg = {"number": number, "channel_id": f"PJSIP/{number}-1", "member_status": "RING"}
        await pbx_state.broadcast(30011, {"call_id": "1.1", "members": [{"extension": leg}]})
    await until(lambda: entry.runtime_data.callbacks.counts["accepted"] == accepted + 3000)
    await hass.async_block_till_done()
    assert len(sensors(hass, entry.entry_id)) == 3
    assert entry.runtime_data.channels == {}
    assert sorted(entry.runtime_data.extensions.attributes) == ["2001", "2002", "2003"]
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_extension_added_on_the_p_series_appears_with_the_next_poll(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port))
    await until(lambda: entry.runtime_data.stream.connected)
    pbx_state.extensions["2004"] = "available"
    pbx_state.offline.add("2002")
    async_fire_time_changed(hass, dt_util.utcnow() + P_SERIES_INTERVAL)
    await until(lambda: hass.states.get(f"{P_SENSOR}2004") is not None)
    await hass.async_block_till_done()
    assert hass.states.get(f"{P_SENSOR}2004").state == "idle"
    assert hass.states.get(f"{P_SENSOR}2002").state == "offline"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_p_series_entities_are_unavailable_until_the_events_connect(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    pbx_state.unanswered.add("subscribe")  # the upgrade is never answered
    quick = entry_of(pbx_port)
    entry = await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title=quick.title,
            data=dict(quick.data),
            unique_id=quick.unique_id,
            options={"timeout": 1},  # each attempt gives up after a second
        )
    )
    assert hass.states.get(f"{P_SENSOR}2001").state == "unavailable"
    assert not entry.runtime_data.available
    pbx_state.unanswered.clear()  # the next attempt (after its back-off) connects
    await until(lambda: entry.runtime_data.stream.connected, seconds=5)
    await hass.async_block_till_done()
    assert hass.states.get(f"{P_SENSOR}2001").state == "idle"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_unload_does_not_wait_for_a_del_token_never_answered(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port))
    hass.config_entries.async_update_entry(entry, options={"timeout": 1})
    await hass.async_block_till_done()  # reloaded with the new timeout
    await until(lambda: entry.state is ConfigEntryState.LOADED)
    pbx_state.unanswered.add("del_token")
    started = time.monotonic()
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert time.monotonic() - started < 1 + 0.5


@pytest.mark.parametrize("call_id", ["\\ud800", "x" * 65, "a\\nb"])
async def test_a_onenet_call_id_that_cannot_be_stored_is_a_bad_answer(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    hass_storage: dict[str, Any],
    call_id: str,
) -> None:
    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        # As JSON text: the escape decodes to what OneNET sent (a lone surrogate, a line break).
        body = json.dumps(onenet_answer(data={"call_id": "CALL_ID"})).replace("CALL_ID", call_id)
        return AiohttpClientMockResponse(method, url, text=body)

    aioclient_mock.post(ONENET_URL, side_effect=answer)
    await setup_entry(onenet_entry)
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "click_to_dial",
            {"caller": "13800138000", "callee": "13900139000"},
            blocking=True,
        )
    assert err.value.translation_key == "provider_bad_answer"
    aioclient_mock.clear_requests()
    aioclient_mock.post(ONENET_URL, json=onenet_answer(data={"call_id": "150104227912386807"}))
    await hass.services.async_call(
        DOMAIN, "click_to_dial", {"caller": "13800138000", "callee": "13900139000"}, blocking=True
    )
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=2))
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{onenet_entry.entry_id}.calls"]["data"]["placed"]
    assert list(stored) == ["150104227912386807"]


async def test_a_p_series_poll_that_fails(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port))
    await until(lambda: entry.runtime_data.stream.connected)
    await hass.async_block_till_done()
    pbx_state.tokens.clear()  # every token refused: the next poll renews it, and fails
    pbx_state.refresh_tokens.clear()
    pbx_state.login_failures = 5  # ... blocked, as after too many wrong secrets
    async_fire_time_changed(hass, dt_util.utcnow() + P_SERIES_INTERVAL)
    await until(lambda: hass.states.get(f"{P_SENSOR}2001").state == "unavailable")
    pbx_state.login_failures = 0
    pbx_state.client_secret = "changed on the PBX"  # now the secret is refused
    async_fire_time_changed(hass, dt_util.utcnow() + 2 * P_SERIES_INTERVAL)
    await until(lambda: bool(hass.config_entries.flow.async_progress()))
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    await hass.config_entries.async_unload(entry.entry_id)
