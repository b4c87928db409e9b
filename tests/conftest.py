"""Fixtures: a real Home Assistant with Call Bridge; only the PBX and OneNET are faked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
import shutil
import sys
from types import ModuleType
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
from hypothesis import settings
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
    AiohttpClientMockResponse,
)

# Imported before the hass fixture runs, so Home Assistant finds this custom_components package.
from custom_components.call_bridge.const import DOMAIN

from .claims import Witness

PBX_BASE = "http://127.0.0.1:9011/api/v0.0.1"
ONENET_URL = "http://127.0.0.1:8002/v1/onenet/dial/notify"
TOKEN = "813b621cfe8eecf445a2ce1f4a079ffe"
PASSWORD = "s3cret-pbx-password"
ACCESS_KEY = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
APP_ID = "3143eba93adb4f35bde98aa31e4e5bbd"
WEBHOOK_ID = "5f6b9e2f0c3a4d1e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
SERIAL = "a09805021987"
DEVICE_INFO = {
    "status": "Success",
    "deviceinfo": {
        "devicename": "UC501",
        "sn": SERIAL,
        "hardwarever": "3.1",
        "firmwarever": "4.1.1",
        "systemtime": "2020-05-19 04:06:07",
        "uptime": "2020-Mar-23-08:33:22",
        "extensionstatus": "21/300",
    },
}
EXTENSION_LIST = {
    "status": "Success",
    "extlist": [
        {"extnumber": "101", "status": "Registered", "type": "SIP", "username": "101"},
        {"extnumber": "102", "status": "Unavailable", "type": "SIP", "username": "102"},
    ],
}
PBX_DATA = {
    "entry_type": "pbx",
    "host": "127.0.0.1",
    "port": 9011,
    "ssl": False,
    "verify_ssl": True,
    "api_version": "v0.0.1",
    "payload_format": "json",
    "username": "api",
    "password": PASSWORD,
}
ONENET_DATA = {
    "entry_type": "onenet",
    "app_id": APP_ID,
    "access_key": ACCESS_KEY,
    "sponsor": "02066240222",
    "sign_method": "sha1",
    "base_url": "http://127.0.0.1:8002",
    "webhook_id": WEBHOOK_ID,
    "cloudhook": False,
}
SECRETS = (TOKEN, PASSWORD, ACCESS_KEY, WEBHOOK_ID)


# Property-based tests: the same examples on every run (a CI failure can be replayed), and no
# per-example deadline on a busy two-core machine.
settings.register_profile("call_bridge", deadline=None, derandomize=True, database=None)
settings.load_profile("call_bridge")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load Call Bridge from custom_components."""


@pytest.fixture(autouse=True)
def quality_scale_witness(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Witness]:
    """Fail a test whose Home Assistant contradicts what quality_scale.yaml claims."""
    witness = Witness()
    with witness.watching(monkeypatch):
        yield witness
    witness.saw_entities(hass)
    assert witness.contradictions == []


def onenet_answer(code_no: str = "000000", **extra: Any) -> dict[str, Any]:
    """Return a OneNET envelope."""
    return {
        "request_id": "85fcaba7045247c88b87380149ea0941",
        "code_no": code_no,
        "code": "OneNET_common_success" if code_no == "000000" else "onenet_common_error",
        "message": "调用成功",
    } | extra


@pytest.fixture
def pbx_entry() -> MockConfigEntry:
    """A PBX entry that logs in as an API user."""
    return MockConfigEntry(
        domain=DOMAIN, title="OpenVox UC501", data=dict(PBX_DATA), unique_id=SERIAL
    )


@pytest.fixture
def onenet_entry() -> MockConfigEntry:
    """A OneNET entry whose webhook is WEBHOOK_ID."""
    return MockConfigEntry(
        domain=DOMAIN, title="OneNET voice 02066240222", data=dict(ONENET_DATA), unique_id=APP_ID
    )


def mock_pbx_answers(
    aioclient_mock: AiohttpClientMocker, answers: dict[str, dict[str, Any]] | None = None
) -> AiohttpClientMocker:
    """Fake a PBX that accepts the login and every request; ``answers`` replaces some answers.

    Keys are API actions ("login", "extension/dial_extension"...), values aioclient_mock.post's
    keyword arguments (json=..., exc=..., side_effect=...).
    """
    success = {"json": {"status": "Success"}}
    for action, answer in (
        {
            "login": {"json": {"status": "Success", "token": TOKEN}},
            "deviceinfo/query": {"json": DEVICE_INFO},
            "heartbeat": success,
            "extensionlist/query": {"json": EXTENSION_LIST},
            "logout": success,
            "extension/dial_extension": success,
        }
        | (answers or {})
    ).items():
        aioclient_mock.post(f"{PBX_BASE}/{action}", **answer)
    return aioclient_mock


def yeastar_with_token(
    aioclient_mock: AiohttpClientMocker, answers: dict[str, dict[str, Any]]
) -> MockConfigEntry:
    """Fake a Yeastar S-Series PBX (which gives call ids) reached with a static token.

    ``answers`` maps API actions to their JSON answers, besides identification and polling.
    """
    base = "http://127.0.0.1:9011/api/v1.1.0"
    polled = {
        "deviceinfo/query": DEVICE_INFO,
        "heartbeat": {"status": "Success"},
        "extensionlist/query": EXTENSION_LIST,
    }
    for action, answer in (polled | answers).items():
        aioclient_mock.post(f"{base}/{action}", json=answer)
    data = {"entry_type": "pbx", "host": "127.0.0.1", "port": 9011, "api_version": "v1.1.0"}
    return MockConfigEntry(domain=DOMAIN, data=data | {"token": TOKEN}, unique_id=SERIAL)


