"""OneNET's callbacks as the statuses of the calls they are about (reference sections 3 and 4.2)."""

from __future__ import annotations

from typing import Final

from ..telephony import CallState, CallStatus, Outcome
from .callback import Callback

# OneNET's statuses, and the states automations see.
STATES: Final[dict[str, CallState]] = {
    "CallingCaller": CallState.CALLING_CALLER,
    "CallingCallee": CallState.CALLING_CALLEE,
    "Connected": CallState.CONNECTED,
    "CollectResult": CallState.COLLECT_RESULT,
    "Disconnected": CallState.DISCONNECTED,
}


# Disconnected's reason, as an outcome (a call that was connected was answered, whatever follows).
OUTCOME_OF_REASON: Final[dict[str, Outcome]] = {
    "CallerBusy": Outcome.BUSY,
    "CalleeBusy": Outcome.BUSY,
    "CallerNoAnswer": Outcome.NO_ANSWER,
    "CalleeNoAnswer": Outcome.NO_ANSWER,
    "CallerAbandon": Outcome.NO_ANSWER,
    "CallerFailure": Outcome.FAILED,
    "CalleeFailure": Outcome.FAILED,
    "CalleeEmpty": Outcome.UNREACHABLE,
    # Voice notifications only (section 4.2), spelled as OneNET spells them.
    "CalleeUnregistere": Outcome.UNREACHABLE,
    "CalleenotReach": Outcome.UNREACHABLE,
    "CalleeReject": Outcome.REJECTED,
    "Other": Outcome.FAILED,
}


def outcome(callback: Callback, connected: bool) -> Outcome | None:
    """Return the outcome of a Disconnected callback; None for the other statuses."""
    if callback.status != "Disconnected":
        return None
    if connected or (callback.reason == "HangUp" and (callback.call_duration or 0) > 0):
        return Outcome.ANSWERED
    return OUTCOME_OF_REASON.get(callback.reason or "", Outcome.UNKNOWN)


def call_status(provider: str, callback: Callback, connected: bool) -> CallStatus:
    """Return what a callback tells of its call; ``connected``: a key or the answer came before."""
    return CallStatus(
        provider=provider,
        call_id=callback.call_id,
        caller=callback.caller,
        callee=callback.callee,
        status=callback.status,
        state=STATES.get(callback.status, CallState.UNKNOWN),
        reason=callback.reason,
        outcome=outcome(callback, connected),
        digits=callback.digits,
        call_duration=callback.call_duration,
        caller_call_duration=callback.caller_call_duration,
        report_date=callback.report_date,
    )
