"""The in-memory store: stream versions, and each event until its one reader has it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from ..errors import ConcurrencyError, StoreError
from ..records import Recorded
from .stamps import Stamp, next_stamp
from .tables import Histories

__all__ = ["FORGET_EVERY", "FrozenStore", "MemoryStore"]

#: How many events a reader of the in-memory store takes before the store drops them.
FORGET_EVERY = 10_000


class MemoryStore:
    """The in-memory ledger's store: stream versions, and each event until its reader has it.

    Its one reader is the `Ledger` that owns it, whose projection keeps every event:
    the store hands each event over once and forgets it, so that a large in-memory
    ledger does not hold its events twice. Reading again from before what was handed
    over is an error, not a silent gap.
    """

    def __init__(self) -> None:
        self._pending: list[Recorded] = []
        self._handed_over = 0  # position of the last event read and forgotten
        self._versions: dict[str, int] = {}
        self._stamps: list[Stamp] = []

    def append(
        self, batch: Sequence[Recorded], expected: Mapping[str, int], histories: Histories | None = None
    ) -> None:
        """Append atomically if every entity is still at its expected version."""
        for entity, version in expected.items():
            if self._versions.get(entity, 0) != version:
                raise ConcurrencyError(f"{entity} moved past version {version}")
        for record in batch:
            if not record.entity:
                raise ValueError(f"{record.type} {record.id}: no entity given")
        for record in batch:
            self._versions[record.entity] = self._versions.get(record.entity, 0) + 1
        self._pending.extend(batch)
        if batch:
            last = self._stamps[-1] if self._stamps else None
            total = self._handed_over + len(self._pending)
            self._stamps.append(next_stamp(last, total, len(batch), total, datetime.now(UTC)))

    def stamps(self) -> list[Stamp]:
        """When each batch was stored, oldest first (see `stamps`)."""
        return list(self._stamps)

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield every event after a position; forget each once its reader asks for the next."""
        if after < self._handed_over:
            raise StoreError(
                f"the in-memory store has handed over events up to {self._handed_over} and kept none; "
                f"cannot read after {after}"
            )
        self._forget_through(after)
        position = after
        try:
            while position - self._handed_over < len(self._pending):
                yield position + 1, self._pending[position - self._handed_over]
                position += 1
                if position - self._handed_over >= FORGET_EVERY:
                    self._forget_through(position)
        finally:
            self._forget_through(position)

    def _forget_through(self, position: int) -> None:
        """Drop the events up to `position` (positions are absolute: a late call drops nothing new)."""
        drop = position - self._handed_over
        if drop > 0:
            del self._pending[:drop]
            self._handed_over = position

    def close(self) -> None:
        """Nothing to release."""


class FrozenStore:
    """A read-only store of given records and stamps: what `Ledger.as_stored` reads."""

    def __init__(self, records: Sequence[Recorded], stamps: Sequence[Stamp], name: str) -> None:
        self._records = list(records)
        self._stamps = list(stamps)
        self._name = name

    def append(
        self, batch: Sequence[Recorded], expected: Mapping[str, int], histories: Histories | None = None
    ) -> None:
        """Refuse: a ledger as it was stored by a time is read-only."""
        raise StoreError(f"{self._name} is read-only: record in the ledger it was taken from")

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield every record after a position."""
        for index in range(after, len(self._records)):
            yield index + 1, self._records[index]

    def stamps(self) -> list[Stamp]:
        """The stamps of the batches it holds."""
        return list(self._stamps)

    def close(self) -> None:
        """Nothing to release."""
