"""Where recorded events live: the store interface and its in-memory implementation.

A store keeps events in per-entity streams (one per instrument, one per detention
case, one for statements) and one total order of all of them (the notification
log), from which projections are built and caught up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from .errors import DeclarationEventsError
from .events import EventBase

__all__ = ["ConcurrencyConflict", "MemoryStore", "Store"]


class ConcurrencyConflict(DeclarationEventsError):
    """Another writer appended to one of the same entities first; reload and retry."""


class Store(Protocol):
    """Durable or in-memory storage of recorded events."""

    def append(self, batch: Sequence[tuple[str, EventBase]], expected: Mapping[str, int]) -> None:
        """Append `(entity, event)` pairs atomically, if each entity is still at its expected version."""
        ...

    def read(self, after: int = 0) -> Iterator[tuple[int, str, EventBase]]:
        """Yield `(position, entity, event)` for every event after a position, in order.

        Positions increase but may skip numbers (a PostgreSQL sequence leaves gaps);
        resume from the last position seen, never from a count.
        """
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


class MemoryStore:
    """Events in a Python list; for tests, notebooks and short scripts."""

    def __init__(self) -> None:
        self._log: list[tuple[str, EventBase]] = []
        self._versions: dict[str, int] = {}

    def append(self, batch: Sequence[tuple[str, EventBase]], expected: Mapping[str, int]) -> None:
        """Append atomically if every entity is still at its expected version."""
        for entity, version in expected.items():
            if self._versions.get(entity, 0) != version:
                raise ConcurrencyConflict(f"{entity} moved past version {version}")
        for entity, event in batch:
            self._versions[entity] = self._versions.get(entity, 0) + 1
            self._log.append((entity, event))

    def read(self, after: int = 0) -> Iterator[tuple[int, str, EventBase]]:
        """Yield every event after a position."""
        for position in range(after, len(self._log)):
            entity, event = self._log[position]
            yield position + 1, entity, event

    def close(self) -> None:
        """Nothing to release."""
