"""The P-Series' events, told as ``call_bridge_pbx_event`` and as the status of the calls placed.

A P-Series event names its call (``call_id``, the one ``call/dial`` answered), so a call is
followed by its id; its legs' channels are kept, because the PBX hangs up by channel.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
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
from ...call_status import STATE_UNKNOWN
from ..pbx.follow import OUTCOME_OF_CDR, failure_outcome
from .const import ENTRY_TYPE

FOLLOWED_CALLS: Final = 32
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


@dataclass(slots=True)
class FollowedCall:
    """A call this entry placed: its parties, how far it got, its legs' channels."""

    call_id: str
    caller: str
    callee: str
    state: str = "requested"
    answered: bool = False
    digits: str = ""
    channels: dict[str, str] = field(default_factory=dict)


class CallFollower:
    """Turns the events of the calls this entry placed into their ``call_bridge_call_status``."""

    def __init__(self) -> None:
        """Follow no call yet."""
        self._calls: OrderedDict[str, FollowedCall] = OrderedDict()
        # The channel each extension was last seen on, for a hangup by extension.
        self.channels: dict[str, str] = {}

    def start(self, call: FollowedCall) -> None:
        """Follow a call just placed."""
        self._calls[call.call_id] = call
        while len(self._calls) > FOLLOWED_CALLS:
            self._calls.popitem(last=False)

    def call(self, call_id: str) -> FollowedCall | None:
        """Return a followed call."""
        return self._calls.get(call_id)

    def note_channels(self, members: tuple[Member, ...]) -> None:
        """Keep where each extension is; a leg that hung up is nowhere."""
        for member in members:
            if member.number is None or member.channel_id is None:
                continue
            if member.status == "BYE":
                self.channels.pop(member.number, None)
            else:
                self.channels[member.number] = member.channel_id

    def follow(self, event: PbxEvent, members: tuple[Member, ...]) -> dict[str, Any] | None:
        """Return the new status of the call an event is about; None when nothing changed."""
        call = self._calls.get(event.call_id or "")
        if call is None or call.state == "disconnected":
            return None
        for member in members:
            if member.number is not None and member.channel_id is not None:
                call.channels.setdefault(member.number, member.channel_id)
        outcome: str | None = None
        duration: int | None = None
        if event.type == CALL_STATUS:
            callee = {m.status for m in members if m.number == call.callee}
            statuses = {m.status for m in members}
            if "BYE" in statuses:
                state, outcome = "disconnected", "answered" if call.answered else "no_answer"
            elif "ANSWER" in callee or (call.caller == call.callee and "ANSWERED" in callee):
                state, call.answered = "connected", True
            elif "RING" in callee:
                state = "calling_callee"
            elif statuses & {"ALERT", "RING"}:
                state = "calling_caller"
            else:
                return None
        elif event.type == CALL_FAILED:
            state, outcome = "disconnected", failure_outcome(event.text("reason"))
        elif event.type == NEW_CDR:
            status = (event.text("status") or "").upper().replace("ANSWERD", "ANSWERED")
            state, outcome = "disconnected", OUTCOME_OF_CDR.get(status, STATE_UNKNOWN)
            talk = event.text("talk_duration")
            duration = (
                int(talk)
                if talk is not None and talk.isascii() and talk.isdigit() and len(talk) <= 7
                else None
            )
        elif event.type == DTMF and (key := event.text("info")) is not None:
            call.digits = event.text("infos") or call.digits + key
            call.state = "collect_result"
            return _status(call, event, "collect_result", None, None)
        else:
            return None
        if state == call.state:
            return None
        call.state = state
        return _status(call, event, state, outcome, duration)


def _status(
    call: FollowedCall, event: PbxEvent, state: str, outcome: str | None, duration: int | None
) -> dict[str, Any]:
    return {
        "provider": ENTRY_TYPE,
        "call_id": call.call_id,
        "caller": call.caller,
        "callee": call.callee,
        "status": str(event.type),
        "state": state,
        "reason": event.text("reason"),
        "outcome": outcome,
        "digits": call.digits if state == "collect_result" else None,
        "call_duration": duration,
        "caller_call_duration": None,
        "report_date": None,
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
