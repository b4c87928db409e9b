"""China Mobile OneNET voice: its click-to-dial API and its callbacks, typed, on an injected or own session."""

from .auth import authorization, decode_access_key, verify_authorization
from .callback import (
    AUTHORIZATION_REFUSED,
    CALL_STATUSES,
    MAX_BODY_BYTES,
    TOO_LARGE,
    Callback,
    CallbackRefused,
    decode_callback,
    parse_callback,
    success_answer,
)
from .client import OneNetClient
from .errors import (
    InvalidAccessKeyError,
    InvalidPhoneNumberError,
    OneNetAuthError,
    OneNetConnectionError,
    OneNetError,
    OneNetRefusedError,
    OneNetResponseError,
)
from .models import (
    CODES,
    DEFAULT_BASE_URL,
    DEFAULT_SIGN_METHOD,
    SIGN_METHODS,
    DialResult,
    SignMethod,
)
from .numbers import normalize_phone_number

__all__ = [
    "AUTHORIZATION_REFUSED",
    "CALL_STATUSES",
    "CODES",
    "DEFAULT_BASE_URL",
    "DEFAULT_SIGN_METHOD",
    "MAX_BODY_BYTES",
    "SIGN_METHODS",
    "TOO_LARGE",
    "Callback",
    "CallbackRefused",
    "DialResult",
    "InvalidAccessKeyError",
    "InvalidPhoneNumberError",
    "OneNetAuthError",
    "OneNetClient",
    "OneNetConnectionError",
    "OneNetError",
    "OneNetRefusedError",
    "OneNetResponseError",
    "SignMethod",
    "authorization",
    "decode_access_key",
    "decode_callback",
    "normalize_phone_number",
    "parse_callback",
    "success_answer",
    "verify_authorization",
]
