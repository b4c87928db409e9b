"""The "PBX calls" event entity: one event per call report of the PBX."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.event import EventEntity
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from ...api.yeastar_s import REPORT_TYPES
from ...api.yeastar_s.reports import TYPE_UNKNOWN
from ...const import DOMAIN
from ...entity import CallBridgeEntity
from ..base import CallBridgeConfigEntry, Provider

# Reports about extensions and the PBX itself have their own sensors; these are about calls.
CALL_REPORT_TYPES: Final = sorted(
    {kind for kind in REPORT_TYPES.values() if kind not in ("extension_status", "boot_up")}
    | {TYPE_UNKNOWN}
)
EVENT_ATTRIBUTES: Final = ("callid", "extensions", "inbound", "outbound", "reason", "cdr", "key")


def signal_pbx_report(entry_id: str) -> str:
    """Return the dispatcher signal that carries an entry's PBX reports to its entity."""
    return f"{DOMAIN}_{entry_id}_pbx_report"


class PbxCallsEvent(CallBridgeEntity[Provider[Any]], EventEntity):
    """Mirrors the PBX's reports about calls, whoever placed them."""

    _attr_translation_key = "pbx_calls"
    _attr_event_types = CALL_REPORT_TYPES

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Attach the entity to the PBX."""
        super().__init__(entry, "pbx_calls")

    async def async_added_to_hass(self) -> None:
        """Follow the PBX's reports while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_pbx_report(self._entry.entry_id), self._async_report
            )
        )

    @callback
    def _async_report(self, data: dict[str, Any]) -> None:
        if data["type"] in CALL_REPORT_TYPES:
            self._trigger_event(data["type"], {key: data[key] for key in EVENT_ATTRIBUTES})
            self.async_write_ha_state()
