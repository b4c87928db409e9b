"""What every telephony backend tells of its calls and extensions, in the words of no vendor.

No Home Assistant here, and no vendor: the states and outcomes of a call and of an extension, the
status a call reports (the keys of ``call_bridge_call_status``), what a PBX reports (the keys of
``call_bridge_pbx_event``), the tables that turn what PBXs say into outcomes, and how the numbers
people type become the ones a PBX dials.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
import re
from typing import Any, Final
import unicodedata


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


class ExtensionState(StrEnum):
    """What an extension is doing, as its sensor says it."""

    IDLE = "idle"
    RINGING = "ringing"
    IN_USE = "in_use"
    OFFLINE = (
        "offline"  # not registered (Home Assistant's "unavailable" is for entities it cannot read)
    )


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


class PbxEventType(StrEnum):
    """What a PBX reported, as ``call_bridge_pbx_event`` and the "PBX calls" entity name it."""

    ALERT = "alert"
    RING = "ring"
    ANSWER = "answer"
    ANSWERED = "answered"
    BYE = "bye"
    CALL_FAILED = "call_failed"
    NEW_CDR = "new_cdr"
    EXTENSION_STATUS = "extension_status"
    BOOT_UP = "boot_up"
    TRANSFER = "transfer"
    DTMF = "dtmf"
    PLAY_PROMPT_END = "play_prompt_end"
    UNKNOWN = "unknown"


# The types that are about calls (the others have sensors, or are about the PBX itself).
CALL_EVENT_TYPES: Final = tuple(
    kind
    for kind in PbxEventType
    if kind not in (PbxEventType.EXTENSION_STATUS, PbxEventType.BOOT_UP)
)


@dataclass(frozen=True, slots=True)
class ReportedEvent:
    """What a PBX reported, with the keys of ``call_bridge_pbx_event`` (entry and device aside)."""

    action: str
    type: PbxEventType
    callid: str | None
    extensions: tuple[str, ...]
    inbound: dict[str, str] | None
    outbound: dict[str, str] | None
    reason: str | None
    cdr: dict[str, str] | None
    status: str | None
    key: str | None

    def as_dict(self) -> dict[str, Any]:
        """Return the event's data (its type as plain text, its extensions as a list)."""
        return asdict(self) | {"type": str(self.type), "extensions": list(self.extensions)}


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
# A hang-up's Q.850 cause (Asterisk's ``cause``), once the callee did not answer.
OUTCOME_OF_CAUSE: Final[dict[int, Outcome]] = {
    1: Outcome.UNREACHABLE,  # unallocated number
    3: Outcome.UNREACHABLE,  # no route to destination
    17: Outcome.BUSY,
    18: Outcome.NO_ANSWER,  # no user responding
    19: Outcome.NO_ANSWER,  # no answer
    21: Outcome.REJECTED,
    27: Outcome.UNREACHABLE,  # destination out of order
}
NORMAL_CLEARING: Final = 16
_SIP_CODE: Final = re.compile(r"([0-9]{3})\b")
_DURATION: Final = re.compile(r"[0-9]{1,7}")


def failure_outcome(reason: str | None) -> Outcome:
    """Return the outcome of a failure's reason ("486", "486 Busy Here", "User busy", "NOT found")."""
    text = (reason or "").strip()
    if (code := _SIP_CODE.match(text)) is not None:
        return OUTCOME_OF_SIP_CODE.get(code.group(1), Outcome.FAILED)
    return OUTCOME_OF_WORDS.get(text.lower(), Outcome.FAILED)


def cause_outcome(cause: int | None, *, answered: bool) -> Outcome:
    """Return the outcome of a hang-up's Q.850 cause: 16 after an answer is an answered call."""
    if answered:
        return Outcome.ANSWERED
    if cause == NORMAL_CLEARING:
        return Outcome.NO_ANSWER  # hung up while it still rang
    return OUTCOME_OF_CAUSE.get(cause or 0, Outcome.FAILED)


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


# Digits that tell a phone number apart from the same number typed another way.
MIN_MATCHED_DIGITS: Final = 7


