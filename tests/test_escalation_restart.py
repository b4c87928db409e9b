"""An escalation chain goes on after Home Assistant restarts, where it stopped."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    async_capture_events,
)

from custom_components.call_bridge import escalation
from custom_components.call_bridge.const import EVENT_ESCALATION
from custom_components.call_bridge.escalation_store import (
    DATA_CHAINS,
    MAX_CHAINS,
    STORE_KEY,
    ChainStore,
    chain_store,
)

from .far_side import (
    DAD,
    KITCHEN,
    MUM,
    FarSide,
    far_side_fixture,  # noqa: F401 - the fixture
)
from .test_escalation import escalate


async def restart(hass: HomeAssistant, chain: asyncio.Task[Any]) -> None:
    """Stop Home Assistant under the chain, keep what it wrote, and start again."""
    hass.set_state(CoreState.stopping)
    chain.cancel()
    with pytest.raises(asyncio.CancelledError):
        await chain
    # What the chain kept is written at the latest when Home Assistant writes before it exits.
    hass.set_state(CoreState.final_write)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    hass.data.pop(DATA_CHAINS)  # a new run of Home Assistant knows nothing but the store
    hass.set_state(CoreState.running)
    await escalation.async_resume_chains(hass)


def called(kept: dict[str, Any]) -> str | None:
    """Return the call id of a kept chain's first attempt, once it has one."""
    return kept["attempts"][0]["call_id"] if kept["attempts"] else None


async def until_kept(hass: HomeAssistant, condition: Callable[[dict[str, Any]], bool]) -> None:
    """Wait until the one running chain is kept as ``condition`` wants it."""
    store = chain_store(hass)
    for _ in range(300):  # bounded: at most three seconds
        if store.chains and condition(next(iter(store.chains.values()))):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the chain was not kept in time")


async def test_a_call_ringing_at_the_restart_is_followed_after_it(
    hass: HomeAssistant, far_side: FarSide, hass_storage: dict[str, Any]
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[MUM, DAD], ring_timeout=30, label="automation.alarm")
    await far_side.until(lambda: far_side.notifications == 1)
    await until_kept(hass, lambda kept: called(kept) == "c1")
    await restart(hass, chain)
    assert "cancelled" not in [event.data["event"] for event in events]
    [kept] = hass_storage[STORE_KEY]["data"]["chains"].values()
    assert kept["attempts"][0]["call_id"] == "c1"
    await far_side.onenet("c1", "Connected")  # Mum answers after the restart
    await hass.async_block_till_done()
    done = events[-1].data
    assert (done["event"], done["answered_by"], done["resumed"]) == ("answered", MUM, True)
    assert done["label"] == "automation.alarm"
    assert far_side.notifications == 1  # Dad was not called, Mum not called twice
    assert chain_store(hass).chains == {}


async def test_a_chain_between_two_calls_goes_on_with_the_next(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[MUM, DAD], ring_timeout=30, pause=1)
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Disconnected", reason="CalleeNoAnswer")
    await until_kept(hass, lambda kept: kept["step"] == 1)  # the chain pauses before Dad
    await restart(hass, chain)
    await far_side.until(lambda: far_side.notifications == 2)
    await far_side.onenet("c2", "Connected")
    await hass.async_block_till_done()
    done = events[-1].data
    assert done["event"] == "answered"
    assert [(a["target"], a["outcome"]) for a in done["attempts"]] == [
        (MUM, "no_answer"),
        (DAD, "answered"),
    ]


async def test_a_pbx_call_that_rang_too_long_across_the_restart_is_hung_up(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[KITCHEN, MUM], ring_timeout=5)
    await far_side.until(lambda: bool(far_side.asked("extension/dial_extension")))
    await until_kept(hass, lambda kept: called(kept) is not None)
    # Home Assistant is down longer than the ring timeout: the call started long before.
    store = chain_store(hass)
    [(chain_id, kept)] = store.chains.items()
    kept["attempts"][0]["started"] = (dt_util.utcnow() - timedelta(seconds=10)).isoformat()
    store.save(chain_id, kept)
    await restart(hass, chain)
    await far_side.until(lambda: bool(far_side.asked("extension/hangup")))
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    await hass.async_block_till_done()
    assert [(a["outcome"], a["reason"]) for a in events[-1].data["attempts"]] == [
        ("no_answer", "ring_timeout"),
        ("answered", None),
    ]


