"""The PBX's reports on a Home Assistant: the destination it is told, the webhook, the sensors."""

from __future__ import annotations

from datetime import timedelta
import json
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge import async_migrate_entry
from custom_components.call_bridge.api.legs import FOLLOWED_CALLS
from custom_components.call_bridge.api.telephony import failure_outcome
from custom_components.call_bridge.api.yeastar_s import parse_report
from custom_components.call_bridge.api.yeastar_s.follow import CallFollower
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS, EVENT_PBX_EVENT
from custom_components.call_bridge.providers.yeastar_s import _addresses
from custom_components.call_bridge.providers.yeastar_s.reports import address_of

from .conftest import (
    EXTENSION_LIST,
    HOOK,
    ONENET_DATA,
    PBX_DATA,
    REPORTS,
    SERIAL,
    TOKEN,
    SetupEntry,
    mock_pbx_answers,
    pbx_requests,
)


def pbx_events(hass: HomeAssistant) -> list[Event[Any]]:
    # async_capture_events appends in the loop; a plain list.append would run in the executor,
    # where the order of the events is not kept.
    return async_capture_events(hass, EVENT_PBX_EVENT)


async def test_login_and_heartbeat_point_the_pbx_at_the_webhook(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, reporting: MockConfigEntry
) -> None:
    [login] = pbx_requests(mock_pbx, "login")
    [heartbeat] = pbx_requests(mock_pbx, "heartbeat")
    port = str(hass.http.server_port)
    for request in (login, heartbeat):
        fields = json.loads(request[2])
        assert fields["url"] == f"127.0.0.1:{port}{REPORTS}"  # the PBX is on this machine
        assert (fields["port"], fields["urltag"]) == (port, "1")
    assert json.loads(login[2])["version"] == "1.0.2"
    assert reporting.runtime_data.client.reports


async def test_extension_status_reports_keep_the_sensors_current(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    assert hass.states.get("sensor.openvox_uc501_extension_101").state == "idle"  # Registered
    # Not registered: offline ("unavailable" is Home Assistant's word for an entity it cannot read).
    assert hass.states.get("sensor.openvox_uc501_extension_102").state == "offline"
    events = pbx_events(hass)
    client = await hass_client_no_auth()
    report = {"action": "ExtensionStatus", "extension": "101", "status": "InUse", "sn": SERIAL}
    response = await client.post(REPORTS, json=report)
    assert response.status == 200
    await hass.async_block_till_done()
    assert hass.states.get("sensor.openvox_uc501_extension_101").state == "in_use"
    # A number the PBX does not list as an extension gets no sensor.
    unlisted = {"action": "ExtensionStatus", "extension": "999", "status": "InUse", "sn": SERIAL}
    assert (await client.post(REPORTS, json=unlisted)).status == 200
    await hass.async_block_till_done()
    assert hass.states.get("sensor.openvox_uc501_extension_999") is None
    calls = hass.states.get("event.openvox_uc501_pbx_calls")
    assert calls is not None
    assert calls.state == "unknown"  # an extension's report is not a call's
    event = events[0]
    assert event.data == {
        "entry_id": reporting.entry_id,
        "device_id": reporting.runtime_data.device_id,
        "action": "ExtensionStatus",
        "type": "extension_status",
        "callid": None,
        "extensions": ["101"],
        "inbound": None,
        "outbound": None,
        "reason": None,
        "cdr": None,
        "status": "InUse",
        "key": None,
    }


async def test_call_reports_become_events(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = pbx_events(hass)
    client = await hass_client_no_auth()
    # Yeastar's call array, and the format before 1.0.2 that repeats the ext key.
    for body in (
        '{"action":"RING","callid":"1","call":[{"ext":{"extid":"101"}},'
        '{"inbound":{"from":"103","to":"101","trunk":"t","inboundid":"2"}}],"sn":"a09805021987"}',
        '{"action":"BYE","callid":"3","ext":{"extid":"101"},"ext":{"extid":"102"}}',
        '{"action":"CallFailed","reason":480,"callid":"4","ext":{"extid":["102","106"]}}',
    ):
        response = await client.post(REPORTS, data=body)
        assert response.status == 200
    await hass.async_block_till_done()
    ring, bye, failed = (event.data for event in events)
    assert (ring["type"], ring["extensions"], ring["inbound"]["inboundid"]) == (
        "ring",
        ["101"],
        "2",
    )
    assert (bye["type"], bye["extensions"]) == ("bye", ["101", "102"])
    assert (failed["type"], failed["reason"]) == ("call_failed", "480")
    assert reporting.runtime_data.callbacks.counts["accepted"] == 3
    entity = hass.states.get("event.openvox_uc501_pbx_calls")
    assert entity is not None
    assert (entity.attributes["event_type"], entity.attributes["extensions"]) == (
        "call_failed",
        ["102", "106"],
    )


async def test_reports_that_are_not_this_pbx_s_are_refused(
    hass: HomeAssistant,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = pbx_events(hass)
    client = await hass_client_no_auth()
    another_pbx = {"action": "ExtensionStatus", "extension": "101", "status": "InUse", "sn": "x"}
    assert (await client.post(REPORTS, json=another_pbx)).status == 403
    assert (await client.post(REPORTS, data=b"not json")).status == 400
    assert (await client.post(REPORTS, data=b"{" + b" " * 70_000 + b"}")).status == 413
    reporting.runtime_data.pbx_addresses = frozenset({"192.0.2.10"})  # the PBX is elsewhere
    assert (await client.post(REPORTS, json={"action": "BootUp", "sn": SERIAL})).status == 403
    await hass.async_block_till_done()
    assert events == []
    assert hass.states.get("sensor.openvox_uc501_extension_101").state == "idle"
    assert "not json" not in caplog.text


async def test_extensions_added_on_the_pbx_appear_with_the_next_poll(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, reporting: MockConfigEntry
) -> None:
    assert hass.states.get("sensor.openvox_uc501_extension_103") is None
    mock_pbx.clear_requests()
    listed = [
        {"extnumber": "103", "status": "BUSY"},  # the case of a status word varies
        {"extnumber": "10 4", "status": "Idle"},  # what is not an extension number is left out
        {"extnumber": {"nested": "104"}, "status": "Idle"},
        {"extnumber": "9" * 17, "status": "Idle"},
    ]
    more = dict(EXTENSION_LIST, extlist=[*EXTENSION_LIST["extlist"], *listed])
    mock_pbx_answers(mock_pbx, {"extensionlist/query": {"json": more}})
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=6))
    await hass.async_block_till_done()
    assert hass.states.get("sensor.openvox_uc501_extension_103").state == "in_use"
    assert [
        state.entity_id
        for state in hass.states.async_all("sensor")
        if "_extension_" in state.entity_id
    ] == [f"sensor.openvox_uc501_extension_{n}" for n in (101, 102, 103)]


async def test_a_static_token_cannot_tell_where_reports_go(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            data={
                "entry_type": "pbx",
                "host": "127.0.0.1",
                "port": 9011,
                "token": TOKEN,
                "webhook_id": HOOK,
            },
            unique_id=SERIAL,
            minor_version=2,
        )
    )
    assert not entry.runtime_data.client.reports
    [heartbeat] = pbx_requests(mock_pbx, "heartbeat")
    assert "url" not in json.loads(heartbeat[2])


