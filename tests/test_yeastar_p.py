"""Yeastar P-Series entries against the simulated P-Series PBX on loopback (REST and WebSocket)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import json
from typing import Any
from unittest.mock import patch

from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import voluptuous as vol

from custom_components.call_bridge.api.yeastar_p import (
    PbxEvent,
    YeastarPClient,
    YeastarPRefusedError,
    decode_frame,
)
from custom_components.call_bridge.api.yeastar_p.follow import CallFollower
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS, EVENT_PBX_EVENT
from simulator.yeastar_p import YeastarPState, create_yeastar_p_app

from .conftest import SetupEntry, start_flow

SERIAL = YeastarPState.serial


@pytest.fixture
def pbx_state() -> YeastarPState:
    return YeastarPState(step_delay=0.02)


@pytest.fixture
async def pbx_port(socket_enabled: None, pbx_state: YeastarPState) -> AsyncIterator[int]:
    """The simulated P-Series PBX, on loopback."""
    server = TestServer(create_yeastar_p_app(pbx_state), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    yield server.port
    await server.close()


def form(pbx_port: int, **changes: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": pbx_port,
        "ssl": False,
        "verify_ssl": True,
        "client_id": YeastarPState.client_id,
        "client_secret": YeastarPState.client_secret,
    } | changes


def entry_of(pbx_port: int, **changes: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Yeastar P-Series Software Edition",
        data={"entry_type": "yeastar_p"} | form(pbx_port) | changes,
        unique_id=SERIAL,
    )


async def until(condition: Callable[[], bool], seconds: float = 3) -> None:
    for _ in range(round(seconds * 100)):  # bounded
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not in time")


def endpoints(state: YeastarPState) -> list[str]:
    return [request["endpoint"] for request in state.requests]


async def test_a_p_series_pbx_is_set_up(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState
) -> None:
    result = await start_flow(hass, "yeastar_p")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Yeastar P-Series Software Edition"
    assert result["result"].unique_id == SERIAL
    assert result["data"] == {"entry_type": "yeastar_p"} | form(pbx_port)
    # Validated with a token and system/information; the token given back at once.
    assert endpoints(pbx_state)[:3] == ["get_token", "system/information", "del_token"]
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"client_secret": "wrong"}, {"base": "invalid_auth"}),
        ({"port": 1}, {"base": "cannot_connect"}),
        ({"host": "http://"}, {"host": "invalid_host"}),
    ],
)
async def test_a_p_series_pbx_that_cannot_be_set_up(
    hass: HomeAssistant, pbx_port: int, changes: dict[str, Any], error: dict[str, str]
) -> None:
    result = await start_flow(hass, "yeastar_p")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(pbx_port) | changes
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == error


async def test_extensions_start_as_the_pbx_lists_them(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    pbx_state.offline.add("2003")  # signed in on no phone and no Linkus client
    entry = await setup_entry(entry_of(pbx_port))
    extension = "sensor.yeastar_p_series_software_edition_extension_"
    # Unavailable until the event connection is up (tests/test_faults.py).
    await until(lambda: hass.states.get(f"{extension}2001").state != "unavailable")
    assert [hass.states.get(f"{extension}{n}").state for n in ("2001", "2002", "2003")] == [
        "idle",
        "idle",
        "offline",
    ]
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.fixture
async def loaded(
    hass: HomeAssistant, pbx_port: int, setup_entry: SetupEntry
) -> AsyncIterator[MockConfigEntry]:
    entry = await setup_entry(entry_of(pbx_port))
    await until(lambda: entry.runtime_data.stream.connected)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


async def call(hass: HomeAssistant, action: str, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, action, fields, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def test_a_call_is_followed_through_the_events(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    device = dr.async_get(hass).async_get(loaded.runtime_data.device_id)
    assert device is not None
    assert (device.manufacturer, device.serial_number) == ("Yeastar", SERIAL)
    state = hass.states.get("sensor.yeastar_p_series_software_edition_extension_2003")
    assert state is not None
    assert state.attributes["presence"] == "away"
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    reports = async_capture_events(hass, EVENT_PBX_EVENT)
    response = await call(hass, "dial_extension", caller="2001", callee="2002")
    call_id = response["call_id"]
    assert call_id is not None
    await until(lambda: any(e.data["state"] == "disconnected" for e in statuses))
    assert [(e.data["state"], e.data["outcome"]) for e in statuses] == [
        ("calling_caller", None),
        ("calling_callee", None),
        ("connected", None),
        ("disconnected", "answered"),
    ]
    assert {(e.data["call_id"], e.data["provider"]) for e in statuses} == {(call_id, "yeastar_p")}
    # As a real P-Series reports it: the caller picks up first, each leg ends on its own, and
    # each leg has its call record.
    assert [e.data["type"] for e in reports if e.data["callid"] == call_id] == [
        "alert",
        "answered",
        "ring",
        "answer",
        "bye",
        "bye",
        "new_cdr",
        "new_cdr",
    ]
    sensor = hass.states.get("sensor.yeastar_p_series_software_edition_extension_2002")
    assert sensor is not None
    assert sensor.state == "idle"
    pbx_event = hass.states.get("event.yeastar_p_series_software_edition_pbx_calls")
    assert pbx_event is not None
    assert pbx_event.attributes["event_type"] == "new_cdr"
    [dial] = [json.loads(r["body"]) for r in pbx_state.requests if r["endpoint"] == "call/dial"]
    assert dial == {"caller": "2001", "callee": "2002", "auto_answer": "no"}


async def test_a_busy_callee_and_a_prompt_with_keys(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    pbx_state.outcomes["2002"] = "busy"
    pbx_state.keys["2003"] = "12"
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    busy = (await call(hass, "dial_outbound", extension="2001", number="2002"))["call_id"]
    prompt = (await call(hass, "play_message", extension="2003", prompt="alarm"))["call_id"]
    await until(lambda: sum(e.data["state"] == "disconnected" for e in statuses) == 2)
    by_call = {
        call_id: [
            (e.data["state"], e.data["outcome"], e.data["digits"])
            for e in statuses
            if e.data["call_id"] == call_id
        ]
        for call_id in (busy, prompt)
    }
    assert by_call[busy][-1] == ("disconnected", "busy", None)
    assert by_call[prompt] == [
        ("calling_callee", None, None),
        ("connected", None, None),
        ("collect_result", None, "1"),
        ("collect_result", None, "12"),
        ("disconnected", "answered", None),
    ]


async def test_a_call_hung_up_by_its_id(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    pbx_state.step_delay = 0.3
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    call_id = (await call(hass, "dial_extension", caller="2001", callee="2002"))["call_id"]
    await until(lambda: any(e.data["state"] == "calling_caller" for e in statuses))
    await call(hass, "hangup", call_id=call_id)
    [hangup] = [json.loads(r["body"]) for r in pbx_state.requests if r["endpoint"] == "call/hangup"]
    assert hangup["channel_id"].startswith("PJSIP/2001-")
    with pytest.raises(ServiceValidationError):
        await call(hass, "hangup", call_id="no-such-call")
    with pytest.raises(ServiceValidationError):
        await call(hass, "hangup", extension="2003")  # in no call


async def test_the_event_connection_drops_and_comes_back(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    button_less = "event.yeastar_p_series_software_edition_call_status"
    await pbx_state.drop_connections()
    await until(lambda: loaded.runtime_data.stream.connections == 2)
    state = hass.states.get(button_less)
    assert state is not None
    assert state.state != "unavailable"
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    await call(hass, "dial_extension", caller="2001", callee="2002")
    await until(lambda: any(e.data["state"] == "disconnected" for e in statuses))


async def test_refusals_are_translated(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "play_message", extension="2003", prompt="unknown-prompt")
    assert refused.value.translation_key == "yeastar_p_errcode_40002"
    with pytest.raises(ServiceValidationError) as invalid:
        await call(hass, "play_message", extension="2003")
    assert invalid.value.translation_key == "missing_field"


async def test_diagnostics_and_unload(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    pbx_state: YeastarPState,
    hass_client: ClientSessionGenerator,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded)
    text = json.dumps(diagnostics)
    assert YeastarPState.client_secret not in text
    assert all(token not in text for token in pbx_state.tokens)
    assert diagnostics["provider"]["events_connected"] is True
    await hass.config_entries.async_unload(loaded.entry_id)
    assert endpoints(pbx_state)[-1] == "del_token"


async def test_refused_credentials_start_reauthentication(
    hass: HomeAssistant, pbx_port: int, pbx_state: YeastarPState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port, client_secret="old"))
    assert entry.state is ConfigEntryState.SETUP_ERROR, entry.reason
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["step_id"] == "yeastar_p_reauth"
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"],
        {"client_id": YeastarPState.client_id, "client_secret": YeastarPState.client_secret},
    )
    assert result.get("reason") == "reauth_successful", result
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_and_options(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_port: int, pbx_state: YeastarPState
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": loaded.entry_id}
    )
    assert result["step_id"] == "yeastar_p_reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        form(pbx_port, client_secret=""),  # empty: the stored one stays
    )
    assert result.get("reason") == "reconfigure_successful", result
    await hass.async_block_till_done()
    assert loaded.data["client_secret"] == YeastarPState.client_secret
    pbx_state.serial = "3631A2124999"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": loaded.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port))
    assert result["reason"] == "wrong_device"
    result = await hass.config_entries.options.async_init(loaded.entry_id)
    assert result["step_id"] == "pbx_options"  # the same options as the other PBX
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"cooldown": 0, "timeout": 10, "autoanswer": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()


async def test_a_pbx_that_does_not_answer_is_retried(
    hass: HomeAssistant, pbx_port: int, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(pbx_port, port=1))
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_unexpected_answers_and_hosts_typed_with_a_scheme(
    hass: HomeAssistant, pbx_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = await start_flow(hass, "yeastar_p")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(pbx_port) | {"host": f"https://127.0.0.1:{pbx_port}"}
    )
    # The scheme asked for HTTPS, which the simulator does not speak.
    assert result["errors"] == {"base": "cannot_connect"}

    async def refused(self: YeastarPClient) -> None:
        raise YeastarPRefusedError(40002, "PARAMETER ERROR")

    monkeypatch.setattr(YeastarPClient, "system_information", refused)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(pbx_port))
    assert result["errors"] == {"base": "unknown"}


async def test_credentials_refused_while_loaded_start_reauthentication(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    pbx_state.client_secret = "changed on the PBX"
    pbx_state.tokens.clear()
    pbx_state.refresh_tokens.clear()
    await pbx_state.drop_connections()
    # Reconnecting with back-off (1 s, 2 s): the token is refused, then the credentials.
    await until(lambda: bool(hass.config_entries.flow.async_progress()), seconds=10)
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == "reauth"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": loaded.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(1) | {"host": "http://"}
    )
    assert result["errors"] == {"host": "invalid_host"}


async def test_events_that_are_not_calls_of_this_entry(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    reports = async_capture_events(hass, EVENT_PBX_EVENT)
    await pbx_state.broadcast(30011, {"call_id": "1", "members": "not legs"})
    await pbx_state.broadcast(30008, {"extension": "2001", "status": "Idle\nforged"})
    await pbx_state.broadcast(30008, {"status": "Idle"})  # no extension
    await pbx_state.broadcast(30009, {"extension": "2999", "status": "lunch"})  # not listed
    await pbx_state.broadcast(30009, {"extension": "2003", "status": "lunch"})
    await pbx_state.broadcast(30008, {"extension": "2O02", "status": "Idle"})  # not a number
    await pbx_state.broadcast(30008, {"extension": "2002", "status": "RINGING"})  # its case varies
    hold = {"extension": {"number": "2001", "member_status": "HOLD"}}
    await pbx_state.broadcast(30011, {"call_id": "1", "members": [hold]})
    ring = {"extension": {"number": "2001", "member_status": "Ring"}}
    await pbx_state.broadcast(30011, {"call_id": "1", "members": [ring]})
    await until(lambda: len(reports) == 7)
    assert loaded.runtime_data.callbacks.counts["refused"] == 2
    assert loaded.runtime_data.stream.connections == 1  # refused events do not drop it
    assert [e.data["type"] for e in reports] == [
        *["extension_status"] * 5,
        "unknown",
        "ring",
    ]
    extension = "sensor.yeastar_p_series_software_edition_extension_"
    assert hass.states.get(f"{extension}2002").state == "ringing"
    assert hass.states.get(f"{extension}2o02") is None
    # Only the extensions the PBX lists have sensors.
    await hass.async_block_till_done()
    assert hass.states.get(f"{extension}2999") is None
    assert hass.states.get(f"{extension}2003").attributes["presence"] == "lunch"


async def test_presets_and_an_escalation_acknowledged_on_the_keypad(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    async def add(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (loaded.entry_id, kind), context={"source": "user"}
        )
        result = await hass.config_entries.subentries.async_configure(result["flow_id"], fields)
        await hass.async_block_till_done()
        return dict(result)

    assert (await add("preset", {"name": "Hall", "caller": "2O01", "callee": "2002"}))[
        "errors"
    ] == {"caller": "invalid_extension"}
    assert (await add("message", {"name": "Alarm", "extension": "x", "prompt": "a+"}))[
        "errors"
    ] == {"extension": "invalid_extension", "prompt": "invalid_prompt"}
    await add("preset", {"name": "Hall", "caller": "2001", "callee": "2002"})
    await until(
        lambda: loaded.state is ConfigEntryState.LOADED and loaded.runtime_data.stream.connected
    )
    await add("message", {"name": "Alarm", "extension": "2003", "prompt": "alarm"})
    await until(
        lambda: loaded.state is ConfigEntryState.LOADED and loaded.runtime_data.stream.connected
    )
    pbx_state.keys["2003"] = "1"
    with pytest.raises(ServiceValidationError):  # a call preset collects no keys
        await call(
            hass,
            "call_until_answered",
            targets=["button.yeastar_p_series_software_edition_hall"],
            acknowledge_digits="1",
        )
    response = await call(
        hass,
        "call_until_answered",
        targets=["button.yeastar_p_series_software_edition_alarm"],
        acknowledge_digits="1",
        ring_timeout=5,
    )
    assert (response["answered"], response["digits"]) == (True, "1")
    with pytest.raises(ServiceValidationError) as invalid:
        await call(hass, "play_message", extension="2003", prompt="alarm+")
    assert invalid.value.translation_key == "invalid_prompt"


def test_the_follower_s_bounds_and_odd_events() -> None:
    follower = CallFollower("yeastar_p")
    for n in range(40):
        follower.start(str(n), "2001", "2002", one_party=False)
    assert follower.calls.get("0") is None
    assert follower.calls.get("39") is not None

    def event(kind: int, msg: dict[str, Any]) -> tuple[PbxEvent, Any]:
        decoded = decode_frame(json.dumps({"type": kind, "sn": SERIAL, "msg": json.dumps(msg)}))
        assert isinstance(decoded, PbxEvent)
        return decoded, decoded.members()

    ring = event(
        30011,
        {"call_id": "39", "members": [{"extension": {"number": "2002", "member_status": "RING"}}]},
    )
    assert len(follower.follow(*ring)) == 1
    assert follower.follow(*ring) == []  # no change
    hold = event(
        30011,
        {"call_id": "39", "members": [{"extension": {"number": "2002", "member_status": "HOLD"}}]},
    )
    assert follower.follow(*hold) == []
    bye = event(
        30011,
        {"call_id": "39", "members": [{"extension": {"number": "2002", "member_status": "BYE"}}]},
    )
    assert follower.follow(*bye) == []  # settling: its record may still say how it ended
    cdr = event(
        30012,
        {"call_id": "39", "call_to": "2002", "status": "ANSWERD", "talk_duration": 21},
    )
    [status] = follower.follow(*cdr)
    assert (status.state, status.outcome, status.call_duration) == ("disconnected", "answered", 21)
    assert follower.follow(*cdr) == []  # ended once


async def test_providers_without_extensions(
    hass: HomeAssistant, onenet_entry: MockConfigEntry, setup_entry: SetupEntry
) -> None:
    provider = (await setup_entry(onenet_entry)).runtime_data
    assert provider.extensions.states == {}
    provider.extensions.async_add_listener(lambda: None)()
    provider.extensions.set_state("101", "idle")  # not listed: nothing
    provider.extensions.set_attribute("101", "presence", "away")
    assert provider.extensions.states == provider.extensions.attributes == {}


@pytest.fixture
async def text_to_speech(hass: HomeAssistant) -> None:
    """Home Assistant's text-to-speech, with its demo engine (which speaks MP3)."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "tts", {"tts": {"platform": "demo"}})
    await hass.async_block_till_done()


