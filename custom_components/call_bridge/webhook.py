"""An entry's webhook: registering it, the URL a provider can reach it at, reading what is posted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import logging
from types import ModuleType

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.network import NoURLAvailableError

from .const import CONF_CLOUDHOOK, DOMAIN, ISSUE_NO_EXTERNAL_URL

_LOGGER = logging.getLogger(__name__)

type Handler = Callable[[web.Request], Awaitable[web.Response]]


def async_register_webhook(
    hass: HomeAssistant, entry: ConfigEntry, handle: Handler, *, local_only: bool
) -> None:
    """Pass what is posted to the entry's webhook to ``handle``, until the entry unloads."""

    async def handler(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        return await handle(request)

    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        entry.data[CONF_WEBHOOK_ID],
        handler,
        local_only=local_only,
        allowed_methods=["POST"],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, entry.data[CONF_WEBHOOK_ID]))


async def async_callback_url(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Return the URL a provider on the internet can reach this entry at; None, and a repair issue, if there is none."""
    url = await async_reachable_url(
        hass, entry.data[CONF_WEBHOOK_ID], entry.data.get(CONF_CLOUDHOOK, False)
    )
    issue_id = f"{ISSUE_NO_EXTERNAL_URL}_{entry.entry_id}"
    if url is None:
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_NO_EXTERNAL_URL,
            translation_placeholders={"entry_title": entry.title},
            learn_more_url="https://www.home-assistant.io/docs/configuration/remote/",
        )
    else:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    return url


def _cloud(hass: HomeAssistant) -> ModuleType | None:
    """Return Home Assistant Cloud's module, only when that integration is loaded.

    Importing it otherwise would drag in its many dependencies (Alexa, Google Assistant, camera...).
    """
    if "cloud" not in hass.config.components:
        return None
    from homeassistant.components import cloud  # noqa: PLC0415

    return cloud


async def async_create_cloudhook(hass: HomeAssistant, webhook_id: str) -> bool:
    """Create a cloudhook when Home Assistant Cloud is subscribed; return whether one was made.

    Raises HomeAssistantError (CloudNotAvailable) when subscribed but not connected.
    """
    cloud = _cloud(hass)
    if cloud is None or not cloud.async_active_subscription(hass):
        return False
    await cloud.async_create_cloudhook(hass, webhook_id)
    return True


async def async_delete_cloudhook(hass: HomeAssistant, webhook_id: str) -> None:
    """Delete the hook's cloudhook; without the cloud it is left for the cloud to expire."""
    cloud = _cloud(hass)
    if cloud is None:
        return
    try:
        await cloud.async_delete_cloudhook(hass, webhook_id)
    except HomeAssistantError as err:
        _LOGGER.debug("Cloudhook not deleted: %s", err)


async def async_reachable_url(hass: HomeAssistant, webhook_id: str, use_cloud: bool) -> str | None:
    """Return Home Assistant Cloud's URL for the hook, else the external URL; never the internal one."""
    if use_cloud:
        cloud = _cloud(hass)
        if cloud is None:
            return None
        try:
            return str(await cloud.async_get_or_create_cloudhook(hass, webhook_id))
        except HomeAssistantError:
            return None
    try:
        return webhook.async_generate_url(hass, webhook_id, allow_internal=False)
    except NoURLAvailableError:
        return None


def display_url(hass: HomeAssistant, webhook_id: str, reachable_url: str | None) -> str:
    """Return what the flow and the options show: the reachable URL, else the best URL there is."""
    if reachable_url is not None:
        return reachable_url
    try:
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


async def read_body(request: web.Request, limit: int) -> bytes | None:
    """Return the body (at once when its length is given, else in chunks); None past ``limit``."""
    if request.content_length is not None:
        if request.content_length > limit:
            return None
        return await request.read()  # as long as it says, which is within the limit
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(8192):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
