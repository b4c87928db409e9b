"""A PBX's extensions as sensors: idle, ringing, in use or unavailable, kept current by its reports."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.yeastar_s import EXTENSION_STATES
from .entity import CallBridgeEntity
from .providers.base import CallBridgeConfigEntry, Provider, signal_extension

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a sensor per extension the PBX lists; extensions added on the PBX later come too."""
    provider = entry.runtime_data
    added: set[str] = set()

    @callback
    def add_new_extensions() -> None:
        new = [number for number in provider.extension_states if number not in added]
        added.update(new)
        if new:
            async_add_entities(ExtensionSensor(entry, number) for number in new)

    add_new_extensions()
    entry.async_on_unload(provider.async_add_extensions_listener(add_new_extensions))


class ExtensionSensor(CallBridgeEntity[Provider[Any]], SensorEntity):
    """The state of one extension."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = sorted(set(EXTENSION_STATES.values()))
    _attr_translation_key = "extension"

    def __init__(self, entry: CallBridgeConfigEntry, number: str) -> None:
        """Name the sensor after its extension."""
        super().__init__(entry, f"extension_{number}")
        self._pbx = entry.runtime_data
        self._number = number
        self._attr_translation_placeholders = {"extension": number}

    @property
    def native_value(self) -> str | None:
        """The extension's state, by the last report or poll."""
        return self._pbx.extension_states.get(self._number)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the PBX tells of the extension besides its state (a P-Series: its presence)."""
        return self._pbx.extension_attributes(self._number)

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
