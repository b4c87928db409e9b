"""Base of Call Bridge entities: named after their purpose, on the entry's device."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .data import CallBridgeConfigEntry


def device_identifier(entry: CallBridgeConfigEntry) -> tuple[str, str]:
    """Return the device registry identifier of an entry's PBX or OneNET service."""
    return (DOMAIN, entry.unique_id or entry.entry_id)


class CallBridgeEntity(Entity):
    """An entity of one Call Bridge entry."""

    _attr_has_entity_name = True

    def __init__(self, entry: CallBridgeConfigEntry, key: str) -> None:
        """Attach the entity to the entry's device, with a unique id made of the entry's and ``key``."""
        self._entry = entry
        self._attr_unique_id = f"{entry.unique_id or entry.entry_id}_{key}"
        self._attr_device_info = DeviceInfo(identifiers={device_identifier(entry)})
