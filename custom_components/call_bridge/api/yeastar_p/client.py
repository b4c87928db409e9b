"""Client of the Yeastar P-Series OpenAPI (``/openapi/v1.0/``; reference yeastar-p-series.md).

Every request sends ``User-Agent: OpenAPI`` and its token as ``?access_token=`` (never logged);
answers are judged by ``errcode``. A request refused with ``10004 TOKEN EXPIRED`` is sent once
more with a renewed token: nothing was carried out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import logging
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from ..common import SessionClient, answered_id, read_answer
from ..telephony import listed_extension
from .errors import (
    YeastarPAuthError,
    YeastarPConnectionError,
    YeastarPRefusedError,
    YeastarPResponseError,
)
from .models import (
    ACCESS_LIFETIME,
    API_PATH,
    DEFAULT_PORT,
    LOGIN_REFUSED,
    REFRESH_LIFETIME,
    SUCCESS,
    USER_AGENT,
    Extension,
    SystemInformation,
    Tokens,
    refuses_the_token,
)
from .tokens import TokenManager

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
PAGE_SIZE: Final = 100
# What custom_prompt/upload takes (reference section 6).
PROMPT_FORMATS: Final = frozenset({"wav", "mp3", "gsm"})
MAX_PROMPT_BYTES: Final = 8 * 1024 * 1024
MAX_PAGES: Final = 50


class YeastarPClient(SessionClient):
    """Talks to one P-Series PBX with a client id and secret (Integrations > API)."""

    def __init__(
        self,
        host: str,
        client_id: str,
        client_secret: str,
        *,
        port: int = DEFAULT_PORT,
        ssl: bool = True,
        verify_ssl: bool = True,
        session: aiohttp.ClientSession | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Keep the PBX's address and the credentials; nothing is sent before the first request."""
        super().__init__(session)
        self._base = URL.build(scheme="https" if ssl else "http", host=host, port=port)
        self._client_id = client_id
        self._client_secret = client_secret
        self._ssl = verify_ssl
        self._clock = clock
        self.request_timeout = request_timeout
        self.tokens = TokenManager(self._get_token, self._refresh_token, clock, request_timeout)

    @property
    def host(self) -> str:
        """The PBX's host, as its URLs name it."""
        return str(self._base.host)

    def subscribe_url(self, token: str) -> URL:
        """Return the WebSocket URL of the PBX's events for ``token`` (ws or wss, as the API)."""
        scheme = "wss" if self._base.scheme == "https" else "ws"
        return (
            self._base.with_scheme(scheme)
            .with_path(f"{API_PATH}/subscribe")
            .with_query(access_token=token)
        )

    @property
    def ssl(self) -> bool:
        """What aiohttp's ``ssl`` takes: whether the PBX's certificate is verified."""
        return self._ssl

    async def system_information(self) -> SystemInformation:
        """Return the PBX's serial, model and firmware."""
        data = (await self._request("GET", "system/information")).get("data")
        if not isinstance(data, dict) or not isinstance(data.get("sn"), str) or not data["sn"]:
            raise YeastarPResponseError("system/information gave no serial number")
        return SystemInformation(
            serial=data["sn"],
            model=_optional_text(data.get("model_name")),
            device_name=_optional_text(data.get("device_name")),
            firmware_version=_optional_text(data.get("firmware_version")),
        )

    async def extensions(self) -> list[Extension]:
        """Return every extension, page by page (a bounded number of pages)."""
        extensions: list[Extension] = []
        for page in range(1, MAX_PAGES + 1):
            answer = await self._request(
                "GET", "extension/list", params={"page": str(page), "page_size": str(PAGE_SIZE)}
            )
            rows = answer.get("data")
            if not isinstance(rows, list):
                break
            extensions.extend(
                Extension(
                    number=number,
                    name=_optional_text(row.get("caller_id_name")),
                    presence=_optional_text(row.get("presence_status")),
                    online=_online(row.get("online_status")),
                )
                for row in rows
                if isinstance(row, dict) and (number := listed_extension(row.get("number")))
            )
            total = answer.get("total_number")
            if len(rows) < PAGE_SIZE or (isinstance(total, int) and len(extensions) >= total):
                break
        return extensions

    async def dial(self, caller: str, callee: str, *, auto_answer: bool = False) -> str | None:
        """Ring ``caller``, then ``callee`` (an extension or an outside number); return the call id.

        Sent once: failures of the call itself arrive as events (30015).
        """
        answer = await self._request(
            "POST",
            "call/dial",
            body={"caller": caller, "callee": callee, "auto_answer": _yes(auto_answer)},
        )
        return answered_id(answer.get("call_id"), "call_id", YeastarPResponseError)

    async def play_prompt(
        self, number: str, prompts: tuple[str, ...], *, auto_answer: bool = False
    ) -> str | None:
        """Call ``number`` and play custom prompts to it, in order; return the call id."""
        answer = await self._request(
            "POST",
            "call/play_prompt",
            body={
                "number": number,
                "prompts": list(prompts),
                "count": 1,
                "auto_answer": _yes(auto_answer),
            },
        )
        return answered_id(answer.get("call_id"), "call_id", YeastarPResponseError)

    async def upload_prompt(self, name: str, extension: str, audio: bytes) -> None:
        """Upload ``audio`` (wav, mp3 or gsm, up to 8 MB) as the custom prompt ``name``, replacing one."""
        if extension not in PROMPT_FORMATS or len(audio) > MAX_PROMPT_BYTES:
            raise YeastarPResponseError("a custom prompt is wav, mp3 or gsm audio of up to 8 MB")
        form = aiohttp.FormData()
        form.add_field("is_check", "force")
        form.add_field("file", audio, filename=f"{name}.{extension}")
        await self._request("POST", "custom_prompt/upload", form=form)

    async def hangup(self, channel_id: str) -> None:
        """End one leg of a call, by its channel id (from the call's events)."""
        await self._request("POST", "call/hangup", body={"channel_id": channel_id})

    async def close(self) -> None:
        """Give the token back (the PBX allows only a few at once), then close an own session.

        Never longer than the request timeout: an unload does not wait on a PBX that is gone.
        """
        token = self.tokens.current
        if token is not None:
            self.tokens.tokens = None
            try:
                async with asyncio.timeout(self.request_timeout):
                    await self._send("GET", "del_token", token, None, None)
            except TimeoutError:
                _LOGGER.debug("Could not give the token back: no answer in time")
            except (YeastarPConnectionError, YeastarPResponseError, YeastarPRefusedError) as err:
                _LOGGER.debug("Could not give the token back: %s", err)
        await super().close()

    async def _get_token(self) -> Tokens:
        """Ask for a token with the client id and secret (the secret goes as ``password``)."""
        try:
            answer = await self._send(
                "POST",
                "get_token",
                None,
                None,
                {"username": self._client_id, "password": self._client_secret},
            )
        except YeastarPRefusedError as err:
            if err.errcode == LOGIN_REFUSED:
                raise YeastarPAuthError(err.errcode, err.errmsg) from None
            raise
        return self._tokens_of(answer)

    async def _refresh_token(self, refresh_token: str) -> Tokens:
        answer = await self._send(
            "POST", "refresh_token", None, None, {"refresh_token": refresh_token}
        )
        return self._tokens_of(answer)

    def _tokens_of(self, answer: dict[str, Any]) -> Tokens:
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise YeastarPResponseError("the PBX gave no token")
        now = self._clock()
        access_life = _seconds(answer.get("access_token_expire_time"), ACCESS_LIFETIME)
        refresh_life = _seconds(answer.get("refresh_token_expire_time"), REFRESH_LIFETIME)
        return Tokens(
            access_token=access,
            renew_at=now + access_life * 5 / 6,
            access_expires=now + access_life,
            refresh_token=refresh,
            refresh_expires=now + refresh_life,
        )

    async def _request(
        self,
        method: str,
        endpoint: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        form: aiohttp.FormData | None = None,
    ) -> dict[str, Any]:
        """Send one request with the current token, within the timeout (renewal included)."""
        payload: dict[str, Any] | aiohttp.FormData | None = form if form is not None else body
        try:
            async with asyncio.timeout(self.request_timeout):
                token = await self.tokens.access_token()
                try:
                    return await self._send(method, endpoint, token, params, payload)
                except YeastarPRefusedError as err:
                    if not refuses_the_token(err.errcode, err.errmsg):
                        raise
                self.tokens.expire(token)
                token = await self.tokens.access_token()
                return await self._send(method, endpoint, token, params, payload)
        except TimeoutError:
            raise YeastarPConnectionError(
                f"the PBX did not answer within {self.request_timeout:g} s"
            ) from None

    async def _send(
        self,
        method: str,
        endpoint: str,
        token: str | None,
        params: dict[str, str] | None,
        body: dict[str, Any] | aiohttp.FormData | None,
    ) -> dict[str, Any]:
        query = dict(params or {})
        if token is not None:
            query["access_token"] = token
        url = self._base.with_path(f"{API_PATH}/{endpoint}").with_query(query)
        headers = {"User-Agent": USER_AGENT}
        data: bytes | aiohttp.FormData | None = None
        if isinstance(body, aiohttp.FormData):
            data = body  # multipart: aiohttp sets its Content-Type with the boundary
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        _LOGGER.debug("%s %s to %s", method, endpoint, self.host)
        try:
            async with self._http().request(
                method, url, data=data, headers=headers, ssl=self._ssl
            ) as response:
                status = response.status
                raw = await read_answer(response)
        except aiohttp.ClientError as err:
            raise YeastarPConnectionError(f"cannot reach the PBX ({type(err).__name__})") from None
        if raw is None:
            raise YeastarPResponseError("the PBX answered with more than 1 MiB")
        try:
            answer = json.loads(raw)
        except (ValueError, RecursionError):
            raise YeastarPResponseError(f"the PBX answered HTTP {status} without JSON") from None
        if not isinstance(answer, dict) or isinstance(answer.get("errcode"), bool):
            raise YeastarPResponseError(f"the PBX answered HTTP {status} without a result")
        errcode = answer.get("errcode")
        if not isinstance(errcode, int):
            raise YeastarPResponseError(f"the PBX answered HTTP {status} without a result")
        if errcode != SUCCESS:
            raise YeastarPRefusedError(errcode, str(answer.get("errmsg", ""))[:64])
        return answer


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _optional_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    text = str(value)
    return text if len(text) <= 128 and text.isprintable() else None


def _online(value: Any) -> bool | None:
    """Whether a phone or Linkus client of an extension is signed in; None when not told.

    ``online_status`` holds one ``{"status": 0 | 1}`` per kind of client (sip_phone, linkus_...).
    """
    if not isinstance(value, dict) or not value:
        return None
    statuses = [
        client.get("status") if isinstance(client, dict) else None for client in value.values()
    ]
    if any(status == 1 and type(status) is int for status in statuses):  # True is not 1 here
        return True
    return False if all(status == 0 and type(status) is int for status in statuses) else None


def _seconds(value: Any, default: int) -> int:
    """Return a lifetime in seconds as the answer gives it, else the documented one."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 7 * 86400:
        return value
    return default
