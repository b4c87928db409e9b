"""OneNET's call-status callbacks, as they reach the entry's webhook: checked, then told as events."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

from ...api.onenet import (
    AUTHORIZATION_REFUSED,
    MAX_BODY_BYTES,
    TOO_LARGE,
    CallbackRefused,
    decode_callback,
    parse_callback,
    success_answer,
)
from ...api.onenet.follow import call_status
from ...webhook import read_body
from .client import account_of, generation_of
from .const import (
    CONF_VERIFY_CALLBACKS,
    DEFAULT_VERIFY_CALLBACKS,
    ENTRY_TYPE,
    VERIFY_ENFORCE,
    VERIFY_OFF,
)

if TYPE_CHECKING:
    from . import OneNetProvider


def _success() -> web.Response:
    return web.Response(text=success_answer(), content_type="application/json")


def _refusal(refused: CallbackRefused) -> web.Response:
    return web.json_response(refused.answer(), status=refused.status)


async def async_handle_callback(provider: OneNetProvider, request: web.Request) -> web.Response:
    """Answer one callback; fire the event for a new, valid one about a call this entry placed.

    Log lines name the entry and what was wrong, never a value from the body or the headers.
    """
    entry = provider.entry
    report = provider.callbacks
    try:
        body = await read_body(request, MAX_BODY_BYTES)
        if body is None:
            provider.far_side.add("callback", f"(a body of more than {MAX_BODY_BYTES} bytes)")
            raise TOO_LARGE
        provider.far_side.add("callback", body)
        callback = parse_callback(
            decode_callback(body),
            account_of(entry.data),
            field=generation_of(entry.data).callback_account,
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
        return _refusal(refused)
    verify = entry.options.get(CONF_VERIFY_CALLBACKS, DEFAULT_VERIFY_CALLBACKS)
    if verify != VERIFY_OFF and not provider.client.verify_callback(
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
            return _refusal(AUTHORIZATION_REFUSED)
        report.count(
            "unsigned",
            logging.WARNING,
            "%s: call-status callback without a valid Authorization header, accepted "
            "(verify_callbacks is 'log')",
            entry.title,
        )
    if not provider.calls.was_placed(callback.call_id):
        # Answered as a success all the same, so that OneNET does not send it again.
        report.count(
            "not_placed",
            logging.INFO,
            "%s: call-status callback about a call this entry did not place: no event",
            entry.title,
        )
        return _success()
    if not provider.calls.first_delivery(callback.call_id, callback.status):
        report.count("repeated", logging.DEBUG, "%s: repeated callback, no event", entry.title)
        return _success()
    report.counts["accepted"] += 1
    # Keys are pressed once someone is on the line.
    connected = any(
        (callback.call_id, status) in provider.calls.seen_callbacks
        for status in ("Connected", "CollectResult")
    )
    provider.report(call_status(ENTRY_TYPE, callback, connected))
    return _success()
