"""Screenshots of Call Bridge in Home Assistant's frontend, for the README (docs/images/).

scripts/screenshots starts headless Chromium with remote debugging on loopback and runs this module
against the development instance (scripts/develop must be running).
"""

from __future__ import annotations

import asyncio
import base64
from itertools import count
import json
import sys
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse

from .api_client import HomeAssistantClient
from .develop import HASS_PORT
from .hass_process import REPO
from .provision import PASSWORD, USERNAME

BASE_URL = f"http://127.0.0.1:{HASS_PORT}"
IMAGES = REPO / "docs" / "images"


class Browser:
    """One Chromium tab, driven over the DevTools protocol."""

    def __init__(self, connection: ClientWebSocketResponse) -> None:
        """Wrap the tab's DevTools connection."""
        self._connection = connection
        self._ids = count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result, skipping the events in between."""
        message_id = next(self._ids)
        await self._connection.send_json({"id": message_id, "method": method, "params": params})
        while True:
            answer = await self._connection.receive_json()
            if answer.get("id") == message_id:
                return dict(answer.get("result", {}))

    async def open(self, path: str, settle: float = 6.0) -> None:
        """Navigate and give the frontend time to render."""
        await self.send("Page.navigate", url=f"{BASE_URL}{path}")
        await asyncio.sleep(settle)

    async def click(self, x: int, y: int, settle: float = 3.0) -> None:
        """Click at a point of the 1280 x 860 viewport."""
        for event in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=event, x=x, y=y, button="left", clickCount=1
            )
        await asyncio.sleep(settle)

    async def shoot(self, name: str) -> None:
        """Save the tab as docs/images/<name>.png."""
        shot = await self.send("Page.captureScreenshot", format="png")
        (IMAGES / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
        print(f"docs/images/{name}.png")


async def run(debugging_port: int) -> None:
    """Log in, place a call so there is something to show, and capture each page."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    async with ClientSession() as session:
        client = HomeAssistantClient(session, BASE_URL)
        await client.login(USERNAME, PASSWORD)
        async with client.websocket() as ws:
            devices = (await ws.command({"type": "config/device_registry/list"}))["result"]
        onenet_device = next(d["id"] for d in devices if d["manufacturer"] == "China Mobile")
        await client.call_action(
            "call_bridge",
            "click_to_dial",
            {"caller": "+86 138 0013 8000", "callee": "139 0013 9000"},
        )
        await asyncio.sleep(14)  # the simulator plays the whole call
        async with session.get(f"http://127.0.0.1:{debugging_port}/json/list") as response:
            page = next(t for t in await response.json() if t["type"] == "page")
        async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as connection:
            browser = Browser(connection)
            await browser.send(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=860,
                deviceScaleFactor=1,
                mobile=False,
            )
            await browser.open("/", settle=3)
            tokens = client.tokens | {
                "hassUrl": BASE_URL,
                "clientId": f"{BASE_URL}/",
                "expires": 4102444800000,
            }
            await browser.send(
                "Runtime.evaluate",
                expression=f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(tokens))})",
            )
            # The "add" link asks for confirmation first; its OK button, then the menu's first entry.
            await browser.open("/config/integrations/dashboard/add?domain=call_bridge")
            await browser.click(887, 474)
            await browser.shoot("config_flow_menu")
            await browser.click(640, 430)
            await browser.shoot("pbx_form")
            # On the integration page: "Add call preset" for the PBX, then the OneNET options (gear).
            await browser.open("/config/integrations/integration/call_bridge")
            await browser.click(1163, 135)
            await browser.click(416, 440)  # the PBX, in the entry picker
            await browser.shoot("preset_form")
            await browser.open("/config/integrations/integration/call_bridge")
            await browser.click(1149, 331)
            await browser.shoot("onenet_options")
            for name, path in (
                ("blueprint_automation", "/config/automation/edit/demo_doorbell_call"),
                ("integration_page", "/config/integrations/integration/call_bridge"),
                ("onenet_device", f"/config/devices/device/{onenet_device}"),
                ("logbook", "/logbook"),
                ("blueprints", "/config/blueprint/dashboard"),
            ):
                await browser.open(path)
                await browser.shoot(name)


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1])))
