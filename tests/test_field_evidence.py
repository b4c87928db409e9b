"""What real PBXs were seen to send, through Home Assistant: calls, errors, foreign frames, diagnostics.

The P-Series here is the simulator, which plays the P570 captures' quirks (reference
yeastar-p-series.md, "Field evidence"); the S-Series reports are posted to the webhook as real
boxes post them.
"""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.api.legs import SETTLE_SECONDS
from custom_components.call_bridge.api.yeastar_p import YeastarPClient, YeastarPRefusedError
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS, EVENT_PBX_EVENT
from custom_components.call_bridge.providers.forms import with_typed_host
from simulator.demo import BUSY_OUTSIDE, UNREACHABLE_OUTSIDE
from simulator.yeastar_p import YeastarPState

from .conftest import REPORTS, SetupEntry, start_flow
from .test_yeastar_p import call, entry_of, form, loaded, pbx_port, until

__all__ = ["loaded", "pbx_port"]  # fixtures, shared with the P-Series' own tests


@pytest.fixture
def pbx_state() -> YeastarPState:
    """A P-Series whose 2001 is signed in on two devices, with a busy and an unreachable number."""
    return YeastarPState(
        step_delay=0.02,
        two_devices={"2001"},
        outcomes={BUSY_OUTSIDE: "busy", UNREACHABLE_OUTSIDE: "unreachable", "2003": "no_answer"},
    )


def ended(statuses: list[Any]) -> list[Any]:
    return [e for e in statuses if e.data["state"] == "disconnected"]


@pytest.mark.parametrize("failure_first", [True, False])
@pytest.mark.parametrize(
    ("number", "outcome", "reason"),
    [(BUSY_OUTSIDE, "busy", "486 Busy Here"), (UNREACHABLE_OUTSIDE, "unreachable", "NOT found")],
)
async def test_a_caller_s_answer_is_not_the_callee_s(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    pbx_state: YeastarPState,
    failure_first: bool,
    number: str,
    outcome: str,
    reason: str,
) -> None:
    pbx_state.failure_first = failure_first
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await call(hass, "dial_outbound", extension="2001", number=number)
    await until(lambda: len(pbx_state.playing) == 0 and bool(ended(statuses)))
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["outcome"]) for e in statuses] == [
        ("calling_caller", None),
        ("calling_callee", None),
        ("disconnected", outcome),
    ]
    assert statuses[-1].data["reason"] == reason
    # The records that followed (the caller's devices') changed nothing.
    assert len(ended(statuses)) == 1


async def test_a_caller_with_two_devices_answers_on_one(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await call(hass, "dial_extension", caller="2001", callee="2002")
    await until(lambda: len(pbx_state.playing) == 0 and bool(ended(statuses)))
    assert [(e.data["state"], e.data["outcome"]) for e in statuses] == [
        ("calling_caller", None),
        ("calling_callee", None),
        ("connected", None),
        ("disconnected", "answered"),
    ]


async def test_a_call_whose_end_is_told_by_nothing_settles(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    pbx_state.step_delay = 60  # the simulator's own call stays silent; the frames are the test's
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    reports = async_capture_events(hass, EVENT_PBX_EVENT)
    call_id = (await call(hass, "dial_extension", caller="2002", callee="2003"))["call_id"]
    await until(lambda: len(statuses) == 1)  # calling_caller
    [channel] = [c for c, of in pbx_state.channels.items() if of == call_id and "2002" in c]
    leg = {"number": "2002", "channel_id": channel, "member_status": "BYE"}
    await pbx_state.broadcast(30011, {"call_id": call_id, "members": [{"extension": leg}]})
    await until(lambda: any(e.data["type"] == "bye" for e in reports))
    await hass.async_block_till_done()
    assert len(statuses) == 1  # the PBX may still say why it ended
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SETTLE_SECONDS + 1))
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["outcome"]) for e in statuses][-1] == (
        "disconnected",
        "no_answer",
    )


async def test_a_frame_of_another_pbx_is_refused(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    events = async_capture_events(hass, EVENT_PBX_EVENT)
    pbx_state.serial = "3631A2124999"  # what another PBX's frames carry
    await pbx_state.broadcast(30008, {"extension": "2001", "status": "Ringing"})
    pbx_state.serial = YeastarPState.serial
    await pbx_state.broadcast(30008, {"extension": "2001", "status": "Busy"})
    await until(lambda: len(events) == 1)
    assert events[0].data["status"] == "Busy"
    assert loaded.runtime_data.callbacks.counts["foreign"] == 1
    state = hass.states.get("sensor.yeastar_p_series_software_edition_extension_2001")
    assert state is not None
    assert state.state == "in_use"


async def test_frames_as_received_in_the_diagnostics(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    pbx_state: YeastarPState,
    hass_client: ClientSessionGenerator,
) -> None:
    await pbx_state.broadcast(
        30011,
        {
            "call_id": "1702364386.124",
            "members": [{"inbound": {"from": "0813539441", "member_status": "ALERT"}}],
        },
    )
    await until(lambda: loaded.runtime_data.callbacks.counts["accepted"] == 1)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded)
    [message] = diagnostics["far_side_messages"]
    assert message["kind"] == "frame"
    assert "0813539441" not in message["text"]
    assert "******9441" in message["text"]
    assert "1702364386.124" in message["text"]  # a call id is no phone number
    assert json.loads(message["text"])["type"] == 30011  # as received
    assert "heartbeat response" not in json.dumps(diagnostics)


