"""Exceptions of the OneNET voice client.

Messages never carry the access key or an Authorization header.
"""

from __future__ import annotations


class OneNetError(Exception):
    """Base class of every error the OneNET client raises."""


class OneNetConnectionError(OneNetError):
    """OneNET could not be reached, or did not answer in time."""


class OneNetResponseError(OneNetError):
    """OneNET answered something that is not an answer of its API."""


class OneNetRefusedError(OneNetError):
    """OneNET answered with a ``code_no`` other than ``000000``."""

    def __init__(self, code_no: str, code: str, meaning: str, *, retryable: bool) -> None:
        """Keep the numeric and symbolic codes, their meaning and whether a later retry may work."""
        super().__init__(f"OneNET error {code_no} ({code}): {meaning}")
        self.code_no = code_no
        self.code = code
        self.meaning = meaning
        self.retryable = retryable


class OneNetAuthError(OneNetRefusedError):
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
