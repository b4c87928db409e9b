"""JSON snapshots that read the same under every supported Home Assistant.

Syrupy's files differ between the plugin versions pinned for 2025.4 and for the newest release, so the
snapshots are plain, sorted JSON. ``UPDATE_SNAPSHOTS=1`` rewrites them; review the diff before committing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(name: str, data: Any) -> None:
    """Compare ``data`` with the stored snapshot ``name``."""
    path = SNAPSHOTS / f"{name}.json"
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"snapshot {name} differs"
