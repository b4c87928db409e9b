"""The data of the PBX API: its errnos, its defaults and what its answers describe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from .errors import PbxAuthError, PbxLockedOutError, PbxRefusedError

type ApiVersion = Literal["v0.0.1", "v1.1.0"]
type PayloadFormat = Literal["json", "xml"]

# The vendors' parts of their boxes' MAC addresses (IEEE OUI), as DHCP discovery matches them.
OPENVOX_MAC_PREFIX: Final = "A09805"
YEASTAR_MAC_PREFIX: Final = "F4B549"
# The defaults of a PBX's API, as the vendors ship it.
DEFAULT_PORT: Final = 9011
DEFAULT_API_VERSION: Final[ApiVersion] = "v0.0.1"
DEFAULT_PAYLOAD_FORMAT: Final[PayloadFormat] = "json"
API_VERSIONS: Final[tuple[ApiVersion, ...]] = ("v0.0.1", "v1.1.0")
PAYLOAD_FORMATS: Final[tuple[PayloadFormat, ...]] = ("json", "xml")
# Login and heartbeat require a report port: the documented default, when the client was given no
# destination of its own (the PBX only tries to post reports there).
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
    documented = errno in ERRNO_MEANINGS
    if errno == LOCKED_OUT_ERRNO:
        return PbxLockedOutError(errno, meaning, documented=documented)
    error_type = PbxAuthError if errno in AUTH_ERRNOS else PbxRefusedError
    return error_type(errno, meaning, documented=documented)
