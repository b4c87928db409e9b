"""OneNET's Authorization header, pinned to vectors made by other implementations."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from custom_components.call_bridge.api.onenet import InvalidAccessKeyError
from custom_components.call_bridge.api.onenet.auth import (
    CALLBACK_MAX_LIFETIME,
    CLOCK_SKEW,
    authorization,
    decode_access_key,
    sign,
    verify_authorization,
)

SAMPLE_KEY = decode_access_key("KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=")
OTHER_KEY = decode_access_key("bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA==")


def test_published_vector() -> None:
    """The third-party vector of reference 1.4 (b), reproduced there with Python and OpenSSL."""
    header = authorization(
        SAMPLE_KEY, et=1537255523, method="sha1", res="products/123123", version="2018-10-31"
    )
    assert header == (
        "version=2018-10-31&res=products%2F123123&et=1537255523"
        "&method=sha1&sign=lsaPSiiGvEFFjXu5WU7a6IkScqE%3D"
    )


# Computed with `openssl dgst -<method> -mac HMAC -macopt hexkey:<decoded key>` over
# "<et>\n<method>\nonenet_voice/<appid>\nv1": an implementation that shares nothing with ours.
@pytest.mark.parametrize(
    ("key", "et", "method", "app_id", "expected"),
    [
        (
            SAMPLE_KEY,
            1700000000,
            "md5",
            "3143eba93adb4f35bde98aa31e4e5bbd",
            "8HwbGJ32n75yWf6P5tKjog==",
        ),
        (
            SAMPLE_KEY,
            1700000000,
            "sha1",
            "3143eba93adb4f35bde98aa31e4e5bbd",
            "Rk5X+iZ8mW4jF2QiXOQ89vMBDqE=",
        ),
        (
            SAMPLE_KEY,
            1700000000,
            "sha256",
            "3143eba93adb4f35bde98aa31e4e5bbd",
            "BRrIO+9lCtGI+K0aWWBCGj2wzErk6ha4BbhHCiQlCZ0=",
        ),
        (
            OTHER_KEY,
            1568267186,
            "md5",
            "fd977e9f94e44f239f18f6f919282569",
            "HZe0yeMHqtAildmv1H7SMQ==",
        ),
        (
            OTHER_KEY,
            1568267186,
            "sha1",
            "fd977e9f94e44f239f18f6f919282569",
            "t/E8BjnU1l8i7RHi9/1YRQbe+7g=",
        ),
        (
            OTHER_KEY,
            1568267186,
            "sha256",
            "fd977e9f94e44f239f18f6f919282569",
            "8xChgH1HGZw/ULxpGRcL67zuYXKDyj6yIipgJmUagq0=",
        ),
    ],
)
def test_voice_vectors(key: bytes, et: int, method: str, app_id: str, expected: str) -> None:
    res = f"onenet_voice/{app_id}"
    assert sign(key, et=et, method=method, res=res) == expected
    assert authorization(key, et=et, method=method, res=res) == (
        f"version=v1&res=onenet_voice%2F{app_id}&et={et}&method={method}"
        f"&sign={quote(expected, safe='')}"
    )


@pytest.mark.parametrize("key", ["not base64!", "", "   ", "abc", "a", "YWJjZGVm"])
def test_malformed_access_keys(key: str) -> None:
    with pytest.raises(InvalidAccessKeyError):
        decode_access_key(key)


def test_an_access_key_without_its_padding_is_the_same_key() -> None:
    """China Mobile's own SDKs accept keys copied without their trailing '='."""
    padded = "KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw="
    assert decode_access_key(padded.rstrip("=")) == decode_access_key(padded) == SAMPLE_KEY
    other = "bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA=="
    assert decode_access_key(other.rstrip("=")) == OTHER_KEY


RES = "onenet_voice/3143eba93adb4f35bde98aa31e4e5bbd"


NOW = 1_000_000
VALID_ET = NOW + 300


def test_verify_accepts_a_signature_with_the_key() -> None:
    header = authorization(SAMPLE_KEY, et=VALID_ET, method="sha256", res=RES)
    assert verify_authorization(header, SAMPLE_KEY, res=RES, now=NOW)


@pytest.mark.parametrize(
    "et",
    [
        NOW - CLOCK_SKEW,  # expired, but within an hour of clock skew
        NOW + CALLBACK_MAX_LIFETIME + CLOCK_SKEW,  # a day ahead, plus an hour of skew
    ],
)
def test_verify_allows_for_clock_skew(et: int) -> None:
    header = authorization(SAMPLE_KEY, et=et, method="sha1", res=RES)
    assert verify_authorization(header, SAMPLE_KEY, res=RES, now=NOW)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "version=v1&res=x&et=notanumber&method=sha1&sign=x",
        authorization(SAMPLE_KEY, et=VALID_ET, method="sha1", res=RES).replace(
            "method=sha1", "method=sha512"
        ),
        authorization(SAMPLE_KEY, et=NOW - CLOCK_SKEW - 1, method="sha1", res=RES),  # expired
        authorization(  # the year 9999
            SAMPLE_KEY, et=253402300799, method="sha1", res=RES
        ),
        authorization(
            SAMPLE_KEY, et=NOW + CALLBACK_MAX_LIFETIME + CLOCK_SKEW + 1, method="sha1", res=RES
        ),
        authorization(OTHER_KEY, et=VALID_ET, method="sha1", res=RES),  # another key
        authorization(SAMPLE_KEY, et=VALID_ET, method="sha1", res="onenet_voice/another"),
        authorization(SAMPLE_KEY, et=VALID_ET, method="sha1", res=RES).replace(
            f"et={VALID_ET}", f"et={VALID_ET + 1}"
        ),
        authorization(SAMPLE_KEY, et=VALID_ET, method="sha1", res=RES).replace(
            f"et={VALID_ET}", f"et={VALID_ET}0000000000000"
        ),
    ],
)
def test_verify_refuses(header: str) -> None:
    assert not verify_authorization(header, SAMPLE_KEY, res=RES, now=NOW)
