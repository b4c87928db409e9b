"""Calls that come in, followed from what each PBX sends to one final event, in every order.

No Home Assistant here. The S-Series reports have the shapes of pbx-api.md section 6, the P-Series
frames those of the P570 captures (yeastar-p-series.md, "Field evidence"), the Asterisk events
those of ARI with ``subscribeAll``.
"""

from __future__ import annotations

from itertools import permutations
import json
from typing import Any

import pytest

from custom_components.call_bridge.api.asterisk import decode_frame as ari_frame
from custom_components.call_bridge.api.asterisk.incoming import (
    IncomingFollower as AsteriskIncoming,
)
from custom_components.call_bridge.api.incoming import (
    ENDED_CALLS,
    MAX_PARTY,
    OPEN_CALLS,
    IncomingCallEvent,
    IncomingCalls,
    IncomingState,
    party,
)
from custom_components.call_bridge.api.telephony import same_number
from custom_components.call_bridge.api.yeastar_p import PbxEvent, decode_frame
from custom_components.call_bridge.api.yeastar_p.incoming import IncomingFollower as PIncoming
from custom_components.call_bridge.api.yeastar_s import parse_report
from custom_components.call_bridge.api.yeastar_s.incoming import IncomingFollower as SIncoming

OUTSIDE = "0813539441"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def states(events: list[IncomingCallEvent]) -> list[str]:
    return [str(event.state) for event in events]


# The S-Series / OpenVox.


def s_follower(clock: Clock) -> SIncoming:
    follower = SIncoming("pbx")
    follower.calls.clock = clock
    return follower


def inbound(action: str, ext: str | None = "101", **extra: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "action": action,
        "callid": "1589948512.1709",
        "inbound": {"from": OUTSIDE, "to": "101", "trunk": "to-18-16-2", "inboundid": "7"},
        **extra,
    }
    if ext is not None:
        report["ext"] = {"extid": ext}
    return report


def cdr(status: str, talk: str, kind: str = "Inbound", callto: str = "101") -> dict[str, Any]:
    return {
        "action": "NewCdr",
        "callid": "1589948512.1800",
        "callfrom": OUTSIDE,
        "callto": callto,
        "callduraction": "30",
        "talkduraction": talk,
        "status": status,
        "type": kind,
    }


S_ANSWERED = [inbound("ALERT"), inbound("ANSWER"), inbound("BYE"), inbound("BYE")]


@pytest.mark.parametrize("ending", list(permutations([inbound("BYE"), cdr("ANSWERED", "21")])))
def test_an_answered_call_from_outside_ends_once_in_either_order(
    ending: tuple[dict[str, Any], ...],
) -> None:
    clock = Clock()
    follower = s_follower(clock)
    events = []
    # OpenVox says ANSWER for both sides, Yeastar ANSWERED for the caller's: answered once.
    for report in [
        inbound("ALERT"),
        inbound("ANSWER"),
        inbound("ANSWERED"),
        *ending,
        inbound("BYE"),
    ]:
        events += follower.follow(parse_report(report))
        clock.now += 5
    # A BYE before the record leaves the call settling: the record then ends it.
    assert states(events) == ["ringing", "answered", "ended"]
    assert events[-1].duration == 21  # the record's, not the clock's
    assert (events[0].caller, events[0].callee, events[0].call_id) == (
        OUTSIDE,
        "101",
        "1589948512.1709",
    )
    assert events[1].extension == "101"


def test_a_call_no_record_ends_settles_with_the_clock_s_duration() -> None:
    clock = Clock()
    follower = s_follower(clock)
    events = []
    for report in S_ANSWERED:
        events += follower.follow(parse_report(report))
        clock.now += 7
    assert states(events) == ["ringing", "answered"]
    [handle] = follower.calls.take_settling()
    assert follower.calls.take_settling() == []
    ended = follower.calls.settle(handle)
    assert ended is not None
    assert ended.state is IncomingState.ENDED
    assert ended.duration == 7  # from the answer to the first BYE
    assert follower.calls.settle(handle) is None
    assert follower.calls.settle("unknown") is None


@pytest.mark.parametrize(
    "reports",
    [
        [
            inbound("ALERT"),
            inbound("CallFailed", reason="480"),
            inbound("BYE"),
            cdr("NO ANSWER", "0"),
        ],
        [inbound("ALERT"), cdr("NO ANSWER", "0"), inbound("BYE")],
        [
            inbound("ALERT"),
            inbound("BYE"),
            cdr("NO ANSWER", "0"),
            inbound("CallFailed", reason="487"),
        ],
    ],
)
def test_an_unanswered_call_from_outside_is_missed_once(reports: list[dict[str, Any]]) -> None:
    follower = s_follower(Clock())
    events = [event for report in reports for event in follower.follow(parse_report(report))]
    assert states(events) == ["ringing", "missed"]
    assert events[-1].duration is None


