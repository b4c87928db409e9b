"""The repository as HACS and hassfest read it, and the declared minimum Home Assistant."""

from __future__ import annotations

import json
from pathlib import Path
import re
import tomllib

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import yaml

ROOT = Path(__file__).parent.parent
MANIFEST = json.loads((ROOT / "custom_components/call_bridge/manifest.json").read_text())
HACS = json.loads((ROOT / "hacs.json").read_text())


def test_manifest_as_hassfest_wants_it() -> None:
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert MANIFEST["domain"] == "call_bridge"
    assert MANIFEST["name"] == "Call Bridge"
    assert MANIFEST["dependencies"] == ["network", "webhook"]
    assert MANIFEST["after_dependencies"] == ["cloud"]
    assert MANIFEST["integration_type"] == "hub"
    assert MANIFEST["config_flow"] is True
    for key in ("documentation", "issue_tracker"):
        assert MANIFEST[key].startswith("https://")
    assert MANIFEST["codeowners"]


def test_requirements_are_pinned_and_installed_for_every_environment() -> None:
    """hass runs the end-to-end tests with --skip-pip: each environment installs them itself."""
    assert MANIFEST["requirements"]
    for requirement in MANIFEST["requirements"]:
        assert re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", requirement), requirement
        for environment in ("test", "test_min", "newest"):
            assert requirement in (ROOT / f"requirements_{environment}.txt").read_text()


def test_one_version_everywhere() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert MANIFEST["version"] == pyproject["project"]["version"]


def test_running_home_assistant_is_supported() -> None:
    """Each suite runs on a supported release; the 2025.4 suite proves the declared minimum."""
    minimum = AwesomeVersion(HACS["homeassistant"])
    assert minimum == "2025.4.0"
    assert AwesomeVersion(ha_version) >= minimum


def test_brand_and_licence() -> None:
    assert (ROOT / "custom_components/call_bridge/brand/icon.png").read_bytes()[
        :8
    ] == b"\x89PNG\r\n\x1a\n"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert set(HACS) <= {
        "name",
        "homeassistant",
        "country",
        "hacs",
        "render_readme",
        "zip_release",
        "filename",
    }


def test_readme_gives_the_two_commands_and_ci_runs_the_tests() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/develop" in readme
    assert "scripts/test" in readme
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
    for image in (
        "integration_page",
        "config_flow_menu",
        "pbx_form",
        "onenet_options",
        "onenet_device",
        "logbook",
        "preset_form",
        "blueprints",
        "blueprint_automation",
        "message_preset_form",
        "alarm_trace",
    ):
        assert f"docs/images/{image}.png" in readme
        assert (ROOT / "docs" / "images" / f"{image}.png").exists()
    assert "README.zh-Hans.md" in readme


def test_chinese_readme_covers_everything_the_english_one_does() -> None:
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = (ROOT / "README.zh-Hans.md").read_text(encoding="utf-8")

    def code(text: str) -> set[str]:
        return set(re.findall(r"`([^`\n]+)`", text))

    def count(pattern: str, text: str) -> int:
        return len(re.findall(pattern, text, re.MULTILINE))

    assert code(english) - code(chinese) == set()
    assert set(re.findall(r"docs/images/\w+\.png", english)) == set(
        re.findall(r"docs/images/\w+\.png", chinese)
    )
    for pattern in (r"^## ", r"^### ", r"^\|", r"^```"):
        assert count(pattern, english) == count(pattern, chinese), pattern


def test_a_misreading_reaches_us_with_what_the_far_side_sent() -> None:
    """The issue template a user follows when a real PBX or OneNET is misread."""
    template = yaml.safe_load(
        (ROOT / ".github" / "ISSUE_TEMPLATE" / "misread.yml").read_text(encoding="utf-8")
    )
    fields = {field["id"]: field for field in template["body"] if "id" in field}
    assert fields["diagnostics"]["validations"]["required"] is True
    assert "Yeastar P-Series" in fields["provider"]["attributes"]["options"]
    for readme in ("README.md", "README.zh-Hans.md"):
        assert template["name"] in (ROOT / readme).read_text(encoding="utf-8")
