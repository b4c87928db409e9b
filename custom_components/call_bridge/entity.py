"""Base of Call Bridge entities: named after their purpose, on the entry's device, available with it."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .providers.base import Provider, device_identifier


class CallBridgeEntity[P: Provider[Any]](Entity):
    """An entity of one Call Bridge entry; unavailable while its provider does not answer."""

    _attr_has_entity_name = True
    # Everything comes pushed (reports, events, callbacks) or through the providers' own polls.
    _attr_should_poll = False

    def __init__(self, entry: ConfigEntry[P], key: str) -> None:
        """Attach the entity to the entry's device, with a unique id made of the entry's and ``key``."""
        self._entry = entry
        self._attr_unique_id = unique_id_of(entry, key)
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(entry)})

    @property
    def available(self) -> bool:
        """Whether the provider answered last time it was asked."""
        return super().available and self._entry.runtime_data.available

    async def async_added_to_hass(self) -> None:
        """Follow the provider's availability."""
        await super().async_added_to_hass()
        self.async_on_remove(self._entry.runtime_data.async_add_listener(self.async_write_ha_state))


def unique_id_of(entry: ConfigEntry, key: str) -> str:
    """Return the unique id of an entry's entity for ``key`` (a preset's: its subentry id)."""
    return f"{entry.unique_id or entry.entry_id}_{key}"
