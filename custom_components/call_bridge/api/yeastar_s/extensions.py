"""Extension numbers, from the way people type them to the way the PBX wants them."""

from __future__ import annotations

import re
from typing import Final

from ..common import strip_separators
from .errors import InvalidExtensionError

_EXTENSION: Final = re.compile(r"[0-9]{1,16}")


def normalize_extension(extension: str) -> str:
    """Return a PBX extension as ASCII digits, separators removed ("10 1" gives "101").

    Full-width digits count as the digits they are; other scripts' digits are refused.
    """
    digits = strip_separators(extension)
    if not digits:
        raise InvalidExtensionError(extension, "the extension is empty")
    if not _EXTENSION.fullmatch(digits):
        raise InvalidExtensionError(extension, "an extension is 1 to 16 digits")
    return digits
