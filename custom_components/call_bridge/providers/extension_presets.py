"""What every PBX provider shares: presets between extensions, and prompts to an extension."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.selector import BooleanSelector, TextSelector
import voluptuous as vol

from ..api.yeastar_s import (
    InvalidExtensionError,
    InvalidPromptError,
    normalize_extension,
    normalize_prompts,
)
from ..const import ATTR_AUTOANSWER, ATTR_CALLEE, ATTR_CALLER, ATTR_EXTENSION, ATTR_PROMPT, DOMAIN
from .base import validated
from .pbx.const import DEFAULT_AUTOANSWER


class ExtensionPresets:
    """Call presets between two extensions, message presets of prompts played to one."""

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
