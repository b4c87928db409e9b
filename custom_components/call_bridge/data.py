"""Typed runtime data of a Call Bridge config entry."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry

from .api.onenet import OneNetClient
from .api.pbx import PbxClient
from .cooldown import CallGate

# Enough to swallow any redelivery of a recent call, small enough to stay a few kilobytes.
SEEN_CALLBACKS_LIMIT = 512
RECENT_CALLS_LIMIT = 20


@dataclass
class CallLog:
    """What an entry remembers of recent calls: de-duplication of callbacks, and diagnostics."""

    seen_callbacks: OrderedDict[tuple[str, str], None] = field(default_factory=OrderedDict)
    recent_calls: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)

    def first_delivery(self, call_id: str, status: str) -> bool:
        """Record a callback; False when the same (call_id, status) came before."""
        key = (call_id, status)
        if key in self.seen_callbacks:
            return False
        self.seen_callbacks[key] = None
        if len(self.seen_callbacks) > SEEN_CALLBACKS_LIMIT:
            self.seen_callbacks.popitem(last=False)
        return True

    def record(self, call_id: str, details: dict[str, Any]) -> None:
        """Keep the latest known state of a call."""
        self.recent_calls.pop(call_id, None)
        self.recent_calls[call_id] = details
        if len(self.recent_calls) > RECENT_CALLS_LIMIT:
            self.recent_calls.popitem(last=False)


@dataclass
class CallBridgeData:
    """Runtime data of one entry: its client, its device and what it tracks of calls."""

    client: PbxClient | OneNetClient
    device_id: str
    gate: CallGate = field(default_factory=CallGate)
    calls: CallLog = field(default_factory=CallLog)


type CallBridgeConfigEntry = ConfigEntry[CallBridgeData]
