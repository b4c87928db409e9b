"""OneNET's call-status callbacks, posted over real HTTP to the entry's webhook."""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.json import json_dumps
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.api.onenet import authorization, decode_access_key
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS

from .conftest import (
    ACCESS_KEY,
    APP_ID,
    ONENET_DATA,
    ONENET_URL,
    WEBHOOK_ID,
    SetupEntry,
    assert_no_secret,
    onenet_answer,
)

URL = f"/api/webhook/{WEBHOOK_ID}"
EVENT_ENTITY = "event.oneNET_voice_02066240222_call_status".lower()


def callback(status: str, **extra: Any) -> dict[str, Any]:
    """A body as reference section 3.2 documents it."""
    return {
        "appid": APP_ID,
        "call_id": "150104227912386807",
        "caller": "8613800138000",
        "callee": "8613900139000",
        "status": status,
    } | extra


def our_log(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components")
    )


CALL_ID = "150104227912386807"


async def place(hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, call_id: str) -> None:
    """Place a call through the entry, so that its callbacks are the entry's own."""
    aioclient_mock.clear_requests()
    aioclient_mock.post(ONENET_URL, json=onenet_answer(data={"call_id": call_id}))
    await hass.services.async_call(
        DOMAIN, "click_to_dial", {"caller": "13800138000", "callee": "13900139000"}, blocking=True
    )


@pytest.fixture
async def loaded(
    hass: HomeAssistant,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    aioclient_mock: AiohttpClientMocker,
) -> MockConfigEntry:
    """A OneNET entry that has placed the call CALL_ID."""
    await setup_entry(onenet_entry)
    await place(hass, aioclient_mock, CALL_ID)
    return onenet_entry


