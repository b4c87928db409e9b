"""A call that Call Bridge placed through a PBX, followed by its legs to its one end.

A call has legs: the caller's phone (one or several devices of the caller's extension) and the
callee's (an extension, the members of a ring group, or a trunk to an outside number). Real PBXs
report each leg on its own and in no stable order: the caller's second device hangs up while the
first still rings, the caller's own pick-up is reported as "answered", call records and "call
failed" come before or after the last hang-up. ``PlacedCall`` holds what the reports told so far
and says when the call has ended, and how:

- it is ``connected`` only when a leg of the callee answers;
- it ends when the PBX says it failed, when the callee's call record comes and no leg of the callee
  is left, or when no leg that could still bring the callee to the phone is left (then its outcome
  may still be on its way: it *settles* for a moment, see ``SETTLE_SECONDS``);
- its outcome is the callee's: answered once a callee leg answered, else what the PBX's failure
  or the callee's record said, else ``no_answer``.

Each vendor package maps its own wire onto these (its ``follow.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
import time
from typing import Final

from .telephony import CallState, CallStatus, Outcome

# Seconds a call waits, once no leg that could answer is left, for the PBX to say why it ended.
SETTLE_SECONDS: Final = 2.0
# Calls an entry follows at once; the oldest are forgotten first.
FOLLOWED_CALLS: Final = 32


class Side(StrEnum):
    """Whose phone a leg rings."""

    CALLER = "caller"
    CALLEE = "callee"


@dataclass(slots=True)
class PlacedCall:
    """What the PBX told so far of one call that Call Bridge placed; see the module's docstring.

    ``one_party``: a message played to one extension, whose legs are all the callee's.
    Each method takes what the PBX sent (``status``) and returns the call's new status, if the
    report changed it.
    """

    provider: str
    call_id: str
    caller: str
    callee: str
    one_party: bool = False
    state: CallState | None = None
    answered: bool = False
    digits: str = ""
    settling: bool = False
    _alive: dict[str, Side] = field(default_factory=dict)
    _gone: set[str] = field(default_factory=set)
    _recorded: Outcome | None = None
    _duration: int | None = None
    _last: str = ""

    def side_of(self, number: str | None) -> Side:
        """Return whose leg an extension's leg is: the caller's extension rings the caller."""
        if number == self.caller and not self.one_party:
            return Side.CALLER
        return Side.CALLEE

    def live_legs(self) -> list[str]:
        """Return the legs still on, the caller's first (ending the caller's ends the call)."""
        return sorted(self._alive, key=lambda leg: self._alive[leg] is not Side.CALLER)

    @property
    def ended(self) -> bool:
        """Whether the call's final status was given."""
        return self.state is CallState.DISCONNECTED

    def ringing(self, leg: str, side: Side, status: str) -> CallStatus | None:
        """Take a leg that rings (or, on the caller's side, hears the ringback)."""
        if self.ended or leg in self._gone:
            return None
        self._alive[leg] = side
        self.settling = False
        if side is Side.CALLEE and self.state is CallState.CONNECTED:
            return None  # another member of a group rings while one talks
        state = CallState.CALLING_CALLEE if side is Side.CALLEE else CallState.CALLING_CALLER
        if self.state in (CallState.CALLING_CALLEE, CallState.CONNECTED):
            state = self.state  # the caller's leg is late to say it rang
        return self._to(state, status)

    def picked_up(self, leg: str, side: Side, status: str) -> CallStatus | None:
        """Take a leg that answered: the callee's connects the call; the caller's is only there."""
        if self.ended or leg in self._gone:
            return None
        self._alive[leg] = side
        self.settling = False
        if side is Side.CALLER or self.answered:
            return None  # the callee is rung next, or was already connected
        self.answered = True
        return self._to(CallState.CONNECTED, status)

    def hung_up(self, leg: str, status: str) -> CallStatus | None:
        """Take a leg that ended; the call ends with it once nothing is left that could answer.

        Until the callee answers, the caller's legs keep a call going (the callee may still be
        rung); once it answered, the callee's do. A message to one extension has only the callee's.
        """
        if self.ended:
            return None
        self._alive.pop(leg, None)
        self._gone.add(leg)
        self._last = status
        sides = set(self._alive.values())
        keeping = Side.CALLEE if self.answered or self.one_party else Side.CALLER
        if keeping in sides:
            return None
        if self.answered or (self._recorded is not None and Side.CALLEE not in sides):
            return self._end(status, None, self._outcome(None))
        self.settling = True  # why it ended may still be on its way
        return None

    def failed(self, outcome: Outcome, status: str, reason: str | None) -> CallStatus | None:
        """End the call the PBX says failed, whatever its legs say."""
        if self.ended:
            return None
        return self._end(status, reason, self._outcome(outcome))

    def recorded(
        self, outcome: Outcome, status: str, talk: int | None, *, of_callee: bool, final: bool
    ) -> CallStatus | None:
        """Take a call record: the callee's decides the outcome.

        A ``final`` record is the call's one record, sent when it ended (the S-Series'); a
        P-Series writes one per leg, so its callee's record ends the call only once no leg of the
        callee is left (another device of the callee may still ring, or talk).
        """
        if self.ended or not of_callee:
            return None
        # One device's "no answer" does not undo another's answer.
        if self._recorded is not Outcome.ANSWERED:
            self._recorded = outcome
        self._duration = talk if talk is not None else self._duration
        if not final and Side.CALLEE in self._alive.values():
            return None
        return self._end(status, None, self._outcome(None))

    def pressed(self, digits: str, status: str) -> CallStatus | None:
        """Take keys that were pressed: ``digits`` are all of them so far."""
        if self.ended:
            return None
        self.digits = digits
        self.state = CallState.COLLECT_RESULT
        return self._status(status, None, None)

    def settle(self) -> CallStatus | None:
        """End a call that was settling and heard nothing since: its outcome is the best known."""
        if self.ended or not self.settling:
            return None
        return self._end(self._last, None, self._outcome(None))

    def _outcome(self, failure: Outcome | None) -> Outcome:
        if self.answered:
            return Outcome.ANSWERED
        return failure or self._recorded or Outcome.NO_ANSWER

    def _to(self, state: CallState, status: str) -> CallStatus | None:
        if state is self.state:
            return None
        self.state = state
        return self._status(status, None, None)

    def _end(self, status: str, reason: str | None, outcome: Outcome) -> CallStatus:
        self.state = CallState.DISCONNECTED
        self.settling = False
        return self._status(status, reason, outcome)

    def _status(self, status: str, reason: str | None, outcome: Outcome | None) -> CallStatus:
        state = self.state or CallState.UNKNOWN
        return CallStatus(
            provider=self.provider,
            call_id=self.call_id,
            caller=self.caller,
            callee=self.callee,
            status=status,
            state=state,
            reason=reason,
            outcome=outcome,
            digits=self.digits if state is CallState.COLLECT_RESULT else None,
            call_duration=self._duration if outcome is not None else None,
        )


class PlacedCalls:
    """The calls an entry placed and follows, the newest last; the oldest are forgotten first.

    An ended call is kept a while too, so that what the PBX still sends of it (a second hang-up,
    its call records) is recognised as its own and ignored.
    """

    def __init__(
        self, limit: int = FOLLOWED_CALLS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        """Follow no call yet."""
        self._limit = limit
        self.clock = clock
        self._calls: dict[str, PlacedCall] = {}
        self._settling: set[str] = set()
        self._ended_at: dict[str, float] = {}

    def start(self, call: PlacedCall) -> None:
        """Follow a call just placed."""
        self._calls.pop(call.call_id, None)
        self._calls[call.call_id] = call
        while len(self._calls) > self._limit:
            gone = next(iter(self._calls))
            del self._calls[gone]
            self._ended_at.pop(gone, None)

    def get(self, call_id: str | None) -> PlacedCall | None:
        """Return a followed call."""
        return self._calls.get(call_id or "")

    def newest_first(self) -> list[PlacedCall]:
        """Return the followed calls, the newest first."""
        return list(reversed(self._calls.values()))

    def touched(self, call: PlacedCall) -> None:
        """Note a call a report was about: if it began to settle, ``take_settling`` tells."""
        if call.settling:
            self._settling.add(call.call_id)
        if call.ended:
            self._ended_at.setdefault(call.call_id, self.clock())

    def ended_for(self, call_id: str) -> float | None:
        """Return how many seconds ago a followed call ended; None while it is on."""
        ended_at = self._ended_at.get(call_id)
        return None if ended_at is None else self.clock() - ended_at

    def take_settling(self) -> list[str]:
        """Return the calls that began to settle since the last time and still do: settle them soon."""
        settling, self._settling = self._settling, set()
        return sorted(
            call_id
            for call_id in settling
            if (call := self._calls.get(call_id)) is not None and call.settling
        )

    def settle(self, call_id: str) -> CallStatus | None:
        """End a call that settled and heard nothing more (see ``PlacedCall.settle``)."""
        call = self._calls.get(call_id)
        if call is None:
            return None
        status = call.settle()
        self.touched(call)
        return status