async def test_a_call_being_placed_at_the_restart_cannot_be_told(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    far_side.answer_seconds = 0.5  # OneNET has not answered when Home Assistant stops
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[MUM], ring_timeout=5)
    await far_side.until(lambda: far_side.notifications == 1)
    await restart(hass, chain)
    await hass.async_block_till_done(wait_background_tasks=True)
    done = events[-1].data
    assert done["event"] == "exhausted"
    assert [(a["outcome"], a["reason"]) for a in done["attempts"]] == [("unknown", "restarted")]


@pytest.mark.parametrize(
    "stored",
    [
        {"fields": {"targets": []}, "round": 0, "step": 0, "attempts": []},
        {"fields": {"targets": [MUM]}, "round": 3, "step": 0, "attempts": []},
        {"fields": {"targets": [MUM]}, "round": 0, "step": 0, "attempts": [{"target": 1}]},
        {"fields": {"targets": [MUM]}, "round": "x", "step": 0, "attempts": []},
        {"round": 0},
    ],
)
async def test_what_the_store_kept_is_checked_before_a_chain_goes_on(
    hass: HomeAssistant,
    far_side: FarSide,
    hass_storage: dict[str, Any],
    stored: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    hass_storage[STORE_KEY] = {
        "version": 1,
        "key": STORE_KEY,
        "data": {"chains": {"kept": stored, "not a chain": "x"}},
    }
    hass.data.pop(DATA_CHAINS, None)
    await escalation.async_resume_chains(hass)
    await hass.async_block_till_done()
    assert "is dropped" in caplog.text
    assert far_side.notifications == 0


async def test_a_store_of_another_shape_resumes_nothing(
    hass: HomeAssistant, far_side: FarSide, hass_storage: dict[str, Any]
) -> None:
    hass_storage[STORE_KEY] = {"version": 1, "key": STORE_KEY, "data": {"chains": []}}
    hass.data.pop(DATA_CHAINS, None)
    await escalation.async_resume_chains(hass)
    assert far_side.notifications == 0


async def test_a_chain_resumed_whose_preset_is_gone_skips_it(
    hass: HomeAssistant, far_side: FarSide, hass_storage: dict[str, Any]
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    started = dt_util.utcnow().isoformat()
    attempt = {
        "target": "button.gone",
        "call_id": "c9",
        "outcome": None,
        "reason": None,
        "digits": None,
        "started": started,
        "ended": None,
        "connected": False,
        "acknowledged": False,
    }
    hass_storage[STORE_KEY] = {
        "version": 1,
        "key": STORE_KEY,
        "data": {
            "chains": {
                "c": {
                    "fields": {"targets": ["button.gone"]},
                    "round": 0,
                    "step": 0,
                    "attempts": [attempt],
                }
            }
        },
    }
    hass.data.pop(DATA_CHAINS, None)
    await escalation.async_resume_chains(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    done = events[-1].data
    assert done["event"] == "exhausted"
    assert [(a["outcome"], a["reason"]) for a in done["attempts"]] == [("skipped", "not_a_preset")]


async def test_one_who_answered_before_the_restart_may_acknowledge_after_it(
    hass: HomeAssistant, far_side: FarSide
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    chain = escalate(hass, targets=[MUM, DAD], acknowledge_digits="1", ring_timeout=30)
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Connected")
    await until_kept(hass, lambda kept: kept["attempts"][0]["connected"])
    await restart(hass, chain)
    await far_side.onenet("c1", "CollectResult", operation_result="1")
    await hass.async_block_till_done()
    done = events[-1].data
    assert (done["event"], done["answered_by"], done["digits"]) == ("acknowledged", MUM, "1")
    assert far_side.notifications == 1


def test_the_store_keeps_the_newest_chains(hass: HomeAssistant) -> None:
    store = ChainStore(hass)
    for number in range(MAX_CHAINS + 1):
        store.save(str(number), {"round": 0})
    assert list(store.chains) == [str(number) for number in range(1, MAX_CHAINS + 1)]
    store.forget("unknown")
    store.forget("1")
    assert "1" not in store.chains
