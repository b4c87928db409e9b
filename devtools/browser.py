"""Headless Chromium driven over the DevTools protocol, reading pages as a person reads them.

Home Assistant's frontend is made of web components: its text lives in shadow roots, out of reach of
``document.body.innerText``. Everything here walks the whole tree, shadow roots included, and finds
elements by the text a person sees, never by pixel positions or internal element names.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from itertools import count
import json
from pathlib import Path
import shutil
import tempfile
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse

# The flags this workplace's machines need: no sandbox as root, no GPU, and no background traffic
# (the network is closed; Chromium's own connections would only be refused).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
VIEWPORT = {"width": 1280, "height": 860}

# Walks the document and every shadow root below it. visibleText() gives the text a person sees,
# one line per text node; findText(t) gives the centre of the visible text that contains t and
# that a click would reach (an exact match wins over a partial one, a later one over an earlier).
DEEP_TEXT = """
(() => {
  function* nodes(root) {
    for (const node of root.childNodes) {
      yield node;
      if (node.shadowRoot) yield* nodes(node.shadowRoot);
      yield* nodes(node);
    }
  }
  const norm = (text) => text.replace(/\\s+/g, " ").trim();
  // A text node's own box (its parent may be a <slot>, which has no box of its own).
  const box = (node) => {
    const range = document.createRange();
    range.selectNodeContents(node);
    return range.getBoundingClientRect();
  };
  const visible = (node) => {
    const area = box(node);
    if (area.width === 0 || area.height === 0 || !node.parentElement) return false;
    const style = getComputedStyle(node.parentElement);
    return style.visibility !== "hidden" && style.opacity !== "0";
  };
  // Whether a click at ``spot`` reaches ``element``, rather than something that covers it (a
  // dialog's backdrop): the element hit and ``element`` belong to the same component, that is,
  // they meet below the second shadow host above ``element``.
  const up = (node) => node.parentNode || node.host || null;
  const near = (element) => {
    const around = new Set();
    let hosts = 0;
    for (let node = element; node && hosts < 2; node = up(node)) {
      around.add(node);
      if (node.host) hosts += 1;
    }
    return around;
  };
  const inView = (spot) => spot.x >= 0 && spot.y >= 0 && spot.x <= innerWidth && spot.y <= innerHeight;
  const reachable = (element, spot) => {
    if (!inView(spot)) return false;
    let hit = document.elementFromPoint(spot.x, spot.y);
    while (hit && hit.shadowRoot) {
      const inner = hit.shadowRoot.elementFromPoint(spot.x, spot.y);
      if (!inner || inner === hit) break;
      hit = inner;
    }
    const around = near(element);
    for (let node = hit; node; node = up(node)) if (around.has(node)) return true;
    return false;
  };
  const textNodes = () => [...nodes(document)].filter(
    (node) => node.nodeType === Node.TEXT_NODE && norm(node.data) && visible(node)
  );
  window.__callBridge = {
    visibleText: () => textNodes().map((node) => norm(node.data)).join("\\n"),
    findText: (wanted, last = true) => {
      let best = null;
      let hidden = null;
      for (const node of textNodes()) {
        const text = norm(node.data);
        if (!text.includes(wanted)) continue;
        const area = box(node);
        const spot = {x: area.left + area.width / 2, y: area.top + area.height / 2};
        if (!reachable(node.parentElement, spot)) {
          hidden = hidden || node;
          continue;
        }
        const rank = text === wanted ? 0 : 1;
        if (best === null || rank < best.rank || (last && rank === best.rank)) {
          best = {rank, ...spot};
        }
      }
      if (best === null && hidden !== null) {
        // Out of view, or under a dialog's footer: scrolled to, as a person would, and found by
        // the next look. (Text under a dialog's backdrop stays out of reach.)
        let element = hidden.parentElement;
        while (element && !(element instanceof Element && element.getBoundingClientRect().height)) {
          element = up(element);
        }
        if (element) element.scrollIntoView({block: "center"});
      }
      return best;
    },
    // The centre of the visible element labelled ``label`` (aria-label, title or label, as a
    // screen reader names icon buttons) whose vertical centre is nearest to the first ``near``.
    findLabelNear: (label, near) => {
      const anchor = window.__callBridge.findText(near, false);
      if (anchor === null) return null;
      let best = null;
      for (const node of nodes(document)) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const name = node.getAttribute("aria-label") || node.getAttribute("title")
          || node.getAttribute("label");
        if (name !== label) continue;
        const area = node.getBoundingClientRect();
        if (area.width === 0 || area.height === 0) continue;
        const y = area.top + area.height / 2;
        if (best === null || Math.abs(y - anchor.y) < Math.abs(best.y - anchor.y)) {
          best = {x: area.left + area.width / 2, y};
        }
      }
      return best;
    },
  };
})()
"""


class BrowserError(AssertionError):
    """What a person would have seen did not appear."""


class Page:
    """One tab, driven over its DevTools connection."""

    def __init__(self, connection: ClientWebSocketResponse) -> None:
        """Wrap the tab's connection; commands are numbered from 1."""
        self._connection = connection
        self._ids = count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a DevTools command and return its result, skipping the events in between."""
        message_id = next(self._ids)
        await self._connection.send_json({"id": message_id, "method": method, "params": params})
        while True:
            answer = await self._connection.receive_json()
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))

    async def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its (JSON) value."""
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def open(self, url: str) -> None:
        """Navigate to ``url``."""
        await self.send("Page.navigate", url=url)

    async def text(self) -> str:
        """Return every visible text of the page, shadow roots included, one line per text node."""
        return str(await self.evaluate(f"{DEEP_TEXT}; window.__callBridge.visibleText()"))

    async def wait_for_text(self, *wanted: str, seconds: float = 30.0) -> str:
        """Wait until every one of ``wanted`` is visible; return the page's text then."""
        last = ""

        async def shown() -> str | None:
            nonlocal last
            last = await self.text()
            return last if all(item in last for item in wanted) else None

        text = await _poll(shown, seconds)
        if text is None:
            missing = [item for item in wanted if item not in last]
            raise BrowserError(
                f"not on screen after {seconds:g} s: {missing}; the page shows:\n{last[:3000]}"
            )
        return text

    async def click_text(self, wanted: str, seconds: float = 30.0) -> None:
        """Click the text ``wanted``, as a mouse would, once it is visible and nothing covers it."""
        await self._click_when_found(
            f"window.__callBridge.findText({json.dumps(wanted)})", f"text {wanted!r}", seconds
        )

    async def click_label_near(self, label: str, near: str, seconds: float = 30.0) -> None:
        """Click the icon button named ``label`` nearest to the first text ``near`` (a heading)."""
        await self._click_when_found(
            f"window.__callBridge.findLabelNear({json.dumps(label)}, {json.dumps(near)})",
            f"a button named {label!r} near {near!r}",
            seconds,
        )

    async def _click_when_found(self, finder: str, what: str, seconds: float) -> None:
        async def found() -> dict[str, float] | None:
            spot: dict[str, float] | None = await self.evaluate(f"{DEEP_TEXT}; {finder}")
            return spot

        spot = await _poll(found, seconds)
        if spot is None:
            raise BrowserError(
                f"nothing to click after {seconds:g} s: {what}; the page shows:\n"
                f"{(await self.text())[:3000]}"
            )
        await self._click(spot)

    async def fill(self, label: str, value: str, seconds: float = 30.0) -> None:
        """Type ``value`` into the form field labelled ``label``, replacing what it holds."""
        await self.click_text(label, seconds=seconds)
        select_all = {"key": "a", "code": "KeyA", "windowsVirtualKeyCode": 65, "modifiers": 2}
        for event in ("keyDown", "keyUp"):
            await self.send("Input.dispatchKeyEvent", type=event, **select_all)
        await self.send("Input.insertText", text=value)

    async def _click(self, spot: dict[str, float]) -> None:
        for event in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                type=event,
                x=spot["x"],
                y=spot["y"],
                button="left",
                clickCount=1,
            )

    async def screenshot(self, path: Path) -> None:
        """Save what the tab shows as a PNG."""
        shot = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))


