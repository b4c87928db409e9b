"""The OneNET voice provider: click-to-dial calls, and their status posted to the entry's webhook."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Self

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import TextSelector
import voluptuous as vol

from ...api.onenet import (
    InvalidAccessKeyError,
    InvalidPhoneNumberError,
    OneNetAuthError,
    OneNetClient,
    OneNetConnectionError,
    OneNetError,
    OneNetRefusedError,
    normalize_phone_number,
)
from ...const import (
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_DISPLAY,
    ATTR_NOTIFY_URL,
    ATTR_SPONSOR,
    CONF_CLOUDHOOK,
    DOMAIN,
    SERVICE_CLICK_TO_DIAL,
)
from ...webhook import async_callback_url, async_delete_cloudhook, async_register_webhook
from ..base import FlowSteps, Placed, Provider, register_device, validated
from .callbacks import async_handle_callback
from .client import create_onenet_client
from .const import (
    CONF_ACCESS_KEY,
    CONF_DISPLAY,
    CONF_SEND_NOTIFY_URL,
    CONF_SPONSOR,
    DEFAULT_SEND_NOTIFY_URL,
    ENTRY_TYPE,
)

# Each documented code has a message of its own, keyed by the code as OneNET lists them; any
# other is "onenet_code_unknown".
CODE_TRANSLATION_KEYS: Final[dict[str, str]] = {
    "000111": "onenet_code_000111",
    "000001": "onenet_code_000001",
    "000002": "onenet_code_000002",
    "000004": "onenet_code_000004",
    "000005": "onenet_code_000005",
    "000006": "onenet_code_000006",
    "000012": "onenet_code_000012",
    "000014": "onenet_code_000014",
    "000015": "onenet_code_000015",
    "001001": "onenet_code_001001",
    "001005": "onenet_code_001005",
    "001008": "onenet_code_001008",
    "001009": "onenet_code_001009",
    "001010": "onenet_code_001010",
}


@dataclass(frozen=True, slots=True)
class OneNetCall:
    """Call phone ``caller``, then bridge it to ``callee``; the entry's numbers fill the gaps."""

    caller: str
    callee: str
    sponsor: str
    display: str | None
    notify_url: str | None


class OneNetProvider(Provider[OneNetCall]):
    """A OneNET voice application: calls placed by China Mobile, their status posted back."""

    entry_type: ClassVar[str] = ENTRY_TYPE
    platforms: ClassVar[tuple[Platform, ...]] = (Platform.BUTTON, Platform.EVENT)
    actions: ClassVar[frozenset[str]] = frozenset({SERVICE_CLICK_TO_DIAL})
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
    def preset_fields(cls) -> dict[vol.Marker, Any]:
        """Two phone numbers, and optionally the number the callee sees."""
        return {
            vol.Required(ATTR_CALLER): TextSelector(),
            vol.Required(ATTR_CALLEE): TextSelector(),
            vol.Optional(ATTR_DISPLAY): TextSelector(),
        }

    @classmethod
    def preset_errors(cls, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Flag the fields that are not numbers OneNET can call."""
        errors: dict[str, str] = {}
        for field in (ATTR_CALLER, ATTR_CALLEE, ATTR_DISPLAY):
            if user_input.get(field):
                try:
                    normalize_phone_number(user_input[field])
                except InvalidPhoneNumberError:
                    errors[field] = "invalid_phone_number"
        return errors

    def prepare(self, action: str, fields: Mapping[str, Any]) -> OneNetCall:
        """Check the numbers; sponsor and display left out take the entry's."""
        display = fields.get(ATTR_DISPLAY) or self.entry.data.get(CONF_DISPLAY)
        return OneNetCall(
            caller=_phone_number(fields[ATTR_CALLER]),
            callee=_phone_number(fields[ATTR_CALLEE]),
            sponsor=_phone_number(fields.get(ATTR_SPONSOR) or self.entry.data[CONF_SPONSOR]),
            display=_phone_number(display) if display else None,
            notify_url=fields.get(ATTR_NOTIFY_URL),
        )

    async def async_place(self, call: OneNetCall) -> Placed:
        """Ask OneNET to call; its status comes back to this entry's webhook when it can."""
        notify_url = call.notify_url
        if notify_url is None and self.entry.options.get(
            CONF_SEND_NOTIFY_URL, DEFAULT_SEND_NOTIFY_URL
        ):
            notify_url = await async_callback_url(self.hass, self.entry)
        try:
            result = await self.client.click_to_dial(
                call.caller,
                call.callee,
                call.sponsor,
                display=call.display,
                notify_url=notify_url,
            )
        except OneNetError as err:
            raise self._translated(err) from None
        return Placed(
            result.call_id,
            {"request_id": result.request_id},
            parties={ATTR_CALLER: call.caller, ATTR_CALLEE: call.callee},
        )

    def _translated(self, err: OneNetError) -> HomeAssistantError:
        """Translate a OneNET error."""
        refusal = (
            (
                CODE_TRANSLATION_KEYS.get(err.code_no, "onenet_code_unknown"),
                {"code_no": err.code_no, "code": err.code},
            )
            if isinstance(err, OneNetRefusedError)
            else None
        )
        return self.failed(
            err,
            unreachable=isinstance(err, OneNetConnectionError),
            refusal=refusal,
            reauth=isinstance(err, OneNetAuthError),
        )


def _phone_number(value: str) -> str:
    return validated(value, normalize_phone_number, "invalid_phone_number")


type OneNetConfigEntry = ConfigEntry[OneNetProvider]
