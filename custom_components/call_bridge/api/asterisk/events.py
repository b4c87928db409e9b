"""The ARI events Call Bridge reads, checked and typed; the others are let by.

With ``subscribeAll`` Asterisk sends the events of every channel, bridge and device: most of them
(``ChannelVarset`` above all) say nothing a user asks about, and are ignored unread. What the
events read here hold is checked as any input from outside: ids printable and bounded, causes
and keys within their ranges.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import re
from typing import Any, Final

from ..common import valid_id
from .errors import InvalidEventError

DIAL: Final = "Dial"
CHANNEL_DESTROYED: Final = "ChannelDestroyed"
DTMF_RECEIVED: Final = "ChannelDtmfReceived"
DEVICE_STATE_CHANGED: Final = "DeviceStateChanged"
STASIS_START: Final = "StasisStart"
PLAYBACK_FINISHED: Final = "PlaybackFinished"
EVENT_TYPES: Final = frozenset(
    {
        DIAL,
        CHANNEL_DESTROYED,
        DTMF_RECEIVED,
        DEVICE_STATE_CHANGED,
        STASIS_START,
        PLAYBACK_FINISHED,
    }
)
MAX_TEXT: Final = 128
_WORD: Final = re.compile(r"[A-Za-z_]{0,32}")
_DIGIT: Final = re.compile(r"[0-9*#A-D]")
# "PJSIP/101-0000002a": the technology, the endpoint's resource, and a sequence number.
_CHANNEL_NAME: Final = re.compile(r"(?P<technology>[A-Za-z0-9]+)/(?P<resource>[^/]+)-[0-9a-f]+")
# "PJSIP/101": a device of one endpoint.
_DEVICE_NAME: Final = re.compile(r"(?P<technology>[A-Za-z0-9]+)/(?P<resource>[^/&]+)")


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel as an event carries it: its id, its name, its state, whom it shows as caller.

    ``exten``: where the dialplan has it, the number that was dialled (for a phone that calls).
    """

    id: str
    name: str
    state: str
    caller_number: str | None
    caller_name: str | None = None
    exten: str | None = None

    def resource(self, technology: str) -> str | None:
        """Return the endpoint the channel is on (``101`` of ``PJSIP/101-00000001``), if of ``technology``."""
        found = _CHANNEL_NAME.fullmatch(self.name)
        if found is None or found["technology"] != technology:
            return None
        return found["resource"]


@dataclass(frozen=True, slots=True)
class AriEvent:
    """One event Call Bridge reads; the fields its type carries are set, the others None."""

    type: str
    channel: Channel | None = None
    caller: Channel | None = None  # Dial: the channel that dials (None for an originated one)
    peer: Channel | None = None  # Dial: the channel dialled
    dialstatus: str | None = None
    cause: int | None = None
    cause_txt: str | None = None
    digit: str | None = None
    device: str | None = None  # DeviceStateChanged: "PJSIP/101"
    device_state: str | None = None
    playback_id: str | None = None
    playback_target: str | None = None  # PlaybackFinished: the channel it played on
    playback_state: str | None = None  # "done", or "failed" (a sound Asterisk could not play)

    def device_resource(self, technology: str) -> str | None:
        """Return the endpoint a device state is about (``101`` of ``PJSIP/101``)."""
        found = _DEVICE_NAME.fullmatch(self.device or "")
        if found is None or found["technology"] != technology:
            return None
        return found["resource"]


def decode_frame(text: str) -> AriEvent | None:
    """Return the event a frame carries; None for one Call Bridge does not read.

    Raise InvalidEventError for a frame that is no ARI event, or an event whose fields are not
    what Asterisk sends.
    """
    try:
        frame = json.loads(text)
    except (ValueError, RecursionError):
        raise InvalidEventError("the frame is not JSON") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise InvalidEventError("the frame has no event type")
    kind = frame["type"]
    if kind not in EVENT_TYPES:
        return None
    if kind == DIAL:
        return AriEvent(
            kind,
            caller=_channel(frame, "caller", required=False),
            peer=_channel(frame, "peer"),
            dialstatus=_word(frame.get("dialstatus"), "dialstatus"),
        )
    if kind == CHANNEL_DESTROYED:
        return AriEvent(
            kind,
            channel=_channel(frame, "channel"),
            cause=_cause(frame.get("cause")),
            cause_txt=_text(frame.get("cause_txt")),
        )
    if kind == DTMF_RECEIVED:
        digit = frame.get("digit")
        if not isinstance(digit, str) or not _DIGIT.fullmatch(digit):
            raise InvalidEventError("the key is not a key")
        return AriEvent(kind, channel=_channel(frame, "channel"), digit=digit)
    if kind == DEVICE_STATE_CHANGED:
        device = frame.get("device_state")
        if not isinstance(device, dict):
            raise InvalidEventError("device_state is not an object")
        return AriEvent(
            kind,
            device=_required_text(device.get("name"), "device_state.name"),
            device_state=_word(device.get("state"), "device_state.state"),
        )
    if kind == STASIS_START:
        return AriEvent(kind, channel=_channel(frame, "channel"))
    playback = frame.get("playback")
    if not isinstance(playback, dict):
        raise InvalidEventError("playback is not an object")
    target = _required_text(playback.get("target_uri"), "playback.target_uri")
    on, _, channel_id = target.partition(":")
    return AriEvent(
        kind,
        playback_id=_id(playback.get("id"), "playback.id"),
        playback_target=valid_id(channel_id) if on == "channel" else None,
        playback_state=_word(playback.get("state"), "playback.state"),
    )


def _channel(frame: dict[str, Any], key: str, *, required: bool = True) -> Channel | None:
    value = frame.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise InvalidEventError(f"{key} is not a channel")
    caller = value.get("caller")
    caller = caller if isinstance(caller, dict) else {}
    dialplan = value.get("dialplan")
    dialplan = dialplan if isinstance(dialplan, dict) else {}
    return Channel(
        id=_id(value.get("id"), f"{key}.id"),
        name=_required_text(value.get("name"), f"{key}.name"),
        state=_required_text(value.get("state"), f"{key}.state"),  # "Up", "Dialing Offhook"...
        caller_number=_text(caller.get("number")),
        caller_name=_text(caller.get("name")),
        exten=_text(dialplan.get("exten")),
    )


def _id(value: Any, what: str) -> str:
    checked = valid_id(value) if isinstance(value, str) else None
    if checked is None:
        raise InvalidEventError(f"{what} is not an id")
    return checked


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return value if len(value) <= MAX_TEXT and value.isprintable() else None


def _required_text(value: Any, what: str) -> str:
    text = _text(value)
    if text is None:
        raise InvalidEventError(f"{what} is not printable text of at most {MAX_TEXT} characters")
    return text


def _word(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _WORD.fullmatch(value):
        raise InvalidEventError(f"{what} is not a word")
    return value


def _cause(value: Any) -> int | None:
    """Return a Q.850 cause (0 to 127); None when the event gives none."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 127:
        raise InvalidEventError("cause is not a Q.850 cause")
    return value
