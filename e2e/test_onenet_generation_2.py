"""A OneNET account of API generation 2 on a real hass: set up through the config flow, a
click-to-dial call followed to its end over the WebSocket API, then removed."""

from __future__ import annotations

import pytest

from devtools.provision import add_onenet_generation_2

from .conftest import Instance
from .test_real_home_assistant import follow_call, watching_call_status

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_generation_2_call_is_followed_to_its_end(instance: Instance) -> None:
    result = await add_onenet_generation_2(
        instance.client, instance.onenet, instance.far_side.onenet_port
    )
    entry_id = result["result"]["entry_id"]
    user = instance.onenet.users[0]
    try:
        async with watching_call_status(instance) as ws:
            _, statuses = await follow_call(
                ws,
                "click_to_dial",
                {"config_entry_id": entry_id, "caller": "13800138000", "callee": "13900139000"},
            )
        assert {status["entry_id"] for status in statuses} == {entry_id}
        assert [status["state"] for status in statuses] == [
            "calling_caller",
            "calling_callee",
            "connected",
            "disconnected",
        ]
        dial = next(r for r in instance.onenet.requests if "dialNotify" in r.get("path_qs", ""))
        assert dial["path_qs"] == "/vcs?action=dialNotify&version=2"
        assert f"res=userid%2F{user.app_id}" in dial["headers"]["Authorization"]
        delivered = [c for c in instance.onenet.callbacks if c["body"].get("user_id")]
        assert {c["status"] for c in delivered} == {200}
    finally:
        await instance.client.remove_entry(entry_id)
