"""The Ledger: the one object users hold to record facts and ask what was true when."""

from __future__ import annotations

import gc
import os
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from .dates import PartialDate, parse_date, parse_datetime
from .errors import (
    DeclarationEventsError,
    EventLogError,
    InvalidEventError,
    InvalidTransitionError,
    LineError,
)
from .eventlog import LogSource, iter_events, source_name
from .events import (
    CasesLinked,
    Condemned,
    Corrected,
    Event,
    EventBase,
    Retracted,
    Source,
    parse_event,
)
from .parties import resolve_party
from .projections import Projection
from .records import AMENDMENT_TYPES, Recorded, packed_strings
from .results import CaseRow, Cases, Condemnations, Signatories, Timeline
from .rules import (
    RULES,
    CaseHistory,
    InstrumentHistory,
    apply_amendments,
    fold_case,
    fold_instrument,
    valid_time_key,
)
from .store import ConcurrencyConflict, MemoryStore, Store

if TYPE_CHECKING:
    import pandas as pd

    from .notebook import Freq

__all__ = ["Ledger", "RecordResult"]

STATEMENTS = "statements"
#: What a statement may name, read from its packed line without decoding it.
_REFERENCES = ("instrument", "case")
EventBaseT = TypeVar("EventBaseT", bound=EventBase)

DateLike = date | datetime | str
#: How far a record time may run ahead of this machine's clock (clock skew between writers).
MAX_CLOCK_SKEW = timedelta(minutes=5)
#: How many times a batch is re-checked and re-appended after another writer got in first.
MAX_RETRIES = 50
#: Longest random pause before a retry, in seconds: doubling from the first, up to the last.
RETRY_BACKOFF = (0.002, 0.5)


@dataclass(frozen=True)
class RecordResult:
    """What a `record_many` call did."""

    added: int
    duplicates: int


