"""Asterisk entries against ARI replayed from a real Asterisk (``asterisk_far_side``), on loopback.

The same calls against a live Asterisk are in ``e2e/test_asterisk.py``; here every answer and
frame is what Asterisk 22 sent, and the tests can refuse, drop and forge.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
import io
import json
from typing import Any
from unittest.mock import patch
import wave

from aiohttp.test_utils import TestServer
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.network import NoURLAvailableError
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

from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS, EVENT_PBX_EVENT
from custom_components.call_bridge.providers.asterisk import KEYS_SECONDS
from custom_components.call_bridge.providers.asterisk.speech import SPEECH_PATH
from custom_components.call_bridge.providers.pbx_parts import LIST_INTERVAL
from devtools.asterisk import ARI_APP, ARI_PASSWORD, ARI_USER

from .asterisk_far_side import RECORDING, AsteriskState, create_asterisk_app
from .conftest import SetupEntry, start_flow

SYSTEM_ID = RECORDING["answers"]["info"]["system"]["entity_id"]
SENSOR = "sensor.asterisk_127_0_0_1_extension_{}"


@pytest.fixture
def asterisk() -> AsteriskState:
    return AsteriskState()


@pytest.fixture
async def ari_port(socket_enabled: None, asterisk: AsteriskState) -> AsyncIterator[int]:
    """The replayed Asterisk, on loopback."""
    server = TestServer(create_asterisk_app(asterisk), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    yield server.port
    await server.close()


def form(port: int, **changes: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "ssl": False,
        "verify_ssl": True,
        "username": ARI_USER,
        "password": ARI_PASSWORD,
        "app": ARI_APP,
        "context": "from-internal",
        "technology": "PJSIP",
    } | changes


def entry_of(port: int, **changes: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Asterisk 127.0.0.1",
        data={"entry_type": "asterisk"} | form(port) | changes,
        unique_id=SYSTEM_ID,
    )


async def until(condition: Callable[[], bool], seconds: float = 3) -> None:
    for _ in range(round(seconds * 100)):  # bounded
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not in time")


@pytest.fixture
async def loaded(
    hass: HomeAssistant, ari_port: int, setup_entry: SetupEntry
) -> AsyncIterator[MockConfigEntry]:
    entry = await setup_entry(entry_of(ari_port))
    await until(lambda: entry.runtime_data.stream.connected)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


async def call(hass: HomeAssistant, action: str, **fields: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, action, fields, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


def state_of(hass: HomeAssistant, number: str) -> str | None:
    state = hass.states.get(SENSOR.format(number))
    return state.state if state else None


async def test_an_asterisk_is_set_up_through_the_flow(
    hass: HomeAssistant, ari_port: int, asterisk: AsteriskState
) -> None:
    result = await start_flow(hass, "asterisk")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(ari_port, host=f"http://127.0.0.1:{ari_port}", app=" call_bridge ")
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result
    assert result["title"] == "Asterisk 127.0.0.1"
    assert result["data"] == {"entry_type": "asterisk"} | form(ari_port)
    entry = result["result"]
    assert entry.unique_id == SYSTEM_ID
    await hass.async_block_till_done()
    await until(lambda: entry.runtime_data.stream.connected)
    device = dr.async_get(hass).async_get(entry.runtime_data.device_id)
    assert device is not None
    assert (device.manufacturer, device.model, device.serial_number) == (
        "Asterisk",
        "Asterisk 22.10.1",
        SYSTEM_ID,
    )
    assert device.sw_version == RECORDING["answers"]["info"]["system"]["version"]
    # The recorded list: the farm's phones registered, 104 and the SIP phone not; the trunk is none.
    assert {n: state_of(hass, n) for n in ("100", "101", "102", "103", "104", "201")} == {
        "100": "idle",
        "101": "idle",
        "102": "idle",
        "103": "idle",
        "104": "offline",
        "201": "offline",
    }
    assert hass.states.get(SENSOR.format("trunk")) is None
    # Every request carried the ARI user in its header, and the password in no URL.
    assert {r["authorization"] for r in asterisk.requests} == {asterisk.authorization}
    assert all(ARI_PASSWORD not in json.dumps(r["query"]) for r in asterisk.requests)
    result = await start_flow(hass, "asterisk")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(ari_port))
    assert result["reason"] == "already_configured"
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("changes", "refusal", "errors"),
    [
        ({"password": "wrong"}, None, {"base": "invalid_auth"}),
        ({}, (404, '{"message":"Resource not found"}'), {"base": "ari_disabled"}),
        ({}, (503, "busy"), {"base": "unknown"}),
        ({}, (200, "{}"), {"base": "cannot_connect"}),
        ({"host": "pbx lan"}, None, {"host": "invalid_host"}),
        ({"app": "call bridge"}, None, {"app": "invalid_app"}),
        (
            {"context": "from internal", "app": ""},
            None,
            {"app": "invalid_app", "context": "invalid_context"},
        ),
    ],
)
async def test_an_asterisk_that_cannot_be_set_up(
    hass: HomeAssistant,
    ari_port: int,
    asterisk: AsteriskState,
    changes: dict[str, Any],
    refusal: tuple[int, str] | None,
    errors: dict[str, str],
) -> None:
    if refusal is not None:
        asterisk.refusals["GET asterisk/info"] = refusal
    result = await start_flow(hass, "asterisk")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(ari_port, **changes)
    )
    assert (result["type"], result["errors"]) == (FlowResultType.FORM, errors)
    shown = [(key.description or {}).get("suggested_value") for key in result["data_schema"].schema]
    assert "wrong" not in shown  # a refused password is not sent back to the browser


async def test_an_asterisk_that_is_not_there(hass: HomeAssistant, socket_enabled: None) -> None:
    result = await start_flow(hass, "asterisk")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(9))
    assert result["errors"] == {"base": "cannot_connect"}


async def test_reauthentication_and_reconfiguration(
    hass: HomeAssistant, ari_port: int, asterisk: AsteriskState, setup_entry: SetupEntry
) -> None:
    entry = await setup_entry(entry_of(ari_port, password="old"))
    assert entry.state is ConfigEntryState.SETUP_ERROR
    [flow] = hass.config_entries.flow.async_progress()
    assert (flow["context"]["source"], flow["step_id"]) == (SOURCE_REAUTH, "asterisk_reauth")
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": ARI_USER, "password": "still wrong"}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {"username": ARI_USER, "password": ARI_PASSWORD}
    )
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    assert result["step_id"] == "asterisk_reconfigure"
    assert "password" not in {str(key) for key in result["data_schema"].schema} - {"password"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(ari_port, host="pbx lan")
    )
    assert result["errors"] == {"host": "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form(ari_port, password="", context="from-phones")
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert (entry.data["password"], entry.data["context"]) == (ARI_PASSWORD, "from-phones")
    # Another Asterisk (another system id) is not this entry's.
    other = json.loads(json.dumps(RECORDING["answers"]["info"]))
    other["system"]["entity_id"] = "02:fc:00:00:00:99"
    asterisk.refusals["GET asterisk/info"] = (200, json.dumps(other))
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], form(ari_port))
    assert result["reason"] == "wrong_device"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_asterisk_not_answering_at_setup_is_tried_again(
    hass: HomeAssistant, ari_port: int, asterisk: AsteriskState, setup_entry: SetupEntry
) -> None:
    asterisk.refusals["GET endpoints/PJSIP"] = (500, '{"error":"Internal"}')
    entry = await setup_entry(entry_of(ari_port))
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason is not None
    assert "cannot be reached yet" in entry.reason


async def follow(
    hass: HomeAssistant, action: str, **fields: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Place a call; return the response and its statuses once it is disconnected."""
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    response = await call(hass, action, **fields)
    mine = lambda: [e.data for e in statuses if e.data["call_id"] == response["call_id"]]  # noqa: E731
    await until(lambda: any(s["state"] == "disconnected" for s in mine()))
    return response, mine()


