"""The OneNET client of an entry's data, on Home Assistant's shared HTTP session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from ...api.onenet import DEFAULT_SIGN_METHOD, GENERATIONS, ApiGeneration, OneNetClient
from ...api.onenet.generations import Generation
from ...api.onenet.numbers import load_number_data
from ...const import CONF_TIMEOUT, DEFAULT_TIMEOUT, DOMAIN
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


_NUMBER_DATA: HassKey[bool] = HassKey(f"{DOMAIN}_number_data")


async def async_load_number_data(hass: HomeAssistant) -> None:
    """Load the phone-number data off the event loop, once: reading a number imports it."""
    if not hass.data.get(_NUMBER_DATA):
        await hass.async_add_import_executor_job(load_number_data)
        hass.data[_NUMBER_DATA] = True
