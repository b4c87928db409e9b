"""What every telephony backend tells of a call, in the words of no vendor and of no Home Assistant.

A call that Call Bridge placed through a PBX has legs: the caller's phone (one or several devices
of the caller's extension) and the callee's (an extension, the members of a ring group, or a trunk
to an outside number). Real PBXs report each leg on its own and in no stable order: the caller's
second device hangs up while the first still rings, the caller's own pick-up is reported as
"answered", call records and "call failed" come before or after the last hang-up. ``PlacedCall``
holds what the reports told so far and says when the call has ended, and how:

- it is ``connected`` only when a leg of the callee answers;
- it ends when the PBX says it failed, when the callee's call record comes and no leg of the callee
  is left, or when no leg that could still bring the callee to the phone is left (then its outcome
  may still be on its way: it *settles* for a moment, see ``SETTLE_SECONDS``);
- its outcome is the callee's: answered once a callee leg answered, else what the PBX's failure
  or the callee's record said, else ``no_answer``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
import re
from typing import Any, Final


class CallState(StrEnum):
    """How far a call got, as ``call_bridge_call_status`` names it."""

    CALLING_CALLER = "calling_caller"
    CALLING_CALLEE = "calling_callee"
    CONNECTED = "connected"
    COLLECT_RESULT = "collect_result"
    DISCONNECTED = "disconnected"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """How a call ended, on its final status."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CallStatus:
    """One step of a call, with the keys of ``call_bridge_call_status`` (entry and device aside)."""

    provider: str
    call_id: str
    caller: str | None
    callee: str | None
    status: str
    state: CallState
    reason: str | None = None
    outcome: Outcome | None = None
    digits: str | None = None
    call_duration: int | None = None
    caller_call_duration: int | None = None
    report_date: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the status as the event's data carries it (states and outcomes as plain text)."""
        return {
            key: str(value) if isinstance(value, StrEnum) else value
            for key, value in asdict(self).items()
        }


# A failure's reason, as PBXs give it: a SIP code ("486", "486 Busy Here") or Yeastar's words.
OUTCOME_OF_SIP_CODE: Final[dict[str, Outcome]] = {
    "404": Outcome.UNREACHABLE,
    "408": Outcome.NO_ANSWER,
    "410": Outcome.UNREACHABLE,
    "480": Outcome.NO_ANSWER,
    "484": Outcome.UNREACHABLE,
    "486": Outcome.BUSY,
    "487": Outcome.NO_ANSWER,
    "603": Outcome.REJECTED,
}
OUTCOME_OF_WORDS: Final[dict[str, Outcome]] = {
    "user busy": Outcome.BUSY,
    "line unreachable": Outcome.UNREACHABLE,
    "not found": Outcome.UNREACHABLE,
    "dnd": Outcome.REJECTED,
    "no outbound restriction": Outcome.FAILED,
}
# A call record's status (S-Series ``NewCdr``, P-Series 30012), spelled as the PBXs spell it.
OUTCOME_OF_RECORD: Final[dict[str, Outcome]] = {
    "ANSWERED": Outcome.ANSWERED,
    "ANSWERD": Outcome.ANSWERED,
    "NO ANSWER": Outcome.NO_ANSWER,
    "NO ANSWERED": Outcome.NO_ANSWER,
    "BUSY": Outcome.BUSY,
    "FAILED": Outcome.FAILED,
    "VOICEMAIL": Outcome.NO_ANSWER,  # the voicemail took it, not a person
}
_SIP_CODE: Final = re.compile(r"([0-9]{3})\b")
_DURATION: Final = re.compile(r"[0-9]{1,7}")
# Seconds a call waits, once no leg that could answer is left, for the PBX to say why it ended.
SETTLE_SECONDS: Final = 2.0
# Calls an entry follows at once; the oldest are forgotten first.
FOLLOWED_CALLS: Final = 32


def failure_outcome(reason: str | None) -> Outcome:
    """Return the outcome of a failure's reason ("486", "486 Busy Here", "User busy", "NOT found")."""
    text = (reason or "").strip()
    if (code := _SIP_CODE.match(text)) is not None:
        return OUTCOME_OF_SIP_CODE.get(code.group(1), Outcome.FAILED)
    return OUTCOME_OF_WORDS.get(text.lower(), Outcome.FAILED)


def record_outcome(status: str | None) -> Outcome:
    """Return the outcome a call record's status gives, whatever its case."""
    return OUTCOME_OF_RECORD.get((status or "").strip().upper(), Outcome.UNKNOWN)


def duration(value: str | int | None) -> int | None:
    """Return whole seconds as a PBX writes them (text or number); None for anything else."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and _DURATION.fullmatch(text):
        return int(text)
    return None


def names_number(named: str | None, number: str) -> bool:
    """Whether a call record's party is ``number``: as dialled, with a route's prefix, or a group's.

    ``6200(4002)`` names ring group 6200 and the extension 4002 that answered it; an outside
    number may carry the prefix of the route that dialled it (``9`` + number).
    """
    if not named or not number:
        return False
    if named == number or named.startswith(f"{number}("):
        return True
    digits = number.lstrip("+")
    return len(digits) >= 7 and named.lstrip("+").endswith(digits)


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

    def __init__(self, limit: int = FOLLOWED_CALLS) -> None:
        """Follow no call yet."""
        self._limit = limit
        self._calls: dict[str, PlacedCall] = {}
        self._settling: set[str] = set()

    def start(self, call: PlacedCall) -> None:
        """Follow a call just placed."""
        self._calls.pop(call.call_id, None)
        self._calls[call.call_id] = call
        while len(self._calls) > self._limit:
            del self._calls[next(iter(self._calls))]

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
        return call.settle() if call is not None else None
