"""A Yeastar P-Series PBX on a real hass: set up through the config flow, a call followed over
the WebSocket API to its final status while the PBX's event connection drops and comes back, and
its token is renewed; then removed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from devtools.provision import add_yeastar_p
from simulator.demo import BUSY_OUTSIDE

from .conftest import Instance
from .test_real_home_assistant import follow_call, watching_call_status

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_p_series_call_survives_a_dropped_event_connection(instance: Instance) -> None:
    pbx = instance.far_side.yeastar_p
    pbx.access_lifetime = 4.0  # renewed after a few seconds, within the test
    pbx.talk_seconds = 4.0  # long enough for the drop and the reconnect (after 1 s)
    result = await add_yeastar_p(instance.client, pbx, instance.far_side.yeastar_p_port)
    entry_id = result["result"]["entry_id"]
    try:
        async with asyncio.timeout(10):
            while not pbx.sockets:  # noqa: ASYNC110 - the simulator's own state, polled
                await asyncio.sleep(0.05)

        async def drop_mid_call(status: dict[str, Any]) -> None:
            if status["state"] == "connected":
                await pbx.drop_connections()

        async with watching_call_status(instance) as ws:
            _, statuses = await follow_call(
                ws,
                "dial_extension",
                {"config_entry_id": entry_id, "caller": "2001", "callee": "2002"},
                on_status=drop_mid_call,
            )
        assert [status["state"] for status in statuses] == [
            "calling_caller",
            "calling_callee",
            "connected",
            "disconnected",
        ]
        assert statuses[-1]["outcome"] == "answered"
        subscriptions = [r for r in pbx.requests if r["endpoint"] == "subscribe"]
        assert len(subscriptions) >= 2  # connected again after the drop
        assert {r["user_agent"] for r in pbx.requests} == {"OpenAPI"}
        pbx.talk_seconds = None
        # As a P570 reports it: 2001 rings on two devices and answers on one before the outside
        # number turns out busy; 30015 comes before the last BYE, then (next call) after it.
        async with watching_call_status(instance) as ws:
            for _ in range(2):
                _, statuses = await follow_call(
                    ws,
                    "dial_outbound",
                    {"config_entry_id": entry_id, "extension": "2001", "number": BUSY_OUTSIDE},
                )
                assert [(s["state"], s["outcome"]) for s in statuses] == [
                    ("calling_caller", None),
                    ("calling_callee", None),
                    ("disconnected", "busy"),
                ]
        log = instance.hass.log_path.read_text(encoding="utf-8")
        assert "event connection lost" in log
        assert "event connection is back" in log
        assert all(token not in log for token in pbx.tokens)
    finally:
        await instance.client.remove_entry(entry_id)
        pbx.talk_seconds = None