def spy(owner: type, method: str) -> Any:
    """Record the calls of ``owner.method`` and still run it: what the integration asks of a client."""
    return patch.object(owner, method, autospec=True, side_effect=getattr(owner, method))


def pbx_requests(aioclient_mock: AiohttpClientMocker, action: str) -> list[Any]:
    """Return the requests the faked PBX received for ``action`` ("extension/dial_extension"...)."""
    return [call for call in aioclient_mock.mock_calls if call[1].path.endswith(f"/{action}")]


@pytest.fixture
def mock_pbx(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """A PBX that accepts the login and answers every request."""
    return mock_pbx_answers(aioclient_mock)


@pytest.fixture
def mock_onenet(aioclient_mock: AiohttpClientMocker) -> AiohttpClientMocker:
    """A OneNET that places every call."""
    aioclient_mock.post(ONENET_URL, json=onenet_answer(data={"call_id": "150104227912386807"}))
    return aioclient_mock


@pytest.fixture
async def external_url(hass: HomeAssistant) -> str:
    """Give Home Assistant an external URL that OneNET could reach."""
    await async_process_ha_core_config(hass, {"external_url": "https://ha.example.com"})
    return "https://ha.example.com"


PBX_FORM = {
    "host": "127.0.0.1",
    "port": 9011,
    "username": "api",
    "password": PASSWORD,
    "ssl": False,
    "verify_ssl": True,
    "api_version": "v0.0.1",
    "payload_format": "json",
}
ONENET_FORM = {
    "app_id": APP_ID,
    "access_key": ACCESS_KEY,
    "sponsor": "02066240222",
    "sign_method": "sha1",
    "base_url": "http://127.0.0.1:8002",
}


async def start_flow(hass: HomeAssistant, kind: str) -> dict[str, Any]:
    """Open the config flow and choose ``kind`` in its menu."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["pbx", "onenet", "yeastar_p", "asterisk"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == kind
    return result


type SetupEntry = Callable[[MockConfigEntry], Awaitable[MockConfigEntry]]

HOOK = "pbx-report-hook"
REPORTS = f"/api/webhook/{HOOK}"


@pytest.fixture
def setup_entry(hass: HomeAssistant) -> SetupEntry:
    """Add an entry and set Call Bridge up with it."""

    async def setup(entry: MockConfigEntry) -> MockConfigEntry:
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        return entry

    return setup


@pytest.fixture
async def reporting(
    hass: HomeAssistant, mock_pbx: AiohttpClientMocker, setup_entry: SetupEntry
) -> MockConfigEntry:
    """A PBX entry of an API user, with its report webhook."""
    return await setup_entry(
        MockConfigEntry(
            domain=DOMAIN,
            title="OpenVox UC501",
            data=PBX_DATA | {"webhook_id": HOOK},
            unique_id=SERIAL,
            minor_version=2,
        )
    )


def assert_no_secret(*texts: str) -> None:
    """Fail when a token, password, access key or webhook id appears in any of ``texts``."""
    for text in texts:
        for secret in SECRETS:
            assert secret not in text, f"secret leaked into: {text[:200]}"


def answers_in_turn(
    *answers: dict[str, Any],
) -> Callable[..., Awaitable[AiohttpClientMockResponse]]:
    """A side effect for aioclient_mock that gives each JSON answer in turn, then the last again."""
    remaining = list(answers)

    async def answer(method: str, url: Any, data: Any) -> AiohttpClientMockResponse:
        body = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return AiohttpClientMockResponse(method, url, json=body)

    return answer


CLOUDHOOK_URL = "https://hooks.nabu.casa/call-bridge-test"


@pytest.fixture
def fake_cloud(hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Home Assistant Cloud, loaded and subscribed, as Call Bridge sees it.

    The real module cannot be imported here (it needs Alexa, Google Assistant, camera...), and Call
    Bridge imports it only once the cloud integration is loaded; this stands in for it.
    """
    from homeassistant import components
    from homeassistant.exceptions import HomeAssistantError

    class CloudNotAvailable(HomeAssistantError):  # noqa: N818 - the cloud integration's name
        """As the cloud integration raises it."""

    cloud = ModuleType("homeassistant.components.cloud")
    cloud.CloudNotAvailable = CloudNotAvailable  # type: ignore[attr-defined]
    cloud.async_active_subscription = MagicMock(return_value=True)  # type: ignore[attr-defined]
    cloud.async_create_cloudhook = AsyncMock(return_value=CLOUDHOOK_URL)  # type: ignore[attr-defined]
    cloud.async_get_or_create_cloudhook = AsyncMock(return_value=CLOUDHOOK_URL)  # type: ignore[attr-defined]
    cloud.async_delete_cloudhook = AsyncMock()  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "homeassistant.components.cloud", cloud)
    monkeypatch.setattr(components, "cloud", cloud, raising=False)
    hass.config.components.add("cloud")
    return cloud


BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation" / "call_bridge"


async def use_blueprint(
    hass: HomeAssistant, config_dir: Path, name: str, automation_id: str, inputs: dict[str, Any]
) -> None:
    """Import blueprint ``name`` as a user does (into ``config_dir``), and make an automation of it.

    The automation ``automation.<automation_id>`` must validate and be on.
    """
    hass.config.config_dir = str(config_dir)
    target = config_dir / "blueprints" / "automation" / "call_bridge"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(BLUEPRINTS / name, target)
    automation = {
        "id": automation_id,
        "alias": automation_id,
        "use_blueprint": {"path": f"call_bridge/{name}", "input": inputs},
    }
    assert await async_setup_component(hass, "automation", {"automation": automation})
    await hass.async_block_till_done()
    state = hass.states.get(f"automation.{automation_id}")
    assert state is not None, "the blueprint did not validate"
    assert state.state == "on"
