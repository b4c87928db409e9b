"""The entities of the calls that come in to a PBX: "Incoming calls" and "Missed calls"."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.event import EventEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.core import callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from ..api.incoming import IncomingCallEvent
from ..entity import CallBridgeEntity
from ..incoming_call import INCOMING_STATES, signal_incoming_call, signal_missed_calls
from .base import CallBridgeConfigEntry, Provider

EVENT_ATTRIBUTES: Final = ("call_id", "caller", "caller_name", "callee", "extension", "duration")


class IncomingCallsEvent(CallBridgeEntity[Provider[Any]], EventEntity):
    """One event per step of a call that came in: ringing, answered, missed or ended."""

    _attr_translation_key = "incoming_calls"

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Attach the entity to the PBX."""
        super().__init__(entry, "incoming_calls")
        self._attr_event_types = list(INCOMING_STATES)

    async def async_added_to_hass(self) -> None:
        """Follow the calls that come in while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_incoming_call(self._entry.entry_id), self._async_incoming
            )
        )

    @callback
    def _async_incoming(self, event: IncomingCallEvent) -> None:
        data = event.as_dict()
        self._trigger_event(event.state, {key: data[key] for key in EVENT_ATTRIBUTES})
        self.async_write_ha_state()


class MissedCallsSensor(CallBridgeEntity[Provider[Any]], SensorEntity):
    """How many calls were missed since they were last cleared; the last ten as attributes."""

    _attr_translation_key = "missed_calls"

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Attach the sensor to the PBX."""
        super().__init__(entry, "missed_calls")
        self._history = entry.runtime_data.history

    @property
    def native_value(self) -> int:
        """The missed calls since they were last cleared."""
        return self._history.missed_count

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The last ten missed calls, the newest first: who called, and when."""
        return {
            "calls": [
                {key: record[key] for key in ("time", "caller", "caller_name", "callee")}
                for record in reversed(self._history.missed)
            ]
        }

    async def async_added_to_hass(self) -> None:
        """Follow the missed calls while the sensor exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_missed_calls(self._entry.entry_id), self.async_write_ha_state
            )
        )
