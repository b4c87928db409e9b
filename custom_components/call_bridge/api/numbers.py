"""Phone numbers and extensions, from the way people type them to the way the providers want them.

Chinese numbers are read with ``phonenumbers`` (Google's libphonenumber metadata): which area codes,
mobile prefixes and service numbers exist, and how long each is.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from .errors import InvalidNumberError

# Separators people type inside numbers: spaces (also full-width), dashes, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()]")
# Digits of any script (full-width, Arabic-Indic...), which libphonenumber reads as ASCII digits.
_TYPED_NUMBER = re.compile(r"\+?\d+")
_EXTENSION = re.compile(r"[0-9]{1,16}")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE})
_CALLABLE_TYPES = _MOBILE_TYPES | {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.SHARED_COST,  # 400 numbers
    PhoneNumberType.TOLL_FREE,  # 800 numbers
    PhoneNumberType.UAN,
}
_ONLY_CHINESE = "OneNET voice calls only Chinese numbers (+86)"


def _strip_separators(number: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number))


def normalize_phone_number(number: str) -> str:
    """Return OneNET's form of a Chinese number: ``86`` + mobile, else the number as dialled at home.

    "+86 138 0013 8000", "13800138000", "8613800138000" and "0086 138..." give ``8613800138000``;
    "0755-28000003" and "+86 755 2800 0003" give ``075528000003``; "400-810-8888" gives
    ``4008108888`` (service numbers have no trunk prefix).
    """
    typed = _strip_separators(number)
    if not typed:
        raise InvalidNumberError(number, "the number is empty")
    if not _TYPED_NUMBER.fullmatch(typed):
        raise InvalidNumberError(number, "only digits, spaces, dashes and a leading + are allowed")
    try:
        parsed = phonenumbers.parse(typed, "CN")
    except NumberParseException as err:
        if err.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidNumberError(number, _ONLY_CHINESE) from None
        raise InvalidNumberError(number, "too short or too long for a phone number") from None
    if parsed.country_code != 86:
        raise InvalidNumberError(number, _ONLY_CHINESE)
    kind = phonenumbers.number_type(parsed)
    if not phonenumbers.is_valid_number(parsed) or kind not in _CALLABLE_TYPES:
        raise InvalidNumberError(
            number, "expected a mobile number of 11 digits or a landline with its area code"
        )
    if kind in _MOBILE_TYPES:
        return f"86{parsed.national_number}"
    national = phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return "".join(character for character in national if "0" <= character <= "9")


def normalize_extension(extension: str) -> str:
    """Return a PBX extension as ASCII digits, separators removed ("10 1" gives "101").

    Full-width digits count as the digits they are; other scripts' digits are refused.
    """
    digits = _strip_separators(extension)
    if not digits:
        raise InvalidNumberError(extension, "the extension is empty")
    if not _EXTENSION.fullmatch(digits):
        raise InvalidNumberError(extension, "an extension is 1 to 16 digits")
    return digits
