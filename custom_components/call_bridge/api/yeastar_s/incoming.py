"""The calls that come in to an OpenVox UC or Yeastar S-Series PBX, from its reports.

Report ids change along one call (its two ``BYE`` carry different ids), so a call is known by its
parties: a call from outside by its caller (the trunk's ``from``; its ``to`` may be the number
dialled or the extension rung), a call between extensions by the two, in either order (the callee
named first, then the caller); a record names them in ``callfrom`` and ``callto`` (``6200(4002)``:
ring group 6200, answered by 4002). A ``BYE`` leaves the
call settling until its record tells how it went; ``CallFailed`` ends it unanswered. Calls out
(an ``outbound`` trunk, an ``Outbound`` record) are not calls that come in. Reference pbx-api.md,
section 6 and "Field evidence" (``RING`` only for calls an API placed: ``ALERT`` rings the others).
"""

from __future__ import annotations

import re
from typing import Final

from ..incoming import IncomingCallEvent, IncomingCalls
from ..telephony import Outcome, duration, record_outcome
from .reports import PbxReport

RINGING: Final = frozenset({"alert", "ring"})
PICKED_UP: Final = frozenset({"answer", "answered"})
INCOMING_RECORDS: Final = frozenset({"inbound", "internal"})
# "6200(4002)": a ring group and the extension that answered it.
_GROUP_MEMBER: Final = re.compile(r"(?P<group>[^()]+)\((?P<member>[^()]+)\)")


class IncomingFollower:
    """Turns the PBX's reports of calls Call Bridge did not place into their events."""

    def __init__(self, provider: str) -> None:
        """Follow no call yet; events name ``provider``."""
        self.calls = IncomingCalls(provider)

    def follow(self, report: PbxReport) -> list[IncomingCallEvent]:
        """Return what a report changed of the call that came in it is about."""
        parties = _parties(report)
        if parties is None:
            return []
        caller, callee, extension, outside = parties
        key = ("outside", caller) if outside else frozenset({caller, extension or callee})
        now = self.calls.clock()
        if report.type in RINGING or report.type in PICKED_UP:
            call_id = report.callid or (report.inbound or {}).get("inboundid") or caller
            call, started = self.calls.ring(key, call_id, caller, None, callee, extension=extension)
            leg = extension or callee
            if report.type in RINGING:
                call.rang(leg, extension)
                return self.calls.touched(key, started)
            return [
                *([started] if started is not None else []),
                *self.calls.touched(key, call.picked_up(leg, extension, now)),
            ]
        if report.type == "new_cdr" and report.cdr is not None and not self.calls.ended(key):
            recorded = self.calls.get(key)
            if recorded is None:  # a call no report rang: its record alone tells it
                recorded, _ = self.calls.ring(key, report.callid or caller, caller, None, callee)
            answered = record_outcome(report.cdr.get("status")) is Outcome.ANSWERED
            if answered and extension is not None:
                recorded.extension = extension
            talk = duration(report.cdr.get("talkduraction"))
            return self.calls.touched(key, recorded.recorded(answered, talk, now, final=True))
        ending = self.calls.get(key)
        if ending is None:
            return []
        if report.type == "bye":
            return self.calls.touched(key, ending.hung_up(None, now))
        if report.type == "call_failed":
            return self.calls.touched(key, ending.recorded(False, None, now, final=True))
        return []


def _parties(report: PbxReport) -> tuple[str, str, str | None, bool] | None:
    """Return a report's caller, callee, ringing or answering extension, and if it is from outside.

    None for a report that names no call coming in.
    """
    if report.outbound is not None:
        return None
    if report.cdr is not None:
        kind = (report.cdr.get("type") or "").casefold()
        caller, called = report.cdr.get("callfrom"), report.cdr.get("callto")
        if kind not in INCOMING_RECORDS or not caller or not called:
            return None
        outside = kind == "inbound"
        if (found := _GROUP_MEMBER.fullmatch(called)) is not None:
            return caller, found["group"], found["member"], outside
        return caller, called, None, outside
    if report.inbound is not None:
        caller, callee = report.inbound.get("from"), report.inbound.get("to")
        if not caller or not callee:
            return None
        ringing = [number for number in report.extensions if number != caller]
        return caller, callee, ringing[0] if ringing else None, True
    if len(report.extensions) >= 2:
        callee, caller = report.extensions[0], report.extensions[1]
        return caller, callee, callee, False
    return None
