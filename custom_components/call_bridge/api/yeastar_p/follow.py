"""The P-Series' events of the calls Call Bridge placed, as the calls' statuses.

An event names its call by ``call_id`` (the one ``call/dial`` answered) and its legs by channel: a
leg is the caller's when it is the caller extension's, else the callee's (an extension, a ring
group's member or a trunk). Reference yeastar-p-series.md, "Field evidence".
"""

from __future__ import annotations

from ..legs import PlacedCall, PlacedCalls, Side
from ..telephony import (
    CallStatus,
    duration,
    failure_outcome,
    names_number,
    record_outcome,
)
from .events import CALL_FAILED, CALL_STATUS, DTMF, NEW_CDR, Member, PbxEvent

RINGING = frozenset({"ALERT", "RING", "EARLYMEDIA"})
PICKED_UP = frozenset({"ANSWER", "ANSWERED"})


def leg_of(member: Member) -> str:
    """Return what names a leg: its channel, else its kind and number.

    The second has a space, which no channel id holds, so that ``is_channel`` tells them apart.
    """
    return member.channel_id or f"{member.kind} {member.number or member.fields.get('to')}"


def is_channel(leg: str) -> bool:
    """Whether a leg is named by its channel, which ``call/hangup`` takes."""
    return " " not in leg


class CallFollower:
    """Turns the events of the calls an entry placed into their statuses."""

    def __init__(self, provider: str) -> None:
        """Follow no call yet; statuses name ``provider``."""
        self.provider = provider
        self.calls = PlacedCalls()

    def start(self, call_id: str, caller: str, callee: str, *, one_party: bool) -> None:
        """Follow a call just placed (``one_party``: a message played to one extension)."""
        self.calls.start(PlacedCall(self.provider, call_id, caller, callee, one_party=one_party))

    def owns(self, event: PbxEvent) -> bool:
        """Whether an event is about a call the entry placed (still followed, or ended a moment ago)."""
        return self.calls.get(event.call_id) is not None

    def follow(self, event: PbxEvent, members: tuple[Member, ...]) -> list[CallStatus]:
        """Return what an event changed of the call it is about (its fields were checked)."""
        call = self.calls.get(event.call_id)
        if call is None or call.ended:
            return []
        status = str(event.type)
        statuses: list[CallStatus | None] = []
        if event.type == CALL_STATUS:
            # A frame may end one leg and ring another: the ringing is taken first.
            statuses.extend(
                self._leg(call, member, status)
                for member in sorted(members, key=lambda member: member.status == "BYE")
            )
        elif event.type == CALL_FAILED:
            reason = event.text("reason")
            statuses.append(call.failed(failure_outcome(reason), status, reason))
        elif event.type == NEW_CDR:
            statuses.append(
                call.recorded(
                    record_outcome(event.text("status")),
                    status,
                    duration(event.text("talk_duration")),
                    of_callee=names_number(event.text("call_to"), call.callee),
                    final=False,
                )
            )
        elif event.type == DTMF and (key := event.text("info")) is not None:
            statuses.append(call.pressed(event.text("infos") or call.digits + key, status))
        self.calls.touched(call)
        return [status for status in statuses if status is not None]

    @staticmethod
    def _leg(call: PlacedCall, member: Member, status: str) -> CallStatus | None:
        leg = leg_of(member)
        side = call.side_of(member.number) if member.kind == "extension" else Side.CALLEE
        if member.status in RINGING:
            return call.ringing(leg, side, status)
        if member.status in PICKED_UP:
            return call.picked_up(leg, side, status)
        if member.status == "BYE":
            return call.hung_up(leg, status)
        return None
