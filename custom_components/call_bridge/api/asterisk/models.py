"""What Asterisk's REST interface (ARI) answers and reports, and the words it uses.

Reference asterisk-ari.md, and what Asterisk 22 was seen to send in this project's tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ..telephony import ExtensionState, Outcome

DEFAULT_PORT: Final = 8088  # FreePBX's, and Asterisk's http.conf example
DEFAULT_APP: Final = "call_bridge"
DEFAULT_CONTEXT: Final = "from-internal"  # FreePBX's context of its extensions
DEFAULT_TECHNOLOGY: Final = "PJSIP"
# An ARI application's name goes into URLs and channel ids: letters, digits, "_" and "-" only.
APP_NAME: Final = r"[A-Za-z0-9_-]{1,64}"
# A dialplan context, as FreePBX and Asterisk name them.
CONTEXT_NAME: Final = r"[A-Za-z0-9_.-]{1,80}"
TECHNOLOGIES: Final = ("PJSIP", "SIP", "IAX2")

# A Dial's status once it is over (the caller's dialplan then goes on without the callee).
OUTCOME_OF_DIALSTATUS: Final[dict[str, Outcome]] = {
    "BUSY": Outcome.BUSY,
    "NOANSWER": Outcome.NO_ANSWER,
    "CHANUNAVAIL": Outcome.UNREACHABLE,
    "CONGESTION": Outcome.FAILED,
}
# The Dial was called off (the caller hung up): the caller's hang-up tells the call's end.
CANCELLED: Final = "CANCEL"
RINGING: Final = "RINGING"
ANSWERED: Final = "ANSWER"

# A device's state (``DeviceStateChanged``), as an extension's sensor says it.
EXTENSION_STATE_OF_DEVICE: Final[dict[str, ExtensionState]] = {
    "NOT_INUSE": ExtensionState.IDLE,
    "INUSE": ExtensionState.IN_USE,
    "BUSY": ExtensionState.IN_USE,
    "ONHOLD": ExtensionState.IN_USE,
    "RINGING": ExtensionState.RINGING,
    "RINGINUSE": ExtensionState.RINGING,
    "UNAVAILABLE": ExtensionState.OFFLINE,
    "INVALID": ExtensionState.OFFLINE,
}
# An endpoint's state in ``/endpoints``: reachable ("online"), or not registered ("offline").
OFFLINE: Final = "offline"


@dataclass(frozen=True, slots=True)
class AsteriskInfo:
    """What ``/asterisk/info`` tells of the system: its version and its id."""

    version: str
    system_id: str


@dataclass(frozen=True, slots=True)
class Endpoint:
    """An endpoint of ``/endpoints/{technology}``: an extension's phone, or a trunk."""

    technology: str
    resource: str
    state: str
    channel_ids: tuple[str, ...]

    @property
    def extension_state(self) -> ExtensionState:
        """What its sensor says: offline, in use (a channel is on it) or idle."""
        if self.state == OFFLINE:
            return ExtensionState.OFFLINE
        return ExtensionState.IN_USE if self.channel_ids else ExtensionState.IDLE
