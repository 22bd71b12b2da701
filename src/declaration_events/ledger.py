"""The Ledger: the one object users hold to record facts and ask what was true when."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from .dates import PartialDate, parse_date, parse_datetime
from .errors import (
    DeclarationEventsError,
    EventLogError,
    InvalidEventError,
    InvalidTransitionError,
    LineError,
    StoreError,
)
from .eventlog import LogSource, iter_events, write_events
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
from .results import CaseRow, Cases, Condemnations, Signatories, Timeline
from .rules import RULES, apply_amendments, fold_case, fold_instrument
from .store import ConcurrencyConflict, MemoryStore, Store

__all__ = ["Ledger", "RecordResult"]

DateLike = date | datetime | str
#: How far a record time may run ahead of this machine's clock (clock skew between writers).
MAX_CLOCK_SKEW = timedelta(minutes=5)
#: How many times a batch is re-checked and re-appended after another writer got in first.
MAX_RETRIES = 8


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


def _locate(error: DeclarationEventsError, locations: Mapping[UUID, str] | None) -> None:
    """Prefix an error with the log line of the event it names, when known."""
    event_id = getattr(error, "event_id", None)
    if not locations or event_id is None:
        return
    where = locations.get(UUID(event_id))
    if where and error.args and not str(error.args[0]).startswith(where):
        error.args = (f"{where}: {error.args[0]}", *error.args[1:])
        error.location = where  # type: ignore[attr-defined]


class Ledger:
    """Records diplomatic facts through the rules and answers point-in-time questions."""

    def __init__(self, store: Store | None = None) -> None:
        self._store: Store = store if store is not None else MemoryStore()
        self._projection = Projection()
        self._position = 0
        self.catch_up()

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str) -> Ledger:
        """A ledger on a store named by URL: `memory:` (more backends come with the store module)."""
        if url == "memory:":
            return cls()
        raise StoreError(f"cannot open {url!r}: only 'memory:' is supported so far")

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
        """Record the facts of one or more logs, all or nothing; errors name file and line."""
        locations: dict[UUID, str] = {}
        events: list[Event] = []
        errors: list[LineError] = []
        for source in sources:
            try:
                events.extend(iter_events(source, locations=locations))
            except EventLogError as exc:
                errors.extend(exc.errors)
        if errors:
            raise EventLogError(errors)
        return self.record_many(events, locations=locations)

    # -- writing -----------------------------------------------------------------------------

    def record(self, event: EventBase | Mapping[str, Any]) -> Event:
        """Record one fact through the rules; return it as stored (with its id and record time)."""
        parsed = parse_event(event)
        result = self._prepare([parsed])
        self._commit(result[0], None)
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
        batch, duplicates = self._prepare([parse_event(e) for e in events])
        self._commit(batch, locations)
        return RecordResult(added=len(batch), duplicates=duplicates)

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

    def _prepare(self, events: Sequence[EventBase]) -> tuple[list[EventBase], int]:
        """Stamp record times and drop facts already recorded (same id, same content)."""
        now = datetime.now(UTC)
        batch: list[EventBase] = []
        taken: dict[UUID, EventBase] = {}
        duplicates = 0
        for event in events:
            if event.recorded_at is None:
                event = event.recorded(now)
            elif event.recorded_at > now + MAX_CLOCK_SKEW:
                raise InvalidEventError(
                    f"{event.type} {event.id}: recorded_at {event.recorded_at.isoformat()} is in the future"
                )
            earlier = self._projection.get(event.id) or taken.get(event.id)
            if earlier is not None:
                if earlier.model_dump(exclude={"recorded_at"}) != event.model_dump(exclude={"recorded_at"}):
                    raise InvalidTransitionError(
                        f"{event.type} {event.id}: the id is already used by another fact "
                        f"({earlier.type}). Rule 'duplicate-id': {RULES['duplicate-id']}",
                        rule="duplicate-id",
                        event_id=str(event.id),
                        event_type=event.type,
                    )
                duplicates += 1
                continue
            taken[event.id] = event
            batch.append(event)
        return batch, duplicates

    def _commit(self, batch: list[EventBase], locations: Mapping[UUID, str] | None) -> None:
        if not batch:
            return
        for _attempt in range(MAX_RETRIES):
            self.catch_up()
            try:
                plan, expected = self._check(batch)
            except DeclarationEventsError as exc:
                _locate(exc, locations)
                raise
            try:
                self._store.append(plan, expected)
            except ConcurrencyConflict:
                continue
            self.catch_up()
            return
        raise ConcurrencyConflict(
            f"gave up after {MAX_RETRIES} attempts: other writers kept changing the same entities"
        )

    def _check(self, batch: Sequence[EventBase]) -> tuple[list[tuple[str, EventBase]], dict[str, int]]:
        """Run the rules over every entity the batch touches; return the append plan."""
        projection = self._projection
        in_batch = {event.id: event for event in batch}
        new_facts: dict[str, list[EventBase]] = defaultdict(list)
        new_amendments: dict[str, list[Corrected | Retracted]] = defaultdict(list)
        entity_of: dict[UUID, str] = {}
        for event in batch:
            if not isinstance(event, Corrected | Retracted):
                entity_of[event.id] = event.entity()
                new_facts[event.entity()].append(event)
        plan: list[tuple[str, EventBase]] = []
        for event in batch:
            if isinstance(event, Corrected | Retracted):
                entity = self._amendment_entity(event, in_batch, entity_of)
                new_amendments[entity].append(event)
                plan.append((entity, event))
            else:
                plan.append((entity_of[event.id], event))
        touched = set(new_facts) | set(new_amendments)
        for entity in sorted(touched):
            believed = apply_amendments(
                projection.facts(entity) + new_facts.get(entity, []),
                projection.amendments(entity) + new_amendments.get(entity, []),
                strict=True,
            )
            kind, _, slug = entity.partition(":")
            if kind == "instrument":
                fold_instrument(slug, believed, strict=True)
            elif kind == "case":
                fold_case(slug, believed, strict=True)
            self._check_references(believed, set(new_facts))
        expected = {
            entity: len(projection.facts(entity)) + len(projection.amendments(entity)) for entity in touched
        }
        return plan, expected

    def _amendment_entity(
        self,
        amendment: Corrected | Retracted,
        in_batch: Mapping[UUID, EventBase],
        entity_of: Mapping[UUID, str],
    ) -> str:
        target = self._projection.get(amendment.target) or in_batch.get(amendment.target)
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
        return self._projection.entity_of(target.id) or entity_of[target.id]

    def _check_references(self, believed: Iterable[EventBase], new_entities: set[str]) -> None:
        known = {f"instrument:{s}" for s in self._projection.entities("instrument")}
        known |= {f"case:{s}" for s in self._projection.entities("case")}
        known |= new_entities
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
                if entity not in known:
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
        fresh = [event for _, _, event in self._store.read(after=self._position)]
        if fresh:
            self._position += len(fresh)
            self._projection.add(fresh)
        return len(fresh)

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

    def cases(self, *, as_of: DateLike | None = None, known_at: DateLike | None = None) -> Cases:
        """Every detention case begun by a date, as known at a time."""
        self.catch_up()
        return self._projection.cases(
            as_of=_valid_date(as_of, "as_of"), known_at=_record_time(known_at, "known_at")
        )

    def case(
        self, slug: str, *, as_of: DateLike | None = None, known_at: DateLike | None = None
    ) -> CaseRow | None:
        """One detention case as of a date (None if it had not begun), as known at a time."""
        self.catch_up()
        result = self._projection.cases(
            as_of=_valid_date(as_of, "as_of"),
            known_at=_record_time(known_at, "known_at"),
            only=[slug],
        )
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
        return write_events(self.events(), path)

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
