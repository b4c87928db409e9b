"""Speech that Asterisk fetches from Home Assistant to play it: served for a few minutes, by name.

Asterisk plays a message's speech from a URL (``sound:http://…``), without credentials: each
speech is served under a name nobody can guess (256 random bits), for as long as a call may take
to be answered, and the newest few only; any other name is answered 404.
"""

from __future__ import annotations

import secrets
import time
from typing import Final

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from ...const import DOMAIN

SPEECH_PATH: Final = f"/api/{DOMAIN}/speech"
KEEP_SECONDS: Final = 600.0
MAX_SPEECHES: Final = 32
DATA_SPEECHES: HassKey[Speeches] = HassKey(f"{DOMAIN}_speeches")


class Speeches:
    """The speeches being served, by name, the newest last."""

    def __init__(self) -> None:
        """Serve none yet."""
        self._served: dict[str, tuple[float, bytes]] = {}

    def add(self, audio: bytes, now: float) -> str:
        """Serve ``audio`` (a WAV); return the name it is served under."""
        self._served = {name: served for name, served in self._served.items() if served[0] > now}
        while len(self._served) >= MAX_SPEECHES:
            del self._served[next(iter(self._served))]
        name = f"{secrets.token_urlsafe(32)}.wav"
        self._served[name] = (now + KEEP_SECONDS, audio)
        return name

    def get(self, name: str, now: float) -> bytes | None:
        """Return the speech served under ``name``, while it is served."""
        served = self._served.get(name)
        return served[1] if served is not None and served[0] > now else None


class SpeechView(HomeAssistantView):
    """Serves the speeches Asterisk plays (Asterisk fetches them without credentials)."""

    url = f"{SPEECH_PATH}/{{name}}"
    name = f"api:{DOMAIN}:speech"
    requires_auth = False

    def __init__(self, speeches: Speeches) -> None:
        """Serve ``speeches``."""
        self._speeches = speeches

    async def get(self, request: web.Request, name: str) -> web.Response:
        """Answer a speech, or 404 for a name that is not (or no longer) served."""
        audio = self._speeches.get(name, time.monotonic())
        if audio is None:
            return web.Response(status=404)
        return web.Response(body=audio, content_type="audio/wav")


def served_speeches(hass: HomeAssistant) -> Speeches:
    """Return the speeches being served; the view is registered with the first."""
    if (speeches := hass.data.get(DATA_SPEECHES)) is None:
        speeches = hass.data[DATA_SPEECHES] = Speeches()
        hass.http.register_view(SpeechView(speeches))
    return speeches
