"""What every PBX provider is made of besides its own wire, whichever vendor the PBX is.

Presets between extensions and prompts played to one, the auto-answer option and its options
step, and what a PBX reports: ``call_bridge_pbx_event`` and the "PBX calls" entity that mirrors it.
A PBX that can play Home Assistant's speech (``SpeakingPbxParts``) takes words instead of prompts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any, ClassVar, Final

from homeassistant.components import tts
from homeassistant.components.event import EventEntity
from homeassistant.components.sensor import SensorEntity
from homeassistant.config_entries import ConfigEntry, ConfigFlowResult, OptionsFlow
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect, async_dispatcher_send
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    TextSelector,
    TextSelectorConfig,
)
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
import voluptuous as vol

from ..api.common import ApiAuthError, ApiError
from ..api.telephony import (
    CALL_EVENT_TYPES,
    InvalidExtensionError,
    InvalidPromptError,
    ReportedEvent,
    normalize_extension,
    normalize_outside_number,
    normalize_prompts,
)
from ..const import (
    ATTR_AUTOANSWER,
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_EXTENSION,
    ATTR_MESSAGE,
    ATTR_NUMBER,
    ATTR_PROMPT,
    ATTR_TTS_ENGINE,
    DOMAIN,
    EVENT_PBX_EVENT,
    MAX_SPOKEN_MESSAGE,
    SERVICE_DIAL_EXTENSION,
    SERVICE_DIAL_OUTBOUND,
    SERVICE_HANGUP,
    SERVICE_PLAY_MESSAGE,
)
from ..entity import CallBridgeEntity
from .base import CallBridgeConfigEntry, Placed, Provider, validated
from .forms import COMMON_OPTIONS
from .incoming_entities import IncomingCallsEvent, MissedCallsSensor

_LOGGER = logging.getLogger(__name__)

# The option, and the action field that overrides it: the caller's phone answers by itself.
CONF_AUTOANSWER: Final = ATTR_AUTOANSWER
DEFAULT_AUTOANSWER: Final = False
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        **COMMON_OPTIONS,
        vol.Required(CONF_AUTOANSWER, default=DEFAULT_AUTOANSWER): BooleanSelector(),
    }
)
EVENT_ATTRIBUTES: Final = ("callid", "extensions", "inbound", "outbound", "reason", "cdr", "key")
# How often a PBX whose events tell the extensions' states is asked for its list of them: new
# extensions appear within minutes, and the PBX is spared.
LIST_INTERVAL: Final = timedelta(minutes=5)


def parties_of(action: str, fields: Mapping[str, Any]) -> tuple[str, str, bool]:
    """Return a dial's caller extension, its callee, and whether the callee is an outside number.

    ``dial_outbound`` rings ``extension``, then ``number``; ``dial_extension`` two extensions.
    """
    if action == SERVICE_DIAL_OUTBOUND:
        number = validated(fields[ATTR_NUMBER], normalize_outside_number, "invalid_outside_number")
        return extension(fields[ATTR_EXTENSION]), number, True
    return extension(fields[ATTR_CALLER]), extension(fields[ATTR_CALLEE]), False


def autoanswer_of(entry: ConfigEntry, fields: Mapping[str, Any]) -> bool:
    """Return whether the caller's phone answers by itself: as the action says, else the option."""
    autoanswer = fields.get(ATTR_AUTOANSWER)
    if autoanswer is None:
        autoanswer = entry.options.get(CONF_AUTOANSWER, DEFAULT_AUTOANSWER)
    return bool(autoanswer)


class PbxOptionsSteps(OptionsFlow):
    """The options of every PBX entry."""

    async def async_step_pbx_options(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Cooldown, timeout and whether the first extension answers by itself."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        return self.async_show_form(
            step_id="pbx_options",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
        )


def signal_pbx_event(entry_id: str) -> str:
    """Return the dispatcher signal that carries what an entry's PBX reported to its entity."""
    return f"{DOMAIN}_{entry_id}_pbx_event"


@callback
def fire_pbx_event(provider: Provider[Any], reported: ReportedEvent) -> None:
    """Tell what the PBX reported: ``call_bridge_pbx_event``, and the "PBX calls" entity."""
    data = {"entry_id": provider.entry.entry_id, "device_id": provider.device_id}
    provider.hass.bus.async_fire(EVENT_PBX_EVENT, data | reported.as_dict())
    async_dispatcher_send(provider.hass, signal_pbx_event(provider.entry.entry_id), reported)


