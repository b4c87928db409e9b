"""Config flow: a menu of providers, each with its own steps; options and call presets.

Every step that differs by provider is that provider's (``providers/<kind>/flow.py``); this module
only routes to them, by the provider the entry belongs to.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
import socket
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_HOST, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import TextSelector, TextSelectorConfig
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
import voluptuous as vol

from .api.telephony import InvalidOutsideNumberError, normalize_outside_number
from .const import (
    CONF_MAC,
    CONF_NUMBERS,
    DOMAIN,
    SUBENTRY_TYPE_CONTACT,
    SUBENTRY_TYPE_MESSAGE,
    SUBENTRY_TYPE_PRESET,
)
from .providers import PROVIDERS, provider_of
from .providers.asterisk.flow import AsteriskConfigSteps
from .providers.forms import TEXT
from .providers.onenet.flow import OneNetConfigSteps, OneNetOptionsSteps
from .providers.pbx_parts import PbxOptionsSteps
from .providers.yeastar_p.flow import YeastarPConfigSteps
from .providers.yeastar_s.flow import PbxConfigSteps


class CallBridgeConfigFlow(
    PbxConfigSteps, OneNetConfigSteps, YeastarPConfigSteps, AsteriskConfigSteps, domain=DOMAIN
):
    """Set up an entry of any provider."""

    VERSION = 1
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Options of any provider's entry."""
        return CallBridgeOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Call presets and message presets, shown as buttons, and the phonebook's contacts."""
        return {
            SUBENTRY_TYPE_PRESET: PresetSubentryFlow,
            SUBENTRY_TYPE_MESSAGE: MessagePresetSubentryFlow,
            SUBENTRY_TYPE_CONTACT: ContactSubentryFlow,
        }

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the provider; each one's step is named after its entry type."""
        return self.async_show_menu(step_id="user", menu_options=list(PROVIDERS))

    async def async_step_dhcp(self, discovery_info: DhcpServiceInfo) -> ConfigFlowResult:
        """Offer a PBX found on the network, with its address, unless an entry has it.

        A known one (by the MAC address it was found with, or by its address) that moved gets its
        new address; one the user ignored stays ignored (the flow's unique id is its MAC address).
        """
        mac = format_mac(discovery_info.macaddress)
        host = discovery_info.ip
        if await self._async_known_device(mac, host):
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(mac)
        self._abort_if_unique_id_configured()
        prefix = mac.replace(":", "").upper()[:6]
        self.discovered = {
            kind: {CONF_HOST: host} | form
            for kind, provider in PROVIDERS.items()
            if (form := provider.discovered_form(prefix)) is not None
        }
        if not self.discovered:
            return self.async_abort(reason="not_supported")
        self.discovered_mac = mac
        self.context["title_placeholders"] = {"host": host}
        if len(self.discovered) == 1:
            return await _async_step(self, next(iter(self.discovered)))
        return await self.async_step_discovered()

    async def async_step_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which kind of PBX was found, when its maker makes more than one."""
        return self.async_show_menu(
            step_id="discovered",
            menu_options=list(self.discovered),
            description_placeholders=self.context["title_placeholders"],
        )

    async def _async_known_device(self, mac: str, host: str) -> bool:
        """Whether an entry has the device; it learns the MAC address and follows a move.

        A PBX added by hand is known by its address, or by its serial where that is its MAC
        address (OpenVox's).
        """
        for entry in self._async_current_entries(include_ignore=False):
            addresses = await self._async_addresses(entry.data.get(CONF_HOST))
            stored = entry.data.get(CONF_MAC)
            by_hand = stored is None and (
                host in addresses or entry.unique_id == mac.replace(":", "")
            )
            if stored != mac and not by_hand:
                continue
            moved = bool(addresses) and host not in addresses
            data = dict(entry.data) | {CONF_MAC: mac} | ({CONF_HOST: host} if moved else {})
            self.hass.config_entries.async_update_entry(entry, data=data)
            if moved:
                self.hass.config_entries.async_schedule_reload(entry.entry_id)
            return True
        return False

    async def _async_addresses(self, host: str | None) -> set[str]:
        """Return the addresses a host name resolves to (an address, itself)."""
        if not host:
            return set()
        try:
            infos = await self.hass.loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):  # unknown, or no name DNS can carry
            return {host}
        return {host} | {str(info[4][0]) for info in infos}

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start when the provider refused the credentials: its own step asks for new ones."""
        steps = provider_of(self._get_reauth_entry()).flow_steps
        return await _async_step(self, steps.reauth)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change how the provider is reached, in its own step."""
        steps = provider_of(self._get_reconfigure_entry()).flow_steps
        return await _async_step(self, steps.reconfigure)


class CallBridgeOptionsFlow(PbxOptionsSteps, OneNetOptionsSteps):
    """Cooldown, timeout and the provider's own options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options of the entry's provider."""
        return await _async_step(self, provider_of(self.config_entry).flow_steps.options)


async def _async_step(flow: Any, step_id: str) -> ConfigFlowResult:
    """Go on with the step ``step_id``, found by its name as the flow manager finds it."""
    result: ConfigFlowResult = await getattr(flow, f"async_step_{step_id}")()
    return result


class NamedSubentryFlow(ConfigSubentryFlow):
    """A subentry with a name (its title) and fields, added or changed through the same form."""

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> SubentryFlowResult:
        """Add one."""
        return await self._async_named_step("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change one."""
        return await self._async_named_step("reconfigure", user_input)

    @abstractmethod
    def _schema(self) -> vol.Schema:
        """Return the form: the name, then the kind's fields."""

    @abstractmethod
    def _checked(self, user_input: dict[str, Any]) -> tuple[dict[str, str], str, dict[str, Any]]:
        """Return the form's errors, and the title and data the subentry keeps."""

    async def _async_named_step(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            errors, title, data = self._checked(user_input)
            if not errors:
                if step_id == "user":
                    return self.async_create_entry(title=title, data=data)
                return self.async_update_and_abort(
                    self._get_entry(), self._get_reconfigure_subentry(), title=title, data=data
                )
        if user_input is None and step_id == "reconfigure":
            subentry = self._get_reconfigure_subentry()
            user_input = {CONF_NAME: subentry.title} | dict(subentry.data)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(self._schema(), user_input),
            errors=errors,
        )


class PresetSubentryFlow(NamedSubentryFlow):
    """A named call that a dashboard button places: the fields of its provider's preset action."""

    subentry_type = SUBENTRY_TYPE_PRESET

    def _schema(self) -> vol.Schema:
        provider = provider_of(self._get_entry())
        return vol.Schema(
            {vol.Required(CONF_NAME): TEXT, **provider.preset_fields(self.subentry_type)}
        )

    def _checked(self, user_input: dict[str, Any]) -> tuple[dict[str, str], str, dict[str, Any]]:
        errors = provider_of(self._get_entry()).preset_errors(self.subentry_type, user_input)
        data = {key: value for key, value in user_input.items() if key != CONF_NAME}
        return errors, user_input[CONF_NAME], data


class MessagePresetSubentryFlow(PresetSubentryFlow):
    """A named spoken message that a dashboard button plays: play_message's fields."""

    subentry_type = SUBENTRY_TYPE_MESSAGE


# A contact has a few numbers (home, mobile, office...), each as a PBX could show it as caller.
MAX_CONTACT_NUMBERS = 10
CONTACT_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_NAME): TEXT,
        vol.Required(CONF_NUMBERS): TextSelector(TextSelectorConfig(multiple=True)),
    }
)


