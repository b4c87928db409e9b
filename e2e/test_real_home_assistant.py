"""Call Bridge in a real Home Assistant process: config flow, actions and call-status events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
import json
from typing import Any

import pytest

from devtools.api_client import HomeAssistantWebSocket

from .conftest import BUSY, Instance

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_both_entries_are_loaded(instance: Instance) -> None:
    entries = await instance.client.entries("call_bridge")
    assert {entry["title"]: entry["state"] for entry in entries} == {
        "OpenVox UC501": "loaded",
        "OneNET voice 02066240222": "loaded",
    }


async def test_dial_extension_over_rest(instance: Instance) -> None:
    before = len(instance.pbx.requests)
    status, body = await instance.client.call_action(
        "call_bridge", "dial_extension", {"caller": "101", "callee": "10 2", "autoanswer": True}
    )
    assert status == 200
    # OpenVox gives no call id; the entry receives the PBX's reports, so Call Bridge makes one.
    assert body["service_response"]["call_id"].startswith("call_bridge_")
    assert body["service_response"]["suppressed"] is False
    [dial] = [r for r in instance.pbx.requests[before:] if r["path"].endswith("dial_extension")]
    assert json.loads(dial["body"]) == {"caller": "101", "callee": "102", "autoanswer": "yes"}
    await until_the_extensions_are_free(instance)


async def until_the_extensions_are_free(instance: Instance) -> None:
    """Wait for the simulated PBX to finish its calls, so that the next test finds 101 idle."""
    async with asyncio.timeout(30):
        while instance.pbx.playing:  # noqa: ASYNC110 - the simulator's own state, polled
            await asyncio.sleep(0.05)


@asynccontextmanager
async def watching_call_status(instance: Instance) -> AsyncIterator[HomeAssistantWebSocket]:
    """A WebSocket subscribed to ``call_bridge_call_status``."""
    async with instance.client.websocket() as ws:
        subscribed = await ws.command(
            {"type": "subscribe_events", "event_type": "call_bridge_call_status"}
        )
        assert subscribed["success"]
        yield ws


async def follow_call(
    ws: HomeAssistantWebSocket,
    service: str,
    data: dict[str, Any],
    *,
    on_status: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Place a call on a watching WebSocket; collect its statuses until it is disconnected.

    ``on_status`` sees each of them as it comes (to hang up, or to drop a connection, mid-call).
    """
    answer = await call(ws, service, data)
    assert answer["success"], answer
    response = answer["result"]["response"]
    statuses: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while not statuses or statuses[-1]["state"] != "disconnected":
            status = (await ws.next_event())["data"]
            if status["call_id"] != response["call_id"]:
                continue
            statuses.append(status)
            if on_status is not None:
                await on_status(status)
    return response, statuses