POLL_SECONDS = 0.25


async def _poll[T](probe: Callable[[], Awaitable[T | None]], seconds: float) -> T | None:
    """Ask ``probe`` four times a second until it answers, for ``seconds`` at most (None then)."""
    for _ in range(max(1, round(seconds / POLL_SECONDS))):
        if (answer := await probe()) is not None:
            return answer
        await asyncio.sleep(POLL_SECONDS)
    return None


def chromium_path() -> str:
    """Debian's Chromium (scripts/setup installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise RuntimeError("chromium not found: run scripts/setup (it installs Debian's chromium)")
    return found


@asynccontextmanager
async def chromium(session: ClientSession) -> AsyncIterator[Page]:
    """Start headless Chromium with an empty profile; yield its first tab; stop it afterwards."""
    profile = Path(tempfile.mkdtemp(prefix="call-bridge-chromium-"))
    process = await asyncio.create_subprocess_exec(
        chromium_path(),
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port = await _debugging_port(profile, process)
        async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
            tab = next(target for target in await response.json() if target["type"] == "page")
        async with session.ws_connect(tab["webSocketDebuggerUrl"], max_msg_size=0) as connection:
            page = Page(connection)
            await page.send(
                "Emulation.setDeviceMetricsOverride", deviceScaleFactor=1, mobile=False, **VIEWPORT
            )
            yield page
    finally:
        if process.returncode is None:
            process.terminate()
            with suppress(ProcessLookupError):
                await asyncio.wait_for(process.wait(), 10)
        shutil.rmtree(profile, ignore_errors=True)


async def _debugging_port(profile: Path, process: asyncio.subprocess.Process) -> int:
    """Chromium writes the port it picked (``--remote-debugging-port=0``) into the profile."""
    active = profile / "DevToolsActivePort"

    async def written() -> str | None:
        if process.returncode is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        return (active.read_text().strip() or None) if active.exists() else None

    if (port := await _poll(written, 30)) is None:
        raise RuntimeError("chromium did not open its debugging port within 30 s")
    return int(port.splitlines()[0])


async def log_in(page: Page, base_url: str, tokens: dict[str, Any], language: str = "en") -> None:
    """Give the frontend a login (the tokens of an auth flow) and a language, as a browser keeps them."""
    await page.open(f"{base_url}/auth/providers")  # any page of the instance's origin
    stored = tokens | {"hassUrl": base_url, "clientId": f"{base_url}/", "expires": 4102444800000}
    await page.evaluate(
        f"localStorage.setItem('hassTokens', {json.dumps(json.dumps(stored))});"
        f"localStorage.setItem('selectedLanguage', {json.dumps(json.dumps(language))});"
    )


class FrontendStrings:
    """The frontend's own labels in a language, found by their English text.

    A test that reads a page in Chinese looks for the words a Chinese reader sees: the frontend's
    translation of "Add hub", not the English.
    """

    def __init__(self, language: str) -> None:
        """Load the frontend's English strings and those of ``language``."""
        import hass_frontend  # noqa: PLC0415 - only where a real frontend is installed

        folder = Path(hass_frontend.where()) / "static" / "translations"
        self._english = self._load(folder, "en")
        self._translated = self._load(folder, language)

    @staticmethod
    def _load(folder: Path, language: str) -> dict[str, str]:
        strings: dict[str, str] = {}
        for path in sorted(folder.rglob(f"{language}-*.json")):
            if path.name[len(language) + 1 :].split(".")[0].isalnum():  # not en-GB for en
                strings |= json.loads(path.read_text(encoding="utf-8"))
        return strings

    def by_key(self, key: str) -> str | None:
        """Return the label with this translation key, if this frontend has one."""
        return self._translated.get(key, self._english.get(key))

    def __call__(self, english: str) -> str:
        """Return the label that reads ``english`` in English, in this language."""
        keys = [key for key, text in self._english.items() if text == english]
        for key in keys:
            if key in self._translated:
                return self._translated[key]
        if keys:
            return english
        raise KeyError(f"the frontend has no label {english!r}")
