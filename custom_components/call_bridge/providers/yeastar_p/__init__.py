"""The Yeastar P-Series provider: calls and prompts over its OpenAPI, events over its WebSocket.

Home Assistant opens the event connection (no port of Home Assistant has to be reachable from the
PBX); its events become ``call_bridge_pbx_event``, the status of the calls this entry placed, and
the extensions' states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import hashlib
import logging
from typing import Any, ClassVar, Self

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    ServiceValidationError,
)

from ...api.telephony import listed_extension
from ...api.yeastar_p import (
    EventStream,
    Extension,
    PbxEvent,
    YeastarPAuthError,
    YeastarPClient,
    YeastarPError,
    YeastarPRefusedError,
)
from ...api.yeastar_p.client import MAX_PROMPT_BYTES, PROMPT_FORMATS
from ...api.yeastar_p.events import EXTENSION_CALL_STATUS, EXTENSION_PRESENCE, Member
from ...api.yeastar_p.follow import CallFollower, is_channel
from ...api.yeastar_p.incoming import IncomingFollower
from ...api.yeastar_p.models import YEASTAR_MAC_PREFIX
from ...api.yeastar_p.reported import extension_state, members_of, reported_event
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
from .client import create_yeastar_p_client
from .const import ATTR_PRESENCE, CONF_CLIENT_ID, CONF_CLIENT_SECRET, ENTRY_TYPE

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Dial:
    """Ring extension ``caller``, then ``callee`` (an extension or an outside number)."""

    caller: str
    callee: str
    autoanswer: bool


def prompt_name_of(call: SpokenMessage) -> str:
    """Return the custom prompt a message's speech is uploaded as: one per message and engine."""
    digest = hashlib.sha256(f"{call.engine}|{call.message}".encode()).hexdigest()
    return f"call_bridge_{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Hangup:
    """End the legs on ``channel_ids`` (``call_id``: the call that was asked for, if any)."""

    channel_ids: tuple[str, ...]
    call_id: str | None = None


type YeastarPRequest = Dial | Prompt | SpokenMessage | Hangup


