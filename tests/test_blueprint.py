"""The doorbell blueprint, imported into Home Assistant and rung."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker

from .conftest import SetupEntry, mock_pbx_answers, pbx_requests, use_blueprint


async def set_up(hass: HomeAssistant, tmp_path: Path, **inputs: Any) -> None:
    await use_blueprint(hass, tmp_path, "doorbell_call.yaml", "doorbell_call", inputs)


async def ring(hass: HomeAssistant, entity_id: str, state: str) -> None:
    """Change the doorbell's state and let the automation run up to its cooldown delay.

    async_block_till_done would wait for the delay itself, so the loop is only given its turns.
    """
    hass.states.async_set(entity_id, state)
    for _ in range(50):
        await asyncio.sleep(0)


async def end_cooldown(hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()


async def test_binary_sensor_doorbell_with_cooldown(
    hass: HomeAssistant,
    mock_pbx: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    await setup_entry(pbx_entry)
    hass.states.async_set("binary_sensor.doorbell", "off")
    await set_up(
        hass, tmp_path, doorbell="binary_sensor.doorbell", caller="101", callee="102", cooldown=60
    )

    await ring(hass, "binary_sensor.doorbell", "on")
    assert len(pbx_requests(mock_pbx, "extension/dial_extension")) == 1
    for state in ("off", "on", "off", "on"):  # pressed again within the cooldown
        await ring(hass, "binary_sensor.doorbell", state)
    assert len(pbx_requests(mock_pbx, "extension/dial_extension")) == 1

    await end_cooldown(hass, freezer, 61)
    await ring(hass, "binary_sensor.doorbell", "off")
    await ring(hass, "binary_sensor.doorbell", "on")
    assert len(pbx_requests(mock_pbx, "extension/dial_extension")) == 2
    await end_cooldown(hass, freezer, 61)


async def test_event_doorbell_through_onenet(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    onenet_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    tmp_path: Path,
) -> None:
    await setup_entry(onenet_entry)
    hass.states.async_set("event.front_door", "2026-11-24T08:00:00.000+00:00")
    await set_up(
        hass,
        tmp_path,
        doorbell="event.front_door",
        call_action="click_to_dial",
        entry=onenet_entry.entry_id,
        caller="+86 138 0013 8000",
        callee="13900139000",
        cooldown=0,
    )
    await ring(hass, "event.front_door", "unavailable")
    await ring(hass, "event.front_door", "2026-11-24T08:00:00.000+00:00")  # restored, not rung
    assert mock_onenet.mock_calls == []
    await ring(hass, "event.front_door", "2026-11-24T08:05:00.000+00:00")
    assert len(mock_onenet.mock_calls) == 1


async def test_failure_is_notified(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    pbx_entry: MockConfigEntry,
    setup_entry: SetupEntry,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    await setup_entry(pbx_entry)
    mock_pbx_answers(
        aioclient_mock,
        {"extension/dial_extension": {"json": {"status": "Failed", "errno": "10008"}}},
    )
    notifications = async_mock_service(hass, "persistent_notification", "create")
    phone = async_mock_service(hass, "notify", "my_phone")
    hass.states.async_set("binary_sensor.doorbell", "off")
    await set_up(
        hass,
        tmp_path,
        doorbell="binary_sensor.doorbell",
        caller="101",
        callee="103",
        notify_action="notify.my_phone",
    )
    await ring(hass, "binary_sensor.doorbell", "on")
    assert len(notifications) == 1
    assert "from 101 to 103" in notifications[0].data["message"]
    assert len(phone) == 1
    await end_cooldown(hass, freezer, 61)
