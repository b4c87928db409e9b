"""Asterisk (and FreePBX) over ARI, its REST interface and its WebSocket of events.

No Home Assistant here: the client, the events, the calls they tell of, and the connection that
brings them, testable against a real Asterisk (reference asterisk-ari.md).
"""

from .client import AriClient
from .errors import (
    AsteriskAuthError,
    AsteriskConnectionError,
    AsteriskError,
    AsteriskRefusedError,
    AsteriskResponseError,
    InvalidEventError,
)
from .events import AriEvent, Channel, decode_frame
from .follow import CallFollower
from .models import AsteriskInfo, Endpoint
from .stream import AriEventStream

__all__ = [
    "AriClient",
    "AriEvent",
    "AriEventStream",
    "AsteriskAuthError",
    "AsteriskConnectionError",
    "AsteriskError",
    "AsteriskInfo",
    "AsteriskRefusedError",
    "AsteriskResponseError",
    "CallFollower",
    "Channel",
    "Endpoint",
    "InvalidEventError",
    "decode_frame",
]
