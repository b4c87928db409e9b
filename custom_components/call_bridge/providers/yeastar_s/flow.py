"""The PBX's steps of the config and options flows: add, reauthenticate, reconfigure, options."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any, Final

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigFlowResult
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ...api.yeastar_s import (
    DEFAULT_API_VERSION,
    DEFAULT_PAYLOAD_FORMAT,
    DEFAULT_PORT,
    LOCKOUT_MINUTES,
    MANUFACTURERS,
    PAYLOAD_FORMATS,
    PbxAuthError,
    PbxConnectionError,
    PbxDeviceInfo,
    PbxError,
    PbxLockedOutError,
    PbxResponseError,
)
from ...const import CONF_ENTRY_TYPE
from ..forms import (
    PORT,
    SECRET,
    TEXT,
    DiscoverableFlow,
    select,
    with_typed_host,
    without_secrets,
)
from .client import create_pbx_client
from .const import CONF_API_VERSION, CONF_PAYLOAD_FORMAT, ENTRY_TYPE
from .refusals import async_refused_logins

_LOGGER = logging.getLogger(__name__)

# The form asks for the PBX model; the entry keeps the API version it means.
PBX_MODELS: Final[dict[str, str]] = {"openvox_uc": "v0.0.1", "yeastar_s": "v1.1.0"}
MODEL_OF_API_VERSION: Final = {version: model for model, version in PBX_MODELS.items()}
# Never sent back to the browser: a form shows them empty, and an empty one keeps what is stored.
SECRETS: Final = (CONF_TOKEN, CONF_PASSWORD)


class PbxModelSelector(SelectSelector):
    """A translated choice of PBX model that validates to its API version.

    Select options are translated by their value, and a translation key cannot hold the dots of
    an API version ("v0.0.1"); an API version given as it is stored is accepted too.
    """

    def __init__(self) -> None:
        """Offer the models, labelled in the user's language."""
        super().__init__(
            SelectSelectorConfig(
                options=list(PBX_MODELS),
                translation_key=CONF_API_VERSION,
                mode=SelectSelectorMode.DROPDOWN,
            )
        )

    def __call__(self, data: Any) -> str:
        """Return the API version of the chosen model."""
        return PBX_MODELS[super().__call__(MODEL_OF_API_VERSION.get(data, data))]


CREDENTIALS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(CONF_TOKEN): SECRET,
    vol.Optional(CONF_USERNAME): TEXT,
    vol.Optional(CONF_PASSWORD): SECRET,
}
SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_HOST): TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_PORT): PORT,
        **CREDENTIALS,
        vol.Required(CONF_SSL, default=False): BooleanSelector(),
        vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
        vol.Required(
            CONF_API_VERSION, default=MODEL_OF_API_VERSION[DEFAULT_API_VERSION]
        ): PbxModelSelector(),
        vol.Required(CONF_PAYLOAD_FORMAT, default=DEFAULT_PAYLOAD_FORMAT): select(
            PAYLOAD_FORMATS, CONF_PAYLOAD_FORMAT
        ),
    }
)