async def test_a_whole_answered_call(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    bodies = [
        callback("CallingCaller", report_date="20261124160000"),
        callback("CallingCallee"),
        callback("Connected"),
        callback("Disconnected", reason="HangUp", call_duration="42", caller_call_duration="45"),
    ]
    for body in bodies:
        response = await client.post(URL, json=body)
        assert response.status == HTTPStatus.OK
        answer = await response.json()
        assert answer["code_no"] == "000000"
        assert answer["code"] == "OneNET_common_success"
        assert len(answer["request_id"]) == 32
    await hass.async_block_till_done()
    assert [event.data["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "connected",
        "disconnected",
    ]
    device = device_registry.async_get(loaded.runtime_data.device_id)
    assert device is not None
    assert (DOMAIN, APP_ID) in device.identifiers
    assert events[0].data == {
        "entry_id": loaded.entry_id,
        "device_id": device.id,
        "call_id": "150104227912386807",
        "caller": "8613800138000",
        "callee": "8613900139000",
        "status": "CallingCaller",
        "state": "calling_caller",
        "reason": None,
        "call_duration": None,
        "caller_call_duration": None,
        "report_date": "2026-11-24T16:00:00+08:00",
        "provider": "onenet",
        "outcome": None,
        "digits": None,
    }
    assert [event.data["outcome"] for event in events] == [None, None, None, "answered"]
    assert events[3].data["reason"] == "HangUp"
    assert events[3].data["call_duration"] == 42
    assert events[3].data["caller_call_duration"] == 45

    state = hass.states.get(EVENT_ENTITY)
    assert state is not None
    assert state.attributes["event_type"] == "disconnected"
    assert state.attributes["call_id"] == "150104227912386807"
    assert state.attributes["reason"] == "HangUp"
    assert state.attributes["call_duration"] == 42
    assert_no_secret(our_log(caplog), json.dumps([event.data for event in events]))


async def test_the_documented_example_without_duration(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    await place(hass, aioclient_mock, "CS123")
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    body = {
        "appid": APP_ID,
        "call_id": "CS123",
        "caller": "8613912345672",
        "callee": "8613912345673",
        "status": "Disconnected",
        "reason": "HangUp",
    }
    assert (await client.post(URL, json=body)).status == HTTPStatus.OK
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["call_id"], event.data["state"], event.data["call_duration"]) == (
        "CS123",
        "disconnected",
        None,
    )


async def test_repeated_delivery_fires_once(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    for _ in range(3):
        response = await client.post(URL, json=callback("Connected"))
        assert response.status == HTTPStatus.OK
    await client.post(URL, json=callback("Disconnected", reason="HangUp"))
    await hass.async_block_till_done()
    assert [event.data["status"] for event in events] == ["Connected", "Disconnected"]


async def test_unknown_status_is_reported_as_unknown(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    await client.post(
        URL, json=callback("Transferred", call_duration="x", report_date="soon", reason="")
    )
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["status"], event.data["state"]) == ("Transferred", "unknown")
    assert (event.data["call_duration"], event.data["report_date"], event.data["reason"]) == (
        None,
        None,
        None,
    )
    assert hass.states.get(EVENT_ENTITY).attributes["event_type"] == "unknown"


DEEP = b"[" * 30000 + b"]" * 30000  # under 64 KiB, deeper than the JSON parser goes


@pytest.mark.parametrize(
    ("body", "status", "code_no"),
    [
        pytest.param(b"not json", HTTPStatus.BAD_REQUEST, "000012", id="not-json"),
        pytest.param(b"", HTTPStatus.BAD_REQUEST, "000012", id="empty"),
        pytest.param(b"\xff\xfe\x00", HTTPStatus.BAD_REQUEST, "000012", id="bad-utf8"),
        pytest.param(DEEP, HTTPStatus.BAD_REQUEST, "000012", id="too-deep"),
        pytest.param(b"[1, 2]", HTTPStatus.BAD_REQUEST, "000012", id="array"),
        pytest.param(b'"Connected"', HTTPStatus.BAD_REQUEST, "000012", id="string"),
        pytest.param(b"null", HTTPStatus.BAD_REQUEST, "000012", id="null"),
        pytest.param(
            json.dumps({"status": "Connected"}).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000006",
            id="no-call-id",
        ),
        pytest.param(
            json.dumps({"call_id": "1"}).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000006",
            id="no-status",
        ),
        pytest.param(
            json.dumps({"call_id": "1", "status": 3}).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000004",
            id="status-not-text",
        ),
        pytest.param(
            json.dumps({"call_id": ["1"], "status": "Connected"}).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000004",
            id="call-id-list",
        ),
        *(
            pytest.param(
                json.dumps(callback("Connected") | {field: value}).encode(),
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "000004",
                id=f"{field}-{name}",
            )
            for field in ("call_id", "caller", "callee", "status", "reason")
            for name, value in (
                ("newline", CALL_ID + "\nforged log line"),
                ("nul", "x\u0000"),
                ("control", "x\u001b[31m"),
                ("lone-surrogate", "x\ud800"),
                ("too-long", "1" * 65),
                ("number", 77),
                ("true", True),
            )
            if not (field == "status" and name == "too-long")
        ),
        pytest.param(
            json.dumps(callback("S" * 17)).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000004",
            id="status-too-long",
        ),
        pytest.param(
            json.dumps(callback("Disconnected", reason="R" * 33)).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000004",
            id="reason-33",
        ),
        pytest.param(
            json.dumps({k: v for k, v in callback("Connected").items() if k != "appid"}).encode(),
            HTTPStatus.FORBIDDEN,
            "000002",
            id="no-appid",
        ),
        pytest.param(
            json.dumps(callback("Connected", appid=None)).encode(),
            HTTPStatus.FORBIDDEN,
            "000002",
            id="appid-null",
        ),
        pytest.param(
            json.dumps({"call_id": "", "status": "Connected"}).encode(),
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000006",
            id="call-id-empty",
        ),
        pytest.param(
            json.dumps(callback("Connected", appid="1234")).encode(),
            HTTPStatus.FORBIDDEN,
            "000002",
            id="other-appid",
        ),
        pytest.param(
            json.dumps(callback("Connected", pad="x" * 70000)).encode(),
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "000005",
            id="over-64k",
        ),
    ],
)
async def test_hostile_bodies_fire_nothing(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    status: HTTPStatus,
    code_no: str,
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    response = await client.post(URL, data=body, headers={"Content-Type": "application/json"})
    assert response.status == status
    assert (await response.json())["code_no"] == code_no
    await hass.async_block_till_done()
    assert events == []
    # Nothing of it reached the state machine: the states still serialise as the API sends them.
    json_dumps([state.as_dict() for state in hass.states.async_all()])
    assert "Traceback" not in caplog.text
    ours = [record for record in caplog.records if record.name.startswith("custom_components")]
    assert len(ours) == 1
    assert ours[0].levelno == logging.WARNING
    assert_no_secret(ours[0].getMessage())
    # Nothing else is disturbed: a good callback still goes through.
    assert (await client.post(URL, json=callback("Connected"))).status == HTTPStatus.OK


async def test_streamed_oversized_body(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    async def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(20):
            yield b" " * 8192

    client = await hass_client_no_auth()
    response = await client.post(URL, data=chunks())
    assert response.status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE


async def test_only_post(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    client = await hass_client_no_auth()
    assert (await client.get(URL)).status == HTTPStatus.METHOD_NOT_ALLOWED


def signed(key: str = ACCESS_KEY, et: int = 1795507200 + 300) -> dict[str, str]:
    return {
        "Authorization": authorization(
            decode_access_key(key), et=et, method="md5", res=f"onenet_voice/{APP_ID}"
        )
    }


@pytest.mark.parametrize(
    ("mode", "headers", "status", "warned"),
    [
        ("off", {}, HTTPStatus.OK, False),
        ("log", signed(), HTTPStatus.OK, False),
        ("log", {}, HTTPStatus.OK, True),
        ("log", signed("bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA=="), HTTPStatus.OK, True),
        ("enforce", signed(), HTTPStatus.OK, False),
        ("enforce", {}, HTTPStatus.UNAUTHORIZED, True),
        ("enforce", signed(et=1795507200 - 3600), HTTPStatus.OK, False),  # clock skew
        ("enforce", signed(et=1795507200 - 3601), HTTPStatus.UNAUTHORIZED, True),
        ("enforce", signed(et=253402300799), HTTPStatus.UNAUTHORIZED, True),  # the year 9999
    ],
)
async def test_verify_callbacks(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
    mode: str,
    headers: dict[str, str],
    status: HTTPStatus,
    warned: bool,
) -> None:
    freezer.move_to("2026-11-24 08:00:00+00:00")
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN, data=ONENET_DATA, unique_id=APP_ID, options={"verify_callbacks": mode}
        )
    )
    await place(hass, aioclient_mock, CALL_ID)
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    response = await client.post(URL, json=callback("Connected"), headers=headers)
    assert response.status == status
    await hass.async_block_till_done()
    assert len(events) == (status == HTTPStatus.OK)
    warnings = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components") and r.levelno >= logging.WARNING
    ]
    assert bool(warnings) is warned
    assert_no_secret(our_log(caplog))
    for header in headers.values():
        assert header not in caplog.text


async def test_unload_removes_the_webhook(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    entity_registry: er.EntityRegistry,
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    await hass.config_entries.async_unload(loaded.entry_id)
    client = await hass_client_no_auth()
    response = await client.post(URL, json=callback("Connected"))
    assert response.status == HTTPStatus.OK  # Home Assistant hides whether a hook exists
    await hass.async_block_till_done()
    assert events == []
    assert entity_registry.async_get(EVENT_ENTITY) is not None


@pytest.mark.parametrize(
    ("call_duration", "caller_call_duration", "expected"),
    [
        ("42", "45", (42, 45)),
        (42, True, (42, None)),
        ("²", "٤٢", (None, None)),  # digits, but not ASCII ones
        ("9" * 5000, "-1", (None, None)),
        (-1, 10**12, (None, None)),
        (" 42", "42.0", (None, None)),
    ],
)
async def test_durations_are_ascii_seconds_or_null(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    call_duration: object,
    caller_call_duration: object,
    expected: tuple[int | None, int | None],
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    response = await client.post(
        URL,
        json=callback(
            "Disconnected",
            reason="HangUp",
            call_duration=call_duration,
            caller_call_duration=caller_call_duration,
        ),
    )
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    [event] = events
    assert (event.data["call_duration"], event.data["caller_call_duration"]) == expected
    assert "Traceback" not in caplog.text


async def test_a_callback_about_a_call_not_placed_fires_nothing(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    for status in ("Connected", "Disconnected"):
        response = await client.post(URL, json=callback(status, call_id="someone-elses-call"))
        assert response.status == HTTPStatus.OK  # answered, so that OneNET does not resend it
        assert (await response.json())["code_no"] == "000000"
    await hass.async_block_till_done()
    assert events == []
    lines = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components") and "did not place" in r.getMessage()
    ]
    assert len(lines) == 1  # the second within the minute is counted, not logged
    assert "someone-elses-call" not in caplog.text


async def test_calls_placed_before_a_restart_are_recognised_after_it(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    await hass.config_entries.async_reload(loaded.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[f"{DOMAIN}.{loaded.entry_id}.calls"]["data"]
    assert CALL_ID in stored["placed"]
    events = async_capture_events(hass, EVENT_CALL_STATUS)
    client = await hass_client_no_auth()
    await client.post(URL, json=callback("Connected"))
    await hass.async_block_till_done()
    assert len(events) == 1
    await hass.config_entries.async_remove(loaded.entry_id)
    assert f"{DOMAIN}.{loaded.entry_id}.calls" not in hass_storage


async def test_a_header_is_not_accepted_for_another_call_or_status(
    hass: HomeAssistant,
    setup_entry: SetupEntry,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    freezer.move_to("2026-11-24 08:00:00+00:00")
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            data=ONENET_DATA,
            unique_id=APP_ID,
            options={"verify_callbacks": "enforce"},
        )
    )
    await place(hass, aioclient_mock, "other-call")
    await place(hass, aioclient_mock, CALL_ID)
    # The header Call Bridge itself sent with the dial: it must not pass as a callback's.
    [(_, _, _, sent)] = aioclient_mock.mock_calls
    client = await hass_client_no_auth()
    own = await client.post(
        URL, json=callback("Connected"), headers={"Authorization": sent["Authorization"]}
    )
    assert own.status == HTTPStatus.UNAUTHORIZED
    header = signed()
    first = await client.post(URL, json=callback("Connected"), headers=header)
    again = await client.post(URL, json=callback("Connected"), headers=header)  # redelivered
    other_status = await client.post(URL, json=callback("Disconnected"), headers=header)
    other_call = await client.post(
        URL, json=callback("Connected", call_id="other-call"), headers=header
    )
    assert [r.status for r in (first, again, other_status, other_call)] == [
        HTTPStatus.OK,
        HTTPStatus.OK,
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.UNAUTHORIZED,
    ]


async def test_refusals_and_unsigned_callbacks_are_logged_once_a_minute(
    hass: HomeAssistant,
    loaded: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
    freezer: FrozenDateTimeFactory,
    hass_client: ClientSessionGenerator,
) -> None:
    client = await hass_client_no_auth()
    for number in range(200):
        await client.post(URL, json=callback("Connected", call_id=f"{number}"))  # unsigned
        await client.post(URL, data=b"garbage")
    ours = [r for r in caplog.records if r.name.startswith("custom_components")]
    assert len([r for r in ours if "refused" in r.getMessage()]) == 1
    assert len([r for r in ours if "without a valid Authorization" in r.getMessage()]) == 1
    freezer.tick(61)
    await client.post(URL, data=b"garbage")
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) == 2
    assert "199 more like it" in refused[-1]
    assert loaded.runtime_data.callbacks.counts["refused"] == 201


def test_display_url_without_any_url(hass: HomeAssistant) -> None:
    from homeassistant.helpers.network import NoURLAvailableError

    from custom_components.call_bridge.webhook import display_url

    with patch(
        "custom_components.call_bridge.webhook.webhook.async_generate_url",
        side_effect=NoURLAvailableError,
    ):
        assert display_url(hass, "hook", None) == "/api/webhook/hook"
    assert display_url(hass, "hook", "https://example.com/api/webhook/hook") == (
        "https://example.com/api/webhook/hook"
    )


async def test_a_streamed_callback_within_the_limit(
    hass: HomeAssistant, loaded: MockConfigEntry, hass_client_no_auth: ClientSessionGenerator
) -> None:
    events = async_capture_events(hass, EVENT_CALL_STATUS)

    async def chunks():  # no Content-Length: read in chunks up to the limit
        body = json.dumps(callback("Connected")).encode()
        yield body[:10]
        yield body[10:]

    client = await hass_client_no_auth()
    response = await client.post(URL, data=chunks())
    assert response.status == HTTPStatus.OK
    await hass.async_block_till_done()
    assert [event.data["state"] for event in events] == ["connected"]