async def test_a_spoken_message_made_by_home_assistant_s_text_to_speech(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState, text_to_speech: None
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await call(
        hass, "play_message", extension="2003", message="Water leak", tts_engine="demo"
    )
    [name] = pbx_state.uploads
    assert name.startswith("call_bridge_")
    [upload] = [r for r in pbx_state.requests if r["endpoint"] == "custom_prompt/upload"]
    assert upload["file"] == f"{name}.mp3"  # the demo engine speaks MP3
    assert pbx_state.uploads[name]
    [prompt] = [
        json.loads(r["body"]) for r in pbx_state.requests if r["endpoint"] == "call/play_prompt"
    ]
    assert prompt["prompts"] == [name]
    await until(
        lambda: any(
            e.data["call_id"] == response["call_id"] and e.data["state"] == "disconnected"
            for e in statuses
        )
    )


async def test_a_message_preset_that_speaks(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded: MockConfigEntry,
    pbx_state: YeastarPState,
    text_to_speech: None,
) -> None:
    async def add(fields: dict[str, Any]) -> dict[str, Any]:
        result = await hass.config_entries.subentries.async_init(
            (loaded.entry_id, "message"), context={"source": "user"}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "Leak", "extension": "2003"} | fields
        )
        await hass.async_block_till_done()
        return dict(result)

    assert (await add({}))["errors"] == {"message": "prompt_or_message"}
    assert (await add({"message": "  "}))["errors"] == {"message": "prompt_or_message"}
    assert (await add({"message": "x" * 1001}))["errors"] == {"message": "message_too_long"}
    assert (await add({"prompt": "a+", "message": "Leak"}))["errors"] == {
        "prompt": "invalid_prompt",
        "message": "prompt_or_message",  # one or the other
    }
    assert (await add({"message": "Water leak", "extension": "x"}))["errors"] == {
        "extension": "invalid_extension"
    }
    created = await add({"message": "Water leak in the kitchen"})  # the default engine
    assert created["type"] is FlowResultType.CREATE_ENTRY
    await until(
        lambda: loaded.state is ConfigEntryState.LOADED and loaded.runtime_data.stream.connected
    )
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.yeastar_p_series_software_edition_leak"},
        blocking=True,
    )
    await until(lambda: bool(pbx_state.uploads))
    [prompt] = [
        json.loads(r["body"]) for r in pbx_state.requests if r["endpoint"] == "call/play_prompt"
    ]
    assert prompt["number"] == "2003"
    assert prompt["prompts"] == list(pbx_state.uploads)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded)
    [preset] = diagnostics["presets"]
    assert preset["data"]["message"] == "**REDACTED**"  # what it says may tell of people


