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
    YeastarPAuthError,
    YeastarPConnectionError,
    YeastarPRefusedError,
    YeastarPResponseError,
)
from ...api.yeastar_p.models import DEFAULT_PORT, IP_FORBIDDEN, MISSING_PERMISSION, TOKEN_LIMIT
from ...const import CONF_ENTRY_TYPE
from ..forms import (
    PORT,
    SECRET,
    TEXT,
    ConnectionForm,
    DiscoverableFlow,
    Identity,
    with_typed_host,
)
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
) -> tuple[dict[str, str], Identity | None]:
    """Form errors for P-Series data (a token, then system/information), and who answered."""
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
    return {}, Identity(info.serial, f"Yeastar {info.model or info.serial}")


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    data = data or {}
    return {
        "service": "PBX",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PORT)}",
    }


FORM: Final = ConnectionForm(_entry_data, _async_check, _placeholders, SECRETS)


class YeastarPConfigSteps(DiscoverableFlow):
    """Add a Yeastar P-Series PBX; give it new credentials; change how it is reached."""

    async def async_step_yeastar_p(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a P-Series PBX; its serial number is the entry's unique id."""
        return await self.async_add_form(
            FORM, ENTRY_TYPE, SCHEMA, user_input, self.discovered_values(ENTRY_TYPE)
        )

    async def async_step_yeastar_p_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials, and check them before saving."""
        return await self.async_reauth_form(
            FORM, "yeastar_p_reauth", vol.Schema(CREDENTIALS), user_input
        )

    async def async_step_yeastar_p_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how it is reached; the entry and its unique id stay."""
        return await self.async_reconfigure_form(
            FORM, "yeastar_p_reconfigure", RECONFIGURE_SCHEMA, user_input
        )
