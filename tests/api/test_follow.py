"""Calls followed through what real PBXs sent (reference "Field evidence"), in every captured order.

No Home Assistant here: the frames and reports go through the vendor packages' followers, which
give the calls' statuses. The P-Series sequences have the shape of the P570 captures (a caller
extension with two channels, its own ``ANSWERED`` before the outside number's fate, several call
records per call, ``30015`` before or after the last ``BYE``, ``members: null``).
"""

from __future__ import annotations

from itertools import permutations
import json
from typing import Any

import pytest

from custom_components.call_bridge.api.telephony import (
    CallState,
    CallStatus,
    Outcome,
    cause_outcome,
    duration,
    failure_outcome,
    names_number,
    record_outcome,
)
from custom_components.call_bridge.api.yeastar_p import PbxEvent, decode_frame
from custom_components.call_bridge.api.yeastar_p.follow import CallFollower as PCallFollower
from custom_components.call_bridge.api.yeastar_s import parse_report
from custom_components.call_bridge.api.yeastar_s.follow import CallFollower as SCallFollower

SERIAL = "3633D2199067"
CALL = "1694541708.49"
OUTSIDE = "0813539441"


def frame(kind: int, msg: dict[str, Any]) -> PbxEvent:
    decoded = decode_frame(json.dumps({"type": kind, "sn": SERIAL, "msg": json.dumps(msg)}))
    assert isinstance(decoded, PbxEvent)
    return decoded


def leg(number: str, channel: str, status: str) -> dict[str, Any]:
    return {
        "extension": {
            "number": number,
            "channel_id": channel,
            "member_status": status,
            "call_path": "",
        }
    }


def trunk(to: str, channel: str, status: str) -> dict[str, Any]:
    return {
        "outbound": {
            "from": "700",
            "to": to,
            "trunk_name": "27872858652_SIP",
            "channel_id": channel,
            "member_status": status,
            "call_path": "",
        }
    }


def legs(*members: dict[str, Any]) -> PbxEvent:
    return frame(30011, {"call_id": CALL, "members": list(members)})


def record(call_from: str, call_to: str, status: str, kind: str, talk: int = 0) -> PbxEvent:
    return frame(
        30012,
        {
            "call_id": CALL,
            "time_start": "2023-09-12 20:02:22",
            "call_from": call_from,
            "call_to": call_to,
            "call_duration": talk,
            "talk_duration": talk,
            "status": status,
            "type": kind,
        },
    )


def failed(reason: str, members: list[dict[str, Any]] | None) -> PbxEvent:
    return frame(30015, {"call_id": CALL, "reason": reason, "members": members})


def replay(follower: PCallFollower, events: list[PbxEvent]) -> list[CallStatus]:
    statuses: list[CallStatus] = []
    for event in events:
        statuses += follower.follow(event, event.members())
    return statuses


def p_series(callee: str = OUTSIDE, *, one_party: bool = False) -> PCallFollower:
    follower = PCallFollower("yeastar_p")
    follower.start(CALL, "700", callee, one_party=one_party)
    return follower


# The captured call out from extension 700 to an outside number that failed: the caller's two
# channels (one hangs up while the other rings, then answers), and three call records.
CALLER_RINGS = legs(leg("700", "PJSIP/700-15", "ALERT"), leg("700", "PJSIP/700-16", "BYE"))
CALLER_ANSWERS = legs(leg("700", "PJSIP/700-15", "ANSWERED"))
CALLER_HANGS_UP = legs(leg("700", "PJSIP/700-15", "BYE"))
OUTBOUND_FAILED = record("700", OUTSIDE, "FAILED", "Outbound")
TAIL = [
    OUTBOUND_FAILED,
    record("700", "700", "NO ANSWER", "Internal", 0),
    CALLER_HANGS_UP,
    record("700", "700", "ANSWERED", "Internal"),
]


def ends(statuses: list[CallStatus]) -> list[CallStatus]:
    return [status for status in statuses if status.state is CallState.DISCONNECTED]