def test_a_record_alone_tells_a_call_and_a_group_member_that_answered() -> None:
    follower = s_follower(Clock())
    events = follower.follow(parse_report(cdr("ANSWERED", "12", callto="6200(4002)")))
    assert states(events) == ["ended"]
    assert (events[0].callee, events[0].extension, events[0].duration) == ("6200", "4002", 12)


def test_a_call_between_extensions() -> None:
    follower = s_follower(Clock())
    ring = {"action": "ALERT", "callid": "1.1", "ext": {"extid": ["102", "101"]}}
    # The BYE names whoever hung up first: the call is found in either order.
    bye = {"action": "BYE", "callid": "1.3", "ext": {"extid": ["101", "102"]}}
    record = cdr("ANSWERED", "3", kind="Internal", callto="102") | {"callfrom": "101"}
    events = [
        event
        for report in [ring, {**ring, "action": "ANSWER"}, bye, record]
        for event in follower.follow(parse_report(report))
    ]
    assert states(events) == ["ringing", "answered", "ended"]
    assert (events[0].caller, events[0].callee) == ("101", "102")


@pytest.mark.parametrize(
    "report",
    [
        {"action": "RING", "callid": "1", "ext": {"extid": "101"}, "outbound": {"to": "138"}},
        cdr("ANSWERED", "3", kind="Outbound"),
        {"action": "ALERT", "callid": "1", "ext": {"extid": "101"}},
        {"action": "ALERT", "callid": "1", "inbound": {"trunk": "t"}},
        {"action": "NewCdr", "callid": "1", "callfrom": OUTSIDE, "type": "Inbound"},
        {"action": "ExtensionStatus", "extension": "101", "status": "Idle"},
        {"action": "BYE", "callid": "1", "ext": {"extid": ["101", "102"]}},
        {"action": "DTMF", "callid": "1", "ext": {"extid": ["101", "102"]}, "key": "1"},
    ],
)
def test_reports_that_are_no_call_coming_in_give_nothing(report: dict[str, Any]) -> None:
    assert s_follower(Clock()).follow(parse_report(report)) == []


def test_a_dtmf_report_changes_nothing_of_a_call_coming_in() -> None:
    follower = s_follower(Clock())
    follower.follow(parse_report(inbound("ALERT")))
    assert follower.follow(parse_report(inbound("DTMF", key="1"))) == []


# The P-Series.


def p_frame(kind: int, msg: dict[str, Any]) -> PbxEvent:
    decoded = decode_frame(json.dumps({"type": kind, "sn": "3633D2199067", "msg": json.dumps(msg)}))
    assert isinstance(decoded, PbxEvent)
    return decoded


def p_follow(follower: PIncoming, frames: list[PbxEvent]) -> list[IncomingCallEvent]:
    return [event for frame in frames for event in follower.follow(frame, frame.members())]


P_CALL = "1702364968.127"
P_INBOUND = {
    "from": OUTSIDE,
    "to": "27872858652",
    "trunk_name": "27872858652_SIP",
    "channel_id": "PJSIP/trunk-27872858652_SIP-endpoint-0000003c",
    "call_path": "",
}


def p_status(*members: dict[str, Any]) -> PbxEvent:
    return p_frame(30011, {"call_id": P_CALL, "members": list(members)})


def p_inbound(status: str) -> dict[str, Any]:
    return {"inbound": P_INBOUND | {"member_status": status}}


def p_ext(number: str, channel: str, status: str) -> dict[str, Any]:
    return {"extension": {"number": number, "channel_id": channel, "member_status": status}}


P_RECORD = p_frame(
    30012,
    {
        "call_id": P_CALL,
        "call_from": OUTSIDE,
        "call_to": "700",
        "talk_duration": 0,
        "status": "NO ANSWER",
        "type": "Inbound",
    },
)
P_FAILED = p_frame(
    30015,
    {
        "call_id": P_CALL,
        "reason": "487 Request Terminated",
        "members": [p_ext("700", "PJSIP/700-0000003d", "RING"), p_inbound("BYE")],
    },
)
P_BYE = p_status(p_ext("700", "PJSIP/700-0000003d", "BYE"), p_inbound("BYE"))


