"""PBX logins that were refused, remembered across reloads and restarts.

A PBX locks the address out after five failed logins. The client never repeats a refused login;
this keeps the refusal when the client is gone too (a reload, a restart), until the credentials
change or a flow proves them good: entries with those credentials are not set up meanwhile.
"""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from ...const import DOMAIN

STORAGE_VERSION = 1
# Fingerprints (digests of address, user and password) of refused logins; the oldest go first.
LIMIT = 64
DATA_REFUSED_LOGINS: HassKey[RefusedLogins] = HassKey(f"{DOMAIN}_refused_logins")


class RefusedLogins:
    """Refused logins by fingerprint, saved in Home Assistant's storage."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Start empty; ``async_load`` reads what was saved."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.refused_logins", private=True
        )
        self._refused: dict[str, str] = {}
        self._loading: asyncio.Task[None] | None = None
        self._hass = hass

    async def async_load(self) -> None:
        """Read the refusals saved before, once, whoever asks first."""
        if self._loading is None:
            self._loading = self._hass.async_create_task(self._read(), eager_start=True)
        await self._loading

    async def _read(self) -> None:
        """Anything malformed in what was saved is dropped."""
        stored = await self._store.async_load()
        refused = (stored or {}).get("refused")
        if isinstance(refused, dict):
            self._refused = {
                key: value
                for key, value in refused.items()
                if isinstance(key, str) and isinstance(value, str)
            }

    def errno(self, fingerprint: str | None) -> str | None:
        """Return the errno with which these credentials were refused, if they were."""
        return None if fingerprint is None else self._refused.get(fingerprint)

    def remember(self, fingerprint: str | None, errno: str) -> None:
        """Keep a refusal."""
        if fingerprint is None:
            return
        self._refused.pop(fingerprint, None)
        self._refused[fingerprint] = errno
        while len(self._refused) > LIMIT:
            del self._refused[next(iter(self._refused))]
        self._save()

    def forget(self, fingerprint: str | None) -> None:
        """Drop a refusal: the PBX accepted these credentials."""
        if fingerprint is not None and self._refused.pop(fingerprint, None) is not None:
            self._save()

    def _save(self) -> None:
        # Built here, on the event loop: before 2025.12 the store calls it from a worker thread.
        data = {"refused": dict(self._refused)}
        self._store.async_delay_save(lambda: data, 1)


def remember_refusal(hass: HomeAssistant, fingerprint: str | None, errno: str) -> None:
    """Keep a refusal met after setup (by an action or a heartbeat)."""
    if (refused := hass.data.get(DATA_REFUSED_LOGINS)) is not None:
        refused.remember(fingerprint, errno)


async def async_refused_logins(hass: HomeAssistant) -> RefusedLogins:
    """Return the refusals of this Home Assistant, read from storage the first time."""
    if (refused := hass.data.get(DATA_REFUSED_LOGINS)) is None:
        refused = hass.data[DATA_REFUSED_LOGINS] = RefusedLogins(hass)
    await refused.async_load()
    return refused