def _form_values(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Values as the PBX form shows them: no secret, and the model rather than its API version."""
    shown = without_secrets(values, SECRETS)
    if CONF_API_VERSION in shown:
        shown[CONF_API_VERSION] = MODEL_OF_API_VERSION.get(
            shown[CONF_API_VERSION], shown[CONF_API_VERSION]
        )
    return shown


def _with_stored_secrets(
    user_input: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the form's input, secrets left empty taken from the entry where they still apply.

    A stored password goes with the stored user only, and a stored token only when no user is
    given (a user given replaces a token).
    """
    merged = dict(user_input)
    if not merged.get(CONF_TOKEN) and not merged.get(CONF_USERNAME) and stored.get(CONF_TOKEN):
        merged[CONF_TOKEN] = stored[CONF_TOKEN]
    if (
        not merged.get(CONF_PASSWORD)
        and merged.get(CONF_USERNAME)
        and merged.get(CONF_USERNAME) == stored.get(CONF_USERNAME)
    ):
        merged[CONF_PASSWORD] = stored.get(CONF_PASSWORD)
    return merged


def _entry_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from the PBX form: one way to authenticate, a token winning over a user.

    The host is taken as people type it ("http://pbx:9011", "[fd00::1]"); raise ValueError when it
    is no host at all.
    """
    data = {CONF_ENTRY_TYPE: ENTRY_TYPE} | {
        key: value for key, value in user_input.items() if value not in (None, "")
    }
    with_typed_host(data)
    if data.get(CONF_TOKEN):
        data.pop(CONF_USERNAME, None)
        data.pop(CONF_PASSWORD, None)
    return data


async def _async_check(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> tuple[dict[str, str], PbxDeviceInfo | None]:
    """Form errors for PBX data, and the PBX's identity when it gives one."""
    if not data.get(CONF_TOKEN) and not (data.get(CONF_USERNAME) and data.get(CONF_PASSWORD)):
        return {"base": "missing_credentials"}, None
    client = create_pbx_client(hass, data)
    try:
        info = await client.identify()
    except PbxAuthError:
        return {"base": "invalid_auth"}, None
    except PbxLockedOutError:
        return {"base": "locked_out"}, None
    except (PbxConnectionError, PbxResponseError):
        return {"base": "cannot_connect"}, None
    except PbxError as err:
        _LOGGER.warning("Unexpected answer from the PBX at %s: %s", data[CONF_HOST], err)
        return {"base": "unknown"}, None
    await client.close()
    (await async_refused_logins(hass)).forget(client.login_fingerprint)
    return {}, info


def _placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Name, for the form's messages, the PBX's address and the length of its lockout."""
    data = data or {}
    return {
        "service": "PBX",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PORT)}",
        "minutes": str(LOCKOUT_MINUTES),
    }


def _title(data: Mapping[str, Any], info: PbxDeviceInfo | None) -> str:
    manufacturer = MANUFACTURERS[data.get(CONF_API_VERSION, DEFAULT_API_VERSION)]
    if info is not None and info.model:
        return f"{manufacturer} {info.model}"
    return f"{manufacturer} PBX {data[CONF_HOST]}"


class PbxConfigSteps(DiscoverableFlow):
    """Add a PBX; sign in to it again; change how it is reached."""

    async def async_step_pbx(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add an IP PBX; its serial number, else its address, is the entry's unique id."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _entry_data(user_input)
            except ValueError:
                errors, info = {CONF_HOST: "invalid_host"}, None
            else:
                errors, info = await _async_check(self.hass, data)
            if not errors:
                serial = info.serial if info else None
                await self.async_set_unique_id(serial or f"{data[CONF_HOST]}:{data[CONF_PORT]}")
                self._abort_if_unique_id_configured()
                data[CONF_WEBHOOK_ID] = webhook.async_generate_id()  # for the PBX's reports
                return self.async_create_entry(title=_title(data, info), data=self.created(data))
        shown = user_input if user_input is not None else self.discovered_values(ENTRY_TYPE)
        return self.async_show_form(
            step_id=ENTRY_TYPE,
            data_schema=self.add_suggested_values_to_schema(SCHEMA, _form_values(shown)),
            errors=errors,
            description_placeholders=_placeholders(user_input),
        )

    async def async_step_pbx_reauth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new token or API user, and check it before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            kept = {
                key: value
                for key, value in entry.data.items()
                if key not in (CONF_TOKEN, CONF_USERNAME, CONF_PASSWORD)
            }
            data = _entry_data(kept | _with_stored_secrets(user_input, entry.data))
            errors = await self._async_check_same_pbx(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        suggested = {CONF_USERNAME: entry.data.get(CONF_USERNAME)}
        return self.async_show_form(
            step_id="pbx_reauth",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(CREDENTIALS), without_secrets(user_input, SECRETS) or suggested
            ),
            errors=errors,
            description_placeholders={"name": entry.title} | _placeholders(entry.data),
        )

    async def async_step_pbx_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port, credentials or model; the entry and its unique id stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                kept = {key: entry.data[key] for key in (CONF_WEBHOOK_ID,) if key in entry.data}
                data = _entry_data(_with_stored_secrets(user_input, entry.data) | kept)
            except ValueError:
                errors = {CONF_HOST: "invalid_host"}
            else:
                errors = await self._async_check_same_pbx(data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        shown = user_input or entry.data
        return self.async_show_form(
            step_id="pbx_reconfigure",
            data_schema=self.add_suggested_values_to_schema(SCHEMA, _form_values(shown)),
            errors=errors,
            description_placeholders=_placeholders(shown),
        )

    async def _async_check_same_pbx(self, data: dict[str, Any]) -> dict[str, str]:
        """Check PBX data for an existing entry; abort when it reaches another PBX (serial)."""
        errors, info = await _async_check(self.hass, data)
        if not errors and info is not None and info.serial:
            await self.async_set_unique_id(info.serial)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
        return errors