async def test_a_call_hung_up_on_every_leg(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    pbx_state.step_delay = 0.5
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    call_id = (await call(hass, "dial_extension", caller="2001", callee="2002"))["call_id"]
    await until(lambda: any(e.data["state"] == "calling_callee" for e in statuses))
    await call(hass, "hangup", call_id=call_id)
    hangups = [json.loads(r["body"]) for r in pbx_state.requests if r["endpoint"] == "call/hangup"]
    # The caller's live channel first; the callee's next: the PBX had ended it with the first.
    assert [h["channel_id"].split("-")[0] for h in hangups] == ["PJSIP/2001", "PJSIP/2002"]
    await until(lambda: bool(ended(statuses)))
    assert ended(statuses)[0].data["outcome"] == "no_answer"


async def test_a_hangup_refused_on_every_leg_is_an_error(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    pbx_state: YeastarPState,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pbx_state.step_delay = 0.5
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    call_id = (await call(hass, "dial_extension", caller="2002", callee="2001"))["call_id"]
    await until(lambda: bool(statuses))

    async def refused(self: YeastarPClient, channel_id: str) -> None:
        raise YeastarPRefusedError(60001, "DATA NOT FOUND")

    monkeypatch.setattr(YeastarPClient, "hangup", refused)
    with pytest.raises(HomeAssistantError) as err:
        await call(hass, "hangup", call_id=call_id)
    assert err.value.translation_key == "yeastar_p_errcode_60001"


@pytest.mark.parametrize(
    ("errcode", "error"),
    [(60002, "token_limit"), (70087, "ip_forbidden"), (10005, "missing_permission")],
)
async def test_refusals_a_person_can_fix_have_their_own_form_errors(
    hass: HomeAssistant,
    pbx_port: int,
    monkeypatch: pytest.MonkeyPatch,
    errcode: int,
    error: str,
) -> None:
    async def refused(self: YeastarPClient) -> None:
        raise YeastarPRefusedError(errcode, "REFUSED")

    monkeypatch.setattr(YeastarPClient, "system_information", refused)
    result = await start_flow(hass, "yeastar_p")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port))
    assert result["errors"] == {"base": error}


async def test_the_token_limit_is_no_reason_to_reauthenticate(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    pbx_state.token_limit = 0  # another program holds them all
    result = await start_flow(hass, "yeastar_p")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port))
    assert result["errors"] == {"base": "token_limit"}
    entry = await setup_entry(entry_of(pbx_port))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert "limit of access tokens" in str(entry.reason)
    flows = hass.config_entries.flow.async_progress()
    assert [flow["context"]["source"] for flow in flows] == ["user"]  # no reauthentication
    pbx_state.token_limit = 8
    await hass.config_entries.async_reload(entry.entry_id)
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)
    assert pbx_state.live_tokens() == 0  # given back


@pytest.mark.parametrize(
    ("typed", "host", "port", "ssl"),
    [
        ("https://name.ras.yeastar.com", "name.ras.yeastar.com", 443, True),
        ("name.ras.yeastar.com:443", "name.ras.yeastar.com", 443, None),
        ("http://192.168.1.20", "192.168.1.20", 80, False),
        ("192.168.1.20", "192.168.1.20", 8088, None),
    ],
)
def test_a_p_series_host_typed_with_its_port_or_scheme(
    typed: str, host: str, port: int, ssl: bool | None
) -> None:
    data = with_typed_host({"host": typed, "port": 8088}, url_ports=True)
    assert (data["host"], data["port"], data.get("ssl")) == (host, port, ssl)


async def test_the_s_series_caller_leg_ending_first_and_a_call_that_settles(
    hass: HomeAssistant,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await hass.services.async_call(
        DOMAIN, "dial_extension", {"caller": "101", "callee": "102"}, blocking=True
    )
    client = await hass_client_no_auth()
    for body in (
        {"action": "RING", "callid": "5.1", "ext": {"extid": "101"}},
        {"action": "ANSWER", "callid": "5.1", "ext": {"extid": "101"}},
        {"action": "RING", "callid": "5.2", "ext": {"extid": ["102", "101"]}},
        {"action": "BYE", "callid": "5.3", "ext": {"extid": "101"}},  # the caller gave up
    ):
        assert (await client.post(REPORTS, json=body)).status == 200
    await hass.async_block_till_done()
    assert [e.data["state"] for e in statuses] == ["calling_caller", "calling_callee"]
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SETTLE_SECONDS + 1))
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["outcome"]) for e in statuses][-1] == (
        "disconnected",
        "no_answer",
    )
    await hass.config_entries.async_unload(reporting.entry_id)


async def test_settling_calls_are_let_go_at_unload(
    hass: HomeAssistant,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await hass.services.async_call(
        DOMAIN, "dial_extension", {"caller": "101", "callee": "102"}, blocking=True
    )
    client = await hass_client_no_auth()
    bye = {"action": "BYE", "callid": "6.1", "ext": {"extid": "101"}}
    assert (await client.post(REPORTS, json=bye)).status == 200
    assert (await client.post(REPORTS, json=bye)).status == 200  # one timer, however many
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(reporting.entry_id)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=SETTLE_SECONDS + 1))
    await hass.async_block_till_done()
    assert statuses == []
