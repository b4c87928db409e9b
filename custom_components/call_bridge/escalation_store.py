"""The escalation chains that are running, kept as they go so that a restart does not end them.

A chain is written when it starts, when one of its calls is placed or answered, and after each
step; it is forgotten when it ends, or when it is stopped (a restart does not stop it). What is kept
is the action's fields, where the chain is, and its attempts: no secret, a few kilobytes at most.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

STORE_KEY: Final = f"{DOMAIN}.escalations"
# Chains kept at most (each is at most 20 targets by 10 rounds of attempts).
MAX_CHAINS: Final = 20
# Written at once (a power cut comes without warning); changes made meanwhile join the write.
SAVE_DELAY: Final = 0


class ChainStore:
    """The running chains by id, as the store keeps them."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Keep nothing yet; ``async_load`` takes back what a previous run left."""
        self._store: Store[dict[str, Any]] = Store(hass, 1, STORE_KEY, private=True)
        self.chains: dict[str, dict[str, Any]] = {}

    async def async_load(self) -> dict[str, dict[str, Any]]:
        """Return the chains a previous run left running (objects only; the rest is dropped)."""
        stored = await self._store.async_load() or {}
        chains = stored.get("chains")
        if not isinstance(chains, dict):
            return {}
        return {
            chain_id: state
            for chain_id, state in list(chains.items())[-MAX_CHAINS:]
            if isinstance(chain_id, str) and isinstance(state, dict)
        }

    def save(self, chain_id: str, state: dict[str, Any]) -> None:
        """Keep a chain's state (written a moment later, with what else changed meanwhile)."""
        self.chains.pop(chain_id, None)
        self.chains[chain_id] = state
        while len(self.chains) > MAX_CHAINS:
            del self.chains[next(iter(self.chains))]
        self._save_later()

    def forget(self, chain_id: str) -> None:
        """Forget a chain that ended or was stopped."""
        if self.chains.pop(chain_id, None) is not None:
            self._save_later()

    def _save_later(self) -> None:
        # Built here, on the event loop: before 2025.12 the store calls it from a worker thread.
        stored = {"chains": dict(self.chains)}
        self._store.async_delay_save(lambda: stored, SAVE_DELAY)


DATA_CHAINS: HassKey[ChainStore] = HassKey(f"{DOMAIN}_chains")


def chain_store(hass: HomeAssistant) -> ChainStore:
    """Return the store of running chains."""
    if DATA_CHAINS not in hass.data:
        hass.data[DATA_CHAINS] = ChainStore(hass)
    return hass.data[DATA_CHAINS]
