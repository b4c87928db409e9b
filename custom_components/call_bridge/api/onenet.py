"""Client for China Mobile OneNET voice (VCS) click-to-dial, first-generation API."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
import hashlib
import hmac
import json
import logging
import time
from typing import Any, Final, Literal
from urllib.parse import quote, unquote

import aiohttp

from .errors import (
    InvalidAccessKeyError,
    OneNetAuthError,
    OneNetRefusedError,
    ProviderConnectionError,
    ProviderResponseError,
)

_LOGGER = logging.getLogger(__name__)

type SignMethod = Literal["sha1", "md5", "sha256"]

DEFAULT_BASE_URL: Final = "https://voice.heclouds.com:8002"
DIAL_PATH: Final = "/v1/onenet/dial/notify"
AUTH_VERSION: Final = "v1"
SIGN_METHODS: Final[tuple[SignMethod, ...]] = ("sha1", "md5", "sha256")
# The Authorization header is a bearer credential until its expiry, so each request gets a short one.
AUTHORIZATION_LIFETIME: Final = 300
SUCCESS_CODE: Final = "000000"
DEFAULT_TIMEOUT: Final = 10.0


@dataclass(frozen=True, slots=True)
class OneNetCode:
    """A documented ``code_no``: its symbolic code and meaning."""

    code: str
    meaning: str
    retryable: bool = False
    auth: bool = False


CODES: Final[dict[str, OneNetCode]] = {
    "000111": OneNetCode("onenet_common_systemException", "system exception, retry later", True),
    "000001": OneNetCode("onenet_common_systemBusy", "system busy, retry later", True),
    "000002": OneNetCode("onenet_common_authException", "authentication failed", auth=True),
    "000004": OneNetCode("onenet_common_invalidParams", "invalid parameter"),
    "000005": OneNetCode("onenet_common_invalidReqParams", "invalid request parameter"),
    "000006": OneNetCode("onenet_common_paramNullException", "a required parameter is missing"),
    "000012": OneNetCode("onenet_common_JsonException", "invalid JSON"),
    "000014": OneNetCode(
        "onenet_common_authorizationIsNull", "the Authorization header is empty", auth=True
    ),
    "000015": OneNetCode(
        "onenet_common_authorizationFailed",
        "authorization failed (signature, or a clock past the expiry)",
        auth=True,
    ),
    "001001": OneNetCode("onenet_iaepVoice_callIdNotExist", "the call id does not exist"),
    "001005": OneNetCode("onenet_iaepVoice_NumberFormatRrror", "bad number format"),
    "001008": OneNetCode(
        "onenet_iaepVoice_BusinessNumberMismatch",
        "the business number (sponsor/display) mismatches",
    ),
    "001009": OneNetCode(
        "onenet_iaepVoice_NotOpenTheBusiness", "the account has not subscribed to this service"
    ),
    "001010": OneNetCode(
        "onenet_iaepVoice_TheBusinessIsClosed", "the account's service is closed or suspended"
    ),
}
# Answers to a request that lacks its numbers: they prove that the signature was accepted.
PARAMETER_CODES: Final = frozenset({"000004", "000005", "000006"})


@dataclass(frozen=True, slots=True)
class DialResult:
    """OneNET's answer to a click-to-dial request."""

    call_id: str | None
    request_id: str | None


def refusal(code_no: str, code: str | None) -> OneNetRefusedError:
    """Return the typed exception for an answer with this ``code_no``."""
    known = CODES.get(code_no)
    if known is None:
        return OneNetRefusedError(code_no, code or "unknown", "undocumented code", retryable=False)
    error_type = OneNetAuthError if known.auth else OneNetRefusedError
    return error_type(code_no, known.code, known.meaning, retryable=known.retryable)


def decode_access_key(access_key: str) -> bytes:
    """Return the HMAC key: the access key as issued is base64 text."""
    try:
        key = base64.b64decode(access_key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidAccessKeyError("the access key is not base64 text") from None
    if not key:
        raise InvalidAccessKeyError("the access key is empty")
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


def verify_authorization(header: str, key: bytes, *, res: str, now: float) -> bool:
    """Check a callback's Authorization header: our ``res``, not expired, signed with our key.

    It proves knowledge of the key, not the body: the signature covers only et/method/res/version.
    """
    try:
        fields = dict(pair.split("=", 1) for pair in header.split("&"))
        et = int(fields["et"])
        given = unquote(fields["sign"])
        version = fields["version"]
    except (KeyError, ValueError):
        return False
    method = next((known for known in SIGN_METHODS if known == fields.get("method")), None)
    if unquote(fields.get("res", "")) != res or et < now or method is None:
        return False
    expected = sign(key, et=et, method=method, res=res, version=version)
    return hmac.compare_digest(expected.encode(), given.encode())


class OneNetClient:
    """Places click-to-dial calls through one OneNET voice application (app id + access key)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        app_id: str,
        access_key: str,
        *,
        sign_method: SignMethod = "sha1",
        base_url: str = DEFAULT_BASE_URL,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Keep the account; the access key is decoded at once, so a malformed one fails here."""
        self._session = session
        self._app_id = app_id
        self._key = decode_access_key(access_key)
        self._sign_method = sign_method
        self._url = base_url.rstrip("/") + DIAL_PATH
        self._clock = clock or time.time
        self.request_timeout = request_timeout

    @property
    def res(self) -> str:
        """The resource that OneNET's signatures name for this application."""
        return f"onenet_voice/{self._app_id}"

    def authorization(self) -> str:
        """Return a fresh Authorization header, valid for a few minutes."""
        et = int(self._clock()) + AUTHORIZATION_LIFETIME
        return authorization(self._key, et=et, method=self._sign_method, res=self.res)

    def verify_callback(self, header: str) -> bool:
        """Whether a callback's Authorization header was made with this application's key."""
        return verify_authorization(header, self._key, res=self.res, now=self._clock())

    async def click_to_dial(
        self,
        caller: str,
        callee: str,
        sponsor: str,
        *,
        display: str | None = None,
        notify_url: str | None = None,
    ) -> DialResult:
        """Call ``caller``; when it answers, bridge it to ``callee``. Sent once, never retried here."""
        body = {"appid": self._app_id, "sponsor": sponsor, "caller": caller, "callee": callee}
        if display:
            body["display"] = display
        if notify_url:
            body["notify_url"] = notify_url
        answer = await self._post(body)
        data = answer.get("data")
        call_id = data.get("call_id") if isinstance(data, dict) else None
        request_id = answer.get("request_id")
        return DialResult(
            call_id=str(call_id) if call_id is not None else None,
            request_id=str(request_id) if request_id is not None else None,
        )

    async def check_credentials(self) -> None:
        """Prove app id and access key with a request that cannot place a call (it has no numbers).

        OneNET refuses it for its parameters once the signature is accepted, and with an
        authentication code otherwise. Any other answer is unexpected and raised as it is.
        """
        try:
            await self._post({"appid": self._app_id})
        except OneNetAuthError:
            raise
        except OneNetRefusedError as err:
            if err.code_no in PARAMETER_CODES:
                return
            raise
        raise ProviderResponseError("OneNET accepted a dial request without numbers")

    async def _post(self, body: dict[str, str]) -> dict[str, Any]:
        headers = {
            "Authorization": self.authorization(),
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json;charset=utf-8",
        }
        _LOGGER.debug("POST %s for app %s", DIAL_PATH, self._app_id)
        try:
            async with asyncio.timeout(self.request_timeout):
                async with self._session.post(
                    self._url, data=json.dumps(body).encode(), headers=headers
                ) as response:
                    status = response.status
                    raw = await response.read()
        except TimeoutError:
            raise ProviderConnectionError(
                f"OneNET did not answer within {self.request_timeout:g} s"
            ) from None
        except aiohttp.ClientError as err:
            raise ProviderConnectionError(f"cannot reach OneNET ({type(err).__name__})") from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ProviderResponseError(f"OneNET answered HTTP {status} without JSON") from None
        if not isinstance(answer, dict) or "code_no" not in answer:
            raise ProviderResponseError(f"OneNET answered HTTP {status} without a result code")
        code_no = str(answer["code_no"])
        if code_no == SUCCESS_CODE:
            return answer
        code = answer.get("code")
        raise refusal(code_no, str(code) if code is not None else None)
