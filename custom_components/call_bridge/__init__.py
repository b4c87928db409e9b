"""Call Bridge: place phone calls through an IP PBX or OneNET voice, and follow how they go."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, ISSUE_NO_EXTERNAL_URL
from .escalation import async_resume_chains
from .providers import provider_of
from .providers.base import CallBridgeConfigEntry
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions; once Home Assistant has started, go on with interrupted chains."""
    async_setup_services(hass)
    async_at_started(hass, async_resume_chains)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring entries of 0.1.x (version 1.1) to this release's data (1.2); refuse newer ones.

    (Newer Home Assistant releases refuse those themselves, before they ask.)
    """
    if entry.version > 1:
        return False
    if entry.minor_version < 2:
        hass.config_entries.async_update_entry(
            entry, data=provider_of(entry).migrated_data(entry.data), minor_version=2
        )
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> bool:
    """Connect the entry's provider, then add its entities."""
    provider = await provider_of(entry).async_setup(hass, entry)
    await provider.async_start()
    entry.runtime_data = provider
    _reload_on_new_options_or_presets(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, provider.platforms)
    return True


def _reload_on_new_options_or_presets(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> None:
    """Set the entry up again when its options or presets change.

    New entry data (reauthentication, reconfiguration) reloads through the config flow; an update
    listener would reload it a second time, so the entry's own changes are watched instead.
    """
    configured = _options_and_presets(entry)

    @callback
    def changed(change: ConfigEntryChange, changed_entry: ConfigEntry) -> None:
        if (
            change is ConfigEntryChange.UPDATED
            and changed_entry.entry_id == entry.entry_id
            and _options_and_presets(changed_entry) != configured
        ):
            hass.config_entries.async_schedule_reload(entry.entry_id)

    entry.async_on_unload(async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, changed))


def _options_and_presets(entry: ConfigEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return a copy of what the entry's options and presets are now (presets change in place)."""
    presets = {
        subentry_id: (subentry.subentry_type, subentry.title, dict(subentry.data))
        for subentry_id, subentry in entry.subentries.items()
    }
    return dict(entry.options), presets


async def async_unload_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> bool:
    """Remove the entities, then let the provider let go of what it holds."""
    provider = entry.runtime_data
    unloaded = await hass.config_entries.async_unload_platforms(entry, provider.platforms)
    if unloaded:
        await provider.async_unload()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> None:
    """Delete what the entry left outside itself: its stored calls, its repair issue, its cloudhook."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_NO_EXTERNAL_URL}_{entry.entry_id}")
    await provider_of(entry).async_remove(hass, entry)
