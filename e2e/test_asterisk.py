"""Asterisk on a real hass, against a real Asterisk (Debian's) with its own configuration.

The PBX has FreePBX's shape (PJSIP extensions dialled from ``from-internal``, ARI on loopback);
its extensions' phones are a second Asterisk whose dialplan answers, is busy, never answers or
answers and presses 1, and a real SIP phone (SIPp) registers as extension 201 and answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from devtools.asterisk import (
    ANSWERS,
    BUSY,
    CALLER_NAME,
    CALLER_NUMBER,
    NEVER_ANSWERS,
    OFFLINE,
    OUTSIDE_BUSY,
    PRESSES_1,
    SIPP_PHONE,
    Office,
    running_office,
)
from devtools.provision import add_asterisk

from .conftest import Instance
from .test_real_home_assistant import call, follow_call, watching_call_status

pytestmark = pytest.mark.asyncio(loop_scope="session")

SENSOR = "sensor.asterisk_127_0_0_1_extension_{}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def office(instance: Instance) -> AsyncIterator[tuple[Office, str]]:
    """A running Asterisk and its phones, and its entry, set up through the config flow."""
    async with running_office() as running:
        result = await add_asterisk(instance.client, running.pbx)
        entry_id = result["result"]["entry_id"]
        try:
            yield running, entry_id
        finally:
            await instance.client.remove_entry(entry_id)


async def state_of(instance: Instance, number: str) -> str | None:
    found = await instance.client.state(SENSOR.format(number))
    return found["state"] if found else None


async def until_state(instance: Instance, number: str, wanted: str) -> None:
    async with asyncio.timeout(15):
        while await state_of(instance, number) != wanted:  # noqa: ASYNC110 - polled over HTTP
            await asyncio.sleep(0.1)


async def until_available(instance: Instance, entity_id: str) -> None:
    async with asyncio.timeout(30):
        while True:
            state = await instance.client.state(entity_id)
            if state is not None and state["state"] != "unavailable":
                return
            await asyncio.sleep(0.1)


async def test_the_extensions_and_a_real_registration(
    instance: Instance, office: tuple[Office, str]
) -> None:
    running, entry_id = office
    [entry] = [e for e in await instance.client.entries("call_bridge") if e["entry_id"] == entry_id]
    assert (entry["title"], entry["state"]) == ("Asterisk 127.0.0.1", "loaded")
    for number in (ANSWERS, BUSY, NEVER_ANSWERS, PRESSES_1):
        await until_state(instance, number, "idle")
    assert await state_of(instance, OFFLINE) == "offline"
    assert await state_of(instance, SIPP_PHONE) == "offline"
    assert await instance.client.state("sensor.asterisk_127_0_0_1_extension_trunk") is None
    await running.phone.register()
    await until_state(instance, SIPP_PHONE, "idle")
    await running.phone.register(expires=0)
    await until_state(instance, SIPP_PHONE, "offline")
    await running.phone.register()
    await until_state(instance, SIPP_PHONE, "idle")


async def dial(
    ws: Any, entry_id: str, service: str, data: dict[str, Any], *, hang_up_when: str | None = None
) -> list[dict[str, Any]]:
    async def hang_up(status: dict[str, Any]) -> None:
        if status["state"] == hang_up_when:
            answer = await call(
                ws, "hangup", {"config_entry_id": entry_id, "call_id": status["call_id"]}
            )
            assert answer["success"], answer

    _, statuses = await follow_call(
        ws, service, {"config_entry_id": entry_id} | data, on_status=hang_up
    )
    return statuses


async def test_calls_are_followed_to_their_end(
    instance: Instance, office: tuple[Office, str]
) -> None:
    _, entry_id = office
    async with watching_call_status(instance) as ws:
        answered = await dial(
            ws,
            entry_id,
            "dial_extension",
            {"caller": ANSWERS, "callee": PRESSES_1},
            hang_up_when="connected",
        )
        busy = await dial(ws, entry_id, "dial_extension", {"caller": ANSWERS, "callee": BUSY})
        outside_busy = await dial(
            ws, entry_id, "dial_outbound", {"extension": ANSWERS, "number": OUTSIDE_BUSY}
        )
        hung_up_ringing = await dial(
            ws,
            entry_id,
            "dial_extension",
            {"caller": ANSWERS, "callee": NEVER_ANSWERS},
            hang_up_when="calling_callee",
        )
        no_route = await dial(ws, entry_id, "dial_extension", {"caller": ANSWERS, "callee": "999"})
        from_a_real_phone = await dial(
            ws,
            entry_id,
            "dial_extension",
            {"caller": SIPP_PHONE, "callee": ANSWERS},
            hang_up_when="connected",
        )
    assert [s["state"] for s in answered] == [
        "calling_caller",
        "calling_callee",
        "connected",
        "disconnected",
    ]
    assert (answered[-1]["provider"], answered[-1]["outcome"]) == ("asterisk", "answered")
    assert [(s["state"], s["outcome"]) for s in busy][-1] == ("disconnected", "busy")
    assert outside_busy[-1]["outcome"] == "busy"
    assert [s["state"] for s in hung_up_ringing] == [
        "calling_caller",
        "calling_callee",
        "disconnected",
    ]
    assert hung_up_ringing[-1]["outcome"] == "no_answer"
    assert (no_route[-1]["outcome"], no_route[-1]["reason"]) == (
        "unreachable",
        "No route to destination",
    )
    assert from_a_real_phone[-1]["outcome"] == "answered"


async def test_an_offline_phone_is_refused_translated(
    instance: Instance, office: tuple[Office, str]
) -> None:
    _, entry_id = office
    async with instance.client.websocket() as ws:
        answer = await call(
            ws,
            "dial_extension",
            {"config_entry_id": entry_id, "caller": OFFLINE, "callee": ANSWERS},
        )
    assert answer["success"] is False
    assert answer["error"]["translation_key"] == "asterisk_allocation_failed"
    assert "is the extension's phone registered?" in answer["error"]["message"]


async def test_an_escalation_acknowledged_with_a_key(
    instance: Instance, office: tuple[Office, str]
) -> None:
    _, entry_id = office
    client = instance.client
    # Message presets: only their calls can tell the keys pressed.
    presets = [
        {"name": "Wake the night desk", "extension": NEVER_ANSWERS},
        {"name": "Alarm to the guard", "extension": PRESSES_1},
    ]
    for preset in presets:
        result = await client.subentry_flow(
            entry_id, "message", preset | {"prompt": "hello-world", "autoanswer": False}
        )
        assert result["type"] == "create_entry", result
    targets = [
        "button.asterisk_127_0_0_1_wake_the_night_desk",
        "button.asterisk_127_0_0_1_alarm_to_the_guard",
    ]
    # Each preset reloads the entry: its buttons are there once it is connected again.
    for entity_id in targets:
        await until_available(instance, entity_id)
    async with watching_call_status(instance) as ws:
        answer = await call(
            ws,
            "call_until_answered",
            {"targets": targets, "acknowledge_digits": "1", "ring_timeout": 5},
        )
    assert answer["success"], answer
    response = answer["result"]["response"]
    assert (response["answered"], response["answered_by"], response["digits"]) == (
        True,
        targets[1],
        "1",
    )
    desk, guard = response["attempts"]
    assert desk["outcome"] == "no_answer"
    assert guard["outcome"] == "answered"


async def test_a_spoken_message_is_fetched_and_played(
    instance: Instance, office: tuple[Office, str]
) -> None:
    running, entry_id = office
    async with instance.client.websocket() as events:
        subscribed = await events.command(
            {"type": "subscribe_events", "event_type": "call_bridge_pbx_event"}
        )
        assert subscribed["success"]
        async with watching_call_status(instance) as ws:
            statuses = await dial(
                ws,
                entry_id,
                "play_message",
                {"extension": ANSWERS, "message": "Water in the kitchen"},  # the default engine
            )
        await events.command({"type": "ping"})
    assert [s["state"] for s in statuses] == ["calling_callee", "connected", "disconnected"]
    ends = [e["data"] for e in events.events if e["data"]["type"] == "play_prompt_end"]
    assert [end["status"] for end in ends] == ["done"], running.pbx.log()[-3000:]


async def incoming_until(ws: Any, final: str) -> list[dict[str, Any]]:
    """Collect the steps of the call coming in until its final event."""
    steps: list[dict[str, Any]] = []
    async with asyncio.timeout(30):
        while not steps or steps[-1]["state"] != final:
            steps.append((await ws.next_event())["data"])
    return steps


async def test_calls_from_outside_are_followed_to_their_end(
    instance: Instance, office: tuple[Office, str]
) -> None:
    """Someone outside calls through the trunk: answered then hung up, and given up on."""
    running, entry_id = office
    phones = running.farm
    async with instance.client.websocket() as ws:
        subscribed = await ws.command(
            {"type": "subscribe_events", "event_type": "call_bridge_incoming_call"}
        )
        assert subscribed["success"]
        await phones.call_in(ANSWERS)
        answered = await incoming_until(ws, "answered")
        await phones.hang_up_callers()
        answered += await incoming_until(ws, "ended")
        await phones.call_in(NEVER_ANSWERS)
        missed = await incoming_until(ws, "ringing")
        await phones.hang_up_callers()
        missed += await incoming_until(ws, "missed")
    assert [step["state"] for step in answered] == ["ringing", "answered", "ended"]
    first = answered[0]
    assert (first["entry_id"], first["provider"], first["caller"], first["caller_name"]) == (
        entry_id,
        "asterisk",
        CALLER_NUMBER,
        CALLER_NAME,
    )
    assert (first["callee"], answered[1]["extension"]) == (ANSWERS, ANSWERS)
    assert isinstance(answered[-1]["duration"], int)
    assert [step["state"] for step in missed] == ["ringing", "missed"]
    assert missed[0]["extension"] == NEVER_ANSWERS
    missed_calls = await instance.client.state("sensor.asterisk_127_0_0_1_missed_calls")
    assert missed_calls is not None
    assert missed_calls["state"] == "1"
    assert missed_calls["attributes"]["calls"][0]["caller_name"] == CALLER_NAME
