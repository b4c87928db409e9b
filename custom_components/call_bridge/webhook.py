"""OneNET's call-status callbacks: the webhook, its URL, and what a callback turns into."""

from __future__ import annotations

from http import HTTPStatus
import json
import logging
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final
import uuid

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.network import NoURLAvailableError

from .api.onenet import OneNetClient
from .api.onenet_callback import Callback, CallbackRefused, decode_callback, parse_callback
from .const import (
    CALL_STATES,
    CONF_APP_ID,
    CONF_CLOUDHOOK,
    CONF_VERIFY_CALLBACKS,
    DEFAULT_VERIFY_CALLBACKS,
    DOMAIN,
    EVENT_CALL_STATUS,
    ISSUE_NO_EXTERNAL_URL,
    STATE_UNKNOWN,
    VERIFY_ENFORCE,
    VERIFY_OFF,
)

if TYPE_CHECKING:
    from .data import CallBridgeConfigEntry

_LOGGER = logging.getLogger(__name__)

MAX_BODY_BYTES: Final = 64 * 1024


def signal_call_status(entry_id: str) -> str:
    """Return the dispatcher signal that carries an entry's call-status events to its entities."""
    return f"{DOMAIN}_{entry_id}_call_status"


def async_register_webhook(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> None:
    """Listen for the entry's callbacks until it unloads; OneNET posts from the internet."""

    async def handle(hass: HomeAssistant, webhook_id: str, request: web.Request) -> web.Response:
        return await _handle_callback(hass, entry, request)

    webhook.async_register(
        hass,
        DOMAIN,
        entry.title,
        entry.data[CONF_WEBHOOK_ID],
        handle,
        local_only=False,
        allowed_methods=["POST"],
    )
    entry.async_on_unload(lambda: webhook.async_unregister(hass, entry.data[CONF_WEBHOOK_ID]))


async def async_callback_url(hass: HomeAssistant, entry: CallBridgeConfigEntry) -> str | None:
    """Return the URL OneNET can reach for this entry; None, and a repair issue, if there is none."""
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


def envelope(code_no: str, code: str, message: str) -> dict[str, str]:
    """Return OneNET's answer envelope."""
    return {"request_id": uuid.uuid4().hex, "code_no": code_no, "code": code, "message": message}


SUCCESS = ("000000", "OneNET_common_success", "调用成功")
# The success answer, all but its request id: it is sent for nearly every callback.
_SUCCESS_TEMPLATE = json.dumps(envelope(*SUCCESS) | {"request_id": "%s"}, ensure_ascii=False)


def _success() -> web.Response:
    return web.Response(text=_SUCCESS_TEMPLATE % uuid.uuid4().hex, content_type="application/json")


async def _read_body(request: web.Request) -> bytes:
    """Return the body (at once when its length is given, else in chunks); refuse it past the limit."""
    too_large = CallbackRefused(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "000005",
        "onenet_common_invalidReqParams",
        f"body larger than {MAX_BODY_BYTES} bytes",
    )
    if request.content_length is not None:
        if request.content_length > MAX_BODY_BYTES:
            raise too_large
        return await request.read()  # as long as it says, which is within the limit
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(8192):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def event_data(entry: CallBridgeConfigEntry, callback: Callback) -> dict[str, Any]:
    """Return the ``call_bridge_call_status`` event of a callback."""
    return {
        "entry_id": entry.entry_id,
        "device_id": entry.runtime_data.device_id,
        "call_id": callback.call_id,
        "caller": callback.caller,
        "callee": callback.callee,
        "status": callback.status,
        "state": CALL_STATES.get(callback.status, STATE_UNKNOWN),
        "reason": callback.reason,
        "call_duration": callback.call_duration,
        "caller_call_duration": callback.caller_call_duration,
        "report_date": callback.report_date,
    }


async def _handle_callback(
    hass: HomeAssistant, entry: CallBridgeConfigEntry, request: web.Request
) -> web.Response:
    """Answer one callback; fire the event for a new, valid one about a call this entry placed.

    Log lines name the entry and what was wrong, never a value from the body or the headers.
    """
    data = entry.runtime_data
    report = data.callbacks
    try:
        callback = parse_callback(
            decode_callback(await _read_body(request)), entry.data[CONF_APP_ID]
        )
    except CallbackRefused as refused:
        report.count(
            "refused",
            logging.WARNING,
            "%s: call-status callback refused (HTTP %s): %s",
            entry.title,
            int(refused.status),
            refused.why,
        )
        return web.json_response(
            envelope(refused.code_no, refused.code, refused.why), status=refused.status
        )
    verify = entry.options.get(CONF_VERIFY_CALLBACKS, DEFAULT_VERIFY_CALLBACKS)
    client = data.client
    assert isinstance(client, OneNetClient)  # only OneNET entries register a webhook
    if verify != VERIFY_OFF and not client.verify_callback(
        request.headers.get("Authorization", ""), callback.call_id, callback.status
    ):
        if verify == VERIFY_ENFORCE:
            report.count(
                "refused",
                logging.WARNING,
                "%s: call-status callback refused (HTTP 401): its Authorization header is not "
                "signed with this entry's access key, or expired, or was used before",
                entry.title,
            )
            return web.json_response(
                envelope(
                    "000015", "onenet_common_authorizationFailed", "Authorization header refused"
                ),
                status=HTTPStatus.UNAUTHORIZED,
            )
        report.count(
            "unsigned",
            logging.WARNING,
            "%s: call-status callback without a valid Authorization header, accepted "
            "(verify_callbacks is 'log')",
            entry.title,
        )
    if not data.calls.was_placed(callback.call_id):
        # Answered as a success all the same, so that OneNET does not send it again.
        report.count(
            "not_placed",
            logging.INFO,
            "%s: call-status callback about a call this entry did not place: no event",
            entry.title,
        )
        return _success()
    if not data.calls.first_delivery(callback.call_id, callback.status):
        report.count("repeated", logging.DEBUG, "%s: repeated callback, no event", entry.title)
        return _success()
    report.counts["accepted"] += 1
    event = event_data(entry, callback)
    data.calls.record(
        callback.call_id,
        {key: event[key] for key in ("state", "reason", "call_duration", "caller", "callee")}
        | {"updated": callback.report_date},
    )
    hass.bus.async_fire(EVENT_CALL_STATUS, event)
    async_dispatcher_send(hass, signal_call_status(entry.entry_id), event)
    return _success()