@pytest.mark.parametrize("frames_first", [False, True], ids=["answer first", "frames first"])
async def test_calls_followed_as_asterisk_told_them(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState, frames_first: bool
) -> None:
    asterisk.frames_first = frames_first
    for scenario, action, fields in [
        ("answered", "dial_extension", {"caller": "100", "callee": "103"}),
        ("busy", "dial_extension", {"caller": "100", "callee": "101"}),
        ("caller_never_answers", "dial_extension", {"caller": "102", "callee": "100"}),
        ("hung_up_ringing", "dial_extension", {"caller": "100", "callee": "102"}),
        ("outside_busy", "dial_outbound", {"extension": "100", "number": "138 0000 0486"}),
        ("no_route", "dial_extension", {"caller": "100", "callee": "999"}),
    ]:
        response, statuses = await follow(hass, action, **fields)
        recorded = RECORDING["scenarios"][scenario]["statuses"]
        assert [(s["state"], s["outcome"]) for s in statuses] == [
            (s["state"], s["outcome"]) for s in recorded
        ], scenario
        assert {s["provider"] for s in statuses} == {"asterisk"}
        assert response["call_id"].startswith("call_bridge-")
    [originate, *_] = [r for r in asterisk.requests if r["path"] == "channels"]
    assert originate["query"] | {"channelId": "x"} == {
        "endpoint": "PJSIP/100",
        "extension": "103",
        "context": "from-internal",
        "priority": "1",
        "channelId": "x",
        "timeout": "60",
        "callerId": "103",
    }
    outbound = [r for r in asterisk.requests if r["path"] == "channels"][4]
    assert outbound["query"]["extension"] == "13800000486"


