"""Client of the HTTP API of OpenVox UC (``/api/v0.0.1/``) and Yeastar S-Series (``/api/v1.1.0/``) PBXs.

OpenVox's API derives from Yeastar's S-Series one: the same requests, answers and errnos.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import hashlib
import ipaddress
import json
import logging
import socket
import time
from typing import Any, Final

import aiohttp
from yarl import URL

from ..common import SessionClient, answered_id, read_answer
from ..telephony import listed_extension
from .codec import decode_json, decode_xml, encode_xml
from .errors import (
    PbxAuthError,
    PbxConnectionError,
    PbxLockedOutError,
    PbxLoginRefusedError,
    PbxRefusedError,
    PbxResponseError,
)
from .models import (
    DEFAULT_API_VERSION,
    DEFAULT_PAYLOAD_FORMAT,
    DEFAULT_PORT,
    ERRNO_MEANINGS,
    LOCKOUT_SECONDS,
    MANUFACTURERS,
    REPORT_PORT,
    TOKEN_ERRNOS,
    ApiVersion,
    PayloadFormat,
    PbxDeviceInfo,
    PbxExtension,
    refusal,
)
from .reports import REPORT_VERSION

_LOGGER = logging.getLogger(__name__)

DEFAULT_TIMEOUT: Final = 10.0
USER_AGENT: Final = "call-bridge-yeastar-s/1.0"


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class PbxClient(SessionClient):
    """Talks to one PBX, with a static API token or by logging in as an API user.

    With an API user the client logs in on first use, sends the MD5 of the password, and logs in again
    once when the PBX says the token is unknown or expired. Requests that need a login meanwhile share
    that one attempt. A refused login is never repeated by this client (the PBX locks the address
    out after five failures); new credentials mean a new client, and ``login_fingerprint`` lets the
    caller remember a refusal beyond it. While the PBX says it has locked the address out, no login
    is tried for ``LOCKOUT_SECONDS``. No request, login included, takes longer than the timeout.
    """

    def __init__(
        self,
        host: str,
        *,
        session: aiohttp.ClientSession | None = None,
        port: int = DEFAULT_PORT,
        use_ssl: bool = False,
        api_version: ApiVersion = DEFAULT_API_VERSION,
        payload_format: PayloadFormat = DEFAULT_PAYLOAD_FORMAT,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        source_address: Callable[[str], Awaitable[str | None]] | None = None,
        report_port: int | None = None,
        report_path: str | None = None,
    ) -> None:
        """Keep the connection settings; nothing is sent before the first request.

        Without a ``session`` the client opens its own at the first request, and closes it in
        ``close`` (or at the end of ``async with``). Reports go to ``report_path`` on
        ``report_port`` of the local address that reaches the PBX, as told at login and at every
        heartbeat. ``source_address`` finds the local address on the route to an IP address (the heartbeat
        tells it to the PBX); by default a connected UDP socket tells it.
        """
        if (token is None) == (username is None and password is None):
            raise ValueError("give either a token, or a username and a password")
        if token is None and (username is None or password is None):
            raise ValueError("a username needs a password")
        super().__init__(session)
        self._host = host
        self._port = port
        self._scheme = "https" if use_ssl else "http"
        self._api_version = api_version
        self._payload_format = payload_format
        self._token = token
        self._username = username
        self._password_md5 = (
            hashlib.md5(password.encode(), usedforsecurity=False).hexdigest()
            if password is not None
            else None
        )
        self._login: asyncio.Task[str] | None = None
        self._login_refusal: PbxLoginRefusedError | None = None
        self._clock = clock
        self._locked_out: tuple[PbxLockedOutError, float] | None = None
        self._find_source_address = source_address or udp_source_address
        self._report_port = report_port
        self._report_path = report_path
        content_type = "xml" if payload_format == "xml" else "json"
        self._headers = {
            "Content-Type": f"application/{content_type}; charset=utf-8",
            "User-Agent": USER_AGENT,
        }
        self._urls: dict[tuple[str, str | None], URL] = {}
        self._urls_token: str | None = None
        self.request_timeout = request_timeout

    @property
    def logs_in(self) -> bool:
        """Whether the client logs in as an API user (rather than using a static token)."""
        return self._username is not None

    @property
    def reports(self) -> bool:
        """Whether the PBX is told where to post its reports (at login: API users only)."""
        return self.logs_in and self._report_port is not None and self._report_path is not None

    @property
    def login_fingerprint(self) -> str | None:
        """A digest of address, user and password, to remember a refused login by; None with a token."""
        if self._username is None:
            return None
        text = f"{self._host}\n{self._port}\n{self._username}\n{self._password_md5}"
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def manufacturer(self) -> str:
        """OpenVox or Yeastar, by the API version they publish."""
        return MANUFACTURERS[self._api_version]

    async def identify(self) -> PbxDeviceInfo | None:
        """Check host and credentials; return the PBX's identity when it tells it.

        ``deviceinfo/query`` is tried first; firmware that does not know it is checked with the
        harmless ``extensionlist/query`` instead, and then the identity is unknown.
        """
        try:
            return await self.device_info()
        except (PbxAuthError, PbxLockedOutError):
            raise
        except (PbxRefusedError, PbxResponseError) as err:
            _LOGGER.debug("deviceinfo/query failed (%s), trying extensionlist/query", err)
        await self.extensions()
        return None

    async def device_info(self) -> PbxDeviceInfo:
        """Query model, serial and versions."""
        answer = await self._request("deviceinfo/query")
        info = answer.get("deviceinfo")
        if not isinstance(info, dict):
            raise PbxResponseError("the PBX answered deviceinfo/query without deviceinfo")
        return PbxDeviceInfo(
            model=_text(info.get("devicename")),
            serial=_text(info.get("sn")),
            hardware_version=_text(info.get("hardwarever")),
            firmware_version=_text(info.get("firmwarever")),
        )

    async def extensions(self) -> list[PbxExtension]:
        """List the extensions and their states."""
        answer = await self._request("extensionlist/query")
        rows = answer.get("extlist", [])
        if not isinstance(rows, list):
            raise PbxResponseError("the PBX answered extensionlist/query without extlist")
        return [
            PbxExtension(
                number=number, status=_text(row.get("status")), kind=_text(row.get("type"))
            )
            for row in rows
            if isinstance(row, dict) and (number := listed_extension(row.get("extnumber")))
        ]

    async def dial_extension(
        self, caller: str, callee: str, *, autoanswer: bool = False
    ) -> str | None:
        """Ring ``caller``; when it answers, ring ``callee``. Return the PBX's call id if it gives one.

        Sent once: only a token refusal, which means no call was placed, is sent again after a login.
        """
        answer = await self._request(
            "extension/dial_extension",
            {"caller": caller, "callee": callee, "autoanswer": "yes" if autoanswer else "no"},
        )
        return answered_id(answer.get("callid"), "callid", PbxResponseError)

    async def dial_outbound(
        self, extension: str, number: str, *, autoanswer: bool = False
    ) -> str | None:
        """Ring ``extension``; when it answers, call the outside ``number`` through the PBX's routes.

        Return the PBX's call id if it gives one. Sent once, as ``dial_extension`` is.
        """
        answer = await self._request(
            "extension/dial_outbound",
            {"extid": extension, "outto": number, "autoanswer": "yes" if autoanswer else "no"},
        )
        return answered_id(answer.get("callid"), "callid", PbxResponseError)

    async def play_prompt(
        self, extension: str, prompts: tuple[str, ...], *, autoanswer: bool = False
    ) -> str | None:
        """Ring ``extension`` and play System Recordings to it, in order; return the PBX's call id.

        Sent once, as ``dial_extension`` is.
        """
        answer = await self._request(
            "extension/playprompt",
            {
                "extid": extension,
                "prompt": "+".join(prompts),
                "autoanswer": "yes" if autoanswer else "no",
            },
        )
        return answered_id(answer.get("callid"), "callid", PbxResponseError)

    async def hangup(self, extension: str) -> None:
        """End the call ``extension`` is in (the PBX hangs up by extension, not by call id)."""
        await self._request("extension/hangup", {"extid": extension})

    async def heartbeat(self) -> None:
        """Keep the token alive: the PBX forgets a token after 30 minutes without traffic.

        The vendors' documents mark ``ipaddr`` (Home Assistant's address, as the PBX reaches it) and
        ``port`` required.
        """
        address = await self._source_address()
        fields = {"ipaddr": address} if address is not None else {}
        await self._request("heartbeat", fields | self._report_destination(address))

    async def logout(self) -> None:
        """End a session this client logged in; a static token is left alone, it is the user's."""
        if not self.logs_in or self._token is None:
            return
        token, self._token = self._token, None
        try:
            async with asyncio.timeout(self.request_timeout):
                await self._post("logout", {}, token=token)
        except TimeoutError:
            _LOGGER.debug("Logout timed out, the token expires by itself")
        except (PbxConnectionError, PbxResponseError, PbxRefusedError) as err:
            _LOGGER.debug("Logout failed, the token expires by itself: %s", err)

    async def close(self) -> None:
        """End the session this client logged in, and close the HTTP session it opened."""
        await self.logout()
        await super().close()

    def _report_destination(self, address: str | None) -> dict[str, str]:
        """Where the PBX is to post its reports: ``report_port`` and ``report_path`` at ``address``.

        Without a destination the documented default port is given (login and heartbeat require
        one), and the PBX posts where nothing listens.
        """
        if self._report_port is None or self._report_path is None or address is None:
            return {"port": REPORT_PORT}
        host = f"[{address}]" if ":" in address else address
        return {
            "port": str(self._report_port),
            "url": f"{host}:{self._report_port}{self._report_path}",
            "urltag": "1",
        }

    async def _source_address(self) -> str | None:
        """Return the local address on the route to the PBX, or None when there is none."""
        try:
            target = str(ipaddress.ip_address(self._host))
        except ValueError:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    self._host, self._port, type=socket.SOCK_DGRAM
                )
            except OSError as err:
                _LOGGER.debug("Cannot resolve %s (%s)", self._host, err)
                return None
            target = str(infos[0][4][0])
        return await self._find_source_address(target)

    async def _request(self, path: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
        """Send one request, logging in first if needed, all within the timeout."""
        try:
            async with asyncio.timeout(self.request_timeout):
                return await self._request_with_token(path, fields or {})
        except TimeoutError:
            raise self._no_answer("") from None

    def _no_answer(self, what: str) -> PbxConnectionError:
        return PbxConnectionError(
            f"the PBX at {self._host}:{self._port} did not answer {what}"
            f"within {self.request_timeout:g} s"
        )

    async def _request_with_token(self, path: str, fields: dict[str, str]) -> dict[str, Any]:
        token = await self._current_token()
        try:
            return await self._post(path, fields, token=token)
        except PbxAuthError as err:
            if not self.logs_in or err.errno not in TOKEN_ERRNOS:
                raise
            _LOGGER.debug("The PBX no longer knows the token (%s); logging in again", err.errno)
        # The request was refused for its token, so nothing was carried out: one login, one resend.
        if self._token == token:
            self._token = None
        token = await self._current_token()
        return await self._post(path, fields, token=token)

    async def _current_token(self) -> str:
        """Return the token; every request that needs a login meanwhile awaits the same one."""
        if self._token is not None:
            return self._token
        if self._login is None:
            self._login = asyncio.get_running_loop().create_task(self._log_in())
            self._login.add_done_callback(self._login_done)
        # Shielded: a request that gives up (its timeout) does not cancel the others' login.
        return await asyncio.shield(self._login)

    def _login_done(self, attempt: asyncio.Task[str]) -> None:
        """Keep the token a login got; its failure reaches every request that awaited it."""
        self._login = None
        if not attempt.cancelled() and attempt.exception() is None:
            self._token = attempt.result()

    async def _log_in(self) -> str:
        if self._login_refusal is not None:
            raise self._login_refusal
        if self._locked_out is not None:
            lockout, until = self._locked_out
            if self._clock() < until:
                raise lockout
            self._locked_out = None
        assert self._username is not None
        assert self._password_md5 is not None
        try:
            async with asyncio.timeout(self.request_timeout):
                answer = await self._post(
                    "login",
                    {
                        "username": self._username,
                        "password": self._password_md5,
                    }
                    | self._report_destination(await self._source_address())
                    | {"version": REPORT_VERSION},
                    token=None,
                )
        except TimeoutError:
            raise self._no_answer("the login ") from None
        except PbxLockedOutError as err:
            self._locked_out = (err, self._clock() + LOCKOUT_SECONDS)
            raise
        except PbxRefusedError as err:
            # Any refused login counts towards the PBX's lockout, whatever its errno says.
            self._login_refusal = PbxLoginRefusedError(
                err.errno, err.meaning, documented=err.errno in ERRNO_MEANINGS
            )
            raise self._login_refusal from None
        token = _text(answer.get("token"))
        if token is None:
            raise PbxResponseError("the PBX answered the login without a token")
        return token

    def _url(self, path: str, token: str | None) -> URL:
        """Return the URL of an API request, built once per path and token."""
        url = self._urls.get((path, token))
        if url is None:
            # The documented order: ?token=...&type=json (login has no token yet).
            query = {} if token is None else {"token": token}
            query["type"] = self._payload_format
            url = URL.build(
                scheme=self._scheme,
                host=self._host,
                port=self._port,
                path=f"/api/{self._api_version}/{path}",
                query=query,
            )
            if token != self._urls_token:  # a new token: the old one's URLs are of no more use
                self._urls, self._urls_token = {}, token
            self._urls[(path, token)] = url
        return url

    async def _post(
        self, path: str, fields: dict[str, str], *, token: str | None
    ) -> dict[str, Any]:
        # Every request carries a body, so that no HTTP library sends application/octet-stream
        # (errno 20000: "only JSON").
        data = encode_xml(fields) if self._payload_format == "xml" else json.dumps(fields).encode()
        _LOGGER.debug("POST %s to %s:%s", path, self._host, self._port)
        try:
            async with self._http().post(
                self._url(path, token), data=data, headers=self._headers
            ) as response:
                status = response.status
                raw = await read_answer(response)
        except aiohttp.ClientError as err:
            # Not chained: aiohttp's exceptions carry the URL, and with it the token.
            raise PbxConnectionError(
                f"cannot reach the PBX at {self._host}:{self._port} ({type(err).__name__})"
            ) from None
        if raw is None:
            raise PbxResponseError(f"the PBX answered {path} with more than 1 MiB")
        if status != 200:
            raise PbxResponseError(f"the PBX answered {path} with HTTP {status}")
        answer = decode_xml(raw) if self._payload_format == "xml" else decode_json(raw)
        if answer.get("status") == "Success":
            return answer
        if answer.get("status") == "Failed":
            raise refusal(str(answer.get("errno", "")))
        raise PbxResponseError(f"the PBX answered {path} without a status")


async def udp_source_address(target: str) -> str | None:
    """Return the local address on the route to ``target`` (a connected UDP socket sends nothing)."""
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect((target, DEFAULT_PORT))
            return str(probe.getsockname()[0])
    except OSError as err:
        _LOGGER.debug("No route to %s (%s)", target, err)
        return None
