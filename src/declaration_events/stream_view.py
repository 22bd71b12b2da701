"""Answers about a few entities, read from their streams: opening a large store without replaying it.

A ledger opened on a SQLite or PostgreSQL store (`Ledger.open`) does not index the whole
notification log at once. A question about one instrument reads that instrument's stream
(its facts and their amendments) and the continuations among the statements (which change
how an instrument's rows are shown), selected by type in SQL, into a projection of just
those entities; the next question reads only what the streams gained since. A question
about everything (every case, condemnations, a timeline, the events) indexes the whole
store instead, once, and from then on the ledger answers from that index.

The answers are the same: a projection answers about an entity from that entity's facts
and amendments, and, for an instrument, from the continuations; nothing else enters.
"""

from __future__ import annotations

from collections.abc import Iterable

from .events import STATEMENTS
from .projections import Projection
from .records import Recorded
from .storage.base import StreamReader

__all__ = ["CONTINUATION_TYPES", "StreamView"]

#: What an instrument's rows read from the statements stream: continuations and their amendments.
CONTINUATION_TYPES = ("Continued", "Corrected", "Retracted")


class StreamView:
    """A projection of only the entities asked about, caught up with their streams at each question."""

    def __init__(self, store: StreamReader) -> None:
        self._store = store
        self._projection = Projection()
        self._versions: dict[str, int] = {}  # the last version read of each stream (statements: filtered)

    def projection(self, entities: Iterable[str]) -> Projection:
        """The projection, holding every event stored so far of these entities (and, for an
        instrument, the continuations), read from what their streams gained since last asked."""
        records: list[Recorded] = []
        wanted = set(entities)
        if any(entity.startswith("instrument:") for entity in wanted):
            records += self._read(STATEMENTS, CONTINUATION_TYPES)
        for entity in sorted(wanted):
            records += self._read(entity)
        self._projection.add_recorded(records)
        return self._projection

    def _read(self, entity: str, types: tuple[str, ...] | None = None) -> list[Recorded]:
        after = self._versions.get(entity, 0)
        if types is None:
            found = self._store.stream_records(entity, after)
        else:
            found = self._store.typed_records(types, entity, after)
        if found:
            self._versions[entity] = found[-1][0]
        return [record for _, record in found]

    def instruments(self) -> list[str]:
        """Slugs of every instrument stored (their openings, selected by type), sorted."""
        found = self._store.typed_records(("InstrumentOpened",))
        return sorted({record.entity.removeprefix("instrument:") for _, record in found})
