"""call_until_answered's steps: presets rung at once, keys that pass the call on, its events, and
a chain that goes on whatever happens around it (presets deleted, entries unloaded, stopped)."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import async_capture_events

from custom_components.call_bridge.const import DOMAIN, EVENT_ESCALATION

from .far_side import (
    DAD,
    KITCHEN,
    MUM,
    SPEAKER,
    FarSide,
    far_side_fixture,  # noqa: F401 - the fixture
)
from .test_escalation import escalate


def outcomes(response: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(a["target"], a["outcome"], a["reason"]) for a in response["attempts"]]


async def test_a_step_rings_everyone_at_once_and_the_first_to_answer_wins(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[[KITCHEN, MUM], DAD])
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    await far_side.onenet("c1", "Connected")
    response = await chain
    assert response["answered_by"] == MUM
    assert outcomes(response) == [
        (KITCHEN, "cancelled", "another_answered"),
        (MUM, "answered", None),
    ]
    # The kitchen's phone still rang: hung up; Dad was never called.
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    assert far_side.asked("extension/hangup") == [{"extid": "101"}]
    assert far_side.notifications == 1
    kinds = [event.data["event"] for event in events]
    assert kinds[0] == "started"
    assert kinds[-1] == "answered"
    assert sorted(kinds[1:-1]) == ["attempt", "attempt"]
    assert {event.data["chain_id"] for event in events} == {events[0].data["chain_id"]}
    assert events[-1].data["answered_by"] == MUM
    assert events[-1].data["attempts"] == response["attempts"]


async def test_one_who_answered_but_did_not_acknowledge_is_hung_up_when_another_did(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    chain = escalate(hass, targets=[[SPEAKER, MUM]], acknowledge_digits="1")
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.until(lambda: bool(far_side.asked("extension/playprompt")))
    await far_side.pbx("ANSWERED", "103")  # an answering machine, or someone who listens
    await far_side.onenet("c1", "Connected")
    await far_side.onenet("c1", "CollectResult", operation_result="1")
    response = await chain
    assert (response["answered_by"], response["digits"]) == (MUM, "1")
    assert outcomes(response)[0] == (SPEAKER, "cancelled", "another_answered")
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    assert far_side.asked("extension/hangup") == [{"extid": "103"}]


async def test_the_decline_keys_pass_the_call_on_at_once(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    chain = escalate(
        hass, targets=[MUM, DAD], acknowledge_digits="1", decline_digits="2", ring_timeout=30
    )
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    await far_side.onenet("c1", "CollectResult", operation_result="2")
    await far_side.until(lambda: far_side.notifications == 2)  # Dad, at once
    await far_side.onenet("c2", "Connected")
    await far_side.onenet("c2", "CollectResult", operation_result="1")
    response = await chain
    assert outcomes(response) == [(MUM, "declined", "decline_digits"), (DAD, "answered", None)]
    assert response["answered_by"] == DAD


async def test_the_decline_keys_are_not_the_acknowledgement_keys(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    with pytest.raises(ServiceValidationError) as refused:
        await escalate(hass, targets=[MUM], acknowledge_digits="1", decline_digits="1")
    assert refused.value.translation_key == "decline_is_acknowledge"
    with pytest.raises(ServiceValidationError) as refused:
        await escalate(hass, targets=[KITCHEN], decline_digits="2")
    assert refused.value.translation_key == "target_cannot_acknowledge"


async def test_a_preset_deleted_while_the_chain_runs_is_not_called(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    [onenet] = [e for e in hass.config_entries.async_entries(DOMAIN) if e.title.startswith("One")]
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[KITCHEN, MUM], ring_timeout=0.3)
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    [mum] = [s for s in onenet.subentries.values() if s.title == "Mum"]
    hass.config_entries.async_remove_subentry(onenet, mum.subentry_id)
    response = await chain
    assert outcomes(response) == [
        (KITCHEN, "no_answer", "ring_timeout"),
        (MUM, "skipped", "not_a_preset"),
    ]
    assert far_side.notifications == 0
    assert events[-1].data["event"] == "exhausted"


async def test_an_entry_unloaded_while_the_chain_runs_is_skipped(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    [pbx] = [e for e in hass.config_entries.async_entries(DOMAIN) if e.title == "OpenVox UC501"]
    chain = escalate(hass, targets=[MUM, KITCHEN, DAD], ring_timeout=0.3)
    await far_side.until(lambda: far_side.notifications == 1)
    await hass.config_entries.async_unload(pbx.entry_id)
    await far_side.until(lambda: far_side.notifications == 2)
    await far_side.onenet("c2", "Connected")
    response = await chain
    assert outcomes(response) == [
        (MUM, "no_answer", "ring_timeout"),
        (KITCHEN, "skipped", "target_not_loaded"),
        (DAD, "answered", None),
    ]


async def test_a_chain_stopped_while_onenet_places_its_call_keeps_that_person_claimed(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer_seconds = 0.3
    events = async_capture_events(hass, EVENT_ESCALATION)
    first = escalate(hass, targets=[MUM], ring_timeout=5)
    await far_side.until(lambda: far_side.notifications == 1)
    first.cancel()  # OneNET has not answered yet: the call is being placed
    with pytest.raises(asyncio.CancelledError):
        await first
    assert events[-1].data["event"] == "cancelled"
    await hass.async_block_till_done(wait_background_tasks=True)  # OneNET placed it: it rings
    second = await escalate(hass, targets=[MUM], ring_timeout=0.3)
    assert outcomes(second) == [(MUM, "skipped", "already_ringing")]
    assert far_side.notifications == 1
    await far_side.onenet("c1", "Disconnected", reason="CalleeNoAnswer")
    await hass.async_block_till_done()
    third = await escalate(hass, targets=[MUM], ring_timeout=0.3)
    assert outcomes(third) == [(MUM, "no_answer", "ring_timeout")]


async def test_a_step_stopped_as_a_whole(hass: HomeAssistant, far_side: FarSide) -> None:
    chain = escalate(hass, targets=[[KITCHEN, MUM]])
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    chain.cancel()
    with pytest.raises(asyncio.CancelledError):
        await chain
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    assert far_side.asked("extension/hangup") == [{"extid": "101"}]


@pytest.mark.parametrize(
    "targets",
    [
        [[MUM] * 0],
        [[f"button.preset_{n}" for n in range(11)]],
        [f"button.preset_{n}" for n in range(21)],
        [[MUM, 3]],
        "not an entity",
        {"entity_id": MUM},
    ],
)
async def test_steps_that_are_no_steps(
    hass: HomeAssistant, far_side: FarSide, targets: Any
) -> None:
    with pytest.raises(Exception, match="targets|step|entity|preset"):
        await escalate(hass, targets=targets)
    assert far_side.notifications == 0


async def test_targets_as_one_text(hass: HomeAssistant, far_side: FarSide) -> None:
    chain = escalate(hass, targets=f"{MUM}, {DAD}", ring_timeout=0.3)
    await far_side.until(lambda: far_side.notifications == 2)
    response = await chain
    assert [a["target"] for a in response["attempts"]] == [MUM, DAD]


async def test_a_call_placed_without_an_id_after_the_chain_stopped_frees_its_target(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer({}, call_ids=False)
    far_side.answer_seconds = 0.3
    first = escalate(hass, targets=[MUM])
    await far_side.until(lambda: far_side.notifications == 1)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await hass.async_block_till_done(wait_background_tasks=True)
    # Nothing tells that call's end: the target is not held for it.
    second = await escalate(hass, targets=[MUM])
    assert outcomes(second) == [(MUM, "unknown", "no_call_id")]


async def test_twenty_chains_at_once_ring_each_person_once(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer_seconds = 0.1
    events = async_capture_events(hass, EVENT_ESCALATION)
    chains = [escalate(hass, targets=[[MUM, DAD]], ring_timeout=0.5) for _ in range(20)]
    responses = await asyncio.gather(*chains)
    assert far_side.notifications == 2  # Mum once, Dad once: never twice at once
    rang = [a for r in responses for a in r["attempts"] if a["reason"] != "already_ringing"]
    assert sorted(a["target"] for a in rang) == [DAD, MUM]
    assert all(not response["answered"] for response in responses)
    assert len({event.data["chain_id"] for event in events}) == 20
    assert [event.data["event"] for event in events].count("exhausted") == 20
