"""What every provider is: the runtime data of one entry, and what the shared call path asks of it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
import logging
from typing import Any, ClassVar, Self

from homeassistant.components.event import EventEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
import voluptuous as vol

from ..api.common import ApiAuthError, ApiConnectionError, ApiError, ApiRefusedError
from ..api.incoming import IncomingCallEvent, IncomingCalls
from ..api.legs import SETTLE_SECONDS, PlacedCalls
from ..api.telephony import CallStatus
from ..call_log import CallLog
from ..call_status import async_fire_call_status
from ..const import (
    CONF_MAC,
    DOMAIN,
    SERVICE_PLAY_MESSAGE,
    SUBENTRY_TYPE_MESSAGE,
    SUBENTRY_TYPE_PRESET,
)
from ..cooldown import CallGate
from ..extensions import Extensions
from ..far_side import CallbackReport, FarSideLog
from ..history import CallHistory, history_store
from ..incoming_call import async_fire_incoming_call, signal_missed_calls
from ..phonebook import contact_name

_LOGGER = logging.getLogger(__package__)


@dataclass(frozen=True, slots=True)
class Placed:
    """What a provider tells of an action on a call: the call's id, what else the response carries.

    ``parties`` (caller and callee) say that a new call was placed; an action that ends a call
    has none. ``follow`` is given back to ``follow_again`` after a reload or a restart.
    """

    call_id: str | None
    details: Mapping[str, str | None] = field(default_factory=dict)
    parties: Mapping[str, str] | None = None
    # What the provider needs to follow the call again after a reload or a restart (its own).
    follow: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class FlowSteps:
    """The config flow's steps of one provider (its user step is named after its entry type)."""

    reauth: str
    reconfigure: str
    options: str


def calls_store(hass: HomeAssistant, entry: ConfigEntry) -> Store[dict[str, Any]]:
    """Return where an entry keeps the calls it placed, so that their reports count after a restart."""
    return Store(hass, 1, f"{DOMAIN}.{entry.entry_id}.calls", private=True)


def validated(value: str, normalize: Callable[[str], str], translation_key: str) -> str:
    """Return ``value`` in the provider's form, or raise the translated validation error."""
    try:
        return normalize(value)
    except ValueError:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"number": value},
        ) from None


