"""The Asterisk provider (FreePBX, or plain Asterisk): calls and messages over ARI, events over its WebSocket.

Asterisk places the calls and plays the messages; Home Assistant only asks and listens (no SIP,
no audio in Home Assistant). A call rings the caller's endpoint and, once it answers, the
dialplan's context dials the callee, as a phone of the PBX would; a message's call enters the
application, where the prompts (or Home Assistant's speech, which Asterisk fetches from Home
Assistant's URL) are played, and is hung up a few seconds after, the keys pressed meanwhile told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
import logging
import time
from typing import Any, ClassVar, Final, Self

from homeassistant.components import tts
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST, CONF_PASSWORD
from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    ServiceValidationError,
)
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.network import NoURLAvailableError, get_url

from ...api.asterisk import (
    AriClient,
    AriEvent,
    AriEventStream,
    AsteriskAuthError,
    AsteriskError,
    CallFollower,
    Endpoint,
)
from ...api.asterisk.events import PLAYBACK_FINISHED, STASIS_START
from ...api.asterisk.incoming import IncomingFollower
from ...api.asterisk.media import telephony_wav
from ...api.asterisk.reported import extension_state, reported_event
from ...api.telephony import ExtensionState, listed_extension
from ...const import (
    ATTR_CALL_ID,
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_EXTENSION,
    DOMAIN,
    SERVICE_HANGUP,
    SERVICE_PLAY_MESSAGE,
    SUBENTRY_TYPE_MESSAGE,
)
from ..base import FlowSteps, Placed, Provider, register_device
from ..pbx_parts import (
    ExtensionListCoordinator,
    Followed,
    Prompt,
    SpeakingPbxParts,
    SpokenMessage,
    async_speech,
    autoanswer_of,
    extension,
    fire_pbx_event,
    parties_of,
)
from .client import create_asterisk_client
from .const import ENTRY_TYPE
from .speech import SPEECH_PATH, served_speeches

_LOGGER = logging.getLogger(__name__)

# Seconds a message's call stays on after the message: time to press a key.
KEYS_SECONDS: Final = 8.0
# Speech as telephony plays it without resampling (Asterisk plays WAV, not MP3).
SPEECH_OPTIONS: Final = {
    tts.ATTR_PREFERRED_FORMAT: "wav",
    tts.ATTR_PREFERRED_SAMPLE_RATE: 8000,
    tts.ATTR_PREFERRED_SAMPLE_CHANNELS: 1,
}
# Messages waiting for their call to be answered, at most (the oldest are dropped).
MAX_WAITING_MESSAGES: Final = 32


@dataclass(frozen=True, slots=True)
class Dial:
    """Ring extension ``caller``, then ``callee`` (an extension or an outside number)."""

    caller: str
    callee: str
    autoanswer: bool


@dataclass(frozen=True, slots=True)
class Hangup:
    """End a followed call's live legs (``call_id``), or the calls an extension is in."""

    call_id: str | None
    extension: str | None


type AsteriskRequest = Dial | Prompt | SpokenMessage | Hangup


