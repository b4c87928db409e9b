"""OneNET's signed Authorization header: making one, and checking a callback's."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final
from urllib.parse import quote, unquote

from .errors import InvalidAccessKeyError
from .models import SIGN_METHODS, SignMethod

AUTH_VERSION: Final = "v1"
# A callback's header may expire at most a day ahead (OneNET documents no lifetime), and clocks may
# be an hour apart either way; headers outside that window are refused.
CALLBACK_MAX_LIFETIME: Final = 24 * 3600
CLOCK_SKEW: Final = 3600
# OneNET issues 32-byte keys; anything much shorter is a copying mistake, not a key.
MIN_KEY_BYTES: Final = 16


def decode_access_key(access_key: str) -> bytes:
    """Return the HMAC key: the access key as issued is base64 text.

    Its padding may be left out, as China Mobile's own SDKs accept it.
    """
    text = access_key.strip()
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidAccessKeyError("the access key is not base64 text") from None
    if len(key) < MIN_KEY_BYTES:
        raise InvalidAccessKeyError("the access key is too short to be one OneNET issues")
    return key


def sign(key: bytes, *, et: int, method: SignMethod, res: str, version: str = AUTH_VERSION) -> str:
    """Return the base64 signature of et, method, res and version (alphabetical order, LF-joined)."""
    message = f"{et}\n{method}\n{res}\n{version}".encode()
    return base64.b64encode(hmac.new(key, message, getattr(hashlib, method)).digest()).decode()


def authorization(
    key: bytes, *, et: int, method: SignMethod, res: str, version: str = AUTH_VERSION
) -> str:
    """Return the Authorization header value, with ``res`` and ``sign`` URL-encoded."""
    signature = sign(key, et=et, method=method, res=res, version=version)
    return (
        f"version={version}&res={quote(res, safe='')}&et={et}"
        f"&method={method}&sign={quote(signature, safe='')}"
    )


def _expiry(value: str) -> int | None:
    """Return an ``et`` given as ASCII digits of a plausible length, else None."""
    if value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return None


def verify_authorization(header: str, key: bytes, *, res: str, now: float) -> bool:
    """Check a callback's Authorization header: our ``res``, a plausible expiry, signed with our key.

    The expiry must lie between an hour ago and a day and an hour ahead (clock skew both ways). It
    proves knowledge of the key, not the body: the signature covers only et/method/res/version.
    """
    try:
        fields = dict(pair.split("=", 1) for pair in header.split("&"))
        given = unquote(fields["sign"])
        version = fields["version"]
    except (KeyError, ValueError):
        return False
    et = _expiry(fields.get("et", ""))
    method = next((known for known in SIGN_METHODS if known == fields.get("method")), None)
    if unquote(fields.get("res", "")) != res or et is None or method is None:
        return False
    if not now - CLOCK_SKEW <= et <= now + CALLBACK_MAX_LIFETIME + CLOCK_SKEW:
        return False
    expected = sign(key, et=et, method=method, res=res, version=version)
    return hmac.compare_digest(expected.encode(), given.encode())
