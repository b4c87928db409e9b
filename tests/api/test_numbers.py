"""Numbers as people type them, and as the providers want them."""

from __future__ import annotations

import pytest

from custom_components.call_bridge.api.errors import InvalidNumberError
from custom_components.call_bridge.api.numbers import normalize_extension, normalize_phone_number


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+86 138 0013 8000", "8613800138000"),
        ("13800138000", "8613800138000"),
        ("8613800138000", "8613800138000"),
        ("0086 138-0013-8000", "8613800138000"),
        ("138\u30000013\u30008000", "8613800138000"),
        ("(0755) 2800-0003", "075528000003"),
        ("0755-28000003", "075528000003"),
        ("010 1234 5678", "01012345678"),
        ("+86 755 2800 0003", "075528000003"),
        ("（0755）28000003", "075528000003"),
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
        ("138-0013-800a", "digits"),
        ("+86", "mobile"),
        ("0012", "Chinese"),
    ],
)
def test_phone_numbers_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidNumberError, match=reason) as caught:
        normalize_phone_number(typed)
    assert caught.value.number == typed


@pytest.mark.parametrize(
    ("typed", "expected"), [("101", "101"), (" 10 1 ", "101"), ("8001", "8001")]
)
def test_extensions(typed: str, expected: str) -> None:
    assert normalize_extension(typed) == expected


@pytest.mark.parametrize("typed", ["", "  ", "10a", "+101", "1" * 17])
def test_extensions_refused(typed: str) -> None:
    with pytest.raises(InvalidNumberError):
        normalize_extension(typed)
