"""The simulated far side that the demo, ``python -m simulator`` and the end-to-end tests share.

Two PBXs and two OneNET applications: the first of each is what the demo sets up by itself, the
second is there to be added through the UI, as a user would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .onenet import OneNetApp, OneNetState
from .pbx import PbxState
from .yeastar_p import YeastarPState

BUSY_NUMBER = "8613800000486"
UNANSWERED_NUMBER = "8613800000480"
# The same numbers as a PBX dials them out, and one no PBX reaches.
BUSY_OUTSIDE = "13800000486"
UNANSWERED_OUTSIDE = "13800000480"
UNREACHABLE_OUTSIDE = "13800000404"
# Who calls the first PBX from outside in the demo, in turn: a contact of the demo's phonebook
# who gives up, someone unknown who is answered, the contact again, answered.
CONTACT_NAME = "Mum"
CONTACT_NUMBER = "13800138000"
CALLERS = (
    (CONTACT_NUMBER, "101", False),
    ("13912345678", "101", True),
    (CONTACT_NUMBER, "101", True),
    ("02155558888", "101", False),
)
# Who calls the P-Series' extension 2002 from outside, in turn.
P_SERIES_CALLERS = (("13912345678", "2002", False), (CONTACT_NUMBER, "2002", True))
ONENET_PORT = 8002
PBX_PORTS = (9011, 9012)
YEASTAR_P_PORT = 9013
# As the config flow's "PBX model" names them.
MODELS = {"v0.0.1": "OpenVox UC series", "v1.1.0": "Yeastar S-Series"}
SECOND_APP = OneNetApp(
    app_id="fd977e9f94e44f239f18f6f919282569",
    access_key="bXlzZWNyZXRhY2Nlc3NrZXkxMjM0NTY3ODkwYWJjZA==",
    sponsor="075528000003",
)


def first_pbx() -> PbxState:
    """Make an OpenVox UC501 (API v0.0.1): 104 is busy, 105 does not answer, 106 fails."""
    return PbxState(
        extensions={
            "101": "Registered",
            "102": "Registered",
            "103": "InUse",
            "104": "Registered",
            "105": "Registered",
            "106": "Registered",
        },
        outcomes={
            "104": "busy",
            "105": "no_answer",
            "106": "failed",
            BUSY_OUTSIDE: "busy",
            UNANSWERED_OUTSIDE: "no_answer",
        },
    )


def second_pbx() -> PbxState:
    """Make a Yeastar S50 (API v1.1.0): another serial number, its own API user."""
    return PbxState(
        api_version="v1.1.0",
        username="yeastar-api",
        password="yeastar-password",
        serial="3631A0180802",
        model="S50",
        extensions={
            "1000": "Registered",
            "1001": "Registered",
            "1002": "InUse",
            "1003": "Registered",
        },
        outcomes={"1003": "busy", BUSY_OUTSIDE: "busy"},
    )


@dataclass
class FarSide:
    """The simulator's state: what the tests read, and what the banner and --help print."""

    onenet: OneNetState
    pbxs: dict[int, PbxState] = field(default_factory=dict)
    onenet_port: int = ONENET_PORT
    yeastar_p: YeastarPState = field(default_factory=YeastarPState)
    yeastar_p_port: int = YEASTAR_P_PORT

    def describe(self, host: str = "127.0.0.1") -> str:
        """Addresses and credentials of everything simulated, for a person setting up an entry."""
        lines = []
        for number, (port, pbx) in enumerate(self.pbxs.items(), start=1):
            model = MODELS[pbx.api_version]
            lines.append(
                f"  {f'PBX {number}':<15}host {host}, port {port}, model {model},\n"
                f"  {'':<15}API user {pbx.username}, password {pbx.password},\n"
                f"  {'':<15}extensions {', '.join(pbx.extensions)} (busy: {_named(pbx, 'busy')};"
                f" no answer: {_named(pbx, 'no_answer')}; failing: {_named(pbx, 'failed')})"
            )
        for number, app in enumerate(self.onenet.apps().values(), start=1):
            lines.append(
                f"  {f'OneNET app {number}':<15}app ID {app.app_id}, access key {app.access_key},\n"
                f"  {'':<15}business number {app.sponsor}, "
                f"API address http://{host}:{self.onenet_port}"
            )
        p_series = self.yeastar_p
        lines.append(
            f"  {'P-Series PBX':<15}host {host}, port {self.yeastar_p_port} (HTTP), "
            f"client ID {p_series.client_id}, secret {p_series.client_secret},\n"
            f"  {'':<15}extensions {', '.join(p_series.extensions)} (no answer: "
            f"{_named(p_series, 'no_answer')}; busy: {_named(p_series, 'busy')}; "
            f"unreachable: {_named(p_series, 'unreachable')})"
        )
        lines.extend(
            f"  {'OneNET user':<15}API generation 2, user ID {user.app_id}, "
            f"access key {user.access_key},\n"
            f"  {'':<15}business number {user.sponsor}, "
            f"API address http://{host}:{self.onenet_port}"
            for user in self.onenet.users
        )
        return "\n".join(lines)


def _named(pbx: PbxState | YeastarPState, outcome: str) -> str:
    """Return the callees of a PBX that give ``outcome``, for the banner."""
    return ", ".join(ext for ext, given in pbx.outcomes.items() if given == outcome) or "none"


def far_side(
    step_delay: float,
    *,
    onenet_port: int = ONENET_PORT,
    pbx_ports: tuple[int, int] = PBX_PORTS,
    yeastar_p_port: int = YEASTAR_P_PORT,
    lockout_seconds: float | None = None,
    token_seconds: float | None = None,
    ring_every: float | None = None,
) -> FarSide:
    """Both PBXs, the P-Series PBX and both OneNET applications, with the demo's numbers.

    ``token_seconds`` shortens the P-Series' token lifetimes, so that a refresh comes soon;
    ``ring_every``: calls from outside ring the first PBX's extension 101, and the P-Series'
    2002, that often.
    """
    onenet = OneNetState(
        step_delay=step_delay,
        other_apps=[SECOND_APP],
        outcomes={BUSY_NUMBER: "busy", UNANSWERED_NUMBER: "no_answer"},
    )
    pbxs = dict(zip(pbx_ports, (first_pbx(), second_pbx()), strict=True))
    if ring_every is not None:
        first = pbxs[pbx_ports[0]]
        first.callers, first.ring_every = list(CALLERS), ring_every
    for pbx in pbxs.values():
        pbx.step_delay = step_delay
        if lockout_seconds is not None:
            pbx.lockout_seconds = lockout_seconds
    # As a P570 was seen to: 2001 is signed in on a phone and on Linkus (two channels).
    p_series = YeastarPState(
        step_delay=step_delay,
        two_devices={"2001"},
        outcomes={
            "2003": "no_answer",
            BUSY_OUTSIDE: "busy",
            UNANSWERED_OUTSIDE: "no_answer",
            UNREACHABLE_OUTSIDE: "unreachable",
        },
    )
    if token_seconds is not None:
        p_series.access_lifetime = token_seconds
    if ring_every is not None:
        p_series.callers, p_series.ring_every = list(P_SERIES_CALLERS), ring_every
    return FarSide(
        onenet=onenet,
        pbxs=pbxs,
        onenet_port=onenet_port,
        yeastar_p=p_series,
        yeastar_p_port=yeastar_p_port,
    )
