"""The "Call status" event entity of a OneNET entry: one event per call-status callback."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CALL_STATES, STATE_UNKNOWN
from .data import CallBridgeConfigEntry
from .entity import CallBridgeEntity
from .webhook import signal_call_status

PARALLEL_UPDATES = 0
EVENT_ATTRIBUTES = ("call_id", "caller", "callee", "reason", "call_duration")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's call-status entity."""
    async_add_entities([CallStatusEvent(entry)])


class CallStatusEvent(CallBridgeEntity, EventEntity):
    """Mirrors the call-status callbacks that reach the entry's webhook."""

    _attr_translation_key = "call_status"

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Set up the entity with every state a call can report."""
        super().__init__(entry, "call_status")
        self._attr_event_types = [*CALL_STATES.values(), STATE_UNKNOWN]

    async def async_added_to_hass(self) -> None:
        """Follow the entry's callbacks while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_call_status(self._entry.entry_id), self._async_call_status
            )
        )

    @callback
    def _async_call_status(self, data: dict[str, Any]) -> None:
        self._trigger_event(data["state"], {key: data[key] for key in EVENT_ATTRIBUTES})
        self.async_write_ha_state()
