"""The repository as HACS and hassfest read it, and the declared minimum Home Assistant."""

from __future__ import annotations

import json
from pathlib import Path
import re
import subprocess
import sys
import tomllib
import zipfile

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import pytest
import yaml

from devtools.release import ZIP_NAME, ReleaseError, build, notes_of

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
        "asterisk_form",
        "asterisk_device",
        "pbx_device",
        "contact_form",
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


def test_the_newest_changelog_section_is_the_manifest_s_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    newest = re.search(r"^## (\S+)", changelog, re.MULTILINE)
    assert newest is not None
    assert newest.group(1) == MANIFEST["version"]


def test_a_release_carries_the_integration_and_its_changelog_section(tmp_path: Path) -> None:
    """What HACS downloads: the integration's files at the zip's root, and nothing else."""
    archive, notes = build(MANIFEST["version"], tmp_path)
    assert archive.name == ZIP_NAME == HACS["filename"]
    assert HACS["zip_release"] is True
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        manifest = json.loads(zipped.read("manifest.json"))
    integration = ROOT / "custom_components" / "call_bridge"
    assert names == {
        path.relative_to(integration).as_posix()
        for path in integration.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert manifest["version"] == MANIFEST["version"]
    assert {"translations/en.json", "translations/zh-Hans.json", "brand/icon.png"} <= names
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert notes.read_text(encoding="utf-8") == notes_of(changelog, MANIFEST["version"])
    assert notes.read_text(encoding="utf-8").startswith("- ")
    assert "## " not in notes.read_text(encoding="utf-8")


def test_a_release_cannot_say_one_version_and_ship_another(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="the manifest says"):
        build("9.9.9", tmp_path)
    assert not (tmp_path / ZIP_NAME).exists()
    with pytest.raises(ReleaseError, match="no section '## 0.1.1'"):
        notes_of("# Changelog\n\n## 0.2.0\n\n- x\n\n## 0.1.0\n\n- y\n", "0.1.1")
    assert notes_of("## 0.2.0\n\n- x\n\n## 0.1.0\n\n- y\n", "0.1.0") == "- y\n"


def test_a_tag_publishes_a_tested_release() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key "on" as true
    assert workflow["permissions"] == {"contents": "write"}
    runs = [step.get("run", "") for step in workflow["jobs"]["release"]["steps"]]
    tests = runs.index("scripts/test")
    builds = next(i for i, run in enumerate(runs) if "devtools.release" in run)
    publishes = next(i for i, run in enumerate(runs) if "gh release create" in run)
    assert tests < builds < publishes
    assert f"dist/{ZIP_NAME}" in runs[publishes]
    assert "--notes-file dist/release_notes.md" in runs[publishes]


def test_the_release_tool_runs_as_the_workflow_runs_it(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "devtools.release", "--out", str(tmp_path)]
    done = subprocess.run(
        [*command, "--version", f"v{MANIFEST['version']}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / ZIP_NAME).is_file()
    refused = subprocess.run(
        [*command, "--version", "v0.0.1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert refused.returncode == 1
    assert refused.stderr == f"error: the manifest says {MANIFEST['version']}, the release 0.0.1\n"
