"""``call_bridge.call_until_answered``: preset after preset, until someone answers or acknowledges.

Each attempt presses a preset's button (the same path as the actions, so each entry's cooldown
holds) and follows that call through ``call_bridge_call_status`` until it is answered (or the
acknowledgement keys are pressed), ends, or rings for longer than the ring timeout; a call still
ringing then is hung up where the provider can hang up. Stopping the automation or script that
runs the action stops the chain the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
import logging
import time
from typing import Any, Final

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
    ATTR_PAUSE,
    ATTR_RING_TIMEOUT,
    ATTR_ROUNDS,
    ATTR_TARGETS,
    DOMAIN,
    SERVICE_HANGUP,
)
from .entity import unique_id_of
from .providers.base import CallBridgeConfigEntry

_LOGGER = logging.getLogger(__name__)

DEFAULT_RING_TIMEOUT: Final = 45
DEFAULT_ROUNDS: Final = 1
MAX_TARGETS: Final = 20
# Once someone answered, how long the chain waits for the keys (the message plays meanwhile).
ACKNOWLEDGE_TIMEOUT: Final = 120
# How long a call that was left ringing (a provider that cannot hang up) keeps its target busy.
MAX_RINGING: Final = 600
_KEYS: Final = r"[0-9*#]{1,32}"

ESCALATION_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_TARGETS): vol.All(cv.entity_ids, vol.Length(min=1, max=MAX_TARGETS)),
        vol.Optional(ATTR_RING_TIMEOUT, default=DEFAULT_RING_TIMEOUT): vol.All(
            vol.Coerce(float), vol.Range(min=0, max=600, min_included=False)
        ),
        vol.Optional(ATTR_ROUNDS, default=DEFAULT_ROUNDS): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=10)
        ),
        vol.Optional(ATTR_ACKNOWLEDGE_DIGITS): vol.All(cv.string, vol.Match(f"^{_KEYS}$")),
        vol.Optional(ATTR_PAUSE, default=0): vol.All(vol.Coerce(float), vol.Range(min=0, max=600)),
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


def resolve_target(hass: HomeAssistant, entity_id: str, *, acknowledge: bool) -> Target:
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
    if acknowledge and not provider.collects_keys(subentry.subentry_type, subentry.data):
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


def _acknowledges(digits: str | None, acknowledge: str) -> bool:
    # A PBX reports keys one by one (the digits so far); OneNET all of them at once.
    return digits is not None and digits.endswith(acknowledge)


async def _follow(
    events: _CallEvents, attempt: Attempt, deadline: float, acknowledge: str | None
) -> None:
    """Follow the attempt's call until it decides the attempt; note how it ended.

    ``deadline`` (the loop's clock) ends the ringing: the attempt's start plus the ring timeout.
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
            if acknowledge is not None and _acknowledges(attempt.digits, acknowledge):
                attempt.acknowledged = True
                attempt.end(Outcome.ANSWERED)
                return
        elif status.state is CallState.CONNECTED and not attempt.connected:
            attempt.connected = True
            if acknowledge is None:
                attempt.end(Outcome.ANSWERED)
                return
            # Answered: the message plays, and the keys may take a while.
            deadline = loop.time() + ACKNOWLEDGE_TIMEOUT
        elif status.state is CallState.DISCONNECTED:
            attempt.end(status.outcome, status.reason)
            return


async def _hang_up(target: Target, call_id: str) -> None:
    """End a call of the chain that is still ringing, where the provider can."""
    if not supports(target.entry, SERVICE_HANGUP):
        return
    try:
        await async_place_call(target.entry, SERVICE_HANGUP, {ATTR_CALL_ID: call_id})
    except HomeAssistantError as err:
        _LOGGER.warning("%s: could not hang up a call left ringing: %s", target.entry.title, err)


def _hang_up_soon(hass: HomeAssistant, target: Target, call_id: str) -> asyncio.Task[None]:
    """Hang up apart from the chain, so that stopping the chain does not stop the hangup."""
    return target.entry.async_create_background_task(
        hass, _hang_up(target, call_id), "call_bridge hangup"
    )


async def _hang_up_once_placed(target: Target, placing: asyncio.Task[dict[str, Any]]) -> None:
    """Hang up the call the chain was placing when it was stopped, once the provider placed it."""
    try:
        placed = await placing
    except HomeAssistantError:
        return  # nothing was placed
    if not placed["suppressed"] and placed["call_id"] is not None:
        await _hang_up(target, placed["call_id"])


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
    """Whether a call of this target that the chain placed may still ring."""
    ringing = hass.data.setdefault(_RINGING, {})
    held = ringing.get(target.entity_id)
    if held is not None and (
        held.target.entry.state is not ConfigEntryState.LOADED or held.over(time.monotonic())
    ):
        del ringing[target.entity_id]
        held = None
    return held is not None


async def _attempt(
    hass: HomeAssistant, target: Target, ring_timeout: float, acknowledge: str | None
) -> Attempt:
    """Place one preset's call and follow it."""
    attempt = Attempt(target.entity_id, dt_util.utcnow())
    # The ring timeout counts from here: placing the call is part of the attempt.
    deadline = asyncio.get_running_loop().time() + ring_timeout
    if _still_ringing(hass, target):
        return attempt.end("skipped", "already_ringing")
    ringing = hass.data[_RINGING]
    # Claimed before the call is placed, so that a chain coming meanwhile skips this target.
    claim = ringing[target.entity_id] = _Ringing(target, None, time.monotonic() + MAX_RINGING)
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
                hass, _hang_up_once_placed(target, placing), "call_bridge hangup"
            )
            raise
        except HomeAssistantError as err:
            return attempt.end("failed", str(err))
        finally:
            if ringing.get(target.entity_id) is claim:
                del ringing[target.entity_id]
        if placed["suppressed"]:
            return attempt.end("skipped", "cooldown")
        attempt.call_id = placed["call_id"]
        if attempt.call_id is None:
            return attempt.end("unknown", "no_call_id")
        ringing[target.entity_id] = _Ringing(
            target, attempt.call_id, time.monotonic() + MAX_RINGING
        )
        try:
            await _follow(events, attempt, deadline, acknowledge)
        except asyncio.CancelledError:
            if not attempt.connected:
                _hang_up_soon(hass, target, attempt.call_id)
            raise
        if attempt.reason == "ring_timeout":
            await asyncio.shield(_hang_up_soon(hass, target, attempt.call_id))
        return attempt
    finally:
        events.stop()


async def async_call_until_answered(
    hass: HomeAssistant, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Run the chain the action's ``fields`` describe; return who answered and every attempt."""
    acknowledge: str | None = fields.get(ATTR_ACKNOWLEDGE_DIGITS)
    targets = [
        resolve_target(hass, entity_id, acknowledge=acknowledge is not None)
        for entity_id in fields[ATTR_TARGETS]
    ]
    attempts: list[Attempt] = []
    answered: Attempt | None = None
    for _ in range(fields[ATTR_ROUNDS]):
        for target in targets:
            if attempts and fields[ATTR_PAUSE]:
                await asyncio.sleep(fields[ATTR_PAUSE])
            attempt = await _attempt(hass, target, fields[ATTR_RING_TIMEOUT], acknowledge)
            attempts.append(attempt)
            if attempt.acknowledged if acknowledge is not None else attempt.outcome == "answered":
                answered = attempt
                break
        if answered is not None:
            break
    return {
        "answered": answered is not None,
        "answered_by": answered.target if answered else None,
        "digits": answered.digits if answered else None,
        "attempts": [attempt.response() for attempt in attempts],
    }
