"""The P-Series client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_HOST, CONF_PORT, CONF_SSL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.yeastar_p import YeastarPClient
from ...api.yeastar_p.models import DEFAULT_PORT
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT
from .const import CONF_CLIENT_ID, CONF_CLIENT_SECRET


def create_yeastar_p_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> YeastarPClient:
    """Create a P-Series client for entry data."""
    verify_ssl = bool(data.get(CONF_VERIFY_SSL, True))
    return YeastarPClient(
        data[CONF_HOST],
        data[CONF_CLIENT_ID],
        data[CONF_CLIENT_SECRET],
        port=int(data.get(CONF_PORT, DEFAULT_PORT)),
        ssl=bool(data.get(CONF_SSL, True)),
        verify_ssl=verify_ssl,
        session=async_get_clientsession(hass, verify_ssl=verify_ssl),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )
