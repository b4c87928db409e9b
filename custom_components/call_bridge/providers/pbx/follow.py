"""The calls an entry placed through its PBX, followed through the PBX's reports to their end.

Reports name extensions, and their call ids change along one call (two BYEs with different ids):
a report belongs to the newest followed call whose PBX call id it carries, or else whose caller
(or, for an internal call, callee) it names. Each call ends exactly once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
import re
from typing import Any, Final

from ...api.yeastar_s import PbxReport
from ...call_status import STATE_UNKNOWN
from .const import ENTRY_TYPE

# Calls followed at once; the oldest are forgotten first (an ended call is kept a while, so that
# its second BYE is recognised as its own).
FOLLOWED_CALLS: Final = 32
# CallFailed's reason (a SIP code, or Yeastar's words) and NewCdr's status, as outcomes.
OUTCOME_OF_SIP_CODE: Final = {
    "404": "unreachable",
    "480": "no_answer",
    "484": "unreachable",
    "486": "busy",
    "487": "no_answer",
    "603": "rejected",
}
OUTCOME_OF_WORDS: Final = {
    "user busy": "busy",
    "line unreachable": "unreachable",
    "dnd": "rejected",
    "no outbound restriction": "failed",
}
OUTCOME_OF_CDR: Final = {
    "ANSWERED": "answered",
    "NO ANSWER": "no_answer",
    "NO ANSWERED": "no_answer",
    "BUSY": "busy",
    "FAILED": "failed",
    "VOICEMAIL": "no_answer",  # the voicemail took it, not a person
}
_SIP_CODE: Final = re.compile(r"([0-9]{3})\b")


def failure_outcome(reason: str | None) -> str:
    """Return the outcome of a CallFailed report's reason ("486", "486 Busy Here", "User busy")."""
    text = (reason or "").strip()
    if (code := _SIP_CODE.match(text)) is not None:
        return OUTCOME_OF_SIP_CODE.get(code.group(1), "failed")
    return OUTCOME_OF_WORDS.get(text.lower(), "failed")


@dataclass(slots=True)
class FollowedCall:
    """A call this entry placed, as far as the reports have told."""

    call_id: str
    pbx_callid: str | None
    caller: str
    callee: str
    outbound: bool
    state: str = "requested"
    answered: bool = False
    digits: str = ""

    def names_callee(self, report: PbxReport) -> bool:
        """Whether a report is about the callee's side: its extension, or the trunk of a call out."""
        return report.outbound is not None if self.outbound else self.callee in report.extensions


class CallFollower:
    """Turns the PBX's reports into the ``call_bridge_call_status`` of the calls they are about."""

    def __init__(self) -> None:
        """Follow no call yet."""
        self._calls: OrderedDict[str, FollowedCall] = OrderedDict()

    def start(self, call: FollowedCall) -> None:
        """Follow a call just placed."""
        self._calls[call.call_id] = call
        while len(self._calls) > FOLLOWED_CALLS:
            self._calls.popitem(last=False)

    def _call_of(self, report: PbxReport) -> FollowedCall | None:
        calls = list(reversed(self._calls.values()))
        if report.callid is not None:
            for call in calls:
                if call.pbx_callid == report.callid:
                    return call
        # A call record names its parties in callfrom and callto rather than in ext.
        named = set(report.extensions)
        if report.cdr is not None:
            named |= {report.cdr[key] for key in ("callfrom", "callto") if key in report.cdr}
        for call in calls:
            if call.caller in named or (not call.outbound and call.callee in named):
                return call
        return None

    def follow(self, report: PbxReport) -> dict[str, Any] | None:
        """Return the new status of the call a report is about; None when nothing changed."""
        call = self._call_of(report)
        if call is None or call.state == "disconnected":
            return None
        outcome: str | None = None
        duration: int | None = None
        if report.type in ("alert", "ring"):
            state = "calling_callee" if call.names_callee(report) else "calling_caller"
        elif report.type in ("answer", "answered"):
            if not call.names_callee(report):
                return None  # the caller picked up; the callee is rung next
            state, call.answered = "connected", True
        elif report.type == "dtmf" and report.key is not None:
            # One report per key: each tells the keys pressed so far.
            call.digits += report.key
            call.state = "collect_result"
            return self._status(call, report, "collect_result", None, None)
        elif report.type == "bye":
            state, outcome = "disconnected", "answered" if call.answered else "no_answer"
        elif report.type == "call_failed":
            state, outcome = "disconnected", failure_outcome(report.reason)
        elif report.type == "new_cdr" and report.cdr is not None:
            status = report.cdr.get("status", "")
            state, outcome = "disconnected", OUTCOME_OF_CDR.get(status.upper(), STATE_UNKNOWN)
            talk = report.cdr.get("talkduraction", "")
            duration = int(talk) if talk.isascii() and talk.isdigit() and len(talk) <= 7 else None
        else:
            return None
        if state == call.state:
            return None
        call.state = state
        return self._status(call, report, state, outcome, duration)

    @staticmethod
    def _status(
        call: FollowedCall,
        report: PbxReport,
        state: str,
        outcome: str | None,
        duration: int | None,
    ) -> dict[str, Any]:
        return {
            "provider": ENTRY_TYPE,
            "call_id": call.call_id,
            "caller": call.caller,
            "callee": call.callee,
            "status": report.action,
            "state": state,
            "reason": report.reason,
            "outcome": outcome,
            "digits": call.digits if state == "collect_result" else None,
            "call_duration": duration,
            "caller_call_duration": None,
            "report_date": None,
        }
