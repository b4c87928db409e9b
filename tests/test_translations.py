"""Translations: every key the code uses exists in English, and Chinese has every English key."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
import yaml

from custom_components.call_bridge.api.asterisk.errors import (
    REFUSALS as ASTERISK_REFUSALS,
    UNDOCUMENTED_REFUSAL as ASTERISK_UNDOCUMENTED,
)
from custom_components.call_bridge.api.onenet import CODES
from custom_components.call_bridge.api.onenet.errors import (
    UNDOCUMENTED_REFUSAL as ONENET_UNDOCUMENTED,
)
from custom_components.call_bridge.api.onenet.generations import GENERATION_2_CODES
from custom_components.call_bridge.api.onenet.models import refusal_key
from custom_components.call_bridge.api.yeastar_p.models import (
    REFUSALS,
    UNDOCUMENTED_REFUSAL as P_SERIES_UNDOCUMENTED,
)
from custom_components.call_bridge.api.yeastar_s import ERRNO_MEANINGS
from custom_components.call_bridge.providers import PROVIDERS
from custom_components.call_bridge.services import SCHEMAS

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "call_bridge"
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
ZH = json.loads((INTEGRATION / "translations" / "zh-Hans.json").read_text(encoding="utf-8"))
CODE = "\n".join(path.read_text(encoding="utf-8") for path in INTEGRATION.rglob("*.py"))


def leaves(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat |= leaves(value, path)
        else:
            flat[path] = value
    return flat


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_chinese_is_complete() -> None:
    en, zh = leaves(EN), leaves(ZH)
    assert sorted(set(en) - set(zh)) == []
    assert sorted(set(zh) - set(en)) == []
    for key, text in en.items():
        assert placeholders(zh[key]) == placeholders(text), key
        assert zh[key].strip(), key


def refusal_keys() -> set[str]:
    """The key of every refusal each vendor's table names, and of each vendor's "undocumented"."""
    keys = {f"pbx_errno_{errno}" for errno in ERRNO_MEANINGS} | {"pbx_errno_unknown"}
    keys |= set(REFUSALS.values()) | {P_SERIES_UNDOCUMENTED}
    keys |= set(ASTERISK_REFUSALS.values()) | {ASTERISK_UNDOCUMENTED}
    keys |= {refusal_key(code) for code in [*CODES, *GENERATION_2_CODES.values()]}
    return keys | {ONENET_UNDOCUMENTED}


def exception_keys_in_code() -> set[str]:
    """Every key the code names: each is written out whole (or read from a vendor's table)."""
    keys = set(re.findall(r'translation_key="([a-z0-9_]+)"', CODE))
    keys -= {"call_status", "preset"}  # entity translation keys
    keys |= set(re.findall(r'error\(\s*"([a-z0-9_]+)"', CODE))
    keys |= set(re.findall(r'entry_error\(\s*\w+,\s*"([a-z0-9_]+)"', CODE))
    fallbacks = {"no_entry", "several_entries"}
    fallbacks |= {"invalid_extension", "invalid_phone_number", "invalid_outside_number"}
    assert all(f'"{key}"' in CODE for key in fallbacks)
    return keys | fallbacks | refusal_keys()


def test_every_documented_code_has_its_message() -> None:
    assert refusal_keys() <= set(EN["exceptions"])
    assert "translation_key=f" not in CODE


def test_every_exception_key_exists() -> None:
    assert exception_keys_in_code() - set(EN["exceptions"]) == set()
    assert set(EN["exceptions"]) - exception_keys_in_code() == set(), "unused exception messages"


def test_flow_errors_aborts_and_steps_exist() -> None:
    errors = set(re.findall(r'"base": "([a-z_]+)"', CODE)) | set(
        re.findall(r': "(invalid_[a-z_]+)"\}', CODE)
    )
    assert errors - set(EN["config"]["error"]) == set()
    for reason in re.findall(r'reason="([a-z_]+)"', CODE) + re.findall(
        r'"(re\w+_successful)"', CODE
    ):
        assert reason in EN["config"]["abort"]
    steps = {"user", "discovered"}
    for entry_type, provider in PROVIDERS.items():
        steps |= {entry_type, provider.flow_steps.reauth, provider.flow_steps.reconfigure}
    assert set(EN["config"]["step"]) == steps
    assert set(EN["options"]["step"]) == {
        provider.flow_steps.options for provider in PROVIDERS.values()
    }
    assert "{webhook_url}" in EN["config"]["create_entry"]["onenet"]
    assert "{webhook_url}" in EN["options"]["step"]["onenet_options"]["description"]


ACTIONS = yaml.safe_load((INTEGRATION / "services.yaml").read_text())


def test_services_yaml_lists_every_action() -> None:
    assert set(ACTIONS) == {
        *SCHEMAS,
        "call_until_answered",
        "get_call_history",
        "clear_missed_calls",
    }


@pytest.mark.parametrize("service", sorted(ACTIONS))
def test_every_action_and_field_is_named_and_described(service: str) -> None:
    """The action picker shows these names; services.yaml leaves them to the translations."""
    for language in (EN, ZH):
        action = language["services"][service]
        assert action["name"]
        assert action["description"]
        assert set(ACTIONS[service]["fields"]) == set(action["fields"])
        for field in action["fields"].values():
            assert field["name"]
            assert field["description"]


def test_icons_cover_every_action_and_entity() -> None:
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert set(icons["services"]) == {
        *SCHEMAS,
        "call_until_answered",
        "get_call_history",
        "clear_missed_calls",
    }
    states = set(icons["entity"]["event"]["call_status"]["state_attributes"]["event_type"]["state"])
    assert states == set(
        EN["entity"]["event"]["call_status"]["state_attributes"]["event_type"]["state"]
    )


def test_every_documented_p_series_presence_is_named() -> None:
    # The presence values of extension/list and event 30009 (reference yeastar-p-series.md 4.2).
    documented = {"available", "away", "business_trip", "do_not_disturb", "lunch", "off_work"}
    for translations in (EN, ZH):
        presence = translations["entity"]["sensor"]["extension"]["state_attributes"]["presence"]
        assert set(presence["state"]) == documented


URL = re.compile(r"(https?|ftps?|mqtts?)://|www\.", re.IGNORECASE)
HTML = re.compile(r"<[a-zA-Z/][^>]*>")
KEY = re.compile(r"^(?![_-])(?!.*[_-]{2})[a-z0-9_-]+(?<![_-])$")


@pytest.mark.parametrize("translations", [EN, ZH], ids=["en", "zh-Hans"])
def test_values_follow_hassfest_rules(translations: dict[str, Any]) -> None:
    """hassfest refuses URLs, HTML, padded strings and odd placeholders in translations."""
    for key, text in leaves(translations).items():
        assert not URL.search(text), f"{key}: URLs belong in placeholders"
        assert not HTML.search(text), key
        assert text == text.strip(), key
        assert not re.search(r"'\{\w+\}'", text), f"{key}: placeholder in single quotes"
        for name in re.findall(r"\{([^}]*)\}", text):
            assert name.isidentifier(), key


@pytest.mark.parametrize("translations", [EN, ZH], ids=["en", "zh-Hans"])
def test_flow_shapes_follow_hassfest_rules(translations: dict[str, Any]) -> None:
    flows = [
        translations["config"],
        translations["options"],
        *translations["config_subentries"].values(),
    ]
    for flow in flows:
        for step in flow["step"].values():
            assert set(step.get("data_description", {})) <= set(step.get("data", {}))
    for subentry in translations["config_subentries"].values():
        assert subentry["entry_type"]
        assert subentry["initiate_flow"]["user"]
    for selector in translations["selector"].values():
        assert all(KEY.match(option) for option in selector["options"])
    assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in translations["exceptions"])
    for issue in translations["issues"].values():
        assert issue["title"]
        assert issue["description"]
