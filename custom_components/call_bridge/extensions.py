"""A PBX's extensions as Home Assistant keeps them: the ones the PBX lists, their states, their sensors.

Only numbers the PBX lists have a state (reports and events about any other number change nothing,
so a PBX or anyone at its address cannot make sensors without end), and a change reaches only the
sensor of the extension it is about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .const import DOMAIN


def signal_extension(entry_id: str, number: str) -> str:
    """Return the dispatcher signal that tells an extension's sensor of a new state."""
    return f"{DOMAIN}_{entry_id}_extension_{number}"


class Extensions:
    """The extensions of one PBX entry, by number: their state and what else the PBX tells."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start with none listed."""
        self._hass = hass
        self._entry_id = entry_id
        self.states: dict[str, str | None] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self._listeners: list[CALLBACK_TYPE] = []

    def __contains__(self, number: object) -> bool:
        """Whether the PBX lists ``number`` as an extension."""
        return number in self.states

    @callback
    def listed(self, states: Mapping[str, str | None]) -> None:
        """Take the PBX's list, in its order: listed states replace the old ones.

        Extensions it lists for the first time get sensors; those it no longer lists lose theirs.
        """
        new = [number for number in states if number not in self.states]
        gone = [number for number in self.states if number not in states]
        for number in gone:
            del self.states[number]
            self.attributes.pop(number, None)
        for number, state in states.items():
            self.set_state(number, state, add=True)
        if new or gone:
            for listener in list(self._listeners):
                listener()

    @callback
    def set_state(self, number: str, state: str | None, *, add: bool = False) -> None:
        """Note a listed extension's state; tell its sensor if it changed."""
        if number not in self.states and not add:
            return
        changed = self.states.get(number) != state
        self.states[number] = state
        if changed:
            async_dispatcher_send(self._hass, signal_extension(self._entry_id, number))

    @callback
    def set_attribute(self, number: str, name: str, value: Any) -> None:
        """Note something else the PBX tells of a listed extension (its presence)."""
        if number not in self.states:
            return
        attributes = self.attributes.setdefault(number, {})
        if name not in attributes or attributes[name] != value:
            attributes[name] = value
            async_dispatcher_send(self._hass, signal_extension(self._entry_id, number))

    def async_add_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call ``update`` when the PBX's list gains or loses extensions; return what stops it."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)
