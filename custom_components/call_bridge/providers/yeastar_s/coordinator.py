"""The PBX's state, polled: a heartbeat keeps the token alive, the extension list follows the PBX."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from ...api.yeastar_s import (
    PbxAuthError,
    PbxClient,
    PbxConnectionError,
    PbxError,
    PbxExtension,
    PbxLockedOutError,
    PbxLoginRefusedError,
)
from .errors import entry_error, locked_out
from .refusals import remember_refusal

if TYPE_CHECKING:
    from . import PbxConfigEntry

_LOGGER = logging.getLogger(__name__)

# Often enough to see an outage within minutes; the PBX forgets a token after 30 idle minutes.
UPDATE_INTERVAL = timedelta(minutes=5)


class PbxCoordinator(DataUpdateCoordinator[dict[str, PbxExtension]]):
    """The PBX's extensions by number; unavailable while the PBX does not answer."""

    config_entry: PbxConfigEntry

    def __init__(self, hass: HomeAssistant, entry: PbxConfigEntry, client: PbxClient) -> None:
        """Poll the PBX of ``entry`` through ``client``."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=entry.title, update_interval=UPDATE_INTERVAL
        )
        self.client = client

    async def _async_update_data(self) -> dict[str, PbxExtension]:
        """Send a heartbeat, then read the extensions; new credentials are asked for when refused."""
        host = self.config_entry.data[CONF_HOST]
        try:
            await self.client.heartbeat()
            extensions = await self.client.extensions()
        except PbxAuthError as err:
            if isinstance(err, PbxLoginRefusedError):
                remember_refusal(self.hass, self.client.login_fingerprint, err.errno)
            raise entry_error(ConfigEntryAuthFailed, "pbx_auth_failed", host) from err
        except PbxLockedOutError as err:
            raise locked_out(UpdateFailed, host) from err
        except PbxConnectionError as err:
            raise entry_error(UpdateFailed, "pbx_unavailable", host, error=str(err)) from err
        except PbxError as err:
            # It answered, so it is there: what it refused is for the debug log.
            _LOGGER.debug(
                "%s: heartbeat or extension list refused: %s", self.config_entry.title, err
            )
            return self.data or {}
        return {extension.number: extension for extension in extensions}
