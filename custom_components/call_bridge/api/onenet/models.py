"""The data of OneNET's voice API: its codes, its defaults and what its answers describe."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from .errors import OneNetAuthError, OneNetRefusedError

type SignMethod = Literal["sha1", "md5", "sha256"]

SIGN_METHODS: Final[tuple[SignMethod, ...]] = ("sha1", "md5", "sha256")
DEFAULT_SIGN_METHOD: Final[SignMethod] = "sha1"
SUCCESS_CODE: Final = "000000"


@dataclass(frozen=True, slots=True)
class OneNetCode:
    """A documented ``code_no``: its symbolic code and meaning."""

    code: str
    meaning: str
    retryable: bool = False
    auth: bool = False


CODES: Final[dict[str, OneNetCode]] = {
    "000111": OneNetCode("onenet_common_systemException", "system exception, retry later", True),
    "000001": OneNetCode("onenet_common_systemBusy", "system busy, retry later", True),
    "000002": OneNetCode("onenet_common_authException", "authentication failed", auth=True),
    "000004": OneNetCode("onenet_common_invalidParams", "invalid parameter"),
    "000005": OneNetCode("onenet_common_invalidReqParams", "invalid request parameter"),
    "000006": OneNetCode("onenet_common_paramNullException", "a required parameter is missing"),
    "000012": OneNetCode("onenet_common_JsonException", "invalid JSON"),
    "000014": OneNetCode(
        "onenet_common_authorizationIsNull", "the Authorization header is empty", auth=True
    ),
    "000015": OneNetCode(
        "onenet_common_authorizationFailed",
        "authorization failed (signature, or a clock past the expiry)",
        auth=True,
    ),
    "001001": OneNetCode("onenet_iaepVoice_callIdNotExist", "the call id does not exist"),
    "001005": OneNetCode("onenet_iaepVoice_NumberFormatRrror", "bad number format"),
    "001008": OneNetCode(
        "onenet_iaepVoice_BusinessNumberMismatch",
        "the business number (sponsor/display) mismatches",
    ),
    "001009": OneNetCode(
        "onenet_iaepVoice_NotOpenTheBusiness", "the account has not subscribed to this service"
    ),
    "001010": OneNetCode(
        "onenet_iaepVoice_TheBusinessIsClosed", "the account's service is closed or suspended"
    ),
}
# Answers to a request that lacks its numbers: they prove that the signature was accepted.
PARAMETER_CODES: Final = frozenset({"000004", "000005", "000006"})


@dataclass(frozen=True, slots=True)
class DialResult:
    """OneNET's answer to a request that places a call."""

    call_id: str | None
    request_id: str | None


def refusal_key(code: str) -> str:
    """Return the key of a documented code's refusal (a ``code_no``, or generation 2's words)."""
    return f"onenet_code_{code}"


def refusal(code_no: str, code: str | None) -> OneNetRefusedError:
    """Return the typed exception for an answer with this ``code_no``."""
    known = CODES.get(code_no)
    if known is None:
        return OneNetRefusedError(code_no, code or "unknown", "undocumented code", retryable=False)
    error_type = OneNetAuthError if known.auth else OneNetRefusedError
    return error_type(
        code_no, known.code, known.meaning, retryable=known.retryable, key=refusal_key(code_no)
    )


# Section 4.1: a template id has up to 20 characters; 1 to 32 keys can be collected.
MAX_TEMPLATE_ID: Final = 20
MAX_COLLECTED_KEYS: Final = 32
MAX_PLAYS: Final = 10
# Not documented: bounds that any real template stays far within.
MAX_VARIABLES: Final = 32
MAX_VARIABLE_TEXT: Final = 256


@dataclass(frozen=True, slots=True)
class VoiceMessage:
    """An approved text-to-speech template with its variables, played ``plays`` times.

    With ``collect_keys``, it is played once and that many keys are collected (``PlayAndCollect``).
    """

    template: str
    # (name, value) pairs: a message is compared and hashed, as the cooldown does with calls.
    variables: tuple[tuple[str, str], ...] = ()
    plays: int = 1
    collect_keys: int | None = None

    def __post_init__(self) -> None:
        """Refuse what OneNET would refuse, before anything is sent."""
        if not 0 < len(self.template) <= MAX_TEMPLATE_ID or not self.template.isprintable():
            raise ValueError(f"a template id has 1 to {MAX_TEMPLATE_ID} printable characters")
        if not 1 <= self.plays <= MAX_PLAYS:
            raise ValueError(f"a message is played 1 to {MAX_PLAYS} times")
        if self.collect_keys is not None and not 1 <= self.collect_keys <= MAX_COLLECTED_KEYS:
            raise ValueError(f"1 to {MAX_COLLECTED_KEYS} keys can be collected")
        if len(self.variables) > MAX_VARIABLES or not all(
            0 < len(name) <= MAX_VARIABLE_TEXT
            and len(value) <= MAX_VARIABLE_TEXT
            and name.isprintable()
            and value.isprintable()
            for name, value in self.variables
        ):
            raise ValueError(
                f"a template has up to {MAX_VARIABLES} variables of printable text, "
                f"{MAX_VARIABLE_TEXT} characters each"
            )

    def action(self) -> dict[str, object]:
        """Return the message as one of the request's ``actions``."""
        action: dict[str, object] = {
            "tts_template": self.template,
            "param_value": dict(self.variables),
        }
        if self.collect_keys is None:
            return {"operation": "Play", **action, "relay_time": str(self.plays)}  # sic
        return {
            "operation": "PlayAndCollect",
            **action,
            "collect_length": str(self.collect_keys),
            "replay_after_collection": "false",
        }
