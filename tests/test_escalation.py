"""call_bridge.call_until_answered, against a faked OneNET and a faked PBX that report back."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.call_bridge import escalation
from custom_components.call_bridge.const import DOMAIN, EVENT_CALL_STATUS

from .conftest import SetupEntry, yeastar_with_token
from .far_side import (
    DAD,
    KITCHEN,
    MUM,
    REPORTS,
    SPEAKER,
    FarSide,
    far_side_fixture,  # noqa: F401 - the fixture
    preset,
)


def escalate(hass: HomeAssistant, **fields: Any) -> asyncio.Task[Any]:
    """Start the action, as an automation does; the task answers its response."""
    return hass.async_create_task(
        hass.services.async_call(
            DOMAIN, "call_until_answered", fields, blocking=True, return_response=True
        )
    )


def seconds(attempt: dict[str, Any]) -> float:
    started = datetime.fromisoformat(attempt["started"])
    return (datetime.fromisoformat(attempt["ended"]) - started).total_seconds()


async def test_the_next_target_is_called_when_the_first_does_not_answer(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    statuses = async_capture_events(hass, EVENT_CALL_STATUS)
    chain = escalate(hass, targets=[MUM, KITCHEN, DAD])
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "CallingCallee")
    await far_side.onenet("c1", "Disconnected", reason="CalleeNoAnswer", call_duration="0")
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    await far_side.pbx("RING", "101")
    await far_side.pbx("ANSWER", "101")  # the caller picked up: the callee is rung next
    await far_side.pbx("RING", "102", "101")
    assert not chain.done()
    await far_side.pbx("ANSWER", "102", "101")
    response = await chain
    assert response["answered"] is True
    assert response["answered_by"] == KITCHEN
    assert response["digits"] is None
    first, second = response["attempts"]
    assert {key: first[key] for key in ("target", "call_id", "outcome", "reason", "digits")} == {
        "target": MUM,
        "call_id": "c1",
        "outcome": "no_answer",
        "reason": "CalleeNoAnswer",
        "digits": None,
    }
    assert (second["target"], second["outcome"], second["reason"]) == (KITCHEN, "answered", None)
    assert second["call_id"].startswith("call_bridge_")
    assert first["ended"] <= second["started"] <= second["ended"]
    assert far_side.notifications == 1  # Dad was never called
    assert [e.data["state"] for e in statuses] == [
        "calling_callee",
        "disconnected",
        "calling_caller",
        "calling_callee",
        "connected",
    ]


async def test_a_pbx_call_ringing_past_the_timeout_is_hung_up(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    response = await escalate(hass, targets=[KITCHEN], ring_timeout=0.5)
    [attempt] = response["attempts"]
    assert (attempt["outcome"], attempt["reason"]) == ("no_answer", "ring_timeout")
    assert 0.5 <= seconds(attempt) < 1.5
    assert far_side.asked("extension/hangup") == [{"extid": "101"}]
    assert response == {
        "answered": False,
        "answered_by": None,
        "digits": None,
        "attempts": [attempt],
    }


async def test_only_the_acknowledgement_keys_count(hass: HomeAssistant, far_side: FarSide) -> None:
    chain = escalate(hass, targets=[MUM, DAD], acknowledge_digits="1", ring_timeout=10)
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    await far_side.onenet("c1", "CollectResult", operation_result="2")
    await far_side.onenet("c1", "Disconnected", reason="HangUp", call_duration="9")
    await far_side.until(lambda: far_side.notifications == 2)
    await far_side.onenet("c2", "Connected")
    await far_side.onenet("c2", "CollectResult", operation_result="1")
    response = await chain
    assert (response["answered"], response["answered_by"], response["digits"]) == (True, DAD, "1")
    assert [(a["outcome"], a["digits"]) for a in response["attempts"]] == [
        ("answered", "2"),
        ("answered", "1"),
    ]


async def test_a_prompt_acknowledged_on_the_pbx_keypad(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    chain = escalate(hass, targets=[SPEAKER], acknowledge_digits="12")
    await far_side.until(lambda: bool(far_side.asked("extension/playprompt")))
    await far_side.pbx("ANSWERED", "103")
    for key in "312":
        body = {"action": "DTMF", "ext": {"extid": "103"}, "info": key}
        assert (await far_side.client.post(REPORTS, json=body)).status == 200
    response = await chain
    assert (response["answered_by"], response["digits"]) == (SPEAKER, "312")


async def test_stopping_the_script_stops_the_chain_and_hangs_up(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    sequence = [{"action": "call_bridge.call_until_answered", "data": {"targets": [KITCHEN, MUM]}}]
    assert await async_setup_component(
        hass, "script", {"script": {"alarm": {"sequence": sequence}}}
    )
    await hass.services.async_call("script", "turn_on", {"entity_id": "script.alarm"})
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    await hass.services.async_call(
        "script", "turn_off", {"entity_id": "script.alarm"}, blocking=True
    )
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    assert far_side.asked("extension/hangup") == [{"extid": "101"}]
    await asyncio.sleep(0.1)
    assert far_side.notifications == 0  # Mum is not called


@pytest.mark.parametrize(
    ("answer", "hangups"),
    [({"status": "Success"}, [{"extid": "101"}]), ({"status": "Failed", "errno": "10008"}, [])],
)
async def test_a_chain_stopped_while_its_call_is_placed_hangs_that_call_up(
    hass: HomeAssistant, far_side: FarSide, answer: dict[str, str], hangups: list[dict[str, str]]
) -> None:
    answered = asyncio.Event()

    async def slow_dial(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        await asyncio.sleep(0.3)
        answered.set()
        return AiohttpClientMockResponse(method, url, json=answer)

    far_side.answer({"extension/dial_extension": {"side_effect": slow_dial}})
    chain = escalate(hass, targets=[KITCHEN, MUM])
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    chain.cancel()  # the PBX has not answered the dial yet
    with pytest.raises(asyncio.CancelledError):
        await chain
    await answered.wait()
    await hass.async_block_till_done(wait_background_tasks=True)
    # Placed: hung up once the PBX answered. Refused: nothing to hang up.
    assert far_side.asked("extension/hangup") == hangups
    assert far_side.notifications == 0  # Mum is not called


async def test_each_entry_s_cooldown_holds(hass: HomeAssistant, far_side: FarSide) -> None:
    chain = escalate(hass, targets=[KITCHEN], rounds=2, ring_timeout=0.3, pause=1)
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    # The hangup's reports: the target is free again.
    await far_side.pbx("BYE", "101", "102")
    await far_side.pbx_record("101", "102", "NO ANSWER")
    response = await chain
    assert [(a["outcome"], a["reason"]) for a in response["attempts"]] == [
        ("no_answer", "ring_timeout"),
        ("skipped", "cooldown"),
    ]
    assert len(far_side.asked("extension/dial_extension")) == 1


async def test_a_target_is_never_rung_twice_at_once(hass: HomeAssistant, far_side: FarSide) -> None:
    # OneNET cannot hang up: Mum's first call may still ring when the second round comes.
    response = await escalate(hass, targets=[MUM], rounds=2, ring_timeout=0.3)
    assert [(a["outcome"], a["reason"]) for a in response["attempts"]] == [
        ("no_answer", "ring_timeout"),
        ("skipped", "already_ringing"),
    ]
    assert far_side.notifications == 1
    await far_side.onenet("c1", "Disconnected", reason="CalleeNoAnswer")
    await hass.async_block_till_done()
    response = await escalate(hass, targets=[MUM], ring_timeout=0.3)
    assert response["attempts"][0]["reason"] == "ring_timeout"
    assert far_side.notifications == 2


async def test_the_ring_timeout_counts_from_the_attempt_s_start(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer_seconds = 0.8  # OneNET is slow to take the call
    response = await escalate(hass, targets=[MUM], ring_timeout=1)
    [attempt] = response["attempts"]
    assert attempt["reason"] == "ring_timeout"
    assert 1 <= seconds(attempt) < 1.5  # not 1.8: the time taken to place it counts


async def test_a_call_left_ringing_holds_its_target_for_a_while_only(
    hass: HomeAssistant, far_side: FarSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(escalation, "MAX_RINGING", 0)
    response = await escalate(hass, targets=[MUM], rounds=2, ring_timeout=0.3)
    # OneNET never told the first call's end; past the bound, the target is called again.
    assert [(a["outcome"], a["reason"]) for a in response["attempts"]] == [
        ("no_answer", "ring_timeout"),
        ("no_answer", "ring_timeout"),
    ]
    assert far_side.notifications == 2


async def test_two_chains_at_once_ring_a_target_once(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer_seconds = 0.2
    first = escalate(hass, targets=[MUM], ring_timeout=0.3)
    await far_side.until(lambda: far_side.notifications == 1)  # OneNET has not answered yet
    second = await escalate(hass, targets=[MUM], ring_timeout=0.3)
    # The second chain finds the target claimed while the first's call is being placed.
    assert [(a["outcome"], a["reason"]) for a in second["attempts"]] == [
        ("skipped", "already_ringing")
    ]
    assert (await first)["attempts"][0]["reason"] == "ring_timeout"
    assert far_side.notifications == 1


async def test_a_call_the_provider_refuses_moves_on(hass: HomeAssistant, far_side: FarSide) -> None:
    far_side.answer({"extension/dial_extension": {"json": {"status": "Failed", "errno": "10008"}}})
    chain = escalate(hass, targets=[KITCHEN, MUM])
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    response = await chain
    refused, answered = response["attempts"]
    assert (refused["outcome"], refused["call_id"]) == ("failed", None)
    assert "10008" in refused["reason"]
    assert response["answered_by"] == MUM == answered["target"]


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"targets": ["button.nothing_here"]}, "not_a_preset"),
        ({"targets": ["event.openvox_uc501_pbx_calls"]}, "not_a_preset"),
        ({"targets": [MUM, KITCHEN], "acknowledge_digits": "1"}, "target_cannot_acknowledge"),
    ],
)
async def test_targets_that_cannot_be_followed_are_refused_before_any_call(
    hass: HomeAssistant, far_side: FarSide, fields: dict[str, Any], key: str
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await escalate(hass, **fields)
    assert refused.value.translation_key == key
    assert far_side.notifications == 0


async def test_a_pbx_that_does_not_report_cannot_be_a_target(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    setup_entry: SetupEntry,
    far_side: FarSide,
) -> None:
    entry = yeastar_with_token(aioclient_mock, {})
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="Yeastar",
            data=entry.data,
            unique_id="3631A0180802",
            subentries_data=[preset("preset", "Hall", {"caller": "1", "callee": "2"})],
        )
    )
    with pytest.raises(ServiceValidationError) as refused:
        await escalate(hass, targets=[MUM, "button.yeastar_hall"])
    assert refused.value.translation_key == "target_without_status"


async def test_a_target_of_an_entry_that_is_not_loaded(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    [entry] = [e for e in hass.config_entries.async_entries(DOMAIN) if e.title == "OpenVox UC501"]
    await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(ServiceValidationError) as refused:
        await escalate(hass, targets=[KITCHEN])
    assert refused.value.translation_key == "target_not_loaded"


async def test_the_action_s_limits(hass: HomeAssistant, far_side: FarSide) -> None:
    for fields in (
        {"targets": []},
        {"targets": [MUM], "ring_timeout": 0},
        {"targets": [MUM], "rounds": 0},
        {"targets": [MUM], "acknowledge_digits": "x"},
        {"targets": [MUM], "pause": -1},
    ):
        with pytest.raises(Exception, match="targets|ring_timeout|rounds|acknowledge|pause"):
            await escalate(hass, **fields)


async def test_a_pbx_that_refuses_the_hangup(
    hass: HomeAssistant, far_side: FarSide, caplog: pytest.LogCaptureFixture
) -> None:
    far_side.answer({"extension/hangup": {"json": {"status": "Failed", "errno": "10007"}}})
    response = await escalate(hass, targets=[KITCHEN], ring_timeout=0.3)
    assert response["attempts"][0]["reason"] == "ring_timeout"
    assert "could not hang up a call of the chain" in caplog.text


async def test_an_answer_without_a_call_id_cannot_be_followed(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer({}, call_ids=False)
    response = await escalate(hass, targets=[MUM, DAD])
    assert [(a["outcome"], a["reason"]) for a in response["attempts"]] == [
        ("unknown", "no_call_id"),
        ("unknown", "no_call_id"),
    ]


async def test_someone_who_answers_but_never_presses_the_keys(
    hass: HomeAssistant, far_side: FarSide, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(escalation, "ACKNOWLEDGE_TIMEOUT", 0.3)
    chain = escalate(hass, targets=[MUM], acknowledge_digits="1", ring_timeout=10)
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    response = await chain
    assert response["answered"] is False
    assert [(a["outcome"], a["reason"]) for a in response["attempts"]] == [
        ("answered", "acknowledge_timeout")
    ]
    # Answered: nothing is hung up (OneNET could not, and a PBX call would not be).
    assert far_side.asked("extension/hangup") == []