def _valid_date(value: DateLike | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InvalidEventError(f"{name}: {exc}") from None


def _record_time(value: DateLike | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidEventError(f"{name}: {exc}") from None


class _Locations(Mapping[UUID, str]):
    """`FILE:LINE` of each event of the logs being imported, formatted only when an error asks."""

    def __init__(self) -> None:
        self._files: list[tuple[str, dict[UUID, int]]] = []

    def file(self, label: str) -> dict[UUID, int]:
        """The line numbers of one more file, filled by `iter_events`."""
        numbers: dict[UUID, int] = {}
        self._files.append((label, numbers))
        return numbers

    def __getitem__(self, event_id: UUID) -> str:
        for label, numbers in reversed(self._files):  # an id in two files: the later one is at fault
            number = numbers.get(event_id)
            if number is not None:
                return f"{label}:{number}"
        raise KeyError(event_id)

    def __iter__(self) -> Iterator[UUID]:
        for _, numbers in self._files:
            yield from numbers

    def __len__(self) -> int:
        return sum(len(numbers) for _, numbers in self._files)

    def release(self) -> None:
        """Forget every line: the batch is stored, no error can name one any more."""
        self._files.clear()


def _locate(error: DeclarationEventsError, locations: Mapping[UUID, str] | None) -> None:
    """Prefix an error with the log line of the event it names, when known."""
    event_id = getattr(error, "event_id", None)
    if not locations or event_id is None:
        return
    where = locations.get(UUID(event_id))
    if where and error.args and not str(error.args[0]).startswith(where):
        error.args = (f"{where}: {error.args[0]}", *error.args[1:])
        error.location = where  # type: ignore[attr-defined]


def _fold(
    entity: str, facts: Sequence[EventBase], amendments: Sequence[Corrected | Retracted]
) -> tuple[list[EventBase], InstrumentHistory | CaseHistory | None]:
    """Apply the amendments and fold the entity's facts strictly; return the belief and its history."""
    believed = apply_amendments(facts, amendments, strict=True)
    kind, _, slug = entity.partition(":")
    if kind == "instrument":
        return believed, fold_instrument(slug, believed, strict=True)
    if kind == "case":
        return believed, fold_case(slug, believed, strict=True)
    return believed, None


def _blame(
    error: InvalidTransitionError,
    entity: str,
    facts: Sequence[EventBase],
    stored_amendments: Sequence[Corrected | Retracted],
    new_facts: Sequence[EventBase],
    new_amendments: Sequence[Corrected | Retracted],
) -> InvalidTransitionError:
    """The error to report when a batch leaves an entity's history illegal, naming the batch's event at fault.

    The rules stop at the first illegal fact in valid-time order. That fact may be one
    recorded long ago, made illegal by a new fact dated before it, or a fact (new or old)
    made illegal by a correction or retraction of this batch: then the error names the
    batch's event that caused it, so that its log line can be shown.
    """
    culprit: EventBase | None = None
    blamed = {str(event.id) for event in [*new_facts, *new_amendments]}
    new_ids = {event.id for event in new_facts}
    stored_facts = [fact for fact in facts if fact.id not in new_ids]
    if new_amendments and error.event_id not in {str(a.id) for a in new_amendments}:
        try:
            _fold(entity, facts, stored_amendments)
        except DeclarationEventsError:
            pass  # illegal without this batch's amendments too: a fact is at fault
        else:
            culprit = _first_failing(
                [a for a in new_amendments if str(a.target) == error.event_id] or new_amendments,
                lambda prefix: _fold(entity, facts, [*stored_amendments, *prefix]),
            )
    if culprit is None and new_facts and error.event_id not in blamed:
        culprit = _first_failing(
            sorted(new_facts, key=valid_time_key),
            lambda prefix: _fold(entity, [*stored_facts, *prefix], stored_amendments),
        )
    if culprit is None:
        return error
    return InvalidTransitionError(
        f"{culprit.type} {culprit.id} would make the history of {entity} illegal: {error}",
        rule=error.rule,
        event_id=str(culprit.id),
        event_type=culprit.type,
        entity=error.entity or entity,
        status=error.status,
    )


#: How many of a batch's events the error path re-folds one by one to find the one at fault.
MAX_BLAME_SEARCH = 500


def _first_failing(
    candidates: Sequence[EventBaseT], fold: Callable[[Sequence[EventBaseT]], object]
) -> EventBaseT | None:
    """The first candidate whose addition (in order) makes the fold fail; the last one if none alone does."""
    if not candidates:
        return None
    if len(candidates) <= MAX_BLAME_SEARCH:
        for index in range(len(candidates)):
            try:
                fold(candidates[: index + 1])
            except DeclarationEventsError:
                return candidates[index]
    return candidates[0] if len(candidates) > MAX_BLAME_SEARCH else candidates[-1]


class Ledger:
    """Records diplomatic facts through the rules and answers point-in-time questions."""

    def __init__(self, store: Store | None = None) -> None:
        self._store: Store = store if store is not None else MemoryStore()
        self._projection = Projection()
        self._folded: dict[str, InstrumentHistory | CaseHistory] = {}
        self._position = 0
        self._versions: dict[str, int] = defaultdict(int)  # events per entity stream in the store
        self.catch_up()

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str | os.PathLike[str], *, cipher_key: str | None = None) -> Ledger:
        """A ledger on a durable store, created on first use; see `eventstore.open_store`.

        `url`: a file path or `sqlite:///PATH` (SQLite), `postgresql://USER:PASSWORD@HOST:PORT/DB`
        (optionally `?schema=NAME`), or `memory:`. `cipher_key` encrypts events at rest.
        """
        from .eventstore import open_store  # here: keeps eventsourcing's import out of plain use

        store = open_store(os.fspath(url), cipher_key=cipher_key)
        try:
            return cls(store)
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
    def from_jsonl(cls, *paths: LogSource) -> Ledger:
        """An in-memory ledger holding the facts of one or more logs (checked as one batch)."""
        ledger = cls()
        ledger.import_logs(*paths)
        return ledger

    def import_logs(self, *sources: LogSource) -> RecordResult:
        """Record the facts of one or more logs, all or nothing; errors name file and line.

        Each line is validated, then kept only as its canonical line (see `records`):
        a log of millions of events is not held in memory as models.
        """
        with self._bulk():
            now = datetime.now(UTC)
            locations = _Locations()
            items: list[Recorded | EventBase] = []
            errors: list[LineError] = []
            for source in sources:
                label = source_name(source)
                try:
                    for event in iter_events(source, name=label, line_numbers=locations.file(label)):
                        if not errors:
                            items.append(self._compact(event, now))
                except EventLogError as exc:
                    errors.extend(exc.errors)
            if errors:
                raise EventLogError(errors)
            return self._record_many(items, locations, now)

    @staticmethod
    @contextmanager
    def _bulk() -> Iterator[None]:
        """Keep the cyclic garbage collector out of a bulk load.

        A load allocates millions of long-lived objects and no cycles; each automatic
        collection would walk all of them again (a third of a large load's time).
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            yield
        finally:
            if was_enabled:
                gc.enable()

    # -- writing -----------------------------------------------------------------------------

    def record(self, event: EventBase | Mapping[str, Any]) -> Event:
        """Record one fact through the rules; return it as stored (with its id and record time)."""
        parsed = parse_event(event)
        self.record_many([parsed])
        stored = self._projection.get(parsed.id)
        assert stored is not None  # noqa: S101 - just recorded or already there
        return stored  # type: ignore[return-value]

    def record_many(
        self,
        events: Iterable[EventBase | Mapping[str, Any]],
        *,
        locations: Mapping[UUID, str] | None = None,
    ) -> RecordResult:
        """Record facts as one batch: checked as a whole in valid-time order, taken whole or not at all."""
        with self._bulk():
            return self._record_many([parse_event(e) for e in events], locations, datetime.now(UTC))

    def _record_many(
        self,
        items: Sequence[Recorded | EventBase],
        locations: Mapping[UUID, str] | None,
        now: datetime,
    ) -> RecordResult:
        try:
            batch, duplicates = self._prepare(items, now)
        except DeclarationEventsError as exc:
            _locate(exc, locations)  # a reused id or an impossible record time: name the line
            raise
        if isinstance(items, list):
            items.clear()  # the batch holds what is left: do not keep two lists of a large import
        added, late = self._commit(batch, locations)
        return RecordResult(added=added - late, duplicates=duplicates + late)

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
        event = self._amendment("Corrected", target, reason, occurred_on, recorded_at, sources, note)
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
        event = self._amendment("Retracted", target, reason, occurred_on, recorded_at, sources, note)
        return self.record(event)  # type: ignore[return-value]

    @staticmethod
    def _amendment(
        kind: str,
        target: UUID | str | EventBase,
        reason: str,
        occurred_on: PartialDate | DateLike | None,
        recorded_at: DateLike | None,
        sources: Sequence[Source | Mapping[str, Any]],
        note: str | None,
    ) -> dict[str, Any]:
        stamp = _record_time(recorded_at, "recorded_at") or datetime.now(UTC)
        when = occurred_on if occurred_on is not None else stamp.date()
        if isinstance(when, datetime):
            when = when.date()
        return {
            "type": kind,
            "target": target.id if isinstance(target, EventBase) else target,
            "reason": reason,
            "occurred_on": when,
            "recorded_at": stamp,
            "sources": list(sources),
            "note": note,
        }

    @staticmethod
    def _stamp(event: EventBase, now: datetime) -> Recorded:
        """The event's record, stamped with `now` if it has no record time; its record time checked."""
        if event.recorded_at is None:
            try:
                event = event.recorded(now)
            except InvalidEventError as exc:
                exc.event_id = str(event.id)
                raise
        elif event.recorded_at > now + MAX_CLOCK_SKEW:  # (recorded_at - skew overflows early in year 1)
            error = InvalidEventError(
                f"{event.type} {event.id}: recorded_at {event.recorded_at.isoformat()} is in the future"
            )
            error.event_id = str(event.id)
            raise error
        return Recorded.of(event)

    def _compact(self, event: EventBase, now: datetime) -> Recorded | EventBase:
        """The event's record; the event itself if its record time is wrong (`_prepare` says so)."""
        try:
            return self._stamp(event, now)
        except InvalidEventError:
            return event

    def _prepare(
        self, items: Iterable[Recorded | EventBase], now: datetime | None = None
    ) -> tuple[list[Recorded], int]:
        """Stamp record times and drop facts already recorded (same id, same content)."""
        now = now or datetime.now(UTC)
        batch: list[Recorded] = []
        taken: dict[UUID, Recorded] = {}
        duplicates = 0
        for item in items:
            record = item if isinstance(item, Recorded) else self._stamp(item, now)
            earlier = taken.get(record.id)
            if earlier is not None or record.id in self._projection:
                first = earlier.decode() if earlier is not None else self._projection.get(record.id)
                event = record.decode()
                if first is None or not first.same_fact(event):
                    raise InvalidTransitionError(
                        f"{event.type} {event.id}: the id is already used by another fact "
                        f"({first.type if first else '?'}). Rule 'duplicate-id': {RULES['duplicate-id']}",
                        rule="duplicate-id",
                        event_id=str(event.id),
                        event_type=event.type,
                    )
                duplicates += 1
                continue
            taken[record.id] = record
            batch.append(record)
        return batch, duplicates

    def _commit(self, batch: list[Recorded], locations: Mapping[UUID, str] | None) -> tuple[int, int]:
        """Check and append the batch, retrying after other writers.

        Returns how many events the batch had and how many other writers recorded first.
        """
        recorded_by_others = 0
        size = len(batch)
        for attempt in range(MAX_RETRIES):
            if self.catch_up():
                # Another writer may have recorded some of the same facts since `_prepare` ran.
                batch, found = self._prepare(batch)
                recorded_by_others += found
            if not batch:
                return size, recorded_by_others
            self._folded = {}
            try:
                plan, expected = self._check(batch)
            except DeclarationEventsError as exc:
                _locate(exc, locations)
                raise
            try:
                self._store.append(plan, expected)
            except ConcurrencyConflict:
                pause = min(RETRY_BACKOFF[1], RETRY_BACKOFF[0] * 2**attempt)
                time.sleep(random.uniform(0, pause))  # noqa: S311 - jitter, not secrets
                continue
            for record in plan:
                expected[record.entity] += 1  # now: each stream's version after this batch
            plan.clear()
            batch.clear()  # the store holds them now; the projection is about to
            if isinstance(locations, _Locations):
                locations.release()
            self.catch_up()
            self._adopt_folds(expected)
            return size, recorded_by_others
        raise ConcurrencyConflict(
            f"gave up after {MAX_RETRIES} attempts: other writers kept changing the same entities"
        )

    def _adopt_folds(self, versions: Mapping[str, int]) -> None:
        """Hand the write side's folds to the projection, where no other writer got in between.

        `versions`: each stream's version just after this batch was appended.
        """
        folded, self._folded = self._folded, {}
        while folded:
            entity, history = folded.popitem()
            if self._versions[entity] == versions[entity]:
                self._projection.prime(entity, history)

    def _check(self, batch: Sequence[Recorded]) -> tuple[list[Recorded], dict[str, int]]:
        """Run the rules over every entity the batch touches; return the append plan.

        The models of each entity are decoded when its turn comes and dropped after.
        """
        projection = self._projection
        by_entity: dict[str, list[Recorded]] = defaultdict(list)
        plan: list[Recorded] = []
        amendment_records: list[Recorded] = []
        for record in batch:
            if record.type in AMENDMENT_TYPES:
                amendment_records.append(record)
                continue
            by_entity[record.entity].append(record)
            plan.append(record)
        amendments_in_batch: list[Corrected | Retracted] = [r.decode() for r in amendment_records]  # type: ignore[misc]
        targets = {amendment.target for amendment in amendments_in_batch}
        in_batch = {record.id: record for record in batch if record.id in targets} if targets else {}
        new_amendments: dict[str, list[Corrected | Retracted]] = defaultdict(list)
        for record, amendment in zip(amendment_records, amendments_in_batch, strict=True):
            entity = self._amendment_entity(amendment, in_batch)
            new_amendments[entity].append(amendment)
            plan.append(record._replace(entity=entity))
        touched = set(by_entity) | set(new_amendments)
        new_entities = set(by_entity)
        for entity in sorted(touched):
            amendments = new_amendments.get(entity, [])
            if entity == STATEMENTS:
                # Statements follow no state machine: check only what the batch adds or amends.
                self._check_statements(by_entity.get(entity, []), amendments, new_entities)
                continue
            new_facts = [record.decode() for record in by_entity.get(entity, ())]
            facts = projection.facts(entity) + new_facts
            try:
                believed, history = _fold(entity, facts, projection.amendments(entity) + amendments)
            except InvalidTransitionError as exc:
                stored = projection.amendments(entity)
                raise _blame(exc, entity, facts, stored, new_facts, amendments) from None
            if not entity.startswith("instrument:"):
                self._check_references(believed, new_entities)
            if history is not None:
                self._folded[entity] = history
        expected = {entity: self._versions[entity] for entity in touched}
        return plan, expected

    def _check_statements(
        self,
        new_records: Sequence[Recorded],
        amendments: Sequence[Corrected | Retracted],
        new_entities: set[str],
    ) -> None:
        targets = {amendment.target for amendment in amendments}
        new: list[EventBase] = []
        for record in new_records:
            if record.id in targets:
                new.append(record.decode())  # amended in the same batch: checked as amended, below
                continue
            named = packed_strings(record.packed, _REFERENCES)
            if any(self._unknown(f"{kind}:{slug}", new_entities) for kind, slug in named.items()):
                self._check_references((record.decode(),), new_entities)  # to raise, naming it
        if not amendments:
            return
        new_ids = {event.id for event in new}
        stored = [self._projection.get(target) for target in targets - new_ids]
        facts = [*new, *(event for event in stored if event is not None)]
        prior = [a for a in self._projection.amendments(STATEMENTS) if a.target in targets]
        try:
            believed = apply_amendments(facts, [*prior, *amendments], strict=True)
        except InvalidTransitionError as exc:
            raise _blame(exc, STATEMENTS, facts, prior, new, amendments) from None
        self._check_references(believed, new_entities)

    def _amendment_entity(self, amendment: Corrected | Retracted, in_batch: Mapping[UUID, Recorded]) -> str:
        target: EventBase | None = self._projection.get(amendment.target)
        record = in_batch.get(amendment.target) if target is None else None
        if record is not None:
            target = record.decode()
        rule, detail = "", ""
        if target is None:
            rule, detail = "unknown-target", f"no event {amendment.target} is recorded"
        elif isinstance(target, Corrected | Retracted):
            rule, detail = "amend-amendment", f"its target {target.id} is a {target.type}"
        elif (
            target.recorded_at is not None
            and amendment.recorded_at is not None
            and amendment.recorded_at < target.recorded_at
        ):
            rule, detail = "amend-before-target", "it is recorded before its target"
        if rule:
            raise InvalidTransitionError(
                f"{amendment.type} {amendment.id}: {detail}. Rule {rule!r}: {RULES[rule]}",
                rule=rule,
                event_id=str(amendment.id),
                event_type=amendment.type,
            )
        assert target is not None  # noqa: S101 - checked above
        return self._projection.entity_of(target.id) or (record.entity if record is not None else "")

    def _unknown(self, entity: str, new_entities: set[str]) -> bool:
        return entity not in new_entities and not self._projection.knows(entity)

    def _check_references(self, believed: Iterable[EventBase], new_entities: set[str]) -> None:
        for event in believed:
            wanted: list[str] = []
            if isinstance(event, Condemned):
                if event.instrument:
                    wanted.append(f"instrument:{event.instrument}")
                if event.case:
                    wanted.append(f"case:{event.case}")
            elif isinstance(event, CasesLinked):
                wanted.append(f"case:{event.other_case}")
            for entity in wanted:
                if self._unknown(entity, new_entities):
                    raise InvalidTransitionError(
                        f"{event.type} {event.id} names unknown {entity.replace(':', ' ')!r}. "
                        f"Rule 'unknown-reference': {RULES['unknown-reference']}",
                        rule="unknown-reference",
                        event_id=str(event.id),
                        event_type=event.type,
                        entity=entity,
                    )

    def catch_up(self) -> int:
        """Index events other writers appended to the store since the last look; return how many."""
        with self._bulk():
            return self._catch_up()

    def _catch_up(self) -> int:
        count = 0

        def records() -> Iterator[Recorded]:
            nonlocal count
            for position, record in self._store.read(after=self._position):
                yield record
                # Indexed (the projection asked for the next one): only now is it caught up with.
                self._position = position  # positions may have gaps (PostgreSQL sequences)
                self._versions[record.entity] += 1
                count += 1

        self._projection.add_recorded(records())
        return count

    # -- reading -----------------------------------------------------------------------------

    @property
    def projection(self) -> Projection:
        """The indexed read model behind the queries."""
        return self._projection

    def __len__(self) -> int:
        return len(self._projection)

    def instruments(self) -> list[str]:
        """Slugs of every instrument the ledger knows."""
        self.catch_up()
        return self._projection.entities("instrument")

    def case_slugs(self) -> list[str]:
        """Slugs of every detention case the ledger knows."""
        self.catch_up()
        return self._projection.entities("case")

    def signatories(
        self, instrument: str, *, as_of: DateLike | None = None, known_at: DateLike | None = None
    ) -> Signatories:
        """Each party's status in an instrument as of a date (default today), known at R (default now)."""
        self.catch_up()
        return self._projection.signatories(
            instrument,
            as_of=_valid_date(as_of, "as_of"),
            known_at=_record_time(known_at, "known_at"),
        )

    def cases(
        self,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        only: Iterable[str] | None = None,
    ) -> Cases:
        """Every detention case (or only these) begun by a date, as known at a time."""
        self.catch_up()
        return self._projection.cases(
            as_of=_valid_date(as_of, "as_of"), known_at=_record_time(known_at, "known_at"), only=only
        )

    def case(
        self, slug: str, *, as_of: DateLike | None = None, known_at: DateLike | None = None
    ) -> CaseRow | None:
        """One detention case as of a date (None if it had not begun), as known at a time."""
        result = self.cases(as_of=as_of, known_at=known_at, only=[slug])
        return result.rows[0] if result.rows else None

    def condemnations(
        self,
        *,
        as_of: DateLike | None = None,
        known_at: DateLike | None = None,
        actor: str | None = None,
        target: str | None = None,
    ) -> Condemnations:
        """Condemnations made by a date, as known at a time, optionally by actor or target."""
        self.catch_up()
        return self._projection.condemnations(
            as_of=_valid_date(as_of, "as_of"),
            known_at=_record_time(known_at, "known_at"),
            actor=resolve_party(actor) if actor else None,
            target=resolve_party(target) if target else None,
        )

    def timeline(self, party: str, *, known_at: DateLike | None = None) -> Timeline:
        """Every fact about a party (code or name), in valid-time order."""
        self.catch_up()
        return self._projection.timeline(resolve_party(party), known_at=_record_time(known_at, "known_at"))

    def events(self) -> Iterator[Event]:
        """Every recorded event, in the order it was recorded."""
        self.catch_up()
        return iter(self._projection.events())  # type: ignore[arg-type]

    def to_jsonl(self, path: str | os.PathLike[str]) -> int:
        """Write every recorded event as log format v1; return how many."""
        self.catch_up()
        count = 0
        with Path(path).open("wb") as handle:
            for line in self._projection.lines():
                handle.write(line)
                handle.write(b"\n")
                count += 1
        return count

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
    ) -> pd.DataFrame:
        """Parties by status at the end of each day, week, month or year (`freq` D, W, M, Y)."""
        from .notebook import signatory_counts

        self.catch_up()
        return signatory_counts(
            self._projection,
            instrument,
            start=_valid_date(start, "start"),
            end=_valid_date(end, "end"),
            freq=freq,
            known_at=_record_time(known_at, "known_at"),
        )

    def cases_over_time(
        self,
        *,
        start: DateLike | None = None,
        end: DateLike | None = None,
        freq: Freq = "D",
        known_at: DateLike | None = None,
    ) -> pd.DataFrame:
        """Detention cases by status at the end of each day, week, month or year."""
        from .notebook import cases_over_time

        self.catch_up()
        return cases_over_time(
            self._projection,
            start=_valid_date(start, "start"),
            end=_valid_date(end, "end"),
            freq=freq,
            known_at=_record_time(known_at, "known_at"),
        )

    def _repr_html_(self) -> str:
        from .notebook import ledger_html

        return ledger_html(self)

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