class AsteriskProvider(SpeakingPbxParts, Provider[AsteriskRequest]):
    """An Asterisk (FreePBX) reached with an ARI user, its events over ARI's WebSocket."""

    entry_type: ClassVar[str] = ENTRY_TYPE
    flow_steps: ClassVar[FlowSteps] = FlowSteps(
        reauth="asterisk_reauth", reconfigure="asterisk_reconfigure", options="pbx_options"
    )
    secrets: ClassVar[frozenset[str]] = frozenset({CONF_PASSWORD})

    def __init__(
        self,
        hass: HomeAssistant,
        entry: AsteriskConfigEntry,
        device_id: str,
        client: AriClient,
        coordinator: ExtensionListCoordinator[Endpoint],
    ) -> None:
        """Keep the client and the coordinator; the extensions start listed."""
        super().__init__(hass, entry, device_id)
        self.client = client
        self.coordinator = coordinator
        self.follower = CallFollower(ENTRY_TYPE)
        self.incoming = IncomingFollower(ENTRY_TYPE, self.client.technology)
        # What each message's call plays once it is answered, by call id.
        self.waiting: dict[str, tuple[str, ...]] = {}
        # Message calls about to be hung up, each with what cancels its timer.
        self._ending: dict[str, CALLBACK_TYPE] = {}
        self.stream = AriEventStream(
            client,
            self._event,
            name=entry.title,
            on_state=lambda connected: self.availability_changed(),
            on_frame=lambda frame: self.far_side.add("frame", frame),
        )
        entry.async_on_unload(self._cancel_endings)
        self._polled()

    @classmethod
    async def async_setup(cls, hass: HomeAssistant, entry: ConfigEntry[Any]) -> Self:
        """Identify Asterisk and list its endpoints."""
        client = create_asterisk_client(hass, entry.data, entry.options)
        host = entry.data[CONF_HOST]
        try:
            info = await client.info()
            endpoints = await client.endpoints()
        except AsteriskAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_auth_failed",
                translation_placeholders={"host": host},
            ) from err
        except AsteriskError as err:
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="pbx_not_ready",
                translation_placeholders={"host": host},
            ) from err
        device_id = register_device(
            hass,
            entry,
            manufacturer="Asterisk",
            model=f"Asterisk {info.version.split('+', 1)[0]}",
            sw_version=info.version,
            serial_number=info.system_id,
        )

        async def read() -> dict[str, Endpoint]:
            return _extensions_of(await client.endpoints())

        coordinator = ExtensionListCoordinator(
            hass, entry, client.host, _extensions_of(endpoints), read
        )
        provider = cls(hass, entry, device_id, client, coordinator)
        entry.async_on_unload(coordinator.async_add_listener(provider._polled))
        return provider

    async def async_start(self) -> None:
        """Open the event connection, for as long as the entry is loaded."""
        await super().async_start()
        self.entry.async_create_background_task(
            self.hass, self._async_run_stream(), f"call_bridge {self.entry.title} events"
        )

    async def _async_run_stream(self) -> None:
        try:
            await self.stream.run()
        except AsteriskAuthError:
            self.entry.async_start_reauth(self.hass)

    @callback
    def _event(self, event: AriEvent) -> None:
        """Tell an event as Home Assistant events and states; play and end messages."""
        technology = self.client.technology
        self.callbacks.counts["accepted"] += 1
        if (reported := reported_event(event, technology)) is not None:
            fire_pbx_event(self, reported)
        if event.device is not None:
            number = listed_extension(event.device_resource(technology))
            if number is not None and (state := extension_state(event)) is not None:
                self.extensions.set_state(number, state)
        elif event.type == STASIS_START and event.channel is not None:
            self._answered(event.channel.id)
        elif event.type == PLAYBACK_FINISHED and event.playback_target is not None:
            self._played(event.playback_target)
        self.report_followed(self.follower.follow(event), self.follower.calls)
        if not self.follower.owns(event):
            self.report_incoming(self.incoming.follow(event), self.incoming.calls)

    def _answered(self, call_id: str) -> None:
        """Play the message of a call that was answered and entered the application."""
        media = self.waiting.pop(call_id, None)
        if media is not None:
            self.entry.async_create_background_task(
                self.hass, self._async_play(call_id, media), f"call_bridge play {call_id}"
            )

    async def _async_play(self, call_id: str, media: tuple[str, ...]) -> None:
        try:
            await self.client.play(call_id, media, f"{call_id}-message")
        except AsteriskError as err:
            _LOGGER.warning("%s: the message could not be played: %s", self.entry.title, err)
            self._played(call_id)

    def _played(self, call_id: str) -> None:
        """Hang a played message's call up once there was time to press a key."""
        if call_id in self._ending or self.follower.calls.get(call_id) is None:
            return
        self._ending[call_id] = async_call_later(
            self.hass,
            KEYS_SECONDS,
            HassJob(partial(self._end_message, call_id), cancel_on_shutdown=True),
        )

    @callback
    def _end_message(self, call_id: str, _now: object) -> None:
        del self._ending[call_id]
        self.entry.async_create_background_task(
            self.hass, self._async_hang_up((call_id,)), f"call_bridge hang up {call_id}"
        )

    @callback
    def _cancel_endings(self) -> None:
        for cancel in self._ending.values():
            cancel()
        self._ending.clear()

    @callback
    def _polled(self) -> None:
        """Take the extensions Asterisk lists; a phone not registered is offline.

        A registered one keeps what the events told (idle when they told nothing yet).
        """
        if self.coordinator.last_update_success:
            known = self.extensions.states
            listed: dict[str, str | None] = {}
            for number, endpoint in self.coordinator.data.items():
                state: str | None = endpoint.extension_state
                if state != ExtensionState.OFFLINE and known.get(number) not in (
                    None,
                    ExtensionState.OFFLINE,
                ):
                    state = known[number]
                listed[number] = state
            self.extensions.listed(listed)
        self.availability_changed()

    @property
    def available(self) -> bool:
        """Whether the event connection is up and Asterisk answered the last poll."""
        return self.stream.connected and self.coordinator.last_update_success

    @property
    def reports_call_status(self) -> bool:
        """Asterisk's events tell how every call goes."""
        return True

    def collects_keys(self, subentry_type: str, data: Mapping[str, Any]) -> bool:
        """Return whether a preset collects keys: a message's come as key events."""
        return subentry_type == SUBENTRY_TYPE_MESSAGE

    def prepare(self, action: str, fields: Mapping[str, Any]) -> AsteriskRequest:
        """Check the extensions, numbers and prompts; ``autoanswer`` left out takes the option."""
        if action == SERVICE_HANGUP:
            call_id = fields.get(ATTR_CALL_ID)
            if call_id is not None:
                return Hangup(call_id, None)
            return Hangup(None, extension(fields[ATTR_EXTENSION]))
        if action == SERVICE_PLAY_MESSAGE:
            return self.message_of(fields)
        caller, callee, _ = parties_of(action, fields)
        return Dial(caller, callee, autoanswer_of(self.entry, fields))

    async def async_place(self, call: AsteriskRequest) -> Placed:
        """Dial, play a message, or hang up; follow the calls placed by their channel's id."""
        if isinstance(call, Hangup):
            await self._async_hang_up(await self._channels_of(call), call)
            return Placed(call.call_id)
        call_id = self.client.new_call_id()
        try:
            if isinstance(call, Dial):
                followed = Followed(call.caller, call.callee, one_party=False)
                self.follow_again(call_id, followed.stored())
                await self.client.dial(
                    call_id, call.caller, call.callee, auto_answer=call.autoanswer
                )
            else:
                followed = Followed(call.extension, call.extension, one_party=True)
                media = await self._media_of(call)
                self.follow_again(call_id, followed.stored())
                self._wait_to_play(call_id, media)
                await self.client.call_into_app(
                    call_id, call.extension, auto_answer=call.autoanswer
                )
        except AsteriskError as err:
            self.waiting.pop(call_id, None)
            raise self.failed(err) from None
        return Placed(
            call_id,
            parties={ATTR_CALLER: followed.caller, ATTR_CALLEE: followed.callee},
            follow=followed.stored(),
        )

    def follow_again(self, call_id: str, follow: dict[str, Any]) -> None:
        """Follow a call by its channel's events, from before it is placed or after a reload.

        Started before Asterisk is asked: its first events can come before its answer.
        """
        if (followed := Followed.from_stored(follow)) is not None:
            self.follower.start(
                call_id, followed.caller, followed.callee, one_party=followed.one_party
            )

    def _wait_to_play(self, call_id: str, media: tuple[str, ...]) -> None:
        self.waiting[call_id] = media
        while len(self.waiting) > MAX_WAITING_MESSAGES:
            del self.waiting[next(iter(self.waiting))]

    async def _channels_of(self, call: Hangup) -> tuple[str, ...]:
        """Return the channels a hangup ends: a followed call's live legs, or an extension's."""
        channels: tuple[str, ...] = ()
        if call.call_id is not None:
            followed = self.follower.calls.get(call.call_id)
            channels = tuple(followed.live_legs()) if followed is not None else ()
        elif call.extension is not None:
            try:
                channels = await self.client.channels_of(call.extension)
            except AsteriskError as err:
                raise self.failed(err) from None
        if not channels:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_call",
                translation_placeholders={
                    "call_id": call.call_id or str(call.extension),
                    "entry_title": self.entry.title,
                },
            )
        return channels

    async def _async_hang_up(
        self, channel_ids: tuple[str, ...], call: Hangup | None = None
    ) -> None:
        """Hang every channel up; one that ended with the first is no failure.

        Raise the first error only when none could be hung up and the action asked for it.
        """
        first_error: AsteriskError | None = None
        hung_up = False
        for channel_id in channel_ids:
            try:
                await self.client.hangup(channel_id)
            except AsteriskError as err:
                first_error = first_error or err
            else:
                hung_up = True
        if call is not None and not hung_up and first_error is not None:
            raise self.failed(first_error)

    async def _media_of(self, call: Prompt | SpokenMessage) -> tuple[str, ...]:
        """Return what Asterisk plays: its sounds by name, or Home Assistant's speech by URL."""
        if isinstance(call, Prompt):
            return tuple(f"sound:{prompt}" for prompt in call.prompts)
        extension_of_audio, audio = await async_speech(self, call, dict(SPEECH_OPTIONS))
        if extension_of_audio != "wav":
            raise self.error("asterisk_speech_unplayable", format=extension_of_audio)
        try:
            playable = await self.hass.async_add_executor_job(telephony_wav, audio)
        except ValueError as err:
            raise self.error("asterisk_speech_unplayable", format=str(err)) from None
        try:
            base = get_url(self.hass, allow_cloud=False, prefer_external=False)
        except NoURLAvailableError:
            raise self.error("tts_no_url") from None
        name = served_speeches(self.hass).add(playable, time.monotonic())
        return (f"sound:{base}{SPEECH_PATH}/{name}",)

    def diagnostics(self) -> dict[str, Any]:
        """How many extensions; whether the event connection is up, how often it was opened."""
        return {
            "extensions": len(self.extensions.states),
            "events_connected": self.stream.connected,
            "event_connections": self.stream.connections,
            "frames_refused": self.stream.refused,
        }


def _extensions_of(endpoints: list[Endpoint]) -> dict[str, Endpoint]:
    """Return the endpoints that are extensions (a number), by number; trunks are not."""
    return {
        number: endpoint
        for endpoint in endpoints
        if (number := listed_extension(endpoint.resource)) is not None
    }


type AsteriskConfigEntry = ConfigEntry[AsteriskProvider]
