"""Exceptions of the PBX client, on the bases every vendor's share.

Messages never carry a token, a password or a request URL: aiohttp puts the whole URL, token
included, into its own exceptions, so those are never chained onto these.
"""

from __future__ import annotations

from ..common import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiRefusedError,
    ApiResponseError,
)


class PbxError(ApiError):
    """Base class of every error the PBX client raises."""


class PbxConnectionError(PbxError, ApiConnectionError):
    """The PBX could not be reached, or did not answer in time."""


class PbxResponseError(PbxError, ApiResponseError):
    """The PBX answered something that is not an answer of its API."""


class PbxRefusedError(PbxError, ApiRefusedError):
    """The PBX answered ``{"status": "Failed", "errno": ...}``; ``key`` is ``pbx_errno_…``."""

    def __init__(self, errno: str, meaning: str, *, documented: bool) -> None:
        """Keep the errno, its meaning, and whether the vendor's table has it."""
        key = f"pbx_errno_{errno}" if documented else "pbx_errno_unknown"
        super().__init__(f"PBX error {errno}: {meaning}", key, {"errno": errno})
        self.errno = errno
        self.meaning = meaning


class PbxAuthError(PbxRefusedError, ApiAuthError):
    """The PBX refused the credentials or the token; only new credentials help."""


class PbxLoginRefusedError(PbxAuthError):
    """The PBX refused the API user's login: trying again counts towards its lockout."""


class PbxLockedOutError(PbxRefusedError):
    """The PBX locks this address out after too many failed logins; waiting helps, not new credentials."""
