"""The alarm escalation blueprint, imported into Home Assistant and set off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_capture_events, async_mock_service

from custom_components.call_bridge.const import EVENT_ESCALATION

from .conftest import use_blueprint
from .far_side import DAD, MUM, SPEAKER, FarSide, far_side_fixture  # noqa: F401 - the fixture

LEAK = "binary_sensor.water_leak"


async def set_up(hass: HomeAssistant, tmp_path: Path, **inputs: Any) -> None:
    hass.states.async_set(LEAK, "off")
    await use_blueprint(
        hass,
        tmp_path,
        "alarm_escalation.yaml",
        "alarm",
        {"alarm": [{"trigger": "state", "entity_id": LEAK, "to": "on"}]} | inputs,
    )


async def test_the_second_acknowledges(
    hass: HomeAssistant, far_side: FarSide, tmp_path: Path
) -> None:
    notifications = async_mock_service(hass, "persistent_notification", "create")
    await set_up(hass, tmp_path, targets=[MUM, DAD], acknowledge_digits=1, ring_timeout=30)
    hass.states.async_set(LEAK, "on")
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Disconnected", reason="CalleeNoAnswer")
    await far_side.until(lambda: far_side.notifications == 2)
    await far_side.onenet("c2", "Connected")
    await far_side.onenet("c2", "CollectResult", operation_result="1")
    await hass.async_block_till_done()
    assert notifications == []
    assert hass.states.get("automation.alarm").attributes["current"] == 0


async def test_nobody_answers(hass: HomeAssistant, far_side: FarSide, tmp_path: Path) -> None:
    notifications = async_mock_service(hass, "persistent_notification", "create")
    phone = async_mock_service(hass, "notify", "my_phone")
    await set_up(
        hass,
        tmp_path,
        targets=[MUM],
        ring_timeout=5,
        nobody_answered=[{"action": "notify.my_phone", "data": {"message": "Nobody answered"}}],
    )
    hass.states.async_set(LEAK, "on")
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.onenet("c1", "Disconnected", reason="CalleeBusy")
    await hass.async_block_till_done()
    [notification] = notifications
    assert notification.data["title"] == "Nobody answered the alarm"
    assert f"{MUM} (busy)" in notification.data["message"]
    assert [call.data["message"] for call in phone] == ["Nobody answered"]


async def test_when_the_action_fails_you_are_told(
    hass: HomeAssistant, far_side: FarSide, tmp_path: Path
) -> None:
    notifications = async_mock_service(hass, "persistent_notification", "create")
    await set_up(hass, tmp_path, targets=["button.not_a_preset"], notify_nobody_answered=True)
    hass.states.async_set(LEAK, "on")
    await hass.async_block_till_done()
    [notification] = notifications
    assert "could not call" in notification.data["message"]
    assert far_side.notifications == 0


async def test_the_family_at_once_then_one_who_declines(
    hass: HomeAssistant, far_side: FarSide, tmp_path: Path
) -> None:
    """A parallel first step, then the decline keys pass the call on: as the README's night alarm."""
    notifications = async_mock_service(hass, "persistent_notification", "create")
    events = async_capture_events(hass, EVENT_ESCALATION)
    await set_up(
        hass,
        tmp_path,
        together=[SPEAKER, MUM],
        targets=[DAD],
        ring_timeout=30,
        acknowledge_digits="1",
        decline_digits="2",
    )
    hass.states.async_set(LEAK, "on")
    await far_side.until(lambda: far_side.notifications == 1)
    await far_side.until(lambda: bool(far_side.asked("extension/playprompt")))
    await far_side.onenet("c1", "Connected")
    await far_side.onenet("c1", "CollectResult", operation_result="2")  # Mum cannot come
    await far_side.pbx("RING", "103")
    await far_side.pbx("BYE", "103")  # nobody at the speaker
    await far_side.pbx_record("103", "103", "NO ANSWER")
    await far_side.until(lambda: far_side.notifications == 2)
    await far_side.onenet("c2", "Connected")
    await far_side.onenet("c2", "CollectResult", operation_result="1")
    await hass.async_block_till_done()
    assert notifications == []
    done = events[-1].data
    assert (done["event"], done["answered_by"]) == ("acknowledged", DAD)
    assert [(a["target"], a["outcome"]) for a in done["attempts"]] == [
        (SPEAKER, "no_answer"),
        (MUM, "declined"),
        (DAD, "answered"),
    ]


async def test_a_chain_that_went_on_after_a_restart_still_tells_when_nobody_answered(
    hass: HomeAssistant, far_side: FarSide, tmp_path: Path
) -> None:
    """After a restart the automation's run is gone: the resumed chain's end reaches it."""
    notifications = async_mock_service(hass, "persistent_notification", "create")
    await set_up(hass, tmp_path, targets=[MUM])
    attempts = [{"target": MUM, "outcome": "no_answer"}]
    for label, resumed in (("automation.other", True), ("automation.alarm", False)):
        hass.bus.async_fire(
            EVENT_ESCALATION,
            {"event": "exhausted", "resumed": resumed, "label": label, "answered": False}
            | {"attempts": attempts},
        )
    await hass.async_block_till_done()
    assert notifications == []  # another automation's chain, or one this run follows itself
    hass.bus.async_fire(
        EVENT_ESCALATION,
        {"event": "exhausted", "resumed": True, "label": "automation.alarm", "answered": False}
        | {"attempts": attempts},
    )
    await hass.async_block_till_done()
    [notification] = notifications
    assert f"{MUM} (no_answer)" in notification.data["message"]
    assert far_side.notifications == 0


async def test_the_automation_labels_its_chain(
    hass: HomeAssistant, far_side: FarSide, tmp_path: Path
) -> None:
    events = async_capture_events(hass, EVENT_ESCALATION)
    await set_up(hass, tmp_path, targets=[MUM], ring_timeout=5)
    hass.states.async_set(LEAK, "on")
    await far_side.until(lambda: far_side.notifications == 1)
    assert events[0].data["label"] == "automation.alarm"
