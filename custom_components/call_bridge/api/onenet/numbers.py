"""Phone numbers, from the way people type them to the way OneNET wants them.

Chinese numbers are read with ``phonenumbers`` (Google's libphonenumber metadata): which area codes,
mobile prefixes and service numbers exist, and how long each is.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from ..telephony import strip_separators
from .errors import InvalidPhoneNumberError

# Digits of any script (full-width, Arabic-Indic...), which libphonenumber reads as ASCII digits.
_TYPED_NUMBER = re.compile(r"\+?\d+")
_MOBILE_TYPES = frozenset({PhoneNumberType.MOBILE})
_CALLABLE_TYPES = _MOBILE_TYPES | {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.SHARED_COST,  # 400 numbers
    PhoneNumberType.TOLL_FREE,  # 800 numbers
    PhoneNumberType.UAN,
}
_ONLY_CHINESE = "OneNET voice calls only Chinese numbers (+86)"
# An international number of another country: refused before libphonenumber reads it (which would
# load that country's data, an import, wherever it is asked). Shorter ones are no number at all.
_FOREIGN = re.compile(r"(\+|00)(?!86)[0-9]{6}")


def load_number_data() -> None:
    """Load libphonenumber's data for China: an import, to be done once, off the event loop."""
    normalize_phone_number("+86 138 0013 8000")


def normalize_phone_number(number: str) -> str:
    """Return OneNET's form of a Chinese number: ``86`` + mobile, else the number as dialled at home.

    "+86 138 0013 8000", "13800138000", "8613800138000" and "0086 138..." give ``8613800138000``;
    "0755-28000003" and "+86 755 2800 0003" give ``075528000003``; "400-810-8888" gives
    ``4008108888`` (service numbers have no trunk prefix).
    """
    typed = strip_separators(number)
    if not typed:
        raise InvalidPhoneNumberError(number, "the number is empty")
    if not _TYPED_NUMBER.fullmatch(typed):
        raise InvalidPhoneNumberError(
            number, "only digits, spaces, dashes and a leading + are allowed"
        )
    if _FOREIGN.match("".join(str(unicodedata.digit(c, c)) for c in typed)):
        raise InvalidPhoneNumberError(number, _ONLY_CHINESE)
    try:
        parsed = phonenumbers.parse(typed, "CN")
    except NumberParseException as err:
        if err.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidPhoneNumberError(number, _ONLY_CHINESE) from None
        raise InvalidPhoneNumberError(number, "too short or too long for a phone number") from None
    kind = phonenumbers.number_type(parsed)
    if not phonenumbers.is_valid_number(parsed) or kind not in _CALLABLE_TYPES:
        raise InvalidPhoneNumberError(
            number, "expected a mobile number of 11 digits or a landline with its area code"
        )
    if kind in _MOBILE_TYPES:
        return f"86{parsed.national_number}"
    national = phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
    return "".join(character for character in national if "0" <= character <= "9")
