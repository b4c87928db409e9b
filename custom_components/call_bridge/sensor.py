"""A PBX's sensors: its missed calls, and its extensions (idle, ringing, in use or offline)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.telephony import ExtensionState
from .entity import CallBridgeEntity
from .extensions import signal_extension
from .providers.base import CallBridgeConfigEntry, Provider

PARALLEL_UPDATES = 0
# Sensors enabled by default: a large PBX's other extensions are there, disabled.
ENABLED_EXTENSIONS = 20


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the provider's own sensors, and one per extension the PBX lists, following its list.

    On a large PBX only the first ``ENABLED_EXTENSIONS`` of its list are enabled by default; the
    others are there to be enabled where they matter.
    """
    extensions = entry.runtime_data.extensions
    sensors: dict[str, ExtensionSensor] = {}

    @callback
    def follow_the_list() -> None:
        for number in [number for number in sensors if number not in extensions]:
            if (entity_id := sensors.pop(number).entity_id) is not None:
                er.async_get(hass).async_remove(entity_id)
        new = [
            ExtensionSensor(entry, number, enabled=len(sensors) + index < ENABLED_EXTENSIONS)
            for index, number in enumerate(n for n in extensions.states if n not in sensors)
        ]
        sensors.update((sensor.number, sensor) for sensor in new)
        if new:
            async_add_entities(new)

    async_add_entities(entry.runtime_data.sensor_entities())
    follow_the_list()
    entry.async_on_unload(extensions.async_add_listener(follow_the_list))


class ExtensionSensor(CallBridgeEntity[Provider[Any]], SensorEntity):
    """The state of one extension."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = sorted(ExtensionState)
    _attr_translation_key = "extension"

    def __init__(self, entry: CallBridgeConfigEntry, number: str, *, enabled: bool) -> None:
        """Name the sensor after its extension; ``enabled``: whether it is enabled by default."""
        super().__init__(entry, f"extension_{number}")
        self._extensions = entry.runtime_data.extensions
        self.number = number
        self._attr_entity_registry_enabled_default = enabled
        self._attr_translation_placeholders = {"extension": number}

    @property
    def native_value(self) -> str | None:
        """The extension's state, by the last report or poll."""
        return self._extensions.states.get(self.number)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What the PBX tells of the extension besides its state (a P-Series: its presence)."""
        return self._extensions.attributes.get(self.number, {})

    async def async_added_to_hass(self) -> None:
        """Follow the reports about this extension."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_extension(self._entry.entry_id, self.number),
                self.async_write_ha_state,
            )
        )
