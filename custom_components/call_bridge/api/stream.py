"""A far side's event connection that Home Assistant opens, and opens again when it ends.

Each vendor says how one connection goes (``connect_once``); what every such connection does is
here: a connection that ended waits a growing delay (``Backoff``), which starts over only after a
connection stayed up a while, so a far side that refuses or closes every connection at once is
asked less and less often, not in a loop; refused credentials end it (only new ones help); one
log line when it drops, one when it is back, whatever flapping comes in between.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Awaitable, Callable
import logging

import aiohttp

from .common import ApiAuthError, ApiError, Backoff

_LOGGER = logging.getLogger(__name__)


class ReconnectingStream(ABC):
    """Runs one far side's event connection until cancelled."""

    def __init__(
        self,
        *,
        name: str,
        backoff: Backoff,
        on_state: Callable[[bool], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Keep how to wait between connections; ``name`` names the far side in log lines.

        ``on_state`` hears when the connection goes up or down; ``sleep`` waits out the back-off
        (tests give it a clock of their own).
        """
        self._name = name
        self._backoff = backoff
        self._on_state = on_state
        self._sleep = sleep
        self.connected = False
        self.connections = 0
        # An outage, from its first failure until a connection stays up: one line when it
        # starts, one when a connection is back.
        self._outage = False
        self._told_back = False
        self._up_since: float | None = None

    @abstractmethod
    async def connect_once(self) -> None:
        """Run one connection: ``up()`` once it is open; return to be opened again at once.

        Raise when it ends any other way: the next one waits its back-off.
        """

    async def run(self) -> None:
        """Connect, and connect again each time the connection ends, until cancelled.

        Stops (raising it) only when the far side refuses the credentials: new ones are needed.
        """
        loop = asyncio.get_running_loop()
        while True:
            self._up_since = None
            try:
                await self.connect_once()
            except ApiAuthError:
                self._set_connected(False)
                raise
            except (aiohttp.ClientError, ApiError, TimeoutError, OSError) as err:
                # aiohttp's messages hold the URL, and a token in it: only the kind.
                reason = str(err) if isinstance(err, ApiError) else type(err).__name__
            else:
                _LOGGER.debug("%s: reconnecting events at once", self._name)
                continue
            lasted = None if self._up_since is None else loop.time() - self._up_since
            delay = self._backoff.after(lasted)
            if not delay:
                self._outage = False  # it stayed up a while: this is a new outage
            self._set_connected(False)
            if not self._outage:
                self._outage, self._told_back = True, False
                _LOGGER.warning("%s: event connection lost (%s); reconnecting", self._name, reason)
            await self._sleep(delay)

    def up(self) -> None:
        """Note that the connection is open: counted, told, and logged when it ends an outage."""
        self.connections += 1
        self._up_since = asyncio.get_running_loop().time()
        self._set_connected(True)
        if self._outage and not self._told_back:
            self._told_back = True
            _LOGGER.info("%s: event connection is back", self._name)

    def _set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            if self._on_state is not None:
                self._on_state(connected)
