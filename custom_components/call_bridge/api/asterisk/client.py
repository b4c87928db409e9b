"""Client of Asterisk's REST interface, ARI (``/ari/``; reference asterisk-ari.md).

The ARI user's password travels only in the ``Authorization`` header (HTTP basic), never in a URL
(ARI would take it as ``?api_key=``): URLs end up in logs and exceptions, headers do not.
Answers are JSON; an error is an HTTP status with ``{"message": ...}`` (or ``{"error": ...}``).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any, Final
import uuid

import aiohttp
from yarl import URL

from ..common import SessionClient, answered_id, read_answer, valid_id
from .errors import (
    AsteriskAuthError,
    AsteriskConnectionError,
    AsteriskRefusedError,
    AsteriskResponseError,
)
from .models import (
    DEFAULT_APP,
    DEFAULT_CONTEXT,
    DEFAULT_PORT,
    DEFAULT_TECHNOLOGY,
    AsteriskInfo,
    Endpoint,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
# Seconds Asterisk rings the first phone before it gives up (the escalation may hang up sooner).
RING_SECONDS: Final = 60
MAX_TEXT: Final = 128
# A phone asked to answer by itself: the header PJSIP phones (and FreePBX's intercom) honour.
AUTO_ANSWER_VARIABLES: Final = {
    "PJSIP_HEADER(add,Call-Info)": "answer-after=0",
    "PJSIP_HEADER(add,Alert-Info)": "info=alert-autoanswer",
}


class AriClient(SessionClient):
    """Talks to one Asterisk with an ARI user (ari.conf, or FreePBX's Advanced Settings)."""

    def __init__(
        self,
        host: str,
        username: str,
        password: str,
        *,
        port: int = DEFAULT_PORT,
        ssl: bool = False,
        verify_ssl: bool = True,
        app: str = DEFAULT_APP,
        context: str = DEFAULT_CONTEXT,
        technology: str = DEFAULT_TECHNOLOGY,
        session: aiohttp.ClientSession | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep Asterisk's address, the ARI user, and where calls are dialled."""
        super().__init__(session)
        self._base = URL.build(scheme="https" if ssl else "http", host=host, port=port)
        credentials = base64.b64encode(f"{username}:{password}".encode()).decode()
        self._authorization = f"Basic {credentials}"
        self._ssl = verify_ssl
        self.app = app
        self.context = context
        self.technology = technology
        self.request_timeout = request_timeout

    @property
    def host(self) -> str:
        """Asterisk's host, as its URLs name it."""
        return str(self._base.host)

    @property
    def ssl(self) -> bool:
        """What aiohttp's ``ssl`` takes: whether Asterisk's certificate is verified."""
        return self._ssl

    @property
    def headers(self) -> dict[str, str]:
        """The headers of every request: the ARI user and its password."""
        return {"Authorization": self._authorization}

    def events_url(self) -> URL:
        """Return the WebSocket URL of the application's events, and every other channel's."""
        scheme = "wss" if self._base.scheme == "https" else "ws"
        return (
            self._base.with_scheme(scheme)
            .with_path("/ari/events")
            .with_query(app=self.app, subscribeAll="true")
        )

    def endpoint(self, number: str) -> str:
        """Return the endpoint of an extension (``PJSIP/101``)."""
        return f"{self.technology}/{number}"

    async def info(self) -> AsteriskInfo:
        """Return Asterisk's version and system id (``/asterisk/info``)."""
        answer = await self._request("GET", "asterisk/info")
        system = answer.get("system") if isinstance(answer, dict) else None
        version = _text(system.get("version")) if isinstance(system, dict) else None
        system_id = _text(system.get("entity_id")) if isinstance(system, dict) else None
        if version is None or system_id is None:
            raise AsteriskResponseError("asterisk/info gave no version or system id")
        return AsteriskInfo(version=version, system_id=system_id)

    async def endpoints(self) -> list[Endpoint]:
        """Return the endpoints of the entry's technology: extensions' phones, and trunks."""
        answer = await self._request("GET", f"endpoints/{self.technology}")
        if not isinstance(answer, list):
            raise AsteriskResponseError("endpoints gave no list")
        return [endpoint for row in answer if (endpoint := _endpoint(row)) is not None]

    async def channels_of(self, number: str) -> tuple[str, ...]:
        """Return the channels an extension's phone is on now."""
        answer = await self._request("GET", f"endpoints/{self.endpoint(number)}")
        endpoint = _endpoint(answer)
        if endpoint is None:
            raise AsteriskResponseError("the endpoint's answer is no endpoint")
        return endpoint.channel_ids

    @staticmethod
    def new_call_id() -> str:
        """Return the id of a channel about to be created: its events can come before the answer."""
        return f"call_bridge-{uuid.uuid4().hex}"

    async def dial(
        self,
        call_id: str,
        caller: str,
        callee: str,
        *,
        caller_id: str | None = None,
        auto_answer: bool = False,
    ) -> str:
        """Ring extension ``caller``; once it answers, the dialplan's ``context`` dials ``callee``.

        The channel is created with ``call_id``, which its events name.
        """
        params = {
            "endpoint": self.endpoint(caller),
            "extension": callee,
            "context": self.context,
            "priority": "1",
        }
        return await self._originate(call_id, params, caller_id or callee, auto_answer)

    async def call_into_app(self, call_id: str, number: str, *, auto_answer: bool = False) -> str:
        """Ring extension ``number``; once it answers, its channel enters the application."""
        params = {"endpoint": self.endpoint(number), "app": self.app, "appArgs": "message"}
        return await self._originate(call_id, params, None, auto_answer)

    async def play(self, channel_id: str, media: tuple[str, ...], playback_id: str) -> None:
        """Play ``media`` (``sound:name`` or ``sound:http://…``) on a channel in the application."""
        await self._request(
            "POST",
            f"channels/{channel_id}/play",
            params={"media": ",".join(media), "playbackId": playback_id},
        )

    async def hangup(self, channel_id: str) -> None:
        """Hang a channel up, in the application or not."""
        await self._request("DELETE", f"channels/{channel_id}")

    async def _originate(
        self, call_id: str, params: dict[str, str], caller_id: str | None, auto_answer: bool
    ) -> str:
        query = params | {"channelId": call_id, "timeout": str(RING_SECONDS)}
        if caller_id is not None:
            query["callerId"] = caller_id
        body = {"variables": AUTO_ANSWER_VARIABLES} if auto_answer else None
        answer = await self._request("POST", "channels", params=query, body=body)
        channel_id = answered_id(
            answer.get("id") if isinstance(answer, dict) else None, "id", AsteriskResponseError
        )
        if channel_id is None:
            raise AsteriskResponseError("the new channel has no id")
        return channel_id

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> Any:
        """Send one request within the timeout; return its JSON (None for an empty answer)."""
        url = self._base.with_path(f"/ari/{path}").with_query(params or {})
        headers = self.headers
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body).encode()
            headers = headers | {"Content-Type": "application/json"}
        _LOGGER.debug("%s %s to %s", method, path.split("/", 1)[0], self.host)
        try:
            async with (
                asyncio.timeout(self.request_timeout),
                self._http().request(
                    method, url, data=data, headers=headers, ssl=self._ssl
                ) as response,
            ):
                status = response.status
                raw = await read_answer(response)
        except TimeoutError:
            raise AsteriskConnectionError(
                f"Asterisk did not answer within {self.request_timeout:g} s"
            ) from None
        except aiohttp.ClientError as err:
            raise AsteriskConnectionError(f"cannot reach Asterisk ({type(err).__name__})") from None
        if raw is None:
            raise AsteriskResponseError("Asterisk answered with more than 1 MiB")
        try:
            answer = json.loads(raw) if raw.strip() else None
        except (ValueError, RecursionError):
            if 200 <= status < 300:
                raise AsteriskResponseError(
                    f"Asterisk answered HTTP {status} without JSON"
                ) from None
            answer = None  # an error's words from something in front of ARI: its status says it
        if status in (401, 403):
            raise AsteriskAuthError(status, _message(answer))
        if not 200 <= status < 300:
            raise AsteriskRefusedError(status, _message(answer))
        return answer


def _message(answer: Any) -> str:
    """Return what an error answer says (``message``, or ``error``), bounded."""
    if isinstance(answer, dict):
        for key in ("message", "error"):
            if (text := _text(answer.get(key))) is not None:
                return text
    return ""


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if len(value) <= MAX_TEXT and value.isprintable() else None


def _endpoint(row: Any) -> Endpoint | None:
    """Return an endpoint of ``/endpoints``, or None for anything else."""
    if not isinstance(row, dict):
        return None
    technology, resource, state = (
        _text(row.get("technology")),
        _text(row.get("resource")),
        _text(row.get("state")),
    )
    channels = row.get("channel_ids")
    if technology is None or resource is None or state is None or not isinstance(channels, list):
        return None
    return Endpoint(
        technology=technology,
        resource=resource,
        state=state,
        channel_ids=tuple(channel for value in channels if (channel := valid_id(value))),
    )
