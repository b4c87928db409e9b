"""A bounded soak on a real hass: thousands of callbacks, repeated, garbage and forged."""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

from aiohttp import ClientSession
import pytest

from .conftest import Instance

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROUNDS = 250  # twelve posts a round: 3,000 callbacks in all
GENUINE = ("CallingCaller", "CallingCallee", "Connected", "Disconnected")


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def test_only_the_genuine_unique_callbacks_become_events(instance: Instance) -> None:
    form = await instance.client.options_form(instance.entry_ids["onenet"])
    url = form["description_placeholders"]["webhook_url"]
    # A call the entry placed; its own status goes elsewhere, the soak posts it instead.
    _, answer = await instance.client.call_action(
        "call_bridge",
        "click_to_dial",
        {"caller": "13800138000", "callee": "13900139000", "notify_url": "http://127.0.0.1:9/"},
    )
    call_id = answer["service_response"]["call_id"]
    app_id = instance.onenet.app_id

    def genuine(status: str) -> dict[str, str]:
        return {"appid": app_id, "call_id": call_id, "status": status, "reason": "HangUp"}

    hostile: list[bytes | dict[str, object]] = [
        b"not json",
        b"[" * 20000 + b"]" * 20000,
        {"appid": app_id, "call_id": "forged-call", "status": "Connected"},
        {"appid": "another-app", "call_id": call_id, "status": "Connected"},
        {"appid": app_id, "call_id": call_id + "\ud800", "status": "Connected"},
        {"appid": app_id, "call_id": call_id, "status": "Connected\nforged log line"},
        {"appid": app_id, "call_id": True, "status": "Disconnected"},
        {"appid": app_id, "call_id": "x" * 60_000, "status": "Connected"},
    ]
    pid = instance.hass.pid
    before = resident_kib(pid)
    async with instance.client.websocket() as ws:
        await ws.command({"type": "subscribe_events", "event_type": "call_bridge_call_status"})
        async with ClientSession() as session:
            statuses = itertools.cycle(GENUINE)
            for _ in range(ROUNDS):
                for body in [genuine(next(statuses)) for _ in range(4)] + hostile:
                    if isinstance(body, bytes):
                        post = session.post(url, data=body)
                    else:
                        post = session.post(url, data=json.dumps(body).encode())
                    async with post as response:
                        assert response.status < 500
        await asyncio.sleep(1)
        await ws.command({"type": "ping"})  # every event fired so far has been received
        # Calls of the other entries, placed by earlier tests, may still be ending.
        events = [
            event["data"]
            for event in ws.events
            if event["data"]["entry_id"] == instance.entry_ids["onenet"]
        ]
    ours = [event for event in events if event["call_id"] == call_id]
    assert [event["status"] for event in ours] == list(GENUINE)
    assert all(event["call_id"] in (call_id,) or event["call_id"].isdigit() for event in events)
    grown = resident_kib(pid) - before
    assert grown < 64 * 1024, f"hass grew by {grown} KiB"
    log = instance.hass.log_path.read_text(encoding="utf-8")
    assert [
        line for line in log.splitlines() if " ERROR " in line and "websocket_api" not in line
    ] == []
    assert "forged log line" not in log
