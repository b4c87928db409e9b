"""What quality_scale.yaml claims, checked while the tests run.

Some claims are about what the running integration does rather than what its files say: every
form it shows has a description for each field, every error it raises is translated, no entity of
a push integration polls. ``Witness`` watches a test's Home Assistant for what contradicts them;
with full coverage, every form, raise and entity of the integration passes under its eyes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import json
from pathlib import Path
import sys
from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigSubentryFlow, OptionsFlow
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowHandler
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import DATA_ENTITY_PLATFORM
import pytest
import voluptuous as vol
import yaml

from custom_components.call_bridge.const import DOMAIN

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "call_bridge"
TRANSLATIONS = {
    language: json.loads((INTEGRATION / "translations" / f"{language}.json").read_text("utf-8"))
    for language in ("en", "zh-Hans")
}


def claims() -> dict[str, str]:
    """Return each rule's status (``done`` or ``exempt``)."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    return {
        rule: status["status"] if isinstance(status, dict) else status
        for rule, status in rules.items()
    }


def flow_translations(flow: FlowHandler) -> str:
    """Return where a flow's texts are: ``config``, ``options`` or ``config_subentries.<type>``."""
    if isinstance(flow, ConfigSubentryFlow):
        return f"config_subentries.{flow.handler[1]}"
    if isinstance(flow, OptionsFlow):
        return "options"
    assert isinstance(flow, ConfigFlow)
    return "config"


def undescribed_fields(section: str, step_id: str, schema: vol.Schema | None) -> list[str]:
    """Return ``language:section.step.field`` for each field lacking a name or a description."""
    fields = [str(key.schema) for key in schema.schema] if schema is not None else []
    missing = []
    for language, translations in TRANSLATIONS.items():
        texts: Any = translations
        for key in [*section.split("."), "step", step_id]:
            texts = texts.get(key, {})
        names, descriptions = texts.get("data", {}), texts.get("data_description", {})
        missing.extend(
            f"{language}:{section}.{step_id}.{name}"
            for name in fields
            if not names.get(name) or not descriptions.get(name)
        )
    return missing


def raised_here() -> str:
    """Return the module that constructs the error, past its classes' constructors."""
    frame = sys._getframe(2)
    while frame.f_code.co_name == "__init__" and frame.f_back is not None:
        frame = frame.f_back
    return str(frame.f_globals["__name__"])


CLASSLESS_SENSORS = frozenset({"missed_calls"})


@dataclass
class Witness:
    """What a test's Home Assistant did that quality_scale.yaml says it never does."""

    claimed: dict[str, str] = field(default_factory=claims)
    contradictions: list[str] = field(default_factory=list)

    @contextmanager
    def watching(self, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
        """Watch the forms shown and the errors constructed while the block runs."""
        show_form = FlowHandler.async_show_form
        construct = HomeAssistantError.__init__
        witness = self

        def shown(flow: FlowHandler, **kwargs: Any) -> Any:
            if type(flow).__module__.startswith(f"custom_components.{DOMAIN}"):
                witness.saw_form(flow, kwargs.get("step_id"), kwargs.get("data_schema"))
            return show_form(flow, **kwargs)

        def constructed(error: HomeAssistantError, *args: Any, **kwargs: Any) -> None:
            witness.saw_error(raised_here(), kwargs.get("translation_key"), args)
            construct(error, *args, **kwargs)

        monkeypatch.setattr(FlowHandler, "async_show_form", shown)
        monkeypatch.setattr(HomeAssistantError, "__init__", constructed)
        yield

    def saw_form(self, flow: FlowHandler, step_id: str | None, schema: vol.Schema | None) -> None:
        """``config-flow``: each field of each step has a name and a description."""
        if self.claimed["config-flow"] == "done" and step_id is not None:
            for missing in undescribed_fields(flow_translations(flow), step_id, schema):
                self.contradictions.append(f"config-flow: no data_description for {missing}")

    def saw_error(self, module: str, translation_key: str | None, args: tuple[Any, ...]) -> None:
        """``exception-translations``: every error Call Bridge raises names its message."""
        if (
            self.claimed["exception-translations"] == "done"
            and module.startswith(f"custom_components.{DOMAIN}")
            and translation_key is None
        ):
            self.contradictions.append(f"exception-translations: {module} raised {args!r}")

    def saw_entities(self, hass: HomeAssistant) -> None:
        """``appropriate-polling`` (push), ``entity-category`` and ``entity-device-class``."""
        for platform in hass.data.get(DATA_ENTITY_PLATFORM, {}).get(DOMAIN, []):
            for entity in platform.entities.values():
                if entity.should_poll:
                    self.contradictions.append(f"appropriate-polling: {entity.entity_id} polls")
                if self.claimed["entity-category"] == "exempt" and entity.entity_category:
                    self.contradictions.append(
                        f"entity-category: exempt, yet {entity.entity_id} has a category"
                    )
                # Extension sensors have a device class to fit (enum); a count of missed calls
                # has none, nor has an event or a button about a call.
                if (
                    platform.domain == "sensor"
                    and entity.device_class is None
                    and entity.translation_key not in CLASSLESS_SENSORS
                ):
                    self.contradictions.append(
                        f"entity-device-class: {entity.entity_id} has no device class"
                    )
