"""PBX addresses as people type them."""

from __future__ import annotations

import ipaddress
import re
from typing import Final

# A host name of DNS labels (letters, digits, hyphens; underscores are found on LANs).
_HOST_NAME: Final = re.compile(
    r"(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_-]{1,63})*\.?"
)


def normalize_host(typed: str) -> tuple[str, int | None, bool | None]:
    """Return (host, port, ssl) from a host as people type it; raise ValueError if it is none.

    "192.168.1.20", " pbx.lan ", "http://pbx:9011/", "https://pbx", "[fd00::1]:9011" and "::1" are
    understood; the port and the scheme, when typed, override the form's.
    """
    text = typed.strip()
    ssl: bool | None = None
    for scheme, secure in (("http://", False), ("https://", True)):
        if text.lower().startswith(scheme):
            text, ssl = text[len(scheme) :], secure
    text = text.split("/", 1)[0]
    port: int | None = None
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        address, bracket, rest = text[1:].partition("]")
        if not bracket:
            raise ValueError(typed)
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(typed)
            port = int(rest[1:])
        text = address
    elif text.count(":") == 1:
        text, _, digits = text.partition(":")
        if not digits.isdigit():
            raise ValueError(typed)
        port = int(digits)
    if port is not None and not 0 < port < 65536:
        raise ValueError(typed)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not _HOST_NAME.fullmatch(text):
            raise ValueError(typed) from None
    return text, port, ssl