class YeastarPProvider(SpeakingPbxParts, Provider[YeastarPRequest]):
    """A Yeastar P-Series PBX, reached with a client id and secret, its events over WebSocket."""

    entry_type: ClassVar[str] = ENTRY_TYPE
    flow_steps: ClassVar[FlowSteps] = FlowSteps(
        # The options are the other PBX's: cooldown, timeout, auto-answer.
        reauth="yeastar_p_reauth",
        reconfigure="yeastar_p_reconfigure",
        options="pbx_options",
    )
    secrets: ClassVar[frozenset[str]] = frozenset({CONF_CLIENT_ID, CONF_CLIENT_SECRET})

    def __init__(
        self,
        hass: HomeAssistant,
        entry: YeastarPConfigEntry,
        device_id: str,
        client: YeastarPClient,
        *,
        coordinator: ExtensionListCoordinator[Extension],
        serial: str,
    ) -> None:
        """Keep the client, the coordinator and the PBX's serial; the extensions start listed."""
        super().__init__(hass, entry, device_id)
        self.coordinator = coordinator
        self.client = client
        self.serial = serial
        self.follower = CallFollower(ENTRY_TYPE)
        self.incoming = IncomingFollower(ENTRY_TYPE)
        # The channel each listed extension was last seen on, for a hangup by extension.
        self.channels: dict[str, str] = {}
        self.stream = EventStream(
            self.client,
            self._event,
            name=entry.title,
            on_state=lambda connected: self.availability_changed(),
            on_frame=lambda frame: self.far_side.add("frame", frame),
        )
        self._polled()

    @classmethod
    async def async_setup(cls, hass: HomeAssistant, entry: ConfigEntry[Any]) -> Self:
        """Identify the PBX (which takes a token) and list its extensions."""
        client = create_yeastar_p_client(hass, entry.data, entry.options)
        host = entry.data[CONF_HOST]
        try:
            info = await client.system_information()
            extensions = await client.extensions()
        except YeastarPAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_auth_failed",
                translation_placeholders={"host": host},
            ) from err
        except YeastarPRefusedError as err:
            # It answered: its code says why (a token limit, an IP restriction...); retried later.
            await client.close()
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key=err.key,
                translation_placeholders={"entry_title": entry.title} | err.placeholders,
            ) from err
        except YeastarPError as err:
            await client.close()
            raise ConfigEntryNotReady(
                translation_domain=DOMAIN,
                translation_key="pbx_not_ready",
                translation_placeholders={"host": host},
            ) from err
        device_id = register_device(
            hass,
            entry,
            manufacturer="Yeastar",
            model=info.model,
            sw_version=info.firmware_version,
            serial_number=info.serial,
        )

        async def read() -> dict[str, Extension]:
            return {extension.number: extension for extension in await client.extensions()}

        coordinator = ExtensionListCoordinator(
            hass,
            entry,
            client.host,
            {extension.number: extension for extension in extensions},
            read,
        )
        provider = cls(hass, entry, device_id, client, coordinator=coordinator, serial=info.serial)
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
        except YeastarPAuthError:
            self.entry.async_start_reauth(self.hass)

    async def async_unload(self) -> None:
        """Give the token back (the event connection ended with the entry's tasks)."""
        await self.client.close()

    @callback
    def _event(self, event: PbxEvent) -> None:
        """Tell an event as Home Assistant events and states."""
        title = self.entry.title
        if event.serial is not None and event.serial != self.serial:
            self.callbacks.count(
                "foreign", logging.WARNING, "%s: event of another PBX refused", title
            )
            return
        members = members_of(event)
        if members is None:
            self.callbacks.count("refused", logging.DEBUG, "%s: event refused", title)
            return
        self.callbacks.counts["accepted"] += 1
        fire_pbx_event(self, reported_event(event, members))
        self._note_channels(members)
        if event.type in (EXTENSION_CALL_STATUS, EXTENSION_PRESENCE):
            self._extension_event(event)
        self.report_followed(self.follower.follow(event, members), self.follower.calls)
        if not self.follower.owns(event):
            self.report_incoming(self.incoming.follow(event, members), self.incoming.calls)

    def _note_channels(self, members: tuple[Member, ...]) -> None:
        """Keep where each listed extension is; a leg that hung up is nowhere."""
        for member in members:
            number, channel = member.number, member.channel_id
            if number is None or number not in self.extensions or channel is None:
                continue
            if member.status == "BYE":
                self.channels.pop(number, None)
            else:
                self.channels[number] = channel

    def _extension_event(self, event: PbxEvent) -> None:
        """Keep an extension's state or presence; only the extensions the PBX lists have them."""
        number, status = listed_extension(event.text("extension")), event.text("status")
        if number is None:
            return
        if event.type == EXTENSION_CALL_STATUS:
            self.extensions.set_state(number, extension_state(status))
        else:
            self.extensions.set_attribute(number, ATTR_PRESENCE, status)

    @callback
    def _polled(self) -> None:
        """Take the extensions the PBX lists; whether each is signed in anywhere corrects its state.

        Signed in somewhere: idle until an event tells otherwise (a listed extension keeps what
        the events told); signed in nowhere: offline.
        """
        if self.coordinator.last_update_success:
            known = self.extensions.states
            listed: dict[str, str | None] = {}
            for number, extension in self.coordinator.data.items():
                state = known.get(number)
                if extension.online is False:
                    state = "offline"
                elif extension.online and state in (None, "offline"):
                    state = "idle"
                listed[number] = state
            self.extensions.listed(listed)
            for number, extension in self.coordinator.data.items():
                self.extensions.set_attribute(number, ATTR_PRESENCE, extension.presence)
        self.availability_changed()

    @property
    def available(self) -> bool:
        """Whether the event connection is up and the PBX answered the last poll."""
        return self.stream.connected and self.coordinator.last_update_success

    @classmethod
    def discovered_form(cls, mac_prefix: str) -> dict[str, Any] | None:
        """Yeastar's MAC prefix may be a P-Series (or an S-Series: the user chooses)."""
        return {} if mac_prefix == YEASTAR_MAC_PREFIX else None

    @property
    def reports_call_status(self) -> bool:
        """The PBX's events tell how every call goes."""
        return True

    def collects_keys(self, subentry_type: str, data: Mapping[str, Any]) -> bool:
        """Return whether a preset collects keys: a prompt's come as DTMF events."""
        return subentry_type == SUBENTRY_TYPE_MESSAGE

    def prepare(self, action: str, fields: Mapping[str, Any]) -> YeastarPRequest:
        """Check the extensions, numbers and prompts; ``autoanswer`` left out takes the option."""
        if action == SERVICE_HANGUP:
            return self._hangup_of(fields)
        if action == SERVICE_PLAY_MESSAGE:
            return self.message_of(fields)
        caller, callee, _ = parties_of(action, fields)
        return Dial(caller, callee, autoanswer_of(self.entry, fields))

    def _hangup_of(self, fields: Mapping[str, Any]) -> Hangup:
        """Return the hangup asked for: the channel of an extension, or every live leg of a call."""
        call_id = fields.get(ATTR_CALL_ID)
        channels: tuple[str, ...] = ()
        if call_id is None:
            channel = self.channels.get(extension(fields[ATTR_EXTENSION]))
            channels = (channel,) if channel is not None else ()
        elif (call := self.follower.calls.get(call_id)) is not None:
            channels = tuple(leg for leg in call.live_legs() if is_channel(leg))
        if not channels:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_call",
                translation_placeholders={
                    "call_id": call_id or str(fields.get(ATTR_EXTENSION)),
                    "entry_title": self.entry.title,
                },
            )
        return Hangup(channels, call_id)

    async def async_place(self, call: YeastarPRequest) -> Placed:
        """Dial, play a prompt, or hang a leg up; follow the calls placed by their id."""
        try:
            if isinstance(call, Hangup):
                await self._async_hang_up(call.channel_ids)
                return Placed(call.call_id)
            if isinstance(call, Prompt | SpokenMessage):
                caller = callee = call.extension
                prompts = (
                    (await self._async_upload_speech(call),)
                    if isinstance(call, SpokenMessage)
                    else call.prompts
                )
                call_id = await self.client.play_prompt(
                    call.extension, prompts, auto_answer=call.autoanswer
                )
            else:
                caller, callee = call.caller, call.callee
                call_id = await self.client.dial(caller, callee, auto_answer=call.autoanswer)
        except YeastarPError as err:
            raise self.failed(err) from None
        parties = {ATTR_CALLER: caller, ATTR_CALLEE: callee}
        if call_id is None:
            return Placed(call_id, parties=parties)
        followed = Followed(caller, callee, isinstance(call, Prompt | SpokenMessage))
        self.follow_again(call_id, followed.stored())
        return Placed(call_id, parties=parties, follow=followed.stored())

    def follow_again(self, call_id: str, follow: dict[str, Any]) -> None:
        """Follow a call by its events, from when it is placed or after a reload."""
        if (followed := Followed.from_stored(follow)) is not None:
            self.follower.start(
                call_id, followed.caller, followed.callee, one_party=followed.one_party
            )

    async def _async_hang_up(self, channel_ids: tuple[str, ...]) -> None:
        """Hang every leg up; a leg that ended with the first is no failure.

        Raise the first error only when no leg could be hung up.
        """
        first_error: YeastarPError | None = None
        hung_up = False
        for channel_id in channel_ids:
            try:
                await self.client.hangup(channel_id)
            except YeastarPError as err:
                first_error = first_error or err
            else:
                hung_up = True
        if not hung_up and first_error is not None:
            raise first_error

    async def _async_upload_speech(self, call: SpokenMessage) -> str:
        """Make speech of the message with Home Assistant's text-to-speech; upload it as a prompt."""
        extension_of_audio, audio = await async_speech(self, call)
        if extension_of_audio not in PROMPT_FORMATS or len(audio) > MAX_PROMPT_BYTES:
            raise self.error("tts_unsupported_audio", format=extension_of_audio)
        name = prompt_name_of(call)
        await self.client.upload_prompt(name, extension_of_audio, audio)
        return name

    def diagnostics(self) -> dict[str, Any]:
        """How many extensions, whether the event connection is up, how often it was opened."""
        return {
            "extensions": len(self.extensions.states),
            "events_connected": self.stream.connected,
            "event_connections": self.stream.connections,
        }


type YeastarPConfigEntry = ConfigEntry[YeastarPProvider]
