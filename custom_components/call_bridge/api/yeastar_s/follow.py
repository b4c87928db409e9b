"""The reports of the calls Call Bridge placed through an OpenVox UC or Yeastar S-Series PBX, as statuses.

Reports name extensions, and their call ids change along one call (the two ``BYE`` of one call
carry different ids), so a report belongs to the newest followed call whose PBX call id it
carries, or else that it names. Its legs are its extensions, and for a call out the trunk's
outbound leg. Reference pbx-api.md, section 6 and "Field evidence".
"""

from __future__ import annotations

from typing import Final

from ..legs import PlacedCall, PlacedCalls, Side
from ..telephony import (
    CallStatus,
    duration as seconds,
    failure_outcome,
    names_number,
    record_outcome,
)
from .reports import PbxReport

TRUNK_LEG = "outbound"
# Seconds after its end during which a report naming a placed call's extensions is still its own
# (a second BYE, a late record); later, those extensions are in another call.
LINGER_SECONDS: Final = 30.0


class CallFollower:
    """Turns the PBX's reports into the statuses of the calls an entry placed."""

    def __init__(self, provider: str) -> None:
        """Follow no call yet; statuses name ``provider``."""
        self.provider = provider
        self.calls = PlacedCalls()
        self._outbound: dict[str, bool] = {}
        self._pbx_callids: dict[str, str] = {}

    def start(
        self,
        call_id: str,
        pbx_callid: str | None,
        caller: str,
        callee: str,
        *,
        outbound: bool = False,
        one_party: bool = False,
    ) -> None:
        """Follow a call just placed: ``outbound`` to an outside number, ``one_party`` a prompt."""
        self.calls.start(PlacedCall(self.provider, call_id, caller, callee, one_party=one_party))
        self._outbound[call_id] = outbound
        if pbx_callid is not None:
            self._pbx_callids[call_id] = pbx_callid
        followed = {call.call_id for call in self.calls.newest_first()}
        for kept in (self._outbound, self._pbx_callids):
            for gone in set(kept) - followed:
                del kept[gone]

    def owns(self, report: PbxReport) -> bool:
        """Whether a report is about a call the entry placed (still on, or ended a moment ago)."""
        call = self._call_of(report)
        if call is None:
            return False
        ended = self.calls.ended_for(call.call_id)
        return ended is None or ended < LINGER_SECONDS

    def _call_of(self, report: PbxReport) -> PlacedCall | None:
        calls = self.calls.newest_first()
        if report.callid is not None:
            for call in calls:
                if self._pbx_callids.get(call.call_id) == report.callid:
                    return call
        # A call record names its parties in callfrom and callto rather than in ext.
        named = set(report.extensions)
        if report.cdr is not None:
            named |= {report.cdr[key] for key in ("callfrom", "callto") if key in report.cdr}
        for call in calls:
            outbound = self._outbound.get(call.call_id, False)
            if call.caller in named or (not outbound and call.callee in named):
                return call
        return None

    def follow(self, report: PbxReport) -> list[CallStatus]:
        """Return what a report changed of the call it is about."""
        call = self._call_of(report)
        if call is None or call.ended:
            return []
        status: CallStatus | None = None
        if report.type in ("alert", "ring", "answer", "answered"):
            leg, side = self._subject(call, report)
            step = call.ringing if report.type in ("alert", "ring") else call.picked_up
            status = step(leg, side, report.action)
        elif report.type == "bye":
            statuses = [call.hung_up(leg, report.action) for leg in self._legs(call, report)]
            status = next((status for status in statuses if status is not None), None)
        elif report.type == "call_failed":
            status = call.failed(failure_outcome(report.reason), report.action, report.reason)
        elif report.type == "new_cdr" and report.cdr is not None:
            cdr = report.cdr
            status = call.recorded(
                record_outcome(cdr.get("status")),
                report.action,
                seconds(cdr.get("talkduraction")),
                of_callee=names_number(cdr.get("callto"), call.callee),
                final=True,
            )
        elif report.type == "dtmf" and report.key is not None:
            # One report per key: each tells the keys pressed so far.
            status = call.pressed(call.digits + report.key, report.action)
        self.calls.touched(call)
        return [status] if status is not None else []

    def _subject(self, call: PlacedCall, report: PbxReport) -> tuple[str, Side]:
        """Return the leg a ringing or answer report is about.

        The PBX names the callee first and the caller second; a report that names the caller
        alone is about the caller's phone (rung first, then picked up).
        """
        if self._outbound.get(call.call_id) and report.outbound is not None:
            return TRUNK_LEG, Side.CALLEE
        others = [number for number in report.extensions if number != call.caller]
        if call.one_party or not others:
            number = report.extensions[0] if report.extensions else call.caller
            return number, call.side_of(number)
        return others[0], Side.CALLEE

    def _legs(self, call: PlacedCall, report: PbxReport) -> list[str]:
        """Return the legs a hang-up names: its extensions, and the trunk's for a call out."""
        legs = list(report.extensions)
        if self._outbound.get(call.call_id) and report.outbound is not None:
            legs.append(TRUNK_LEG)
        return legs
