"""Config flow: a PBX or a OneNET voice account, its options, reauthentication and call presets."""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import (
    CONF_HOST,
    CONF_NAME,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from .api.errors import (
    CallBridgeApiError,
    InvalidAccessKeyError,
    InvalidNumberError,
    OneNetAuthError,
    PbxAuthError,
    PbxLockedOutError,
    ProviderConnectionError,
    ProviderResponseError,
)
from .api.numbers import normalize_extension, normalize_phone_number
from .api.onenet import DEFAULT_BASE_URL, SIGN_METHODS
from .api.pbx import LOCKOUT_MINUTES, MANUFACTURERS, PbxDeviceInfo, normalize_host
from .clients import create_onenet_client, create_pbx_client
from .const import (
    ATTR_CALLEE,
    ATTR_CALLER,
    CONF_ACCESS_KEY,
    CONF_API_VERSION,
    CONF_APP_ID,
    CONF_AUTOANSWER,
    CONF_BASE_URL,
    CONF_CLOUDHOOK,
    CONF_COOLDOWN,
    CONF_DISPLAY,
    CONF_ENTRY_TYPE,
    CONF_PAYLOAD_FORMAT,
    CONF_SEND_NOTIFY_URL,
    CONF_SIGN_METHOD,
    CONF_SPONSOR,
    CONF_TIMEOUT,
    CONF_VERIFY_CALLBACKS,
    DEFAULT_AUTOANSWER,
    DEFAULT_COOLDOWN,
    DEFAULT_PBX_PORT,
    DEFAULT_SEND_NOTIFY_URL,
    DEFAULT_TIMEOUT,
    DEFAULT_VERIFY_CALLBACKS,
    DOMAIN,
    ENTRY_TYPE_ONENET,
    ENTRY_TYPE_PBX,
    SUBENTRY_TYPE_PRESET,
    VERIFY_ENFORCE,
    VERIFY_LOG,
    VERIFY_OFF,
)
from .refusals import async_refused_logins
from .webhook import async_create_cloudhook, async_reachable_url, display_url

_LOGGER = logging.getLogger(__name__)

_TEXT = TextSelector()
_SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_PORT = vol.All(
    NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)),
    vol.Coerce(int),
)


def _select(options: list[str], translation_key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=translation_key, mode=SelectSelectorMode.DROPDOWN
        )
    )


# The form asks for the PBX model; the entry keeps the API version it means.
PBX_MODELS: dict[str, str] = {"openvox_uc": "v0.0.1", "yeastar_s": "v1.1.0"}
MODEL_OF_API_VERSION = {version: model for model, version in PBX_MODELS.items()}


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


