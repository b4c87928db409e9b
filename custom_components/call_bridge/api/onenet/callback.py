"""OneNET's status callbacks (reference sections 3 and 4.2): what a valid one is, and its fields.

Click-to-dial calls and voice notifications post the same body; a notification adds the keys it
collected (``operation_result``, with the status ``CollectResult``).

Everything in a callback comes from outside. Only JSON objects whose fields have OneNET's documented
types and lengths, and hold printable text (no control characters, no unpaired surrogates), are
callbacks; anything else is refused with the reason and the envelope OneNET's own codes give it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
import json
import re
from typing import Any, Final
import uuid

from .models import SUCCESS_CODE

# Documented maximum lengths (section 3.2).
MAX_LENGTHS: Final = {
    "appid": 32,
    "call_id": 64,
    "caller": 64,
    "callee": 64,
    "status": 16,
    "reason": 32,
    "operation_result": 64,
}
# The statuses a call goes through, in order (section 3.2), and a notification's keys (4.2).
CALL_STATUSES: Final = ("CallingCaller", "CallingCallee", "Connected", "Disconnected")
COLLECT_RESULT: Final = "CollectResult"
# Keys of a telephone keypad.
_KEYS = re.compile(r"[0-9*#A-D]{1,64}")
# No callback is anywhere near this long.
MAX_BODY_BYTES: Final = 64 * 1024
# A call lasts less than a week; anything longer is not a duration OneNET means.
MAX_DURATION: Final = 7 * 24 * 3600
_DURATION = re.compile(r"[0-9]{1,7}")
_REPORT_DATE = re.compile(r"[0-9]{14}")


class CallbackRefused(Exception):  # noqa: N818 - it is a refusal, answered as OneNET answers one
    """A body that is not a valid callback: the HTTP status and OneNET's code to answer with."""

    def __init__(self, status: HTTPStatus, code_no: str, code: str, why: str) -> None:
        """Keep the answer; ``why`` names fields, never their values."""
        super().__init__(why)
        self.status = status
        self.code_no = code_no
        self.code = code
        self.why = why

    def answer(self) -> dict[str, str]:
        """Return OneNET's envelope for this refusal."""
        return answer(self.code_no, self.code, self.why)


def answer(code_no: str, code: str, message: str) -> dict[str, str]:
    """Return OneNET's answer envelope, with a request id of its own."""
    return {"request_id": uuid.uuid4().hex, "code_no": code_no, "code": code, "message": message}


# The success answer, all but its request id: it is sent for nearly every callback.
_SUCCESS_ANSWER: Final = json.dumps(
    answer(SUCCESS_CODE, "OneNET_common_success", "调用成功") | {"request_id": "%s"},
    ensure_ascii=False,
)


def success_answer() -> str:
    """Return the JSON text that tells OneNET a callback was received."""
    return _SUCCESS_ANSWER % uuid.uuid4().hex


TOO_LARGE: Final = CallbackRefused(
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    "000005",
    "onenet_common_invalidReqParams",
    f"body larger than {MAX_BODY_BYTES} bytes",
)
AUTHORIZATION_REFUSED: Final = CallbackRefused(
    HTTPStatus.UNAUTHORIZED,
    "000015",
    "onenet_common_authorizationFailed",
    "Authorization header refused",
)


@dataclass(frozen=True, slots=True)
class Callback:
    """A valid call-status callback."""

    # The app id (generation 1) or user id (generation 2) it was addressed to.
    account: str
    call_id: str
    status: str
    caller: str | None
    callee: str | None
    reason: str | None
    # The keys pressed, on CollectResult.
    digits: str | None
    call_duration: int | None
    caller_call_duration: int | None
    report_date: str | None


def _invalid(why: str) -> CallbackRefused:
    return CallbackRefused(
        HTTPStatus.UNPROCESSABLE_ENTITY, "000004", "onenet_common_invalidParams", why
    )


def _text(body: dict[str, Any], name: str, *, required: bool) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise CallbackRefused(
                HTTPStatus.UNPROCESSABLE_ENTITY,
                "000006",
                "onenet_common_paramNullException",
                f"{name} missing",
            )
        return None
    if not isinstance(value, str):
        raise _invalid(f"{name} is not text")
    # isprintable() is False for control characters, NUL, line breaks and lone surrogates.
    if len(value) > MAX_LENGTHS[name] or not value.isprintable():
        raise _invalid(f"{name} is longer than {MAX_LENGTHS[name]} or not printable text")
    return value


def _keys(value: str | None) -> str | None:
    """Keys are those of a telephone keypad; a result with anything else is no callback."""
    if value is not None and not _KEYS.fullmatch(value):
        raise _invalid("operation_result is not keys of a telephone keypad")
    return value


def _seconds(value: Any) -> int | None:
    """Durations are ASCII digit strings (numbers are taken too); anything else is unknown."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and _DURATION.fullmatch(value):
        seconds = int(value)
    else:
        return None
    return seconds if 0 <= seconds <= MAX_DURATION else None


def _report_date(value: Any) -> str | None:
    """Return ``YYYYmmDDHHMMSS`` as ISO 8601; OneNET sends no zone, its documents use Beijing time."""
    if not isinstance(value, str) or not _REPORT_DATE.fullmatch(value):
        return None
    try:
        parsed = datetime.strptime(f"{value}+0800", "%Y%m%d%H%M%S%z")
    except ValueError:
        return None
    return parsed.isoformat()


def decode_callback(raw: bytes) -> dict[str, Any]:
    """Decode a callback's body, which must be a JSON object."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise CallbackRefused(
            HTTPStatus.BAD_REQUEST, "000012", "onenet_common_JsonException", "not JSON"
        ) from None
    if not isinstance(body, dict):
        raise CallbackRefused(
            HTTPStatus.BAD_REQUEST, "000012", "onenet_common_JsonException", "not a JSON object"
        )
    return body


def _names_account(value: Any, account: str) -> bool:
    """Whether a callback's app id (text) or user id (a number, or its digits) is ``account``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) == account
    return isinstance(value, str) and value == account


def parse_callback(body: dict[str, Any], account: str, *, field: str = "appid") -> Callback:
    """Return the callback of a decoded body addressed to ``account``; raise CallbackRefused.

    ``field`` names the account: ``appid`` (generation 1) or ``user_id`` (generation 2).
    """
    call_id = _text(body, "call_id", required=True)
    status = _text(body, "status", required=True)
    if not _names_account(body.get(field), account):
        raise CallbackRefused(
            HTTPStatus.FORBIDDEN,
            "000002",
            "onenet_common_authException",
            f"{field} missing or another account's",
        )
    assert call_id is not None
    assert status is not None
    return Callback(
        account=account,
        call_id=call_id,
        status=status,
        caller=_text(body, "caller", required=False),
        callee=_text(body, "callee", required=False),
        reason=_text(body, "reason", required=False),
        digits=_keys(_text(body, "operation_result", required=False)),
        call_duration=_seconds(body.get("call_duration")),
        caller_call_duration=_seconds(body.get("caller_call_duration")),
        report_date=_report_date(body.get("report_date")),
    )