class Provider[CallT: Hashable](ABC):
    """One entry's backend: its client, what it can do, and how its calls are placed.

    A provider is the entry's ``runtime_data``. The shared path (``calls.py``) asks it to prepare
    a call from an action's fields and to place it; it never asks which provider it has.
    """

    entry_type: ClassVar[str]
    platforms: ClassVar[tuple[Platform, ...]]
    # The actions it carries out, and the one its call presets run (message presets play_message).
    actions: ClassVar[frozenset[str]]
    preset_action: ClassVar[str]
    # The response of a call it did not place (held back by the cooldown).
    nothing_placed: ClassVar[Placed]
    flow_steps: ClassVar[FlowSteps]
    # Entry data that diagnostics never show.
    secrets: ClassVar[frozenset[str]]

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], device_id: str) -> None:
        """Start with no call placed and none held back."""
        self.hass = hass
        self.entry = entry
        self.device_id = device_id
        self.gate = CallGate()
        self.calls = CallLog()
        self.callbacks = CallbackReport(_LOGGER)
        self.far_side = FarSideLog()
        # A PBX's extensions (none for a service); the entities that follow the availability.
        self.extensions = Extensions(hass, entry.entry_id)
        self._availability_listeners: list[CALLBACK_TYPE] = []
        self._told_available: bool | None = None
        self._availability = Availability(entry.title)
        self._calls_store = calls_store(hass, entry)
        self.history = CallHistory(hass, entry)
        # Calls waiting to settle (see PlacedCall, IncomingCall), each with what cancels its timer.
        self._settling: dict[tuple[str, str], CALLBACK_TYPE] = {}
        entry.async_on_unload(self._cancel_settling)

    @classmethod
    @abstractmethod
    async def async_setup(cls, hass: HomeAssistant, entry: ConfigEntry[Any]) -> Self:
        """Connect to the provider; raise ConfigEntryNotReady or ConfigEntryAuthFailed."""

    async def async_start(self) -> None:
        """Take back the calls placed before a reload or a restart; save them when the entry goes."""
        self.calls.restore(await self._calls_store.async_load())
        for call_id, follow in self.calls.to_follow():
            self.follow_again(call_id, follow)
        await self.history.async_load()
        # Saved at once at unload: the next setup (a reload) reads it back.
        self.entry.async_on_unload(lambda: self._calls_store.async_save(self.calls.stored()))
        self.entry.async_on_unload(self.history.async_save)

    async def async_unload(self) -> None:  # noqa: B027 - a provider may hold nothing
        """Release what the provider holds once its entities are gone."""

    @classmethod
    async def async_remove(cls, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Delete what a removed entry left outside itself."""
        await calls_store(hass, entry).async_remove()
        await history_store(hass, entry).async_remove()

    @classmethod
    def discovered_form(cls, mac_prefix: str) -> dict[str, Any] | None:
        """Return what a device DHCP found fills in this provider's form, if it may be one.

        ``mac_prefix`` is the vendor's part of its MAC address (``F4B549``); None: not this kind.
        """
        return None

    @classmethod
    def migrated_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Return the data of an entry of 0.1.x as this release keeps it."""
        return dict(data)

    @classmethod
    def action_of(cls, subentry_type: str) -> str:
        """Return the action a preset of this kind runs when its button is pressed."""
        return SERVICE_PLAY_MESSAGE if subentry_type == SUBENTRY_TYPE_MESSAGE else cls.preset_action

    @classmethod
    def preset_fields(cls, subentry_type: str) -> dict[vol.Marker, Any]:
        """Return the fields of a preset besides its name: its action's fields."""
        if subentry_type == SUBENTRY_TYPE_PRESET:
            return cls.call_preset_fields()
        return cls.message_preset_fields()

    @classmethod
    def preset_errors(cls, subentry_type: str, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Return the form errors of a preset's fields."""
        if subentry_type == SUBENTRY_TYPE_PRESET:
            return cls.call_preset_errors(user_input)
        return cls.message_preset_errors(user_input)

    @classmethod
    @abstractmethod
    def call_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Return the fields of a call preset: the preset action's."""

    @classmethod
    @abstractmethod
    def call_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Return the form errors of a call preset's numbers."""

    @classmethod
    @abstractmethod
    def message_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Return the fields of a message preset: play_message's, as this provider takes them."""

    @classmethod
    @abstractmethod
    def message_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Return the form errors of a message preset."""

    @property
    @abstractmethod
    def reports_call_status(self) -> bool:
        """Whether the calls this entry places tell how they go (``call_bridge_call_status``)."""

    @abstractmethod
    def collects_keys(self, subentry_type: str, data: Mapping[str, Any]) -> bool:
        """Whether the calls of a preset can tell which keys were pressed."""

    @abstractmethod
    def prepare(self, action: str, fields: Mapping[str, Any]) -> CallT:
        """Return what an action's fields ask for, numbers checked; raise ServiceValidationError.

        Equal results are identical requests: the cooldown holds back the second.
        """

    @abstractmethod
    async def async_place(self, call: CallT) -> Placed:
        """Carry out ``call``; raise a translated HomeAssistantError when it is not done."""

    def require(self, fields: Mapping[str, Any], *names: str) -> None:
        """Raise the translated validation error when an action lacks a field this provider needs."""
        for name in names:
            if not fields.get(name):
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="missing_field",
                    translation_placeholders={"field": name, "entry_title": self.entry.title},
                )

    def error(self, translation_key: str, **placeholders: str) -> HomeAssistantError:
        """Return the translated error of an action on this entry."""
        return HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=translation_key,
            translation_placeholders={"entry_title": self.entry.title} | placeholders,
        )

    def failed(self, err: ApiError) -> HomeAssistantError:
        """Return the translated error of an action the provider did not carry out.

        What it tells of the provider is noted: not reached (its entities go unavailable), or
        refusing the credentials (reauthentication starts); a refusal names the provider's code.
        """
        if isinstance(err, ApiAuthError):
            self.entry.async_start_reauth(self.hass)
        if isinstance(err, ApiConnectionError):
            self.unreachable(err)
            return self.error("provider_unreachable")
        self.reachable()
        if isinstance(err, ApiRefusedError):
            return self.error(err.key, **err.placeholders)
        return self.error("provider_bad_answer")

    @callback
    def report(self, status: CallStatus) -> None:
        """Tell a call's new status: the event, the entry's entities, its recent calls."""
        event = async_fire_call_status(self.hass, self.entry.entry_id, self.device_id, status)
        self.calls.record(
            status.call_id,
            {
                key: event[key]
                for key in ("state", "reason", "outcome", "call_duration", "caller", "callee")
            }
            | {"updated": status.report_date or dt_util.utcnow().isoformat()},
        )
        if status.outcome is not None:
            self.history.add_outgoing(status)

    @callback
    def report_followed(self, statuses: Iterable[CallStatus], calls: PlacedCalls) -> None:
        """Tell what a report changed of the calls the entry follows; settle those it left ending."""
        for status in statuses:
            self.report(status)
        self._settle_later("placed", calls.take_settling(), calls.settle, self.report)

    @callback
    def report_incoming(self, events: Iterable[IncomingCallEvent], calls: IncomingCalls) -> None:
        """Tell what a report changed of the calls coming in; settle those it left ending."""
        for event in events:
            self._incoming(event)
        self._settle_later("incoming", calls.take_settling(), calls.settle, self._incoming)

    @callback
    def _incoming(self, event: IncomingCallEvent) -> None:
        """Tell a call that came in: named from the phonebook when the PBX gave no name."""
        if event.caller_name is None:
            name = contact_name(self.hass, self.entry, event.caller)
            event = replace(event, caller_name=name)
        async_fire_incoming_call(self.hass, self.entry.entry_id, self.device_id, event)
        if event.final:
            self.history.add_incoming(event)
            async_dispatcher_send(self.hass, signal_missed_calls(self.entry.entry_id))

    @callback
    def clear_missed_calls(self) -> None:
        """Forget the entry's missed calls."""
        self.history.clear_missed()
        async_dispatcher_send(self.hass, signal_missed_calls(self.entry.entry_id))

    def _settle_later[T](
        self,
        kind: str,
        handles: list[str],
        settle: Callable[[str], T | None],
        tell: Callable[[T], None],
    ) -> None:
        """Settle each call of ``handles`` once it heard nothing for a moment; tell how it ended."""
        for handle in handles:
            key = (kind, handle)
            if key not in self._settling:
                self._settling[key] = async_call_later(
                    self.hass,
                    SETTLE_SECONDS,
                    HassJob(partial(self._settled, key, settle, tell), cancel_on_shutdown=True),
                )

    @callback
    def _settled[T](
        self,
        key: tuple[str, str],
        settle: Callable[[str], T | None],
        tell: Callable[[T], None],
        _now: object,
    ) -> None:
        del self._settling[key]
        if (ended := settle(key[1])) is not None:
            tell(ended)

    @callback
    def _cancel_settling(self) -> None:
        for cancel in self._settling.values():
            cancel()
        self._settling.clear()

    def follow_again(self, call_id: str, follow: dict[str, Any]) -> None:  # noqa: B027
        """Follow again a call placed before a reload or a restart (``follow``: as ``Placed``'s)."""

    def placed(self, call_id: str | None, follow: dict[str, Any] | None = None) -> None:
        """Remember a call this entry placed, so that its reports are recognised as its own."""
        if call_id is not None:
            self.calls.remember_placed(call_id, follow)
            # Built here, on the event loop: before 2025.12 the store calls it from a worker thread.
            stored = self.calls.stored()
            self._calls_store.async_delay_save(lambda: stored, 1)

    @property
    def available(self) -> bool:
        """Whether the provider answered last time it was asked."""
        return True

    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` when the availability changes; return what stops it."""
        if self._told_available is None:
            self._told_available = self.available  # what the entities show as they are added
        self._availability_listeners.append(update)
        return lambda: self._availability_listeners.remove(update)

    @callback
    def availability_changed(self) -> None:
        """Tell the entities of the availability, if it is not what they last heard."""
        available = self.available
        if available is not self._told_available:
            self._told_available = available
            for listener in list(self._availability_listeners):
                listener()

    def reachable(self) -> None:
        """Note that the provider answered, whatever it said."""
        self._availability.reachable()

    def unreachable(self, err: Exception) -> None:
        """Note that the provider did not answer."""
        self._availability.unreachable(err)

    def diagnostics(self) -> dict[str, Any]:
        """Return what this provider adds to the entry's diagnostics."""
        return {}

    def event_entities(self) -> list[EventEntity]:
        """Return the provider's own event entities, besides the entry's "Call status"."""
        return []

    def sensor_entities(self) -> list[SensorEntity]:
        """Return the provider's own sensors, besides its extensions'."""
        return []


def register_device(hass: HomeAssistant, entry: ConfigEntry, **info: Any) -> str:
    """Register the device of an entry's PBX or service; return its id.

    A PBX whose MAC address is known has it as a connection: DHCP then tells when it moves.
    """
    mac = entry.data.get(CONF_MAC)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={device_identifier(entry)},
        connections={(dr.CONNECTION_NETWORK_MAC, mac)} if mac else None,
        name=entry.title,
        **info,
    )
    return device.id


def device_identifier(entry: ConfigEntry) -> tuple[str, str]:
    """Return the device registry identifier of an entry's PBX or service."""
    return (DOMAIN, entry.unique_id or entry.entry_id)


@dataclass
class Availability:
    """Whether the provider answered last time; logged once when it goes away and once when back."""

    name: str
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger(__package__))
    _reachable: bool = True

    def unreachable(self, err: Exception) -> None:
        """Note that the provider did not answer an action."""
        if self._reachable:
            self.logger.warning("%s is unreachable: %s", self.name, err)
            self._reachable = False

    def reachable(self) -> None:
        """Note that the provider answered, whatever it said."""
        if not self._reachable:
            self.logger.info("%s is reachable again", self.name)
            self._reachable = True


type CallBridgeConfigEntry = ConfigEntry[Provider[Any]]