def _pbx_form_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data as the PBX form shows it: the model rather than its API version."""
    values = dict(data)
    if CONF_API_VERSION in values:
        values[CONF_API_VERSION] = MODEL_OF_API_VERSION.get(
            values[CONF_API_VERSION], values[CONF_API_VERSION]
        )
    return values


PBX_CREDENTIALS: dict[vol.Marker, Any] = {
    vol.Optional(CONF_TOKEN): _SECRET,
    vol.Optional(CONF_USERNAME): _TEXT,
    vol.Optional(CONF_PASSWORD): _SECRET,
}
PBX_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_HOST): _TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_PBX_PORT): _PORT,
        **PBX_CREDENTIALS,
        vol.Required(CONF_SSL, default=False): BooleanSelector(),
        vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
        vol.Required(CONF_API_VERSION, default="openvox_uc"): PbxModelSelector(),
        vol.Required(CONF_PAYLOAD_FORMAT, default="json"): _select(
            ["json", "xml"], CONF_PAYLOAD_FORMAT
        ),
    }
)
ONENET_ACCESS_KEY: dict[vol.Marker, Any] = {vol.Required(CONF_ACCESS_KEY): _SECRET}


def _onenet_schema(access_key: vol.Marker) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_APP_ID): _TEXT,
            access_key: _SECRET,
            vol.Required(CONF_SPONSOR): _TEXT,
            vol.Optional(CONF_DISPLAY): _TEXT,
            vol.Required(CONF_SIGN_METHOD, default="sha1"): _select(
                list(SIGN_METHODS), CONF_SIGN_METHOD
            ),
            vol.Required(CONF_BASE_URL, default=DEFAULT_BASE_URL): _URL,
        }
    )


ONENET_SCHEMA = _onenet_schema(vol.Required(CONF_ACCESS_KEY))
# Reconfiguring, an access key left empty keeps the stored one (which the form never shows).
ONENET_RECONFIGURE_SCHEMA = _onenet_schema(vol.Optional(CONF_ACCESS_KEY))


def _seconds(minimum: int, maximum: int) -> vol.All:
    return vol.All(
        NumberSelector(
            NumberSelectorConfig(
                min=minimum, max=maximum, unit_of_measurement="s", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Coerce(int),
    )


COMMON_OPTIONS: dict[vol.Marker, Any] = {
    vol.Required(CONF_COOLDOWN, default=DEFAULT_COOLDOWN): _seconds(0, 3600),
    vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): _seconds(1, 120),
}
PBX_OPTIONS_SCHEMA = vol.Schema(
    {
        **COMMON_OPTIONS,
        vol.Required(CONF_AUTOANSWER, default=DEFAULT_AUTOANSWER): BooleanSelector(),
    }
)
ONENET_OPTIONS_SCHEMA = vol.Schema(
    {
        **COMMON_OPTIONS,
        vol.Required(CONF_SEND_NOTIFY_URL, default=DEFAULT_SEND_NOTIFY_URL): BooleanSelector(),
        vol.Required(CONF_VERIFY_CALLBACKS, default=DEFAULT_VERIFY_CALLBACKS): _select(
            [VERIFY_OFF, VERIFY_LOG, VERIFY_ENFORCE], CONF_VERIFY_CALLBACKS
        ),
    }
)


# Never sent back to the browser: a form shows them empty, and an empty one keeps what is stored.
SECRETS = (CONF_TOKEN, CONF_PASSWORD, CONF_ACCESS_KEY)


def _without_secrets(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: value for key, value in (values or {}).items() if key not in SECRETS}


def _with_stored_secrets(
    user_input: Mapping[str, Any], stored: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the form's input, secrets left empty taken from the entry where they still apply.

    A stored password goes with the stored user only, and a stored token only when no user is
    given (a user given replaces a token).
    """
    merged = dict(user_input)
    if not merged.get(CONF_ACCESS_KEY) and stored.get(CONF_ACCESS_KEY):
        merged[CONF_ACCESS_KEY] = stored[CONF_ACCESS_KEY]
    if not merged.get(CONF_TOKEN) and not merged.get(CONF_USERNAME) and stored.get(CONF_TOKEN):
        merged[CONF_TOKEN] = stored[CONF_TOKEN]
    if (
        not merged.get(CONF_PASSWORD)
        and merged.get(CONF_USERNAME)
        and merged.get(CONF_USERNAME) == stored.get(CONF_USERNAME)
    ):
        merged[CONF_PASSWORD] = stored.get(CONF_PASSWORD)
    return merged


def _pbx_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Entry data from the PBX form: one way to authenticate, a token winning over a user.

    The host is taken as people type it ("http://pbx:9011", "[fd00::1]"); raise ValueError when it
    is no host at all.
    """
    data = {CONF_ENTRY_TYPE: ENTRY_TYPE_PBX} | {
        key: value for key, value in user_input.items() if value not in (None, "")
    }
    host, port, ssl = normalize_host(str(data.get(CONF_HOST, "")))
    data[CONF_HOST] = host
    if port is not None:
        data[CONF_PORT] = port
    if ssl is not None:
        data[CONF_SSL] = ssl
    if data.get(CONF_TOKEN):
        data.pop(CONF_USERNAME, None)
        data.pop(CONF_PASSWORD, None)
    return data


async def _async_check_pbx(
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
    except (ProviderConnectionError, ProviderResponseError):
        return {"base": "cannot_connect"}, None
    except CallBridgeApiError as err:
        _LOGGER.warning("Unexpected answer from the PBX at %s: %s", data[CONF_HOST], err)
        return {"base": "unknown"}, None
    await client.logout()
    (await async_refused_logins(hass)).forget(client.login_fingerprint)
    return {}, info


async def _async_check_onenet(hass: HomeAssistant, data: Mapping[str, Any]) -> dict[str, str]:
    """Form errors for OneNET data, checked by a signed request that cannot place a call."""
    number_errors = {
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
    except ProviderConnectionError:
        return {"base": "cannot_connect"}
    except (
        CallBridgeApiError
    ) as err:  # an answer the documents do not explain: reported, not guessed
        _LOGGER.warning("Unexpected answer to the OneNET credential check: %s", err)
        return {"base": "unknown"}
    return {}


def _is_phone_number(value: str) -> bool:
    try:
        normalize_phone_number(value)
    except InvalidNumberError:
        return False
    return True


def _pbx_placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Name, for a PBX form's messages, the PBX's address and the length of its lockout."""
    data = data or {}
    return {
        "service": "PBX",
        "address": f"{data.get(CONF_HOST, '')}:{data.get(CONF_PORT, DEFAULT_PBX_PORT)}",
        "minutes": str(LOCKOUT_MINUTES),
    }


