"""Build the API clients from entry data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api.onenet import DEFAULT_BASE_URL, OneNetClient
from .api.pbx import PbxClient
from .const import (
    CONF_ACCESS_KEY,
    CONF_API_VERSION,
    CONF_APP_ID,
    CONF_BASE_URL,
    CONF_PAYLOAD_FORMAT,
    CONF_SIGN_METHOD,
    CONF_TIMEOUT,
    DEFAULT_PBX_PORT,
    DEFAULT_TIMEOUT,
)


def create_pbx_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> PbxClient:
    """Create a PBX client for entry data; TLS verification follows ``verify_ssl``."""
    token = data.get(CONF_TOKEN) or None
    return PbxClient(
        async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True)),
        data[CONF_HOST],
        port=data.get(CONF_PORT, DEFAULT_PBX_PORT),
        use_ssl=data.get(CONF_SSL, False),
        api_version=data.get(CONF_API_VERSION, "v0.0.1"),
        payload_format=data.get(CONF_PAYLOAD_FORMAT, "json"),
        token=token,
        username=None if token else data.get(CONF_USERNAME),
        password=None if token else data.get(CONF_PASSWORD),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )


def create_onenet_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> OneNetClient:
    """Create a OneNET client for entry data; raise InvalidAccessKeyError for a malformed key."""
    return OneNetClient(
        async_get_clientsession(hass),
        data[CONF_APP_ID],
        data[CONF_ACCESS_KEY],
        sign_method=data.get(CONF_SIGN_METHOD, "sha1"),
        base_url=data.get(CONF_BASE_URL, DEFAULT_BASE_URL),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )
