"""Client for China Mobile OneNET voice (VCS) click-to-dial, first-generation API."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
import hashlib
import hmac
import json
import logging
import time
from typing import Any, Final, Literal
from urllib.parse import quote, unquote

import aiohttp

from .answers import read_answer
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
# A callback's header may expire at most a day ahead (OneNET documents no lifetime), and clocks may
# be an hour apart either way; headers outside that window are refused.
CALLBACK_MAX_LIFETIME: Final = 24 * 3600
CLOCK_SKEW: Final = 3600
# Headers remembered: those this client sent (never accepted back as a callback's), and those
# callbacks carried (each accepted again only for its own call and status).
REMEMBERED_HEADERS: Final = 1024
# OneNET issues 32-byte keys; anything much shorter is a copying mistake, not a key.
MIN_KEY_BYTES: Final = 16
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
        # OneNET's clock minus ours, learned from the Date header of its answers.
        self.clock_offset = 0.0
        self._sent: OrderedDict[str, None] = OrderedDict()
        self._seen: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self.request_timeout = request_timeout

    @property
    def res(self) -> str:
        """The resource that OneNET's signatures name for this application."""
        return f"onenet_voice/{self._app_id}"

    def now(self) -> float:
        """Return the time by OneNET's clock, as far as its answers have told it."""
        return self._clock() + self.clock_offset

    def authorization(self) -> str:
        """Return a fresh Authorization header, valid for a few minutes; it is remembered as ours."""
        et = int(self.now()) + AUTHORIZATION_LIFETIME
        header = authorization(self._key, et=et, method=self._sign_method, res=self.res)
        _remember(self._sent, header, None)
        return header

    def verify_callback(self, header: str, *binding: str) -> bool:
        """Whether a callback's header was made with this application's key, for this callback.

        ``binding`` names what the callback reports (its call and status): a header seen before is
        accepted again only for the same one, and no header this client sent is accepted at all.
        """
        if (
            not header
            or header in self._sent
            or not verify_authorization(header, self._key, res=self.res, now=self.now())
        ):
            return False
        first = self._seen.get(header)
        if first is not None:
            return first == binding
        _remember(self._seen, header, binding)
        return True

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
        """Send one signed request within the timeout.

        When OneNET refuses the signature and its Date header shows that our clock was far enough
        off to have expired the header, it is signed again by OneNET's clock and sent once more:
        a refused signature means that nothing was carried out.
        """
        try:
            async with asyncio.timeout(self.request_timeout):
                offset = self.clock_offset
                try:
                    return await self._post_once(body)
                except OneNetAuthError as err:
                    if err.code_no != "000015" or abs(self.clock_offset - offset) < (
                        AUTHORIZATION_LIFETIME / 2
                    ):
                        raise
                _LOGGER.debug(
                    "OneNET's clock is %+.0f s from ours; signing by it", self.clock_offset
                )
                return await self._post_once(body)
        except TimeoutError:
            raise ProviderConnectionError(
                f"OneNET did not answer within {self.request_timeout:g} s"
            ) from None

    async def _post_once(self, body: dict[str, str]) -> dict[str, Any]:
        headers = {
            "Authorization": self.authorization(),
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json;charset=utf-8",
        }
        _LOGGER.debug("POST %s for app %s", DIAL_PATH, self._app_id)
        try:
            async with self._session.post(
                self._url, data=json.dumps(body).encode(), headers=headers
            ) as response:
                status = response.status
                self._learn_clock(response.headers.get("Date"))
                raw = await read_answer(response, "OneNET")
        except aiohttp.ClientError as err:
            raise ProviderConnectionError(f"cannot reach OneNET ({type(err).__name__})") from None
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            raise ProviderResponseError(f"OneNET answered HTTP {status} without JSON") from None
        if not isinstance(answer, dict) or "code_no" not in answer:
            raise ProviderResponseError(f"OneNET answered HTTP {status} without a result code")
        code_no = str(answer["code_no"])
        if code_no == SUCCESS_CODE:
            if not 200 <= status < 300:
                raise ProviderResponseError(f"OneNET answered HTTP {status} with a success code")
            return answer
        code = answer.get("code")
        raise refusal(code_no, str(code) if code is not None else None)

    def _learn_clock(self, date: str | None) -> None:
        """Follow OneNET's clock, as its Date header tells it (to the second)."""
        if date is None:
            return
        try:
            theirs = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        offset = theirs - self._clock()
        if abs(offset) < 5:  # the header's resolution and the time in transit
            offset = 0.0
        self.clock_offset = offset


def _remember[V](memory: OrderedDict[str, V], header: str, value: V) -> None:
    """Keep ``header`` (moved to the newest), and no more than REMEMBERED_HEADERS: the oldest go."""
    memory[header] = value
    memory.move_to_end(header)
    while len(memory) > REMEMBERED_HEADERS:
        memory.popitem(last=False)