def test_the_captured_failed_call_out_is_not_connected_by_the_caller_s_answer() -> None:
    follower = p_series()
    statuses = replay(follower, [CALLER_RINGS, CALLER_ANSWERS, *TAIL])
    assert [(s.state, s.outcome) for s in statuses] == [
        (CallState.CALLING_CALLER, None),
        (CallState.DISCONNECTED, Outcome.FAILED),
    ]
    assert statuses[-1].status == "30012"


@pytest.mark.parametrize("tail", list(permutations(TAIL)))
def test_every_order_of_the_call_s_end_gives_one_end_and_the_callee_s_outcome(
    tail: tuple[PbxEvent, ...],
) -> None:
    follower = p_series()
    statuses = replay(follower, [CALLER_RINGS, CALLER_ANSWERS, *tail])
    assert [s.outcome for s in ends(statuses)] == [Outcome.FAILED]
    assert follower.calls.settle(CALL) is None  # nothing left waiting
    assert not any(s.state is CallState.CONNECTED for s in statuses)


@pytest.mark.parametrize("failure_first", [True, False])
@pytest.mark.parametrize(
    ("reason", "record_status", "outcome"),
    [
        ("486 Busy Here", "BUSY", Outcome.BUSY),
        ("NOT found", "FAILED", Outcome.UNREACHABLE),
        ("487 Request Terminated", "NO ANSWER", Outcome.NO_ANSWER),
    ],
)
def test_30015_before_or_after_the_last_bye(
    failure_first: bool, reason: str, record_status: str, outcome: Outcome
) -> None:
    follower = p_series()
    start = [CALLER_RINGS, CALLER_ANSWERS, legs(trunk(OUTSIDE, "PJSIP/trunk-3c", "RING"))]
    ending = [
        failed(reason, None if reason == "NOT found" else [leg("700", "PJSIP/700-15", "RING")]),
        legs(trunk(OUTSIDE, "PJSIP/trunk-3c", "BYE")),
        CALLER_HANGS_UP,
    ]
    if not failure_first:
        ending = ending[1:] + ending[:1]
    statuses = replay(
        follower, [*start, *ending, record("700", OUTSIDE, record_status, "Outbound")]
    )
    assert [s.state for s in statuses] == [
        CallState.CALLING_CALLER,
        CallState.CALLING_CALLEE,
        CallState.DISCONNECTED,
    ]
    assert (statuses[-1].outcome, statuses[-1].reason) == (outcome, reason)


def test_the_last_leg_gone_and_nothing_more_settles_as_no_answer() -> None:
    follower = p_series("701")
    statuses = replay(follower, [CALLER_RINGS, CALLER_HANGS_UP])
    assert [s.state for s in statuses] == [CallState.CALLING_CALLER]
    assert follower.calls.take_settling() == [CALL]
    assert follower.calls.take_settling() == []
    settled = follower.calls.settle(CALL)
    assert settled is not None
    assert (settled.outcome, settled.status) == (Outcome.NO_ANSWER, "30011")
    assert follower.calls.settle(CALL) is None
    assert follower.calls.settle("another call") is None


def test_a_leg_that_comes_back_while_settling_keeps_the_call() -> None:
    follower = p_series("701")
    replay(follower, [legs(leg("700", "PJSIP/700-16", "BYE"))])
    assert follower.calls.take_settling() == [CALL]
    statuses = replay(
        follower,
        [
            legs(leg("700", "PJSIP/700-15", "ALERT")),
            CALLER_ANSWERS,
            legs(leg("701", "PJSIP/701-17", "RING")),
            legs(leg("701", "PJSIP/701-17", "ANSWER")),
        ],
    )
    assert follower.calls.settle(CALL) is None
    assert statuses[-1].state is CallState.CONNECTED