def _onenet_placeholders(data: Mapping[str, Any] | None) -> dict[str, str]:
    """Name, for a OneNET form's messages, OneNET's API address."""
    return {"service": "OneNET", "address": str((data or {}).get(CONF_BASE_URL, DEFAULT_BASE_URL))}


def _pbx_title(data: Mapping[str, Any], info: PbxDeviceInfo | None) -> str:
    manufacturer = MANUFACTURERS[data.get(CONF_API_VERSION, "v0.0.1")]
    if info is not None and info.model:
        return f"{manufacturer} {info.model}"
    return f"{manufacturer} PBX {data[CONF_HOST]}"


class CallBridgeConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a PBX or a OneNET voice account."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Options of either kind of entry."""
        return CallBridgeOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Call presets, shown as buttons."""
        return {SUBENTRY_TYPE_PRESET: PresetSubentryFlow}

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the kind of account."""
        return self.async_show_menu(
            step_id="user", menu_options=[ENTRY_TYPE_PBX, ENTRY_TYPE_ONENET]
        )

    async def async_step_pbx(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add an IP PBX."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = _pbx_data(user_input)
            except ValueError:
                errors, info = {CONF_HOST: "invalid_host"}, None
            else:
                errors, info = await _async_check_pbx(self.hass, data)
            if not errors:
                serial = info.serial if info else None
                await self.async_set_unique_id(serial or f"{data[CONF_HOST]}:{data[CONF_PORT]}")
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=_pbx_title(data, info), data=data)
        return self.async_show_form(
            step_id=ENTRY_TYPE_PBX,
            data_schema=self.add_suggested_values_to_schema(
                PBX_SCHEMA, _pbx_form_values(_without_secrets(user_input))
            ),
            errors=errors,
            description_placeholders=_pbx_placeholders(user_input),
        )

    async def async_step_onenet(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add a OneNET voice account; the entry's message shows the URL for the OneNET console."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_ENTRY_TYPE: ENTRY_TYPE_ONENET} | user_input
            await self.async_set_unique_id(data[CONF_APP_ID])
            self._abort_if_unique_id_configured()
            errors = await _async_check_onenet(self.hass, data)
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
                    description=ENTRY_TYPE_ONENET,
                    description_placeholders={
                        "webhook_url": display_url(self.hass, webhook_id, url)
                    },
                )
        return self.async_show_form(
            step_id=ENTRY_TYPE_ONENET,
            data_schema=self.add_suggested_values_to_schema(
                ONENET_SCHEMA, _without_secrets(user_input)
            ),
            errors=errors,
            description_placeholders=_onenet_placeholders(user_input),
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start when the PBX token or credentials, or the OneNET access key, stopped working."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials and check them before saving."""
        entry = self._get_reauth_entry()
        is_pbx = entry.data[CONF_ENTRY_TYPE] == ENTRY_TYPE_PBX
        errors: dict[str, str] = {}
        if user_input is not None:
            if is_pbx:
                kept = {
                    key: value
                    for key, value in entry.data.items()
                    if key not in (CONF_TOKEN, CONF_USERNAME, CONF_PASSWORD)
                }
                data = _pbx_data(kept | _with_stored_secrets(user_input, entry.data))
                errors = await self._async_check_same_pbx(data)
            else:
                data = dict(entry.data) | _with_stored_secrets(user_input, entry.data)
                errors = await _async_check_onenet(self.hass, data)
            if not errors:
                return self._async_save_and_reload(entry, data, "reauth_successful")
        suggested = {CONF_USERNAME: entry.data.get(CONF_USERNAME)} if is_pbx else {}
        schema = vol.Schema(PBX_CREDENTIALS if is_pbx else ONENET_ACCESS_KEY)
        user_input = _without_secrets(user_input)
        placeholders = _pbx_placeholders(entry.data) if is_pbx else _onenet_placeholders(entry.data)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or suggested),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change host, port, credentials or account details; the entry and its unique id stay."""
        entry = self._get_reconfigure_entry()
        is_pbx = entry.data[CONF_ENTRY_TYPE] == ENTRY_TYPE_PBX
        errors: dict[str, str] = {}
        if user_input is not None:
            if is_pbx:
                try:
                    data = _pbx_data(_with_stored_secrets(user_input, entry.data))
                except ValueError:
                    errors = {CONF_HOST: "invalid_host"}
                else:
                    errors = await self._async_check_same_pbx(data)
            else:
                data = {
                    key: entry.data[key]
                    for key in (CONF_ENTRY_TYPE, CONF_WEBHOOK_ID, CONF_CLOUDHOOK)
                    if key in entry.data
                } | _with_stored_secrets(user_input, entry.data)
                await self.async_set_unique_id(data[CONF_APP_ID])
                self._abort_if_unique_id_mismatch(reason="wrong_account")
                errors = await _async_check_onenet(self.hass, data)
            if not errors:
                return self._async_save_and_reload(entry, data, "reconfigure_successful")
        shown = _without_secrets(user_input or entry.data)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                PBX_SCHEMA if is_pbx else ONENET_RECONFIGURE_SCHEMA,
                _pbx_form_values(shown) if is_pbx else shown,
            ),
            errors=errors,
            description_placeholders=(
                _pbx_placeholders(shown) if is_pbx else _onenet_placeholders(shown)
            ),
        )

    async def _async_check_same_pbx(self, data: dict[str, Any]) -> dict[str, str]:
        """Check PBX data for an existing entry; abort when it reaches another PBX (serial)."""
        errors, info = await _async_check_pbx(self.hass, data)
        if not errors and info is not None and info.serial:
            await self.async_set_unique_id(info.serial)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
        return errors

    @callback
    def _async_save_and_reload(
        self, entry: ConfigEntry, data: dict[str, Any], reason: str
    ) -> ConfigFlowResult:
        """Save new data: a loaded entry reloads through its update listener, any other is set up."""
        self.hass.config_entries.async_update_entry(entry, data=data)
        if entry.state is not ConfigEntryState.LOADED:
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_abort(reason=reason)


class CallBridgeOptionsFlow(OptionsFlow):
    """Cooldown, timeout and the per-kind options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options of the entry's kind."""
        if self.config_entry.data[CONF_ENTRY_TYPE] == ENTRY_TYPE_PBX:
            return await self.async_step_pbx_options()
        return await self.async_step_onenet_options()

    async def async_step_pbx_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Options of a PBX entry."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="pbx_options",
            data_schema=self.add_suggested_values_to_schema(
                PBX_OPTIONS_SCHEMA, self.config_entry.options
            ),
        )

    async def async_step_onenet_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Options of a OneNET entry, with the webhook URL to paste into the OneNET console."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        data = self.config_entry.data
        url = await async_reachable_url(
            self.hass, data[CONF_WEBHOOK_ID], data.get(CONF_CLOUDHOOK, False)
        )
        return self.async_show_form(
            step_id="onenet_options",
            data_schema=self.add_suggested_values_to_schema(
                ONENET_OPTIONS_SCHEMA, self.config_entry.options
            ),
            description_placeholders={
                "webhook_url": display_url(self.hass, data[CONF_WEBHOOK_ID], url)
            },
        )


