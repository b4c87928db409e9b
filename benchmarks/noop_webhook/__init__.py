"""The least a webhook can do: the baseline that scripts/bench measures Call Bridge's against."""

from __future__ import annotations

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

DOMAIN = "noop_webhook"
WEBHOOK_ID = "noop-webhook-benchmark"
CONFIG_SCHEMA = cv.empty_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register a webhook that reads the body and answers a small JSON, as Call Bridge's does."""

    async def handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"code_no": "000000"})

    webhook.async_register(
        hass, DOMAIN, "No-op", WEBHOOK_ID, handle, local_only=False, allowed_methods=["POST"]
    )
    return True
