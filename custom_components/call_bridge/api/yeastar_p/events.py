"""The PBX's events over its WebSocket (reference section 7): one envelope, ``msg`` decoded twice.

Everything in a frame comes from the network. A frame is an event only when it is a JSON object
with an integer ``type`` and a ``msg`` that is itself a JSON object (as a string); text that is
not JSON (``heartbeat response``) and answers (``errcode``) are told apart, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any, Final

from ..common import MAX_ID_LENGTH
from .errors import InvalidEventError

MAX_FRAME_BYTES: Final = 64 * 1024
MAX_TEXT: Final = 128
MAX_MEMBERS: Final = 32
# The events a telephony integration takes (section 7.5).
EXTENSION_CALL_STATUS: Final = 30008
EXTENSION_PRESENCE: Final = 30009
CALL_STATUS: Final = 30011
NEW_CDR: Final = 30012
CALL_FAILED: Final = 30015
DTMF: Final = 30017
PLAY_PROMPT_END: Final = 30018
TOPICS: Final = (
    EXTENSION_CALL_STATUS,
    EXTENSION_PRESENCE,
    CALL_STATUS,
    NEW_CDR,
    CALL_FAILED,
    DTMF,
    PLAY_PROMPT_END,
)
_LEG_KINDS: Final = ("extension", "inbound", "outbound")
_LEG_FIELDS: Final = ("number", "from", "to", "trunk_name", "channel_id", "member_status")
# Ids are kept (a call to follow, a channel to hang up): no longer than Home Assistant keeps ids.
_LIMITS: Final = {"call_id": MAX_ID_LENGTH, "channel_id": MAX_ID_LENGTH}


@dataclass(frozen=True, slots=True)
class Member:
    """One leg of a call: an extension, or a trunk's inbound or outbound leg."""

    kind: str
    number: str | None
    channel_id: str | None
    status: str | None
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class PbxEvent:
    """An event: its id, the PBX's serial (configuration events have none) and its ``msg``."""

    type: int
    serial: str | None
    msg: dict[str, Any]

    @property
    def call_id(self) -> str | None:
        """The call the event is about, if any."""
        return self.text("call_id")

    def members(self) -> tuple[Member, ...]:
        """Return the legs of a call event (``members`` may be null: none)."""
        members = self.msg.get("members")
        if members is None:
            return ()
        if not isinstance(members, list) or len(members) > MAX_MEMBERS:
            raise InvalidEventError("members is not a short list")
        return tuple(_member(member) for member in members)

    def text(self, name: str) -> str | None:
        """Return a text (or number) field of ``msg``, bounded and printable."""
        return _text(self.msg.get(name), name, _LIMITS.get(name, MAX_TEXT))


@dataclass(frozen=True, slots=True)
class Answer:
    """A frame that answers the client (a subscription's result, or ``TOKEN EXPIRED``)."""

    errcode: int
    errmsg: str


def _text(value: Any, name: str, limit: int = MAX_TEXT) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidEventError(f"{name} is not text")
    text = str(value).strip()
    if len(text) > limit or not text.isprintable():
        raise InvalidEventError(f"{name} is longer than {limit} or not printable text")
    return text or None


def _member(value: Any) -> Member:
    if not isinstance(value, dict) or len(value) != 1:
        raise InvalidEventError("a member is not an object with one leg")
    [(kind, leg)] = value.items()
    if kind not in _LEG_KINDS or not isinstance(leg, dict):
        raise InvalidEventError("a member's leg is not an extension, inbound or outbound")
    fields = {
        name: text
        for name in _LEG_FIELDS
        if (text := _text(leg.get(name), f"{kind}.{name}", _LIMITS.get(name, MAX_TEXT))) is not None
    }
    return Member(
        kind=kind,
        number=fields.get("number"),
        channel_id=fields.get("channel_id"),
        # Compared upper-case: the PBX's words vary in case (reference pitfall 7).
        status=status.upper() if (status := fields.get("member_status")) else None,
        fields=fields,
    )


def decode_frame(frame: str) -> PbxEvent | Answer | None:
    """Return the event or answer of a text frame; None for text that is neither (heartbeats)."""
    if len(frame) > MAX_FRAME_BYTES:
        raise InvalidEventError(f"frame longer than {MAX_FRAME_BYTES} characters")
    try:
        envelope = json.loads(frame)
    except (ValueError, RecursionError):
        return None
    if not isinstance(envelope, dict):
        raise InvalidEventError("frame is not a JSON object")
    if "errcode" in envelope and "type" not in envelope:
        errcode = envelope["errcode"]
        if isinstance(errcode, bool) or not isinstance(errcode, int):
            raise InvalidEventError("errcode is not a number")
        return Answer(errcode, _text(envelope.get("errmsg"), "errmsg") or "")
    kind = envelope.get("type")
    if isinstance(kind, bool) or not isinstance(kind, int):
        raise InvalidEventError("type is not a number")
    raw = envelope.get("msg")
    if not isinstance(raw, str):
        raise InvalidEventError("msg is not a JSON string")
    try:
        msg = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidEventError("msg is not JSON") from None
    if not isinstance(msg, dict):
        raise InvalidEventError("msg is not a JSON object")
    return PbxEvent(type=kind, serial=_text(envelope.get("sn"), "sn"), msg=msg)
