"""The simulated far side on loopback, and a plain aiohttp session: no Home Assistant here."""

from __future__ import annotations

from collections.abc import AsyncIterator
import socket

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
import pytest

from simulator.onenet import OneNetState, create_onenet_app
from simulator.pbx import PbxState, create_pbx_app


@pytest.fixture(autouse=True)
def loopback_sockets(socket_enabled: None) -> None:
    """Let these tests open sockets; Home Assistant's test plugin still allows only 127.0.0.1."""


@pytest.fixture
async def session() -> AsyncIterator[ClientSession]:
    """A client session like the one Home Assistant shares."""
    async with ClientSession() as client_session:
        yield client_session


@pytest.fixture
def pbx_state() -> PbxState:
    """The simulated PBX's state; tests change it and read its requests."""
    return PbxState(static_tokens={"static-token-0123456789abcdef"})


@pytest.fixture
async def pbx_port(pbx_state: PbxState) -> AsyncIterator[int]:
    """Serve the simulated PBX on loopback; return its port."""
    server = TestServer(create_pbx_app(pbx_state), host="127.0.0.1")
    await server.start_server()
    assert server.port is not None
    yield server.port
    await server.close()


@pytest.fixture
def onenet_state() -> OneNetState:
    """The simulated OneNET's state."""
    return OneNetState(step_delay=0.01)


@pytest.fixture
async def onenet_url(onenet_state: OneNetState) -> AsyncIterator[str]:
    """Serve the simulated OneNET on loopback; return its base URL."""
    server = TestServer(create_onenet_app(onenet_state), host="127.0.0.1")
    await server.start_server()
    yield f"http://127.0.0.1:{server.port}"
    await server.close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
