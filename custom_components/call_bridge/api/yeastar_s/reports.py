"""The reports a PBX posts about its calls and extensions (reference pbx-api.md, section 6).

Nothing authenticates a report; everything in one comes from the network. Only JSON objects of the
documented shapes, with bounded, printable text, are reports. Both shapes are read: OpenVox's flat
``ext`` / ``inbound`` / ``outbound`` objects and Yeastar's ``call`` array, ``extid`` as a string or a
list, and the report format before 1.0.2, whose objects repeat the ``ext`` key.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import Any, Final

from ..telephony import ExtensionState, PbxEventType, ReportedEvent
from .errors import PbxError

# The report format Call Bridge asks for at login; older formats are read too.
REPORT_VERSION: Final = "1.0.2"
MAX_REPORT_BYTES: Final = 64 * 1024
MAX_TEXT: Final = 64
MAX_EXTENSIONS: Final = 32

# ``action`` as sent, and the ``type`` automations see.
REPORT_TYPES: Final[dict[str, PbxEventType]] = {
    "ALERT": PbxEventType.ALERT,
    "RING": PbxEventType.RING,
    "RI": PbxEventType.RING,  # sic, in Yeastar's 2017 guide
    "ANSWER": PbxEventType.ANSWER,
    "ANSWERED": PbxEventType.ANSWERED,
    "BYE": PbxEventType.BYE,
    "CallFailed": PbxEventType.CALL_FAILED,
    "NewCdr": PbxEventType.NEW_CDR,
    "ExtensionStatus": PbxEventType.EXTENSION_STATUS,
    "BootUp": PbxEventType.BOOT_UP,
    "Tranfer": PbxEventType.TRANSFER,  # sic, in OpenVox's documents
    "Transfer": PbxEventType.TRANSFER,
    "DTMF": PbxEventType.DTMF,
    "PlayPromptEnd": PbxEventType.PLAY_PROMPT_END,
}
KEYPAD: Final = frozenset("0123456789*#ABCD")
# ExtensionStatus' ``status`` (and the extension list's), and the states of an extension.
EXTENSION_STATES: Final[dict[str, ExtensionState]] = {
    "Idle": ExtensionState.IDLE,
    "Registered": ExtensionState.IDLE,
    "Ringing": ExtensionState.RINGING,
    "InUse": ExtensionState.IN_USE,
    "Busy": ExtensionState.IN_USE,
    "Unregistered": ExtensionState.OFFLINE,
    "Unavailable": ExtensionState.OFFLINE,
}
_EXTENSION_STATE_OF_WORD: Final = {
    word.casefold(): state for word, state in EXTENSION_STATES.items()
}


def extension_state(status: str | None) -> ExtensionState | None:
    """Return the state of an extension's status word, whatever its case; None for others."""
    return _EXTENSION_STATE_OF_WORD.get((status or "").casefold())


_TRUNK_FIELDS: Final = ("from", "to", "trunk", "inboundid", "outboundid")
_CDR_FIELDS: Final = (
    "timestart",
    "callfrom",
    "callto",
    "callduraction",
    "talkduraction",
    "status",
    "type",
    "recording",
)


class InvalidReportError(PbxError, ValueError):
    """A body that is not a report; the message names fields, never their values."""


@dataclass(frozen=True, slots=True)
class PbxReport:
    """A report, in one shape whichever the PBX sent."""

    action: str
    type: PbxEventType
    serial: str | None
    callid: str | None
    extensions: tuple[str, ...]
    inbound: dict[str, str] | None
    outbound: dict[str, str] | None
    reason: str | None
    cdr: dict[str, str] | None
    status: str | None
    # The key a DTMF report tells was pressed.
    key: str | None = None

    @property
    def extension_state(self) -> ExtensionState | None:
        """The state an ExtensionStatus report gives its extension, if it names a known one."""
        return extension_state(self.status)

    def reported(self) -> ReportedEvent:
        """Return the report in the words of every PBX (``call_bridge_pbx_event``)."""
        return ReportedEvent(
            action=self.action,
            type=self.type,
            callid=self.callid,
            extensions=self.extensions,
            inbound=self.inbound,
            outbound=self.outbound,
            reason=self.reason,
            cdr=self.cdr,
            status=self.status,
            key=self.key,
        )


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build a JSON object; a key given more than once keeps every value, in a list."""
    fields: dict[str, Any] = {}
    repeated: set[str] = set()
    for key, value in pairs:
        if key in fields:
            if key not in repeated:
                fields[key] = [fields[key]]
                repeated.add(key)
            fields[key].append(value)
        else:
            fields[key] = value
    return fields


def _text(value: Any, name: str) -> str | None:
    """Return a text or number field as text; refuse anything else, long or unprintable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidReportError(f"{name} is not text")
    text = str(value)
    # isprintable() is False for control characters, NUL, line breaks and lone surrogates.
    if len(text) > MAX_TEXT or not text.isprintable():
        raise InvalidReportError(f"{name} is longer than {MAX_TEXT} or not printable text")
    return text


