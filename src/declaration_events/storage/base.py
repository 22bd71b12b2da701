"""What every store offers the ledger: the `Store` protocol.

A store keeps events in per-entity streams (one per instrument, one per detention
case, one for statements) and one total order of all of them (the notification
log), from which projections are built and caught up. Events travel in their
compact form, `records.Recorded` (id, type, entity, canonical line).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from ..records import Recorded
from .stamps import Stamp
from .tables import CaseTableRow, Histories

__all__ = ["Store", "StreamReader"]


class Store(Protocol):
    """Durable or in-memory storage of recorded events."""

    def append(
        self, batch: Sequence[Recorded], expected: Mapping[str, int], histories: Histories | None = None
    ) -> None:
        """Append records (each naming its entity) atomically, if each entity is at its expected version."""
        ...

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield `(position, record)` for every event after a position, in order.

        Positions increase but may skip numbers (a PostgreSQL sequence leaves gaps);
        resume from the last position seen, never from a count.
        """
        ...

    def stamps(self) -> list[Stamp]:
        """When each batch was stored (by the store's clock, in its own transaction), oldest first."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


@runtime_checkable
class StreamReader(Protocol):
    """A store that reads one entity's stream, and events by type, without the whole log."""

    @property
    def reads_by_type(self) -> bool:
        """Whether `typed_records` selects in the database (else it is not offered)."""
        ...

    def check_readable(self) -> None:
        """Fail now (`StoreError`) if the stored events cannot be read (a wrong cipher key)."""
        ...

    def knows(self, entity: str) -> bool:
        """Whether the entity's stream holds any event."""
        ...

    def event_count(self) -> int:
        """How many events the store holds."""
        ...

    def event_counts(self, entities: Iterable[str]) -> dict[str, int] | None:
        """Events per stream of these entities; None if the store holds a stream of another."""
        ...

    def current_cases(self) -> list[tuple[str, str]] | None:
        """(case slug, details) of every case's last row as known now, or None without tables."""
        ...

    def stream_extent(self, entity: str) -> tuple[int, int]:
        """How many events an entity's stream holds, and its version (equal, unless one is missing)."""
        ...

    def stream_damage(self, entity: str) -> str | None:
        """What is wrong with an entity's stream if a version is missing from it (None if none is)."""
        ...

    def stream_version(self, entity: str) -> int:
        """The version of an entity's stream: how many events it holds (0: none)."""
        ...

    def case_rows(
        self, as_of: date, known_at: datetime | None, slugs: Sequence[str] | None = None
    ) -> list[CaseTableRow] | None:
        """The `case_history` rows answering (as_of, known_at), or None without complete tables."""
        ...

    def stream_records(self, entity: str, after: int = 0) -> list[tuple[int, Recorded]]:
        """`(version, record)` of one entity's stream after a version (its amendments included)."""
        ...

    def typed_records(
        self, types: Sequence[str], entity: str | None = None, after: int = 0
    ) -> list[tuple[int, Recorded]]:
        """`(version, record)` of the events of these types, in one stream or (no entity) in all."""
        ...

    def entities_of(self, ids: Collection[UUID]) -> dict[UUID, str] | None:
        """The entity of each stored event among these ids; None if the store does not index them all."""
        ...
