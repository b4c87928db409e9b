"""The P-Series' steps of the config flow: add, reauthenticate, reconfigure (its options are the PBX's)."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any, Final

from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import BooleanSelector
import voluptuous as vol

from ...api.yeastar_p import (
    SystemInformation,
    YeastarPAuthError,
    YeastarPConnectionError,
    YeastarPRefusedError,
    YeastarPResponseError,
)
from ...api.yeastar_p.models import DEFAULT_PORT, IP_FORBIDDEN, MISSING_PERMISSION, TOKEN_LIMIT
from ...const import CONF_ENTRY_TYPE
from ..forms import PORT, SECRET, TEXT, DiscoverableFlow, with_typed_host, without_secrets
from .client import create_yeastar_p_client
from .const import CONF_CLIENT_ID, CONF_CLIENT_SECRET, ENTRY_TYPE

_LOGGER = logging.getLogger(__name__)

SECRETS: Final = (CONF_CLIENT_SECRET,)
# Refusals a person can do something about, each with its own form error.
FORM_ERRORS: Final = {
    TOKEN_LIMIT: "token_limit",
    IP_FORBIDDEN: "ip_forbidden",
    MISSING_PERMISSION: "missing_permission",
}
CREDENTIALS: Final[dict[vol.Marker, Any]] = {
    vol.Required(CONF_CLIENT_ID): TEXT,
    vol.Required(CONF_CLIENT_SECRET): SECRET,
}


def _schema(secret: vol.Marker) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST): TEXT,
            vol.Required(CONF_PORT, default=DEFAULT_PORT): PORT,
            vol.Required(CONF_SSL, default=True): BooleanSelector(),
            vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
            vol.Required(CONF_CLIENT_ID): TEXT,
            secret: SECRET,
        }
    )


SCHEMA: Final = _schema(vol.Required(CONF_CLIENT_SECRET))
# Reconfiguring, a secret left empty keeps the stored one (which the form never shows).
RECONFIGURE_SCHEMA: Final = _schema(vol.Optional(CONF_CLIENT_SECRET))


def _entry_data(user_input: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from the form; the host as people type it; an empty secret keeps the stored one.

    Raise ValueError when the host is no host at all.
    """
    data = {CONF_ENTRY_TYPE: ENTRY_TYPE} | dict(stored) | dict(user_input)
    if not user_input.get(CONF_CLIENT_SECRET) and stored.get(CONF_CLIENT_SECRET):
        data[CONF_CLIENT_SECRET] = stored[CONF_CLIENT_SECRET]
    return with_typed_host(data, url_ports=True)


async def _async_check(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[dict[str, str], SystemInformation | None]:
    """Form errors for P-Series data (a token, then system/information), and the PBX's identity."""
    client = create_yeastar_p_client(hass, data)
    try:
        info = await client.system_information()
    except YeastarPAuthError:
        return {"base": "invalid_auth"}, None
    except (YeastarPConnectionError, YeastarPResponseError):
        return {"base": "cannot_connect"}, None
    except YeastarPRefusedError as err:
        if err.errcode in FORM_ERRORS:
            return {"base": FORM_ERRORS[err.errcode]}, None
        _LOGGER.warning("Unexpected answer from the P-Series PBX at %s: %s", data[CONF_HOST], err)
        return {"base": "unknown"}, None
    finally:
        await client.close()  # gives the token back: the PBX allows only a few at once
    return {}, info


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    data = data or {}
    return {
        "service": "PBX",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PORT)}",
    }


class YeastarPConfigSteps(DiscoverableFlow):
    """Add a Yeastar P-Series PBX; give it new credentials; change how it is reached."""

    async def async_step_yeastar_p(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a P-Series PBX; its serial number is the entry's unique id."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _entry_data(user_input, {})
            except ValueError:
                errors, info = {CONF_HOST: "invalid_host"}, None
            else:
                errors, info = await _async_check(self.hass, data)
            if not errors and info is not None:
                await self.async_set_unique_id(info.serial)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=f"Yeastar {info.model or info.serial}",
                    data=self.with_discovered_mac(data),
                )
        shown = user_input if user_input is not None else self.discovered_values(ENTRY_TYPE)
        return self.async_show_form(
            step_id=ENTRY_TYPE,
            data_schema=self.add_suggested_values_to_schema(
                SCHEMA, without_secrets(shown, SECRETS)
            ),
            errors=errors,
            description_placeholders=_placeholders(user_input),
        )

    async def async_step_yeastar_p_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new client id and secret, and check them before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = _entry_data(user_input, entry.data)
            errors = await self._async_check_same_p_series(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="yeastar_p_reauth",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(CREDENTIALS), {CONF_CLIENT_ID: entry.data.get(CONF_CLIENT_ID)}
            ),
            errors=errors,
            description_placeholders={"name": entry.title} | _placeholders(entry.data),
        )

    async def async_step_yeastar_p_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port, TLS or credentials; the entry and its unique id stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _entry_data(user_input, entry.data)
            except ValueError:
                errors = {CONF_HOST: "invalid_host"}
            else:
                errors = await self._async_check_same_p_series(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        shown = without_secrets(user_input or entry.data, SECRETS)
        return self.async_show_form(
            step_id="yeastar_p_reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, shown),
            errors=errors,
            description_placeholders=_placeholders(shown),
        )

    async def _async_check_same_p_series(self, data: dict[str, Any]) -> dict[str, str]:
        """Check data for an existing entry; abort when it reaches another PBX (serial)."""
        errors, info = await _async_check(self.hass, data)
        if not errors and info is not None:
            await self.async_set_unique_id(info.serial)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
        return errors