@pytest.mark.parametrize("ending", list(permutations([P_FAILED, P_BYE, P_RECORD])))
def test_a_p_series_call_nobody_answered_is_missed_once(ending: tuple[PbxEvent, ...]) -> None:
    """The captured unanswered inbound call: 30015, the last BYE and the record in any order."""
    follower = PIncoming("yeastar_p")
    follower.calls.clock = Clock()
    frames = [
        p_status(p_inbound("ALERT")),
        p_status(p_ext("700", "PJSIP/700-0000003d", "RING"), p_inbound("ALERT")),
        *ending,
    ]
    events = p_follow(follower, frames)
    settled = [follower.calls.settle(call_id) for call_id in follower.calls.take_settling()]
    events += [event for event in settled if event is not None]
    assert states(events) == ["ringing", "missed"]
    assert (events[0].caller, events[0].callee, events[-1].extension) == (
        OUTSIDE,
        "27872858652",
        "700",
    )


def test_a_p_series_call_answered_by_the_second_phone_of_a_group() -> None:
    clock = Clock()
    follower = PIncoming("yeastar_p")
    follower.calls.clock = clock
    events = p_follow(
        follower,
        [
            p_status(
                p_ext("700", "PJSIP/700-1", "RING"),
                p_ext("701", "PJSIP/701-2", "RING"),
                p_inbound("ALERT"),
            ),
            p_status(p_ext("700", "PJSIP/700-1", "BYE"), p_ext("701", "PJSIP/701-2", "ANSWER")),
            p_status(p_ext("701", "PJSIP/701-2", "HOLD")),
        ],
    )
    clock.now += 30
    # A record per leg: the unanswered phone's says nothing of the call while a leg is on.
    unanswered = p_frame(
        30012, {"call_id": P_CALL, "status": "NO ANSWER", "type": "Inbound", "talk_duration": 0}
    )
    answered = p_frame(
        30012, {"call_id": P_CALL, "status": "ANSWERED", "type": "Inbound", "talk_duration": 29}
    )
    events += p_follow(follower, [unanswered, answered])
    assert states(events) == ["ringing", "answered"]
    events += p_follow(follower, [p_status(p_ext("701", "PJSIP/701-2", "BYE"))])
    assert states(events) == ["ringing", "answered", "ended"]
    assert (events[-1].extension, events[-1].duration) == ("701", 29)
    assert p_follow(follower, [P_BYE]) == []  # what comes after the end is ignored


def test_a_p_series_call_between_extensions_and_calls_that_are_not_coming_in() -> None:
    follower = PIncoming("yeastar_p")
    internal = p_follow(
        follower,
        [
            p_frame(
                30011,
                {
                    "call_id": "1.1",
                    "members": [
                        p_ext("2001", "PJSIP/2001-1", "ALERT"),
                        p_ext("2002", "PJSIP/2002-2", "RING"),
                    ],
                },
            ),
            p_frame(30011, {"call_id": "1.1", "members": [p_ext("2001", "PJSIP/2001-1", "HOLD")]}),
            p_frame(30011, {"call_id": "1.1", "members": [p_ext("2001", "PJSIP/2001-1", "BYE")]}),
        ],
    )
    assert states(internal) == ["ringing"]
    assert (internal[0].caller, internal[0].callee) == ("2001", "2002")
    outbound = {"outbound": P_INBOUND | {"member_status": "RING"}}
    nothing = [
        p_frame(30011, {"call_id": "2.1", "members": [outbound]}),
        p_frame(30011, {"call_id": "2.2", "members": [p_ext("2001", "PJSIP/2001-3", "RING")]}),
        p_frame(30012, {"call_id": "2.3", "status": "ANSWERED", "type": "Outbound"}),
        p_frame(30015, {"call_id": "2.4", "reason": "NOT found", "members": None}),
        p_frame(30017, {"call_id": "2.5", "members": [], "info": "1"}),
        p_frame(30008, {"extension": "2001", "status": "Idle"}),
    ]
    assert p_follow(follower, nothing) == []
    alone = p_follow(
        follower,
        [
            p_frame(
                30012, {"call_id": "3.1", "call_from": OUTSIDE, "status": "BUSY", "type": "inbound"}
            )
        ],
    )
    assert states(alone) == ["missed"]


# Asterisk.


def channel(channel_id: str, channel_name: str, **caller: str) -> dict[str, Any]:
    return {
        "id": channel_id,
        "name": channel_name,
        "state": "Ring",
        "caller": caller,
        "dialplan": {"context": "from-internal", "exten": "101", "priority": 1},
    }


def ari(kind: str, **fields: Any) -> Any:
    return ari_frame(json.dumps({"type": kind, **fields}))


TRUNK = channel("trunk-1", "PJSIP/trunk-0000001", number=OUTSIDE, name="Mum \u5988\u5988")


