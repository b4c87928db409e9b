"""Call Bridge: place phone calls through an IP PBX or OneNET voice, and follow how they go."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.const import CONF_HOST, CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryNotReady
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType

from .api.errors import (
    CallBridgeApiError,
    InvalidAccessKeyError,
    PbxAuthError,
    PbxLockedOutError,
    PbxLoginRefusedError,
    ProviderConnectionError,
)
from .api.pbx import LOCKOUT_MINUTES, PbxClient
from .clients import create_onenet_client, create_pbx_client
from .const import (
    CONF_CLOUDHOOK,
    CONF_ENTRY_TYPE,
    CONF_SEND_NOTIFY_URL,
    DEFAULT_SEND_NOTIFY_URL,
    DOMAIN,
    ENTRY_TYPE_PBX,
    ISSUE_NO_EXTERNAL_URL,
)
from .data import Availability, CallBridgeConfigEntry, CallBridgeData, CallLog
from .entity import device_identifier
from .refusals import async_refused_logins, remember_refusal
from .services import async_setup_services
from .webhook import async_callback_url, async_delete_cloudhook, async_register_webhook

_LOGGER = logging.getLogger(__name__)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
PLATFORMS: dict[str, list[Platform]] = {
    ENTRY_TYPE_PBX: [Platform.BUTTON],
    "onenet": [Platform.BUTTON, Platform.EVENT],
}
# The PBX forgets a token after 30 minutes without traffic.
HEARTBEAT_INTERVAL = timedelta(minutes=20)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> bool:
    """Connect to the PBX, or register the OneNET webhook; then add the entities."""
    if entry.data[CONF_ENTRY_TYPE] == ENTRY_TYPE_PBX:
        entry.runtime_data = await _async_setup_pbx(hass, entry)
    else:
        entry.runtime_data = await _async_setup_onenet(hass, entry)
        async_register_webhook(hass, entry)
        if entry.options.get(CONF_SEND_NOTIFY_URL, DEFAULT_SEND_NOTIFY_URL):
            # Raises the repair issue now rather than at the first call.
            await async_callback_url(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(
        entry, PLATFORMS[entry.data[CONF_ENTRY_TYPE]]
    )
    return True


async def _async_setup_pbx(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> CallBridgeData:
    client = create_pbx_client(hass, entry.data, entry.options)
    placeholders = {"host": entry.data[CONF_HOST]}
    refused = await async_refused_logins(hass)
    if refused.errno(client.login_fingerprint) is not None:
        # Refused before, by this PBX, for these very credentials: trying again only counts
        # towards its lockout. New credentials (reauthentication) set the entry up again.
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="pbx_auth_failed",
            translation_placeholders=placeholders,
        )
    try:
        info = await client.identify()
    except PbxLoginRefusedError as err:
        refused.remember(client.login_fingerprint, err.errno)
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="pbx_auth_failed",
            translation_placeholders=placeholders,
        ) from err
    except PbxAuthError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="pbx_auth_failed",
            translation_placeholders=placeholders,
        ) from err
    except PbxLockedOutError as err:
        # The credentials may be right: the lockout lifts by itself, and setup is retried.
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="pbx_locked_out",
            translation_placeholders=placeholders | {"minutes": str(LOCKOUT_MINUTES)},
        ) from err
    except CallBridgeApiError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="pbx_not_ready",
            translation_placeholders=placeholders,
        ) from err
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={device_identifier(entry)},
        manufacturer=client.manufacturer,
        model=info.model if info else None,
        name=entry.title,
        sw_version=info.firmware_version if info else None,
        hw_version=info.hardware_version if info else None,
        serial_number=info.serial if info else None,
    )
    availability = Availability(entry.title)
    keepalive = _PbxKeepalive(hass, entry, client, availability)
    entry.async_on_unload(
        async_track_time_interval(hass, keepalive.async_heartbeat, HEARTBEAT_INTERVAL)
    )
    return CallBridgeData(client=client, device_id=device.id, availability=availability)


def calls_store(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> Store[dict[str, Any]]:
    """Return where an entry keeps the calls it placed, so that their callbacks count after a restart."""
    return Store(hass, 1, f"{DOMAIN}.{entry.entry_id}.calls", private=True)


async def _async_setup_onenet(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> CallBridgeData:
    try:
        client = create_onenet_client(hass, entry.data, entry.options)
    except InvalidAccessKeyError as err:
        raise ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="onenet_invalid_access_key"
        ) from err
    store = calls_store(hass, entry)
    calls = CallLog()
    calls.restore(await store.async_load())
    # Saved at once when the entry goes: the next setup (a reload) reads it back.
    entry.async_on_unload(lambda: store.async_save(calls.stored()))
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={device_identifier(entry)},
        manufacturer="China Mobile",
        model="OneNET voice",
        name=entry.title,
        entry_type=dr.DeviceEntryType.SERVICE,
    )
    return CallBridgeData(
        client=client,
        device_id=device.id,
        availability=Availability(entry.title),
        calls=calls,
        save_calls=lambda: store.async_delay_save(calls.stored, 1),
    )


class _PbxKeepalive:
    """Heartbeats that keep the token alive; an outage is logged once, as actions log it."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: CallBridgeConfigEntry,
        client: PbxClient,
        availability: Availability,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._client = client
        self._availability = availability

    async def async_heartbeat(self, now: datetime) -> None:
        """Send one heartbeat; start reauthentication when the PBX refuses the credentials."""
        try:
            await self._client.heartbeat()
        except PbxAuthError as err:
            if isinstance(err, PbxLoginRefusedError):
                remember_refusal(self._hass, self._client.login_fingerprint, err.errno)
            self._entry.async_start_reauth(self._hass)
        except ProviderConnectionError as err:
            self._availability.unreachable(err)
        except CallBridgeApiError as err:
            self._availability.reachable()
            _LOGGER.debug("%s: heartbeat refused: %s", self._entry.title, err)
        else:
            self._availability.reachable()


async def _async_reload(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> None:
    """Options, presets and credentials take effect by setting the entry up again."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> bool:
    """Remove the entities; end the PBX session this entry logged in."""
    unloaded = await hass.config_entries.async_unload_platforms(
        entry, PLATFORMS[entry.data[CONF_ENTRY_TYPE]]
    )
    client = entry.runtime_data.client
    if unloaded and isinstance(client, PbxClient):
        await client.logout()
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> None:
    """Delete what the entry left outside itself: its cloudhook and its repair issue."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_NO_EXTERNAL_URL}_{entry.entry_id}")
    await calls_store(hass, entry).async_remove()
    if entry.data.get(CONF_CLOUDHOOK):
        await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])
