"""The one path that places a call, for actions and buttons alike.

provider prepares the call (its numbers checked) -> cooldown gate -> provider places it (its errors
translated) -> response. Nothing here knows which provider it has.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from .const import CONF_COOLDOWN, DEFAULT_COOLDOWN, DOMAIN
from .providers.base import CallBridgeConfigEntry, Placed

_LOGGER = logging.getLogger(__name__)


def supports(entry: CallBridgeConfigEntry, action: str) -> bool:
    """Whether a loaded entry's provider carries out ``action``."""
    return action in entry.runtime_data.actions


async def async_place_call(
    entry: CallBridgeConfigEntry, action: str, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Carry out ``action`` with ``fields`` through ``entry``; return the action's response data."""
    provider = entry.runtime_data
    if not supports(entry, action):
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_supported_by_provider",
            translation_placeholders={"entry_title": entry.title, "action": f"{DOMAIN}.{action}"},
        )
    call = provider.prepare(action, fields)
    cooldown = float(entry.options.get(CONF_COOLDOWN, DEFAULT_COOLDOWN))

    async def place() -> Placed:
        placed = await provider.async_place(call)
        provider.reachable()
        return placed

    placed, suppressed = await provider.gate.place((action, call), cooldown, place)
    if suppressed:
        _LOGGER.info(
            "%s: an identical call is in progress or was placed less than %g s ago; not placed again",
            entry.title,
            cooldown,
        )
    placed = placed or provider.nothing_placed
    if not suppressed:
        _LOGGER.debug("%s: %s done, call id %s", entry.title, action, placed.call_id)
        if placed.call_id is not None and placed.parties is not None:
            provider.placed(placed.call_id, placed.follow)
            provider.calls.record(
                placed.call_id,
                {"state": "requested", **placed.parties, "updated": dt_util.utcnow().isoformat()},
            )
    return {"call_id": placed.call_id, **placed.details, "suppressed": suppressed}