class PresetSubentryFlow(ConfigSubentryFlow):
    """A named call that a dashboard button places."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add a preset."""
        return await self._async_preset_step("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a preset."""
        return await self._async_preset_step("reconfigure", user_input)

    async def _async_preset_step(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        is_pbx = self._get_entry().data[CONF_ENTRY_TYPE] == ENTRY_TYPE_PBX
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _preset_errors(user_input, is_pbx)
            if not errors:
                title = user_input[CONF_NAME]
                data = {key: value for key, value in user_input.items() if key != CONF_NAME}
                if step_id == "user":
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(), self._get_reconfigure_subentry(), title=title, data=data
                )
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_NAME): _TEXT,
            vol.Required(ATTR_CALLER): _TEXT,
            vol.Required(ATTR_CALLEE): _TEXT,
        }
        if is_pbx:
            fields[vol.Required(CONF_AUTOANSWER, default=DEFAULT_AUTOANSWER)] = BooleanSelector()
        else:
            fields[vol.Optional(CONF_DISPLAY)] = _TEXT
        schema = vol.Schema(fields)
        if user_input is None and step_id == "reconfigure":
            subentry = self._get_reconfigure_subentry()
            user_input = {CONF_NAME: subentry.title} | dict(subentry.data)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, user_input),
            errors=errors,
        )


def _preset_errors(user_input: Mapping[str, Any], is_pbx: bool) -> dict[str, str]:
    """Per-field errors for numbers that the preset's kind of entry cannot call."""
    normalize, error = (
        (normalize_extension, "invalid_extension")
        if is_pbx
        else (normalize_phone_number, "invalid_phone_number")
    )
    errors: dict[str, str] = {}
    for field in (ATTR_CALLER, ATTR_CALLEE, CONF_DISPLAY):
        if user_input.get(field):
            try:
                normalize(user_input[field])
            except InvalidNumberError:
                errors[field] = error
    return errors
