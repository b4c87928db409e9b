"""The calls that come in to Asterisk, from its ARI events (``subscribeAll``).

A call is the channel that dials: a phone, or a trunk's channel for a call from outside, whose
``Dial`` rings the callee's channels (its legs), found by the caller's channel id. The caller is
what that channel shows as caller (number and name), the callee the number its dialplan dialled;
a leg's ``ANSWER`` answers the call, and the caller's channel going away ends it. Calls that Call
Bridge placed are followed elsewhere and never reach here; ``Local`` channels are inner parts
of a call (FreePBX rings a group's members through them), never a call of their own. Reference asterisk-ari.md.
"""

from __future__ import annotations

from typing import Final

from ..incoming import IncomingCallEvent, IncomingCalls
from .events import CHANNEL_DESTROYED, DIAL, AriEvent
from .models import ANSWERED, RINGING

LOCAL: Final = "Local/"


class IncomingFollower:
    """Turns the events of calls Call Bridge did not place into their events."""

    def __init__(self, provider: str, technology: str) -> None:
        """Follow no call yet; events name ``provider``; phones are endpoints of ``technology``."""
        self.calls = IncomingCalls(provider)
        self.technology = technology

    def follow(self, event: AriEvent) -> list[IncomingCallEvent]:
        """Return what an event changed of the call that came in it is about."""
        now = self.calls.clock()
        if event.type == DIAL and event.caller is not None and event.peer is not None:
            caller, peer = event.caller, event.peer
            # A Local channel dials inside a call (a group's member, a follow-me), never starts one.
            if self.calls.ended(caller.id) or caller.name.startswith(LOCAL):
                return []
            extension = peer.resource(self.technology)
            call, started = self.calls.ring(
                caller.id,
                caller.id,
                caller.caller_number,
                caller.caller_name,
                caller.exten,
                extension=extension,
            )
            changed: IncomingCallEvent | None = None
            if event.dialstatus in ("", RINGING):
                call.rang(peer.id, extension)
            elif event.dialstatus == ANSWERED:
                changed = call.picked_up(peer.id, extension, now)
            else:  # busy, no answer, cancelled...: that phone is done
                changed = call.hung_up(peer.id, now)
            return [
                *([started] if started is not None else []),
                *self.calls.touched(caller.id, changed),
            ]
        if event.type == CHANNEL_DESTROYED and event.channel is not None:
            channel = event.channel.id
            if (ending := self.calls.get(channel)) is not None:
                return self.calls.touched(channel, ending.finished(now))
        return []
