"""``python -m benchmarks`` (scripts/bench): ratios, never pass/fail; compare them between commits.

Each line times Call Bridge's code and the least a plain implementation of the same job must do:
- callback parsing: ``parse_callback(json.loads(body))`` against ``json.loads(body)`` alone;
- signing: a whole Authorization header against one bare HMAC;
- numbers: normalising a typed number against stripping its spaces;
- call gate: ten calls through the cooldown gate against ten set entries around the same awaits;
- P-Series event: a WebSocket frame decoded and its fields checked, against its two ``json.loads``;
and the memory an entry keeps after 100,000 callbacks against a dict of the same bounded size.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
import gc
import hashlib
import hmac
import json
import timeit
import tracemalloc

from custom_components.call_bridge.api.onenet import (
    authorization,
    decode_access_key,
    normalize_phone_number,
    parse_callback,
)
from custom_components.call_bridge.api.yeastar_p import PbxEvent, decode_frame
from custom_components.call_bridge.api.yeastar_p.reported import members_of
from custom_components.call_bridge.call_log import SEEN_CALLBACKS_LIMIT, CallLog
from custom_components.call_bridge.cooldown import CallGate

APP_ID = "3143eba93adb4f35bde98aa31e4e5bbd"
BODY = json.dumps(
    {
        "appid": APP_ID,
        "call_id": "150104227912386807",
        "caller": "8613800138000",
        "callee": "8613900139000",
        "status": "Disconnected",
        "reason": "HangUp",
        "call_duration": "42",
        "report_date": "20261124160005",
    }
).encode()
LEGS = [
    {
        "extension": {
            "number": "2001",
            "channel_id": "PJSIP/2001-0000001a",
            "member_status": "ANSWERED",
        }
    },
    {
        "extension": {
            "number": "2002",
            "channel_id": "PJSIP/2002-0000001b",
            "member_status": "ANSWER",
        }
    },
]
FRAME = json.dumps(
    {
        "type": 30011,
        "sn": "3631A2124001",
        "msg": json.dumps({"call_id": "1702364386.124", "members": LEGS}),
    }
)
KEY = decode_access_key("KuF3NT/jUBJ62LNBB/A8XZA9CqS3Cu79B/ABmfA1UCw=")
RES = "onenet_voice/3143eba93adb4f35bde98aa31e4e5bbd"
ROUNDS = 20_000


def per_call(function: Callable[[], object]) -> float:
    """Microseconds per call, the best of five runs."""
    return min(timeit.repeat(function, number=ROUNDS, repeat=5)) / ROUNDS * 1e6


LOOP = asyncio.new_event_loop()


async def placed() -> str:
    return "placed"


async def ten_gated_calls() -> None:
    gate = CallGate(clock=lambda: 0.0)
    for number in range(10):
        await gate.place(number, 30, placed)


async def ten_set_entries() -> None:
    seen: set[int] = set()
    for number in range(10):
        seen.add(number)
        await placed()
        seen.discard(number)


def p_series_event() -> object:
    event = decode_frame(FRAME)
    assert isinstance(event, PbxEvent)
    return members_of(event)


def gate_round() -> None:
    LOOP.run_until_complete(ten_gated_calls())


def set_round() -> None:
    LOOP.run_until_complete(ten_set_entries())


def speed() -> None:
    pairs = {
        "callback parsing": (
            lambda: parse_callback(json.loads(BODY), APP_ID),
            lambda: json.loads(BODY),
        ),
        "Authorization header": (
            lambda: authorization(KEY, et=1795507500, method="sha1", res=RES),
            lambda: base64.b64encode(
                hmac.new(KEY, b"1795507500\nsha1\nx\nv1", hashlib.sha1).digest()
            ),
        ),
        "phone number": (
            lambda: normalize_phone_number("+86 138 0013 8000"),
            lambda: "+86 138 0013 8000".replace(" ", ""),
        ),
        "call gate (10 calls)": (gate_round, set_round),
        "P-Series event": (
            p_series_event,
            lambda: json.loads(json.loads(FRAME)["msg"]),
        ),
    }
    print(f"{'speed':<26}{'ours µs':>10}{'baseline µs':>13}{'ratio':>8}")
    for name, (ours, baseline) in pairs.items():
        mine, base = per_call(ours), per_call(baseline)
        print(f"{name:<26}{mine:>10.2f}{base:>13.2f}{mine / base:>8.2f}")


def retained(build: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    kept = build()
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    return size


def call_log() -> CallLog:
    log = CallLog()
    for number in range(100_000):
        call_id = str(number)
        log.first_delivery(call_id, "Connected")
        log.record(call_id, {"state": "connected", "reason": None, "call_duration": None})
    return log


def bounded_dict() -> dict[tuple[str, str], None]:
    return {(str(number), "Connected"): None for number in range(SEEN_CALLBACKS_LIMIT)}


def memory() -> None:
    ours, base = retained(call_log), retained(bounded_dict)
    print(f"\n{'memory':<26}{'ours KiB':>10}{'baseline KiB':>13}{'ratio':>8}")
    print(
        f"{'after 100,000 callbacks':<26}{ours / 1024:>10.1f}{base / 1024:>13.1f}{ours / base:>8.2f}"
    )


if __name__ == "__main__":
    speed()
    memory()
