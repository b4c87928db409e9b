"""``call_bridge.call_until_answered``: preset after preset, until someone answers or acknowledges.

Each attempt presses a preset's button (the same path as the actions, so each entry's cooldown
holds) and follows that call through ``call_bridge_call_status`` until it is answered (or the
acknowledgement keys are pressed, or the decline keys pass it on), ends, or rings for longer than
the ring timeout; a call still ringing then is hung up where the provider can hang up. A step may
ring several presets at once: the first to answer (or acknowledge) wins, the others are hung up.
Stopping the automation or script that runs the action stops the chain the same way. Every step
and the end are told as ``call_bridge_escalation`` events. A target is looked up again at each
attempt: a preset deleted, or an entry unloaded, meanwhile is skipped, not called.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime
import logging
import time
from typing import Any, Final
import uuid

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
import voluptuous as vol

from .api.telephony import CallState, CallStatus, Outcome
from .call_status import signal_call_status
from .calls import async_place_call, supports
from .const import (
    ATTR_ACKNOWLEDGE_DIGITS,
    ATTR_CALL_ID,
    ATTR_DECLINE_DIGITS,
    ATTR_LABEL,
    ATTR_PAUSE,
    ATTR_RING_TIMEOUT,
    ATTR_ROUNDS,
    ATTR_TARGETS,
    DOMAIN,
    EVENT_ESCALATION,
    SERVICE_HANGUP,
)
from .entity import unique_id_of
from .escalation_store import chain_store
from .providers.base import CallBridgeConfigEntry

_LOGGER = logging.getLogger(__name__)

DEFAULT_RING_TIMEOUT: Final = 45
DEFAULT_ROUNDS: Final = 1
MAX_TARGETS: Final = 20
MAX_LABEL: Final = 255
# Presets rung at the same time in one step.
MAX_PARALLEL: Final = 10
# Once someone answered, how long the chain waits for the keys (the message plays meanwhile).
ACKNOWLEDGE_TIMEOUT: Final = 120
# How long a call that was left ringing (a provider that cannot hang up) keeps its target busy.
MAX_RINGING: Final = 600
_KEYS: Final = r"[0-9*#]{1,32}"


def steps_of(value: Any) -> list[list[str]]:
    """Return the chain's steps: each target alone, or a list of targets rung at the same time."""
    if isinstance(value, str):
        return [[entity_id] for entity_id in cv.entity_ids(value)]
    if not isinstance(value, list) or not value:
        raise vol.Invalid("targets is a list of preset buttons")
    steps: list[list[str]] = []
    for item in value:
        step = cv.entity_ids(item) if isinstance(item, list) else [cv.entity_id(item)]
        if not 1 <= len(step) <= MAX_PARALLEL:
            raise vol.Invalid(f"a step rings 1 to {MAX_PARALLEL} presets at once")
        steps.append(list(dict.fromkeys(step)))
    if sum(len(step) for step in steps) > MAX_TARGETS:
        raise vol.Invalid(f"at most {MAX_TARGETS} targets")
    return steps


ESCALATION_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_TARGETS): steps_of,
        vol.Optional(ATTR_RING_TIMEOUT, default=DEFAULT_RING_TIMEOUT): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=600, min_included=False)
        ),
        vol.Optional(ATTR_ROUNDS, default=DEFAULT_ROUNDS): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=10)
        ),
        vol.Optional(ATTR_ACKNOWLEDGE_DIGITS): vol.All(cv.string, vol.Match(f"^{_KEYS}$")),
        vol.Optional(ATTR_DECLINE_DIGITS): vol.All(cv.string, vol.Match(f"^{_KEYS}$")),
        vol.Optional(ATTR_PAUSE, default=0): vol.All(vol.Coerce(float), vol.Range(min=0, max=600)),
        # Told in the chain's events: what an automation listens for (its own entity id).
        vol.Optional(ATTR_LABEL): vol.All(cv.string, vol.Length(max=MAX_LABEL)),
    }
)


@dataclass(frozen=True, slots=True)
class Target:
    """A preset button the chain presses: its entry, and the preset it places."""

    entity_id: str
    entry: CallBridgeConfigEntry
    subentry: ConfigSubentry

    @property
    def action(self) -> str:
        """The action the preset runs."""
        return self.entry.runtime_data.action_of(self.subentry.subentry_type)


