"""OneNET's call-status callbacks: the webhook, its URL, and what a callback turns into."""

from __future__ import annotations

from datetime import datetime
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


def _reject(status: HTTPStatus, code_no: str, code: str, why: str) -> web.Response:
    _LOGGER.warning("Call-status callback refused (HTTP %s): %s", int(status), why)
    return web.json_response(envelope(code_no, code, why), status=status)


async def _read_body(request: web.Request) -> bytes | None:
    """Return the body, or None when it is larger than ``MAX_BODY_BYTES``; read in chunks."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(8192):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _optional_text(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int) and value != "" else None


def _seconds(value: Any) -> int | None:
    """Durations arrive as strings of seconds; anything else becomes None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _report_date(value: Any) -> str | None:
    """Return ``YYYYmmDDHHMMSS`` as ISO 8601; OneNET sends no zone, its documents use Beijing time."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.strptime(f"{value}+0800", "%Y%m%d%H%M%S%z")
    except ValueError:
        return None
    return parsed.isoformat()


def parse_callback(body: dict[str, Any]) -> dict[str, Any] | None:
    """Return the event data of a callback body; None when ``call_id`` or ``status`` is missing."""
    call_id = _optional_text(body.get("call_id"))
    status = body.get("status")
    if call_id is None or not isinstance(status, str) or not status:
        return None
    return {
        "call_id": call_id,
        "caller": _optional_text(body.get("caller")),
        "callee": _optional_text(body.get("callee")),
        "status": status,
        "state": CALL_STATES.get(status, STATE_UNKNOWN),
        "reason": _optional_text(body.get("reason")),
        "call_duration": _seconds(body.get("call_duration")),
        "caller_call_duration": _seconds(body.get("caller_call_duration")),
        "report_date": _report_date(body.get("report_date")),
    }


async def _handle_callback(
    hass: HomeAssistant, entry: CallBridgeConfigEntry, request: web.Request
) -> web.Response:
    """Answer one callback; fire the event for a new, valid one."""
    raw = await _read_body(request)
    if raw is None:
        return _reject(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            "000005",
            "onenet_common_invalidReqParams",
            f"body larger than {MAX_BODY_BYTES} bytes",
        )
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return _reject(HTTPStatus.BAD_REQUEST, "000012", "onenet_common_JsonException", "not JSON")
    if not isinstance(body, dict):
        return _reject(
            HTTPStatus.BAD_REQUEST, "000012", "onenet_common_JsonException", "not a JSON object"
        )
    data = parse_callback(body)
    if data is None:
        return _reject(
            HTTPStatus.UNPROCESSABLE_ENTITY,
            "000006",
            "onenet_common_paramNullException",
            "call_id or status missing",
        )
    if "appid" in body and str(body["appid"]) != entry.data[CONF_APP_ID]:
        return _reject(
            HTTPStatus.FORBIDDEN, "000002", "onenet_common_authException", "another app id"
        )
    verify = entry.options.get(CONF_VERIFY_CALLBACKS, DEFAULT_VERIFY_CALLBACKS)
    client = entry.runtime_data.client
    assert isinstance(client, OneNetClient)  # only OneNET entries register a webhook
    if verify != VERIFY_OFF and not client.verify_callback(
        request.headers.get("Authorization", "")
    ):
        if verify == VERIFY_ENFORCE:
            return _reject(
                HTTPStatus.UNAUTHORIZED,
                "000015",
                "onenet_common_authorizationFailed",
                "Authorization header not signed with this entry's access key",
            )
        _LOGGER.warning(
            "%s: call-status callback for call %s has no valid Authorization header "
            "(accepted: verify_callbacks is 'log')",
            entry.title,
            data["call_id"],
        )
    if entry.runtime_data.calls.first_delivery(data["call_id"], data["status"]):
        event_data = {"entry_id": entry.entry_id, "device_id": entry.runtime_data.device_id} | data
        entry.runtime_data.calls.record(
            data["call_id"],
            {key: data[key] for key in ("state", "reason", "call_duration", "caller", "callee")}
            | {"updated": data["report_date"]},
        )
        hass.bus.async_fire(EVENT_CALL_STATUS, event_data)
        async_dispatcher_send(hass, signal_call_status(entry.entry_id), event_data)
    else:
        _LOGGER.debug("Repeated callback %s/%s answered, no event", data["call_id"], data["status"])
    return web.json_response(envelope("000000", "OneNET_common_success", "调用成功"))
