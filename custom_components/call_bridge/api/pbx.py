"""Client for the HTTP API of OpenVox UC (``/api/v0.0.1/``) and Yeastar S-Series (``/api/v1.1.0/``) PBXs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import hashlib
import ipaddress
import json
import logging
import re
import socket
import time
from typing import Any, Final, Literal
from xml.etree.ElementTree import Element, ParseError
from xml.sax.saxutils import escape

import aiohttp
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from yarl import URL

from .answers import read_answer
from .errors import (
    PbxAuthError,
    PbxLockedOutError,
    PbxLoginRefusedError,
    PbxRefusedError,
    ProviderConnectionError,
    ProviderResponseError,
)

_LOGGER = logging.getLogger(__name__)

type ApiVersion = Literal["v0.0.1", "v1.1.0"]
type PayloadFormat = Literal["json", "xml"]

DEFAULT_PORT: Final = 9011
DEFAULT_TIMEOUT: Final = 10.0
# Login and heartbeat require a report port. Call Bridge does not listen to PBX reports; the documented
# default report port is harmless (the PBX only tries to post reports there).
REPORT_PORT: Final = "8260"

# Yeastar's table (the only one published; OpenVox has none), plus the login answer of OpenVox's example.
ERRNO_MEANINGS: Final[dict[str, str]] = {
    "10002": "unsupported XML data packet format",
    "10003": "unsupported API request",
    "10004": "a required parameter is blank",
    "10006": "the extension does not exist",
    "10007": "the call does not exist",
    "10008": "the extension is not idle (busy)",
    "10009": "the extension does not allow being monitored",
    "10010": "the monitor mode does not match",
    "10011": "the called number does not exist",
    "10012": "the IVR does not exist",
    "10013": "the queue does not exist",
    "10014": "the ring group does not exist",
    "10015": "the call is not connected",
    "10016": "accepting or refusing the call timed out",
    "10017": "extension configuration failed",
    "10018": "IVR configuration failed",
    "10019": "queue configuration failed",
    "10020": "adding or modifying the alarm failed",
    "10021": "the alarm does not exist",
    "10022": "the alarm already exists",
    "10023": "the audio file does not exist",
    "10024": "the extension has no outbound-call permission",
    "10025": "configuration applied too frequently",
    "10026": "the GSM module name does not exist",
    "10027": "the GSM module is busy or none is idle",
    "10028": "the number cannot be blank",
    "10029": "opening the SMS file failed",
    "10030": "the SMS content is blank",
    "10031": "the callee number does not meet the requirements",
    "10032": "wrong password",
    "10033": "saving the extension's outbound-route settings failed",
    "20000": "only JSON format is supported",
    "20001": "only POST is supported",
    "20002": "login failed: this client is locked out",
    "20003": "login failed: invalid username or password",
    "20004": "no such token",
    "20005": "the token is blank",
    "20006": "the token timed out",
    "20007": "the data is blank",
    "20008": "wrong port",
    "20009": "the request is blank",
    "20010": "sending the request to the API service failed",
    "20011": "the heartbeat configuration request failed",
    "20012": "the recording file does not exist",
    "20013": "wrong captcha",
    "20014": "the recording file was deleted",
    "30001": "API code error",
    "30003": "the API service refused the login",
}
# The token is gone (expired, or the PBX restarted): no request was carried out, a fresh login may help.
TOKEN_ERRNOS: Final = frozenset({"20004", "20005", "20006"})
AUTH_ERRNOS: Final = TOKEN_ERRNOS | {"20003"}
LOCKED_OUT_ERRNO: Final = "20002"
# Five failed logins lock the address out for ten minutes (pbx-api 1.1); no login is tried meanwhile.
LOCKOUT_MINUTES: Final = 10
LOCKOUT_SECONDS: Final = LOCKOUT_MINUTES * 60.0
# An answer nested deeper than this is not one the PBX's API gives.
MAX_ANSWER_DEPTH: Final = 32
# A host name of DNS labels (letters, digits, hyphens; underscores are found on LANs).
_HOST_NAME: Final = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?"
)
MANUFACTURERS: Final[dict[str, str]] = {"v0.0.1": "OpenVox", "v1.1.0": "Yeastar"}


@dataclass(frozen=True, slots=True)
class PbxDeviceInfo:
    """What ``deviceinfo/query`` tells about the PBX."""

    model: str | None
    serial: str | None
    hardware_version: str | None
    firmware_version: str | None


@dataclass(frozen=True, slots=True)
class PbxExtension:
    """One row of ``extensionlist/query``."""

    number: str
    status: str | None
    kind: str | None


def refusal(errno: str) -> PbxRefusedError:
    """Return the typed exception for a ``Failed`` answer with this errno."""
    meaning = ERRNO_MEANINGS.get(errno, "undocumented error")
    if errno == LOCKED_OUT_ERRNO:
        return PbxLockedOutError(errno, meaning)
    error_type = PbxAuthError if errno in AUTH_ERRNOS else PbxRefusedError
    return error_type(errno, meaning)


def encode_xml(fields: dict[str, str]) -> bytes:
    """Encode a request body the way the PBX's ``type=xml`` examples show it."""
    elements = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return f'<?xml version="1.0" encoding="UTF-8" ?><xml>{elements}</xml>'.encode()


