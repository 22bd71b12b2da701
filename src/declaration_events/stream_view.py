"""Answers read from the store without indexing it whole: opening a large store without replaying it.

A ledger opened on a SQLite or PostgreSQL store (`Ledger.open`) does not index the whole
notification log at once. A question about one instrument reads that instrument's stream
(its facts and their amendments) and the continuations among the statements (which change
how an instrument's rows are shown), selected by type in SQL, into a projection of just
those entities; the next question reads only what the streams gained since. A question
about everything (every case, condemnations, a timeline, the events) indexes the whole
store instead, once, and from then on the ledger answers from that index.

The answers are the same: a projection answers about an entity from that entity's facts
and amendments, and, for an instrument, from the continuations; nothing else enters.

Where the store keeps complete history tables (`storage.tables`, made by a rebuild), the
cases are read from `case_history` instead: each row holds all that `Ledger.cases` shows
on its dates (`case_rows`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import orjson

from .case_rows import case_row
from .errors import UnknownEntityError
from .events import STATEMENTS
from .inventory import inventory
from .projections import Projection, cases_of, check_designation
from .records import Recorded
from .results import Cases
from .storage.base import StreamReader

__all__ = ["CONTINUATION_TYPES", "StreamView"]

#: What an instrument's rows read from the statements stream: continuations and their amendments.
CONTINUATION_TYPES = ("Continued", "Corrected", "Retracted")
#: What the inventory reads of an instrument's stream: its opening, and amendments (of it, or others).
OPENING_TYPES = ("InstrumentOpened", "Corrected", "Retracted")


class StreamView:
    """A projection of only the entities asked about, caught up with their streams at each question."""

    def __init__(self, store: StreamReader) -> None:
        self._store = store
        self._projection = Projection()
        # The last version read of each stream, whole (types None) or of some types only.
        self._versions: dict[tuple[str, tuple[str, ...] | None], int] = {}

    @property
    def whole(self) -> Projection:
        """The projection of what has been read so far (the streams asked about)."""
        return self._projection

    def projection(self, entities: Iterable[str]) -> Projection:
        """The projection, holding every event stored so far of these entities (and, for an
        instrument, the continuations), read from what their streams gained since last asked
        (`statements`: every statement, for condemnations)."""
        self.read(entities)
        return self._projection

    def read(self, entities: Iterable[str]) -> int:
        """Read what the streams of these entities (and, for an instrument, the continuations) gained
        since last read into the projection; return how many events that was."""
        records: list[Recorded] = []
        wanted = set(entities)
        for entity in sorted(wanted):
            records += self._read(entity)
        if any(entity.startswith("instrument:") for entity in wanted):
            records += self._read(STATEMENTS, CONTINUATION_TYPES)
        before = len(self._projection)
        self._projection.add_recorded(records)
        return len(self._projection) - before

    def count(self) -> int:
        """How many events the store holds."""
        return self._store.event_count()

    def version(self, entity: str, *, whole: bool = True) -> int:
        """The version of an entity's stream as last read whole (`whole`, or if never, by type), or as
        last read by type (its continuations)."""
        typed = self._versions.get((entity, CONTINUATION_TYPES), 0)
        read = self._versions.get((entity, None)) if whole else None
        return read if read is not None else typed

    def _read(self, entity: str, types: tuple[str, ...] | None = None) -> list[Recorded]:
        after = self._versions.get((entity, types), 0)
        if types is None:
            found = self._store.stream_records(entity, after)
            if found:
                self._versions[entity, types] = found[-1][0]
            return [record for _, record in found]
        # Of a stream read by type, the version reached is the stream's, not that of the last match.
        reached = self._store.stream_version(entity)
        if reached <= after:
            return []
        found = self._store.typed_records(types, entity, after)
        self._versions[entity, types] = max(reached, found[-1][0] if found else 0)
        return [record for _, record in found]

    def cases(
        self,
        as_of: date | None,
        known_at: datetime | None,
        only: Iterable[str] | None,
        designation: str | None,
    ) -> Cases | None:
        """`Ledger.cases` read from the store's `case_history` table (see `case_rows`), or None if the
        store keeps no complete history tables."""
        check_designation(designation)
        day = as_of or datetime.now(UTC).date()
        slugs = sorted(only) if only is not None else None
        found = self._store.case_rows(day, known_at, slugs)
        if found is None:
            return None
        by_slug = {row.case_slug: row for row in found}
        for slug in slugs or ():
            if slug not in by_slug and not self._store.knows(f"case:{slug}"):
                raise UnknownEntityError("case", slug)
        wanted = slugs if slugs is not None else sorted(by_slug)
        rows = (case_row(by_slug[slug], day) if slug in by_slug else None for slug in wanted)
        return cases_of(rows, day, known_at or datetime.now(UTC), designation)

    def inventory(self) -> dict[str, Any] | None:
        """`Ledger.inventory` read from the history tables (each case's last row), the openings and
        their amendments, the actors' registrations and the streams' counts; None where the store
        keeps no complete tables, or holds a stream they do not name (a case all of whose facts
        were retracted has no rows)."""
        current = self._store.current_cases()
        if current is None:
            return None
        instruments = self.instruments()
        actors = sorted({record.entity for _, record in self._store.typed_records(("ActorRegistered",))})
        names = [*(f"instrument:{s}" for s in instruments), *(f"case:{s}" for s, _ in current), *actors]
        counts = self._store.event_counts([*names, STATEMENTS])
        if counts is None:
            return None
        projection = Projection()
        for slug in instruments:
            found = self._store.typed_records(OPENING_TYPES, f"instrument:{slug}")
            projection.add_recorded(record for _, record in found)
        for actor in actors:
            projection.add_recorded(record for _, record in self._store.stream_records(actor))
        cases = []
        for slug, details in sorted(current):
            data = orjson.loads(details)
            cases.append((slug, str(data["person"]), data["detained_by"]))
        return inventory(projection, counts, instruments, cases)

    def instruments(self) -> list[str]:
        """Slugs of every instrument stored (their openings, selected by type), sorted."""
        found = self._store.typed_records(("InstrumentOpened",))
        return sorted({record.entity.removeprefix("instrument:") for _, record in found})
