"""Yeastar P-Series OpenAPI: tokens, calls, prompts and WebSocket events, typed, on an injected or own session."""

from .client import YeastarPClient
from .errors import (
    InvalidEventError,
    YeastarPAuthError,
    YeastarPConnectionError,
    YeastarPError,
    YeastarPRefusedError,
    YeastarPResponseError,
)
from .events import TOPICS, Answer, Member, PbxEvent, decode_frame
from .models import Extension, SystemInformation, Tokens
from .stream import EventStream
from .tokens import TokenManager

__all__ = [
    "TOPICS",
    "Answer",
    "EventStream",
    "Extension",
    "InvalidEventError",
    "Member",
    "PbxEvent",
    "SystemInformation",
    "TokenManager",
    "Tokens",
    "YeastarPAuthError",
    "YeastarPClient",
    "YeastarPConnectionError",
    "YeastarPError",
    "YeastarPRefusedError",
    "YeastarPResponseError",
    "decode_frame",
]
