"""Screenshots of Call Bridge in Home Assistant's frontend, for the README (docs/images/).

``scripts/screenshots`` runs this against the development instance (``scripts/develop`` must be
running). Headless Chromium finds what to click by the text a person reads, as the frontend
end-to-end tests do, so a new frontend layout needs no new coordinates.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from aiohttp import ClientSession

from .api_client import HomeAssistantClient
from .browser import FrontendStrings, Page, chromium, log_in
from .develop import HASS_PORT
from .hass_process import REPO
from .provision import PASSWORD, USERNAME

BASE_URL = f"http://127.0.0.1:{HASS_PORT}"
IMAGES = REPO / "docs" / "images"
STRINGS = json.loads(
    (REPO / "custom_components/call_bridge/translations/en.json").read_text(encoding="utf-8")
)
MENU = STRINGS["config"]["step"]["user"]["menu_options"]
ADD_PRESET = STRINGS["config_subentries"]["preset"]["initiate_flow"]["user"]
# The screenshot of each kind of subentry's form.
SUBENTRY_SHOTS = {
    "preset": "preset_form",
    "message": "message_preset_form",
    "contact": "contact_form",
}


async def shoot(page: Page, name: str, *shows: str) -> None:
    """Wait until the page shows ``shows``, let it settle, save docs/images/<name>.png."""
    await page.wait_for_text(*shows)
    await asyncio.sleep(1.5)  # animations (dialogs sliding in) end
    path: Path = IMAGES / f"{name}.png"
    await page.screenshot(path)
    print(path.relative_to(REPO))


async def run() -> None:
    """Log in, place a call so there is something to show, and capture each page."""
    frontend = FrontendStrings("en")
    async with ClientSession() as session:
        client = HomeAssistantClient(session, BASE_URL)
        await client.login(USERNAME, PASSWORD)
        async with client.websocket() as ws:
            devices = (await ws.command({"type": "config/device_registry/list"}))["result"]
        onenet_device = next(d["id"] for d in devices if d["manufacturer"] == "China Mobile")
        p_series_device = next(d["id"] for d in devices if d["manufacturer"] == "Yeastar")
        asterisk_device = next(d["id"] for d in devices if d["manufacturer"] == "Asterisk")
        openvox_device = next(d["id"] for d in devices if d["manufacturer"] == "OpenVox")
        await client.call_action(
            "call_bridge",
            "click_to_dial",
            {"caller": "+86 138 0013 8000", "callee": "139 0013 9000"},
        )
        # The demo alarm: the PBX's prompt is not answered, the caretaker acknowledges.
        for turn in ("turn_off", "turn_on"):  # set off again by a second run too
            status, _ = await client.call_action(
                "input_boolean",
                turn,
                {"entity_id": "input_boolean.demo_alarm"},
                with_response=False,
            )
            assert status == 200, status
        await asyncio.sleep(30)  # the simulator plays the calls, the escalation ends
        async with chromium(session) as page:
            await log_in(page, BASE_URL, client.tokens)
            integration = f"{BASE_URL}/config/integrations/integration/call_bridge"

            await shoot_forms(page, frontend, integration)

            for name, path, shows in (
                ("blueprint_automation", "/config/automation/edit/demo_doorbell_call", "Doorbell"),
                ("integration_page", "/config/integrations/integration/call_bridge", ADD_PRESET),
                ("onenet_device", f"/config/devices/device/{onenet_device}", "Call status"),
                # The demo's callers have rung it: a missed call, a named one.
                ("pbx_device", f"/config/devices/device/{openvox_device}", "Missed calls"),
                ("p_series_device", f"/config/devices/device/{p_series_device}", "Extension 2001"),
                ("asterisk_device", f"/config/devices/device/{asterisk_device}", "Extension 201"),
                # The calls the PBXs' callers make fill the whole logbook: OneNET's call alone.
                (
                    "logbook",
                    "/logbook?entity_id=event.onenet_voice_02066240222_call_status",
                    "Call status",
                ),
                ("blueprints", "/config/blueprint/dashboard", "Doorbell"),
            ):
                await page.open(f"{BASE_URL}{path}")
                await shoot(page, name, shows)

            await page.open(f"{BASE_URL}/config/automation/trace/demo_alarm_escalation")
            await page.click_text(frontend("Trace timeline"))
            await shoot(page, "alarm_trace", "Call until answered")


async def shoot_forms(page: Page, frontend: FrontendStrings, integration: str) -> None:
    """Capture the forms a user fills in: the menu, the PBX's, Asterisk's, presets, a contact."""
    await page.open(integration)
    await page.click_text(frontend("Add hub"))
    await shoot(page, "config_flow_menu", MENU["pbx"])
    await page.click_text(MENU["pbx"])
    await shoot(page, "pbx_form", STRINGS["config"]["step"]["pbx"]["data"]["host"])

    await page.open(integration)
    await page.click_text(frontend("Add hub"))
    await page.click_text(MENU["asterisk"])
    await shoot(page, "asterisk_form", STRINGS["config"]["step"]["asterisk"]["data"]["app"])

    for kind, entry_title, shown in (
        ("preset", "OpenVox UC501", "autoanswer"),
        ("message", "OneNET voice 02066240222", "collect_digits"),
        ("contact", "OpenVox UC501", "numbers"),
    ):
        await page.open(integration)
        await page.click_text(STRINGS["config_subentries"][kind]["initiate_flow"]["user"])
        await asyncio.sleep(1)  # the entry picker slides in over the page's own entry titles
        await page.click_text(entry_title)
        fields = STRINGS["config_subentries"][kind]["step"]["user"]["data"]
        await shoot(page, SUBENTRY_SHOTS[kind], fields[shown])

    await page.open(integration)
    await page.click_label_near(frontend("Configure"), "OneNET voice 02066240222")
    await shoot(page, "onenet_options", "/api/webhook/")


if __name__ == "__main__":
    asyncio.run(run())