def test_an_answered_call_to_a_ring_group_ends_with_its_member() -> None:
    follower = p_series("6200")
    statuses = replay(
        follower,
        [
            CALLER_RINGS,
            CALLER_ANSWERS,
            legs(leg("4001", "PJSIP/4001-1", "RING"), leg("4002", "PJSIP/4002-2", "RING")),
            legs(leg("4002", "PJSIP/4002-2", "ANSWER")),
            legs(leg("4001", "PJSIP/4001-1", "BYE")),  # the group stops ringing the others
            legs(leg("4001", "PJSIP/4001-1", "RING")),  # late: that leg is gone
            record("700", "6200(4001)", "NO ANSWER", "Internal"),
            legs(leg("4002", "PJSIP/4002-2", "BYE")),
            CALLER_HANGS_UP,
            record("700", "6200(4002)", "ANSWERED", "Internal", 12),
        ],
    )
    assert [(s.state, s.outcome) for s in statuses] == [
        (CallState.CALLING_CALLER, None),
        (CallState.CALLING_CALLEE, None),
        (CallState.CONNECTED, None),
        (CallState.DISCONNECTED, Outcome.ANSWERED),
    ]


def test_a_message_to_an_extension_with_two_devices() -> None:
    follower = p_series("700", one_party=True)
    statuses = replay(
        follower,
        [
            legs(leg("700", "PJSIP/700-a", "RING"), leg("700", "PJSIP/700-b", "RING")),
            legs(leg("700", "PJSIP/700-b", "BYE")),  # the second device stops ringing
            record("700", "700", "NO ANSWER", "Internal"),  # ... and its record comes
            legs(leg("700", "PJSIP/700-a", "ANSWERED")),
            frame(30017, {"call_id": CALL, "info": "1", "infos": "1", "members": []}),
            legs(leg("700", "PJSIP/700-a", "ANSWERED")),  # said twice: connected once
            legs(leg("700", "PJSIP/700-a", "BYE")),
        ],
    )
    assert [(s.state, s.outcome, s.digits) for s in statuses] == [
        (CallState.CALLING_CALLEE, None, None),
        (CallState.CONNECTED, None, None),
        (CallState.COLLECT_RESULT, None, "1"),
        (CallState.DISCONNECTED, Outcome.ANSWERED, None),
    ]


def test_live_legs_name_the_caller_first() -> None:
    follower = p_series("701")
    replay(
        follower,
        [legs(leg("701", "PJSIP/701-1", "RING")), legs(leg("700", "PJSIP/700-15", "ANSWERED"))],
    )
    call = follower.calls.get(CALL)
    assert call is not None
    assert call.live_legs() == ["PJSIP/700-15", "PJSIP/701-1"]


# The S-Series: extensions, not channels; two BYEs per call with different call ids.
def s_series(callee: str = "102", *, outbound: bool = False) -> SCallFollower:
    follower = SCallFollower("pbx")
    follower.start("call", None, "101", callee, outbound=outbound)
    return follower


def reports(follower: SCallFollower, *bodies: dict[str, Any]) -> list[CallStatus]:
    statuses: list[CallStatus] = []
    for body in bodies:
        statuses += follower.follow(parse_report(body))
    return statuses


def ext(*numbers: str) -> dict[str, Any]:
    return {"ext": {"extid": list(numbers)}}


RING_CALLER = {"action": "RING", "callid": "1.1"} | ext("101")
CALLER_PICKS_UP = {"action": "ANSWER", "callid": "1.2"} | ext("101")
RING_CALLEE = {"action": "RING", "callid": "1.3"} | ext("102", "101")
CALLEE_ANSWERS = {"action": "ANSWERED", "callid": "1.3"} | ext("102", "101")


