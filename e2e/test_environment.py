"""The environment a real hass runs in: what its frontend needs, pinned as Home Assistant pins it."""

from __future__ import annotations

import json
from pathlib import Path
import re

from homeassistant import components
from homeassistant.const import __version__ as ha_version

ROOT = Path(__file__).parent.parent
# Home Assistant pins versions of these with no wheels for Python 3.14; newer ones are installed.
DELIBERATELY_NEWER = {"pymicro-vad", "pyspeex-noise"}


def pins(path: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in found}


def requirements_of_this_environment() -> dict[str, str]:
    newest = pins(ROOT / "requirements_newest.txt")
    if newest["homeassistant"] == ha_version:
        return newest
    return pins(ROOT / "requirements_test.txt")


def test_packages_are_pinned_as_home_assistant_pins_them() -> None:
    manifests: dict[str, str] = {}
    for manifest in Path(components.__file__).parent.glob("*/manifest.json"):
        for requirement in json.loads(manifest.read_text()).get("requirements", []):
            name, _, version = requirement.partition("==")
            manifests[name.lower()] = version
    ours = requirements_of_this_environment()
    checked = {name for name in ours if name in manifests} - DELIBERATELY_NEWER
    assert len(checked) >= 8, checked
    for name in checked:
        assert ours[name] == manifests[name], f"{name}: {ours[name]} here, {manifests[name]} in HA"
