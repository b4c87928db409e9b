"""The calls that come in to a Yeastar P-Series PBX, from its events.

A call is known by its ``call_id``. It comes in from outside when a trunk's ``inbound`` member rings
the PBX (``from`` is the caller, ``to`` the number dialled); it is between extensions when an
extension's member hears the ringback (``ALERT``, the caller) and another's rings (``RING``). The
phones it rings are its legs (by channel): one that answers (``ANSWER``) answers the call; the
caller's hang-up ends every leg. A call record (30012) may come for each leg and in any order
before or after the hang-ups, so it ends the call only once no leg is left; 30015 ends it
unanswered. Calls out (an ``outbound`` member) are not calls that come in. Reference
yeastar-p-series.md, sections 7.4-7.6 and "Field evidence".
"""

from __future__ import annotations

from typing import Final

from ..incoming import IncomingCall, IncomingCallEvent, IncomingCalls
from ..telephony import Outcome, duration, record_outcome
from .events import CALL_FAILED, CALL_STATUS, NEW_CDR, Member, PbxEvent
from .follow import leg_of

CALLER_SIDE: Final = frozenset({"ALERT", "ANSWERED"})
RINGING: Final = frozenset({"RING", "EARLYMEDIA"})
INCOMING_RECORDS: Final = frozenset({"inbound", "internal"})


class IncomingFollower:
    """Turns the events of calls Call Bridge did not place into their events."""

    def __init__(self, provider: str) -> None:
        """Follow no call yet; events name ``provider``."""
        self.calls = IncomingCalls(provider)

    def follow(self, event: PbxEvent, members: tuple[Member, ...]) -> list[IncomingCallEvent]:
        """Return what an event changed of the call that came in it is about (fields checked)."""
        call_id = event.call_id
        if call_id is None or self.calls.ended(call_id):
            return []
        now = self.calls.clock()
        if event.type == CALL_STATUS:
            return self._status(call_id, members, now)
        call = self.calls.get(call_id)
        if event.type == NEW_CDR:
            if (event.text("type") or "").casefold() not in INCOMING_RECORDS:
                return []
            if call is None:  # a call no event rang: its record alone tells it
                call, _ = self.calls.ring(
                    call_id, call_id, event.text("call_from"), None, event.text("call_to")
                )
            answered = record_outcome(event.text("status")) is Outcome.ANSWERED
            talk = duration(event.text("talk_duration"))
            return self.calls.touched(call_id, call.recorded(answered, talk, now, final=False))
        if event.type == CALL_FAILED and call is not None:
            return self.calls.touched(call_id, call.recorded(False, None, now, final=True))
        return []

    def _status(
        self, call_id: str, members: tuple[Member, ...], now: float
    ) -> list[IncomingCallEvent]:
        if any(member.kind == "outbound" for member in members):
            return []
        events: list[IncomingCallEvent] = []
        call = self.calls.get(call_id)
        if call is None:
            parties = _parties(members)
            if parties is None:
                return []
            caller, caller_name, callee, rung = parties
            call, started = self.calls.ring(
                call_id, call_id, caller, caller_name, callee, extension=rung
            )
            events.extend(self.calls.touched(call_id, started))
        # A frame may end one leg and ring another: the ringing is taken first.
        for member in sorted(members, key=lambda member: member.status == "BYE"):
            events.extend(self.calls.touched(call_id, _leg(call, member, now)))
        return events


def _parties(
    members: tuple[Member, ...],
) -> tuple[str | None, None, str | None, str | None] | None:
    """Return a new call's caller, its name (none here), the number it called, the extension rung."""
    callers = [m.number for m in members if m.kind == "extension" and m.status in CALLER_SIDE]
    callees = [m.number for m in members if m.kind == "extension" and m.status in RINGING]
    rung = callees[0] if callees else None
    for member in members:
        if member.kind == "inbound":
            return member.fields.get("from"), None, member.fields.get("to"), rung
    if callers and rung is not None:
        return callers[0], None, rung, rung
    return None


def _leg(call: IncomingCall, member: Member, now: float) -> IncomingCallEvent | None:
    """Take one member: the caller's side ends the call when it hangs up; the others are legs."""
    leg = leg_of(member)
    caller_side = member.kind == "inbound" or (
        member.kind == "extension" and member.number == call.caller
    )
    if caller_side:
        return call.hung_up(None, now) if member.status == "BYE" else None
    if member.status in RINGING:
        call.rang(leg, member.number)
        return None
    if member.status == "ANSWER":
        return call.picked_up(leg, member.number, now)
    if member.status == "BYE":
        return call.hung_up(leg, now)
    return None
