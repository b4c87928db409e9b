"""quality_scale.yaml names every rule up to platinum, and the code does what it claims.

Claims about the running integration (forms, raised errors, entities) are checked by the witness
every test runs under (tests/claims.py); these check the claims the files can tell, and that the
witness can fail.
"""

from __future__ import annotations

from importlib import import_module
import json
from pathlib import Path
import re
import tomllib
from types import SimpleNamespace
from typing import Any

from homeassistant.config_entries import ConfigFlow
from homeassistant.const import EntityCategory
import pytest
import voluptuous as vol
import yaml

from custom_components.call_bridge.config_flow import CallBridgeConfigFlow
from custom_components.call_bridge.providers import PROVIDERS

from .claims import Witness, claims

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "call_bridge"
MANIFEST = json.loads((INTEGRATION / "manifest.json").read_text())
QUALITY_SCALE = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
CLAIMED = claims()

RULES = {
    "bronze": [
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow-test-coverage",
        "config-flow",
        "dependency-transparency",
        "docs-actions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
        "docs-conditions",
        "docs-triggers",
    ],
    "silver": [
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ],
    "gold": [
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ],
    "platinum": ["async-dependency", "inject-websession", "strict-typing"],
}


def test_every_rule_is_done_or_exempt_with_a_reason() -> None:
    rules = QUALITY_SCALE
    expected = {rule for tier in RULES.values() for rule in tier}
    assert set(rules) == expected
    for rule, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] in ("done", "exempt"), rule
            assert status.get("comment", "").strip() or status["status"] == "done", rule
        else:
            assert status == "done", rule


def comment(rule: str) -> str:
    status = QUALITY_SCALE[rule]
    return str(status.get("comment", "")) if isinstance(status, dict) else ""


def test_dependency_transparency_names_every_requirement() -> None:
    requirements = [req.split("==")[0] for req in MANIFEST.get("requirements", [])]
    assert CLAIMED["dependency-transparency"] == ("done" if requirements else "exempt")
    for requirement in requirements:
        assert requirement in comment("dependency-transparency"), requirement


def test_every_platform_sets_parallel_updates() -> None:
    assert CLAIMED["parallel-updates"] == "done"
    platforms = {platform for provider in PROVIDERS.values() for platform in provider.platforms}
    for platform in platforms:
        module = import_module(f"custom_components.call_bridge.{platform.value}")
        assert isinstance(getattr(module, "PARALLEL_UPDATES", None), int), platform


def test_discovery_is_declared_and_handled() -> None:
    assert CLAIMED["discovery"] == CLAIMED["discovery-update-info"] == "done"
    prefixes = {matcher.get("macaddress") for matcher in MANIFEST["dhcp"]}
    assert {"F4B549*", "A09805*"} <= prefixes
    assert {"registered_devices": True} in MANIFEST["dhcp"]
    assert CallBridgeConfigFlow.async_step_dhcp is not ConfigFlow.async_step_dhcp
    assert "zeroconf" not in MANIFEST
    assert "ssdp" not in MANIFEST
    assert "zeroconf or SSDP" in comment("discovery")


def test_every_kind_of_entry_reauthenticates_and_reconfigures() -> None:
    assert CLAIMED["reauthentication-flow"] == CLAIMED["reconfiguration-flow"] == "done"
    for provider in PROVIDERS.values():
        for step in (provider.flow_steps.reauth, provider.flow_steps.reconfigure):
            assert callable(getattr(CallBridgeConfigFlow, f"async_step_{step}", None)), step


def test_what_the_files_can_tell() -> None:
    integration = "\n".join(path.read_text() for path in INTEGRATION.rglob("*.py"))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert CLAIMED["strict-typing"] == "done"
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert "mypy" in (ROOT / "scripts" / "test").read_text()
    assert CLAIMED["entity-disabled-by-default"] == "done"
    assert "_attr_entity_registry_enabled_default" in integration
    assert CLAIMED["repair-issues"] == "done"
    assert "ir.async_create_issue" in integration
    assert CLAIMED["diagnostics"] == "done"
    assert "async def async_get_config_entry_diagnostics" in integration
    assert CLAIMED["integration-owner"] == "done"
    assert MANIFEST["codeowners"]
    assert CLAIMED["brands"] == "done"
    assert (INTEGRATION / "brand" / "icon.png").is_file()
    assert CLAIMED["icon-translations"] == "done"
    assert json.loads((INTEGRATION / "icons.json").read_text())["services"]
    assert MANIFEST["iot_class"] == "local_push"


README_SECTIONS = {
    "docs-actions": "## Actions",
    "docs-data-update": "## How Home Assistant learns how a call goes",
    "docs-installation-instructions": "## Installation",
    "docs-installation-parameters": "## Setting up a PBX",
    "docs-configuration-parameters": "## Options",
    "docs-known-limitations": "## Known limitations",
    "docs-removal-instructions": "## Removing Call Bridge",
    "docs-troubleshooting": "## Troubleshooting",
}


@pytest.mark.parametrize("rule", sorted(README_SECTIONS))
def test_documentation_claims_have_their_section(rule: str) -> None:
    assert CLAIMED[rule] == "done"
    heading = re.escape(README_SECTIONS[rule])
    assert re.search(rf"^{heading}$", (ROOT / "README.md").read_text(), re.MULTILINE)


class StepsOfCallBridge(CallBridgeConfigFlow):
    """A flow of Call Bridge's, as the witness sees it."""


def test_the_witness_sees_an_undescribed_field() -> None:
    witness = Witness()
    flow = StepsOfCallBridge()
    witness.saw_form(flow, "yeastar_p", vol.Schema({vol.Required("host"): str}))
    assert witness.contradictions == []
    witness.saw_form(flow, "yeastar_p", vol.Schema({vol.Required("serial"): str}))
    assert witness.contradictions == [
        "config-flow: no data_description for en:config.yeastar_p.serial",
        "config-flow: no data_description for zh-Hans:config.yeastar_p.serial",
    ]


def test_the_witness_sees_an_untranslated_error() -> None:
    witness = Witness()
    witness.saw_error("homeassistant.core", None, ("Home Assistant's own",))
    witness.saw_error("custom_components.call_bridge.services", "no_entry", ())
    assert witness.contradictions == []
    witness.saw_error("custom_components.call_bridge.calls", None, ("plain",))
    assert witness.contradictions == [
        "exception-translations: custom_components.call_bridge.calls raised ('plain',)"
    ]


def test_the_witness_sees_a_polling_categorised_or_classless_entity() -> None:
    entity: Any = SimpleNamespace(
        entity_id="sensor.pbx_extension_101",
        should_poll=True,
        entity_category=EntityCategory.DIAGNOSTIC,
        device_class=None,
        translation_key="extension",
    )
    platform = SimpleNamespace(domain="sensor", entities={entity.entity_id: entity})
    hass: Any = SimpleNamespace(data={"entity_platform": {"call_bridge": [platform]}})
    witness = Witness()
    witness.saw_entities(hass)
    assert witness.contradictions == [
        "appropriate-polling: sensor.pbx_extension_101 polls",
        "entity-category: exempt, yet sensor.pbx_extension_101 has a category",
        "entity-device-class: sensor.pbx_extension_101 has no device class",
    ]