async def test_a_pbx_call_is_followed_to_its_end(instance: Instance) -> None:
    async with instance.client.websocket() as states, watching_call_status(instance) as ws:
        changes = await states.command({"type": "subscribe_events", "event_type": "state_changed"})
        assert changes["success"]
        response, events = await follow_call(
            ws, "dial_extension", {"caller": "101", "callee": "102"}
        )
        await until_the_extensions_are_free(instance)
        await asyncio.sleep(0.5)
        await states.command({"type": "ping"})  # takes in the state changes sent meanwhile
    assert [event["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "connected",
        "disconnected",
    ]
    last = events[-1]
    assert (last["provider"], last["outcome"], last["caller"], last["callee"]) == (
        "pbx",
        "answered",
        "101",
        "102",
    )
    assert response["call_id"].startswith("call_bridge_")
    sensor = "sensor.openvox_uc501_extension_102"
    seen = [
        event["data"]["new_state"]["state"]
        for event in states.events
        if event["data"].get("entity_id") == sensor
    ]
    assert seen == ["ringing", "in_use", "idle"]


async def test_a_busy_pbx_call(instance: Instance) -> None:
    async with watching_call_status(instance) as ws:
        _, events = await follow_call(ws, "dial_extension", {"caller": "101", "callee": "104"})
    assert [event["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "disconnected",
    ]
    assert (events[-1]["outcome"], events[-1]["reason"]) == ("busy", "486")
    await until_the_extensions_are_free(instance)


async def test_a_pbx_call_hung_up_mid_call(instance: Instance) -> None:
    async def hang_up_while_ringing(status: dict[str, Any]) -> None:
        if status["state"] == "calling_callee":
            hangup = await call(ws, "hangup", {"extension": "101"})
            assert hangup["success"], hangup

    async with watching_call_status(instance) as ws:
        _, events = await follow_call(
            ws,
            "dial_extension",
            {"caller": "101", "callee": "105"},
            on_status=hang_up_while_ringing,
        )
    assert [event["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "disconnected",
    ]
    assert events[-1]["outcome"] == "no_answer"
    await until_the_extensions_are_free(instance)


async def call(ws: HomeAssistantWebSocket, service: str, data: dict[str, Any]) -> dict[str, Any]:
    return await ws.command(
        {
            "type": "call_service",
            "domain": "call_bridge",
            "service": service,
            "service_data": data,
            "return_response": True,
        }
    )


async def test_refusals_reach_the_user_translated(instance: Instance) -> None:
    async with instance.client.websocket() as ws:
        answer = await call(ws, "dial_extension", {"caller": "102", "callee": "999"})
        assert answer["success"] is False
        assert answer["error"]["translation_key"] == "pbx_errno_10006"
        assert "PBX error 10006: the extension does not exist" in answer["error"]["message"]
        answer = await call(ws, "click_to_dial", {"caller": "12345", "callee": "13900139000"})
        assert answer["error"]["code"] == "service_validation_error"
        assert answer["error"]["translation_key"] == "invalid_phone_number"


async def call_and_follow(
    instance: Instance, callee: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Place a OneNET call over WebSocket and collect its statuses until it is disconnected."""
    async with watching_call_status(instance) as ws:
        return await follow_call(
            ws, "click_to_dial", {"caller": "+86 138 0013 8000", "callee": callee}
        )


async def test_an_answered_call(instance: Instance) -> None:
    response, events = await call_and_follow(instance, "139 0013 9000")
    assert response["suppressed"] is False
    assert response["request_id"]
    assert [event["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "connected",
        "disconnected",
    ]
    last = events[-1]
    assert (last["reason"], last["call_duration"]) == ("HangUp", instance.onenet.talk_seconds)
    assert (last["caller"], last["callee"]) == ("8613800138000", "8613900139000")
    assert last["entry_id"] == instance.entry_ids["onenet"]
    assert last["device_id"]
    assert last["report_date"].endswith("+08:00")
    # OneNET received the entry's webhook URL with the call, and got a success envelope back.
    dial = json.loads(instance.onenet.requests[-1]["body"])
    assert dial["notify_url"].startswith(f"{instance.hass.base_url}/api/webhook/")
    assert all(callback["status"] == 200 for callback in instance.onenet.callbacks)


async def test_a_failed_call(instance: Instance) -> None:
    _, events = await call_and_follow(instance, BUSY)
    assert [event["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "disconnected",
    ]
    assert events[-1]["reason"] == "CalleeBusy"


async def test_the_log_holds_no_secret(instance: Instance) -> None:
    log = instance.hass.log_path.read_text(encoding="utf-8")
    assert "custom_components.call_bridge" in log  # debug logging was on
    secrets = [instance.pbx.password, instance.onenet.access_key, *instance.pbx.tokens]
    for secret in secrets:
        assert secret not in log


async def test_the_instance_opens_clean(instance: Instance) -> None:
    """No error line, notification or repair comes from how the instance is set up.

    Two repairs are the machine's, not the set-up's: Home Assistant Core's own notice about its
    installation method, and the Marketplace's (2026.11) about a catalog it cannot reach offline.
    """
    async with instance.client.websocket() as ws:
        issues = (await ws.command({"type": "repairs/list_issues"}))["result"]["issues"]
        notifications = (await ws.command({"type": "persistent_notification/get"}))["result"]
    machine = {("homeassistant", "deprecated_method"), ("marketplace", "download_profile")}
    raised = {(issue["domain"], issue["issue_id"]) for issue in issues}
    assert {
        (domain, issue_id)
        for domain, issue_id in raised
        if not any(domain == d and issue_id.startswith(i) for d, i in machine)
    } == set()
    assert notifications == []
    log = instance.hass.log_path.read_text(encoding="utf-8")
    # The actions these tests have refused on purpose are logged by Home Assistant's WebSocket API.
    errors = [
        line
        for line in log.splitlines()
        if " ERROR " in line and "[homeassistant.components.websocket_api" not in line
    ]
    assert errors == []


async def test_identical_calls_at_the_same_moment_place_one(instance: Instance) -> None:
    """Five identical actions over REST, all at once, with the cooldown off: one call is placed.

    The PBX is busy and answers late, so that the five are in flight together however slowly a
    loaded machine lets them arrive (with the cooldown off, a call after the first ended is new).
    """
    before = len(instance.pbx.requests)
    instance.pbx.answer_delay = 2.0
    try:
        answers = await asyncio.gather(
            *(
                instance.client.call_action(
                    "call_bridge", "dial_extension", {"caller": "101", "callee": "102"}
                )
                for _ in range(5)
            )
        )
    finally:
        instance.pbx.answer_delay = 0.0
    assert [status for status, _ in answers] == [200] * 5
    suppressed = sorted(body["service_response"]["suppressed"] for _, body in answers)
    dials = [r for r in instance.pbx.requests[before:] if r["path"].endswith("dial_extension")]
    assert len(dials) == 1
    assert suppressed == [False, True, True, True, True]
    await until_the_extensions_are_free(instance)
