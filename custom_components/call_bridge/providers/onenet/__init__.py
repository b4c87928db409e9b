"""The OneNET voice provider: click-to-dial calls, voice notifications, their status posted back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ServiceValidationError,
)
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    ObjectSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ...api.onenet import (
    InvalidAccessKeyError,
    InvalidPhoneNumberError,
    OneNetClient,
    OneNetError,
    VoiceMessage,
    normalize_phone_number,
)
from ...api.onenet.models import MAX_COLLECTED_KEYS, MAX_PLAYS
from ...const import (
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_COLLECT_DIGITS,
    ATTR_DISPLAY,
    ATTR_NOTIFY_URL,
    ATTR_NUMBER,
    ATTR_REPEAT,
    ATTR_SPONSOR,
    ATTR_TEMPLATE,
    ATTR_VARIABLES,
    CONF_CLOUDHOOK,
    DOMAIN,
    SERVICE_CLICK_TO_DIAL,
    SERVICE_PLAY_MESSAGE,
    SUBENTRY_TYPE_MESSAGE,
)
from ...webhook import async_callback_url, async_delete_cloudhook, async_register_webhook
from ..base import FlowSteps, Placed, Provider, register_device, validated
from .callbacks import async_handle_callback
from .client import async_load_number_data, create_onenet_client
from .const import (
    CONF_ACCESS_KEY,
    CONF_DISPLAY,
    CONF_SEND_NOTIFY_URL,
    CONF_SPONSOR,
    DEFAULT_SEND_NOTIFY_URL,
    ENTRY_TYPE,
)


@dataclass(frozen=True, slots=True)
class OneNetCall:
    """Call phone ``caller``, then bridge it to ``callee``; the entry's numbers fill the gaps."""

    caller: str
    callee: str
    sponsor: str
    display: str | None
    notify_url: str | None


@dataclass(frozen=True, slots=True)
class OneNetNotification:
    """Call ``number`` from the business number ``display`` and play ``message`` to it."""

    number: str
    display: str
    message: VoiceMessage
    notify_url: str | None


type OneNetRequest = OneNetCall | OneNetNotification

TEL = TextSelector(TextSelectorConfig(type=TextSelectorType.TEL))


