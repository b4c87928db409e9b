"""What a person sees in a real browser: the frontend of a real hass with Call Bridge set up.

Headless Chromium logs in and reads each page as text, shadow roots included, in English and in
Simplified Chinese. Without the packages the frontend makes hass import, these pages never get past
"Loading…" and every test here fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession
import pytest
import pytest_asyncio

from devtools.browser import FrontendStrings, Page, chromium, log_in

from .conftest import Instance
from .test_real_home_assistant import call_and_follow

pytestmark = pytest.mark.asyncio(loop_scope="session")

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "call_bridge"
LANGUAGES = ["en", "zh-Hans"]
CALL_STATUS_ENTITY = "event.onenet_voice_02066240222_call_status"


def ours(language: str) -> dict[str, Any]:
    """Call Bridge's own strings in ``language``."""
    path = INTEGRATION / "translations" / f"{language}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each test leaves what the browser showed (printed when a test fails)."""
    return tmp_path_factory.mktemp("screens")


@pytest_asyncio.fixture(loop_scope="session")
async def browser(instance: Instance) -> AsyncIterator[Page]:
    async with ClientSession() as session, chromium(session) as page:
        yield page


async def open_page(page: Page, instance: Instance, language: str, path: str) -> None:
    await log_in(page, instance.hass.base_url, instance.client.tokens, language)
    await page.open(f"{instance.hass.base_url}{path}")


async def see(page: Page, shot: Path, *texts: str) -> str:
    """Wait until the page shows every text; keep a screenshot whether it does or not."""
    try:
        return await page.wait_for_text(*texts)
    finally:
        await page.screenshot(shot)


async def test_the_frontend_can_list_the_actions(instance: Instance) -> None:
    """The call the frontend makes on every page; it failed while hass lacked packages."""
    async with instance.client.websocket() as ws:
        answer = await ws.command({"type": "get_services"})
    assert answer["success"], answer
    services = answer["result"]["call_bridge"]
    assert set(services) >= {"dial_extension", "click_to_dial"}
    assert set(services["dial_extension"]["fields"]) == {
        "config_entry_id",
        "caller",
        "callee",
        "autoanswer",
    }


@pytest.mark.parametrize("language", LANGUAGES)
async def test_integration_page_and_config_flow_menu(
    instance: Instance, browser: Page, shots: Path, language: str
) -> None:
    strings, frontend = ours(language), FrontendStrings(language)
    await open_page(browser, instance, language, "/config/integrations/integration/call_bridge")
    await see(
        browser,
        shots / f"integration_page_{language}.png",
        "Call Bridge",
        "OpenVox UC501",
        "OneNET voice 02066240222",
        strings["config_subentries"]["preset"]["initiate_flow"]["user"],
    )
    await browser.click_text(frontend("Add hub"))
    menu = strings["config"]["step"]["user"]
    await see(
        browser,
        shots / f"config_flow_menu_{language}.png",
        menu["description"],
        menu["menu_options"]["pbx"],
        menu["menu_options"]["onenet"],
    )
    await browser.click_text(menu["menu_options"]["pbx"])
    form = strings["config"]["step"]["pbx"]
    await see(
        browser,
        shots / f"pbx_form_{language}.png",
        form["title"],
        form["data"]["host"],
        form["data"]["api_version"],
        strings["selector"]["api_version"]["options"]["openvox_uc"],
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_action_form(
    instance: Instance, browser: Page, shots: Path, language: str
) -> None:
    strings, frontend = ours(language), FrontendStrings(language)
    service = strings["services"]["dial_extension"]
    await open_page(browser, instance, language, "/developer-tools/action")
    # The action tool remembers the last action a person picked, in the browser's storage.
    picked = {"action": "call_bridge.dial_extension", "data": {}}
    await browser.evaluate(
        "localStorage.setItem('panel-dev-action-state-service-data', "
        f"{json.dumps(json.dumps(picked))})"
    )
    await browser.open(f"{instance.hass.base_url}/developer-tools/action")
    await see(
        browser,
        shots / f"action_form_{language}.png",
        frontend("Perform action"),
        service["description"],
        *(field["name"] for field in service["fields"].values()),
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_call_in_the_activity_log(
    instance: Instance, browser: Page, shots: Path, language: str
) -> None:
    strings = ours(language)
    start = datetime.now(UTC) - timedelta(seconds=1)
    response, _ = await call_and_follow(instance, "139 0013 9000")
    states = strings["entity"]["event"]["call_status"]["state_attributes"]["event_type"]["state"]
    query = urlencode({"entity_id": CALL_STATUS_ENTITY, "start_date": start.isoformat()})
    await open_page(browser, instance, language, f"/logbook?{query}")
    text = await see(
        browser,
        shots / f"activity_{language}.png",
        states["calling_caller"],
        states["connected"],
        states["disconnected"],
    )
    # Each step of the call appears once.
    assert text.count(states["connected"]) == 1, text
    assert response["call_id"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_onenet_options(
    instance: Instance, browser: Page, shots: Path, language: str
) -> None:
    strings, frontend = ours(language), FrontendStrings(language)
    await open_page(browser, instance, language, "/config/integrations/integration/call_bridge")
    await browser.click_label_near(frontend("Configure"), "OneNET voice 02066240222")
    options = strings["options"]["step"]["onenet_options"]
    await see(
        browser,
        shots / f"onenet_options_{language}.png",
        options["title"],
        options["data"]["verify_callbacks"],
        strings["selector"]["verify_callbacks"]["options"]["log"],
        f"{instance.hass.base_url}/api/webhook/",
    )
