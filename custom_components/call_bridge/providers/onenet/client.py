"""The OneNET client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.onenet import DEFAULT_BASE_URL, DEFAULT_SIGN_METHOD, OneNetClient
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT
from .const import CONF_ACCESS_KEY, CONF_APP_ID, CONF_BASE_URL, CONF_SIGN_METHOD


def create_onenet_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> OneNetClient:
    """Create a OneNET client for entry data; raise InvalidAccessKeyError for a malformed key."""
    return OneNetClient(
        data[CONF_APP_ID],
        data[CONF_ACCESS_KEY],
        session=async_get_clientsession(hass),
        sign_method=data.get(CONF_SIGN_METHOD, DEFAULT_SIGN_METHOD),
        base_url=data.get(CONF_BASE_URL, DEFAULT_BASE_URL),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )
