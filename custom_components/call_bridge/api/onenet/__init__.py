"""China Mobile OneNET voice: click-to-dial, voice notifications and their callbacks, typed."""

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
from .generations import DEFAULT_BASE_URL, GENERATIONS, ApiGeneration
from .models import (
    CODES,
    DEFAULT_SIGN_METHOD,
    MAX_COLLECTED_KEYS,
    SIGN_METHODS,
    DialResult,
    SignMethod,
    VoiceMessage,
)
from .numbers import normalize_phone_number

__all__ = [
    "AUTHORIZATION_REFUSED",
    "CALL_STATUSES",
    "CODES",
    "DEFAULT_BASE_URL",
    "DEFAULT_SIGN_METHOD",
    "GENERATIONS",
    "MAX_BODY_BYTES",
    "MAX_COLLECTED_KEYS",
    "SIGN_METHODS",
    "TOO_LARGE",
    "ApiGeneration",
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
    "VoiceMessage",
    "authorization",
    "decode_access_key",
    "decode_callback",
    "normalize_phone_number",
    "parse_callback",
    "success_answer",
    "verify_authorization",
]
