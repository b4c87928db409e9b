"""OneNET's Authorization header, pinned to vectors made by other implementations."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from custom_components.call_bridge.api.errors import InvalidAccessKeyError
from custom_components.call_bridge.api.onenet import (
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


@pytest.mark.parametrize("key", ["not base64!", "", "   ", "abc"])
def test_malformed_access_keys(key: str) -> None:
    with pytest.raises(InvalidAccessKeyError):
        decode_access_key(key)


RES = "onenet_voice/3143eba93adb4f35bde98aa31e4e5bbd"


def test_verify_accepts_our_own_signature() -> None:
    header = authorization(SAMPLE_KEY, et=2000, method="sha256", res=RES)
    assert verify_authorization(header, SAMPLE_KEY, res=RES, now=1000)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "version=v1&res=x&et=notanumber&method=sha1&sign=x",
        authorization(SAMPLE_KEY, et=2000, method="sha1", res=RES).replace(
            "method=sha1", "method=sha512"
        ),
        authorization(SAMPLE_KEY, et=500, method="sha1", res=RES),  # expired
        authorization(OTHER_KEY, et=2000, method="sha1", res=RES),  # another key
        authorization(SAMPLE_KEY, et=2000, method="sha1", res="onenet_voice/another"),
        authorization(SAMPLE_KEY, et=2000, method="sha1", res=RES).replace("et=2000", "et=3000"),
    ],
)
def test_verify_refuses(header: str) -> None:
    assert not verify_authorization(header, SAMPLE_KEY, res=RES, now=1000)
