"""The PBX client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import ipaddress
from typing import Any

from homeassistant.components import network, webhook
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.yeastar_s import DEFAULT_API_VERSION, DEFAULT_PAYLOAD_FORMAT, DEFAULT_PORT, PbxClient
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT
from .const import CONF_API_VERSION, CONF_PAYLOAD_FORMAT


def _source_address_finder(hass: HomeAssistant) -> Callable[[str], Awaitable[str | None]]:
    """Home Assistant's own answer to "which of my addresses reaches this one?"."""

    async def find(target: str) -> str | None:
        if ipaddress.ip_address(target).is_loopback:
            return target  # a PBX on this very machine reaches Home Assistant there too
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
    # Reports come to the entry's webhook on Home Assistant's own port; only a login can say so.
    webhook_id = data.get(CONF_WEBHOOK_ID)
    path = webhook.async_generate_path(webhook_id) if webhook_id and not token else None
    # The http integration is a dependency of webhook, but may be missing in a bare hass.
    port = hass.http.server_port if path is not None and hass.http is not None else None
    return PbxClient(
        data[CONF_HOST],
        session=async_get_clientsession(hass, verify_ssl=data.get(CONF_VERIFY_SSL, True)),
        port=data.get(CONF_PORT, DEFAULT_PORT),
        use_ssl=data.get(CONF_SSL, False),
        api_version=data.get(CONF_API_VERSION, DEFAULT_API_VERSION),
        payload_format=data.get(CONF_PAYLOAD_FORMAT, DEFAULT_PAYLOAD_FORMAT),
        token=token,
        username=None if token else data.get(CONF_USERNAME),
        password=None if token else data.get(CONF_PASSWORD),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
        source_address=_source_address_finder(hass),
        report_port=port,
        report_path=path,  # used only with a port (PbxClient.reports)
    )
