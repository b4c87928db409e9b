"""The ARI events of the calls Call Bridge placed, as the calls' statuses.

A call is the channel Call Bridge originated, created with the call's id. Its own ``Dial`` (no
caller: Asterisk dialling the first phone) tells that phone ringing and answering; the ``Dial``
it makes from the dialplan (the call's channel as caller) rings the callee, whose channel is the
callee's leg. ``ChannelDestroyed`` ends a leg with its Q.850 cause: the call's own channel ending
before anyone answered ends the call with that cause's outcome (19 no answer, 3 no route...; 16,
hung up while it rang, is ``no_answer``). Reference asterisk-ari.md; the orders are Asterisk 22's.
"""

from __future__ import annotations

from typing import Final

from ..legs import FOLLOWED_CALLS, PlacedCall, PlacedCalls, Side
from ..telephony import CallStatus, cause_outcome
from .events import CHANNEL_DESTROYED, DIAL, DTMF_RECEIVED, AriEvent
from .models import ANSWERED, OUTCOME_OF_DIALSTATUS, RINGING

# Callee legs remembered at most (a ring group rings several phones per call): the oldest go.
MAX_LEGS: Final = 8 * FOLLOWED_CALLS


class CallFollower:
    """Turns the events of the calls an entry placed into their statuses."""

    def __init__(self, provider: str) -> None:
        """Follow no call yet; statuses name ``provider``."""
        self.provider = provider
        self.calls = PlacedCalls()
        # The callee's legs, by channel: which call each belongs to.
        self._legs: dict[str, str] = {}

    def start(self, call_id: str, caller: str, callee: str, *, one_party: bool) -> None:
        """Follow a call about to be placed (``one_party``: a message played to one extension).

        Started before Asterisk is asked: its first events can come before its answer.
        """
        self.calls.start(PlacedCall(self.provider, call_id, caller, callee, one_party=one_party))
        live = {call.call_id for call in self.calls.newest_first()}
        self._legs = {leg: call for leg, call in self._legs.items() if call in live}

    def follow(self, event: AriEvent) -> list[CallStatus]:
        """Return what an event changed of the call it is about."""
        call, leg = self._call_of(event)
        if call is None or leg is None or call.ended:
            return []
        status: CallStatus | None = None
        if event.type == DIAL:
            status = self._dialled(call, leg, event.dialstatus or "")
        elif event.type == CHANNEL_DESTROYED:
            if leg == call.call_id and not call.answered:
                status = call.failed(
                    cause_outcome(event.cause, answered=False), CHANNEL_DESTROYED, event.cause_txt
                )
            else:
                status = call.hung_up(leg, CHANNEL_DESTROYED)
        elif event.type == DTMF_RECEIVED and event.digit is not None:
            status = call.pressed(call.digits + event.digit, DTMF_RECEIVED)
        self.calls.touched(call)
        return [status] if status is not None else []

    def owns(self, event: AriEvent) -> bool:
        """Whether an event is about a call the entry placed, or one of its legs."""
        return self._call_of(event)[0] is not None

    def _call_of(self, event: AriEvent) -> tuple[PlacedCall | None, str | None]:
        """Return the followed call an event is about, and the leg (channel) it names."""
        if event.type == DIAL and event.peer is not None:
            dialler = event.caller.id if event.caller is not None else event.peer.id
            call = self.calls.get(dialler)
            if call is not None and event.caller is not None:
                self._legs[event.peer.id] = call.call_id
                while len(self._legs) > MAX_LEGS:
                    del self._legs[next(iter(self._legs))]
            return call, event.peer.id
        if event.channel is None:
            return None, None
        channel = event.channel.id
        return self.calls.get(channel) or self.calls.get(self._legs.get(channel)), channel

    @staticmethod
    def _dialled(call: PlacedCall, leg: str, dialstatus: str) -> CallStatus | None:
        """Take a Dial's status: of the call's own channel, or of a callee's leg."""
        side = Side.CALLER if leg == call.call_id and not call.one_party else Side.CALLEE
        if dialstatus == RINGING:
            return call.ringing(leg, side, dialstatus)
        if dialstatus == ANSWERED:
            return call.picked_up(leg, side, dialstatus)
        if (outcome := OUTCOME_OF_DIALSTATUS.get(dialstatus)) is not None:
            return call.failed(outcome, dialstatus, dialstatus)
        return None
