"""The P-Series' extension list, polled: extensions added on the PBX appear, and only listed ones count."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ...api.yeastar_p import Extension, YeastarPAuthError, YeastarPClient, YeastarPError
from ...const import DOMAIN

if TYPE_CHECKING:
    from . import YeastarPConfigEntry

_LOGGER = logging.getLogger(__name__)

# As often as the other PBX's: new extensions appear within minutes, and the PBX is spared.
UPDATE_INTERVAL = timedelta(minutes=5)


class YeastarPCoordinator(DataUpdateCoordinator[dict[str, Extension]]):
    """The extensions the PBX lists, by number (their calls' states come as events)."""

    config_entry: YeastarPConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: YeastarPConfigEntry,
        client: YeastarPClient,
        listed: list[Extension],
    ) -> None:
        """Start from the list the setup read; poll ``client`` for the next ones."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=entry.title, update_interval=UPDATE_INTERVAL
        )
        self.client = client
        self.data = {extension.number: extension for extension in listed}

    async def _async_update_data(self) -> dict[str, Extension]:
        """Read the extension list; new credentials are asked for when the PBX refuses them."""
        try:
            extensions = await self.client.extensions()
        except YeastarPAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_auth_failed",
                translation_placeholders={"host": self.client.host},
            ) from err
        except YeastarPError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_unavailable",
                translation_placeholders={"host": self.client.host, "error": str(err)},
            ) from err
        return {extension.number: extension for extension in extensions}
