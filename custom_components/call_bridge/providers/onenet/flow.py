"""OneNET's steps of the config and options flows: add, reauthenticate, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
import logging
import re
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult, OptionsFlow
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import BooleanSelector
import voluptuous as vol
from yarl import URL

from ...api.onenet import (
    DEFAULT_BASE_URL,
    DEFAULT_SIGN_METHOD,
    GENERATIONS,
    SIGN_METHODS,
    InvalidAccessKeyError,
    InvalidPhoneNumberError,
    OneNetAuthError,
    OneNetConnectionError,
    OneNetError,
    normalize_phone_number,
)
from ...const import CONF_CLOUDHOOK, CONF_ENTRY_TYPE
from ...webhook import async_create_cloudhook, async_reachable_url, display_url
from ..forms import COMMON_OPTIONS, SECRET, TEXT, URL as URL_FIELD, select, without_secrets
from .client import async_load_number_data, create_onenet_client, generation_of
from .const import (
    CONF_ACCESS_KEY,
    CONF_API_GENERATION,
    CONF_APP_ID,
    CONF_BASE_URL,
    CONF_DISPLAY,
    CONF_SEND_NOTIFY_URL,
    CONF_SIGN_METHOD,
    CONF_SPONSOR,
    CONF_USER_ID,
    CONF_VERIFY_CALLBACKS,
    DEFAULT_API_GENERATION,
    DEFAULT_SEND_NOTIFY_URL,
    DEFAULT_VERIFY_CALLBACKS,
    ENTRY_TYPE,
    VERIFY_ENFORCE,
    VERIFY_LOG,
    VERIFY_OFF,
)

_LOGGER = logging.getLogger(__name__)

# Never sent back to the browser: a form shows it empty, and an empty one keeps what is stored.
SECRETS: Final = (CONF_ACCESS_KEY,)


GENERATION_CHOICES: Final = ("1", "2")


def _schema(access_key: vol.Marker) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_API_GENERATION, default="1"): select(
                GENERATION_CHOICES, CONF_API_GENERATION
            ),
            # Generation 1 signs with an application's id, generation 2 with the user's.
            vol.Optional(CONF_APP_ID): TEXT,
            vol.Optional(CONF_USER_ID): TEXT,
            access_key: SECRET,
            vol.Required(CONF_SPONSOR): TEXT,
            vol.Optional(CONF_DISPLAY): TEXT,
            vol.Required(CONF_SIGN_METHOD, default=DEFAULT_SIGN_METHOD): select(
                SIGN_METHODS, CONF_SIGN_METHOD
            ),
            vol.Required(CONF_BASE_URL, default=DEFAULT_BASE_URL): URL_FIELD,
        }
    )


SCHEMA: Final = _schema(vol.Required(CONF_ACCESS_KEY))
# Reconfiguring, an access key left empty keeps the stored one (which the form never shows).
RECONFIGURE_SCHEMA: Final = _schema(vol.Optional(CONF_ACCESS_KEY))
REAUTH_SCHEMA: Final = vol.Schema({vol.Required(CONF_ACCESS_KEY): SECRET})
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        **COMMON_OPTIONS,
        vol.Required(CONF_SEND_NOTIFY_URL, default=DEFAULT_SEND_NOTIFY_URL): BooleanSelector(),
        vol.Required(CONF_VERIFY_CALLBACKS, default=DEFAULT_VERIFY_CALLBACKS): select(
            (VERIFY_OFF, VERIFY_LOG, VERIFY_ENFORCE), CONF_VERIFY_CALLBACKS
        ),
    }
)


def _with_stored_access_key(
    user_input: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the form's input, an access key left empty taken from the entry."""
    merged = dict(user_input)
    if not merged.get(CONF_ACCESS_KEY):
        merged[CONF_ACCESS_KEY] = stored[CONF_ACCESS_KEY]
    return merged


_USER_ID: Final = re.compile(r"[0-9]{1,20}")


