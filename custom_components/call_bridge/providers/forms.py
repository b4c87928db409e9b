"""Pieces of form that every provider's config and options steps use."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
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

from ..api.common import normalize_host
from ..const import CONF_COOLDOWN, CONF_MAC, CONF_TIMEOUT, DEFAULT_COOLDOWN, DEFAULT_TIMEOUT

TEXT = TextSelector()
SECRET = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
PORT = vol.All(
    NumberSelector(NumberSelectorConfig(min=1, max=65535, mode=NumberSelectorMode.BOX)),
    vol.Coerce(int),
)


def select(options: Collection[str], translation_key: str) -> SelectSelector:
    """Return a drop-down whose options are translated under ``translation_key``."""
    return SelectSelector(
        SelectSelectorConfig(
            options=list(options), translation_key=translation_key, mode=SelectSelectorMode.DROPDOWN
        )
    )


def seconds(minimum: int, maximum: int) -> vol.All:
    """Return a field of whole seconds."""
    return vol.All(
        NumberSelector(
            NumberSelectorConfig(
                min=minimum, max=maximum, unit_of_measurement="s", mode=NumberSelectorMode.BOX
            )
        ),
        vol.Coerce(int),
    )


# The options of every entry; each provider adds its own.
COMMON_OPTIONS: dict[vol.Marker, Any] = {
    vol.Required(CONF_COOLDOWN, default=DEFAULT_COOLDOWN): seconds(0, 3600),
    vol.Required(CONF_TIMEOUT, default=DEFAULT_TIMEOUT): seconds(1, 120),
}


def without_secrets(values: Mapping[str, Any] | None, secrets: Collection[str]) -> dict[str, Any]:
    """Return form values without the secrets: those are never sent back to the browser."""
    return {key: value for key, value in (values or {}).items() if key not in secrets}


def with_typed_host(data: dict[str, Any], *, url_ports: bool = False) -> dict[str, Any]:
    """Take a PBX form's host as people type it: the port or scheme it names set those fields too.

    "https://pbx:8443" gives host "pbx", port 8443 and TLS on; with ``url_ports``, a scheme typed
    without a port means the scheme's own ("https://pbx.ras.yeastar.com" is port 443), as in any
    URL. Raise ValueError when it is no host.
    """
    host, port, ssl = normalize_host(str(data.get(CONF_HOST, "")))
    data[CONF_HOST] = host
    if port is None and ssl is not None and url_ports:
        port = 443 if ssl else 80
    if port is not None:
        data[CONF_PORT] = port
    if ssl is not None:
        data[CONF_SSL] = ssl
    return data


@dataclass(frozen=True, slots=True)
class Identity:
    """Who answered a connection form: the entry's unique id, and its title."""

    unique_id: str
    title: str


@dataclass(frozen=True, slots=True)
class ConnectionForm:
    """How a kind's entry is made from its form and checked against its far side.

    ``entry_data`` merges a form into stored data (raising ValueError for a host that is none);
    ``check`` answers the form's errors and, when there are none, who answered.
    """

    entry_data: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    check: Callable[
        [HomeAssistant, Mapping[str, Any]], Awaitable[tuple[dict[str, str], Identity | None]]
    ]
    placeholders: Callable[[Mapping[str, Any] | None], dict[str, str]]
    secrets: tuple[str, ...]


class ConnectionSteps(ConfigFlow):
    """The steps of an entry made from a connection form: add, reauthenticate, reconfigure.

    A device found on the network (``DiscoverableFlow``) keeps its MAC address in the entry.
    """

    discovered_mac: str | None = None

    async def async_add_form(
        self,
        form: ConnectionForm,
        step_id: str,
        schema: vol.Schema,
        user_input: dict[str, Any] | None,
        first_values: Mapping[str, Any] | None = None,
    ) -> ConfigFlowResult:
        """Add an entry once the far side answered; who answered is its unique id and title."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = form.entry_data(user_input, {})
            except ValueError:
                errors, identity = {CONF_HOST: "invalid_host"}, None
            else:
                errors, identity = await form.check(self.hass, data)
            if not errors and identity is not None:
                await self.async_set_unique_id(identity.unique_id)
                self._abort_if_unique_id_configured()
                return self.async_create_entry(title=identity.title, data=self.created(data))
        shown = user_input if user_input is not None else first_values
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, without_secrets(shown, form.secrets)
            ),
            errors=errors,
            description_placeholders=form.placeholders(user_input),
        )

    def created(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return entry data with the discovered device's MAC address, when there is one."""
        if self.discovered_mac is not None:
            data[CONF_MAC] = self.discovered_mac
        return data

    async def async_reauth_form(
        self,
        form: ConnectionForm,
        step_id: str,
        credentials: vol.Schema,
        user_input: dict[str, Any] | None,
    ) -> ConfigFlowResult:
        """Ask for new credentials (the stored user shown, no secret); check them before saving."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = form.entry_data(user_input, entry.data)
            errors = await self._async_check_same_device(form, data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                credentials, without_secrets(entry.data, form.secrets)
            ),
            errors=errors,
            description_placeholders={"name": entry.title} | form.placeholders(entry.data),
        )

    async def async_reconfigure_form(
        self,
        form: ConnectionForm,
        step_id: str,
        schema: vol.Schema,
        user_input: dict[str, Any] | None,
    ) -> ConfigFlowResult:
        """Change how the far side is reached; the entry and its unique id stay."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = form.entry_data(user_input, entry.data)
            except ValueError:
                errors = {CONF_HOST: "invalid_host"}
            else:
                errors = await self._async_check_same_device(form, data)
            if not errors:
                return self.async_update_reload_and_abort(entry, data=data)
        shown = without_secrets(user_input or entry.data, form.secrets)
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(schema, shown),
            errors=errors,
            description_placeholders=form.placeholders(shown),
        )

    async def _async_check_same_device(
        self, form: ConnectionForm, data: dict[str, Any]
    ) -> dict[str, str]:
        """Check data for an existing entry; abort when it reaches another device."""
        errors, identity = await form.check(self.hass, data)
        if not errors and identity is not None:
            await self.async_set_unique_id(identity.unique_id)
            self._abort_if_unique_id_mismatch(reason="wrong_device")
        return errors


class DiscoverableFlow(ConnectionSteps):
    """A config flow that may start from a discovery: what was found fills a kind's form.

    The discovery step sets ``discovered`` (each kind the device may be, with its form's values)
    and ``discovered_mac``; a kind's step takes its values as the form's first ones, and keeps
    the MAC address in the entry it creates.
    """

    discovered: Mapping[str, Mapping[str, Any]] = MappingProxyType({})

    def discovered_values(self, kind: str) -> dict[str, Any]:
        """Return what the discovery fills in ``kind``'s form (nothing without a discovery)."""
        return dict(self.discovered.get(kind, {}))
