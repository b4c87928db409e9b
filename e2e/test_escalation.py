"""call_bridge.call_until_answered on a real hass: the first target does not answer, the second
acknowledges with a key; followed over the WebSocket API to the action's response."""

from __future__ import annotations

import pytest

from devtools.provision import ALARM_TARGETS, add_alarm_presets

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
