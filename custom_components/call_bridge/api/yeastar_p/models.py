"""What the P-Series API's answers describe (reference yeastar-p-series.md, sections 2 and 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

API_PATH: Final = "/openapi/v1.0"
# Yeastar's part of its boxes' MAC addresses (IEEE OUI), as DHCP discovery matches them.
YEASTAR_MAC_PREFIX: Final = "F4B549"
DEFAULT_PORT: Final = 8088
USER_AGENT: Final = "OpenAPI"  # the value every Yeastar example sends; the header is mandatory
SUCCESS: Final = 0
LOGIN_REFUSED: Final = -1
# Codes seen on real PBXs (reference section "Field evidence", 4 to 6); Yeastar publishes no table.
INTERNAL_ERROR: Final = -2
INTERFACE_NOT_EXISTED: Final = 10001  # also a POST to an endpoint that takes GET
TOKEN_EXPIRED: Final = 10004
MISSING_PERMISSION: Final = 10005
PARAMETER_ERROR: Final = 40002
DUPLICATE_VALUE: Final = 40003
DATA_NOT_FOUND: Final = 60001
TOKEN_LIMIT: Final = 60002  # the client's live tokens; they lapse with time, or del_token
IP_FORBIDDEN: Final = 70087
# Each known code names its refusal (the integration translates it by this name).
REFUSALS: Final[dict[int, str]] = {
    INTERNAL_ERROR: "yeastar_p_internal_error",
    INTERFACE_NOT_EXISTED: "yeastar_p_errcode_10001",
    MISSING_PERMISSION: "yeastar_p_errcode_10005",
    PARAMETER_ERROR: "yeastar_p_errcode_40002",
    DUPLICATE_VALUE: "yeastar_p_errcode_40003",
    DATA_NOT_FOUND: "yeastar_p_errcode_60001",
    TOKEN_LIMIT: "yeastar_p_errcode_60002",
    IP_FORBIDDEN: "yeastar_p_errcode_70087",
}
UNDOCUMENTED_REFUSAL: Final = "yeastar_p_errcode_unknown"


def refuses_the_token(errcode: int, errmsg: str) -> bool:
    """Whether a refusal is of the access token: 10004, or (codes are unpublished) its words.

    The token is then renewed, and the request sent once more (reference section 3).
    """
    return errcode == TOKEN_EXPIRED or "TOKEN" in errmsg.upper()


# Lifetimes documented for tokens (section 2.1), taken when an answer gives none.
ACCESS_LIFETIME: Final = 1800
REFRESH_LIFETIME: Final = 86400


@dataclass(frozen=True, slots=True)
class Tokens:
    """An access token and its refresh token, by the client's clock: when to renew, when each expires.

    Renewed when five sixths of its life have passed (25 of 30 minutes), well before it expires.
    """

    access_token: str
    renew_at: float
    access_expires: float
    refresh_token: str
    refresh_expires: float


@dataclass(frozen=True, slots=True)
class SystemInformation:
    """The PBX as ``system/information`` describes it."""

    serial: str
    model: str | None
    device_name: str | None
    firmware_version: str | None


@dataclass(frozen=True, slots=True)
class Extension:
    """An extension of ``extension/list``: its number, name, presence and whether it is online."""

    number: str
    name: str | None
    presence: str | None
    online: bool | None