class ContactSubentryFlow(NamedSubentryFlow):
    """A contact of the phonebook: the name shown for the calls that come in from its numbers."""

    def _schema(self) -> vol.Schema:
        return CONTACT_SCHEMA

    def _checked(self, user_input: dict[str, Any]) -> tuple[dict[str, str], str, dict[str, Any]]:
        errors: dict[str, str] = {}
        name = str(user_input[CONF_NAME]).strip()
        numbers = _contact_numbers(user_input[CONF_NUMBERS])
        if not name or not name.isprintable():
            errors[CONF_NAME] = "invalid_name"
        if numbers is None:
            errors[CONF_NUMBERS] = "invalid_contact_number"
        return errors, name, {CONF_NUMBERS: numbers}


def _contact_numbers(typed: Any) -> list[str] | None:
    """Return a contact's numbers as digits (+, * and # kept); None when one is no number."""
    given = typed if isinstance(typed, list) else [typed]
    numbers: list[str] = []
    for number in given:
        if not isinstance(number, str) or not number.strip():
            continue
        try:
            numbers.append(normalize_outside_number(number))
        except InvalidOutsideNumberError:
            return None
    if not 0 < len(numbers) <= MAX_CONTACT_NUMBERS:
        return None
    return list(dict.fromkeys(numbers))
