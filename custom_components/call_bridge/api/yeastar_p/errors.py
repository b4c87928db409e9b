"""Exceptions of the Yeastar P-Series client.

Messages never carry the client secret, a token or a URL with its ``access_token``.
"""

from __future__ import annotations

from ..common import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiRefusedError,
    ApiResponseError,
)
from .models import REFUSALS, UNDOCUMENTED_REFUSAL


class YeastarPError(ApiError):
    """Base class of every error the P-Series client raises."""


class YeastarPConnectionError(YeastarPError, ApiConnectionError):
    """The PBX could not be reached, or did not answer in time."""


class YeastarPResponseError(YeastarPError, ApiResponseError):
    """The PBX answered something that is not an answer of its API."""


class YeastarPRefusedError(YeastarPError, ApiRefusedError):
    """The PBX answered with an ``errcode`` other than 0; ``key`` from the codes seen live."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        """Keep the PBX's code and message."""
        super().__init__(
            f"PBX error {errcode} ({errmsg})",
            REFUSALS.get(errcode, UNDOCUMENTED_REFUSAL),
            {"errcode": str(errcode), "errmsg": errmsg},
        )
        self.errcode = errcode
        self.errmsg = errmsg


class YeastarPAuthError(YeastarPRefusedError, ApiAuthError):
    """The PBX refused the client id and secret: only new ones help (five refusals lock it out)."""


class InvalidEventError(YeastarPError, ValueError):
    """A WebSocket frame that is not an event; the message names fields, never their values."""
