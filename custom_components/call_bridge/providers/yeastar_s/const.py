"""Names of PBX entries (host, port, ssl, verify_ssl, token, username, password use Home Assistant's)."""

from __future__ import annotations

from typing import Final

ENTRY_TYPE: Final = "pbx"
CONF_API_VERSION: Final = "api_version"
CONF_PAYLOAD_FORMAT: Final = "payload_format"