def same_number(one: str, other: str) -> bool:
    """Whether two numbers are one, however each was typed (separators, + or 00, trunk prefix 0).

    Extensions and short numbers are equal only as they are. Longer ones are the same when the
    shorter, without its trunk prefix, is how the longer one ends: ``0755-2800 0003`` and
    ``+86 755 2800 0003``, ``13800138000`` and ``0086 138 0013 8000``. Digits alone decide, so that
    no country's numbering data is loaded (an import) when a call comes in.
    """
    first, second = _digits(one), _digits(other)
    if not first or not second:
        return False
    if first == second:
        return True
    shorter, longer = sorted((first.lstrip("0"), second.lstrip("0")), key=len)
    return len(shorter) >= MIN_MATCHED_DIGITS and longer.endswith(shorter)


def _digits(number: str) -> str:
    typed = strip_separators(number).lstrip("+")
    return typed if typed.isascii() and typed.isdigit() else ""


# A PBX extension number, as the PBXs list and dial them.
EXTENSION_NUMBER: Final = re.compile(r"[0-9]{1,16}")
# Separators people type inside numbers: spaces (also full-width), dashes, dots, brackets.
_SEPARATORS: Final = re.compile(r"[\s\-\u2010-\u2015.()]")
# What a PBX's outbound routes match: digits, with a leading + and the keypad's * and #.
_OUTSIDE_NUMBER: Final = re.compile(r"\+?[0-9*#]{1,32}")
# Several prompts are joined with "+", so a name cannot hold one.
MAX_PROMPT_NAME: Final = 64
MAX_PROMPTS: Final = 8


class InvalidExtensionError(ValueError):
    """A text is not an extension number."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not an extension: {reason}")
        self.number = number
        self.reason = reason


class InvalidOutsideNumberError(ValueError):
    """A text is not a number a PBX can dial out to."""

    def __init__(self, number: str, reason: str) -> None:
        """Keep the number as typed and why it was refused."""
        super().__init__(f"{number!r} is not an outside number: {reason}")
        self.number = number
        self.reason = reason


class InvalidPromptError(ValueError):
    """A text is not the name of a recording a PBX can play."""


def strip_separators(number: str) -> str:
    """Return a typed number without separators, full-width characters read as ASCII (NFKC)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", number))


def listed_extension(value: object) -> str | None:
    """Return an extension number a PBX listed (as text or a number); None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    number = str(value)
    return number if EXTENSION_NUMBER.fullmatch(number) else None


def normalize_extension(extension: str) -> str:
    """Return an extension as ASCII digits, separators removed ("10 1" gives "101").

    Full-width digits count as the digits they are; other scripts' digits are refused.
    """
    digits = strip_separators(extension)
    if not digits:
        raise InvalidExtensionError(extension, "the extension is empty")
    if not EXTENSION_NUMBER.fullmatch(digits):
        raise InvalidExtensionError(extension, "an extension is 1 to 16 digits")
    return digits


def normalize_outside_number(number: str) -> str:
    """Return a number to dial out to as a PBX's routes see it ("0755-2800 0003": "075528000003").

    Prefixes stay as typed (a 9 or a 0 for an outside line): the PBX's outbound routes decide.
    """
    digits = strip_separators(number)
    if not digits:
        raise InvalidOutsideNumberError(number, "the number is empty")
    if not _OUTSIDE_NUMBER.fullmatch(digits):
        raise InvalidOutsideNumberError(
            number, "an outside number is 1 to 32 digits, * or #, after an optional +"
        )
    return digits


def normalize_prompts(names: str | list[str]) -> tuple[str, ...]:
    """Return recording names to play in order: one, several, or several joined with "+"."""
    given = names.split("+") if isinstance(names, str) else names
    prompts = tuple(name.strip() for name in given)
    if not 0 < len(prompts) <= MAX_PROMPTS:
        raise InvalidPromptError(f"1 to {MAX_PROMPTS} prompts can be played")
    for prompt in prompts:
        if not 0 < len(prompt) <= MAX_PROMPT_NAME or not prompt.isprintable() or "+" in prompt:
            raise InvalidPromptError(
                f"a prompt name has 1 to {MAX_PROMPT_NAME} printable characters and no +"
            )
    return prompts
