"""The PBX's reports: every documented shape and quirk, and what hostile bodies become."""

from __future__ import annotations

import json

from hypothesis import given, strategies as st
import pytest

from custom_components.call_bridge.api.yeastar_s import (
    InvalidReportError,
    PbxReport,
    decode_report,
    parse_report,
)


def report(raw: str | bytes) -> PbxReport:
    return parse_report(decode_report(raw.encode() if isinstance(raw, str) else raw))


def test_extension_status_in_use_and_busy() -> None:
    for status in ("InUse", "Busy"):
        parsed = report(
            f'{{"action":"ExtensionStatus","extension":"101","status":"{status}","sn":"a09805021987"}}'
        )
        assert (parsed.type, parsed.extensions, parsed.status) == (
            "extension_status",
            ("101",),
            status,
        )
        assert parsed.extension_state == "in_use"
        assert parsed.serial == "a09805021987"


def test_a_flat_ring_with_an_inbound_leg() -> None:
    parsed = report(
        '{"action":"RING","callid":"1589948512.1709","ext":{"extid":"101"},'
        '"inbound":{"from":"103","to":"101","trunk":"to-18-16-2","inboundid":"1589948512.1707"},'
        '"sn":"a09805021987"}'
    )
    assert parsed.type == "ring"
    assert parsed.callid == "1589948512.1709"
    assert parsed.extensions == ("101",)
    assert parsed.inbound == {
        "from": "103",
        "to": "101",
        "trunk": "to-18-16-2",
        "inboundid": "1589948512.1707",
    }
    assert parsed.outbound is None
    assert parsed.status is None


def test_extid_as_a_list_and_answer_or_answered() -> None:
    answer = report('{"action":"ANSWER","callid":"1","ext":{"extid":["106","101"]},"sn":"x"}')
    assert (answer.type, answer.extensions) == ("answer", ("106", "101"))
    assert report('{"action":"ANSWERED","callid":"1"}').type == "answered"


def test_yeastar_call_array() -> None:
    parsed = report(
        '{"action":"RING","callid":"1","call":[{"ext":{"extid":"1000"}},'
        '{"outbound":{"from":"1000","to":"075528000003","trunk":"SIP1","outboundid":"2"}}]}'
    )
    assert parsed.extensions == ("1000",)
    assert parsed.outbound == {
        "from": "1000",
        "to": "075528000003",
        "trunk": "SIP1",
        "outboundid": "2",
    }


def test_the_format_before_1_0_2_repeats_the_ext_key() -> None:
    parsed = report(
        '{"action":"RING","callid":"1495706238.328","ext":{"extid":"1000"},"ext":{"extid":"1002"}}'
    )
    assert parsed.extensions == ("1000", "1002")


def test_call_failed_reason_as_number_or_text() -> None:
    assert report('{"action":"CallFailed","reason":480,"callid":"1"}').reason == "480"
    assert report('{"action":"CallFailed","reason":"486 Busy Here"}').reason == "486 Busy Here"


def test_new_cdr() -> None:
    parsed = report(
        '{"action":"NewCdr","callid":"1589958682.2101","timestart":"2020-05-20 10:11:22",'
        '"callfrom":"106","callto":"6200(4002)","callduraction":"10","talkduraction":"5",'
        '"status":"ANSWERED","type":"Internal","sn":"a09805021987"}'
    )
    assert parsed.type == "new_cdr"
    assert parsed.cdr == {
        "timestart": "2020-05-20 10:11:22",
        "callfrom": "106",
        "callto": "6200(4002)",
        "callduraction": "10",
        "talkduraction": "5",
        "status": "ANSWERED",
        "type": "Internal",
    }
    assert parsed.status is None  # a call record's status is not an extension's


@pytest.mark.parametrize(
    ("action", "kind"),
    [("BootUp", "boot_up"), ("Tranfer", "transfer"), ("RI", "ring"), ("Hello", "unknown")],
)
def test_every_action_has_a_type(action: str, kind: str) -> None:
    assert report(json.dumps({"action": action})).type == kind


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"not json", "not JSON"),
        (b"[1]", "not a JSON object"),
        (b"{}", "action missing"),
        (b'{"action": {"a": 1}}', "action is not text"),
        (b'{"action": "RING", "callid": "a\\nb"}', "callid is longer"),
        (b'{"action": "RING", "callid": "\\ud800"}', "callid is longer"),
        (json.dumps({"action": "RING", "callid": "1" * 65}).encode(), "callid is longer"),
        (b'{"action": "RING", "ext": "101"}', "ext is not an object"),
        (b'{"action": "RING", "ext": {"extid": [true]}}', "ext.extid is not text"),
        (json.dumps({"action": "RING", "ext": {"extid": ["1"] * 33}}).encode(), "more than 32"),
        (b'{"action": "RING", "call": [1]}', "call is not a short list"),
        (b'{"action": "RING", "inbound": []}', "inbound is not an object"),
        (b"[" * 60_000, "not JSON"),  # deeper than the parser goes
        (b'{"action": "RING", "pad": "' + b"x" * 70_000 + b'"}', "larger than"),
    ],
    ids=lambda value: value[:24] if isinstance(value, bytes) else value,
)
def test_hostile_bodies_are_refused(raw: bytes, why: str) -> None:
    with pytest.raises(InvalidReportError, match=why):
        report(raw)


@given(st.binary(max_size=300))
def test_any_bytes_are_a_report_or_refused(raw: bytes) -> None:
    try:
        parsed = report(raw)
    except InvalidReportError:
        return
    assert isinstance(parsed.action, str)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=70),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.fixed_dictionaries(
        {"action": st.sampled_from(["RING", "BYE", "NewCdr", "ExtensionStatus"])},
        optional=dict.fromkeys(
            ("ext", "call", "inbound", "outbound", "callid", "reason", "status", "sn"), JSON_VALUES
        ),
    )
)
def test_any_report_shaped_object_parses_or_is_refused(body: dict[str, object]) -> None:
    try:
        parsed = parse_report(body)
    except InvalidReportError:
        return
    assert all(isinstance(number, str) and len(number) <= 64 for number in parsed.extensions)