def _fields(value: Any, name: str, known: tuple[str, ...]) -> dict[str, str] | None:
    """Return the known text fields of an object (a trunk leg, a call record)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidReportError(f"{name} is not an object")
    fields = {key: _text(value.get(key), f"{name}.{key}") for key in known}
    return {key: text for key, text in fields.items() if text is not None}


def _parts(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the objects that hold ``ext`` / ``inbound`` / ``outbound``: the body, or its ``call``s."""
    calls = body.get("call")
    if calls is None:
        return [body]
    calls = _listed(calls)
    if len(calls) > MAX_EXTENSIONS or not all(isinstance(part, dict) for part in calls):
        raise InvalidReportError("call is not a short list of objects")
    return [body, *calls]


def _extensions(parts: list[dict[str, Any]]) -> tuple[str, ...]:
    """Every ``ext.extid``, in the order sent, whether strings, lists or repeated ``ext`` keys."""
    numbers: list[str] = []
    for part in parts:
        exts = part.get("ext")
        for ext in _listed(exts):
            if ext is None:
                continue
            if not isinstance(ext, dict):
                raise InvalidReportError("ext is not an object")
            extids = ext.get("extid")
            texts = (_text(extid, "ext.extid") for extid in _listed(extids))
            numbers.extend(text for text in texts if text is not None)
    if len(numbers) > MAX_EXTENSIONS:
        raise InvalidReportError(f"more than {MAX_EXTENSIONS} extensions")
    return tuple(numbers)


def _listed(value: Any) -> list[Any]:
    """Return a field that may be one value or a list of them, as a list."""
    return value if isinstance(value, list) else [value]


def _leg(parts: list[dict[str, Any]], name: str) -> dict[str, str] | None:
    """Return the first ``inbound`` or ``outbound`` object of the report."""
    for part in parts:
        if name in part:
            return _fields(part[name], name, _TRUNK_FIELDS)
    return None


def decode_report(raw: bytes) -> dict[str, Any]:
    """Decode a report's body, which must be a JSON object (repeated keys kept)."""
    if len(raw) > MAX_REPORT_BYTES:
        raise InvalidReportError(f"body larger than {MAX_REPORT_BYTES} bytes")
    try:
        body = json.loads(raw, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise InvalidReportError("not JSON") from None
    if not isinstance(body, dict):
        raise InvalidReportError("not a JSON object")
    return body


def parse_report(body: dict[str, Any]) -> PbxReport:
    """Return the report of a decoded body; raise InvalidReportError."""
    action = _text(body.get("action"), "action")
    if action is None:
        raise InvalidReportError("action missing")
    parts = _parts(body)
    extension = _text(body.get("extension"), "extension")
    extensions = _extensions(parts)
    return PbxReport(
        action=action,
        type=REPORT_TYPES.get(action, PbxEventType.UNKNOWN),
        serial=_text(body.get("sn"), "sn"),
        callid=_text(body.get("callid"), "callid"),
        extensions=(extension, *extensions) if extension is not None else extensions,
        inbound=_leg(parts, "inbound"),
        outbound=_leg(parts, "outbound"),
        reason=_text(body.get("reason"), "reason"),
        cdr=_fields(body, "cdr", _CDR_FIELDS) if action == "NewCdr" else None,
        status=_text(body.get("status"), "status") if action == "ExtensionStatus" else None,
        key=_key(body.get("info")) if action == "DTMF" else None,
    )


def _key(value: Any) -> str | None:
    """Return a DTMF report's key: one of a telephone keypad's, or nothing."""
    key = _text(value, "info")
    if key is not None and key not in KEYPAD:
        raise InvalidReportError("info is not a key of a telephone keypad")
    return key
