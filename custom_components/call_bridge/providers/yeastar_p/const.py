"""Names of Yeastar P-Series entries (host, port, ssl and verify_ssl use Home Assistant's)."""

from __future__ import annotations

from typing import Final

ENTRY_TYPE: Final = "yeastar_p"
CONF_CLIENT_ID: Final = "client_id"
CONF_CLIENT_SECRET: Final = "client_secret"  # noqa: S105 - the name of a field
# The attribute of an extension's sensor that holds its presence (30009).
ATTR_PRESENCE: Final = "presence"