class PbxCallsEvent(CallBridgeEntity[Provider[Any]], EventEntity):
    """Mirrors the PBX's reports about calls, whoever placed them."""

    _attr_translation_key = "pbx_calls"
    _attr_event_types = sorted(CALL_EVENT_TYPES)

    def __init__(self, entry: CallBridgeConfigEntry) -> None:
        """Attach the entity to the PBX."""
        super().__init__(entry, "pbx_calls")

    async def async_added_to_hass(self) -> None:
        """Follow the PBX's reports while the entity exists."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass, signal_pbx_event(self._entry.entry_id), self._async_reported
            )
        )

    @callback
    def _async_reported(self, reported: ReportedEvent) -> None:
        if reported.type in CALL_EVENT_TYPES:
            data = reported.as_dict()
            self._trigger_event(reported.type, {key: data[key] for key in EVENT_ATTRIBUTES})
            self.async_write_ha_state()


class PbxParts:
    """What a PBX provider is besides its wire: platforms, actions, presets, its call entities.

    Its presets ring one extension and then another, or play prompts to one. A PBX provider
    derives from it before ``Provider``.
    """

    platforms: ClassVar[tuple[Platform, ...]] = (Platform.BUTTON, Platform.EVENT, Platform.SENSOR)
    actions: ClassVar[frozenset[str]] = frozenset(
        {SERVICE_DIAL_EXTENSION, SERVICE_DIAL_OUTBOUND, SERVICE_HANGUP, SERVICE_PLAY_MESSAGE}
    )
    preset_action: ClassVar[str] = SERVICE_DIAL_EXTENSION
    nothing_placed: ClassVar[Placed] = Placed(None)
    entry: ConfigEntry

    def event_entities(self) -> list[EventEntity]:
        """Return "PBX calls", which mirrors the PBX's call reports, and "Incoming calls"."""
        return [PbxCallsEvent(self.entry), IncomingCallsEvent(self.entry)]

    def sensor_entities(self) -> list[SensorEntity]:
        """Return the "Missed calls" sensor (the extensions' follow the PBX's list)."""
        return [MissedCallsSensor(self.entry)]

    @classmethod
    def call_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Two extensions, and whether the first answers by itself."""
        return {
            vol.Required(ATTR_CALLER): TextSelector(),
            vol.Required(ATTR_CALLEE): TextSelector(),
            vol.Required(ATTR_AUTOANSWER, default=DEFAULT_AUTOANSWER): BooleanSelector(),
        }

    @classmethod
    def call_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Flag the fields that are not extensions."""
        return extension_errors(user_input, ATTR_CALLER, ATTR_CALLEE)

    @classmethod
    def message_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Return the extension, its prompts (joined with +), whether it answers by itself."""
        return {
            vol.Required(ATTR_EXTENSION): TextSelector(),
            vol.Required(ATTR_PROMPT): TextSelector(),
            vol.Required(ATTR_AUTOANSWER, default=DEFAULT_AUTOANSWER): BooleanSelector(),
        }

    @classmethod
    def message_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Flag an extension that is not one, and prompt names the PBX cannot take."""
        errors = extension_errors(user_input, ATTR_EXTENSION)
        try:
            normalize_prompts(user_input[ATTR_PROMPT])
        except InvalidPromptError:
            errors[ATTR_PROMPT] = "invalid_prompt"
        return errors


def extension_errors(user_input: Mapping[str, Any], *fields: str) -> dict[str, str]:
    """Flag the form's ``fields`` that are not extensions."""
    errors: dict[str, str] = {}
    for field in fields:
        try:
            normalize_extension(user_input[field])
        except InvalidExtensionError:
            errors[field] = "invalid_extension"
    return errors


def extension(value: str) -> str:
    """Return an action's extension in the PBX's form; raise the translated validation error."""
    return validated(value, normalize_extension, "invalid_extension")


def prompt_of(fields: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """Return the extension and the prompts of a play_message's fields (both checked)."""
    try:
        prompts = normalize_prompts(fields[ATTR_PROMPT])
    except InvalidPromptError:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="invalid_prompt"
        ) from None
    return extension(fields[ATTR_EXTENSION]), prompts


@dataclass(frozen=True, slots=True)
class Followed:
    """What a PBX entry needs to follow a call it placed again, after a reload or a restart."""

    caller: str
    callee: str
    one_party: bool
    outbound: bool = False
    pbx_callid: str | None = None

    def stored(self) -> dict[str, Any]:
        """Return it as the entry's store keeps it (``Placed.follow``)."""
        return asdict(self)

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> Followed | None:
        """Return what the store kept; None when it is not what ``stored`` wrote."""
        texts = [stored.get(key) for key in ("caller", "callee")]
        flags = [stored.get(key) for key in ("one_party", "outbound")]
        pbx_callid = stored.get("pbx_callid")
        if not all(isinstance(text, str) and text for text in texts):
            return None
        if not all(isinstance(flag, bool) for flag in flags):
            return None
        if pbx_callid is not None and not isinstance(pbx_callid, str):
            return None
        return cls(str(texts[0]), str(texts[1]), bool(flags[0]), bool(flags[1]), pbx_callid)


