"""Start and stop a real ``hass`` process whose configuration folder links this repository's code."""

from __future__ import annotations

import asyncio
from contextlib import suppress
import json
from pathlib import Path
import shutil
import socket
import sys
from typing import TextIO

from aiohttp import ClientError, ClientSession, ClientTimeout

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


STARTUP_TIMEOUT = 180.0


def prepare_config_folder(
    config_dir: Path, port: int, extra_components: tuple[Path, ...] = ()
) -> None:
    """Link Call Bridge from the repository, import its blueprint; keep the instance on loopback.

    Onboarding's location step sets up integrations that reach the internet (weather, radio, text
    to speech): every step but the owner's is marked done. The HTTP server listens on loopback
    only; since Home Assistant 2026.10 its settings live in storage, not in configuration.yaml
    (which raises a repair), and a store of the first format is migrated from at start-up.
    """
    for source in (REPO / "custom_components" / "call_bridge", *extra_components):
        integration = config_dir / "custom_components" / source.name
        integration.parent.mkdir(parents=True, exist_ok=True)
        if not integration.is_symlink():
            integration.symlink_to(source, target_is_directory=True)
    # Copied, as a user imports it: Home Assistant lists blueprints with a glob that does not
    # descend into linked folders.
    blueprints = config_dir / "blueprints" / "automation" / "call_bridge"
    if blueprints.is_symlink():
        blueprints.unlink()
    shutil.copytree(
        REPO / "blueprints" / "automation" / "call_bridge", blueprints, dirs_exist_ok=True
    )
    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    for key, version, data in (
        ("onboarding", 4, {"done": ["core_config", "analytics", "integration"]}),
        ("http", 1, {"server_host": ["127.0.0.1"], "server_port": port}),
    ):
        if not (storage / key).exists():
            (storage / key).write_text(
                json.dumps({"version": version, "minor_version": 1, "key": key, "data": data})
            )


class HomeAssistantProcess:
    """One ``hass`` process on loopback; its output goes to ``home-assistant.out`` in the config folder."""

    def __init__(
        self, config_dir: Path, port: int, extra_components: tuple[Path, ...] = ()
    ) -> None:
        """Remember where the instance lives (and any other custom components); nothing runs yet."""
        self.config_dir = config_dir
        self.port = port
        self._extra_components = extra_components
        self.base_url = f"http://127.0.0.1:{port}"
        self._process: asyncio.subprocess.Process | None = None
        self._output: TextIO | None = None

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self._process is not None
        return self._process.pid

    @property
    def log_path(self) -> Path:
        """Where the process writes its output."""
        return self.config_dir / "home-assistant.out"

    async def start(self) -> None:
        """Start ``hass`` and wait until its HTTP API answers."""
        prepare_config_folder(self.config_dir, self.port, self._extra_components)
        self._output = self.log_path.open("a", encoding="utf-8")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(self.config_dir),
            # Everything is installed beforehand (scripts/setup); nothing is fetched at run time.
            "--skip-pip",
            stdout=self._output,
            stderr=asyncio.subprocess.STDOUT,
            # Not the repository: its own custom_components folder would hide the config folder's
            # (Home Assistant finds custom integrations through that namespace package).
            cwd=self.config_dir,
            start_new_session=True,  # Ctrl-C in the terminal reaches the orchestrator only
        )
        try:
            await asyncio.wait_for(self._wait_until_up(), STARTUP_TIMEOUT)
        except BaseException:
            await self.stop()
            raise

    async def _wait_until_up(self) -> None:
        assert self._process is not None
        async with ClientSession(timeout=ClientTimeout(total=5)) as session:
            while True:
                if self._process.returncode is not None:
                    raise RuntimeError(
                        f"hass exited with {self._process.returncode}; see {self.log_path}"
                    )
                if "Activating recovery mode" in self.log_path.read_text(encoding="utf-8"):
                    raise RuntimeError(f"hass started in recovery mode; see {self.log_path}")
                with suppress(ClientError, TimeoutError):
                    # Served without authentication: 200 once onboarded, 400 before.
                    async with session.get(f"{self.base_url}/auth/providers") as response:
                        if response.status in (200, 400):
                            return
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Stop the process the way Home Assistant expects (SIGTERM), killing it if it hangs."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._output is not None:
            self._output.close()
            self._output = None
