"""Names of Asterisk entries (host, port, ssl, verify_ssl, username, password use Home Assistant's)."""

from __future__ import annotations

from typing import Final

ENTRY_TYPE: Final = "asterisk"
CONF_APP: Final = "app"
CONF_CONTEXT: Final = "context"
CONF_TECHNOLOGY: Final = "technology"