@pytest.mark.parametrize("first", [("102", "101"), ("101", "102")])
def test_two_byes_end_an_answered_call_once(first: tuple[str, ...]) -> None:
    follower = s_series()
    statuses = reports(
        follower,
        RING_CALLER,
        CALLER_PICKS_UP,
        RING_CALLEE,
        CALLEE_ANSWERS,
        {"action": "BYE", "callid": "1.4"} | ext(*first),
        {"action": "BYE", "callid": "1.5"} | ext(*reversed(first)),
        {"action": "NewCdr", "callid": "1.6", "callfrom": "101", "callto": "102"}
        | {"status": "ANSWERED", "talkduraction": "5"},
    )
    assert [(s.state, s.outcome) for s in statuses] == [
        (CallState.CALLING_CALLER, None),
        (CallState.CALLING_CALLEE, None),
        (CallState.CONNECTED, None),
        (CallState.DISCONNECTED, Outcome.ANSWERED),
    ]


def test_the_caller_s_leg_ending_first_does_not_end_a_ringing_call() -> None:
    follower = s_series()
    statuses = reports(
        follower,
        RING_CALLER,
        CALLER_PICKS_UP,
        {"action": "BYE", "callid": "1.2"} | ext("101"),  # the caller's first leg ends
        {"action": "RING", "callid": "1.2"} | ext("101"),  # ... and rings again (its other leg)
        RING_CALLEE,
        CALLEE_ANSWERS,
        {"action": "BYE", "callid": "1.4"} | ext("102", "101"),
    )
    assert statuses[-1].outcome is Outcome.ANSWERED
    assert follower.calls.take_settling() == []


def test_a_caller_who_hangs_up_while_the_callee_rings() -> None:
    follower = s_series()
    statuses = reports(
        follower,
        RING_CALLER,
        CALLER_PICKS_UP,
        RING_CALLEE,
        {"action": "BYE", "callid": "1.4"} | ext("101"),
    )
    assert statuses[-1].state is CallState.CALLING_CALLEE
    assert follower.calls.take_settling() == ["call"]
    statuses = reports(
        follower,
        {"action": "CallFailed", "callid": "1.5", "reason": "487"} | ext("102", "101"),
    )
    assert [(s.outcome, s.reason) for s in statuses] == [(Outcome.NO_ANSWER, "487")]


def test_the_call_record_of_a_ring_group_and_of_a_route_s_prefix() -> None:
    group = s_series("6200")
    statuses = reports(
        group,
        RING_CALLER,
        {"action": "NewCdr", "callid": "2", "callfrom": "101", "callto": "6200(4002)"}
        | {"status": "NO ANSWER", "talkduraction": "0"},
    )
    assert statuses[-1].outcome is Outcome.NO_ANSWER
    out = s_series("075528000003", outbound=True)
    statuses = reports(
        out,
        RING_CALLER,
        {"action": "RING", "callid": "3"}
        | ext("101")
        | {"outbound": {"to": "9075528000003", "trunk": "SIP1"}},
        {"action": "ANSWER", "callid": "3"}
        | ext("101")
        | {"outbound": {"to": "9075528000003", "trunk": "SIP1"}},
        {"action": "BYE", "callid": "4"} | ext("101"),  # the trunk's leg is still on
        {"action": "NewCdr", "callid": "5", "callfrom": "101", "callto": "9075528000003"}
        | {"status": "ANSWERED", "talkduraction": "7"},
    )
    assert [(s.state, s.outcome, s.call_duration) for s in statuses] == [
        (CallState.CALLING_CALLER, None, None),
        (CallState.CALLING_CALLEE, None, None),
        (CallState.CONNECTED, None, None),
        (CallState.DISCONNECTED, Outcome.ANSWERED, 7),
    ]


@pytest.mark.parametrize(
    ("named", "number", "names"),
    [
        ("102", "102", True),
        ("6200(4002)", "6200", True),
        ("9075528000003", "075528000003", True),
        ("+8613800138000", "13800138000", True),
        ("1102", "102", False),  # short numbers match whole
        ("", "102", False),
        (None, "102", False),
    ],
)
def test_which_party_a_record_names(named: str | None, number: str, names: bool) -> None:
    assert names_number(named, number) is names


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        ("410 Gone", Outcome.UNREACHABLE),
        ("408 Request Time", Outcome.NO_ANSWER),
        ("NOT found", Outcome.UNREACHABLE),
        ("Line Unreachable", Outcome.UNREACHABLE),
        ("Circuit/channel congestion", Outcome.FAILED),
    ],
)
def test_failure_reasons_seen_on_p_series(reason: str, outcome: Outcome) -> None:
    assert failure_outcome(reason) is outcome


