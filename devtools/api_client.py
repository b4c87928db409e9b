"""Home Assistant's own HTTP and WebSocket APIs, as a user's browser or script reaches them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from typing import Any

from aiohttp import ClientSession, ClientWebSocketResponse


class HomeAssistantClient:
    """Onboarding, login, config flows and actions over the REST API; events over the WebSocket API."""

    def __init__(self, session: ClientSession, base_url: str) -> None:
        """Talk to the instance at ``base_url``; log in or onboard before anything else."""
        self._session = session
        self.base_url = base_url
        self._client_id = f"{base_url}/"
        self.tokens: dict[str, Any] = {}

    @property
    def token(self) -> str | None:
        """The access token of the last login, if any."""
        return self.tokens.get("access_token")

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def needs_onboarding(self) -> bool:
        """Whether the instance has no owner yet."""
        async with self._session.get(f"{self.base_url}/api/onboarding") as response:
            if response.status == 404:  # onboarding is over: its views are gone
                return False
            steps = await response.json()
        return any(step["step"] == "user" and not step["done"] for step in steps)

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Create the owner, which completes onboarding (the other steps are marked done)."""
        async with self._session.post(
            f"{self.base_url}/api/onboarding/users",
            json={
                "client_id": self._client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
        ) as response:
            response.raise_for_status()
            auth_code = (await response.json())["auth_code"]
        await self._token_from_code(auth_code)

    async def login(self, username: str, password: str) -> None:
        """Log in with the login flow the frontend uses."""
        async with self._session.post(
            f"{self.base_url}/auth/login_flow",
            json={
                "client_id": self._client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self._client_id,
            },
        ) as response:
            response.raise_for_status()
            flow_id = (await response.json())["flow_id"]
        async with self._session.post(
            f"{self.base_url}/auth/login_flow/{flow_id}",
            json={"client_id": self._client_id, "username": username, "password": password},
        ) as response:
            response.raise_for_status()
            result = await response.json()
        await self._token_from_code(result["result"])

    async def _token_from_code(self, code: str) -> None:
        async with self._session.post(
            f"{self.base_url}/auth/token",
            data={"grant_type": "authorization_code", "code": code, "client_id": self._client_id},
        ) as response:
            response.raise_for_status()
            self.tokens = await response.json()

    async def _post(self, path: str, body: dict[str, Any]) -> Any:
        async with self._session.post(
            f"{self.base_url}{path}", json=body, headers=self._headers
        ) as response:
            if response.status >= 400:
                raise RuntimeError(f"POST {path}: HTTP {response.status}: {await response.text()}")
            return await response.json()

    async def config_flow(self, handler: str, *steps: dict[str, Any]) -> dict[str, Any]:
        """Run a config flow through ``steps`` (each a form's input or a menu choice); return the result."""
        result = await self._post("/api/config/config_entries/flow", {"handler": handler})
        for step in steps:
            result = await self._post(f"/api/config/config_entries/flow/{result['flow_id']}", step)
        return dict(result)

    async def subentry_flow(
        self, entry_id: str, subentry_type: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        """Add a subentry (a call preset) through its flow."""
        result = await self._post(
            "/api/config/config_entries/subentries/flow",
            {"handler": [entry_id, subentry_type], "source": "user"},
        )
        return dict(
            await self._post(
                f"/api/config/config_entries/subentries/flow/{result['flow_id']}", data
            )
        )

    async def entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of ``domain``."""
        async with self._session.get(
            f"{self.base_url}/api/config/config_entries/entry",
            params={"domain": domain},
            headers=self._headers,
        ) as response:
            response.raise_for_status()
            return list(await response.json())

    async def state(self, entity_id: str) -> dict[str, Any] | None:
        """Return an entity's state, or None while it does not exist."""
        async with self._session.get(
            f"{self.base_url}/api/states/{entity_id}", headers=self._headers
        ) as response:
            if response.status == 404:
                return None
            response.raise_for_status()
            return dict(await response.json())

    async def options_form(self, entry_id: str) -> dict[str, Any]:
        """Open an entry's options form, as its gear does, and close it again; return the form."""
        form = await self._post("/api/config/config_entries/options/flow", {"handler": entry_id})
        async with self._session.delete(
            f"{self.base_url}/api/config/config_entries/options/flow/{form['flow_id']}",
            headers=self._headers,
        ) as response:
            response.raise_for_status()
        return dict(form)

    async def remove_entry(self, entry_id: str) -> None:
        """Delete a config entry, as its menu's "Delete" does."""
        async with self._session.delete(
            f"{self.base_url}/api/config/config_entries/entry/{entry_id}", headers=self._headers
        ) as response:
            response.raise_for_status()

    async def version(self) -> str:
        """Return the running Home Assistant's version."""
        async with self._session.get(
            f"{self.base_url}/api/config", headers=self._headers
        ) as response:
            response.raise_for_status()
            return str((await response.json())["version"])

    async def ignore_installation_method_notice(self) -> None:
        """Ignore the repair that every Home Assistant Core installation shows.

        The demo runs Home Assistant Core in a virtual environment, an installation method that
        Home Assistant announces it will stop supporting; a throwaway demo needs no such warning.
        Home Assistant raises it a moment after starting (a few seconds at most are waited for
        it); the user still finds it under Settings > Repairs > Show ignored.
        """
        issue = {"domain": "homeassistant", "issue_id": "deprecated_method"}
        async with self.websocket() as ws:
            for _ in range(40):
                issues = (await ws.command({"type": "repairs/list_issues"}))["result"]["issues"]
                if any(issue.items() <= listed.items() for listed in issues):
                    await ws.command({"type": "repairs/ignore_issue", **issue, "ignore": True})
                    return
                await asyncio.sleep(0.25)

    async def call_action(
        self, domain: str, service: str, data: dict[str, Any], *, with_response: bool = True
    ) -> tuple[int, Any]:
        """Call an action over REST and return (HTTP status, body), response data included.

        Actions that give no response data refuse to be asked for it: ``with_response=False``.
        """
        async with self._session.post(
            f"{self.base_url}/api/services/{domain}/{service}{'?return_response' if with_response else ''}",
            json=data,
            headers=self._headers,
        ) as response:
            return response.status, await response.json(content_type=None)

    @asynccontextmanager
    async def websocket(self) -> AsyncIterator[HomeAssistantWebSocket]:
        """Open an authenticated WebSocket connection."""
        async with self._session.ws_connect(f"{self.base_url}/api/websocket") as connection:
            assert (await connection.receive_json())["type"] == "auth_required"
            await connection.send_json({"type": "auth", "access_token": self.token})
            assert (await connection.receive_json())["type"] == "auth_ok"
            yield HomeAssistantWebSocket(connection)


class HomeAssistantWebSocket:
    """Commands and event subscriptions on one WebSocket connection."""

    def __init__(self, connection: ClientWebSocketResponse) -> None:
        """Wrap ``connection``; commands are numbered from 1."""
        self._connection = connection
        self._ids = count(1)
        self.events: list[dict[str, Any]] = []

    async def command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        message_id = next(self._ids)
        await self._connection.send_json({"id": message_id, **message})
        while True:
            answer = await self._connection.receive_json()
            if answer.get("type") == "event":
                self.events.append(answer["event"])
            elif answer.get("id") == message_id:
                return dict(answer)

    async def next_event(self) -> dict[str, Any]:
        """Wait for the next event of a subscription."""
        if self.events:
            return self.events.pop(0)
        while True:
            answer = await self._connection.receive_json()
            if answer.get("type") == "event":
                return dict(answer["event"])
