"""Where recorded events live: the store interface and its in-memory implementation.

A store keeps events in per-entity streams (one per instrument, one per detention
case, one for statements) and one total order of all of them (the notification
log), from which projections are built and caught up. Events travel in their
compact form, `records.Recorded` (id, type, entity, canonical line).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol
from uuid import UUID

from .errors import DeclarationEventsError
from .records import Recorded

__all__ = ["ConcurrencyConflict", "MemoryStore", "Store"]


class ConcurrencyConflict(DeclarationEventsError):
    """Another writer appended to one of the same entities first; reload and retry."""


class Store(Protocol):
    """Durable or in-memory storage of recorded events."""

    def append(self, batch: Sequence[Recorded], expected: Mapping[str, int]) -> None:
        """Append records (each naming its entity) atomically, if each entity is at its expected version."""
        ...

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield `(position, record)` for every event after a position, in order.

        Positions increase but may skip numbers (a PostgreSQL sequence leaves gaps);
        resume from the last position seen, never from a count.
        """
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


class MemoryStore:
    """Events in Python lists (ids, entities, canonical lines); for tests, notebooks and scripts."""

    def __init__(self) -> None:
        self._ids: list[UUID] = []
        self._entities: list[str] = []
        self._lines: list[bytes] = []  # packed (see `records.pack`)
        self._versions: dict[str, int] = {}

    def append(self, batch: Sequence[Recorded], expected: Mapping[str, int]) -> None:
        """Append atomically if every entity is still at its expected version."""
        for entity, version in expected.items():
            if self._versions.get(entity, 0) != version:
                raise ConcurrencyConflict(f"{entity} moved past version {version}")
        for record in batch:
            if not record.entity:
                raise ValueError(f"{record.type} {record.id}: no entity given")
        for record in batch:
            self._versions[record.entity] = self._versions.get(record.entity, 0) + 1
            self._ids.append(record.id)
            self._entities.append(record.entity)
            self._lines.append(record.packed)

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield every event after a position."""
        for position in range(after, len(self._lines)):
            yield (
                position + 1,
                Recorded.from_packed(self._lines[position], self._entities[position], self._ids[position]),
            )

    def close(self) -> None:
        """Nothing to release."""
