"""Calls that come in, on a Home Assistant: the event, its entities, the phonebook, the history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import re
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import yaml

from custom_components.call_bridge.api.legs import SETTLE_SECONDS
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS, EVENT_INCOMING_CALL
from custom_components.call_bridge.history import HISTORY_LIMIT, MISSED_SHOWN
from custom_components.call_bridge.phonebook import contact_name

from .conftest import REPORTS, SERIAL, SetupEntry, assert_no_secret

README = Path(__file__).parent.parent / "README.md"
OUTSIDE = "0813539441"
INCOMING = "event.openvox_uc501_incoming_calls"
MISSED = "sensor.openvox_uc501_missed_calls"


def inbound(action: str, caller: str = OUTSIDE, **extra: Any) -> dict[str, Any]:
    return {
        "action": action,
        "callid": f"1589948512.{len(caller)}",
        "ext": {"extid": "101"},
        "inbound": {"from": caller, "to": "101", "trunk": "to-18-16-2", "inboundid": "7"},
        "sn": SERIAL,
        **extra,
    }


def record(status: str, talk: str, caller: str = OUTSIDE) -> dict[str, Any]:
    return {
        "action": "NewCdr",
        "callid": "1589948512.1800",
        "callfrom": caller,
        "callto": "101",
        "talkduraction": talk,
        "status": status,
        "type": "Inbound",
        "sn": SERIAL,
    }


async def post(hass: HomeAssistant, client: Any, *reports: dict[str, Any]) -> None:
    for report in reports:
        assert (await client.post(REPORTS, json=report)).status == 200
    await hass.async_block_till_done()


async def add_contact(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, numbers: list[str]
) -> dict[str, Any]:
    form = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    assert form["type"] is FlowResultType.FORM
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"name": name, "numbers": numbers}
    )
    await hass.async_block_till_done()
    return dict(result)


async def history(hass: HomeAssistant, **fields: Any) -> list[dict[str, Any]]:
    answer = await hass.services.async_call(
        DOMAIN, "get_call_history", fields, blocking=True, return_response=True
    )
    assert answer is not None
    calls: list[dict[str, Any]] = answer["calls"]  # type: ignore[assignment]
    return calls


async def test_a_call_from_a_contact_is_named_followed_and_kept(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    # The contact's number typed as people do; the PBX sends it plainly.
    assert (await add_contact(hass, reporting, "Mum", ["+86 081 353 9441"]))["type"] == (
        FlowResultType.CREATE_ENTRY
    )
    events = async_capture_events(hass, EVENT_INCOMING_CALL)
    client = await hass_client_no_auth()
    await post(hass, client, inbound("ALERT"), inbound("ANSWER"))
    assert hass.states.get(INCOMING).attributes["event_type"] == "answered"
    await post(hass, client, inbound("BYE"), record("ANSWERED", "21"), inbound("BYE"))
    assert [event.data["state"] for event in events] == ["ringing", "answered", "ended"]
    assert events[0].data == {
        "entry_id": reporting.entry_id,
        "device_id": reporting.runtime_data.device_id,
        "provider": "pbx",
        "call_id": "1589948512.10",
        "caller": OUTSIDE,
        "caller_name": "Mum",
        "callee": "101",
        "extension": "101",
        "state": "ringing",
        "duration": None,
    }
    assert events[-1].data["duration"] == 21
    state = hass.states.get(INCOMING)
    assert state.attributes["event_type"] == "ended"
    assert state.attributes["caller_name"] == "Mum"
    assert hass.states.get(MISSED).state == "0"
    [kept] = await history(hass)
    assert kept["direction"] == "incoming"
    assert (kept["caller"], kept["caller_name"], kept["outcome"], kept["duration"]) == (
        OUTSIDE,
        "Mum",
        "answered",
        21,
    )
    assert_no_secret(str(kept), str([event.data for event in events]))


async def test_missed_calls_are_counted_shown_and_cleared(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    client = await hass_client_no_auth()
    callers = [f"13800138{n:03d}" for n in range(MISSED_SHOWN + 2)]
    for caller in callers:
        # A BYE and no call record: the call settles, then is missed.
        await post(hass, client, inbound("ALERT", caller), inbound("BYE", caller))
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SETTLE_SECONDS + 1))
        await hass.async_block_till_done()
    state = hass.states.get(MISSED)
    assert state.state == str(len(callers))
    shown = state.attributes["calls"]
    assert [call["caller"] for call in shown] == callers[::-1][:MISSED_SHOWN]
    assert shown[0]["caller_name"] is None
    await hass.services.async_call(
        DOMAIN, "clear_missed_calls", {"config_entry_id": reporting.entry_id}, blocking=True
    )
    assert hass.states.get(MISSED).state == "0"
    assert hass.states.get(MISSED).attributes["calls"] == []
    await post(hass, client, inbound("ALERT"), record("NO ANSWER", "0"))
    assert hass.states.get(MISSED).state == "1"
    await hass.services.async_call(DOMAIN, "clear_missed_calls", {}, blocking=True)
    assert hass.states.get(MISSED).state == "0"
    # The history keeps them all, the newest first.
    calls = await history(hass, limit=3)
    assert [call["outcome"] for call in calls] == ["missed"] * 3
    assert calls[0]["caller"] == OUTSIDE


async def test_the_history_survives_a_reload_and_stays_bounded(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    client = await hass_client_no_auth()
    # A caller id as long as a report may carry, in another script, and a name out of control.
    caller = "\u5988" * 64
    for _ in range(HISTORY_LIMIT + 5):
        await post(hass, client, inbound("ALERT", caller), record("NO ANSWER", "0", caller))
    assert len(await history(hass, limit=100)) == HISTORY_LIMIT
    assert await hass.config_entries.async_reload(reporting.entry_id)
    await hass.async_block_till_done()
    calls = await history(hass, limit=100)
    assert len(calls) == HISTORY_LIMIT
    assert calls[0]["caller"] == caller
    assert hass.states.get(MISSED).state == str(HISTORY_LIMIT + 5)


async def test_calls_the_entry_placed_are_kept_as_outgoing_not_as_coming_in(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    incoming = async_capture_events(hass, EVENT_INCOMING_CALL)
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    answer = await hass.services.async_call(
        DOMAIN,
        "dial_extension",
        {"caller": "101", "callee": "102"},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    client = await hass_client_no_auth()
    ring = {"action": "RING", "callid": "9.1", "ext": {"extid": ["102", "101"]}, "sn": SERIAL}
    answered = ring | {"action": "ANSWER"}
    bye = ring | {"action": "BYE"}
    cdr = {
        "action": "NewCdr",
        "callid": "9.2",
        "callfrom": "101",
        "callto": "102",
        "talkduraction": "4",
        "status": "ANSWERED",
        "type": "Internal",
        "sn": SERIAL,
    }
    clock = [0.0]
    reporting.runtime_data.follower.calls.clock = lambda: clock[0]
    await post(hass, client, ring, answered, bye, cdr)
    assert incoming == []
    assert statuses[-1].data["outcome"] == "answered"
    # Its second BYE a moment later is still its own...
    clock[0] += 5
    await post(hass, client, bye | {"callid": "9.3"})
    assert incoming == []
    # ...but later, a call from outside to the same extension is one that came in.
    clock[0] += 60
    await post(hass, client, inbound("ALERT"))
    assert [event.data["state"] for event in incoming] == ["ringing"]
    [kept] = await history(hass, config_entry_id=reporting.entry_id)
    assert (kept["direction"], kept["caller"], kept["callee"], kept["outcome"]) == (
        "outgoing",
        "101",
        "102",
        "answered",
    )


async def test_the_contact_form(hass: HomeAssistant, reporting: MockConfigEntry) -> None:
    form = await hass.config_entries.subentries.async_init(
        (reporting.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    for fields, errors in (
        ({"name": "  ", "numbers": ["101"]}, {"name": "invalid_name"}),
        (
            {"name": "Mum", "numbers": ["138 0013 8000", "not a number"]},
            {"numbers": "invalid_contact_number"},
        ),
        ({"name": "Mum", "numbers": [" "]}, {"numbers": "invalid_contact_number"}),
        (
            {"name": "Mum", "numbers": [str(n) for n in range(11)]},
            {"numbers": "invalid_contact_number"},
        ),
    ):
        result = await hass.config_entries.subentries.async_configure(form["flow_id"], fields)
        assert result["errors"] == errors
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"name": " Mum ", "numbers": ["138-0013-8000", "13800138000", "101"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    [subentry] = reporting.subentries.values()
    assert (subentry.title, dict(subentry.data)) == ("Mum", {"numbers": ["13800138000", "101"]})
    form = await hass.config_entries.subentries.async_init(
        (reporting.entry_id, "contact"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
    )
    assert form["step_id"] == "reconfigure"
    result = await hass.config_entries.subentries.async_configure(
        form["flow_id"], {"name": "Mother", "numbers": ["+86 138 0013 8000"]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert reporting.subentries[subentry.subentry_id].title == "Mother"


async def test_contacts_under_another_entry_name_the_calls_too(
    hass: HomeAssistant,
    reporting: MockConfigEntry,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    await setup_entry(onenet_entry)
    await add_contact(hass, onenet_entry, "Gate", ["075528000003"])
    events = async_capture_events(hass, EVENT_INCOMING_CALL)
    client = await hass_client_no_auth()
    await post(hass, client, inbound("ALERT", "+86 755 2800 0003"))
    assert events[0].data["caller_name"] == "Gate"
    with pytest.raises(ServiceValidationError):
        await history(hass)  # two entries: which one?
    assert await history(hass, config_entry_id=onenet_entry.entry_id) == []


async def test_a_call_without_a_number_has_no_name_and_a_service_has_no_sensors(
    hass: HomeAssistant, onenet_entry: MockConfigEntry, setup_entry: SetupEntry
) -> None:
    await setup_entry(onenet_entry)
    await add_contact(hass, onenet_entry, "Gate", ["075528000003"])
    assert contact_name(hass, onenet_entry, None) is None
    assert contact_name(hass, onenet_entry, "") is None
    assert onenet_entry.runtime_data.sensor_entities() == []


def readme_example(heading: str, index: int) -> dict[str, Any]:
    """Return the ``index``-th YAML block of the README's section under ``heading``."""
    section = README.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n(.*?)```", section, re.DOTALL)
    loaded: dict[str, Any] = yaml.safe_load(blocks[index])
    return loaded


# The example's time pattern trigger is still set when the test's Home Assistant stops.
@pytest.mark.parametrize("expected_lingering_timers", [True])
async def test_the_readme_s_dashboard_example_counts_today_s_calls(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    config = readme_example("### `call_bridge.get_call_history`", 0)
    action = config["template"][0]["action"][0]
    assert action["data"]["config_entry_id"].startswith("01J")
    action["data"]["config_entry_id"] = reporting.entry_id
    assert await async_setup_component(hass, "template", config)
    await hass.async_block_till_done()
    client = await hass_client_no_auth()
    await post(hass, client, inbound("ALERT"), record("NO ANSWER", "0"))
    await hass.async_block_till_done()
    state = hass.states.get("sensor.calls_of_today")
    assert state.state == "1"
    [call] = state.attributes["calls"]
    assert (call["caller"], call["outcome"]) == (OUTSIDE, "missed")
    card = readme_example("### `call_bridge.get_call_history`", 1)
    assert card["type"] == "markdown"
    rendered = Template(card["content"], hass).async_render(parse_result=False)
    assert f"{OUTSIDE} → 101 · missed" in " ".join(rendered.split())
