"""Client of OneNET voice's API: click-to-dial and voice notifications (reference sections 1, 2, 4)."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from email.utils import parsedate_to_datetime
import json
import logging
import time
from typing import Any, Final, Literal

import aiohttp

from ..common import SessionClient, answered_id, read_answer
from .auth import authorization, decode_access_key, verify_authorization
from .errors import (
    OneNetAuthError,
    OneNetConnectionError,
    OneNetRefusedError,
    OneNetResponseError,
)
from .generations import GENERATIONS, ApiGeneration
from .models import DEFAULT_SIGN_METHOD, DialResult, SignMethod, VoiceMessage

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
USER_AGENT: Final = "call-bridge-onenet/1.0"
# The Authorization header is a bearer credential until its expiry, so each request gets a short one.
AUTHORIZATION_LIFETIME: Final = 300
# Headers remembered: those this client sent (never accepted back as a callback's), and those
# callbacks carried (each accepted again only for its own call and status).
REMEMBERED_HEADERS: Final = 1024


class OneNetClient(SessionClient):
    """Places calls through one OneNET voice account.

    Generation 1: an application (app id and its access key); generation 2: a user (user id and
    the user's access key).
    """

    def __init__(
        self,
        account: str,
        access_key: str,
        *,
        generation: ApiGeneration = 1,
        session: aiohttp.ClientSession | None = None,
        sign_method: SignMethod = DEFAULT_SIGN_METHOD,
        base_url: str | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Keep the account; the access key is decoded at once, so a malformed one fails here.

        Without a ``session`` the client opens its own at the first request, and closes it in
        ``close`` (or at the end of ``async with``). The API address defaults to the generation's.
        """
        super().__init__(session)
        self._account = account
        self._generation = GENERATIONS[generation]
        self._key = decode_access_key(access_key)
        self._sign_method = sign_method
        self._base_url = (base_url or self._generation.default_base_url).rstrip("/")
        self._clock = clock or time.time
        # OneNET's clock minus ours, learned from the Date header of its answers.
        self.clock_offset = 0.0
        self._sent: OrderedDict[str, None] = OrderedDict()
        self._seen: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self.request_timeout = request_timeout

    @property
    def res(self) -> str:
        """The resource that OneNET's signatures name for this account."""
        return self._generation.res(self._account)

    def now(self) -> float:
        """Return the time by OneNET's clock, as far as its answers have told it."""
        return self._clock() + self.clock_offset

    def authorization(self) -> str:
        """Return a fresh Authorization header, valid for a few minutes; it is remembered as ours."""
        et = int(self.now()) + AUTHORIZATION_LIFETIME
        header = authorization(
            self._key,
            et=et,
            method=self._sign_method,
            res=self.res,
            version=self._generation.auth_version,
        )
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
        fields = {"sponsor": sponsor, "caller": caller, "callee": callee}
        if display:
            fields["display"] = display
        if notify_url:
            fields["notify_url"] = notify_url
        return _dial_result(await self._post("dial", fields))

    async def voice_notify(
        self, number: str, display: str, message: VoiceMessage, *, notify_url: str | None = None
    ) -> DialResult:
        """Call ``number`` from the business number ``display`` and play an approved template.

        Sent once, never retried here. Keys collected arrive with the status callbacks.
        """
        fields: dict[str, Any] = {
            "participant_address": number,
            "display": display,
            "actions": [message.action()],
        }
        if notify_url:
            fields["notify_url"] = notify_url
        return _dial_result(await self._post("notify", fields))

    async def check_credentials(self) -> None:
        """Prove app id and access key with a request that cannot place a call (it has no numbers).

        OneNET refuses it for its parameters once the signature is accepted, and with an
        authentication code otherwise. Any other answer is unexpected and raised as it is.
        """
        try:
            await self._post("dial", {})
        except OneNetAuthError:
            raise
        except OneNetRefusedError as err:
            if self._generation.proves_credentials(err):
                return
            raise
        raise OneNetResponseError("OneNET accepted a dial request without numbers")

    async def _post(
        self, operation: Literal["dial", "notify"], fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Send one signed request within the timeout.

        When OneNET refuses the signature and its Date header shows that our clock was far enough
        off to have expired the header, it is signed again by OneNET's clock and sent once more:
        a refused signature means that nothing was carried out.
        """
        path = self._generation.path(operation)
        body = self._generation.body(self._account, fields)
        try:
            async with asyncio.timeout(self.request_timeout):
                offset = self.clock_offset
                try:
                    return await self._post_once(path, body)
                except OneNetAuthError as err:
                    expired = self._generation.expired_signature
                    if err.code_no != expired or abs(self.clock_offset - offset) < (
                        AUTHORIZATION_LIFETIME / 2
                    ):
                        raise
                _LOGGER.debug(
                    "OneNET's clock is %+.0f s from ours; signing by it", self.clock_offset
                )
                return await self._post_once(path, body)
        except TimeoutError:
            raise OneNetConnectionError(
                f"OneNET did not answer within {self.request_timeout:g} s"
            ) from None

    async def _post_once(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Authorization": self.authorization(),
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json;charset=utf-8",
            "User-Agent": USER_AGENT,
        }
        _LOGGER.debug("POST %s for account %s", path, self._account)
        try:
            async with self._http().post(
                self._base_url + path,
                data=json.dumps(body, ensure_ascii=False).encode(),
                headers=headers,
            ) as response:
                status = response.status
                self._learn_clock(response.headers.get("Date"))
                raw = await read_answer(response)
        except aiohttp.ClientError as err:
            raise OneNetConnectionError(f"cannot reach OneNET ({type(err).__name__})") from None
        if raw is None:
            raise OneNetResponseError("OneNET answered with more than 1 MiB")
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
            raise OneNetResponseError(f"OneNET answered HTTP {status} without JSON") from None
        return self._generation.result(status, answer)

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


def _dial_result(answer: dict[str, Any]) -> DialResult:
    """Return the call id and request id of a successful answer."""
    data = answer.get("data")
    return DialResult(
        call_id=answered_id(
            data.get("call_id") if isinstance(data, dict) else None, "call_id", OneNetResponseError
        ),
        request_id=answered_id(answer.get("request_id"), "request_id", OneNetResponseError),
    )


def _remember[V](memory: OrderedDict[str, V], header: str, value: V) -> None:
    """Keep ``header`` (moved to the newest), and no more than REMEMBERED_HEADERS: the oldest go."""
    memory[header] = value
    memory.move_to_end(header)
    while len(memory) > REMEMBERED_HEADERS:
        memory.popitem(last=False)
