"""Numbers as people type them, and as the providers want them (checked against libphonenumber)."""

from __future__ import annotations

from hypothesis import given, strategies as st
import pytest

from custom_components.call_bridge.api.onenet import InvalidPhoneNumberError, normalize_phone_number
from custom_components.call_bridge.api.telephony import (
    InvalidExtensionError,
    InvalidOutsideNumberError,
    normalize_extension,
    normalize_outside_number,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+86 138 0013 8000", "8613800138000"),
        ("13800138000", "8613800138000"),
        ("8613800138000", "8613800138000"),
        ("0086 138-0013-8000", "8613800138000"),
        ("138\u30000013\u30008000", "8613800138000"),
        ("１３８００１３８０００", "8613800138000"),  # full-width digits
        ("١٣٨٠٠١٣٨٠٠٠", "8613800138000"),  # Arabic-Indic digits
        ("013800138000", "8613800138000"),  # a mobile dialled with the trunk prefix
        ("(0755) 2800-0003", "075528000003"),
        ("0755-28000003", "075528000003"),
        ("010 1234 5678", "01012345678"),
        ("+86 10 6552 9988", "01065529988"),  # Beijing: a two-digit area code
        ("+86 755 2800 0003", "075528000003"),
        ("（0755）28000003", "075528000003"),
        ("400-810-8888", "4008108888"),  # service numbers have no trunk prefix
        ("+86 400 810 8888", "4008108888"),
        ("800-820-8820", "8008208820"),
    ],
)
def test_phone_numbers_typed_any_usual_way(typed: str, expected: str) -> None:
    assert normalize_phone_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+1 415 555 0100", "Chinese"),
        ("138001380001", "mobile"),
        ("1380013800", "mobile"),
        ("12800138000", "mobile"),
        ("0755-2800000", "landline"),  # one digit short
        ("138-0013-800a", "digits"),
        ("+86", "too short"),
        ("0012", "too short"),
        ("+44 20 7946 0958", "Chinese"),
        ("+999 1234 5678", "Chinese"),  # no country has the code
        ("+99999", "Chinese"),  # too short to be refused before libphonenumber reads it
        ("٠٠١٦٥٠٢٥٣٠٠٠٠", "Chinese"),  # 001 650..., in Arabic-Indic digits
        ("1" * 300, "too short or too long"),
    ],
)
def test_phone_numbers_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidPhoneNumberError, match=reason) as caught:
        normalize_phone_number(typed)
    assert caught.value.number == typed


@given(st.text(max_size=40))
def test_any_text_is_a_number_in_ascii_digits_or_refused(typed: str) -> None:
    try:
        normalized = normalize_phone_number(typed)
    except InvalidPhoneNumberError:
        return
    assert normalized.isascii()
    assert normalized.isdigit()
    assert 10 <= len(normalized) <= 13
    assert normalize_phone_number(normalized) == normalized  # stable


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("101", "101"), (" 10 1 ", "101"), ("8001", "8001"), ("１０１", "101")],
)
def test_extensions(typed: str, expected: str) -> None:
    assert normalize_extension(typed) == expected


@pytest.mark.parametrize("typed", ["", "  ", "10a", "+101", "1" * 17, "١٠١", "10\u0000"])
def test_extensions_refused(typed: str) -> None:
    with pytest.raises(InvalidExtensionError):
        normalize_extension(typed)


@given(st.text(max_size=30))
def test_any_text_is_an_extension_in_ascii_digits_or_refused(typed: str) -> None:
    try:
        extension = normalize_extension(typed)
    except InvalidExtensionError:
        return
    assert extension.isascii()
    assert extension.isdigit()
    assert 1 <= len(extension) <= 16


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0755-2800 0003", "075528000003"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("9,0755", None),
        ("*72#", "*72#"),
        ("１３８", "138"),
        ("", None),
        ("12+3", None),
        ("1" * 33, None),
    ],
)
def test_outside_numbers(typed: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(InvalidOutsideNumberError):
            normalize_outside_number(typed)
    else:
        assert normalize_outside_number(typed) == expected
