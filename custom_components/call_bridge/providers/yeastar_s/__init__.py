"""The IP PBX provider (OpenVox UC, Yeastar S-Series): extension calls and prompts, polled."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
from typing import Any, ClassVar, Final, Self
import uuid

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    CONF_HOST,
    CONF_PASSWORD,
    CONF_PORT,
    CONF_SSL,
    CONF_TOKEN,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryNotReady,
    HomeAssistantError,
    ServiceValidationError,
)

from ...api.common import ApiError
from ...api.yeastar_s import (
    PbxAuthError,
    PbxError,
    PbxLockedOutError,
    PbxLoginRefusedError,
    extension_state,
)
from ...api.yeastar_s.follow import CallFollower
from ...api.yeastar_s.incoming import IncomingFollower
from ...api.yeastar_s.models import DEFAULT_PORT, OPENVOX_MAC_PREFIX, YEASTAR_MAC_PREFIX
from ...const import (
    ATTR_CALL_ID,
    ATTR_CALLEE,
    ATTR_CALLER,
    ATTR_EXTENSION,
    ATTR_PROMPT,
    DOMAIN,
    SERVICE_HANGUP,
    SERVICE_PLAY_MESSAGE,
    SUBENTRY_TYPE_MESSAGE,
)
from ...webhook import async_register_webhook
from ..base import FlowSteps, Placed, Provider, register_device
from ..pbx_parts import (
    Followed,
    PbxParts,
    autoanswer_of,
    extension,
    parties_of,
    prompt_of,
)
from .client import create_pbx_client
from .const import CONF_API_VERSION, ENTRY_TYPE
from .coordinator import PbxCoordinator
from .errors import entry_error, locked_out
from .refusals import async_refused_logins, remember_refusal
from .reports import address_of, async_handle_report

# What a PBX that DHCP found fills in the form, by its vendor's MAC prefix.
DISCOVERED_FORMS: Final[dict[str, dict[str, Any]]] = {
    OPENVOX_MAC_PREFIX: {CONF_API_VERSION: "v0.0.1", CONF_PORT: DEFAULT_PORT},
    YEASTAR_MAC_PREFIX: {CONF_API_VERSION: "v1.1.0", CONF_PORT: 8088, CONF_SSL: True},
}


@dataclass(frozen=True, slots=True)
class PbxCall:
    """Ring extension ``caller``, then ``callee``: another extension, or an outside number."""

    caller: str
    callee: str
    autoanswer: bool
    outbound: bool = False


@dataclass(frozen=True, slots=True)
class PbxHangup:
    """End the call ``extension`` is in (``call_id``: the call that was asked for, if any)."""

    extension: str
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class PbxPrompt:
    """Ring ``extension`` and play System Recordings to it, in order."""

    extension: str
    prompts: tuple[str, ...]
    autoanswer: bool


type PbxRequest = PbxCall | PbxHangup | PbxPrompt


class PbxProvider(PbxParts, Provider[PbxRequest]):
    """An IP PBX on the local network, reached with an API token or an API user."""

    entry_type: ClassVar[str] = ENTRY_TYPE
    flow_steps: ClassVar[FlowSteps] = FlowSteps(
        reauth="pbx_reauth", reconfigure="pbx_reconfigure", options="pbx_options"
    )
    secrets: ClassVar[frozenset[str]] = frozenset({CONF_TOKEN, CONF_USERNAME, CONF_PASSWORD})

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PbxConfigEntry,
        device_id: str,
        coordinator: PbxCoordinator,
        serial: str | None,
    ) -> None:
        """Keep the coordinator, and with it the client; the extensions' states start polled."""
        super().__init__(hass, entry, device_id)
        self.coordinator = coordinator
        self.client = coordinator.client
        self.serial = serial
        # The PBX's addresses, from which alone reports are taken (found when reports start).
        self.pbx_addresses: frozenset[str] = frozenset()
        self.follower = CallFollower(ENTRY_TYPE)
        self.incoming = IncomingFollower(ENTRY_TYPE)
        self._polled()

    @classmethod
    async def async_setup(cls, hass: HomeAssistant, entry: ConfigEntry[Any]) -> Self:
        """Identify the PBX (which logs in), register its device and start polling it."""
        client = create_pbx_client(hass, entry.data, entry.options)
        host = entry.data[CONF_HOST]
        refused = await async_refused_logins(hass)
        if refused.errno(client.login_fingerprint) is not None:
            # Refused before, by this PBX, for these very credentials: trying again only counts
            # towards its lockout. New credentials (reauthentication) set the entry up again.
            raise entry_error(ConfigEntryAuthFailed, "pbx_auth_failed", host)
        try:
            info = await client.identify()
        except PbxAuthError as err:
            if isinstance(err, PbxLoginRefusedError):
                refused.remember(client.login_fingerprint, err.errno)
            raise entry_error(ConfigEntryAuthFailed, "pbx_auth_failed", host) from err
        except PbxLockedOutError as err:
            # The credentials may be right: the lockout lifts by itself, and setup is retried.
            raise locked_out(ConfigEntryNotReady, host) from err
        except PbxError as err:
            raise entry_error(ConfigEntryNotReady, "pbx_not_ready", host) from err
        coordinator = PbxCoordinator(hass, entry, client)
        await coordinator.async_config_entry_first_refresh()
        device_id = register_device(
            hass,
            entry,
            manufacturer=client.manufacturer,
            model=info.model if info else None,
            sw_version=info.firmware_version if info else None,
            hw_version=info.hardware_version if info else None,
            serial_number=info.serial if info else None,
        )
        provider = cls(hass, entry, device_id, coordinator, info.serial if info else None)
        # Polled even while no entity listens: the heartbeat keeps the token alive.
        entry.async_on_unload(coordinator.async_add_listener(provider._polled))
        return provider

    async def async_start(self) -> None:
        """Take the PBX's reports, when it was told where to send them (API users only)."""
        await super().async_start()
        if not self.client.reports:
            return
        self.pbx_addresses = await _addresses(self.hass, self.entry.data[CONF_HOST])
        # The PBX posts from the local network.
        async_register_webhook(
            self.hass,
            self.entry,
            lambda request: async_handle_report(self, request),
            local_only=True,
        )

    @callback
    def _polled(self) -> None:
        """Take the extensions and their states from the PBX's list, when the poll read one."""
        if self.coordinator.last_update_success:
            self.extensions.listed(
                {
                    number: extension_state(listed.status)
                    for number, listed in (self.coordinator.data or {}).items()
                }
            )
        self.availability_changed()

    @classmethod
    def discovered_form(cls, mac_prefix: str) -> dict[str, Any] | None:
        """OpenVox's MAC prefix is an OpenVox UC; Yeastar's may be an S-Series (its web port)."""
        return DISCOVERED_FORMS.get(mac_prefix)

    @classmethod
    def migrated_data(cls, data: Mapping[str, Any]) -> dict[str, Any]:
        """Entries of 0.1.x get a webhook for the PBX's reports."""
        return {CONF_WEBHOOK_ID: webhook.async_generate_id()} | dict(data)

    async def async_unload(self) -> None:
        """End the PBX session this entry logged in."""
        await self.client.close()

    @property
    def reports_call_status(self) -> bool:
        """Whether the PBX reports its calls to this entry (API users only)."""
        return self.client.reports

    def collects_keys(self, subentry_type: str, data: Mapping[str, Any]) -> bool:
        """Return whether a prompt is followed: its keys come as the PBX's DTMF reports, if sent."""
        return subentry_type == SUBENTRY_TYPE_MESSAGE and self.client.reports

    def prepare(self, action: str, fields: Mapping[str, Any]) -> PbxRequest:
        """Check the extensions and numbers; ``autoanswer`` left out takes the entry's option."""
        if action == SERVICE_HANGUP:
            return self._hangup_of(fields)
        autoanswer = autoanswer_of(self.entry, fields)
        if action == SERVICE_PLAY_MESSAGE:
            return self._prompt_of(fields, autoanswer)
        caller, callee, outbound = parties_of(action, fields)
        return PbxCall(caller, callee, autoanswer, outbound)

    def _prompt_of(self, fields: Mapping[str, Any], autoanswer: bool) -> PbxPrompt:
        """Return the prompts asked for, to an extension."""
        self.require(fields, ATTR_EXTENSION, ATTR_PROMPT)
        return PbxPrompt(*prompt_of(fields), autoanswer)

    def _hangup_of(self, fields: Mapping[str, Any]) -> PbxHangup:
        """Return the hangup asked for: by extension, or by a call id this entry placed (its caller)."""
        call_id = fields.get(ATTR_CALL_ID)
        if call_id is None:
            return PbxHangup(extension(fields[ATTR_EXTENSION]))
        recent = self.calls.recent_calls.get(call_id)
        if recent is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="unknown_call",
                translation_placeholders={"call_id": call_id, "entry_title": self.entry.title},
            )
        return PbxHangup(recent[ATTR_CALLER], call_id)

    async def async_place(self, call: PbxRequest) -> Placed:
        """Ring the caller, then the callee; or end an extension's call."""
        try:
            if isinstance(call, PbxHangup):
                await self.client.hangup(call.extension)
                return Placed(call.call_id)
            if isinstance(call, PbxPrompt):
                # One extension is rung: it is both parties of the call.
                caller = callee = call.extension
                outbound = False
                pbx_callid = await self.client.play_prompt(
                    call.extension, call.prompts, autoanswer=call.autoanswer
                )
            else:
                caller, callee, outbound = call.caller, call.callee, call.outbound
                dial = self.client.dial_outbound if outbound else self.client.dial_extension
                pbx_callid = await dial(caller, callee, autoanswer=call.autoanswer)
        except PbxError as err:
            raise self.failed(err) from None
        if not self.client.reports:
            return Placed(pbx_callid, parties={ATTR_CALLER: caller, ATTR_CALLEE: callee})
        # Followed through the reports: it needs an id, the PBX's or one of Call Bridge's.
        call_id = pbx_callid or f"call_bridge_{uuid.uuid4().hex}"
        followed = Followed(caller, callee, isinstance(call, PbxPrompt), outbound, pbx_callid)
        self.follow_again(call_id, followed.stored())
        return Placed(
            call_id, parties={ATTR_CALLER: caller, ATTR_CALLEE: callee}, follow=followed.stored()
        )

    def follow_again(self, call_id: str, follow: dict[str, Any]) -> None:
        """Follow a call through the reports, from when it is placed or after a reload."""
        if (followed := Followed.from_stored(follow)) is not None:
            self.follower.start(
                call_id,
                followed.pbx_callid,
                followed.caller,
                followed.callee,
                outbound=followed.outbound,
                one_party=followed.one_party,
            )

    def failed(self, err: ApiError) -> HomeAssistantError:
        """Remember a refused login, so that it is not tried again; then as every provider."""
        if isinstance(err, PbxLoginRefusedError):
            remember_refusal(self.hass, self.client.login_fingerprint, err.errno)
        return super().failed(err)

    @property
    def available(self) -> bool:
        """Whether the PBX answered the last poll or action."""
        return self.coordinator.last_update_success

    def reachable(self) -> None:
        """Poll at once after an outage: an action got an answer."""
        if not self.coordinator.last_update_success:
            self.entry.async_create_background_task(
                self.hass, self.coordinator.async_request_refresh(), "call_bridge PBX poll"
            )

    def unreachable(self, err: Exception) -> None:
        """Mark the PBX's entities unavailable until it answers again: an action got no answer."""
        self.coordinator.async_set_update_error(err)

    def diagnostics(self) -> dict[str, Any]:
        """How many extensions the PBX lists, whether it answered the last poll, if it reports."""
        return {
            "extensions": len(self.extensions.states),
            "last_poll_succeeded": self.coordinator.last_update_success,
            "reports": self.client.reports,
        }


async def _addresses(hass: HomeAssistant, host: str) -> frozenset[str]:
    """Return the addresses of the PBX's host; none when it does not resolve (then no report counts)."""
    try:
        return frozenset({str(ipaddress.ip_address(host))})
    except ValueError:
        pass
    try:
        infos = await hass.loop.getaddrinfo(host, None)
    except OSError:
        return frozenset()
    return frozenset(
        address for info in infos if (address := address_of(str(info[4][0]))) is not None
    )


type PbxConfigEntry = ConfigEntry[PbxProvider]
