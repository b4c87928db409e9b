"""The one path that places a call, for actions and buttons alike.

validate and normalise numbers -> cooldown gate -> provider client -> translated errors -> response.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .api.errors import (
    CallBridgeApiError,
    InvalidNumberError,
    OneNetAuthError,
    OneNetRefusedError,
    PbxAuthError,
    PbxLoginRefusedError,
    PbxRefusedError,
    ProviderConnectionError,
)
from .api.numbers import normalize_extension, normalize_phone_number
from .api.onenet import CODES, OneNetClient
from .api.pbx import ERRNO_MEANINGS, PbxClient
from .const import (
    CONF_AUTOANSWER,
    CONF_COOLDOWN,
    CONF_DISPLAY,
    CONF_SEND_NOTIFY_URL,
    CONF_SPONSOR,
    DEFAULT_AUTOANSWER,
    DEFAULT_COOLDOWN,
    DEFAULT_SEND_NOTIFY_URL,
    DOMAIN,
)
from .data import CallBridgeConfigEntry
from .refusals import remember_refusal
from .webhook import async_callback_url

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PbxCall:
    """Ring extension ``caller``, then ``callee``."""

    caller: str
    callee: str
    autoanswer: bool | None = None


@dataclass(frozen=True, slots=True)
class OneNetCall:
    """Call phone ``caller``, then bridge it to ``callee``; empty overrides take the entry's values."""

    caller: str
    callee: str
    display: str | None = None
    sponsor: str | None = None
    notify_url: str | None = None


async def async_place_call(
    hass: HomeAssistant, entry: CallBridgeConfigEntry, call: PbxCall | OneNetCall
) -> dict[str, Any]:
    """Place ``call`` through ``entry``, and answer the action's response data."""
    client = entry.runtime_data.client
    dial: Callable[[], Awaitable[tuple[str | None, str | None]]]
    if isinstance(call, PbxCall):
        if not isinstance(client, PbxClient):
            raise _wrong_entry_type(entry, "pbx")
        call = PbxCall(
            caller=_extension(call.caller),
            callee=_extension(call.callee),
            autoanswer=(
                entry.options.get(CONF_AUTOANSWER, DEFAULT_AUTOANSWER)
                if call.autoanswer is None
                else call.autoanswer
            ),
        )
        dial = partial(_dial_pbx, client, call)
    else:
        if not isinstance(client, OneNetClient):
            raise _wrong_entry_type(entry, "onenet")
        display = call.display or entry.data.get(CONF_DISPLAY)
        call = OneNetCall(
            caller=_phone_number(call.caller),
            callee=_phone_number(call.callee),
            display=_phone_number(display) if display else None,
            sponsor=_phone_number(call.sponsor or entry.data[CONF_SPONSOR]),
            notify_url=call.notify_url,
        )
        dial = partial(_dial_onenet, hass, entry, client, call)

    gate = entry.runtime_data.gate
    cooldown = float(entry.options.get(CONF_COOLDOWN, DEFAULT_COOLDOWN))

    async def place() -> tuple[str | None, str | None]:
        try:
            placed = await dial()
        except CallBridgeApiError as err:
            raise _translated_error(hass, entry, err) from None
        entry.runtime_data.availability.reachable()
        return placed

    placed, suppressed = await gate.place(call, cooldown, place)
    if suppressed:
        _LOGGER.info(
            "%s: an identical call is in progress or was placed less than %g s ago; not placed again",
            entry.title,
            cooldown,
        )
    call_id, request_id = placed or (None, None)
    if not suppressed:
        _LOGGER.debug("%s: call placed, call id %s", entry.title, call_id)
        if call_id is not None:
            entry.runtime_data.calls.remember_placed(call_id)
            entry.runtime_data.save_calls()
            entry.runtime_data.calls.record(
                call_id,
                {
                    "state": "requested",
                    "caller": call.caller,
                    "callee": call.callee,
                    "updated": dt_util.utcnow().isoformat(),
                },
            )
    return _response(call, call_id=call_id, request_id=request_id, suppressed=suppressed)


async def _dial_pbx(client: PbxClient, call: PbxCall) -> tuple[str | None, str | None]:
    call_id = await client.dial_extension(
        call.caller, call.callee, autoanswer=bool(call.autoanswer)
    )
    return call_id, None


async def _dial_onenet(
    hass: HomeAssistant, entry: CallBridgeConfigEntry, client: OneNetClient, call: OneNetCall
) -> tuple[str | None, str | None]:
    notify_url = call.notify_url
    if notify_url is None and entry.options.get(CONF_SEND_NOTIFY_URL, DEFAULT_SEND_NOTIFY_URL):
        notify_url = await async_callback_url(hass, entry)
    assert call.sponsor is not None  # the entry's business number when the action gives none
    result = await client.click_to_dial(
        call.caller, call.callee, call.sponsor, display=call.display, notify_url=notify_url
    )
    return result.call_id, result.request_id


def _response(
    call: PbxCall | OneNetCall, *, call_id: str | None, request_id: str | None, suppressed: bool
) -> dict[str, Any]:
    if isinstance(call, PbxCall):
        return {"call_id": call_id, "suppressed": suppressed}
    return {"call_id": call_id, "request_id": request_id, "suppressed": suppressed}


def _normalized(value: str, normalize: Callable[[str], str], translation_key: str) -> str:
    """Return ``value`` in the provider's form, or raise the translated validation error."""
    try:
        return normalize(value)
    except InvalidNumberError:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"number": value},
        ) from None


def _extension(value: str) -> str:
    return _normalized(value, normalize_extension, "invalid_extension")


def _phone_number(value: str) -> str:
    return _normalized(value, normalize_phone_number, "invalid_phone_number")


def _wrong_entry_type(entry: CallBridgeConfigEntry, expected: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=f"not_{expected}_entry",
        translation_placeholders={"entry_title": entry.title},
    )


def _translated_error(
    hass: HomeAssistant, entry: CallBridgeConfigEntry, err: CallBridgeApiError
) -> HomeAssistantError:
    """Turn a client error into the message the user reads; start reauthentication when it helps."""
    placeholders = {"entry_title": entry.title}
    if isinstance(err, PbxRefusedError):
        placeholders["errno"] = err.errno
        key = f"pbx_errno_{err.errno}" if err.errno in ERRNO_MEANINGS else "pbx_errno_unknown"
    elif isinstance(err, OneNetRefusedError):
        placeholders["code_no"] = err.code_no
        placeholders["code"] = err.code
        key = f"onenet_code_{err.code_no}" if err.code_no in CODES else "onenet_code_unknown"
    elif isinstance(err, ProviderConnectionError):
        key = "provider_unreachable"
    else:
        key = "provider_bad_answer"
    if isinstance(err, PbxLoginRefusedError):
        client = entry.runtime_data.client
        assert isinstance(client, PbxClient)
        remember_refusal(hass, client.login_fingerprint, err.errno)
    if isinstance(err, PbxAuthError | OneNetAuthError):
        entry.async_start_reauth(hass)
    if isinstance(err, ProviderConnectionError):
        entry.runtime_data.availability.unreachable(err)
    else:
        entry.runtime_data.availability.reachable()
    _LOGGER.debug("%s: call not placed: %s", entry.title, err)
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )
