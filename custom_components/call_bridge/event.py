"""The "Call status" event entity: one event per ``call_bridge_call_status`` of the entry."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.telephony import CallStatus
from .call_status import CALL_STATES, signal_call_status
from .entity import CallBridgeEntity
from .providers.base import CallBridgeConfigEntry, Provider

PARALLEL_UPDATES = 0
EVENT_ATTRIBUTES = (
    "provider",
    "call_id",
    "caller",
    "callee",
    "reason",
    "outcome",
    "digits",
    "call_duration",
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the entry's call-status entity, and its provider's own event entities."""
    async_add_entities([CallStatusEvent(entry), *entry.runtime_data.event_entities()])


class CallStatusEvent(CallBridgeEntity[Provider[Any]], EventEntity):
    """Mirrors the status of the calls the entry placed."""

    _attr_translation_key = "call_status"

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Set up the entity with every state a call can report."""
        super().__init__(entry, "call_status")
        self._attr_event_types = list(CALL_STATES)

    async def async_added_to_hass(self) -> None:
        """Follow the entry's call status while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_call_status(self._entry.entry_id), self._async_call_status
            )
        )

    @callback
    def _async_call_status(self, status: CallStatus) -> None:
        data = status.as_dict()
        self._trigger_event(status.state, {key: data[key] for key in EVENT_ATTRIBUTES})
        self.async_write_ha_state()
