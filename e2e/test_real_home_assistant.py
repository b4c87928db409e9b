"""Call Bridge in a real Home Assistant process: config flow, actions and call-status events."""

from __future__ import annotations

import asyncio
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
    assert body["service_response"] == {"call_id": None, "suppressed": False}
    [dial] = [r for r in instance.pbx.requests[before:] if r["path"].endswith("dial_extension")]
    assert json.loads(dial["body"]) == {"caller": "101", "callee": "102", "autoanswer": "yes"}


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
        answer = await call(ws, "dial_extension", {"caller": "101", "callee": "999"})
        assert answer["success"] is False
        assert answer["error"]["translation_key"] == "pbx_errno_10006"
        assert "PBX error 10006: the extension does not exist" in answer["error"]["message"]
        answer = await call(ws, "click_to_dial", {"caller": "12345", "callee": "13900139000"})
        assert answer["error"]["code"] == "service_validation_error"
        assert answer["error"]["translation_key"] == "invalid_phone_number"


async def call_and_follow(
    instance: Instance, callee: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Place a OneNET call over WebSocket and collect its status events until it is disconnected."""
    async with instance.client.websocket() as ws:
        subscribed = await ws.command(
            {"type": "subscribe_events", "event_type": "call_bridge_call_status"}
        )
        assert subscribed["success"]
        answer = await call(ws, "click_to_dial", {"caller": "+86 138 0013 8000", "callee": callee})
        assert answer["success"], answer
        response = answer["result"]["response"]
        events: list[dict[str, Any]] = []
        async with asyncio.timeout(30):
            while not events or events[-1]["data"]["state"] != "disconnected":
                event = await ws.next_event()
                if event["data"]["call_id"] == response["call_id"]:
                    events.append(event)
    return response, events


async def test_an_answered_call(instance: Instance) -> None:
    response, events = await call_and_follow(instance, "139 0013 9000")
    assert response["suppressed"] is False
    assert response["request_id"]
    assert [event["data"]["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "connected",
        "disconnected",
    ]
    last = events[-1]["data"]
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
    assert [event["data"]["state"] for event in events] == [
        "calling_caller",
        "calling_callee",
        "disconnected",
    ]
    assert events[-1]["data"]["reason"] == "CalleeBusy"


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
    """Five identical actions over REST, all at once, with the cooldown off: one call is placed."""
    before = len(instance.pbx.requests)
    answers = await asyncio.gather(
        *(
            instance.client.call_action(
                "call_bridge", "dial_extension", {"caller": "101", "callee": "102"}
            )
            for _ in range(5)
        )
    )
    assert [status for status, _ in answers] == [200] * 5
    suppressed = sorted(body["service_response"]["suppressed"] for _, body in answers)
    dials = [r for r in instance.pbx.requests[before:] if r["path"].endswith("dial_extension")]
    assert len(dials) == 1
    assert suppressed == [False, True, True, True, True]
