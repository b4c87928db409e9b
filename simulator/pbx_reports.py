"""The simulated PBX's reports: what it posts, while a call plays, to where the login told it.

OpenVox (API v0.0.1) posts flat ``ext`` / ``outbound`` objects with numeric reasons; Yeastar (API
v1.1.0) posts a ``call`` array with worded reasons, and, when the login asked for no report format
1.0.2, objects that repeat the ``ext`` key. Each call: the caller rings and picks up, the callee
rings, then answers (talks, two BYE reports with different call ids) or is busy or does not
answer (CallFailed); a call record ends it, and ExtensionStatus follows each extension. A prompt
rings one extension, plays, reports the keys pressed meanwhile (Yeastar's DTMF reports; OpenVox
documents none) and PlayPromptEnd, then hangs up. A call coming in from outside rings an
extension (``ALERT`` with the trunk's ``inbound`` leg), is answered or missed, and ends with its
``Inbound`` record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from aiohttp import ClientError, ClientSession, ClientTimeout

if TYPE_CHECKING:
    from .pbx import PbxState

_LOGGER = logging.getLogger(__name__)

# Outcome -> CallFailed's reason (OpenVox's SIP code, Yeastar's words) and NewCdr's status.
FAILURES = {
    "busy": ("486", "486 Busy Here", "BUSY"),
    "no_answer": ("480", "480 Temporarily Unavailable", "NO ANSWER"),
    "failed": ("503", "NO Outbound Restriction", "FAILED"),
}


def report_destination(fields: dict[str, str], remote: str | None) -> str | None:
    """Return where a login's or heartbeat's ``url`` says to post reports, as an http URL.

    A real PBX without a ``url`` posts to the client's address at ``port``; the simulator then
    posts nothing (a client that names no URL listens nowhere).
    """
    url = fields.get("url")
    if not url:
        return None
    if str(fields.get("urltag", "0")) == "1":
        return f"http://{url}"
    host = fields.get("ipaddr") or remote
    return f"http://{host}:{fields.get('port', '8260')}/{url.lstrip('/')}"


def encode(state: PbxState, action: str, callid: str, exts: list[str], **more: Any) -> str:
    """Return a report's JSON text in the shape this PBX's model and report format give it."""
    fields: dict[str, Any] = {"action": action, "callid": callid}
    if state.api_version == "v0.0.1":
        fields["ext"] = {"extid": exts[0] if len(exts) == 1 else exts}
        fields |= more
        return json.dumps(fields | {"sn": state.serial})
    if state.report_format != "1.0.2":
        # The format before 1.0.2: one "ext" key per extension, in one object.
        head = json.dumps(fields | more)[:-1]
        repeated = "".join(f', "ext": {json.dumps({"extid": ext})}' for ext in exts)
        return f'{head}{repeated}, "sn": {json.dumps(state.serial)}}}'
    parts: list[dict[str, Any]] = [{"ext": {"extid": ext}} for ext in exts]
    if "outbound" in more:
        parts.append({"outbound": more.pop("outbound")})
    return json.dumps(fields | more | {"call": parts, "sn": state.serial})


class PlayedCall:
    """One call the simulated PBX plays, posting its reports; hanging up ends it at once."""

    def __init__(self, state: PbxState, caller: str, callee: str, *, outbound: bool) -> None:
        """Prepare the call; ``play`` runs it."""
        self.state = state
        self.caller = caller
        self.callee = callee
        self.outbound = outbound
        self.connected = False
        self.ids = (f"{time.time():.4f}.{n}" for n in range(1, 100))
        self.started = time.monotonic()
        self.talk_started: float | None = None
        self.hung_up = False  # by the API, while it played
        self.outboundid = next(self.ids)

    def _callee_leg(self) -> dict[str, Any]:
        if self.outbound:
            return {
                "outbound": {
                    "from": self.caller,
                    "to": self.callee,
                    "trunk": "SIP1",
                    "outboundid": self.outboundid,
                }
            }
        return {}

    def _parties(self) -> list[str]:
        return [self.caller] if self.outbound else [self.callee, self.caller]

    @property
    def answered_action(self) -> str:
        """The action of the report that the callee answered, as this model names it."""
        return "ANSWER" if self.state.api_version == "v0.0.1" else "ANSWERED"

    async def _failed(self, session: ClientSession, outcome: str) -> None:
        """End a call the callee did not take: CallFailed with this model's reason, the record."""
        number, words, cdr = FAILURES[outcome]
        reason: Any = int(number) if self.state.api_version == "v0.0.1" else words
        await self._post(
            session,
            encode(self.state, "CallFailed", next(self.ids), self._parties(), reason=reason),
        )
        await self._end(session, cdr)

    async def play(self, session: ClientSession) -> None:
        """Post the call's reports, one step every ``step_delay`` seconds."""
        state = self.state
        await self._status(session, self.caller, "Ringing")
        await self._post(session, encode(state, "RING", next(self.ids), [self.caller]))
        await asyncio.sleep(state.step_delay)
        await self._status(session, self.caller, "InUse")
        await self._post(session, encode(state, "ANSWER", next(self.ids), [self.caller]))
        if not self.outbound:
            await self._status(session, self.callee, "Ringing")
        await self._post(
            session, encode(state, "RING", next(self.ids), self._parties(), **self._callee_leg())
        )
        await asyncio.sleep(state.step_delay)
        outcome = state.outcomes.get(self.callee, "answered")
        if outcome in FAILURES:
            await self._failed(session, outcome)
            return
        self.connected = True
        self.talk_started = time.monotonic()
        if not self.outbound:
            await self._status(session, self.callee, "InUse")
        await self._post(
            session,
            encode(
                state, self.answered_action, next(self.ids), self._parties(), **self._callee_leg()
            ),
        )
        await asyncio.sleep(state.step_delay * 2)
        await self.hang_up(session)

    async def hang_up(self, session: ClientSession) -> None:
        """End the call: two BYE reports (the second with another id), then the record."""
        parties = self._parties()
        leg = self._callee_leg()
        await self._post(session, encode(self.state, "BYE", next(self.ids), parties, **leg))
        await self._post(session, encode(self.state, "BYE", next(self.ids), parties[::-1], **leg))
        await self._end(session, "ANSWERED" if self.connected else "NO ANSWER")

    async def _end(self, session: ClientSession, status: str, kind: str | None = None) -> None:
        """Free the extensions, then post the call record (of the ``kind`` of call)."""
        for number in sorted({self.caller, self.callee} & set(self.state.extensions)):
            await self._status(session, number, "Registered")
        talk = 0 if self.talk_started is None else round(time.monotonic() - self.talk_started)
        record = {
            "action": "NewCdr",
            "callid": next(self.ids),
            "timestart": time.strftime("%Y-%m-%d %H:%M:%S"),
            "callfrom": self.caller,
            "callto": self.callee,
            "callduraction": str(round(time.monotonic() - self.started)),
            "talkduraction": str(talk),
            "status": status,
            "type": kind or ("Outbound" if self.outbound else "Internal"),
            "sn": self.state.serial,
        }
        await self._post(session, json.dumps(record))

    async def _status(self, session: ClientSession, number: str, status: str) -> None:
        self.state.extensions[number] = status
        report = {
            "action": "ExtensionStatus",
            "extension": number,
            "status": status,
            "sn": self.state.serial,
        }
        await self._post(session, json.dumps(report))

    async def _post(self, session: ClientSession, body: str) -> None:
        destination = self.state.report_url
        if destination is None:
            return
        try:
            async with session.post(
                destination,
                data=body,
                headers={"Content-Type": "application/json", "User-Agent": "WebAPI"},
            ) as response:
                self.state.reports.append({"body": body, "status": response.status})
        except ClientError as err:
            _LOGGER.warning("Report to Home Assistant failed: %s", err)


