"""Asterisk's steps of the config flow: add, reauthenticate, reconfigure (its options are the PBXs')."""

from __future__ import annotations

from collections.abc import Mapping
import logging
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ...api.asterisk import (
    AsteriskAuthError,
    AsteriskConnectionError,
    AsteriskRefusedError,
    AsteriskResponseError,
)
from ...api.asterisk.models import (
    APP_NAME,
    CONTEXT_NAME,
    DEFAULT_APP,
    DEFAULT_CONTEXT,
    DEFAULT_PORT,
    DEFAULT_TECHNOLOGY,
    TECHNOLOGIES,
)
from ...const import CONF_ENTRY_TYPE
from ..forms import (
    PORT,
    SECRET,
    TEXT,
    ConnectionForm,
    ConnectionSteps,
    Identity,
    with_typed_host,
)
from .client import create_asterisk_client
from .const import CONF_APP, CONF_CONTEXT, CONF_TECHNOLOGY, ENTRY_TYPE

_LOGGER = logging.getLogger(__name__)

SECRETS: Final = (CONF_PASSWORD,)
# ARI answers 404 for its own info when it is turned off (or served under another path).
ARI_NOT_FOUND: Final = 404
CREDENTIALS: Final[dict[vol.Marker, Any]] = {
    vol.Required(CONF_USERNAME): TEXT,
    vol.Required(CONF_PASSWORD): SECRET,
}


def _schema(password: vol.Marker) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST): TEXT,
            vol.Required(CONF_PORT, default=DEFAULT_PORT): PORT,
            vol.Required(CONF_SSL, default=False): BooleanSelector(),
            vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
            vol.Required(CONF_USERNAME): TEXT,
            password: SECRET,
            vol.Required(CONF_APP, default=DEFAULT_APP): TEXT,
            vol.Required(CONF_CONTEXT, default=DEFAULT_CONTEXT): TEXT,
            # Asterisk's own names, which no language translates.
            vol.Required(CONF_TECHNOLOGY, default=DEFAULT_TECHNOLOGY): SelectSelector(
                SelectSelectorConfig(options=list(TECHNOLOGIES), mode=SelectSelectorMode.DROPDOWN)
            ),
        }
    )


SCHEMA: Final = _schema(vol.Required(CONF_PASSWORD))
# Reconfiguring, a password left empty keeps the stored one (which the form never shows).
RECONFIGURE_SCHEMA: Final = _schema(vol.Optional(CONF_PASSWORD))


def _entry_data(user_input: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from the form; the host as people type it; an empty password keeps the stored one.

    Raise ValueError when the host is no host at all.
    """
    data = {CONF_ENTRY_TYPE: ENTRY_TYPE} | dict(stored) | dict(user_input)
    if not user_input.get(CONF_PASSWORD) and stored.get(CONF_PASSWORD):
        data[CONF_PASSWORD] = stored[CONF_PASSWORD]
    for key in (CONF_APP, CONF_CONTEXT):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    return with_typed_host(data)


def _field_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Flag an application or a context that Asterisk would not take (they go into URLs)."""
    errors: dict[str, str] = {}
    if not re.fullmatch(APP_NAME, str(data.get(CONF_APP, ""))):
        errors[CONF_APP] = "invalid_app"
    if not re.fullmatch(CONTEXT_NAME, str(data.get(CONF_CONTEXT, ""))):
        errors[CONF_CONTEXT] = "invalid_context"
    return errors


async def _async_check(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[dict[str, str], Identity | None]:
    """Form errors for Asterisk data (``/asterisk/info``), and who answered."""
    if errors := _field_errors(data):
        return errors, None
    client = create_asterisk_client(hass, data)
    try:
        info = await client.info()
    except AsteriskAuthError:
        return {"base": "invalid_auth"}, None
    except (AsteriskConnectionError, AsteriskResponseError):
        return {"base": "cannot_connect"}, None
    except AsteriskRefusedError as err:
        if err.status == ARI_NOT_FOUND:
            return {"base": "ari_disabled"}, None
        _LOGGER.warning("Unexpected answer from Asterisk at %s: %s", data[CONF_HOST], err)
        return {"base": "unknown"}, None
    return {}, Identity(info.system_id, f"Asterisk {data[CONF_HOST]}")


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    data = data or {}
    return {
        "service": "Asterisk",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PORT)}",
    }


FORM: Final = ConnectionForm(_entry_data, _async_check, _placeholders, SECRETS)


class AsteriskConfigSteps(ConnectionSteps):
    """Add an Asterisk (FreePBX); give it a new ARI password; change how it is reached."""

    async def async_step_asterisk(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add an Asterisk; its system id is the entry's unique id."""
        return await self.async_add_form(FORM, ENTRY_TYPE, SCHEMA, user_input)

    async def async_step_asterisk_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials, and check them before saving."""
        return await self.async_reauth_form(
            FORM, "asterisk_reauth", vol.Schema(CREDENTIALS), user_input
        )

    async def async_step_asterisk_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how it is reached; the entry and its unique id stay."""
        return await self.async_reconfigure_form(
            FORM, "asterisk_reconfigure", RECONFIGURE_SCHEMA, user_input
        )
