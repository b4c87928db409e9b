"""Asterisk's steps of the config flow: add, reauthenticate, reconfigure (its options are the PBXs')."""

from __future__ import annotations

from collections.abc import Mapping
import logging
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
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
    AsteriskInfo,
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
from ..forms import PORT, SECRET, TEXT, with_typed_host, without_secrets
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
) -> tuple[dict[str, str], AsteriskInfo | None]:
    """Form errors for Asterisk data (``/asterisk/info``), and the system's identity."""
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
    return {}, info


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    data = data or {}
    return {
        "service": "Asterisk",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PORT)}",
    }


class AsteriskConfigSteps(ConfigFlow):
    """Add an Asterisk (FreePBX); give it a new ARI password; change how it is reached."""

    async def async_step_asterisk(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add an Asterisk; its system id is the entry's unique id."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _entry_data(user_input, {})
            except ValueError:
                errors, info = {CONF_HOST: "invalid_host"}, None
            else:
                errors, info = await _async_check(self.hass, data)
            if not errors and info is not None:
                await self.async_set_unique_id(info.system_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=f"Asterisk {data[CONF_HOST]}", data=data)
        return self.async_show_form(
            step_id=ENTRY_TYPE,
            data_schema=self.add_suggested_values_to_schema(
                SCHEMA, without_secrets(user_input, SECRETS)
            ),
            errors=errors,
            description_placeholders=_placeholders(user_input),
        )

    async def async_step_asterisk_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the ARI user and a new password, and check them before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data(user_input, entry.data)
            errors = await self._async_check_same_asterisk(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="asterisk_reauth",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(CREDENTIALS), {CONF_USERNAME: entry.data.get(CONF_USERNAME)}
            ),
            errors=errors,
            description_placeholders={"name": entry.title} | _placeholders(entry.data),
        )

    async def async_step_asterisk_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the address, TLS, the ARI user, the application, context or technology."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _entry_data(user_input, entry.data)
            except ValueError:
                errors = {CONF_HOST: "invalid_host"}
            else:
                errors = await self._async_check_same_asterisk(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        shown = without_secrets(user_input or entry.data, SECRETS)
        return self.async_show_form(
            step_id="asterisk_reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, shown),
            errors=errors,
            description_placeholders=_placeholders(shown),
        )

    async def _async_check_same_asterisk(self, data: dict[str, Any]) -> dict[str, str]:
        """Check data for an existing entry; abort when it reaches another Asterisk (system id)."""
        errors, info = await _async_check(self.hass, data)
        if not errors and info is not None:
            await self.async_set_unique_id(info.system_id)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
        return errors