def test_record_statuses_whatever_their_case() -> None:
    assert record_outcome("answerd") is Outcome.ANSWERED
    assert record_outcome(" no answer ") is Outcome.NO_ANSWER
    assert record_outcome("SOMETHING") is Outcome.UNKNOWN
    assert record_outcome(None) is Outcome.UNKNOWN


def test_what_comes_after_the_end_or_after_a_leg_is_gone_changes_nothing() -> None:
    follower = p_series("701")
    statuses = replay(
        follower,
        [
            legs(leg("701", "PJSIP/701-1", "RING")),
            legs(leg("701", "PJSIP/701-1", "ANSWER")),
            legs(leg("701", "PJSIP/701-2", "RING")),  # another device rings while one talks
            legs(leg("701", "PJSIP/701-1", "BYE")),
            legs(leg("701", "PJSIP/701-1", "ANSWER")),  # a leg that is gone does not come back
        ],
    )
    assert [s.state for s in statuses] == [CallState.CALLING_CALLEE, CallState.CONNECTED]
    statuses = replay(follower, [legs(leg("701", "PJSIP/701-2", "BYE"))])
    assert [s.outcome for s in statuses] == [Outcome.ANSWERED]
    after = [
        failed("486 Busy Here", None),
        frame(30017, {"call_id": CALL, "info": "1", "members": []}),
        legs(leg("701", "PJSIP/701-3", "ANSWER")),
    ]
    call = follower.calls.get(CALL)
    assert call is not None
    assert replay(follower, after) == []
    assert call.failed(Outcome.BUSY, "30015", None) is None
    assert call.pressed("1", "30017") is None
    assert call.picked_up("PJSIP/701-3", call.side_of("701"), "30011") is None


@pytest.mark.parametrize("value", ["12a", "", None, True, -1, "12345678"])
def test_durations_that_are_not_seconds(value: object) -> None:
    assert duration(value) is None  # type: ignore[arg-type]


def test_durations() -> None:
    assert (duration("21"), duration(21)) == (21, 21)


def test_a_call_out_whose_trunk_hangs_up() -> None:
    follower = s_series("075528000003", outbound=True)
    trunk_leg = {"outbound": {"to": "075528000003", "trunk": "SIP1"}}
    statuses = reports(
        follower,
        RING_CALLER,
        {"action": "RING", "callid": "3"} | ext("101") | trunk_leg,
        {"action": "ANSWER", "callid": "3"} | ext("101") | trunk_leg,
        {"action": "BYE", "callid": "4"} | ext("101") | trunk_leg,
    )
    assert statuses[-1].outcome is Outcome.ANSWERED


@pytest.mark.parametrize(
    ("cause", "answered", "outcome"),
    [
        (16, True, Outcome.ANSWERED),  # normal clearing after the callee answered
        (16, False, Outcome.NO_ANSWER),  # hung up while it still rang
        (17, False, Outcome.BUSY),
        (18, False, Outcome.NO_ANSWER),
        (19, False, Outcome.NO_ANSWER),
        (21, False, Outcome.REJECTED),
        (1, False, Outcome.UNREACHABLE),
        (3, False, Outcome.UNREACHABLE),
        (27, False, Outcome.UNREACHABLE),
        (34, False, Outcome.FAILED),
        (None, False, Outcome.FAILED),
        (17, True, Outcome.ANSWERED),
    ],
)
def test_hang_up_causes(cause: int | None, answered: bool, outcome: Outcome) -> None:
    assert cause_outcome(cause, answered=answered) is outcome
