"""Build the API clients from entry data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from homeassistant.components import network
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
from homeassistant.exceptions import HomeAssistantError
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


def _source_address_finder(hass: HomeAssistant) -> Callable[[str], Awaitable[str | None]]:
    """Home Assistant's own answer to "which of my addresses reaches this one?"."""

    async def find(target: str) -> str | None:
        try:
            return await network.async_get_source_ip(hass, target_ip=target)
        except HomeAssistantError:
            return None

    return find


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
        source_address=_source_address_finder(hass),
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