class PlayedPrompt(PlayedCall):
    """System Recordings played to one extension, which is caller and callee of the call."""

    def __init__(self, state: PbxState, extension: str, prompt: str) -> None:
        """Prepare the call; ``play`` runs it."""
        super().__init__(state, extension, extension, outbound=False)
        self.prompt = prompt

    def _parties(self) -> list[str]:
        return [self.caller]

    async def play(self, session: ClientSession) -> None:
        """Ring, answer, keys (Yeastar reports them), the prompt's end, then the hangup."""
        state = self.state
        await self._status(session, self.caller, "Ringing")
        await self._post(session, encode(state, "RING", next(self.ids), [self.caller]))
        await asyncio.sleep(state.step_delay)
        outcome = state.outcomes.get(self.caller, "answered")
        if outcome in FAILURES:
            await self._failed(session, outcome)
            return
        self.connected = True
        self.talk_started = time.monotonic()
        await self._status(session, self.caller, "InUse")
        await self._post(
            session, encode(state, self.answered_action, next(self.ids), [self.caller])
        )
        await asyncio.sleep(state.step_delay)
        if state.api_version != "v0.0.1":
            for key in state.keys.get(self.caller, ""):
                await self._post(
                    session, encode(state, "DTMF", next(self.ids), [self.caller], info=key)
                )
        await asyncio.sleep(state.step_delay)
        await self._post(
            session,
            encode(state, "PlayPromptEnd", next(self.ids), [self.caller], prompt=self.prompt),
        )
        await self.hang_up(session)


class CallComingIn(PlayedCall):
    """A call from an outside number to an extension, through a trunk: answered or missed."""

    def __init__(self, state: PbxState, caller: str, extension: str, *, answered: bool) -> None:
        """Prepare the call; ``play`` runs it."""
        super().__init__(state, caller, extension, outbound=False)
        self.answered = answered
        self.inbound = {
            "from": caller,
            "to": extension,
            "trunk": "SIP-trunk",
            "inboundid": self.outboundid,
        }

    def _parties(self) -> list[str]:
        return [self.callee]

    async def play(self, session: ClientSession) -> None:
        """Ring the extension; it answers and talks a moment, or the caller gives up."""
        state = self.state
        await self._status(session, self.callee, "Ringing")
        await self._post(
            session, encode(state, "ALERT", next(self.ids), [self.callee], inbound=self.inbound)
        )
        await asyncio.sleep(state.step_delay * 2)
        if self.answered:
            self.connected = True
            self.talk_started = time.monotonic()
            await self._status(session, self.callee, "InUse")
            await self._post(
                session,
                encode(state, "ANSWER", next(self.ids), [self.callee], inbound=self.inbound),
            )
            await asyncio.sleep(state.step_delay * 2)
        await self.hang_up(session)

    async def hang_up(self, session: ClientSession) -> None:
        """End the call: a BYE per side, then its record."""
        for _ in range(2 if self.connected else 1):
            await self._post(
                session,
                encode(self.state, "BYE", next(self.ids), [self.callee], inbound=self.inbound),
            )
        await self._end(session, "ANSWERED" if self.connected else "NO ANSWER", kind="Inbound")


async def run_call(call: PlayedCall) -> None:
    """Play a call to its end, or, when hung up, end it as a hangup does."""
    async with ClientSession(timeout=ClientTimeout(total=10)) as session:
        try:
            await call.play(session)
        except asyncio.CancelledError:
            if call.hung_up:
                await asyncio.shield(call.hang_up(session))
            raise
