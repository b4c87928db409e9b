"""Exceptions of the Call Bridge wire protocols.

Messages never carry a token, password, access key or request URL: aiohttp puts the whole URL, token
included, into its own exceptions, so those are never chained onto ours.
"""

from __future__ import annotations


class CallBridgeApiError(Exception):
    """Base class of every error raised by the PBX and OneNET clients."""


class ProviderConnectionError(CallBridgeApiError):
    """The provider could not be reached, or did not answer in time."""


class ProviderResponseError(CallBridgeApiError):
    """The provider answered something that is not a valid API response."""


class InvalidNumberError(CallBridgeApiError, ValueError):
    """A phone number or extension cannot be put into the provider's format."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not a valid number: {reason}")
        self.number = number
        self.reason = reason


class PbxRefusedError(CallBridgeApiError):
    """The PBX answered ``{"status": "Failed", "errno": ...}``."""

    def __init__(self, errno: str, meaning: str) -> None:
        """Keep the errno and its documented meaning."""
        super().__init__(f"PBX error {errno}: {meaning}")
        self.errno = errno
        self.meaning = meaning


class PbxAuthError(PbxRefusedError):
    """The PBX refused the credentials or the token; only new credentials help."""


class PbxLoginRefusedError(PbxAuthError):
    """The PBX refused the API user's login: trying again counts towards its lockout."""


class PbxLockedOutError(PbxRefusedError):
    """The PBX locks this address out after too many failed logins; waiting helps, not new credentials."""


class OneNetRefusedError(CallBridgeApiError):
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


class InvalidAccessKeyError(CallBridgeApiError, ValueError):
    """The access key is not the base64 text that OneNET issues."""