@dataclass(frozen=True, slots=True)
class Prompt:
    """Ring ``extension`` and play the PBX's prompts to it, in order."""

    extension: str
    prompts: tuple[str, ...]
    autoanswer: bool


@dataclass(frozen=True, slots=True)
class SpokenMessage:
    """Ring ``extension`` and speak ``message`` with Home Assistant's text-to-speech."""

    extension: str
    message: str
    engine: str | None
    autoanswer: bool


class SpeakingPbxParts(PbxParts):
    """A PBX that plays its prompts or Home Assistant's speech: its message presets take either."""

    if TYPE_CHECKING:  # Provider's, which a PBX provider also derives from

        def require(self, fields: Mapping[str, Any], *names: str) -> None:
            """Raise the translated validation error when an action lacks a field."""

    @classmethod
    def message_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Return the extension, and prompts or words for text-to-speech (and its engine)."""
        return {
            vol.Required(ATTR_EXTENSION): TextSelector(),
            vol.Optional(ATTR_PROMPT): TextSelector(),
            vol.Optional(ATTR_MESSAGE): TextSelector(TextSelectorConfig(multiline=True)),
            vol.Optional(ATTR_TTS_ENGINE): EntitySelector(EntitySelectorConfig(domain="tts")),
            vol.Required(ATTR_AUTOANSWER, default=DEFAULT_AUTOANSWER): BooleanSelector(),
        }

    @classmethod
    def message_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Prompts are checked as every PBX's; words to speak are the other choice, not both."""
        message = str(user_input.get(ATTR_MESSAGE) or "").strip()
        if user_input.get(ATTR_PROMPT):
            errors = super().message_preset_errors(user_input)
            if message:
                errors[ATTR_MESSAGE] = "prompt_or_message"
            return errors
        errors = extension_errors(user_input, ATTR_EXTENSION)
        if not message:
            errors[ATTR_MESSAGE] = "prompt_or_message"
        elif len(message) > MAX_SPOKEN_MESSAGE:
            errors[ATTR_MESSAGE] = "message_too_long"
        return errors

    def message_of(self, fields: Mapping[str, Any]) -> Prompt | SpokenMessage:
        """Return what a play_message asks for: words to speak, else prompts (fields checked)."""
        autoanswer = autoanswer_of(self.entry, fields)
        if fields.get(ATTR_MESSAGE) and not fields.get(ATTR_PROMPT):
            self.require(fields, ATTR_EXTENSION)
            return SpokenMessage(
                extension(fields[ATTR_EXTENSION]),
                fields[ATTR_MESSAGE],
                fields.get(ATTR_TTS_ENGINE),
                autoanswer,
            )
        self.require(fields, ATTR_EXTENSION, ATTR_PROMPT)
        return Prompt(*prompt_of(fields), autoanswer)


class ExtensionListCoordinator[T](DataUpdateCoordinator[dict[str, T]]):
    """The extensions a PBX lists, by number, read every few minutes (states come as events)."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        host: str,
        listed: dict[str, T],
        read: Callable[[], Awaitable[dict[str, T]]],
    ) -> None:
        """Start from the list the setup read; ``read`` reads the next ones."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=entry.title, update_interval=LIST_INTERVAL
        )
        self.host = host
        self.data = listed
        self._read = read

    async def _async_update_data(self) -> dict[str, T]:
        """Read the list; new credentials are asked for when the PBX refuses them."""
        try:
            return await self._read()
        except ApiAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_auth_failed",
                translation_placeholders={"host": self.host},
            ) from err
        except ApiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="pbx_unavailable",
                translation_placeholders={"host": self.host, "error": str(err)},
            ) from err


async def async_speech(
    provider: Provider[Any], call: SpokenMessage, options: dict[str, Any] | None = None
) -> tuple[str, bytes]:
    """Return Home Assistant's speech of a message: its audio's extension, and the audio.

    ``options`` are the engine's (a preferred format, sample rate...); a translated error says
    when there is no text-to-speech, or it could not speak.
    """
    hass = provider.hass
    if "tts" not in hass.config.components:
        raise provider.error("tts_not_set_up")
    try:
        media_source_id = tts.generate_media_source_id(
            hass, call.message, engine=call.engine, options=options
        )
        return await tts.async_get_media_source_audio(hass, media_source_id)
    except HomeAssistantError as err:
        raise provider.error("tts_failed", error=str(err)) from None
