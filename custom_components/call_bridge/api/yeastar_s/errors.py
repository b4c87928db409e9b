"""Exceptions of the PBX client.

Messages never carry a token, a password or a request URL: aiohttp puts the whole URL, token
included, into its own exceptions, so those are never chained onto these.
"""

from __future__ import annotations


class PbxError(Exception):
    """Base class of every error the PBX client raises."""


class PbxConnectionError(PbxError):
    """The PBX could not be reached, or did not answer in time."""


class PbxResponseError(PbxError):
    """The PBX answered something that is not an answer of its API."""


class PbxRefusedError(PbxError):
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


class InvalidExtensionError(PbxError, ValueError):
    """A text is not an extension number."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not an extension: {reason}")
        self.number = number
        self.reason = reason


class InvalidOutsideNumberError(PbxError, ValueError):
    """A text is not a number the PBX can dial out to."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not an outside number: {reason}")
        self.number = number
        self.reason = reason


class InvalidPromptError(PbxError, ValueError):
    """A text is not the name of a System Recording the PBX can play."""