def until_the_callee_rings(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return a call's frames up to its callee's ringing (both legs then live)."""
    for index, frame in enumerate(frames):
        if frame["type"] == "Dial" and "caller" in frame and frame["dialstatus"] == "RINGING":
            return frames[: index + 1]
    raise AssertionError("the callee never rang")


def until_answered(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return a message's frames up to its call entering the application (it was answered)."""
    return frames[: next(i for i, f in enumerate(frames) if f["type"] == "StasisStart") + 1]


async def test_hangups(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    asterisk.replays = False  # the calls ring on: nothing ends them but a hangup
    placed = await call(hass, "dial_extension", caller="100", callee="102")
    call_id = placed["call_id"]
    await asterisk.push(until_the_callee_rings(asterisk.frames_of("hung_up_ringing", call_id)))
    provider = loaded.runtime_data
    await until(lambda: len(provider.follower.calls.get(call_id).live_legs()) == 2)
    await call(hass, "hangup", call_id=call_id)
    hangups = [r["path"] for r in asterisk.requests if r["method"] == "DELETE"]
    assert hangups[0] == f"channels/{call_id}"  # the caller's leg first: it ends the call
    assert len(hangups) == 2
    # By extension: the channels Asterisk lists for its phone.
    asterisk.endpoints = [
        row | ({"channel_ids": ["1796512881.7"]} if row["resource"] == "100" else {})
        for row in asterisk.endpoints
    ]
    await call(hass, "hangup", extension="100")
    assert asterisk.requests[-1]["path"] == "channels/1796512881.7"
    with pytest.raises(ServiceValidationError) as unknown:
        await call(hass, "hangup", extension="101")
    assert unknown.value.translation_key == "unknown_call"
    with pytest.raises(ServiceValidationError):
        await call(hass, "hangup", call_id="call_bridge-never-placed")
    asterisk.refusals["DELETE channels/1796512881.7"] = (404, '{"message":"Channel not found"}')
    with pytest.raises(HomeAssistantError) as gone:
        await call(hass, "hangup", extension="100")
    assert gone.value.translation_key == "asterisk_not_found"
    asterisk.refusals["GET endpoints/PJSIP/100"] = (500, "{}")
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "hangup", extension="100")
    assert refused.value.translation_key == "asterisk_allocation_failed"


async def test_refusals_are_translated(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    asterisk.refusals["POST channels"] = (500, '{"error":"Allocation failed"}')
    with pytest.raises(HomeAssistantError) as refused:
        await call(hass, "dial_extension", caller="104", callee="100")
    assert refused.value.translation_key == "asterisk_allocation_failed"
    assert refused.value.translation_placeholders["message"] == "Allocation failed"
    assert "is the extension's phone registered?" in str(refused.value)
    asterisk.refusals["POST channels"] = (418, "teapot")
    with pytest.raises(HomeAssistantError) as odd:
        await call(hass, "dial_extension", caller="100", callee="101")
    assert odd.value.translation_key == "asterisk_error"


async def test_a_message_with_a_key(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    response, statuses = await follow(
        hass, "play_message", extension="103", prompt="hello-world+beep", autoanswer=True
    )
    recorded = RECORDING["scenarios"]["message_with_a_key"]["statuses"]
    assert [(s["state"], s["digits"]) for s in statuses] == [
        (s["state"], s["digits"]) for s in recorded
    ]
    [originate] = [r for r in asterisk.requests if r["path"] == "channels"]
    assert originate["query"]["app"] == ARI_APP
    assert json.loads(originate["body"]) == {
        "variables": {
            "PJSIP_HEADER(add,Call-Info)": "answer-after=0",
            "PJSIP_HEADER(add,Alert-Info)": "info=alert-autoanswer",
        }
    }
    await until(lambda: any(r["path"].endswith("/play") for r in asterisk.requests))
    [play] = [r for r in asterisk.requests if r["path"].endswith("/play")]
    assert play["path"] == f"channels/{response['call_id']}/play"
    assert play["query"]["media"] == "sound:hello-world,sound:beep"
    # Once played, the call is hung up when there was time for a key.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=KEYS_SECONDS + 1))
    await until(lambda: asterisk.requests[-1]["method"] == "DELETE")
    assert asterisk.requests[-1]["path"] == f"channels/{response['call_id']}"


async def test_a_message_that_cannot_be_played(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    asterisk: AsteriskState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    asterisk.replays = False
    placed = await call(hass, "play_message", extension="103", prompt="hello-world")
    call_id = placed["call_id"]
    asterisk.refusals = {f"POST channels/{call_id}/play": (409, '{"message":"not in app"}')}
    await asterisk.push(until_answered(asterisk.frames_of("message_with_a_key", call_id)))
    await until(lambda: "could not be played" in caplog.text)
    assert "not in app" in caplog.text
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=KEYS_SECONDS + 1))
    await until(lambda: asterisk.requests[-1]["path"] == f"channels/{call_id}")
    with pytest.raises(ServiceValidationError) as missing:
        await call(hass, "play_message", number="13800138000", prompt="hello-world")
    assert missing.value.translation_key == "missing_field"


def wav_with_a_list_chunk(rate: int = 8000) -> bytes:
    """A WAV as ffmpeg writes it: a LIST chunk between its format and its samples."""
    plain = io.BytesIO()
    with wave.open(plain, "wb") as written:
        written.setnchannels(1)
        written.setsampwidth(2)
        written.setframerate(rate)
        written.writeframes(b"\x01\x00" * 800)
    data = plain.getvalue()
    listed = b"LIST" + (26).to_bytes(4, "little") + b"INFOISFT" + (13).to_bytes(4, "little")
    listed += b"Lavf63.1.102\x00\x00"
    body = data[12:36] + listed + data[36:]
    return b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WAVE" + body


async def test_a_spoken_message_is_served_to_asterisk(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    asterisk: AsteriskState,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    asterisk.replays = False
    with pytest.raises(HomeAssistantError) as no_tts:
        await call(hass, "play_message", extension="103", message="Water in the kitchen")
    assert no_tts.value.translation_key == "tts_not_set_up"
    hass.config.components.add("tts")
    audio = patch(
        "homeassistant.components.tts.async_get_media_source_audio",
        return_value=("wav", wav_with_a_list_chunk()),
    )
    with (
        patch("homeassistant.components.tts.generate_media_source_id", return_value="x") as made,
        audio,
    ):
        placed = await call(hass, "play_message", extension="103", message="Water in the kitchen")
    assert made.call_args.kwargs["options"] == {
        "preferred_format": "wav",
        "preferred_sample_rate": 8000,
        "preferred_sample_channels": 1,
    }
    await asterisk.push(until_answered(asterisk.frames_of("message_with_a_key", placed["call_id"])))
    await until(lambda: any(r["path"].endswith("/play") for r in asterisk.requests))
    [play] = [r for r in asterisk.requests if r["path"].endswith("/play")]
    media = play["query"]["media"]
    assert media.startswith("sound:http://")
    assert SPEECH_PATH in media
    client = await hass_client_no_auth()
    served = await client.get("/" + media.removeprefix("sound:").split("/", 3)[3])
    assert served.status == 200
    with wave.open(io.BytesIO(await served.read()), "rb") as read:
        assert (read.getframerate(), read.getnchannels(), read.getnframes()) == (8000, 1, 800)
    assert b"LIST" not in await served.read()
    assert (await client.get(f"{SPEECH_PATH}/guessed.wav")).status == 404


async def test_speech_asterisk_cannot_play(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    hass.config.components.add("tts")
    for audio, key in [
        (("mp3", b"ID3"), "asterisk_speech_unplayable"),
        (("wav", wav_with_a_list_chunk(rate=16000)), "asterisk_speech_unplayable"),
    ]:
        with (
            patch("homeassistant.components.tts.generate_media_source_id", return_value="x"),
            patch("homeassistant.components.tts.async_get_media_source_audio", return_value=audio),
            pytest.raises(HomeAssistantError) as refused,
        ):
            await call(hass, "play_message", extension="103", message=f"Water {key}")
        assert refused.value.translation_key == key
    with (
        patch("homeassistant.components.tts.generate_media_source_id", return_value="x"),
        patch(
            "homeassistant.components.tts.async_get_media_source_audio",
            return_value=("wav", wav_with_a_list_chunk()),
        ),
        patch(
            "custom_components.call_bridge.providers.asterisk.get_url",
            side_effect=NoURLAvailableError,
        ),
        pytest.raises(HomeAssistantError) as no_url,
    ):
        await call(hass, "play_message", extension="103", message="Water, no URL")
    assert no_url.value.translation_key == "tts_no_url"
    assert not [r for r in asterisk.requests if r["path"] == "channels"]


async def test_what_asterisk_reports(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    reports = async_capture_events(hass, EVENT_PBX_EVENT)
    await asterisk.push(asterisk.frames_of("answered", "call_bridge-someone-else"))
    await until(lambda: any(r.data["type"] == "bye" for r in reports))
    kinds = [r.data["type"] for r in reports]
    assert {"ring", "answered", "bye", "extension_status"} <= set(kinds)
    answered = next(r.data for r in reports if r.data["type"] == "answered")
    assert (answered["action"], answered["callid"], answered["extensions"]) == (
        "Dial",
        "call_bridge-someone-else",
        ["100"],
    )
    event = hass.states.get("event.asterisk_127_0_0_1_pbx_calls")
    assert event is not None
    assert event.attributes["event_type"] in ("bye", "extension_status")
    # A real phone's registration, then its unregistration.
    await asterisk.push(RECORDING["registrations"]["registered"])
    await until(lambda: state_of(hass, "201") == "idle")
    await asterisk.push(RECORDING["registrations"]["unregistered"])
    await until(lambda: state_of(hass, "201") == "offline")


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[]",
        '{"type": 7}',
        '{"type": "Dial", "peer": "nobody"}',
        '{"type": "Dial", "peer": {"id": "1", "name": "PJSIP/100-1", "state": "Up"}, "dialstatus": "BUSY\\nforged"}',
        '{"type": "ChannelDestroyed", "channel": {"id": "1\\u0000", "name": "x", "state": "Up"}}',
        '{"type": "ChannelDestroyed", "channel": {"id": "1", "name": "x", "state": "Up"}, "cause": 999}',
        '{"type": "ChannelDtmfReceived", "channel": {"id": "1", "name": "x", "state": "Up"}, "digit": "11"}',
        '{"type": "DeviceStateChanged", "device_state": "INUSE"}',
        '{"type": "DeviceStateChanged", "device_state": {"name": "'
        + "P" * 200
        + '", "state": "INUSE"}}',
        '{"type": "PlaybackFinished", "playback": []}',
    ],
)
async def test_frames_that_are_no_events_change_nothing(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState, frame: str
) -> None:
    reports = async_capture_events(hass, EVENT_PBX_EVENT)
    stream = loaded.runtime_data.stream
    await asterisk.push([frame, {"type": "ChannelVarset", "variable": "X"}])
    await until(lambda: stream.refused == 1)
    await hass.async_block_till_done()
    assert reports == []
    assert stream.connected


async def test_the_event_connection_drops_and_comes_back(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    asterisk: AsteriskState,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider = loaded.runtime_data
    await asterisk.drop_connections()
    await until(lambda: not provider.stream.connected)
    assert state_of(hass, "100") == "unavailable"
    await until(lambda: provider.stream.connected, seconds=5)
    assert state_of(hass, "100") == "idle"
    assert "event connection lost" in caplog.text
    assert "event connection is back" in caplog.text
    # The ARI password changed on Asterisk: reauthentication, no reconnecting loop.
    asterisk.password = "changed"
    await asterisk.drop_connections()
    await until(lambda: bool(hass.config_entries.flow.async_progress()), seconds=5)
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert ARI_PASSWORD not in caplog.text


async def test_the_extension_list_is_followed(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    asterisk.endpoints = [row for row in asterisk.endpoints if row["resource"] != "102"]
    asterisk.endpoints = [
        row | ({"state": "offline"} if row["resource"] == "100" else {})
        for row in asterisk.endpoints
    ]
    async_fire_time_changed(hass, dt_util.utcnow() + LIST_INTERVAL)
    await until(lambda: state_of(hass, "102") is None)
    assert er.async_get(hass).async_get(SENSOR.format("102")) is None
    assert state_of(hass, "100") == "offline"
    asterisk.refusals["GET endpoints/PJSIP"] = (502, "bad gateway")
    async_fire_time_changed(hass, dt_util.utcnow() + 2 * LIST_INTERVAL)
    await until(lambda: state_of(hass, "101") == "unavailable")
    asterisk.refusals["GET endpoints/PJSIP"] = (401, '{"message":"Authentication required"}')
    async_fire_time_changed(hass, dt_util.utcnow() + 3 * LIST_INTERVAL)
    await until(lambda: bool(hass.config_entries.flow.async_progress()))
    [flow] = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH


async def test_diagnostics_keep_the_frames_not_the_password(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    asterisk: AsteriskState,
    hass_client: ClientSessionGenerator,
) -> None:
    await follow(hass, "dial_extension", caller="100", callee="101")
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded)
    assert diagnostics["entry"]["data"]["password"] == "**REDACTED**"
    assert ARI_PASSWORD not in json.dumps(diagnostics)
    assert diagnostics["provider"]["events_connected"] is True
    assert diagnostics["provider"]["extensions"] == 6
    assert any("Dial" in message["text"] for message in diagnostics["far_side_messages"])


async def test_message_presets_speak_or_play(hass: HomeAssistant, loaded: MockConfigEntry) -> None:
    for preset, errors in [
        (
            {"extension": "103", "prompt": "hello-world", "message": "Hi"},
            {"message": "prompt_or_message"},
        ),
        ({"extension": "103"}, {"message": "prompt_or_message"}),
        ({"extension": "x", "message": "Hi"}, {"extension": "invalid_extension"}),
        ({"extension": "103", "message": "Hi" * 600}, {"message": "message_too_long"}),
        ({"extension": "103", "prompt": "a+" * 9 + "a"}, {"prompt": "invalid_prompt"}),
    ]:
        result = await hass.config_entries.subentries.async_init(
            (loaded.entry_id, "message"), context={"source": "user"}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"name": "Alarm", "autoanswer": False} | preset
        )
        assert result["errors"] == errors, preset
    result = await hass.config_entries.subentries.async_init(
        (loaded.entry_id, "message"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Alarm", "extension": "103", "message": "Water", "autoanswer": False},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()  # the entry reloads with its new button


async def test_an_escalation_acknowledged_on_the_keypad(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    result = await hass.config_entries.subentries.async_init(
        (loaded.entry_id, "message"), context={"source": "user"}
    )
    await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Guard", "extension": "103", "prompt": "hello-world", "autoanswer": False},
    )
    await hass.async_block_till_done()
    await until(
        lambda: loaded.state is ConfigEntryState.LOADED and loaded.runtime_data.stream.connected
    )
    response = await call(
        hass,
        "call_until_answered",
        targets=["button.asterisk_127_0_0_1_guard"],
        acknowledge_digits="1",
        ring_timeout=5,
    )
    assert (response["answered"], response["digits"]) == (True, "1")


async def test_a_message_s_end_is_taken_once_and_forgotten_at_unload(
    hass: HomeAssistant, loaded: MockConfigEntry, asterisk: AsteriskState
) -> None:
    asterisk.replays = False
    provider = loaded.runtime_data
    placed = await call(hass, "play_message", extension="103", prompt="hello-world")
    frames = asterisk.frames_of("message_with_a_key", placed["call_id"])
    finished = [f for f in frames if f["type"] == "PlaybackFinished"]
    await asterisk.push(frames[: frames.index(finished[0]) + 1] + finished)  # told twice
    await until(lambda: placed["call_id"] in provider._ending)
    assert len(provider._ending) == 1
    # Messages waiting to be answered are bounded.
    for _ in range(40):
        await call(hass, "play_message", extension="100", prompt="hello-world")
    assert len(provider.waiting) == 32
    await hass.config_entries.async_unload(loaded.entry_id)
    assert provider._ending == {}
