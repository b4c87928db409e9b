"""call_bridge.call_until_answered on a real hass: the first target does not answer, the second
acknowledges with a key; followed over the WebSocket API to the action's response."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import ClientError
import pytest

from devtools.provision import ALARM_TARGETS, add_alarm_presets
from simulator.pbx import PbxState

from .conftest import Instance
from .test_real_home_assistant import call, until_the_extensions_are_free, watching_call_status

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_an_escalation_acknowledged_by_the_second_target(instance: Instance) -> None:
    await add_alarm_presets(instance.client, instance.entry_ids)
    async with watching_call_status(instance) as ws:
        answer = await call(
            ws,
            "call_until_answered",
            {"targets": ALARM_TARGETS, "acknowledge_digits": "1", "ring_timeout": 20},
        )
        statuses = [event["data"] for event in ws.events]
    assert answer["success"], answer
    response = answer["result"]["response"]
    assert (response["answered"], response["answered_by"], response["digits"]) == (
        True,
        ALARM_TARGETS[1],
        "1",
    )
    kitchen, caretaker = response["attempts"]
    assert (kitchen["target"], kitchen["outcome"], kitchen["digits"]) == (
        ALARM_TARGETS[0],
        "no_answer",
        None,
    )
    assert (caretaker["outcome"], caretaker["digits"]) == ("answered", "1")
    assert kitchen["ended"] <= caretaker["started"]
    by_call = {
        attempt["call_id"]: [s["state"] for s in statuses if s["call_id"] == attempt["call_id"]]
        for attempt in (kitchen, caretaker)
    }
    assert by_call == {
        kitchen["call_id"]: ["calling_callee", "disconnected"],
        caretaker["call_id"]: ["calling_callee", "connected", "collect_result"],
    }
    collected = next(s for s in statuses if s["state"] == "collect_result")
    assert (collected["provider"], collected["digits"]) == ("onenet", "1")
    # The prompt went to extension 105, the notification to the caretaker's phone.
    [prompt] = [r for r in instance.pbx.requests if r["path"].endswith("playprompt")]
    assert '"extid": "105"' in prompt["body"]
    await until_the_extensions_are_free(instance)


def prompts(pbx: PbxState) -> list[dict[str, Any]]:
    """The prompts the PBX was asked to play (the kitchen's alarm calls)."""
    return [r for r in pbx.requests if r["path"].endswith("playprompt")]


def notifications(instance: Instance) -> list[dict[str, Any]]:
    """The voice notifications OneNET was asked for (the caretaker's alarm calls)."""
    return [r for r in instance.onenet.requests if "/voice/notify" in r["path_qs"]]


async def test_a_chain_goes_on_after_home_assistant_restarts(instance: Instance) -> None:
    """Home Assistant stops while the first call rings; once back, the chain goes on by itself."""
    if await instance.client.state(ALARM_TARGETS[0]) is None:  # the test above may have added them
        await add_alarm_presets(instance.client, instance.entry_ids)
    pbx = instance.pbx
    prompts_before = len(prompts(pbx))
    notifications_before = len(notifications(instance))
    pbx.step_delay = 8.0  # the kitchen rings through the restart
    chain = asyncio.create_task(
        instance.client.call_action(
            "call_bridge",
            "call_until_answered",
            {"targets": ALARM_TARGETS, "acknowledge_digits": "1", "ring_timeout": 40},
        )
    )
    try:
        async with asyncio.timeout(10):
            while len(prompts(pbx)) == prompts_before:  # noqa: ASYNC110 - the simulator's list
                await asyncio.sleep(0.1)
        await instance.hass.stop()
        with contextlib.suppress(ClientError):
            await chain  # its caller's connection went with Home Assistant
        await instance.hass.start()
        async with instance.client.websocket() as ws:
            subscribed = await ws.command(
                {"type": "subscribe_events", "event_type": "call_bridge_escalation"}
            )
            assert subscribed["success"]
            async with asyncio.timeout(90):
                while True:
                    done = (await ws.next_event())["data"]
                    if done["event"] in ("acknowledged", "exhausted", "cancelled"):
                        break
    finally:
        pbx.step_delay = 0.3
    assert (done["event"], done["resumed"], done["answered_by"]) == (
        "acknowledged",
        True,
        ALARM_TARGETS[1],
    )
    kitchen, caretaker = done["attempts"]
    assert kitchen["target"] == ALARM_TARGETS[0]
    assert kitchen["outcome"] == "no_answer"
    assert (caretaker["outcome"], caretaker["digits"]) == ("answered", "1")
    # Nobody was rung twice: one prompt to the kitchen, one notification to the caretaker.
    assert len(prompts(pbx)) == prompts_before + 1
    assert len(notifications(instance)) == notifications_before + 1
    await until_the_extensions_are_free(instance)
