"""``python -m devtools.release --version X.Y.Z``: what a GitHub release of Call Bridge carries.

``call_bridge.zip`` (the integration's folder, its files at the archive's root, as HACS unpacks it
into ``custom_components/call_bridge``) and the release's notes (the CHANGELOG's section of that
version). The version must be the manifest's, and the CHANGELOG must have its section: a release
cannot say one version and ship another. Only the standard library: it runs on a bare runner.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import re
import sys
import zipfile

REPO = Path(__file__).resolve().parent.parent
INTEGRATION = REPO / "custom_components" / "call_bridge"
ZIP_NAME = "call_bridge.zip"
NOTES_NAME = "release_notes.md"


class ReleaseError(Exception):
    """The repository is not ready for a release of this version."""


def notes_of(changelog: str, version: str) -> str:
    """Return the CHANGELOG's section of ``version`` (its lines between its heading and the next)."""
    heading = re.compile(rf"^## {re.escape(version)}(?:\s|$).*$", re.MULTILINE)
    found = heading.search(changelog)
    if found is None:
        raise ReleaseError(f"CHANGELOG.md has no section '## {version}'")
    following = re.search(r"^## ", changelog[found.end() :], re.MULTILINE)
    end = found.end() + following.start() if following else len(changelog)
    return changelog[found.end() : end].strip() + "\n"


def integration_files(root: Path) -> list[Path]:
    """Return the integration's files as a release carries them (no caches)."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


def build(version: str, out: Path, repo: Path = REPO) -> tuple[Path, Path]:
    """Write the release's zip and notes into ``out``; return their paths."""
    integration = repo / "custom_components" / "call_bridge"
    manifest = json.loads((integration / "manifest.json").read_text(encoding="utf-8"))
    if manifest["version"] != version:
        raise ReleaseError(f"the manifest says {manifest['version']}, the release {version}")
    notes = notes_of((repo / "CHANGELOG.md").read_text(encoding="utf-8"), version)
    out.mkdir(parents=True, exist_ok=True)
    archive = out / ZIP_NAME
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in integration_files(integration):
            zipped.write(path, path.relative_to(integration).as_posix())
    notes_path = out / NOTES_NAME
    notes_path.write_text(notes, encoding="utf-8")
    return archive, notes_path


def main() -> int:
    """Build the release's files; exit 1, saying why, when the repository is not ready."""
    parser = argparse.ArgumentParser(prog="python -m devtools.release")
    parser.add_argument("--version", required=True, help="the version released, e.g. 0.2.0")
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    try:
        archive, notes = build(args.version.removeprefix("v"), args.out)
    except ReleaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{archive}\n{notes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
