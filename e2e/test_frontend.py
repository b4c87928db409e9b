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


async def add_through_the_form(
    browser: Page,
    instance: Instance,
    language: str,
    kind: str,
    fields: dict[str, str],
    *,
    done: str,
    choices: dict[str, str] | None = None,
    shows: tuple[str, ...] = (),
) -> str:
    """Open the config flow in the browser, choose ``kind``, fill in the form as a person does.

    ``fields`` maps text fields' labels to what is typed, ``choices`` drop-downs' labels to the
    option picked; then the form is submitted, and the flow's last dialog shows ``done`` (the
    frontend's English label): "Finish" under the entry's message, or "Skip and finish" beside
    the name and area of the device the entry made; and ``shows``, texts it must hold (the dialog
    renders them a moment after its buttons). Return what that dialog shows.
    """
    strings, frontend = ours(language), FrontendStrings(language)
    await open_page(browser, instance, language, "/config/integrations/integration/call_bridge")
    await browser.click_text(frontend("Add hub"))
    await browser.click_text(strings["config"]["step"]["user"]["menu_options"][kind])
    for label, value in fields.items():
        await browser.fill(label, value)
    for label, option in (choices or {}).items():
        await browser.click_text(label)
        await browser.click_text(option)
    await browser.click_text(frontend("Submit"))
    return await browser.wait_for_text(frontend(done), *shows)


async def entries_added(instance: Instance, before: set[str]) -> list[dict[str, Any]]:
    """The entries made since ``before``; deleted again, so that the other tests find one of each."""
    added = [e for e in await instance.client.entries("call_bridge") if e["entry_id"] not in before]
    for entry in added:
        await instance.client.remove_entry(entry["entry_id"])
    return added


async def test_adding_the_second_pbx_in_the_browser(
    instance: Instance, browser: Page, shots: Path
) -> None:
    port, pbx = list(instance.far_side.pbxs.items())[1]
    strings = ours("en")
    form = strings["config"]["step"]["pbx"]["data"]
    before = {entry["entry_id"] for entry in await instance.client.entries("call_bridge")}
    try:
        await add_through_the_form(
            browser,
            instance,
            "en",
            "pbx",
            {
                f"{form['host']}*": "127.0.0.1",
                f"{form['port']}*": str(port),
                form["username"]: pbx.username,
                form["password"]: pbx.password,
            },
            done="Skip and finish",
            choices={
                form["api_version"]: strings["selector"]["api_version"]["options"]["yeastar_s"]
            },
        )
    finally:
        await browser.screenshot(shots / "second_pbx.png")
    added = await entries_added(instance, before)
    assert [(entry["title"], entry["state"]) for entry in added] == [("Yeastar S50", "loaded")]


async def test_adding_the_second_onenet_app_in_the_browser_in_chinese(
    instance: Instance, browser: Page, shots: Path
) -> None:
    app = instance.onenet.other_apps[0]
    form = ours("zh-Hans")["config"]["step"]["onenet"]["data"]
    before = {entry["entry_id"] for entry in await instance.client.entries("call_bridge")}
    try:
        shown = await add_through_the_form(
            browser,
            instance,
            "zh-Hans",
            "onenet",
            {
                # Optional: generation 2 accounts have a user id instead.
                form["app_id"]: app.app_id,
                f"{form['access_key']}*": app.access_key,
                f"{form['sponsor']}*": app.sponsor,
                f"{form['base_url']}*": f"http://127.0.0.1:{instance.far_side.onenet_port}",
            },
            done="Finish",
            shows=("/api/webhook/",),  # the callback URL for the OneNET console
        )
    finally:
        await browser.screenshot(shots / "second_onenet.png")
    added = await entries_added(instance, before)
    assert [(entry["title"], entry["state"]) for entry in added] == [
        (f"OneNET voice {app.sponsor}", "loaded")
    ]
    assert "/api/webhook/" in shown  # the callback URL for the OneNET console
