"""The P-Series' events in the words of every PBX: ``call_bridge_pbx_event`` and extension states."""

from __future__ import annotations

from typing import Final

from ..telephony import ExtensionState, PbxEventType, ReportedEvent
from .errors import InvalidEventError
from .events import (
    CALL_FAILED,
    CALL_STATUS,
    DTMF,
    EXTENSION_CALL_STATUS,
    EXTENSION_PRESENCE,
    NEW_CDR,
    PLAY_PROMPT_END,
    Member,
    PbxEvent,
)

# The type of a call-status event, by the most telling state among its legs.
TYPE_OF_MEMBER_STATUS: Final = (
    ("BYE", PbxEventType.BYE),
    ("ANSWER", PbxEventType.ANSWER),
    ("RING", PbxEventType.RING),
    ("ANSWERED", PbxEventType.ANSWERED),
    ("ALERT", PbxEventType.ALERT),
)
TYPE_OF_EVENT: Final = {
    CALL_FAILED: PbxEventType.CALL_FAILED,
    NEW_CDR: PbxEventType.NEW_CDR,
    EXTENSION_CALL_STATUS: PbxEventType.EXTENSION_STATUS,
    EXTENSION_PRESENCE: PbxEventType.EXTENSION_STATUS,
    DTMF: PbxEventType.DTMF,
    PLAY_PROMPT_END: PbxEventType.PLAY_PROMPT_END,
}
# 30008's statuses (compared whatever their case: the PBX's words vary).
EXTENSION_STATES: Final = {
    "idle": ExtensionState.IDLE,
    "ringing": ExtensionState.RINGING,
    "busy": ExtensionState.IN_USE,
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
# Every field of msg that is read: checked before anything is told of the event.
_TEXTS: Final = ("call_id", "extension", "status", "reason", "info", "infos", *_CDR_FIELDS)


def extension_state(status: str | None) -> ExtensionState | None:
    """Return the state a 30008 event gives its extension; None for a word it does not know."""
    return EXTENSION_STATES.get((status or "").casefold())


def event_type(event: PbxEvent, members: tuple[Member, ...]) -> PbxEventType:
    """Return the ``type`` automations see for an event."""
    if event.type == CALL_STATUS:
        statuses = {member.status for member in members}
        return next(
            (kind for status, kind in TYPE_OF_MEMBER_STATUS if status in statuses),
            PbxEventType.UNKNOWN,
        )
    return TYPE_OF_EVENT.get(event.type, PbxEventType.UNKNOWN)


def reported_event(event: PbxEvent, members: tuple[Member, ...]) -> ReportedEvent:
    """Return an event (its fields checked by ``members_of``) in the words of every PBX."""
    legs = {
        kind: next((m.fields for m in members if m.kind == kind), None)
        for kind in ("inbound", "outbound")
    }
    numbers = tuple(m.number for m in members if m.number is not None)
    if not numbers and (number := event.text("extension")):
        numbers = (number,)
    return ReportedEvent(
        action=str(event.type),
        type=event_type(event, members),
        callid=event.call_id,
        extensions=numbers,
        inbound=legs["inbound"],
        outbound=legs["outbound"],
        reason=event.text("reason"),
        cdr={name: text for name in _CDR_FIELDS if (text := event.text(name))}
        if event.type == NEW_CDR
        else None,
        status=event.text("status")
        if event.type in (EXTENSION_CALL_STATUS, EXTENSION_PRESENCE)
        else None,
        key=event.text("info") if event.type == DTMF else None,
    )


def members_of(event: PbxEvent) -> tuple[Member, ...] | None:
    """Return an event's legs once its fields are checked; None when one is not what it should be.

    Such an event is refused whole: nothing is told of it, and the connection stays.
    """
    try:
        for name in _TEXTS:
            event.text(name)
        return event.members()
    except InvalidEventError:
        return None
