"""The layout holds: which package imports which, and nothing but the registry tells the kinds apart.

Adding a backend means its ``api/<vendor>/``, its ``providers/<kind>/``, its line in the registry,
its steps in the config flow and its translations; these tests fail when code elsewhere starts to
know one provider's insides.
"""

from __future__ import annotations

import ast
from pathlib import Path
import re

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "call_bridge"
API = INTEGRATION / "api"
PROVIDERS = INTEGRATION / "providers"
VENDORS = sorted(path.name for path in API.iterdir() if (path / "__init__.py").exists())
KINDS = sorted(path.name for path in PROVIDERS.iterdir() if (path / "__init__.py").exists())
# The modules of api/ that no vendor owns, and providers/ that no kind owns.
SHARED_API = {"common", "telephony", "legs", "incoming", "stream"}


def module_of(path: Path) -> str:
    """Return a file's module path inside the integration ("providers.yeastar_s.flow")."""
    return ".".join(path.relative_to(INTEGRATION).with_suffix("").parts).removesuffix(".__init__")


def imports(path: Path) -> set[str]:
    """Return the modules a file imports, inside the integration as absolute paths in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_of(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                found.add(".".join([*base, *(node.module.split(".") if node.module else [])]))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def files(under: Path) -> list[Path]:
    return sorted(under.rglob("*.py"))


def test_the_layout() -> None:
    assert VENDORS == ["asterisk", "onenet", "yeastar_p", "yeastar_s"]
    assert KINDS == ["asterisk", "onenet", "yeastar_p", "yeastar_s"]


@pytest.mark.parametrize("path", files(API), ids=module_of)
def test_the_wire_protocols_know_no_home_assistant(path: Path) -> None:
    assert not {name for name in imports(path) if name.startswith("homeassistant")}


@pytest.mark.parametrize("vendor", VENDORS)
def test_a_vendor_package_imports_no_other_vendor(vendor: str) -> None:
    for path in files(API / vendor):
        others = {
            name
            for name in imports(path)
            if name.startswith("api.") and name.split(".")[1] not in {vendor, *SHARED_API}
        }
        assert not others, f"{module_of(path)} imports {others}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_provider_imports_no_other_provider_and_no_other_vendor(kind: str) -> None:
    other_kinds = set(KINDS) - {kind}
    for path in files(PROVIDERS / kind):
        names = imports(path)
        providers = {
            n for n in names if n.startswith("providers.") and n.split(".")[1] in other_kinds
        }
        vendors = {
            n for n in names if n.startswith("api.") and n.split(".")[1] not in {*SHARED_API, kind}
        }
        # Each provider speaks its own vendor's protocol (the kind and vendor share a name).
        assert not providers, f"{module_of(path)} imports another provider: {providers}"
        assert not vendors, f"{module_of(path)} imports another vendor: {vendors}"


def shared_modules() -> list[Path]:
    """The integration's own modules, and the providers' shared ones: none is a kind's."""
    kind_dirs = [PROVIDERS / kind for kind in KINDS]
    return [
        path
        for path in files(INTEGRATION)
        if API not in path.parents and not any(d in path.parents for d in kind_dirs)
    ]


@pytest.mark.parametrize("path", shared_modules(), ids=module_of)
def test_shared_code_knows_no_vendor_and_no_kind(path: Path) -> None:
    names = imports(path)
    vendors = {n for n in names if n.startswith("api.") and n.split(".")[1] in VENDORS}
    kinds = {n for n in names if n.startswith("providers.") and n.split(".")[1] in KINDS}
    allowed: set[str] = set()
    if module_of(path) == "providers":  # the registry
        allowed = {f"providers.{kind}" for kind in KINDS}
    if module_of(path) == "config_flow":  # the flow menu: each kind's steps
        allowed = {f"providers.{kind}.flow" for kind in KINDS}
    assert not vendors, f"{module_of(path)} knows a vendor: {vendors}"
    assert kinds <= allowed, f"{module_of(path)} knows a kind: {kinds - allowed}"


def test_nothing_but_the_registry_asks_an_entry_which_kind_it_is() -> None:
    """The kind-branch count stays 0: the entry type is read in the registry only."""
    branch = re.compile(r"CONF_ENTRY_TYPE|\bentry_type ==|isinstance\([^)]*Provider\b")
    readers = [
        module_of(path)
        for path in shared_modules()
        if branch.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == ["const", "providers"]


def test_the_actions_limits_are_the_providers() -> None:
    """play_message's schema bounds ``repeat`` and ``collect_digits`` as OneNET does."""
    from custom_components.call_bridge.api.onenet.models import (
        MAX_COLLECTED_KEYS,
        MAX_PLAYS,
    )
    from custom_components.call_bridge.const import (
        MAX_COLLECTED_DIGITS,
        MAX_REPEAT,
    )

    assert (MAX_REPEAT, MAX_COLLECTED_DIGITS) == (MAX_PLAYS, MAX_COLLECTED_KEYS)
