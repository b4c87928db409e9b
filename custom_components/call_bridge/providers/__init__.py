"""The providers, by the ``entry_type`` of their entries: the one place that tells them apart.

Adding a backend means a provider package here (its client, its calls, its flow steps), its line
in ``PROVIDERS``, its steps among the config flow's bases, and its translations.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry

from ..const import CONF_ENTRY_TYPE
from .asterisk import AsteriskProvider
from .base import Provider
from .onenet import OneNetProvider
from .yeastar_p import YeastarPProvider
from .yeastar_s import PbxProvider

PROVIDERS: Final[dict[str, type[Provider[Any]]]] = {
    provider.entry_type: provider
    for provider in (PbxProvider, OneNetProvider, YeastarPProvider, AsteriskProvider)
}


def provider_of(entry: ConfigEntry) -> type[Provider[Any]]:
    """Return the provider of an entry, loaded or not."""
    return PROVIDERS[entry.data[CONF_ENTRY_TYPE]]
