"""OneNET voice's two API generations: where requests go, how they are signed, how answers read.

Generation 1 (reference sections 1-4): ``voice.heclouds.com:8002/v1/onenet/...``, signed for
``onenet_voice/{appid}``, the app id in every body and callback, answers ``code_no``/``code``.
Generation 2 (sections 0, 2.5): ``openapi.heclouds.com/vcs?action=...&version=2``, signed for
``userid/{user_id}`` with version ``2020-05-29``, no app id in the body, ``user_id`` in callbacks,
answers ``success``/``code``/``msg``. Both share the signature algorithm.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Final, Literal

from .errors import (
    UNDOCUMENTED_REFUSAL,
    OneNetAuthError,
    OneNetRefusedError,
    OneNetResponseError,
)
from .models import CODES, PARAMETER_CODES, SUCCESS_CODE, refusal, refusal_key

type ApiGeneration = Literal[1, 2]

DEFAULT_BASE_URL: Final = "https://voice.heclouds.com:8002"

# Generation 2's error codes (``iot.vcs.<name>``, reference 2.5), with generation 1's code of the
# same meaning where there is one (both are then told in the same words), else words of its own.
GENERATION_2_CODES: Final[dict[str, str]] = {
    "systemException": "000111",
    "invalidParams": "000004",
    "invalidReqParams": "000005",
    "paramNullException": "000006",
    "invalidJsonParams": "000012",
    "callIdNotExist": "001001",
    "numberFormatError": "001005",
    "businessNumberMismatch": "001008",
    "notOpenTheBusiness": "001009",
    "theBusinessIsClosed": "001010",
    "userIdNotExist": "user_id_not_exist",
    "overTheExperienceNumber": "over_the_experience_number",
    "ipWhiteListNotMatch": "ip_white_list_not_match",
    "talkTimeIsLimit": "talk_time_is_limit",
    "notApplyTestAccount": "not_apply_test_account",
    "testAccountIsInvalid": "test_account_is_invalid",
}
CODE_PREFIX: Final = "iot.vcs."
# Generation 2's codes that say the account itself is wrong: only new credentials help.
GENERATION_2_AUTH_CODES: Final = frozenset({"userIdNotExist", "testAccountIsInvalid"})


class Generation(ABC):
    """What differs between the two generations; the client holds one."""

    number: ClassVar[ApiGeneration]
    default_base_url: ClassVar[str]
    auth_version: ClassVar[str]
    # The callback's field that names the account.
    callback_account: ClassVar[str]
    # A refusal that means "signed with an expired header" (so nothing was done).
    expired_signature: ClassVar[str | None]

    @abstractmethod
    def res(self, account: str) -> str:
        """Return the resource the signatures name for this account."""

    @abstractmethod
    def path(self, operation: Literal["dial", "notify"]) -> str:
        """Return the path (and query) of click-to-dial or of a voice notification."""

    @abstractmethod
    def body(self, account: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Return a request body: the operation's fields, and the account where it goes in."""

    @abstractmethod
    def result(self, status: int, answer: Any) -> dict[str, Any]:
        """Return a successful answer's fields (``data``, the request id); raise its refusal."""

    def proves_credentials(self, err: OneNetRefusedError) -> bool:
        """Whether a refusal of a request without numbers shows that the signature was accepted."""
        return err.code_no in PARAMETER_CODES