async def test_entries_of_0_1_get_a_webhook_by_themselves(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    pbx = await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, unique_id=SERIAL))
    assert (pbx.version, pbx.minor_version) == (1, 2)
    assert len(pbx.data["webhook_id"]) == 64
    assert pbx.runtime_data.client.reports
    onenet = await setup_entry(MockConfigEntry(domain=DOMAIN, data=ONENET_DATA, unique_id="app"))
    assert (onenet.minor_version, dict(onenet.data)) == (2, ONENET_DATA)


async def test_an_entry_of_a_newer_release_is_not_set_up(
    hass: HomeAssistant, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, version=2))
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert not await async_migrate_entry(hass, entry)
    assert dict(entry.data) == PBX_DATA


async def test_the_pbx_s_addresses(hass: HomeAssistant) -> None:
    assert address_of("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_of("fd00::1") == "fd00::1"
    assert address_of("not an address") is None
    assert address_of(None) is None
    assert "127.0.0.1" in await _addresses(hass, "localhost")
    with patch.object(hass.loop, "getaddrinfo", side_effect=socket.gaierror):
        assert await _addresses(hass, "pbx.invalid") == frozenset()


def call_statuses(hass: HomeAssistant) -> list[Event[Any]]:
    return async_capture_events(hass, EVENT_CALL_STATUS)


async def post_all(client: Any, bodies: list[str]) -> None:
    for body in bodies:
        assert (await client.post(REPORTS, data=body)).status == 200


async def test_a_call_placed_is_followed_to_its_end(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    statuses = call_statuses(hass)
    response = await hass.services.async_call(
        DOMAIN,
        "dial_extension",
        {"caller": "101", "callee": "102"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    call_id = response["call_id"]
    client = await hass_client_no_auth()
    await post_all(
        client,
        [
            '{"action":"RING","callid":"1.1","ext":{"extid":"101"},"sn":"a09805021987"}',
            '{"action":"RING","callid":"1.1","ext":{"extid":"101"},"sn":"a09805021987"}',
            '{"action":"RING","callid":"1.2","ext":{"extid":["102","101"]}}',
            '{"action":"ANSWER","callid":"1.2","ext":{"extid":["102","101"]}}',
            '{"action":"BYE","callid":"1.3","ext":{"extid":["102","101"]}}',
            '{"action":"BYE","callid":"1.4","ext":{"extid":["101","102"]}}',
            '{"action":"NewCdr","callid":"1.5","callfrom":"101","callto":"102","talkduraction":"5","status":"ANSWERED"}',
        ],
    )
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["outcome"]) for e in statuses] == [
        ("calling_caller", None),
        ("calling_callee", None),
        ("connected", None),
        ("disconnected", "answered"),
    ]
    assert {e.data["call_id"] for e in statuses} == {call_id}
    assert statuses[-1].data == {
        "entry_id": reporting.entry_id,
        "device_id": reporting.runtime_data.device_id,
        "provider": "pbx",
        "call_id": call_id,
        "caller": "101",
        "callee": "102",
        "status": "BYE",
        "state": "disconnected",
        "reason": None,
        "outcome": "answered",
        "digits": None,
        "call_duration": None,
        "caller_call_duration": None,
        "report_date": None,
    }
    state = hass.states.get("event.openvox_uc501_call_status")
    assert state is not None
    assert state.attributes["event_type"] == "disconnected"
    assert state.attributes["outcome"] == "answered"


async def test_a_busy_call_out_by_its_pbx_call_id(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    reporting: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    mock_pbx_answers(
        mock_pbx, {"extension/dial_outbound": {"json": {"status": "Success", "callid": "9.1"}}}
    )
    statuses = call_statuses(hass)
    response = await hass.services.async_call(
        DOMAIN,
        "dial_outbound",
        {"extension": "101", "number": "075528000003"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["call_id"] == "9.1"
    client = await hass_client_no_auth()
    await post_all(
        client,
        [
            '{"action":"RING","callid":"9.1","call":[{"ext":{"extid":"101"}}]}',
            '{"action":"RING","callid":"9.1","call":[{"ext":{"extid":"101"}},{"outbound":{"to":"075528000003"}}]}',
            '{"action":"CallFailed","reason":"486 Busy Here","callid":"9.1","call":[{"ext":{"extid":"101"}}]}',
            '{"action":"RING","callid":"7.7","ext":{"extid":"105"}}',
        ],
    )
    await hass.async_block_till_done()
    assert [(e.data["state"], e.data["outcome"], e.data["reason"]) for e in statuses] == [
        ("calling_caller", None, None),
        ("calling_callee", None, None),
        ("disconnected", "busy", "486 Busy Here"),
    ]


async def test_a_call_record_alone_ends_a_call(
    hass: HomeAssistant, reporting: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    statuses = call_statuses(hass)
    await hass.services.async_call(
        DOMAIN, "dial_extension", {"caller": "101", "callee": "102"}, blocking=True
    )
    client = await hass_client_no_auth()
    await post_all(
        client,
        [
            '{"action":"ANSWER","callid":"2.1","ext":{"extid":"101"}}',  # the caller picked up
            '{"action":"NewCdr","callid":"2.2","callfrom":"101","callto":"102","talkduraction":"0","status":"NO ANSWER"}',
        ],
    )
    await hass.async_block_till_done()
    [ended] = statuses
    assert (ended.data["outcome"], ended.data["call_duration"]) == ("no_answer", 0)


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("480", "no_answer"),
        ("486 Busy Here", "busy"),
        ("603", "rejected"),
        ("404", "unreachable"),
        ("User busy", "busy"),
        ("DND", "rejected"),
        ("500", "failed"),
        (None, "failed"),
    ],
)
def test_failure_outcomes(reason: str | None, outcome: str) -> None:
    assert failure_outcome(reason) == outcome


def test_the_follower_keeps_the_newest_calls_and_ignores_other_reports() -> None:
    follower = CallFollower("pbx")
    for number in range(FOLLOWED_CALLS + 8):
        follower.start(f"call {number}", None, f"1{number:02}", "200")
    assert follower.follow(parse_report({"action": "RING", "ext": {"extid": "100"}})) == []
    [status] = follower.follow(parse_report({"action": "RING", "ext": {"extid": "139"}}))
    assert status.call_id == "call 39"
    assert follower.follow(parse_report({"action": "DTMF", "ext": {"extid": "139"}})) == []
