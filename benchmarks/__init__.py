"""Benchmarks of Call Bridge: ratios against baselines, measured in one run (scripts/bench)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
import tempfile

from devtools.instance import Instance, running_instance


async def on_a_real_hass[T](
    configuration: str, component: Path, measure: Callable[[Instance], Awaitable[T]]
) -> T:
    """Start the simulator and hass with a benchmark ``component``; return what ``measure`` finds."""
    with tempfile.TemporaryDirectory() as folder:
        async with running_instance(
            Path(folder), configuration, step_delay=60.0, extra_components=(component,)
        ) as instance:
            return await measure(instance)