async def test_speech_that_cannot_be_made_or_played(
    hass: HomeAssistant, loaded: MockConfigEntry, pbx_state: YeastarPState
) -> None:
    with pytest.raises(vol.Invalid):  # prompts or words, not both
        await call(hass, "play_message", extension="2003", prompt="alarm", message="Water leak")
    # No text-to-speech is set up.
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "play_message", extension="2003", message="Water leak")
    assert refused.value.translation_key == "tts_not_set_up"
    hass.config.components.add("tts")
    with (
        patch(
            "homeassistant.components.tts.generate_media_source_id",
            side_effect=HomeAssistantError("Invalid TTS provider selected"),
        ),
        pytest.raises(HomeAssistantError) as refused,
    ):
        await call(hass, "play_message", extension="2003", message="Water leak")
    assert refused.value.translation_key == "tts_failed"
    with (
        patch("homeassistant.components.tts.generate_media_source_id", return_value="x"),
        patch(
            "homeassistant.components.tts.async_get_media_source_audio",
            return_value=("ogg", b"OggS"),
        ),
        pytest.raises(HomeAssistantError) as refused,
    ):
        await call(hass, "play_message", extension="2003", message="Water leak again")
    assert refused.value.translation_key == "tts_unsupported_audio"
    assert pbx_state.uploads == {}
