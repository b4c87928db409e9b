"""A faked OneNET and a faked PBX that report back, with presets to call: escalation tests' far side."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.call_bridge.const import DOMAIN

from .conftest import (
    APP_ID,
    HOOK,
    ONENET_DATA,
    PBX_DATA,
    REPORTS,
    SERIAL,
    WEBHOOK_ID,
    SetupEntry,
    mock_pbx_answers,
    onenet_answer,
    pbx_requests,
)

VOICE_URL = "http://127.0.0.1:8002/v1/onenet/voice/notify"

MUM = "button.onenet_voice_02066240222_mum"
DAD = "button.onenet_voice_02066240222_dad"
KITCHEN = "button.openvox_uc501_kitchen"
SPEAKER = "button.openvox_uc501_speaker"


def preset(kind: str, title: str, data: dict[str, Any]) -> ConfigSubentryData:
    return ConfigSubentryData(data=data, subentry_type=kind, title=title, unique_id=None)


class FarSide:
    """The faked OneNET and PBX: what they were asked, and a way to report back as they do."""

    def __init__(self, hass: HomeAssistant, aioclient_mock: AiohttpClientMocker) -> None:
        self.hass = hass
        self.mock = aioclient_mock
        self.client: Any = None
        self.notifications = 0
        # How long OneNET takes to answer a voice notification.
        self.answer_seconds = 0.0
        self.answer({})

    def answer(self, pbx_answers: dict[str, dict[str, Any]], *, call_ids: bool = True) -> None:
        """Answer as OneNET and the PBX do, ``pbx_answers`` replacing some of the PBX's."""

        async def notify(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
            self.notifications += 1
            await asyncio.sleep(self.answer_seconds)
            ids = {"data": {"call_id": f"c{self.notifications}"}} if call_ids else {}
            answer = onenet_answer(**ids)
            return AiohttpClientMockResponse(method, url, json=answer)

        self.mock.clear_requests()
        success = {"json": {"status": "Success"}}
        mock_pbx_answers(
            self.mock,
            {"extension/playprompt": success, "extension/hangup": success} | pbx_answers,
        )
        self.mock.post(VOICE_URL, side_effect=notify)

    def asked(self, action: str) -> list[dict[str, Any]]:
        """The PBX requests of ``action``, decoded."""
        return [json.loads(call[2]) for call in pbx_requests(self.mock, action)]

    async def until(self, condition: Callable[[], bool]) -> None:
        for _ in range(300):  # bounded: at most three seconds
            if condition():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the far side was not asked in time")

    async def onenet(self, call_id: str, status: str, **extra: str) -> None:
        body = {"appid": APP_ID, "call_id": call_id, "status": status} | extra
        answer = await self.client.post(f"/api/webhook/{WEBHOOK_ID}", json=body)
        assert answer.status == 200

    async def pbx(self, action: str, *extensions: str) -> None:
        body = {"action": action, "callid": "1.1", "ext": {"extid": list(extensions)}}
        assert (await self.client.post(REPORTS, json=body)).status == 200

    async def pbx_record(self, caller: str, callee: str, status: str) -> None:
        """Post the call record that ends a call, as the PBX does once it is over."""
        body = {"action": "NewCdr", "callid": "1.9", "callfrom": caller, "callto": callee}
        body |= {"status": status, "talkduraction": "0"}
        assert (await self.client.post(REPORTS, json=body)).status == 200


@pytest.fixture(name="far_side")
async def far_side_fixture(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    setup_entry: SetupEntry,
    external_url: str,
    hass_client_no_auth: ClientSessionGenerator,
) -> FarSide:
    """A OneNET entry with two message presets, a PBX entry with a call and a message preset."""
    mock_pbx_answers(
        aioclient_mock,
        {
            name: {"json": {"status": "Success"}}
            for name in ("extension/playprompt", "extension/hangup")
        },
    )
    side = FarSide(hass, aioclient_mock)
    collect = {"template": "1001", "collect_digits": 1}
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="OneNET voice 02066240222",
            data=dict(ONENET_DATA),
            unique_id=APP_ID,
            subentries_data=[
                preset("message", "Mum", {"number": "13800138000"} | collect),
                preset("message", "Dad", {"number": "13900139000"} | collect),
            ],
        )
    )
    await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="OpenVox UC501",
            data=PBX_DATA | {"webhook_id": HOOK},
            unique_id=SERIAL,
            minor_version=2,
            options={"cooldown": 60},
            subentries_data=[
                preset("preset", "Kitchen", {"caller": "101", "callee": "102", "autoanswer": True}),
                preset("message", "Speaker", {"extension": "103", "prompt": "alarm"}),
            ],
        )
    )
    side.client = await hass_client_no_auth()
    return side
