"""Pieces of form that every provider's config and options steps use."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigFlow
from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL
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


class DiscoverableFlow(ConfigFlow):
    """A config flow that may start from a discovery: what was found fills a kind's form.

    The discovery step sets ``discovered`` (each kind the device may be, with its form's values)
    and ``discovered_mac``; a kind's step takes its values as the form's first ones, and keeps
    the MAC address in the entry it creates.
    """

    discovered: Mapping[str, Mapping[str, Any]] = MappingProxyType({})
    discovered_mac: str | None = None

    def discovered_values(self, kind: str) -> dict[str, Any]:
        """Return what the discovery fills in ``kind``'s form (nothing without a discovery)."""
        return dict(self.discovered.get(kind, {}))

    def with_discovered_mac(self, data: dict[str, Any]) -> dict[str, Any]:
        """Return entry data with the discovered device's MAC address, when there is one."""
        if self.discovered_mac is not None:
            data[CONF_MAC] = self.discovered_mac
        return data
