"""A PBX's extensions as sensors: idle, ringing, in use or offline, kept current by its reports."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.telephony import ExtensionState
from .entity import CallBridgeEntity
from .extensions import signal_extension
from .providers.base import CallBridgeConfigEntry, Provider

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per extension the PBX lists; extensions added on the PBX later come too."""
    extensions = entry.runtime_data.extensions
    added: set[str] = set()

    @callback
    def add_new_extensions() -> None:
        new = [number for number in extensions.states if number not in added]
        added.update(new)
        if new:
            async_add_entities(ExtensionSensor(entry, number) for number in new)

    add_new_extensions()
    entry.async_on_unload(extensions.async_add_listener(add_new_extensions))


class ExtensionSensor(CallBridgeEntity[Provider[Any]], SensorEntity):
    """The state of one extension."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = sorted(ExtensionState)
    _attr_translation_key = "extension"

    def __init__(self, entry: CallBridgeConfigEntry, number: str) -> None:
        """Name the sensor after its extension."""
        super().__init__(entry, f"extension_{number}")
        self._extensions = entry.runtime_data.extensions
        self._number = number
        self._attr_translation_placeholders = {"extension": number}

    @property
    def native_value(self) -> str | None:
        """The extension's state, by the last report or poll."""
        return self._extensions.states.get(self._number)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the PBX tells of the extension besides its state (a P-Series: its presence)."""
        return self._extensions.attributes.get(self._number, {})

    async def async_added_to_hass(self) -> None:
        """Follow the reports about this extension."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_extension(self._entry.entry_id, self._number),
                self.async_write_ha_state,
            )
        )
