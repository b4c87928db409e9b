"""The P-Series' events, told as ``call_bridge_pbx_event``: their type, legs and fields."""

from __future__ import annotations

from typing import Any, Final

from ...api.yeastar_p import InvalidEventError, Member, PbxEvent
from ...api.yeastar_p.events import (
    CALL_FAILED,
    CALL_STATUS,
    DTMF,
    EXTENSION_CALL_STATUS,
    EXTENSION_PRESENCE,
    NEW_CDR,
    PLAY_PROMPT_END,
)

# The type of a call-status event, by the most telling state among its legs.
TYPE_OF_MEMBER_STATUS: Final = (
    ("BYE", "bye"),
    ("ANSWER", "answer"),
    ("RING", "ring"),
    ("ANSWERED", "answered"),
    ("ALERT", "alert"),
)
TYPE_OF_EVENT: Final = {
    CALL_FAILED: "call_failed",
    NEW_CDR: "new_cdr",
    EXTENSION_CALL_STATUS: "extension_status",
    EXTENSION_PRESENCE: "extension_status",
    DTMF: "dtmf",
    PLAY_PROMPT_END: "play_prompt_end",
}
_CDR_FIELDS: Final = (
    "time_start",
    "call_from",
    "call_to",
    "call_duration",
    "talk_duration",
    "status",
    "type",
)


def event_type(event: PbxEvent, members: tuple[Member, ...]) -> str:
    """Return the ``type`` automations see for an event."""
    if event.type == CALL_STATUS:
        statuses = {member.status for member in members}
        return next(
            (kind for status, kind in TYPE_OF_MEMBER_STATUS if status in statuses), "unknown"
        )
    return TYPE_OF_EVENT.get(event.type, "unknown")


def pbx_event(event: PbxEvent, members: tuple[Member, ...]) -> dict[str, Any]:
    """Return the keys of ``call_bridge_pbx_event`` for a P-Series event (entry and device aside)."""
    legs = {
        kind: next((m.fields for m in members if m.kind == kind), None)
        for kind in ("inbound", "outbound")
    }
    return {
        "action": str(event.type),
        "type": event_type(event, members),
        "callid": event.call_id,
        "extensions": [m.number for m in members if m.number is not None]
        or ([number] if (number := event.text("extension")) else []),
        "inbound": legs["inbound"],
        "outbound": legs["outbound"],
        "reason": event.text("reason"),
        "cdr": {name: text for name in _CDR_FIELDS if (text := event.text(name))}
        if event.type == NEW_CDR
        else None,
        "status": event.text("status")
        if event.type in (EXTENSION_CALL_STATUS, EXTENSION_PRESENCE)
        else None,
        "key": event.text("info") if event.type == DTMF else None,
    }


# Every field of msg that is read: checked before anything is told of the event.
_TEXTS: Final = ("call_id", "extension", "status", "reason", "info", "infos", *_CDR_FIELDS)


def members_of(event: PbxEvent) -> tuple[Member, ...] | None:
    """Return an event's legs once its fields are checked; None when one is not what it should be.

    Such an event is refused whole: nothing is fired, and the connection stays.
    """
    try:
        for name in _TEXTS:
            event.text(name)
        return event.members()
    except InvalidEventError:
        return None