def decode_xml(raw: bytes) -> dict[str, Any]:
    """Decode an XML answer into the same shape as its JSON twin.

    ``defusedxml`` refuses document type declarations, in whatever encoding they come: PBX answers
    never need one, and entity-expansion attacks ("billion laughs") are built from them.
    """
    try:
        root = parse_xml(raw, forbid_dtd=True)
    except DefusedXmlException:
        raise ProviderResponseError(
            "the PBX answered XML with a document type declaration"
        ) from None
    except (ParseError, ValueError, LookupError) as err:  # LookupError: an unknown encoding
        raise ProviderResponseError(f"the PBX answered malformed XML: {err}") from None
    value = _xml_value(root, 0)
    if not isinstance(value, dict):
        raise ProviderResponseError("the PBX answered XML without fields")
    return value


def _xml_value(element: Element, depth: int) -> Any:
    if depth > MAX_ANSWER_DEPTH:
        raise ProviderResponseError("the PBX answered XML nested deeper than its API does")
    children = list(element)
    if not children:
        return (element.text or "").strip()
    if all(child.tag == "item" for child in children):
        return [_xml_value(child, depth + 1) for child in children]
    fields: dict[str, Any] = {}
    for child in children:
        value = _xml_value(child, depth + 1)
        if child.tag in fields:
            previous = fields[child.tag]
            fields[child.tag] = (
                [*previous, value] if isinstance(previous, list) else [previous, value]
            )
        else:
            fields[child.tag] = value
    return fields


