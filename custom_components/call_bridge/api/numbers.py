"""Phone numbers and extensions, from the way people type them to the way the providers want them."""

from __future__ import annotations

import re

from .errors import InvalidNumberError

# Separators people type inside numbers: spaces (also full-width), dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\u3000\-\u2010-\u2015.()\uff08\uff09]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Trunk prefix 0, area code of 2 or 3 digits (not starting with 0), subscriber number of 7 or 8 digits.
_LANDLINE = re.compile(r"0[1-9]\d{1,2}\d{7,8}")
_EXTENSION = re.compile(r"\d{1,16}")


def _strip_separators(number: str) -> str:
    return _SEPARATORS.sub("", number)


def normalize_phone_number(number: str) -> str:
    """Return OneNET's form of a Chinese number: ``86`` + mobile, or a landline with its area code.

    "+86 138 0013 8000", "13800138000", "8613800138000" and "0086 138..." give ``8613800138000``;
    "0755-28000003" and "+86 755 2800 0003" give ``075528000003``.
    """
    digits = _strip_separators(number)
    if not digits:
        raise InvalidNumberError(number, "the number is empty")
    international = False
    if digits.startswith("+"):
        digits, international = digits[1:], True
    elif digits.startswith("00"):
        digits, international = digits[2:], True
    if not digits.isdigit():
        raise InvalidNumberError(number, "only digits, spaces, dashes and a leading + are allowed")
    if international:
        if not digits.startswith("86"):
            raise InvalidNumberError(number, "OneNET voice calls only Chinese numbers (+86)")
        digits = digits[2:]
        # Written internationally, a landline drops its trunk prefix 0: +86 755 ... is 0755 ...
        if not digits.startswith("1"):
            digits = "0" + digits
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE.fullmatch(digits):
        return "86" + digits
    if _LANDLINE.fullmatch(digits):
        return digits
    raise InvalidNumberError(
        number, "expected a mobile number of 11 digits or a landline with its area code"
    )


def normalize_extension(extension: str) -> str:
    """Return a PBX extension as digits, separators removed ("10 1" gives "101")."""
    digits = _strip_separators(extension)
    if not digits:
        raise InvalidNumberError(extension, "the extension is empty")
    if not _EXTENSION.fullmatch(digits):
        raise InvalidNumberError(extension, "an extension is 1 to 16 digits")
    return digits
