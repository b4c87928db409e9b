"""Diagnostics and entity states, compared with snapshots; no secret may appear in them."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    APP_ID,
    ONENET_DATA,
    PBX_DATA,
    SERIAL,
    WEBHOOK_ID,
    SetupEntry,
    assert_no_secret,
)
from .snapshot import assert_snapshot

PRESET = ConfigSubentryData(
    data={"caller": "101", "callee": "102", "autoanswer": True},
    subentry_id="01PRESETFRONTDOOR0000000000",
    subentry_type="preset",
    title="Front door",
    unique_id=None,
)


def entity_states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, object]:
    registry = er.async_get(hass)
    states = {}
    for registered in sorted(
        er.async_entries_for_config_entry(registry, entry.entry_id), key=lambda e: e.entity_id
    ):
        state = hass.states.get(registered.entity_id)
        assert state is not None
        value = state.state
        if registered.domain == "event" and value != "unknown":
            assert dt_util.parse_datetime(value) is not None
            value = "<time of the last event>"
        states[registered.entity_id] = {
            "unique_id": registered.unique_id,
            "translation_key": registered.translation_key,
            "state": value,
            "attributes": dict(state.attributes),
        }
    return states


MESSAGE = ConfigSubentryData(
    data={"number": "13700137000", "template": "1001", "variables": {"name": "张三"}},
    subentry_id="01MESSAGEWATERLEAK000000000",
    subentry_type="message",
    title="Water leak",
    unique_id=None,
)


async def test_pbx(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="OpenVox UC501",
        data=PBX_DATA,
        unique_id=SERIAL,
        options={"cooldown": 10, "timeout": 10, "autoanswer": False},
        subentries_data=[PRESET],
    )
    await setup_entry(entry)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert_no_secret(json.dumps(diagnostics))
    assert "101" not in json.dumps(diagnostics["presets"])
    assert_snapshot("diagnostics_pbx", diagnostics)
    assert_snapshot("entities_pbx", entity_states(hass, entry))


async def test_onenet(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    setup_entry: SetupEntry,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    # Its view must exist before the test client starts Home Assistant's HTTP server.
    assert await async_setup_component(hass, "diagnostics", {})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="OneNET voice 02066240222",
        data=ONENET_DATA,
        unique_id=APP_ID,
        subentries_data=[MESSAGE],
    )
    await setup_entry(entry)
    await hass.services.async_call(
        DOMAIN, "click_to_dial", {"caller": "13800138000", "callee": "13900139000"}, blocking=True
    )
    client = await hass_client_no_auth()
    await client.post(
        f"/api/webhook/{WEBHOOK_ID}",
        json={
            "appid": APP_ID,
            "call_id": "150104227912386807",
            "caller": "8613800138000",
            "callee": "8613900139000",
            "status": "Disconnected",
            "reason": "CalleeBusy",
            "call_duration": "0",
            "report_date": "20261124160005",
        },
    )
    await hass.async_block_till_done()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diagnostics)
    assert_no_secret(text)
    assert "8613800138000" not in text
    assert "13700137000" not in text  # the message preset's number
    assert "张三" not in text  # and what its message says
    assert "02066240222" not in text  # the business number, which the entry's title holds
    # The callback as it came, its phone numbers masked but for their last four digits.
    [message] = diagnostics["far_side_messages"]
    assert message["kind"] == "callback"
    assert '"caller": "*********8000"' in message["text"]
    assert dt_util.parse_datetime(message.pop("received")) is not None
    assert_snapshot("diagnostics_onenet", diagnostics)
    assert_snapshot("entities_onenet", entity_states(hass, entry))
