"""Presets as buttons: each ``preset`` (a call) or ``message`` subentry becomes a button."""

from __future__ import annotations

from typing import Any

from homeassistant.components.button import ButtonEntity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .calls import async_place_call
from .const import SUBENTRY_TYPE_MESSAGE, SUBENTRY_TYPE_PRESET
from .entity import CallBridgeEntity
from .providers.base import CallBridgeConfigEntry, Provider

# Presses wait for no state; the call gate merges identical concurrent presses.
PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CallBridgeConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one button per preset, and remove the buttons of presets that were deleted.

    The buttons sit on the entry's device, so they belong to the entry, not to their subentries
    (a device belongs to one subentry): Home Assistant does not remove them with the subentry.
    """
    buttons = [
        PresetButton(entry, subentry)
        for subentry in entry.subentries.values()
        if subentry.subentry_type in (SUBENTRY_TYPE_PRESET, SUBENTRY_TYPE_MESSAGE)
    ]
    wanted = {button.unique_id for button in buttons}
    registry = er.async_get(hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        if registered.domain == Platform.BUTTON and registered.unique_id not in wanted:
            registry.async_remove(registered.entity_id)
    async_add_entities(buttons)


class PresetButton(CallBridgeEntity[Provider[Any]], ButtonEntity):
    """Places the call a preset describes, or plays its message, through the actions' path."""

    def __init__(self, entry: CallBridgeConfigEntry, subentry: ConfigSubentry) -> None:
        """Name the button after the preset."""
        super().__init__(entry, subentry.subentry_id)
        self._subentry = subentry
        self._attr_name = subentry.title
        self._attr_translation_key = subentry.subentry_type  # the icon; the name is the preset's

    async def async_press(self) -> None:
        """Place the preset's call; errors reach the user as the action's errors do."""
        action = self._entry.runtime_data.action_of(self._subentry.subentry_type)
        await async_place_call(self._entry, action, self._subentry.data)