def _target_error(key: str, target: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"target": target} | placeholders,
    )


def resolve_target(hass: HomeAssistant, entity_id: str, *, keys: bool) -> Target:
    """Return the preset a target names; raise ServiceValidationError when it cannot be one."""
    registered = er.async_get(hass).async_get(entity_id)
    entry = (
        hass.config_entries.async_get_entry(registered.config_entry_id)
        if registered is not None
        and registered.platform == DOMAIN
        and registered.config_entry_id is not None
        else None
    )
    subentry = (
        next(
            (
                subentry
                for subentry in entry.subentries.values()
                if unique_id_of(entry, subentry.subentry_id) == registered.unique_id
            ),
            None,
        )
        if entry is not None and registered is not None
        else None
    )
    if entry is None or subentry is None:
        raise _target_error("not_a_preset", entity_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _target_error("target_not_loaded", entity_id, entry_title=entry.title)
    provider = entry.runtime_data
    if not provider.reports_call_status:
        raise _target_error("target_without_status", entity_id, entry_title=entry.title)
    if keys and not provider.collects_keys(subentry.subentry_type, subentry.data):
        raise _target_error("target_cannot_acknowledge", entity_id)
    return Target(entity_id, entry, subentry)


class _CallEvents:
    """The call statuses of one entry, kept from before a call is placed."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start listening to the entry's statuses (the integration's own signal, typed)."""
        self._queue: asyncio.Queue[CallStatus] = asyncio.Queue()
        self.stop = async_dispatcher_connect(hass, signal_call_status(entry_id), self._received)

    @callback
    def _received(self, status: CallStatus) -> None:
        self._queue.put_nowait(status)

    async def next_of(self, call_id: str, deadline: float) -> CallStatus | None:
        """Return the next status of ``call_id``; None once the loop's clock passes ``deadline``."""
        try:
            async with asyncio.timeout_at(deadline):
                while True:
                    status = await self._queue.get()
                    if status.call_id == call_id:
                        return status
        except TimeoutError:
            return None


@dataclass(slots=True)
class Attempt:
    """One call of the chain, as the response tells it."""

    target: str
    started: datetime
    call_id: str | None = None
    outcome: str | None = None
    reason: str | None = None
    digits: str | None = None
    ended: datetime | None = None
    connected: bool = False
    acknowledged: bool = False
    # The preset it called, once looked up (the response names it by ``target``).
    resolved: Target | None = None

    def end(self, outcome: str | None, reason: str | None = None) -> Attempt:
        """Note how the attempt ended, now."""
        self.outcome, self.reason, self.ended = outcome, reason, dt_util.utcnow()
        return self

    def response(self) -> dict[str, Any]:
        """Return the attempt as the action's response lists it."""
        return {
            "target": self.target,
            "call_id": self.call_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "digits": self.digits,
            "started": self.started.isoformat(),
            "ended": self.ended.isoformat() if self.ended else None,
        }

    def stored(self) -> dict[str, Any]:
        """Return the attempt as a running chain's store keeps it."""
        return self.response() | {"connected": self.connected, "acknowledged": self.acknowledged}

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Attempt:
        """Return an attempt the store kept; raise ValueError when it is not what was written."""
        texts = {key: stored.get(key) for key in ("call_id", "outcome", "reason", "digits")}
        flags = {key: stored.get(key) for key in ("connected", "acknowledged")}
        ended = stored.get("ended")
        if (
            not isinstance(stored.get("target"), str)
            or not isinstance(stored.get("started"), str)
            or not all(text is None or isinstance(text, str) for text in texts.values())
            or not all(isinstance(flag, bool) for flag in flags.values())
            or not (ended is None or isinstance(ended, str))
        ):
            raise ValueError("not a stored attempt")
        return cls(
            stored["target"],
            datetime.fromisoformat(stored["started"]),
            texts["call_id"],
            texts["outcome"],
            texts["reason"],
            texts["digits"],
            datetime.fromisoformat(ended) if ended else None,
            bool(flags["connected"]),
            bool(flags["acknowledged"]),
        )


@dataclass(frozen=True, slots=True)
class Keys:
    """The keys that acknowledge a call, and those that pass it on, if the chain has them."""

    acknowledge: str | None
    decline: str | None

    @property
    def any(self) -> bool:
        """Whether the chain listens for keys: its presets must be ones that collect them."""
        return self.acknowledge is not None or self.decline is not None


def _pressed(digits: str | None, keys: str | None) -> bool:
    # A PBX reports keys one by one (the digits so far); OneNET all of them at once.
    return digits is not None and keys is not None and digits.endswith(keys)


async def _follow(
    events: _CallEvents,
    attempt: Attempt,
    deadline: float,
    keys: Keys,
    progress: Callable[[], None],
) -> None:
    """Follow the attempt's call until it decides the attempt; note how it ended.

    ``deadline`` (the loop's clock) ends the ringing: the attempt's start plus the ring timeout.
    With acknowledgement keys, an answer alone (a person, or an answering machine) is not enough.
    """
    assert attempt.call_id is not None
    loop = asyncio.get_running_loop()
    while True:
        status = await events.next_of(attempt.call_id, deadline)
        if status is None:
            attempt.end(
                Outcome.ANSWERED if attempt.connected else Outcome.NO_ANSWER,
                "acknowledge_timeout" if attempt.connected else "ring_timeout",
            )
            return
        if status.state is CallState.COLLECT_RESULT:
            attempt.digits = status.digits
            if _pressed(attempt.digits, keys.decline):
                attempt.end("declined", "decline_digits")
                return
            if _pressed(attempt.digits, keys.acknowledge):
                attempt.acknowledged = True
                attempt.end(Outcome.ANSWERED)
                return
        elif status.state is CallState.CONNECTED and not attempt.connected:
            attempt.connected = True
            progress()
            if not keys.any:
                attempt.end(Outcome.ANSWERED)
                return
            # Answered: the message plays, and the keys may take a while.
            deadline = loop.time() + ACKNOWLEDGE_TIMEOUT
        elif status.state is CallState.DISCONNECTED:
            attempt.end(status.outcome, status.reason)
            return


async def _hang_up(target: Target, call_id: str) -> None:
    """End a call of the chain, where the provider can (and its entry is still loaded)."""
    if target.entry.state is not ConfigEntryState.LOADED or not supports(
        target.entry, SERVICE_HANGUP
    ):
        return
    try:
        await async_place_call(target.entry, SERVICE_HANGUP, {ATTR_CALL_ID: call_id})
    except HomeAssistantError as err:
        _LOGGER.warning("%s: could not hang up a call of the chain: %s", target.entry.title, err)


def _hang_up_soon(hass: HomeAssistant, target: Target, call_id: str) -> asyncio.Task[None]:
    """Hang up apart from the chain, so that stopping the chain does not stop the hangup."""
    return target.entry.async_create_background_task(
        hass, _hang_up(target, call_id), "call_bridge hangup"
    )


@dataclass(frozen=True, slots=True)
class _Ringing:
    """A call of a target that may still ring: until its entry records its end, or for a while.

    Without ``call_id`` the call is being placed.
    """

    target: Target
    call_id: str | None
    until: float

    def over(self, now: float) -> bool:
        """Whether the call ended (or was forgotten by its entry, or is long past)."""
        if now >= self.until:
            return True
        if self.call_id is None:
            return False
        recent = self.target.entry.runtime_data.calls.recent_calls.get(self.call_id)
        return recent is None or recent.get("state") == "disconnected"


# Target entity id -> the call of it that may still ring.
_RINGING: HassKey[dict[str, _Ringing]] = HassKey(f"{DOMAIN}_ringing")


def _still_ringing(hass: HomeAssistant, target: Target) -> bool:
    """Whether a call of this target that a chain placed may still ring."""
    ringing = hass.data.setdefault(_RINGING, {})
    held = ringing.get(target.entity_id)
    if held is not None and (
        held.target.entry.state is not ConfigEntryState.LOADED or held.over(time.monotonic())
    ):
        del ringing[target.entity_id]
        held = None
    return held is not None


def _hold(hass: HomeAssistant, target: Target, call_id: str | None) -> _Ringing:
    """Claim a target while its call is placed (``call_id`` None) and while it may ring."""
    claim = hass.data.setdefault(_RINGING, {})[target.entity_id] = _Ringing(
        target, call_id, time.monotonic() + MAX_RINGING
    )
    return claim


def _release(hass: HomeAssistant, claim: _Ringing) -> None:
    """Free a target, unless another call of it holds it now."""
    ringing = hass.data.setdefault(_RINGING, {})
    if ringing.get(claim.target.entity_id) is claim:
        del ringing[claim.target.entity_id]


async def _hang_up_once_placed(
    hass: HomeAssistant, claim: _Ringing, placing: asyncio.Task[dict[str, Any]]
) -> None:
    """Hang up the call the chain was placing when it was stopped, once the provider placed it.

    The target stays claimed meanwhile, and while that call may ring (a provider that cannot
    hang up): the next chain does not ring the same person twice at once.
    """
    try:
        placed = await placing
    except HomeAssistantError:
        _release(hass, claim)  # nothing was placed
        return
    if placed["suppressed"] or placed["call_id"] is None:
        _release(hass, claim)
        return
    if hass.data.setdefault(_RINGING, {}).get(claim.target.entity_id) is claim:
        _hold(hass, claim.target, placed["call_id"])
    await _hang_up(claim.target, placed["call_id"])


async def _attempt(
    hass: HomeAssistant,
    attempt: Attempt,
    ring_timeout: float,
    keys: Keys,
    progress: Callable[[], None],
) -> Attempt:
    """Place one preset's call and follow it; a preset that is no longer one is skipped."""
    target = _look_up(hass, attempt, keys)
    if target is None:
        return attempt
    # The ring timeout counts from here: placing the call is part of the attempt.
    deadline = asyncio.get_running_loop().time() + ring_timeout
    if _still_ringing(hass, target):
        return attempt.end("skipped", "already_ringing")
    # Claimed before the call is placed, so that a chain coming meanwhile skips this target.
    claim = _hold(hass, target, None)
    events = _CallEvents(hass, target.entry.entry_id)
    # Placed apart from the chain: a chain stopped meanwhile still hangs up the call it placed.
    placing = hass.async_create_background_task(
        async_place_call(target.entry, target.action, target.subentry.data),
        "call_bridge escalation call",
    )
    try:
        try:
            placed = await asyncio.shield(placing)
        except asyncio.CancelledError:
            target.entry.async_create_background_task(
                hass, _hang_up_once_placed(hass, claim, placing), "call_bridge hangup"
            )
            raise
        except HomeAssistantError as err:
            _release(hass, claim)
            return attempt.end("failed", str(err))
        _release(hass, claim)
        if placed["suppressed"]:
            return attempt.end("skipped", "cooldown")
        attempt.call_id = placed["call_id"]
        if attempt.call_id is None:
            return attempt.end("unknown", "no_call_id")
        progress()
        return await _follow_placed(
            hass, target, attempt, deadline=deadline, keys=keys, events=events, progress=progress
        )
    finally:
        events.stop()


def _look_up(hass: HomeAssistant, attempt: Attempt, keys: Keys) -> Target | None:
    """Return the preset an attempt calls, as it is now; end the attempt when it is none."""
    try:
        attempt.resolved = resolve_target(hass, attempt.target, keys=keys.any)
    except ServiceValidationError as err:
        attempt.end("skipped", err.translation_key)
    return attempt.resolved


async def _follow_placed(
    hass: HomeAssistant,
    target: Target,
    attempt: Attempt,
    *,
    deadline: float,
    keys: Keys,
    events: _CallEvents,
    progress: Callable[[], None],
) -> Attempt:
    """Follow a call the chain placed (holding its target) until it decides the attempt."""
    assert attempt.call_id is not None
    _hold(hass, target, attempt.call_id)
    try:
        await _follow(events, attempt, deadline, keys, progress)
    except asyncio.CancelledError:
        # Stopped (or another phone of the step won): a call still ringing is hung up. A restart
        # leaves it: the chain follows it again once Home Assistant is back.
        if not attempt.connected and hass.is_running:
            _hang_up_soon(hass, target, attempt.call_id)
        raise
    if attempt.reason in ("ring_timeout", "decline_digits"):
        await asyncio.shield(_hang_up_soon(hass, target, attempt.call_id))
    return attempt


async def _attempt_again(
    hass: HomeAssistant,
    attempt: Attempt,
    ring_timeout: float,
    keys: Keys,
    progress: Callable[[], None],
) -> Attempt:
    """Follow again the call of an attempt that a restart interrupted, for the time it had left.

    One whose call was still being placed cannot be told: it ends ``unknown``.
    """
    if attempt.call_id is None:
        return attempt.end("unknown", "restarted")
    target = _look_up(hass, attempt, keys)
    if target is None:
        return attempt
    loop = asyncio.get_running_loop()
    if attempt.connected:
        deadline = loop.time() + ACKNOWLEDGE_TIMEOUT
    else:
        elapsed = (dt_util.utcnow() - attempt.started).total_seconds()
        deadline = loop.time() + max(0.0, ring_timeout - elapsed)
    events = _CallEvents(hass, target.entry.entry_id)
    try:
        return await _follow_placed(
            hass, target, attempt, deadline=deadline, keys=keys, events=events, progress=progress
        )
    finally:
        events.stop()


class Chain:
    """One run of the action: its steps, where it is, what its attempts gave, and its events.

    It is kept in the store as it goes (``escalation_store``), and goes on after a restart.
    """

    def __init__(
        self, hass: HomeAssistant, fields: Mapping[str, Any], chain_id: str | None = None
    ) -> None:
        """Prepare the chain the action's checked ``fields`` describe (``chain_id``: resumed)."""
        self.hass = hass
        self.resumed = chain_id is not None
        self.id = chain_id or uuid.uuid4().hex
        self.fields = dict(fields)
        self.keys = Keys(fields.get(ATTR_ACKNOWLEDGE_DIGITS), fields.get(ATTR_DECLINE_DIGITS))
        self.attempts: list[Attempt] = []
        self.winner: Attempt | None = None
        # The round, and the step in it, that the chain is at.
        self.round = 0
        self.step = 0
        self._store = chain_store(hass)

    @classmethod
    def from_stored(cls, hass: HomeAssistant, chain_id: str, state: Mapping[str, Any]) -> Chain:
        """Return a chain the store kept; raise ValueError when it is not what was written."""
        try:
            fields = ESCALATION_SCHEMA(state["fields"])
            chain = cls(hass, fields, chain_id)
            chain.attempts = [Attempt.from_stored(stored) for stored in state["attempts"]]
            chain.round, chain.step = int(state["round"]), int(state["step"])
        except (vol.Invalid, KeyError, TypeError) as err:
            raise ValueError(f"not a stored chain: {err}") from None
        if not (
            0 <= chain.round < fields[ATTR_ROUNDS] and 0 <= chain.step < len(fields[ATTR_TARGETS])
        ):
            raise ValueError("not a stored chain: its place is outside its steps")
        return chain

    def wins(self, attempt: Attempt) -> bool:
        """Whether an attempt ends the chain: acknowledged, or answered when no keys are asked."""
        if self.keys.acknowledge is not None:
            return attempt.acknowledged
        return attempt.outcome == Outcome.ANSWERED

    def response(self) -> dict[str, Any]:
        """Return who answered and every attempt so far, as the action answers."""
        return {
            "answered": self.winner is not None,
            "answered_by": self.winner.target if self.winner else None,
            "digits": self.winner.digits if self.winner else None,
            "attempts": [attempt.response() for attempt in self.attempts],
        }

    def fire(self, event: str, attempt: Attempt | None = None) -> None:
        """Tell a step of the chain: ``call_bridge_escalation`` with the response so far."""
        data = {
            "chain_id": self.id,
            "event": event,
            "label": self.fields.get(ATTR_LABEL),
            "resumed": self.resumed,
        } | self.response()
        if attempt is not None:
            data["attempt"] = attempt.response()
        self.hass.bus.async_fire(EVENT_ESCALATION, data)

    def save(self) -> None:
        """Keep where the chain is, so that a restart does not end it."""
        self._store.save(
            self.id,
            {
                "fields": self.fields,
                "round": self.round,
                "step": self.step,
                "attempts": [attempt.stored() for attempt in self.attempts],
            },
        )

    async def run(self) -> dict[str, Any]:
        """Try the steps, round after round, until one wins; return the response.

        A resumed chain first follows the calls a restart interrupted, then goes on from there.
        """
        if not self.resumed:
            self.fire("started")
        self.save()
        steps = self.fields[ATTR_TARGETS]
        ring_timeout = self.fields[ATTR_RING_TIMEOUT]
        try:
            interrupted = [attempt for attempt in self.attempts if attempt.outcome is None]
            if interrupted:
                self.winner = await self._race(
                    [
                        (
                            attempt,
                            _attempt_again(self.hass, attempt, ring_timeout, self.keys, self.save),
                        )
                        for attempt in interrupted
                    ]
                )
                self._next()
            while self.winner is None and self.round < self.fields[ATTR_ROUNDS]:
                if self.attempts and self.fields[ATTR_PAUSE]:
                    await asyncio.sleep(self.fields[ATTR_PAUSE])
                attempts = [Attempt(entity_id, dt_util.utcnow()) for entity_id in steps[self.step]]
                self.attempts.extend(attempts)
                self.save()  # a call placed, then a restart: never placed a second time
                self.winner = await self._race(
                    [
                        (attempt, _attempt(self.hass, attempt, ring_timeout, self.keys, self.save))
                        for attempt in attempts
                    ]
                )
                self._next()
        except asyncio.CancelledError:
            if self.hass.is_running:  # stopped by its automation; a shutdown keeps it, to go on
                self._store.forget(self.id)
                self.fire("cancelled")
            raise
        self._store.forget(self.id)
        if self.winner is None:
            self.fire("exhausted")
        else:
            self.fire("acknowledged" if self.keys.acknowledge is not None else "answered")
        return self.response()

    def _next(self) -> None:
        """Go to the next step (or round), and keep it."""
        self.step += 1
        if self.step == len(self.fields[ATTR_TARGETS]):
            self.round, self.step = self.round + 1, 0
        self.save()

    async def _race(
        self, runs: list[tuple[Attempt, Coroutine[Any, Any, Attempt]]]
    ) -> Attempt | None:
        """Run a step's attempts at once; return the first that wins, the others hung up."""
        # Background tasks: Home Assistant cancels them as it stops, and the chain is kept then.
        tasks: dict[asyncio.Task[Attempt], Attempt] = {
            self.hass.async_create_background_task(
                run, f"call_bridge escalation {self.id}"
            ): attempt
            for attempt, run in runs
        }
        winner: Attempt | None = None
        pending = set(tasks)
        try:
            while pending and winner is None:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    attempt = task.result()
                    self.fire("attempt", attempt)
                    if winner is None and self.wins(attempt):
                        winner = attempt
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            if self.hass.is_running:
                for task in pending:
                    lost = tasks[task]
                    lost.end("cancelled", "another_answered" if winner is not None else "stopped")
                    # Someone else took it: one who answered too is not left on the line.
                    if winner is not None and lost.connected and lost.resolved and lost.call_id:
                        _hang_up_soon(self.hass, lost.resolved, lost.call_id)
                    self.fire("attempt", lost)
        return winner


async def async_resume_chains(hass: HomeAssistant) -> None:
    """Go on with the chains a restart interrupted (once Home Assistant has started)."""
    for chain_id, state in (await chain_store(hass).async_load()).items():
        try:
            chain = Chain.from_stored(hass, chain_id, state)
        except ValueError as err:
            _LOGGER.warning("An escalation chain kept across the restart is dropped: %s", err)
            continue
        _LOGGER.info("Escalation chain %s goes on after the restart", chain_id)
        hass.async_create_background_task(chain.run(), f"call_bridge escalation {chain_id}")


async def async_call_until_answered(
    hass: HomeAssistant, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Run the chain the action's ``fields`` describe; return who answered and every attempt.

    Every target is checked before the first call; each is checked again when its turn comes.
    """
    keys = Keys(fields.get(ATTR_ACKNOWLEDGE_DIGITS), fields.get(ATTR_DECLINE_DIGITS))
    if keys.acknowledge is not None and keys.acknowledge == keys.decline:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="decline_is_acknowledge"
        )
    for step in fields[ATTR_TARGETS]:
        for entity_id in step:
            resolve_target(hass, entity_id, keys=keys.any)
    return await Chain(hass, fields).run()
