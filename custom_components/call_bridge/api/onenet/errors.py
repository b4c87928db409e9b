"""Exceptions of the OneNET voice client.

Messages never carry the access key or an Authorization header.
"""

from __future__ import annotations

from ..common import (
    ApiAuthError,
    ApiConnectionError,
    ApiError,
    ApiRefusedError,
    ApiResponseError,
)

UNDOCUMENTED_REFUSAL = "onenet_code_unknown"


class OneNetError(ApiError):
    """Base class of every error the OneNET client raises."""


class OneNetConnectionError(OneNetError, ApiConnectionError):
    """OneNET could not be reached, or did not answer in time."""


class OneNetResponseError(OneNetError, ApiResponseError):
    """OneNET answered something that is not an answer of its API."""


class OneNetRefusedError(OneNetError, ApiRefusedError):
    """OneNET answered with a ``code_no`` other than ``000000`` (generation 2: a code's name)."""

    def __init__(
        self,
        code_no: str,
        code: str,
        meaning: str,
        *,
        retryable: bool,
        key: str = UNDOCUMENTED_REFUSAL,
    ) -> None:
        """Keep the codes, their meaning, whether a retry may work and the refusal's key."""
        super().__init__(
            f"OneNET error {code_no} ({code}): {meaning}", key, {"code_no": code_no, "code": code}
        )
        self.code_no = code_no
        self.code = code
        self.meaning = meaning
        self.retryable = retryable


class OneNetAuthError(OneNetRefusedError, ApiAuthError):
    """OneNET refused the signature: wrong app id or access key, or a clock past ``et``."""


class InvalidAccessKeyError(OneNetError, ValueError):
    """The access key is not the base64 text that OneNET issues."""


class InvalidPhoneNumberError(OneNetError, ValueError):
    """A text is not a number OneNET can call."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not a valid number: {reason}")
        self.number = number
        self.reason = reason
