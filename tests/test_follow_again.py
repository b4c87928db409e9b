"""A PBX call placed before a reload (or a restart) is still followed after it, on every PBX."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS
from custom_components.call_bridge.providers.pbx_parts import Followed
from simulator.yeastar_p import YeastarPState

from .conftest import REPORTS, SERIAL
from .test_yeastar_p import call, entry_of, pbx_port, pbx_state, until

__all__ = ["pbx_port", "pbx_state"]  # fixtures, shared with the P-Series' own tests


async def test_an_s_series_call_placed_before_a_reload(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    placed = await hass.services.async_call(
        DOMAIN,
        "dial_extension",
        {"caller": "101", "callee": "102"},
        blocking=True,
        return_response=True,
    )
    assert placed is not None
    assert await hass.config_entries.async_reload(reporting.entry_id)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    for action in ("RING", "ANSWER"):
        body = {"action": action, "callid": "2.1", "ext": {"extid": ["102", "101"]}, "sn": SERIAL}
        assert (await client.post(REPORTS, json=body)).status == 200
    await hass.async_block_till_done()
    assert [(e.data["call_id"], e.data["state"]) for e in statuses] == [
        (placed["call_id"], "calling_callee"),
        (placed["call_id"], "connected"),
    ]


async def test_a_p_series_call_placed_before_a_reload(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: Any
) -> None:
    pbx_state.step_delay = 0.5  # the call goes on while the entry reloads
    entry = await setup_entry(entry_of(pbx_port))
    await until(lambda: entry.runtime_data.stream.connected)
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    placed = await call(hass, "dial_extension", caller="2001", callee="2002")
    assert await hass.config_entries.async_reload(entry.entry_id)
    await until(lambda: any(e.data["state"] == "disconnected" for e in statuses), seconds=10)
    ended = statuses[-1].data
    assert (ended["call_id"], ended["outcome"]) == (placed["call_id"], "answered")
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_p_series_dial_answered_without_a_call_id_is_not_followed(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: Any
) -> None:
    pbx_state.call_ids = False
    entry = await setup_entry(entry_of(pbx_port))
    placed = await call(hass, "dial_extension", caller="2001", callee="2002")
    assert placed["call_id"] is None
    assert entry.runtime_data.calls.to_follow() == []
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    "stored",
    [
        {"caller": "101", "callee": "", "one_party": False, "outbound": False},
        {"caller": "101", "callee": "102", "one_party": "no", "outbound": False},
        {"caller": "101", "callee": "102", "one_party": False, "outbound": False, "pbx_callid": 1},
    ],
)
def test_what_the_store_kept_is_checked_before_it_is_followed(stored: dict[str, Any]) -> None:
    assert Followed.from_stored(stored) is None
    good = Followed("101", "102", one_party=False, pbx_callid="1.2")
    assert Followed.from_stored(good.stored()) == good
