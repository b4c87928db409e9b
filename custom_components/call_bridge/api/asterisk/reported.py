"""What Asterisk reports, as ``call_bridge_pbx_event`` and the extensions' states name it.

Of the events read, those about calls and devices are told: a ``Dial``'s progress (ringing,
answered, or why it failed), a channel's end with its cause, a key pressed, a prompt played to
its end, a device's state. The ``action`` is ARI's event type, the ``callid`` the channel that
dials (a call Call Bridge placed: its call id).
"""

from __future__ import annotations

from ..telephony import ExtensionState, PbxEventType, ReportedEvent, listed_extension
from .events import (
    CHANNEL_DESTROYED,
    DEVICE_STATE_CHANGED,
    DIAL,
    DTMF_RECEIVED,
    PLAYBACK_FINISHED,
    AriEvent,
    Channel,
)
from .models import ANSWERED, CANCELLED, EXTENSION_STATE_OF_DEVICE, OUTCOME_OF_DIALSTATUS, RINGING


def reported_event(event: AriEvent, technology: str) -> ReportedEvent | None:
    """Return what an event tells as ``call_bridge_pbx_event``; None for one that tells nothing."""
    kind = _type_of(event)
    if kind is None:
        return None
    channels = [c for c in (event.caller, event.peer, event.channel) if c is not None]
    if event.device is not None:
        device = listed_extension(event.device_resource(technology))
        extensions: tuple[str, ...] = (device,) if device is not None else ()
    else:
        extensions = _extensions(channels, technology)
    return ReportedEvent(
        action=event.type,
        type=kind,
        callid=channels[0].id if channels else event.playback_target,
        extensions=extensions,
        inbound=None,
        outbound=None,
        reason=event.cause_txt or (event.dialstatus if kind is PbxEventType.CALL_FAILED else None),
        cdr=None,
        status=event.device_state or event.playback_state,
        key=event.digit,
    )


def extension_state(event: AriEvent) -> ExtensionState | None:
    """Return the state a device's new state gives its extension; None for one that tells none."""
    return EXTENSION_STATE_OF_DEVICE.get(event.device_state or "")


def _type_of(event: AriEvent) -> PbxEventType | None:
    if event.type == DIAL:
        if event.dialstatus == RINGING:
            return PbxEventType.RING
        if event.dialstatus == ANSWERED:
            return PbxEventType.ANSWERED
        if event.dialstatus in OUTCOME_OF_DIALSTATUS or event.dialstatus == CANCELLED:
            return PbxEventType.CALL_FAILED
        return None  # a Dial that starts: its ringing follows
    return {
        CHANNEL_DESTROYED: PbxEventType.BYE,
        DTMF_RECEIVED: PbxEventType.DTMF,
        DEVICE_STATE_CHANGED: PbxEventType.EXTENSION_STATUS,
        PLAYBACK_FINISHED: PbxEventType.PLAY_PROMPT_END,
    }.get(event.type)


def _extensions(channels: list[Channel], technology: str) -> tuple[str, ...]:
    """Return the extensions whose phones the channels are on, in order, each once."""
    numbers: list[str] = []
    for channel in channels:
        number = listed_extension(channel.resource(technology))
        if number is not None and number not in numbers:
            numbers.append(number)
    return tuple(numbers)