def entry_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the entry data of a form: the generation as a number, only its own account's id.

    A generation-2 account left at generation 1's API address gets generation 2's.
    """
    data = {CONF_ENTRY_TYPE: ENTRY_TYPE} | dict(user_input)
    generation = 2 if str(data.get(CONF_API_GENERATION, "1")) == "2" else 1
    data[CONF_API_GENERATION] = generation
    data.pop(CONF_USER_ID if generation == 1 else CONF_APP_ID, None)
    for account in (CONF_APP_ID, CONF_USER_ID):
        if account in data:
            data[account] = str(data[account]).strip()
    if generation == 2 and data.get(CONF_BASE_URL, DEFAULT_BASE_URL) == DEFAULT_BASE_URL:
        data[CONF_BASE_URL] = GENERATIONS[2].default_base_url
    return data


def _account_errors(data: Mapping[str, Any]) -> dict[str, str]:
    """Flag a missing app id (generation 1) or a user id that is not one (generation 2)."""
    if generation_of(data).number == 2:
        if not _USER_ID.fullmatch(str(data.get(CONF_USER_ID, ""))):
            return {CONF_USER_ID: "invalid_user_id"}
    elif not data.get(CONF_APP_ID):
        return {CONF_APP_ID: "app_id_required"}
    return {}


def unique_id_of(data: Mapping[str, Any]) -> str:
    """Return the unique id of an account: its app id, or (generation 2) its user id."""
    if generation_of(data).number == 2:
        return f"userid/{data[CONF_USER_ID]}"
    return str(data[CONF_APP_ID])


async def _async_check(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for OneNET data, checked by a signed request that cannot place a call."""
    await async_load_number_data(hass)
    number_errors = _account_errors(data) | {
        field: "invalid_phone_number"
        for field in (CONF_SPONSOR, CONF_DISPLAY)
        if data.get(field) and not _is_phone_number(data[field])
    }
    if number_errors:
        return number_errors
    base_url = URL(str(data.get(CONF_BASE_URL, DEFAULT_BASE_URL)).strip())
    if base_url.scheme not in ("http", "https") or not base_url.host:
        return {CONF_BASE_URL: "invalid_url"}
    try:
        client = create_onenet_client(hass, data)
        await client.check_credentials()
    except InvalidAccessKeyError:
        return {CONF_ACCESS_KEY: "invalid_access_key"}
    except OneNetAuthError:
        return {"base": "invalid_auth"}
    except OneNetConnectionError:
        return {"base": "cannot_connect"}
    except OneNetError as err:  # an answer the documents do not explain: reported, not guessed
        _LOGGER.warning("Unexpected answer to the OneNET credential check: %s", err)
        return {"base": "unknown"}
    return {}


def _is_phone_number(value: str) -> bool:
    try:
        normalize_phone_number(value)
    except InvalidPhoneNumberError:
        return False
    return True


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Name, for the form's messages, OneNET's API address."""
    return {"service": "OneNET", "address": str((data or {}).get(CONF_BASE_URL, DEFAULT_BASE_URL))}


class OneNetConfigSteps(ConfigFlow):
    """Add a OneNET voice application; give it a new access key; change its details."""

    async def async_step_onenet(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add a OneNET voice account; the entry's message shows the URL for the OneNET console."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = entry_data(user_input)
            errors = _account_errors(data)
            if not errors:
                await self.async_set_unique_id(unique_id_of(data))
                self._abort_if_unique_id_configured()
                errors = await _async_check(self.hass, data)
            if not errors:
                webhook_id = webhook.async_generate_id()
                try:
                    use_cloud = await async_create_cloudhook(self.hass, webhook_id)
                except HomeAssistantError:
                    return self.async_abort(reason="cloud_not_connected")
                data |= {CONF_WEBHOOK_ID: webhook_id, CONF_CLOUDHOOK: use_cloud}
                url = await async_reachable_url(self.hass, webhook_id, use_cloud)
                return self.async_create_entry(
                    title=f"OneNET voice {data[CONF_SPONSOR]}",
                    data=data,
                    description=ENTRY_TYPE,
                    description_placeholders={
                        "webhook_url": display_url(self.hass, webhook_id, url)
                    },
                )
        return self.async_show_form(
            step_id=ENTRY_TYPE,
            data_schema=self.add_suggested_values_to_schema(
                SCHEMA, without_secrets(user_input, SECRETS)
            ),
            errors=errors,
            description_placeholders=_placeholders(user_input),
        )

    async def async_step_onenet_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new access key, and check it before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = dict(entry.data) | _with_stored_access_key(user_input, entry.data)
            errors = await _async_check(self.hass, data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id="onenet_reauth",
            data_schema=REAUTH_SCHEMA,
            errors=errors,
            description_placeholders={"name": entry.title} | _placeholders(entry.data),
        )

    async def async_step_onenet_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the account's details; the entry, its webhook and its unique id stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                key: entry.data[key]
                for key in (CONF_ENTRY_TYPE, CONF_WEBHOOK_ID, CONF_CLOUDHOOK)
                if key in entry.data
            } | entry_data(_with_stored_access_key(user_input, entry.data))
            errors = _account_errors(data)
            if not errors:
                await self.async_set_unique_id(unique_id_of(data))
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                errors = await _async_check(self.hass, data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        shown = without_secrets(user_input or entry.data, SECRETS)
        # The form's choice is text; entries keep the generation as a number (none: generation 1).
        shown[CONF_API_GENERATION] = str(shown.get(CONF_API_GENERATION, DEFAULT_API_GENERATION))
        return self.async_show_form(
            step_id="onenet_reconfigure",
            data_schema=self.add_suggested_values_to_schema(RECONFIGURE_SCHEMA, shown),
            errors=errors,
            description_placeholders=_placeholders(shown),
        )


class OneNetOptionsSteps(OptionsFlow):
    """The options of a OneNET entry."""

    async def async_step_onenet_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Options, with the webhook URL to paste into the OneNET console."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        data = self.config_entry.data
        url = await async_reachable_url(
            self.hass, data[CONF_WEBHOOK_ID], data.get(CONF_CLOUDHOOK, False)
        )
        return self.async_show_form(
            step_id="onenet_options",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
            description_placeholders={
                "webhook_url": display_url(self.hass, data[CONF_WEBHOOK_ID], url)
            },
        )
