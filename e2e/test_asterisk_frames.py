"""The unit tests' recording of Asterisk is still what a live Asterisk sends.

``tests/fixtures/asterisk.json`` was recorded by ``python -m devtools.asterisk_frames``; the unit
tests (on Home Assistant 2025.4 too, with no Asterisk) replay it. Here each scenario is placed
again on a live Asterisk: the calls it tells must end as the recording's do, and the frames
Call Bridge reads must be of the same kinds, in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devtools.asterisk import running_office
from devtools.asterisk_frames import FIXTURE, record

pytestmark = pytest.mark.asyncio(loop_scope="session")

RECORDED: dict[str, Any] = json.loads(Path(FIXTURE).read_text(encoding="utf-8"))
READ = {"Dial", "ChannelDestroyed", "ChannelDtmfReceived", "StasisStart", "PlaybackFinished"}


def of_the_call(frames: list[dict[str, Any]]) -> list[tuple[str, str | int | None]]:
    """Return what Call Bridge reads of a call's frames: each kind, with its status or cause."""
    return [
        (frame["type"], frame.get("dialstatus", frame.get("cause", frame.get("digit"))))
        for frame in frames
        if frame["type"] in READ and frame.get("dialstatus") != ""
    ]


async def test_a_live_asterisk_sends_what_was_recorded() -> None:
    recorded = RECORDED
    async with running_office() as office:
        live = await record(office)
    assert live["answers"]["endpoints"] == recorded["answers"]["endpoints"]
    for name, scenario in recorded["scenarios"].items():
        now = live["scenarios"][name]
        assert [(s["state"], s["outcome"], s["digits"]) for s in now["statuses"]] == [
            (s["state"], s["outcome"], s["digits"]) for s in scenario["statuses"]
        ], name
        assert of_the_call(now["frames"]) == of_the_call(scenario["frames"]), name
    for registration in ("registered", "unregistered"):
        kinds = [frame["type"] for frame in live["registrations"][registration]]
        assert "DeviceStateChanged" in kinds, registration
