"""The translated errors of a PBX entry's setup and polls, which name the PBX by its host."""

from __future__ import annotations

from homeassistant.exceptions import HomeAssistantError

from ...api.yeastar_s import LOCKOUT_MINUTES
from ...const import DOMAIN


def entry_error[E: HomeAssistantError](
    error_type: type[E], translation_key: str, host: str, **placeholders: str
) -> E:
    """Return ``error_type`` (ConfigEntryNotReady, UpdateFailed...) with its translated message."""
    return error_type(
        translation_domain=DOMAIN,
        translation_key=translation_key,
        translation_placeholders={"host": host} | placeholders,
    )


def locked_out[E: HomeAssistantError](error_type: type[E], host: str) -> E:
    """Return the error of a PBX that has locked Home Assistant's address out for a while."""
    return entry_error(error_type, "pbx_locked_out", host, minutes=str(LOCKOUT_MINUTES))