class GenerationOne(Generation):
    """The first generation, for which entries were made before generation 2 existed here."""

    number: ClassVar[ApiGeneration] = 1
    default_base_url: ClassVar[str] = DEFAULT_BASE_URL
    auth_version: ClassVar[str] = "v1"
    callback_account: ClassVar[str] = "appid"
    expired_signature: ClassVar[str | None] = "000015"

    def res(self, account: str) -> str:
        """Return ``onenet_voice/{appid}``."""
        return f"onenet_voice/{account}"

    def path(self, operation: Literal["dial", "notify"]) -> str:
        """Return ``/v1/onenet/dial/notify`` or ``/v1/onenet/voice/notify``."""
        return "/v1/onenet/dial/notify" if operation == "dial" else "/v1/onenet/voice/notify"

    def body(self, account: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Put the app id first in every body."""
        return {"appid": account} | fields

    def result(self, status: int, answer: Any) -> dict[str, Any]:
        """Success is ``code_no`` 000000 (and an HTTP success)."""
        if not isinstance(answer, dict) or "code_no" not in answer:
            raise OneNetResponseError(f"OneNET answered HTTP {status} without a result code")
        code_no = str(answer["code_no"])
        if code_no != SUCCESS_CODE:
            code = answer.get("code")
            raise refusal(code_no, str(code) if code is not None else None)
        if not 200 <= status < 300:
            raise OneNetResponseError(f"OneNET answered HTTP {status} with a success code")
        return {"data": answer.get("data"), "request_id": answer.get("request_id")}


class GenerationTwo(Generation):
    """The second generation (OneNET Studio), which accounts made today may only have."""

    number: ClassVar[ApiGeneration] = 2
    default_base_url: ClassVar[str] = "https://openapi.heclouds.com"
    auth_version: ClassVar[str] = "2020-05-29"
    callback_account: ClassVar[str] = "user_id"
    # No documented code says so: a refused signature is not signed again.
    expired_signature: ClassVar[str | None] = None

    def res(self, account: str) -> str:
        """Return ``userid/{user_id}``."""
        return f"userid/{account}"

    def path(self, operation: Literal["dial", "notify"]) -> str:
        """Return ``/vcs?action=dialNotify&version=2`` or its ``voiceNotify``."""
        action = "dialNotify" if operation == "dial" else "voiceNotify"
        return f"/vcs?action={action}&version=2"

    def body(self, account: str, fields: dict[str, Any]) -> dict[str, Any]:
        """Leave the account out: the signature names it."""
        return dict(fields)

    def result(self, status: int, answer: Any) -> dict[str, Any]:
        """Success is ``success: true``; a refusal names its code (``iot.vcs.<name>``)."""
        if not isinstance(answer, dict) or not isinstance(answer.get("success"), bool):
            raise OneNetResponseError(f"OneNET answered HTTP {status} without a result")
        if not answer["success"]:
            raise _generation_2_refusal(status, answer.get("code"))
        if not 200 <= status < 300:
            raise OneNetResponseError(f"OneNET answered HTTP {status} with a success")
        return {"data": answer.get("data"), "request_id": answer.get("requestId")}

    def proves_credentials(self, err: OneNetRefusedError) -> bool:
        """Take a refusal of the request's parameters as the signature accepted."""
        return err.code_no in GENERATION_2_PARAMETER_CODES


# Answers to a request that lacks its numbers.
GENERATION_2_PARAMETER_CODES: Final = frozenset(
    {"invalidParams", "invalidReqParams", "paramNullException"}
)


def _generation_2_refusal(status: int, code: Any) -> OneNetRefusedError:
    """Return the refusal of a generation-2 answer; ``code_no`` is the code's name."""
    text = str(code) if code is not None else ""
    name = text.removeprefix(CODE_PREFIX)
    # Generation 2 documents no code for a refused signature; its platform answers HTTP 401.
    own = GENERATION_2_CODES.get(name)
    if name in GENERATION_2_AUTH_CODES or status in (401, 403):
        return OneNetAuthError(
            name or str(status),
            text,
            "the account was refused",
            retryable=False,
            key=refusal_key(own) if own else UNDOCUMENTED_REFUSAL,
        )
    if own is None:
        return OneNetRefusedError(
            name or "unknown", text or "unknown", "undocumented code", retryable=False
        )
    known = CODES.get(own)
    return OneNetRefusedError(
        name,
        text,
        known.meaning if known else "documented",
        retryable=known.retryable if known else False,
        key=refusal_key(own),
    )


GENERATIONS: Final[dict[int, Generation]] = {1: GenerationOne(), 2: GenerationTwo()}
