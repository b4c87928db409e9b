"""The OneNET client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from ...api.onenet import DEFAULT_SIGN_METHOD, GENERATIONS, ApiGeneration, OneNetClient
from ...api.onenet.generations import Generation
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT
from .const import (
    CONF_ACCESS_KEY,
    CONF_API_GENERATION,
    CONF_APP_ID,
    CONF_BASE_URL,
    CONF_SIGN_METHOD,
    CONF_USER_ID,
    DEFAULT_API_GENERATION,
)


def generation_of(data: Mapping[str, Any]) -> Generation:
    """Return the API generation of entry data (generation 1 for entries made before there were two)."""
    number: ApiGeneration = (
        2 if int(data.get(CONF_API_GENERATION, DEFAULT_API_GENERATION)) == 2 else 1
    )
    return GENERATIONS[number]


def account_of(data: Mapping[str, Any]) -> str:
    """Return the account that signs and that callbacks name: the app id, or the user id."""
    return str(data[CONF_USER_ID] if generation_of(data).number == 2 else data[CONF_APP_ID])


def create_onenet_client(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> OneNetClient:
    """Create a OneNET client for entry data; raise InvalidAccessKeyError for a malformed key."""
    return OneNetClient(
        account_of(data),
        data[CONF_ACCESS_KEY],
        generation=generation_of(data).number,
        session=async_get_clientsession(hass),
        sign_method=data.get(CONF_SIGN_METHOD, DEFAULT_SIGN_METHOD),
        base_url=data.get(CONF_BASE_URL),
        request_timeout=(options or {}).get(CONF_TIMEOUT, DEFAULT_TIMEOUT),
    )
