"""Cooldown: identical calls merged while in flight, and dropped within the cooldown."""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    ONENET_DATA,
    ONENET_URL,
    PBX_DATA,
    SetupEntry,
    mock_pbx_answers,
    onenet_answer,
    pbx_requests,
)


def slow_pbx(
    aioclient_mock: AiohttpClientMocker, gate: asyncio.Event, answer: dict[str, str] | None = None
) -> None:
    async def dial(method: str, url: object, data: object) -> AiohttpClientMockResponse:
        await gate.wait()
        return AiohttpClientMockResponse(method, url, json=answer or {"status": "Success"})

    mock_pbx_answers(aioclient_mock, {"extension/dial_extension": {"side_effect": dial}})


async def dial(hass: HomeAssistant, callee: str = "102") -> dict[str, object]:
    response = await hass.services.async_call(
        DOMAIN,
        "dial_extension",
        {"caller": "101", "callee": callee},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


@pytest.mark.parametrize("cooldown", [0, 30])
async def test_simultaneous_identical_calls_place_one(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    setup_entry: SetupEntry,
    caplog: pytest.LogCaptureFixture,
    cooldown: int,
) -> None:
    gate = asyncio.Event()
    slow_pbx(aioclient_mock, gate)
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN, data=PBX_DATA, unique_id="sn", options={"cooldown": cooldown}
        )
    )
    calls = [asyncio.create_task(dial(hass)) for _ in range(5)]
    other = asyncio.create_task(dial(hass, callee="103"))  # a different call is not held back
    await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    gate.set()
    answers = await asyncio.gather(*calls)
    assert sorted(answer["suppressed"] for answer in answers) == [False, True, True, True, True]
    assert (await other)["suppressed"] is False
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 2
    suppressed_lines = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components") and "not placed again" in r.getMessage()
    ]
    assert len(suppressed_lines) == 4
    assert all(record.levelno == logging.INFO for record in suppressed_lines)


async def test_cooldown_window(
    hass: HomeAssistant,
    mock_onenet: AiohttpClientMocker,
    setup_entry: SetupEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA, unique_id="a", options={"cooldown": 60})
    )

    async def click(caller: str = "13800138000") -> dict[str, object]:
        response = await hass.services.async_call(
            DOMAIN,
            "click_to_dial",
            {"caller": caller, "callee": "13900139000"},
            blocking=True,
            return_response=True,
        )
        assert response is not None
        return dict(response)

    assert (await click())["suppressed"] is False
    freezer.tick(timedelta(seconds=30))
    assert await click("+86 138 0013 8000") == {
        "call_id": None,
        "request_id": None,
        "suppressed": True,
    }
    freezer.tick(timedelta(seconds=31))
    assert (await click())["suppressed"] is False
    assert len(mock_onenet.mock_calls) == 2
    assert json.loads(mock_onenet.mock_calls[1][2])["caller"] == "8613800138000"


async def test_a_failed_call_leaves_no_cooldown(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    aioclient_mock.post(ONENET_URL, json=onenet_answer("000001"))
    await setup_entry(
        MockConfigEntry(domain=DOMAIN, data=ONENET_DATA, unique_id="a", options={"cooldown": 60})
    )
    for _ in range(2):
        with pytest.raises(HomeAssistantError, match="000001"):
            await hass.services.async_call(
                DOMAIN,
                "click_to_dial",
                {"caller": "13800138000", "callee": "13900139000"},
                blocking=True,
            )
    assert len(aioclient_mock.mock_calls) == 2


async def test_a_cancelled_call_does_not_hold_back_its_twins(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, setup_entry: SetupEntry
) -> None:
    gate = asyncio.Event()  # never set: the PBX never answers the first dial
    slow_pbx(aioclient_mock, gate)
    await setup_entry(MockConfigEntry(domain=DOMAIN, data=PBX_DATA, unique_id="sn"))
    stuck = asyncio.create_task(dial(hass))
    for _ in range(20):
        await asyncio.sleep(0)
    stuck.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stuck
    gate.set()
    assert (await dial(hass))["suppressed"] is False
    assert len(pbx_requests(aioclient_mock, "extension/dial_extension")) == 2
