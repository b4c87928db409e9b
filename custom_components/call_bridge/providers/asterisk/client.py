"""The ARI client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.asterisk import AriClient
from ...api.asterisk.models import DEFAULT_APP, DEFAULT_CONTEXT, DEFAULT_PORT, DEFAULT_TECHNOLOGY
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT
from .const import CONF_APP, CONF_CONTEXT, CONF_TECHNOLOGY


def create_asterisk_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> AriClient:
    """Create an ARI client for entry data."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    return AriClient(
        data[CONF_HOST],
        data[CONF_USERNAME],
        data[CONF_PASSWORD],
        port=int(data.get(CONF_PORT, DEFAULT_PORT)),
        ssl=bool(data.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
        app=data.get(CONF_APP, DEFAULT_APP),
        context=data.get(CONF_CONTEXT, DEFAULT_CONTEXT),
        technology=data.get(CONF_TECHNOLOGY, DEFAULT_TECHNOLOGY),
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )
