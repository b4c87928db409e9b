"""Calls that come in to a PBX, followed to their one end: ringing, answered, then missed or ended.

A call Call Bridge did not place (from outside, or between extensions) has legs too: the phones it
rings. PBXs report them on their own and in no stable order, twice, or with the call record before
the last hang-up. ``IncomingCall`` holds what the reports told so far:

- it is ``ringing`` from its first report, ``answered`` once a phone picked up;
- it ends when its call record says how it went, when the PBX says it ended, or when no leg is
  left (then its record may still be on its way: it *settles* for a moment, as placed calls do);
- it ends ``ended`` when it was answered, else ``missed``: exactly one final event per call; what
  comes after it is ignored.

Each vendor package maps its own wire onto these (its ``incoming.py``). No vendor, no Home Assistant.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
import time
from typing import Any, Final

# Calls followed at once: a flood of calls that never end forgets the oldest first.
OPEN_CALLS: Final = 64
# Calls that ended, remembered so that what the PBX still sends of them is ignored.
ENDED_CALLS: Final = 256
# A call's parties as stored and fired: bounded, whatever a PBX sends.
MAX_PARTY: Final = 64


class IncomingState(StrEnum):
    """Where a call that came in is: the ``state`` of ``call_bridge_incoming_call``."""

    RINGING = "ringing"
    ANSWERED = "answered"
    MISSED = "missed"
    ENDED = "ended"


FINAL_STATES: Final = frozenset({IncomingState.MISSED, IncomingState.ENDED})


def party(value: str | None) -> str | None:
    """Return a caller id, a name or a number as kept: printable, trimmed, at most ``MAX_PARTY``.

    Control characters and lone surrogates (which Home Assistant could not store) are dropped.
    """
    if value is None:
        return None
    text = "".join(
        char for char in value if char.isprintable() and not 0xD800 <= ord(char) <= 0xDFFF
    ).strip()
    return text[:MAX_PARTY] or None


@dataclass(frozen=True, slots=True)
class IncomingCallEvent:
    """One step of a call that came in: the keys of ``call_bridge_incoming_call`` (entry aside)."""

    provider: str
    call_id: str
    caller: str | None
    caller_name: str | None
    callee: str | None
    extension: str | None
    state: IncomingState
    duration: int | None = None

    @property
    def final(self) -> bool:
        """Whether the event is the call's last."""
        return self.state in FINAL_STATES

    def as_dict(self) -> dict[str, Any]:
        """Return the event's data (its state as plain text)."""
        return asdict(self) | {"state": str(self.state)}


@dataclass(slots=True)
class IncomingCall:
    """What the PBX told so far of one call that came in; see the module's docstring.

    Each method takes what the PBX sent and returns the call's new event, if the report changed it;
    ``now`` is the follower's clock, which measures how long an answered call lasted.
    """

    provider: str
    call_id: str
    caller: str | None
    caller_name: str | None
    callee: str | None
    extension: str | None = None
    state: IncomingState = IncomingState.RINGING
    settling: bool = False
    # What the follower knows the call by while it settles: PBXs may give two calls one id.
    handle: str = ""
    _legs: set[str] = field(default_factory=set)
    _answered_at: float | None = None
    _recorded: bool | None = None
    _duration: int | None = None

    @property
    def ended(self) -> bool:
        """Whether the call's final event was given."""
        return self.state in FINAL_STATES

    def event(self) -> IncomingCallEvent:
        """Return the call's event as it stands."""
        return IncomingCallEvent(
            provider=self.provider,
            call_id=self.call_id,
            caller=self.caller,
            caller_name=self.caller_name,
            callee=self.callee,
            extension=self.extension,
            state=self.state,
            duration=self._duration if self.ended else None,
        )

    def rang(self, leg: str, extension: str | None) -> None:
        """Take a phone that rings for the call (another member of a group, or the first)."""
        if self.ended:
            return
        self._legs.add(leg)
        self.settling = False
        if self.state is IncomingState.RINGING and extension is not None:
            self.extension = party(extension)

    def picked_up(self, leg: str, extension: str | None, now: float) -> IncomingCallEvent | None:
        """Take a phone that answered: the call is answered (once)."""
        if self.ended:
            return None
        self._legs.add(leg)
        self.settling = False
        if self.state is IncomingState.ANSWERED:
            return None
        self.state = IncomingState.ANSWERED
        self._answered_at = now
        if extension is not None:
            self.extension = party(extension)
        return self.event()

    def hung_up(self, leg: str | None, now: float) -> IncomingCallEvent | None:
        """Take a leg that ended (None: all of them).

        With none left, the call ends as its record said, or settles until the record comes.
        """
        if self.ended:
            return None
        if leg is None:
            self._legs.clear()
        else:
            self._legs.discard(leg)
        if self._legs:
            return None
        self._talked(now)
        if self._recorded is not None:
            return self._end(answered=self._recorded)
        self.settling = True
        return None

    def recorded(
        self, answered: bool, talk: int | None, now: float, *, final: bool
    ) -> IncomingCallEvent | None:
        """Take a call record: a ``final`` one ends the call; a leg's ends it once no leg is left.

        One record's answer is not undone by another's "no answer", nor an answer seen before.
        """
        if self.ended:
            return None
        answered = answered or self.state is IncomingState.ANSWERED or bool(self._recorded)
        self._recorded = answered
        if talk is not None and (answered or self._duration is None):
            self._duration = talk
        if not final and self._legs:
            return None
        self._talked(now)
        return self._end(answered=answered)

    def finished(self, now: float) -> IncomingCallEvent | None:
        """End the call the PBX says is over, whatever its legs say."""
        if self.ended:
            return None
        self._talked(now)
        return self._end(answered=self.state is IncomingState.ANSWERED)

    def settle(self) -> IncomingCallEvent | None:
        """End a call that was settling and heard nothing since."""
        if self.ended or not self.settling:
            return None
        return self._end(answered=self.state is IncomingState.ANSWERED)

    def _talked(self, now: float) -> None:
        if self._answered_at is not None and self._duration is None:
            self._duration = max(0, round(now - self._answered_at))

    def _end(self, *, answered: bool) -> IncomingCallEvent:
        self.state = IncomingState.ENDED if answered else IncomingState.MISSED
        self.settling = False
        if not answered:
            self._duration = None
        return self.event()


class IncomingCalls:
    """The calls coming in to one entry's PBX, found by a key the vendor chooses.

    Bounded: ``OPEN_CALLS`` open at once (a flood of calls that never end forgets the oldest) and
    ``ENDED_CALLS`` ended ones, whose late reports are ignored.
    """

    def __init__(self, provider: str, clock: Callable[[], float] = time.monotonic) -> None:
        """Follow no call yet; events name ``provider``."""
        self.provider = provider
        self.clock = clock
        self._open: OrderedDict[Hashable, IncomingCall] = OrderedDict()
        self._ended: OrderedDict[Hashable, None] = OrderedDict()
        self._settling: set[str] = set()
        self._keys: dict[str, Hashable] = {}
        self._started = 0

    def __len__(self) -> int:
        """Return how many calls are open."""
        return len(self._open)

    def get(self, key: Hashable) -> IncomingCall | None:
        """Return the open call of ``key``."""
        return self._open.get(key)

    def ended(self, key: Hashable) -> bool:
        """Whether the call of ``key`` ended a moment ago: what still comes of it is ignored."""
        return key in self._ended

    def ring(
        self,
        key: Hashable,
        call_id: str,
        caller: str | None,
        caller_name: str | None,
        callee: str | None,
        *,
        extension: str | None = None,
    ) -> tuple[IncomingCall, IncomingCallEvent | None]:
        """Return the open call of ``key``, started (with its ``ringing`` event) if it is new.

        ``extension``: the one it rings, when the first report names it.
        """
        if (call := self._open.get(key)) is not None:
            return call, None
        self._started += 1
        call = IncomingCall(
            self.provider,
            party(call_id) or "",
            party(caller),
            party(caller_name),
            party(callee),
            party(extension),
            handle=str(self._started),
        )
        self._ended.pop(key, None)
        self._open[key] = call
        self._keys[call.handle] = key
        while len(self._open) > OPEN_CALLS:
            gone_key, gone = self._open.popitem(last=False)
            self._forget(gone_key, gone)
        return call, call.event()

    def touched(self, key: Hashable, event: IncomingCallEvent | None) -> list[IncomingCallEvent]:
        """Note what a report did to the call of ``key``; return its event, if it gave one."""
        call = self._open.get(key)
        if call is not None:
            if call.ended:
                del self._open[key]
                self._forget(key, call)
                self._ended[key] = None
                while len(self._ended) > ENDED_CALLS:
                    self._ended.popitem(last=False)
            elif call.settling:
                self._settling.add(call.handle)
        return [event] if event is not None else []

    def take_settling(self) -> list[str]:
        """Return the calls (their handles) that began to settle since the last time: settle them soon."""
        settling, self._settling = self._settling, set()
        return sorted(
            handle
            for handle in settling
            if (call := self._open.get(self._keys.get(handle))) is not None and call.settling
        )

    def settle(self, handle: str) -> IncomingCallEvent | None:
        """End a call (by its handle) that settled and heard nothing more."""
        key = self._keys.get(handle)
        call = self._open.get(key)
        if call is None or key is None:
            return None
        event = call.settle()
        self.touched(key, event)
        return event

    def _forget(self, key: Hashable, call: IncomingCall) -> None:
        del self._keys[call.handle]
