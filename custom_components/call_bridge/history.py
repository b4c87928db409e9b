"""An entry's call history, both ways, and its missed calls: kept across restarts, bounded in bytes.

Each record holds the time, the direction, the parties, the outcome and the duration; texts are cut
to ``MAX_PARTY`` characters and at most ``HISTORY_LIMIT`` records are kept, so that the stored file
stays a few tens of kilobytes whatever the PBX sends. No secret is ever in a record.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api.incoming import IncomingCallEvent, IncomingState, party
from .api.telephony import CallStatus
from .const import DOMAIN, MAX_HISTORY

HISTORY_LIMIT: Final = MAX_HISTORY
# The missed calls the "Missed calls" sensor shows.
MISSED_SHOWN: Final = 10
SAVE_DELAY: Final = 5
_FIELDS: Final = (
    "time",
    "direction",
    "call_id",
    "caller",
    "caller_name",
    "callee",
    "outcome",
    "duration",
)


def history_store(hass: HomeAssistant, entry: ConfigEntry) -> Store[dict[str, Any]]:
    """Return where an entry keeps its call history."""
    return Store(hass, 1, f"{DOMAIN}.{entry.entry_id}.history", private=True)


class CallHistory:
    """The entry's recent calls (the newest last), and the missed ones since they were cleared."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """Start empty; ``async_load`` takes back what was stored."""
        self._store = history_store(hass, entry)
        self.records: deque[dict[str, Any]] = deque(maxlen=HISTORY_LIMIT)
        self.missed_count = 0
        self.missed: deque[dict[str, Any]] = deque(maxlen=MISSED_SHOWN)

    async def async_load(self) -> None:
        """Take back the stored history; anything malformed in it is dropped."""
        stored = await self._store.async_load() or {}
        records = stored.get("records")
        if isinstance(records, list):
            self.records.extend(_record(record) for record in records if isinstance(record, dict))
        missed = stored.get("missed")
        if isinstance(missed, list):
            self.missed.extend(_record(record) for record in missed if isinstance(record, dict))
        count = stored.get("missed_count")
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            self.missed_count = count

    async def async_save(self) -> None:
        """Write the history now (at unload)."""
        await self._store.async_save(self._stored())

    def add_outgoing(self, status: CallStatus) -> None:
        """Record the end of a call the entry placed."""
        self._add(
            {
                "direction": "outgoing",
                "call_id": status.call_id,
                "caller": status.caller,
                "caller_name": None,
                "callee": status.callee,
                "outcome": str(status.outcome) if status.outcome is not None else None,
                "duration": status.call_duration,
            }
        )
        self._save_later()

    def add_incoming(self, event: IncomingCallEvent) -> None:
        """Record the end of a call that came in; a missed one is counted too."""
        outcome = "answered" if event.state is IncomingState.ENDED else "missed"
        record = self._add(
            {
                "direction": "incoming",
                "call_id": event.call_id,
                "caller": event.caller,
                "caller_name": event.caller_name,
                "callee": event.callee,
                "outcome": outcome,
                "duration": event.duration,
            }
        )
        if event.state is IncomingState.MISSED:
            self.missed_count += 1
            self.missed.append(record)
        self._save_later()

    def clear_missed(self) -> None:
        """Forget the missed calls: the count starts again at zero."""
        self.missed_count = 0
        self.missed.clear()
        self._save_later()

    def newest(self, limit: int) -> list[dict[str, Any]]:
        """Return the ``limit`` newest records, the newest first."""
        return [dict(record) for record in reversed(self.records)][:limit]

    def _add(self, fields: dict[str, Any]) -> dict[str, Any]:
        record = _record(fields | {"time": dt_util.utcnow().isoformat()})
        self.records.append(record)
        return record

    def _save_later(self) -> None:
        # Built here, on the event loop: before 2025.12 the store calls it from a worker thread.
        stored = self._stored()
        self._store.async_delay_save(lambda: stored, SAVE_DELAY)

    def _stored(self) -> dict[str, Any]:
        return {
            "records": list(self.records),
            "missed": list(self.missed),
            "missed_count": self.missed_count,
        }


def _record(fields: dict[str, Any]) -> dict[str, Any]:
    """Return a record with exactly its fields: texts bounded and printable, durations whole."""
    record: dict[str, Any] = {}
    for name in _FIELDS:
        value = fields.get(name)
        if name == "duration":
            valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            record[name] = value if valid else None
        else:
            record[name] = party(value) if isinstance(value, str) else None
    return record
