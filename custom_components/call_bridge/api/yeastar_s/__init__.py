"""OpenVox UC and Yeastar S-Series PBXs: their HTTP API, typed, on an injected or own aiohttp session."""

from .client import PbxClient, udp_source_address
from .errors import (
    InvalidExtensionError,
    InvalidOutsideNumberError,
    PbxAuthError,
    PbxConnectionError,
    PbxError,
    PbxLockedOutError,
    PbxLoginRefusedError,
    PbxRefusedError,
    PbxResponseError,
)
from .extensions import normalize_extension, normalize_outside_number
from .hosts import normalize_host
from .models import (
    API_VERSIONS,
    DEFAULT_API_VERSION,
    DEFAULT_PAYLOAD_FORMAT,
    DEFAULT_PORT,
    ERRNO_MEANINGS,
    LOCKOUT_MINUTES,
    MANUFACTURERS,
    PAYLOAD_FORMATS,
    ApiVersion,
    PayloadFormat,
    PbxDeviceInfo,
    PbxExtension,
)

__all__ = [
    "API_VERSIONS",
    "DEFAULT_API_VERSION",
    "DEFAULT_PAYLOAD_FORMAT",
    "DEFAULT_PORT",
    "ERRNO_MEANINGS",
    "LOCKOUT_MINUTES",
    "MANUFACTURERS",
    "PAYLOAD_FORMATS",
    "ApiVersion",
    "InvalidExtensionError",
    "InvalidOutsideNumberError",
    "PayloadFormat",
    "PbxAuthError",
    "PbxClient",
    "PbxConnectionError",
    "PbxDeviceInfo",
    "PbxError",
    "PbxExtension",
    "PbxLockedOutError",
    "PbxLoginRefusedError",
    "PbxRefusedError",
    "PbxResponseError",
    "normalize_extension",
    "normalize_host",
    "normalize_outside_number",
    "udp_source_address",
]