class OneNetProvider(Provider[OneNetRequest]):
    """A OneNET voice application: calls placed by China Mobile, their status posted back."""

    entry_type: ClassVar[str] = ENTRY_TYPE
    platforms: ClassVar[tuple[Platform, ...]] = (Platform.BUTTON, Platform.EVENT)
    actions: ClassVar[frozenset[str]] = frozenset({SERVICE_CLICK_TO_DIAL, SERVICE_PLAY_MESSAGE})
    preset_action: ClassVar[str] = SERVICE_CLICK_TO_DIAL
    nothing_placed: ClassVar[Placed] = Placed(None, {"request_id": None})
    flow_steps: ClassVar[FlowSteps] = FlowSteps(
        reauth="onenet_reauth", reconfigure="onenet_reconfigure", options="onenet_options"
    )
    secrets: ClassVar[frozenset[str]] = frozenset({CONF_ACCESS_KEY})

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OneNetConfigEntry,
        device_id: str,
        client: OneNetClient,
    ) -> None:
        """Keep the client."""
        super().__init__(hass, entry, device_id)
        self.client = client

    @classmethod
    async def async_setup(cls, hass: HomeAssistant, entry: ConfigEntry[Any]) -> Self:
        """Register the device and the webhook; nothing is sent to OneNET before the first call."""
        await async_load_number_data(hass)
        try:
            client = create_onenet_client(hass, entry.data, entry.options)
        except InvalidAccessKeyError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="onenet_invalid_access_key"
            ) from err
        device_id = register_device(
            hass,
            entry,
            manufacturer="China Mobile",
            model="OneNET voice",
            entry_type=dr.DeviceEntryType.SERVICE,
        )
        return cls(hass, entry, device_id, client)

    async def async_start(self) -> None:
        """Listen for callbacks once the calls they may be about are known again."""
        await super().async_start()
        # OneNET posts from the internet.
        async_register_webhook(
            self.hass,
            self.entry,
            lambda request: async_handle_callback(self, request),
            local_only=False,
        )
        if self.entry.options.get(CONF_SEND_NOTIFY_URL, DEFAULT_SEND_NOTIFY_URL):
            # Raises the repair issue now rather than at the first call.
            await async_callback_url(self.hass, self.entry)

    @classmethod
    async def async_remove(cls, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Delete the entry's cloudhook too."""
        await super().async_remove(hass, entry)
        if entry.data.get(CONF_CLOUDHOOK):
            await async_delete_cloudhook(hass, entry.data[CONF_WEBHOOK_ID])

    @classmethod
    def call_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Two phone numbers, and optionally the number the callee sees."""
        return {
            vol.Required(ATTR_CALLER): TextSelector(),
            vol.Required(ATTR_CALLEE): TextSelector(),
            vol.Optional(ATTR_DISPLAY): TextSelector(),
        }

    @classmethod
    def call_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Flag the fields that are not numbers OneNET can call."""
        return _number_errors(user_input, (ATTR_CALLER, ATTR_CALLEE, ATTR_DISPLAY))

    @classmethod
    def message_preset_fields(cls) -> dict[vol.Marker, Any]:
        """Return the number to call, the approved template, its variables and how it is played."""
        return {
            vol.Required(ATTR_NUMBER): TEL,
            vol.Required(ATTR_TEMPLATE): TextSelector(),
            vol.Optional(ATTR_VARIABLES): ObjectSelector(),
            vol.Optional(ATTR_REPEAT): _count(MAX_PLAYS),
            vol.Optional(ATTR_COLLECT_DIGITS): _count(MAX_COLLECTED_KEYS),
        }

    @classmethod
    def message_preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Flag a number OneNET cannot call, and a message it would refuse."""
        errors = _number_errors(user_input, (ATTR_NUMBER,))
        try:
            _message_of(user_input)
        except (ValueError, TypeError) as err:
            errors[_message_field(err)] = "invalid_message"
        return errors

    @property
    def reports_call_status(self) -> bool:
        """Whether OneNET is told to post the status of the calls to this entry."""
        return bool(self.entry.options.get(CONF_SEND_NOTIFY_URL, DEFAULT_SEND_NOTIFY_URL))

    def collects_keys(self, subentry_type: str, data: Mapping[str, Any]) -> bool:
        """Message presets that collect keys do."""
        return subentry_type == SUBENTRY_TYPE_MESSAGE and bool(data.get(ATTR_COLLECT_DIGITS))

    def prepare(self, action: str, fields: Mapping[str, Any]) -> OneNetRequest:
        """Check the numbers; sponsor and display left out take the entry's."""
        display = fields.get(ATTR_DISPLAY) or self.entry.data.get(CONF_DISPLAY)
        if action == SERVICE_PLAY_MESSAGE:
            return self._notification_of(fields, display)
        return OneNetCall(
            caller=_phone_number(fields[ATTR_CALLER]),
            callee=_phone_number(fields[ATTR_CALLEE]),
            sponsor=_phone_number(fields.get(ATTR_SPONSOR) or self.entry.data[CONF_SPONSOR]),
            display=_phone_number(display) if display else None,
            notify_url=fields.get(ATTR_NOTIFY_URL),
        )

    def _notification_of(
        self, fields: Mapping[str, Any], display: str | None
    ) -> OneNetNotification:
        """Return the voice notification asked for; the business number is the call's display."""
        self.require(fields, ATTR_NUMBER, ATTR_TEMPLATE)
        try:
            message = _message_of(fields)
        except (ValueError, TypeError):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_message",
                translation_placeholders={"template": str(fields[ATTR_TEMPLATE])},
            ) from None
        return OneNetNotification(
            number=_phone_number(fields[ATTR_NUMBER]),
            display=_phone_number(display or self.entry.data[CONF_SPONSOR]),
            message=message,
            notify_url=fields.get(ATTR_NOTIFY_URL),
        )

    async def async_place(self, call: OneNetRequest) -> Placed:
        """Ask OneNET to call; its status comes back to this entry's webhook when it can."""
        notify_url = call.notify_url
        if notify_url is None and self.reports_call_status:
            notify_url = await async_callback_url(self.hass, self.entry)
        try:
            if isinstance(call, OneNetNotification):
                result = await self.client.voice_notify(
                    call.number, call.display, call.message, notify_url=notify_url
                )
                parties = {ATTR_CALLER: call.display, ATTR_CALLEE: call.number}
            else:
                result = await self.client.click_to_dial(
                    call.caller,
                    call.callee,
                    call.sponsor,
                    display=call.display,
                    notify_url=notify_url,
                )
                parties = {ATTR_CALLER: call.caller, ATTR_CALLEE: call.callee}
        except OneNetError as err:
            raise self.failed(err) from None
        return Placed(result.call_id, {"request_id": result.request_id}, parties=parties)


def _phone_number(value: str) -> str:
    return validated(value, normalize_phone_number, "invalid_phone_number")


def _number_errors(user_input: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in fields:
        if user_input.get(field):
            try:
                normalize_phone_number(user_input[field])
            except InvalidPhoneNumberError:
                errors[field] = "invalid_phone_number"
    return errors


def _count(maximum: int) -> vol.All:
    return vol.All(
        NumberSelector(NumberSelectorConfig(min=1, max=maximum, mode=NumberSelectorMode.BOX)),
        vol.Coerce(int),
    )


class _VariablesError(TypeError):
    """The variables are not a mapping of names to texts."""


def _message_of(fields: Mapping[str, Any]) -> VoiceMessage:
    """Return the message of an action's or a preset's fields; raise ValueError or TypeError."""
    variables = fields.get(ATTR_VARIABLES) or {}
    if not isinstance(variables, Mapping) or not all(
        isinstance(value, str | int | float) and not isinstance(value, bool)
        for value in variables.values()
    ):
        raise _VariablesError("variables are names with texts")
    return VoiceMessage(
        template=str(fields[ATTR_TEMPLATE]).strip(),
        variables=tuple((str(name), str(value)) for name, value in variables.items()),
        plays=int(fields.get(ATTR_REPEAT) or 1),
        collect_keys=int(fields[ATTR_COLLECT_DIGITS]) if fields.get(ATTR_COLLECT_DIGITS) else None,
    )


def _message_field(err: Exception) -> str:
    """Return the form field a message's error is about."""
    if isinstance(err, _VariablesError):
        return ATTR_VARIABLES
    return ATTR_TEMPLATE


type OneNetConfigEntry = ConfigEntry[OneNetProvider]
