"""Exceptions of the ARI client.

Messages never carry the ARI password, nor the ``Authorization`` header.
"""

from __future__ import annotations

from typing import Final

from ..common import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiRefusedError,
    ApiResponseError,
)

# ARI answers an error with an HTTP status and a short message; the statuses its reference names
# for the requests Call Bridge sends, each with the key of its translated message.
REFUSALS: Final[dict[int, str]] = {
    400: "asterisk_bad_request",  # a parameter it does not take
    404: "asterisk_not_found",  # the channel, endpoint or ARI itself is not there
    409: "asterisk_conflict",  # the channel is not in the application
    422: "asterisk_invalid",  # the endpoint does not exist
    500: "asterisk_allocation_failed",  # no channel to the endpoint: not registered, not reachable
}
UNDOCUMENTED_REFUSAL: Final = "asterisk_error"


class AsteriskError(ApiError):
    """Base class of every error the ARI client raises."""


class AsteriskConnectionError(AsteriskError, ApiConnectionError):
    """Asterisk could not be reached, or did not answer in time."""


class AsteriskResponseError(AsteriskError, ApiResponseError):
    """Asterisk answered something that is not an answer of ARI."""


class AsteriskRefusedError(AsteriskError, ApiRefusedError):
    """ARI answered with an error status; ``key`` from the statuses its reference names."""

    def __init__(self, status: int, message: str) -> None:
        """Keep ARI's status and message."""
        super().__init__(
            f"Asterisk answered HTTP {status} ({message})",
            REFUSALS.get(status, UNDOCUMENTED_REFUSAL),
            {"status": str(status), "message": message},
        )
        self.status = status
        self.message = message


class AsteriskAuthError(AsteriskRefusedError, ApiAuthError):
    """Asterisk refused the ARI user or its password."""


class InvalidEventError(AsteriskError, ValueError):
    """A WebSocket frame that is not an ARI event; the message names fields, never values."""
