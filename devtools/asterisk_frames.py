"""``python -m devtools.asterisk_frames``: what a real Asterisk sends, recorded for the unit tests.

The unit tests run on Home Assistant 2025.4 too, where no Asterisk can be counted on: they replay
these frames, recorded from Debian's Asterisk by this script (``tests/fixtures/asterisk.json``),
and ``e2e/test_asterisk_frames.py`` checks, against a live Asterisk, that the recording still
tells every call what a live one tells. Each scenario is one call, placed as Call Bridge places
it, with the frames of its channels (``ChannelVarset`` left out: hundreds, and never read).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import json
from pathlib import Path
import sys
from typing import Any

import aiohttp

from custom_components.call_bridge.api.asterisk import AriClient, CallFollower, decode_frame
from custom_components.call_bridge.api.telephony import CallState, CallStatus

from .asterisk import (
    ANSWERS,
    ARI_APP,
    ARI_PASSWORD,
    ARI_USER,
    BUSY,
    NEVER_ANSWERS,
    OUTSIDE_BUSY,
    PRESSES_1,
    Office,
    running_office,
)

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "asterisk.json"
SKIPPED = frozenset({"ChannelVarset"})
# The id each scenario's call had, which the tests replace with the id of the call they place.
RECORDED_ID = "call_bridge-recorded"


@dataclass(frozen=True)
class Scenario:
    """One call: how it is placed, and when it is hung up (a state, or never)."""

    name: str
    caller: str
    callee: str | None  # None: a message to ``caller``, which plays ``hello-world``
    hang_up_when: CallState | None = None


SCENARIOS = (
    Scenario("answered", ANSWERS, PRESSES_1, CallState.CONNECTED),
    Scenario("busy", ANSWERS, BUSY),
    Scenario("caller_never_answers", NEVER_ANSWERS, ANSWERS, CallState.CALLING_CALLER),
    Scenario("hung_up_ringing", ANSWERS, NEVER_ANSWERS, CallState.CALLING_CALLEE),
    Scenario("outside_busy", ANSWERS, OUTSIDE_BUSY),
    Scenario("no_route", ANSWERS, "999"),
    Scenario("message_with_a_key", PRESSES_1, None),
)
# Seconds after which a call hung up "when ringing" is hung up (the phone rings that long).
RINGING_SECONDS = 2.0


class Recorder:
    """Places each scenario's call on a live Asterisk; keeps its frames and its statuses."""

    def __init__(self, client: AriClient) -> None:
        """Record nothing yet."""
        self.client = client
        self.follower = CallFollower("asterisk")
        self.frames: list[dict[str, Any]] = []
        self.statuses: list[CallStatus] = []
        self.changed = asyncio.Event()

    def take(self, frame: str) -> None:
        """Keep a frame of every channel, and what it tells the followed call."""
        decoded = json.loads(frame)
        if decoded.get("type") in SKIPPED:
            return
        self.frames.append(decoded)
        event = decode_frame(frame)
        if event is not None:
            self.statuses.extend(self.follower.follow(event))
            if event.type == "StasisStart" and event.channel is not None:
                asyncio.get_running_loop().create_task(
                    self.client.play(event.channel.id, ("sound:hello-world",), "recorded")
                )
            if event.type == "PlaybackFinished" and event.playback_target is not None:
                asyncio.get_running_loop().call_later(
                    4, lambda: asyncio.ensure_future(self.client.hangup(RECORDED_ID))
                )
        self.changed.set()

    async def until(self, done: Callable[[], bool], seconds: float = 20) -> None:
        """Wait until ``done`` holds, as the frames come."""
        async with asyncio.timeout(seconds):
            while not done():
                self.changed.clear()
                await self.changed.wait()

    async def registration(self, office: Office, *, expires: int) -> list[dict[str, Any]]:
        """Register the SIP phone (``expires`` 0: unregister it); return the frames it made."""
        self.frames = []
        await office.phone.register(expires=expires)
        await asyncio.sleep(1)
        return self.frames

    async def play(self, scenario: Scenario) -> dict[str, Any]:
        """Place the scenario's call and record it until Asterisk is done with it."""
        self.frames, self.statuses = [], []
        one_party = scenario.callee is None
        self.follower.start(
            RECORDED_ID, scenario.caller, scenario.callee or scenario.caller, one_party=one_party
        )
        if scenario.callee is None:
            await self.client.call_into_app(RECORDED_ID, scenario.caller)
        else:
            await self.client.dial(RECORDED_ID, scenario.caller, scenario.callee)
        if scenario.hang_up_when is not None:
            await self.until(lambda: any(s.state is scenario.hang_up_when for s in self.statuses))
            await asyncio.sleep(
                RINGING_SECONDS if scenario.hang_up_when is not CallState.CONNECTED else 1
            )
            await self.client.hangup(RECORDED_ID)
        await self.until(lambda: any(s.state is CallState.DISCONNECTED for s in self.statuses))
        await asyncio.sleep(1)  # the frames that come after the call's end
        return {
            "caller": scenario.caller,
            "callee": scenario.callee,
            "frames": self.frames,
            "statuses": [status.as_dict() for status in self.statuses],
        }


async def record(office: Office, scenarios: tuple[Scenario, ...] = SCENARIOS) -> dict[str, Any]:
    """Record every scenario on a running Asterisk, and what it answers about itself."""
    async with aiohttp.ClientSession() as session:
        client = AriClient(
            "127.0.0.1",
            ARI_USER,
            ARI_PASSWORD,
            port=office.pbx.ari_port,
            app=ARI_APP,
            session=session,
        )
        recorder = Recorder(client)
        async with session.ws_connect(client.events_url(), headers=client.headers) as ws:

            async def read() -> None:
                async for message in ws:
                    recorder.take(message.data)

            reading = asyncio.get_running_loop().create_task(read())
            try:
                registrations = {
                    "registered": await recorder.registration(office, expires=3600),
                    "unregistered": await recorder.registration(office, expires=0),
                }
                recorded = {scenario.name: await recorder.play(scenario) for scenario in scenarios}
                answers = {
                    "info": await _get(session, client, "asterisk/info"),
                    "endpoints": await _get(session, client, "endpoints/PJSIP"),
                }
            finally:
                reading.cancel()
    return {"answers": answers, "registrations": registrations, "scenarios": recorded}


async def _get(session: aiohttp.ClientSession, client: AriClient, path: str) -> Any:
    url = client.events_url().with_scheme("http").with_path(f"/ari/{path}").with_query(None)
    async with session.get(url, headers=client.headers) as response:
        return await response.json()


async def _record() -> dict[str, Any]:
    async with running_office() as office:
        return await record(office)


def main() -> int:
    """Record the scenarios into ``tests/fixtures/asterisk.json``."""
    recorded = asyncio.run(_record())
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(recorded, indent=1, ensure_ascii=False) + "\n")
    print(f"{FIXTURE}: {len(recorded['scenarios'])} scenarios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
