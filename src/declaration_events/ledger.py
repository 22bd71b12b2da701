"""The Ledger: the one object users hold to record facts and ask what was true when."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

from . import checking, counts, reading, render
from .actors import resolve_captor
from .counts import Freq
from .dates import DateLike, PartialDate, query_date, query_time
from .errors import UsageError
from .eventlog import LogSource
from .events import STATEMENTS, ActorRegistered, Corrected, Event, EventBase, Retracted, Source, parse_event
from .inventory import inventory
from .parties import resolve_party
from .progress import OFF, Progress
from .projections import Projection
from .records import Recorded
from .render import Column
from .results import (
    CaseRow,
    Cases,
    Condemnations,
    LedgerWarning,
    Relations,
    Reservations,
    Signatories,
    Timeline,
)
from .storage import FrozenStore, MemoryStore, Stamp, Store
from .storage.base import StreamReader
from .storage.tables import CaseInterval, Histories, SignatoryInterval
from .stream_view import StreamView
from .stream_writing import StreamWriter
from .writing import RecordResult, Writer

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["Ledger", "RecordResult"]


class Ledger:
    """Records diplomatic facts through the rules and answers point-in-time questions."""

    def __init__(
        self, store: Store | None = None, *, progress: bool | None = False, defer: bool = False
    ) -> None:
        """A ledger on a store (default: a new one in memory), its events indexed at once.

        `progress`: show the indexing as it goes (None: when someone watches and it lasts).
        `defer`: index the store's events only when a question needs them all; until then a
        question about one instrument reads that instrument's stream (what `open` does on
        SQLite and PostgreSQL; see `stream_view`). Ignored by stores that cannot read so.
        """
        self._store: Store = store if store is not None else MemoryStore()
        self._projection = Projection()
        self._writer = Writer(self._store, self._projection)  # the commit loop and the catch-up
        self._snapshot: tuple[int, Ledger] | None = None  # the last `as_stored` ledger, by its size
        self._progress = progress
        self._view: StreamView | None = None  # while the whole store is not indexed yet
        self._stream_writer: StreamWriter | None = None  # writes while the whole store is not indexed
        if defer and isinstance(self._store, StreamReader) and self._store.reads_by_type:
            self._store.check_readable()
            self._view = StreamView(self._store)
            self._stream_writer = StreamWriter(self._store, self._view)
        else:
            self.catch_up()

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | os.PathLike[str],
        *,
        cipher_key: str | None = None,
        create: bool = True,
        progress: bool | None = None,
    ) -> Ledger:
        """A ledger on a durable store; see `storage.durable.open_store`.

        `url`: a file path or `sqlite:///PATH` (SQLite), `postgresql://USER:PASSWORD@HOST:PORT/DB`
        (optionally `?schema=NAME`), or `memory:`. `cipher_key` encrypts events at rest.
        `create`: True (the default, what `import` uses) creates the store on first use;
        False opens only an existing ledger and raises `StoreError` ("no ledger at URL")
        elsewhere, creating nothing: what the query commands use, so that a mistyped path
        answers with an error, not with an empty ledger. Either way a SQLite file of another
        program is refused and left as it was.
        `progress`: show the indexing of the stored events (None: on a terminal or in Jupyter,
        once it has lasted half a second; see `progress`).

        Opening reads nothing yet: a question about one instrument (`signatories`,
        `reservations`, `relations`, `signatory_counts`, `instruments`) reads only that
        instrument's stream and the continuations; `condemnations` the statements; `cases`,
        `case` and `inventory` the history tables, where the store keeps them; a write the
        streams its batch touches (see `stream_writing`). Any other question (a timeline,
        the events, those without tables) indexes the whole store once (see `stream_view`).
        """
        from .storage.durable import open_store  # here: keeps eventsourcing's import out of plain use

        store = open_store(os.fspath(url), cipher_key=cipher_key, create=create)
        try:
            return cls(store, progress=progress, defer=True)
        except BaseException:
            store.close()
            raise

    @classmethod
    def from_events(cls, events: Iterable[EventBase | Mapping[str, Any]]) -> Ledger:
        """An in-memory ledger holding these facts (checked as one batch)."""
        ledger = cls()
        ledger.record_many(events)
        return ledger

    @classmethod
    def from_jsonl(cls, *paths: LogSource, progress: bool | None = None) -> Ledger:
        """An in-memory ledger holding the facts of one or more logs (checked as one batch).

        `progress`: as `import_logs`.
        """
        ledger = cls()
        ledger.import_logs(*paths, progress=progress)
        return ledger

    def import_logs(
        self, *sources: LogSource, progress: bool | None = None, backdate: bool = True
    ) -> RecordResult:
        """Record the facts of one or more logs, all or nothing; errors name file and line.

        Each line is validated, then kept only as its canonical line (see `records`):
        a log of millions of events is not held in memory as models.
        `progress`: show each stage (reading, checking, storing, indexing) with tqdm: True,
        False, or None for on a terminal or in Jupyter when the logs reach 1 MiB.
        `backdate`: False refuses (`BackdatedError`, nothing written) a batch holding a fact
        recorded before one already stored about the same entity; True counts them
        (`RecordResult.backdated`).
        """
        shown = Progress.auto(progress, reading.log_bytes(sources) if progress is None else None)
        with checking.bulk():
            now = datetime.now(UTC)
            items, locations = reading.read_logs(sources, now, shown)
            return self._write(items, locations, now, shown, backdate)

    # -- writing -----------------------------------------------------------------------------

    def record(self, event: EventBase | Mapping[str, Any]) -> Event:
        """Record one fact through the rules; return it as stored (with its id and record time)."""
        parsed = parse_event(event)
        self.record_many([parsed])
        stored = (self._stream_writing or self._writer).projection.get(parsed.id)
        assert stored is not None  # noqa: S101 - just recorded or already there
        return stored  # type: ignore[return-value]

    def record_many(
        self,
        events: Iterable[EventBase | Mapping[str, Any]],
        *,
        locations: Mapping[UUID, str] | None = None,
        backdate: bool = True,
    ) -> RecordResult:
        """Record facts as one batch: checked as a whole in valid-time order, taken whole or not at all.

        `backdate`: as `import_logs`.
        """
        with checking.bulk():
            parsed: list[Recorded | EventBase] = [parse_event(e) for e in events]
            return self._write(parsed, locations, datetime.now(UTC), OFF, backdate)

    def _write(
        self,
        items: list[Recorded | EventBase],
        locations: Mapping[UUID, str] | None,
        now: datetime,
        progress: Progress,
        backdate: bool,
    ) -> RecordResult:
        """Record a batch: checked against the streams it touches while the whole store is not
        indexed (see `stream_writing`), else (or where that cannot check it) against the index."""
        writer = self._stream_writing
        if writer is not None:
            result = writer.try_record(items, locations, now, progress, backdate=backdate)
            if result is not None:
                return result  # else nothing was done: check it against the whole store
        self._view = self._stream_writer = None  # the write side indexes the whole store
        return self._writer.record(items, locations, now, progress, backdate=backdate)

    def correct(
        self,
        target: UUID | str | EventBase,
        changes: Mapping[str, Any],
        reason: str,
        *,
        occurred_on: PartialDate | DateLike | None = None,
        recorded_at: DateLike | None = None,
        sources: Sequence[Source | Mapping[str, Any]] = (),
        note: str | None = None,
    ) -> Corrected:
        """Record a correction of an earlier fact's fields."""
        event = checking.amendment("Corrected", target, reason, occurred_on, recorded_at, sources, note)
        event["changes"] = dict(changes)
        return self.record(event)  # type: ignore[return-value]

    def retract(
        self,
        target: UUID | str | EventBase,
        reason: str,
        *,
        occurred_on: PartialDate | DateLike | None = None,
        recorded_at: DateLike | None = None,
        sources: Sequence[Source | Mapping[str, Any]] = (),
        note: str | None = None,
    ) -> Retracted:
        """Record that an earlier fact is withdrawn from belief."""
        event = checking.amendment("Retracted", target, reason, occurred_on, recorded_at, sources, note)
        return self.record(event)  # type: ignore[return-value]

    def catch_up(self) -> int:
        """Index events other writers appended to the store since the last look (or, the first time
        on a ledger that `open` deferred, every stored event); return how many."""
        first = self._unindexed is not None
        self._view = self._stream_writer = None
        shown = Progress.auto(self._progress, None) if first and self._progress is not False else OFF
        with checking.bulk():
            return self._writer.catch_up(shown)

    # -- reading -----------------------------------------------------------------------------

    @property
    def projection(self) -> Projection:
        """The indexed read model behind the queries."""
        return self._indexed()

    def __len__(self) -> int:
        view = self._unindexed
        return view.count() if view is not None else len(self._indexed())

    def _indexed(self) -> Projection:
        """The projection of the whole store (indexed now if `open` deferred it)."""
        if self._view is not None:
            self.catch_up()
        return self._projection

    @property
    def _unindexed(self) -> StreamView | None:
        """The view that reads single streams and tables while the whole store is not indexed (see
        `stream_view`); None once it is (a write or a catch-up indexed it)."""
        return self._view if self._view is not None and not self._writer.position else None

    @property
    def _stream_writing(self) -> StreamWriter | None:
        """The writer that checks a batch against the streams it touches, while the whole store is
        not indexed (see `stream_writing`); None once it is."""
        return self._stream_writer if self._unindexed is not None else None

    def _about(self, entity: str, stored_by: DateLike | None) -> Projection:
        """The projection that answers about one instrument (or the statements): while the whole
        store is not indexed, one holding that stream (see `stream_view`); else `_caught_up`."""
        view = self._unindexed
        if stored_by is None and view is not None:
            return view.projection([entity])
        return self._caught_up(stored_by)

    def _caught_up(self, stored_by: DateLike | None = None) -> Projection:
        """The projection that answers: this ledger's, caught up with its store, or with `stored_by`
        that of the ledger as its store held it then (see `as_stored`)."""
        if stored_by is not None:
            return self.as_stored(stored_by)._caught_up()
        self.catch_up()
        return self._projection

    def instruments(self) -> list[str]:
        """Slugs of every instrument the ledger knows."""
        view = self._unindexed
        if view is not None:
            return view.instruments()
        return self._caught_up().entities("instrument")

    def case_slugs(self) -> list[str]:
        """Slugs of every detention case the ledger knows."""
        return self._caught_up().entities("case")

    def signatories(
        self,
        instrument: str,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> Signatories:
        """Each party's status in an instrument as of a date (default today), known at R (default now),
        as this store held it at S (`stored_by`, default now; see `as_stored`)."""
        return self._about(f"instrument:{instrument}", stored_by).signatories(
            instrument, as_of=query_date(as_of, "as_of"), known_at=query_time(known_at, "known_at")
        )

    def cases(
        self,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        only: Iterable[str] | None = None,
        designation: str | None = None,
        stored_by: DateLike | None = None,
    ) -> Cases:
        """Every detention case (or only these, or only those with a `designation`) begun by a date,
        as known at a time (and stored by one).

        On a store that keeps complete history tables (`rebuild_histories`), a ledger that has
        not indexed the whole store reads the answer from `case_history` (see `stream_view`).
        """
        only = list(only) if only is not None else None  # read by either path below
        view = self._unindexed
        if stored_by is None and view is not None:
            found = view.cases(
                query_date(as_of, "as_of"), query_time(known_at, "known_at"), only, designation
            )
            if found is not None:
                return found
        return self._caught_up(stored_by).cases(
            as_of=query_date(as_of, "as_of"),
            known_at=query_time(known_at, "known_at"),
            only=only,
            designation=designation,
        )

    def case(
        self,
        slug: str,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> CaseRow | None:
        """One detention case as of a date (None if it had not begun), as known at a time."""
        result = self.cases(as_of=as_of, known_at=known_at, only=[slug], stored_by=stored_by)
        return result.rows[0] if result.rows else None

    def condemnations(
        self,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        actor: str | None = None,
        target: str | None = None,
        stored_by: DateLike | None = None,
    ) -> Condemnations:
        """Condemnations made by a date, as known at a time, optionally by actor or target."""
        return self._about(STATEMENTS, stored_by).condemnations(
            as_of=query_date(as_of, "as_of"),
            known_at=query_time(known_at, "known_at"),
            actor=resolve_party(actor) if actor else None,
            target=resolve_party(target) if target else None,
        )

    def reservations(
        self,
        instrument: str,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> Reservations:
        """Reservations and declarations to a treaty in force on a date, each with its objections."""
        return self._about(f"instrument:{instrument}", stored_by).reservations(
            instrument, as_of=query_date(as_of, "as_of"), known_at=query_time(known_at, "known_at")
        )

    def relations(
        self,
        instrument: str,
        party: str,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> Relations:
        """Towards which other participants a treaty binds a party on a date (objections that
        preclude entry into force between two parties included)."""
        return self._about(f"instrument:{instrument}", stored_by).relations(
            instrument,
            resolve_party(party),
            as_of=query_date(as_of, "as_of"),
            known_at=query_time(known_at, "known_at"),
        )

    def timeline(
        self, party: str, *, known_at: DateLike | None = None, stored_by: DateLike | None = None
    ) -> Timeline:
        """Every fact about a party (code or name) or a non-state actor (`actor:SLUG`), oldest first."""
        projection = self._caught_up(stored_by)
        return projection.timeline(resolve_captor(party), known_at=query_time(known_at, "known_at"))

    def actors(self, *, known_at: DateLike | None = None) -> dict[str, ActorRegistered]:
        """Every registered non-state actor by its code (`actor:SLUG`), as known at a time."""
        return self._caught_up().actors(query_time(known_at, "known_at"))

    def warnings(self) -> list[LedgerWarning]:
        """Legal facts worth a second look: a consent with no signature recorded, an entry into
        force that the final clauses date otherwise (`validate` prints them as warnings)."""
        return self._caught_up().warnings()

    # -- the store's own time ------------------------------------------------------------------

    def stamps(self) -> list[Stamp]:
        """When each batch this ledger holds was stored, by the store's own clock, oldest first.

        A stamp is taken by the store in the batch's own transaction, never from a log, and
        never goes back (see `storage.stamps`): the audit trail of what the ledger held when.
        """
        return self._writer.stamps()

    def as_stored(self, stored_by: DateLike) -> Ledger:
        """This ledger as its store held it at `stored_by` (by the store's clock): a read-only ledger.

        Its answers are what queries answered then, and no later write can change them, not
        even one whose facts say they were recorded earlier (`recorded_at` is what a log
        says; the stamp is what the store did). `stored_by` may not be in the future, nor
        before the first stamp of a store that holds events stored by an earlier version
        of this library (which kept no storage times). The ledger it returns indexes the
        events it held afresh (memory as for a ledger of that size); the last one is kept
        for the next question about the same time.
        """
        moment = query_time(stored_by, "stored_by")
        assert moment is not None  # noqa: S101 - a DateLike, not None
        held, kept = self._writer.held_at(moment)
        if self._snapshot is not None and self._snapshot[0] == held:
            return self._snapshot[1]
        records = list(self._indexed().recorded(held))
        snapshot = Ledger(FrozenStore(records, kept, f"the ledger as stored by {moment.isoformat()}"))
        self._snapshot = (held, snapshot)
        return snapshot

    def events(self, *, stored_by: DateLike | None = None) -> Iterator[Event]:
        """Every recorded event, in the order it was stored (only those stored by `stored_by`)."""
        return iter(self._caught_up(stored_by).events())  # type: ignore[arg-type]

    def to_jsonl(
        self, destination: str | os.PathLike[str] | IO[bytes], *, stored_by: DateLike | None = None
    ) -> int:
        """Write every recorded event (stored by `stored_by`) as log format v1, to a file or a binary
        stream; return how many."""
        if stored_by is not None:
            return self.as_stored(stored_by).to_jsonl(destination)
        self.catch_up()
        if isinstance(destination, str | os.PathLike):
            with Path(destination).open("wb") as handle:
                return self.to_jsonl(handle)
        count = 0
        for line in self._projection.lines():
            destination.write(line)
            destination.write(b"\n")
            count += 1
        return count

    def inventory(self) -> dict[str, Any]:
        """Every instrument, case and non-state actor the ledger holds, with how many events each has,
        and the statements and events in all: what `declaration-events list` prints (JSON-ready).

        A ledger that has not indexed its store answers from the history tables and the openings,
        where the store keeps complete tables (see `stream_view`)."""
        view = self._unindexed
        if view is not None:
            found = view.inventory()
            if found is not None:
                return found
        projection = self._caught_up()
        cases = []
        for slug in projection.entities("case"):
            history = projection.case_history(slug)
            last = history.states[-1] if history is not None and history.states else None
            cases.append((slug, last.person, last.detained_by) if last is not None else (slug, "", None))
        return inventory(projection, self.event_counts(), projection.entities("instrument"), cases)

    def event_counts(self) -> dict[str, int]:
        """How many events each entity holds (`instrument:SLUG`, `case:SLUG`, `statements`), sorted.

        Corrections and retractions count with the entity of the fact they amend.
        """
        self.catch_up()
        return {entity: count for entity, count in sorted(self._writer.versions.items()) if count}

    # -- history tables (see `storage.tables`) ----------------------------------------------

    def rebuild_histories(self) -> Histories:
        """Write the store's history tables afresh from its events (`declaration-events rebuild`), and
        return the rows; on a store that keeps none (in memory), only return them."""
        return self._writer.rebuild_histories()

    def history_rows(self) -> Histories:
        """Every row of both history tables, computed from the events (what `rebuild_histories` writes)."""
        return self._writer.history_rows()

    def history_frame(self, table: str = "signatory_history") -> pd.DataFrame:
        """`signatory_history` or `case_history` as a DataFrame, one row per row of the table (computed
        from the events: the same on every store)."""
        from .notebook import frame

        histories = self.history_rows()
        rows: Sequence[SignatoryInterval | CaseInterval]
        if table == "signatory_history":
            rows = histories.signatories
            head = [
                Column("instrument", "category", [r.instrument for r in histories.signatories]),
                Column("party", "category", [r.party for r in histories.signatories]),
            ]
        elif table == "case_history":
            rows = histories.cases
            head = [Column("case_slug", "category", [r.case_slug for r in histories.cases])]
        else:
            raise UsageError(f"table: {table!r} is not signatory_history or case_history")
        columns = [
            *head,
            Column("status", "category", [r.status for r in rows]),
            Column("valid_from", "date", [r.valid_from for r in rows]),
            Column("valid_until", "date", [r.valid_until for r in rows]),
            Column("known_from", "datetime", [r.known_from for r in rows]),
            Column("known_until", "datetime", [r.known_until for r in rows]),
            Column("uncertain", "bool", [r.uncertain for r in rows]),
            Column("event_id", "text", [str(r.event_id) for r in rows]),
        ]
        if table == "case_history":
            columns.insert(
                -2, Column("days_detained_before", "int", [r.days_detained_before for r in histories.cases])
            )
            columns.insert(-2, Column("in_custody", "bool", [r.in_custody for r in histories.cases]))
            cases = histories.cases
            columns += [
                Column("days_restricted_before", "int", [r.days_restricted_before for r in cases]),
                Column("restricted", "bool", [r.restricted for r in cases]),
                Column("days_deprived_before", "int", [r.days_deprived_before for r in cases]),
                Column("deprived", "bool", [r.deprived for r in cases]),
                Column("details", "text", [r.details for r in cases]),
            ]
        return frame(columns, {"table": table})

    # -- notebooks (pandas imported by these methods only; see `notebook`) -------------------

    def events_frame(self) -> pd.DataFrame:
        """Every recorded event as a DataFrame row: type, both times, entity, party, CAMEO, PLOVER."""
        from .notebook import events_frame

        self.catch_up()
        return events_frame(self._projection.events(), self._projection.entity_of)

    def signatory_counts(
        self,
        instrument: str,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        freq: Freq = "D",
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> pd.DataFrame:
        """Parties by status on the dates of a pandas frequency, `end` last (see `counts.period_ends`).

        `freq`: any pandas offset alias or `DateOffset`: `D`, `W` (`W-SUN`), `ME`, `QE`, `YE`,
        `MS`, `2ME`, ...; `M`, `Q` and `Y` are month, quarter and year ends, as before pandas 2.2.
        """
        about = {"instrument": instrument}
        return self._counts_frame(counts.signatory_counts, start, end, freq, known_at, stored_by, **about)

    def cases_over_time(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        freq: Freq = "D",
        known_at: DateLike | None = None,
        stored_by: DateLike | None = None,
    ) -> pd.DataFrame:
        """Detention cases by status on the dates of a pandas frequency (as `signatory_counts`)."""
        return self._counts_frame(counts.case_counts, start, end, freq, known_at, stored_by)

    def _counts_frame(
        self,
        count: Callable[..., counts.Counts],
        start: DateLike | None,
        end: DateLike | None,
        freq: Freq,
        known_at: DateLike | None,
        stored_by: DateLike | None,
        **about: str,
    ) -> pd.DataFrame:
        """`count`'s counts over time (of the ledger as stored by `stored_by`) as a DataFrame."""
        from .notebook import counts_frame, require_extra

        require_extra("pandas")
        # One instrument's counts read its stream alone while the store is not indexed whole.
        instrument = about.get("instrument")
        projection = (
            self._about(f"instrument:{instrument}", stored_by) if instrument else self._caught_up(stored_by)
        )
        start_on, end_on, known = (
            query_date(start, "start"),
            query_date(end, "end"),
            query_time(known_at, "known_at"),
        )
        return counts_frame(
            *count(projection, *about.values(), start=start_on, end=end_on, freq=freq, known_at=known)
        )

    def _repr_html_(self) -> str:
        """Compact HTML: event counts, then the instruments and cases as of today."""
        events = list(self.events())
        recorded = sorted(e.recorded_at for e in events if e.recorded_at is not None)
        instruments = [
            [slug, result.title, result.kind, render.counted(result.counts, thousands=True)]
            for slug, result in ((slug, self.signatories(slug)) for slug in self.instruments())
        ]
        cases = self.cases()
        case_rows = [
            [r.case, r.person, r.detained_by_name or "", r.status, f"{r.days_detained:,}"] for r in cases
        ]
        return render.ledger_html(
            Counter(e.type for e in events),
            recorded[:1] + recorded[-1:],
            instruments,
            case_rows,
            cases.counts,
        )

    def close(self) -> None:
        """Release the store's connections and files."""
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<Ledger {len(self)} events, {len(self.instruments())} instruments, "
            f"{len(self.case_slugs())} cases>"
        )
