"""The write side's commit loop: a checked batch into the store, and the store into the projection.

A `Writer` holds a ledger's store, the projection that indexes it, how far the projection
has read (`position`) and how many events each entity stream holds (`versions`). `record`
prepares a batch (`checking.prepare`), checks it whole (`checking.check`; a large batch on two
cores, `parallel_check`) and appends it with the versions it was checked against; when another
writer got in first the store raises `ConcurrencyError`, and the writer reads what was added,
checks again and retries after a random pause (`MAX_RETRIES`, `RETRY_BACKOFF`). Once appended,
the batch is read back into the projection (`catch_up`), which adopts the check's folds where
no other writer got in between. `held_at` tells what the store held at a time by its own clock.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from . import checking, parallel_check, render
from .actors import is_actor
from .checking import Locations
from .errors import BackdatedError, ConcurrencyError, DeclarationEventsError, InvalidEventError, StoreError
from .events import STATEMENTS, EventBase
from .progress import OFF, Progress
from .projections import Projection, interval_of
from .records import Recorded, packed_strings
from .rules import CaseHistory, InstrumentHistory
from .storage import Stamp, Store
from .storage.tables import CaseInterval, Closed, Histories, SignatoryInterval

__all__ = ["MAX_RETRIES", "RETRY_BACKOFF", "RecordResult", "Writer"]

#: How many times a batch is re-checked and re-appended after another writer got in first.
MAX_RETRIES = 50
#: Longest random pause before a retry, in seconds: doubling from the first, up to the last.
RETRY_BACKOFF = (0.002, 0.5)


@dataclass(frozen=True)
class RecordResult:
    """What a `record_many` call did."""

    added: int
    duplicates: int
    #: Of the added events, those recorded before a fact already stored about the same entity:
    #: each changes what an earlier `known_at` answers (`stored_by` answers stay as they were).
    backdated: int = 0


def _backdated_error(backdated: Sequence[UUID]) -> BackdatedError:
    count = len(backdated)
    return BackdatedError(
        f"event {backdated[0]} is recorded before facts already stored about the same entity "
        f"({render.plural(count, 'backdated event')} in the batch); nothing was written "
        "(without --no-backdate, or with backdate=True, they are recorded and counted)",
        event_id=str(backdated[0]),
        count=count,
    )


class Writer:
    """A store and the projection kept in step with it: batches in, other writers' events read."""

    def __init__(self, store: Store, projection: Projection) -> None:
        self.store = store
        self.projection = projection
        self.position = 0  # the store position of the last event indexed
        self.versions: dict[str, int] = defaultdict(int)  # events per entity stream in the store
        self._replace_all = False  # compute every history row of an entity again (after a refusal)

    def record(
        self,
        items: Sequence[Recorded | EventBase],
        locations: Mapping[UUID, str] | None,
        now: datetime,
        progress: Progress = OFF,
        *,
        backdate: bool = True,
    ) -> RecordResult:
        """Record a batch whole or not at all (see `Ledger.record_many`); errors name `locations`."""
        try:
            batch, duplicates = checking.prepare(self.projection, items, now)
        except DeclarationEventsError as exc:
            checking.locate(exc, locations)  # a reused id or an impossible record time: name the line
            raise
        if isinstance(items, list):
            items.clear()  # the batch holds what is left: do not keep two lists of a large import
        added, late, backdated = self._commit(batch, locations, progress, backdate=backdate)
        return RecordResult(added=added - late, duplicates=duplicates + late, backdated=backdated)

    def _commit(
        self,
        batch: list[Recorded],
        locations: Mapping[UUID, str] | None,
        progress: Progress = OFF,
        *,
        backdate: bool = True,
    ) -> tuple[int, int, int]:
        """Check and append the batch, retrying after other writers.

        Returns how many events the batch had, how many other writers recorded first, and
        how many of those appended were backdated.
        """
        recorded_by_others = 0
        size = len(batch)
        for attempt in range(MAX_RETRIES):
            if self._refresh(batch):
                # Another writer may have recorded some of the same facts since `prepare` ran.
                batch, found = checking.prepare(self.projection, batch)
                recorded_by_others += found
            if not batch:
                return size, recorded_by_others, 0
            try:
                plan = parallel_check.check(
                    self.projection, self.versions, batch, progress, knows=self._knows
                )
                if plan.backdated and not backdate:
                    raise _backdated_error(plan.backdated)
            except DeclarationEventsError as exc:
                checking.locate(exc, locations)
                raise
            expected = plan.expected
            histories = self._histories(plan.records)
            more: dict[str, Any] = {} if histories is None else {"histories": histories}
            if getattr(self.store, "ids_missing", bool)():  # written by an earlier version: index them
                more["known_ids"] = self.projection.entity_ids()
            try:
                with progress.stage("storing", total=len(plan.records)) as bar:
                    self.store.append(plan.records, expected, **more)  # (a store of the first protocol: two)
                    if bar is not None:
                        bar.update(len(plan.records))
            except ConcurrencyError:
                self._replace_all = True  # the next attempt assumes nothing of the tables' open rows
                pause = min(RETRY_BACKOFF[1], RETRY_BACKOFF[0] * 2**attempt)
                time.sleep(random.uniform(0, pause))  # noqa: S311 - jitter, not secrets
                continue
            self._replace_all = False
            for record in plan.records:
                expected[record.entity] += 1  # now: each stream's version after this batch
            stored = len(plan.records)
            plan.records.clear()
            batch.clear()  # the store holds them now; the projection is about to
            if isinstance(locations, Locations):
                locations.release()
            self.catch_up(progress, stored)
            self._adopt_folds(plan.folded, expected)
            return size, recorded_by_others, len(plan.backdated)
        raise ConcurrencyError(
            f"gave up after {MAX_RETRIES} attempts: other writers kept changing the same entities"
        )

    def _refresh(self, batch: Sequence[Recorded]) -> int:
        """Read what the store gained that a batch is checked against (here: everything); how much."""
        return self.catch_up()

    def _knows(self, entity: str) -> bool:
        """Whether the store holds a fact of this entity (what a statement or a link may name)."""
        return self.projection.knows(entity)

    # -- history tables (see `storage.tables`) ------------------------------------------------------

    def _histories(self, records: Sequence[Recorded]) -> Histories | None:
        """The history rows a checked batch changes, for the store to write with it (None if it keeps none).

        The rows of each instrument and case the batch adds to, and, when it adds or amends a
        continuation, of every instrument naming a state concerned; computed on the stored facts
        of those entities and the batch, before it is appended.
        """
        if not getattr(self.store, "keeps_histories", False):
            return None
        added = {record.entity for record in records}
        entities = {entity for entity in added if entity.startswith(("instrument:", "case:"))}
        if any(record.entity == STATEMENTS and record.type != "Condemned" for record in records):
            # A continuation, or an amendment that may change one (its parties, its dates): every
            # instrument's rows may change with it. Rare; computed whole.
            entities |= {f"instrument:{slug}" for slug in self.projection.entities("instrument")}
        # A case's rows show the cases linking to it and its captor's name: a batch adding to a
        # linking case or to an actor changes them (see `Projection.case_relatives`).
        for entity in added:
            if is_actor(entity):
                entities |= {e for e in self.projection.naming(entity) if e.startswith("case:")}
        scratch, relatives = self._scratch(entities, records)
        # Facts recorded after all an entity holds change only its open rows: end those that stop
        # and add the new (two folds per new record time); otherwise all its rows are computed again.
        times: dict[str, list[datetime]] = defaultdict(list)
        for record in records:
            stamp = packed_strings(record.packed, ("recorded_at",)).get("recorded_at")
            if isinstance(stamp, str):
                times[record.entity].append(datetime.fromisoformat(stamp))
        continued = times.get(STATEMENTS, [])
        replaced: list[str] = []
        rows: list[SignatoryInterval | CaseInterval] = []
        closed: list[Closed] = []
        for entity in sorted(entities):
            held = self.projection.record_times(entity)
            new = times.get(entity, []) + (continued if entity.startswith("instrument:") else [])
            for relative in scratch.case_relatives(entity):  # a relative's record may be backdated
                new += times.get(relative, [])
            if held and new and min(new) > held[-1] and not self._replace_all:
                later = [moment for moment in scratch.record_times(entity) if moment > held[-1]]
                before = self.projection.rows_believed(entity, held[-1])
                opened, ended = scratch.history_changes(entity, later, before)
                rows += opened
                closed += [Closed(_keyed(entity, key, at), at) for key, at in ended]
            else:
                replaced.append(entity)
                rows += scratch.history_intervals(entity)
        unchanged = ((entities | relatives) - added) & set(self.versions)
        if any(entity.startswith("instrument:") for entity in entities) and STATEMENTS not in added:
            unchanged.add(STATEMENTS)  # instrument rows show continuations: none may come meanwhile
        return _histories_of(
            tuple(replaced),
            rows,
            closed=tuple(closed),
            unchanged=tuple((entity, self.versions[entity]) for entity in sorted(unchanged)),
        )

    def _scratch(self, entities: set[str], records: Sequence[Recorded]) -> tuple[Projection, set[str]]:
        """A projection of the stored facts of some entities and their relatives, and the batch; and
        the relatives (`Projection.case_relatives`: read, not rewritten). `entities` grows by the
        cases the batch's cases link to, as recorded or as corrected (their rows show the link)."""
        names: set[str] = set()
        while True:
            scratch = Projection()
            scratch.add_recorded(itertools.chain(self.projection.recorded_of(sorted(names)), records))
            linked = {e for e in entities if e.startswith("case:")}
            for case in linked:
                slugs = {*scratch.links_from(case), *self.projection.links_from(case)}
                entities |= {f"case:{slug}" for slug in slugs}
            relatives: set[str] = set()
            for entity in entities:
                if self.projection.knows(entity):
                    relatives.update(self.projection.case_relatives(entity))
                relatives.update(scratch.case_relatives(entity))
            relatives -= entities
            if entities | relatives == names:
                return scratch, relatives
            names = entities | relatives

    def rebuild_histories(self) -> Histories:
        """Write the history tables afresh from every stored event (what `declaration-events rebuild`
        does); return what was written. Retries while other writers add events meanwhile."""
        write = getattr(self.store, "write_histories", None)
        for attempt in range(MAX_RETRIES):
            with checking.bulk():
                self.catch_up()
            histories = self.history_rows()
            if write is None:
                return histories
            try:
                write(histories, self.position)
            except ConcurrencyError:
                time.sleep(random.uniform(0, min(RETRY_BACKOFF[1], RETRY_BACKOFF[0] * 2**attempt)))  # noqa: S311
                continue
            return histories
        raise ConcurrencyError(f"gave up after {MAX_RETRIES} attempts: other writers kept adding events")

    def history_rows(self) -> Histories:
        """Every row of both history tables, from the events indexed so far (caught up first)."""
        with checking.bulk():
            self.catch_up()
        names = {f"instrument:{slug}" for slug in self.projection.entities("instrument")}
        names |= {f"case:{slug}" for slug in self.projection.entities("case")}
        return _histories_of(tuple(sorted(names)), _rows(self.projection, names), complete=True)

    def _adopt_folds(
        self, folded: dict[str, InstrumentHistory | CaseHistory], versions: Mapping[str, int]
    ) -> None:
        """Hand the write side's folds to the projection, where no other writer got in between.

        `versions`: each stream's version just after this batch was appended.
        """
        while folded:
            entity, history = folded.popitem()
            if self.versions[entity] == versions[entity]:
                self.projection.prime(entity, history)

    def catch_up(self, progress: Progress = OFF, total: int | None = None) -> int:
        """Index what the store has beyond our position (`progress` counts it, out of `total` if known)."""
        count = 0

        def records() -> Iterator[Recorded]:
            nonlocal count
            for position, record in self.store.read(after=self.position):
                yield record
                # Indexed (the projection asked for the next one): only now is it caught up with.
                self.position = position  # positions may have gaps (PostgreSQL sequences)
                self.versions[record.entity] += 1
                count += 1

        self.projection.add_recorded(progress.iterate(records(), "indexing", total=total))
        return count

    # -- the store's own time ------------------------------------------------------------------

    def stamps(self) -> list[Stamp]:
        """The store's stamps of the batches it holds, once the projection has caught up, oldest first."""
        with checking.bulk():
            self.catch_up()
        held = len(self.projection)
        return [stamp for stamp in self.store.stamps() if stamp.events <= held]

    def held_at(self, moment: datetime) -> tuple[int, list[Stamp]]:
        """How many events the store held at `moment` by its own clock, and the stamps up to then.

        Raises `InvalidEventError` for a moment in the future and `StoreError` for one before
        the store kept storage times (see `Ledger.as_stored`).
        """
        if moment > datetime.now(UTC):
            raise InvalidEventError(
                f"stored_by: {moment.isoformat()} is in the future; "
                "what the store holds by then may still change"
            )
        stamps = self.stamps()
        kept = [stamp for stamp in stamps if stamp.stored_at <= moment]
        unstamped = stamps[0].events - stamps[0].added if stamps else len(self.projection)
        if not kept and unstamped:
            since = f" (the first at {stamps[0].stored_at.isoformat()})" if stamps else ""
            raise StoreError(
                f"cannot tell what the ledger held at {moment.isoformat()}: its first "
                f"{render.plural(unstamped, 'event')} were stored before it kept storage times{since}"
            )
        return (kept[-1].events if kept else 0), kept


def _rows(projection: Projection, entities: set[str]) -> list[SignatoryInterval | CaseInterval]:
    """Every history row of these instruments and cases."""
    return [row for entity in sorted(entities) for row in projection.history_intervals(entity)]


def _histories_of(
    entities: tuple[str, ...], rows: list[SignatoryInterval | CaseInterval], **more: Any
) -> Histories:
    """Rows to write, each in its table."""
    return Histories(
        entities=entities,
        signatories=tuple(row for row in rows if isinstance(row, SignatoryInterval)),
        cases=tuple(row for row in rows if isinstance(row, CaseInterval)),
        **more,
    )


def _keyed(entity: str, key: tuple[object, ...], until: datetime) -> SignatoryInterval | CaseInterval:
    """The open row of `key` (its `known_from` is not needed to find it: `until` stands in)."""
    return interval_of(entity, key, until, None)