def decode_json(raw: bytes) -> dict[str, Any]:
    """Decode a JSON answer that must be an object."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise ProviderResponseError("the PBX answered something that is not JSON") from None
    if not isinstance(value, dict):
        raise ProviderResponseError("the PBX answered JSON that is not an object")
    return value


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


class PbxClient:
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
        session: aiohttp.ClientSession,
        host: str,
        *,
        port: int = DEFAULT_PORT,
        use_ssl: bool = False,
        api_version: ApiVersion = "v0.0.1",
        payload_format: PayloadFormat = "json",
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        source_address: Callable[[str], Awaitable[str | None]] | None = None,
    ) -> None:
        """Keep the connection settings; nothing is sent before the first request.

        ``source_address`` finds the local address on the route to an IP address (the heartbeat
        tells it to the PBX); by default a connected UDP socket tells it.
        """
        if (token is None) == (username is None and password is None):
            raise ValueError("give either a token, or a username and a password")
        if token is None and (username is None or password is None):
            raise ValueError("a username needs a password")
        self._session = session
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
        self.request_timeout = request_timeout

    @property
    def logs_in(self) -> bool:
        """Whether the client logs in as an API user (rather than using a static token)."""
        return self._username is not None

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
        except (PbxRefusedError, ProviderResponseError) as err:
            _LOGGER.debug("deviceinfo/query failed (%s), trying extensionlist/query", err)
        await self.extensions()
        return None

    async def device_info(self) -> PbxDeviceInfo:
        """Query model, serial and versions."""
        answer = await self._request("deviceinfo/query")
        info = answer.get("deviceinfo")
        if not isinstance(info, dict):
            raise ProviderResponseError("the PBX answered deviceinfo/query without deviceinfo")
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
            raise ProviderResponseError("the PBX answered extensionlist/query without extlist")
        return [
            PbxExtension(
                number=str(row["extnumber"]),
                status=_text(row.get("status")),
                kind=_text(row.get("type")),
            )
            for row in rows
            if isinstance(row, dict) and "extnumber" in row
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
        return _text(answer.get("callid"))

    async def heartbeat(self) -> None:
        """Keep the token alive: the PBX forgets a token after 30 minutes without traffic.

        The vendors' documents mark ``ipaddr`` (Home Assistant's address, as the PBX reaches it) and
        ``port`` required.
        """
        fields = {"port": REPORT_PORT}
        if (address := await self._source_address()) is not None:
            fields = {"ipaddr": address} | fields
        await self._request("heartbeat", fields)

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
        except (ProviderConnectionError, ProviderResponseError, PbxRefusedError) as err:
            _LOGGER.debug("Logout failed, the token expires by itself: %s", err)

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

    def _no_answer(self, what: str) -> ProviderConnectionError:
        return ProviderConnectionError(
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
                        "port": REPORT_PORT,
                    },
                    token=None,
                )
        except TimeoutError:
            raise self._no_answer("the login ") from None
        except PbxLockedOutError as err:
            self._locked_out = (err, self._clock() + LOCKOUT_SECONDS)
            raise
        except PbxRefusedError as err:
            # Any refused login counts towards the PBX's lockout, whatever its errno says.
            self._login_refusal = PbxLoginRefusedError(err.errno, err.meaning)
            raise self._login_refusal from None
        token = _text(answer.get("token"))
        if token is None:
            raise ProviderResponseError("the PBX answered the login without a token")
        return token

    async def _post(
        self, path: str, fields: dict[str, str], *, token: str | None
    ) -> dict[str, Any]:
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
        # Every request carries a body, so that no HTTP library sends application/octet-stream
        # (errno 20000: "only JSON").
        if self._payload_format == "xml":
            data = encode_xml(fields)
            headers = {"Content-Type": "application/xml; charset=utf-8"}
        else:
            data = json.dumps(fields).encode()
            headers = {"Content-Type": "application/json; charset=utf-8"}
        _LOGGER.debug("POST %s to %s:%s", path, self._host, self._port)
        try:
            async with self._session.post(url, data=data, headers=headers) as response:
                status = response.status
                raw = await read_answer(response, f"the PBX at {self._host}:{self._port}")
        except aiohttp.ClientError as err:
            # Not chained: aiohttp's exceptions carry the URL, and with it the token.
            raise ProviderConnectionError(
                f"cannot reach the PBX at {self._host}:{self._port} ({type(err).__name__})"
            ) from None
        if status != 200:
            raise ProviderResponseError(f"the PBX answered {path} with HTTP {status}")
        answer = decode_xml(raw) if self._payload_format == "xml" else decode_json(raw)
        if answer.get("status") == "Success":
            return answer
        if answer.get("status") == "Failed":
            raise refusal(str(answer.get("errno", "")))
        raise ProviderResponseError(f"the PBX answered {path} without a status")


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


def normalize_host(typed: str) -> tuple[str, int | None, bool | None]:
    """Return (host, port, ssl) from a host as people type it; raise ValueError if it is none.

    "192.168.1.20", " pbx.lan ", "http://pbx:9011/", "https://pbx", "[fd00::1]:9011" and "::1" are
    understood; the port and the scheme, when typed, override the form's.
    """
    text = typed.strip()
    ssl: bool | None = None
    for scheme, secure in (("http://", False), ("https://", True)):
        if text.lower().startswith(scheme):
            text, ssl = text[len(scheme) :], secure
    text = text.split("/", 1)[0]
    port: int | None = None
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        address, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError(typed)
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(typed)
            port = int(rest[1:])
        text = address
    elif text.count(":") == 1:
        text, _, digits = text.partition(":")
        if not digits.isdigit():
            raise ValueError(typed)
        port = int(digits)
    if port is not None and not 0 < port < 65536:
        raise ValueError(typed)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOST_NAME.fullmatch(text):
            raise ValueError(typed) from None
    return text, port, ssl