def dial(status: str, peer: str = "PJSIP/101-00000002", caller: Any = TRUNK) -> Any:
    return ari("Dial", caller=caller, peer=channel(peer, peer), dialstatus=status)


@pytest.mark.parametrize(
    ("dials", "state", "extension"),
    [
        ([dial(""), dial("RINGING"), dial("ANSWER")], "ended", "101"),
        ([dial("RINGING"), dial("NOANSWER")], "missed", "101"),
        (
            [dial("RINGING", "Local/101@from-queue-1;1"), dial("CANCEL", "Local/101@x-1;1")],
            "missed",
            None,
        ),
    ],
)
def test_an_asterisk_call_from_a_trunk(dials: list[Any], state: str, extension: str | None) -> None:
    clock = Clock()
    follower = AsteriskIncoming("asterisk", "PJSIP")
    follower.calls.clock = clock
    events = [event for frame in dials for event in follower.follow(frame)]
    clock.now += 12
    destroyed = ari("ChannelDestroyed", channel=TRUNK, cause=16, cause_txt="Normal Clearing")
    events += follower.follow(destroyed)
    events += follower.follow(destroyed)  # told twice, ended once
    assert states(events)[0] == "ringing"
    assert states(events)[-1] == state
    assert len([event for event in events if event.final]) == 1
    assert (events[0].caller, events[0].caller_name, events[0].callee) == (
        OUTSIDE,
        "Mum \u5988\u5988",
        "101",
    )
    assert events[-1].extension == extension
    assert events[-1].duration == (12 if state == "ended" else None)


def test_asterisk_events_that_are_no_call_coming_in() -> None:
    follower = AsteriskIncoming("asterisk", "PJSIP")
    local = channel("local-2", "Local/101@from-queue-00000001;2", number="101")
    assert follower.follow(dial("RINGING", caller=local)) == []
    assert follower.follow(ari("Dial", peer=channel("p", "PJSIP/101-1"), dialstatus="")) == []
    assert follower.follow(ari("ChannelDestroyed", channel=TRUNK, cause=16)) == []
    assert follower.follow(ari("ChannelDtmfReceived", channel=TRUNK, digit="1")) == []
    follower.follow(dial("RINGING"))
    follower.follow(ari("ChannelDestroyed", channel=TRUNK, cause=16))
    assert follower.follow(dial("ANSWER")) == []  # the caller's channel is gone


# What every vendor shares.


def test_calls_that_never_end_stay_bounded() -> None:
    calls = IncomingCalls("pbx")
    for number in range(OPEN_CALLS * 3):
        calls.ring(str(number), str(number), "x" * 10_000, "\ud800name\x07", None)
    assert len(calls) == OPEN_CALLS
    assert calls.get("0") is None
    assert calls.get(str(OPEN_CALLS * 3 - 1)) is not None
    for number in range(ENDED_CALLS * 2):
        call, _ = calls.ring(f"e{number}", f"e{number}", None, None, None)
        calls.touched(f"e{number}", call.finished(0))
    assert len(calls._ended) == ENDED_CALLS


def test_a_party_is_printable_and_bounded() -> None:
    assert party(None) is None
    assert party(" \x00\x07\n ") is None
    assert party("Mum\ud800\u200b\x1b[31m") == "Mum[31m"
    assert party("\u5988" * 500) == "\u5988" * MAX_PARTY
    event = IncomingCallEvent("pbx", "1", "101", None, "102", None, IncomingState.RINGING)
    assert event.as_dict()["state"] == "ringing"
    assert not event.final


def test_an_ended_call_takes_nothing_more() -> None:
    calls = IncomingCalls("pbx")
    call, _ = calls.ring("k", "1", "101", None, "102")
    assert call.finished(5) is not None
    assert call.finished(6) is None
    assert call.picked_up("leg", "102", 6) is None
    assert call.hung_up("leg", 6) is None
    assert call.recorded(True, 3, 6, final=True) is None
    call.rang("leg", "103")
    assert call.extension is None
    assert call.settle() is None


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("13800138000", "+86 138 0013 8000", True),
        ("13800138000", "0086-138-0013-8000", True),
        ("0755-2800 0003", "+86 755 2800 0003", True),
        ("075528000003", "75528000003", True),
        ("\uff11\uff10\uff11", "101", True),  # full-width digits
        ("101", "1101", False),  # short numbers only as they are
        ("13800138000", "13800138001", False),
        ("*101", "*101", False),  # not a phone number
        ("", "101", False),
        ("\u0661\u0660\u0661", "101", False),  # other scripts' digits are no digits here
    ],
)
def test_numbers_are_the_same_however_typed(one: str, other: str, same: bool) -> None:
    assert same_number(one, other) is same
    assert same_number(other, one) is same
