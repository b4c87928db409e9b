"""Names of OneNET voice entries."""

from __future__ import annotations

from typing import Final

ENTRY_TYPE: Final = "onenet"
CONF_APP_ID: Final = "app_id"
CONF_ACCESS_KEY: Final = "access_key"
CONF_SPONSOR: Final = "sponsor"
CONF_DISPLAY: Final = "display"
CONF_SIGN_METHOD: Final = "sign_method"
CONF_BASE_URL: Final = "base_url"
# Which API generation the account uses (1 when absent: entries made before generation 2), and
# generation 2's account, the user id.
CONF_API_GENERATION: Final = "api_generation"
CONF_USER_ID: Final = "user_id"
DEFAULT_API_GENERATION: Final = 1

# Options.
CONF_SEND_NOTIFY_URL: Final = "send_notify_url"
CONF_VERIFY_CALLBACKS: Final = "verify_callbacks"
DEFAULT_SEND_NOTIFY_URL: Final = True
VERIFY_OFF: Final = "off"
VERIFY_LOG: Final = "log"
VERIFY_ENFORCE: Final = "enforce"
DEFAULT_VERIFY_CALLBACKS: Final = VERIFY_LOG
