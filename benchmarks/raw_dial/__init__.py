"""The least an action can do to dial: the floor that scripts/bench measures dial_extension against.

``raw_dial.dial`` POSTs the PBX's dial request to the URL it is given, through Home Assistant's
shared session, and answers the PBX's call id: no validation, no cooldown, no login, no errors.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

DOMAIN = "raw_dial"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)
SCHEMA = vol.Schema(
    {vol.Required("url"): cv.string, vol.Required("caller"): str, vol.Required("callee"): str}
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register ``raw_dial.dial``."""
    session = async_get_clientsession(hass)

    async def dial(call: ServiceCall) -> ServiceResponse:
        body = {"caller": call.data["caller"], "callee": call.data["callee"], "autoanswer": "no"}
        async with session.post(call.data["url"], json=body) as response:
            answer = await response.json(content_type=None)
        return {"call_id": answer.get("callid")}

    hass.services.async_register(
        DOMAIN, "dial", dial, schema=SCHEMA, supports_response=SupportsResponse.OPTIONAL
    )
    return True
