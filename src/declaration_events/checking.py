"""The write side: a batch of facts checked as a whole against the rules before it is stored.

`prepare` stamps record times and drops facts already recorded; `check` folds every
entity the batch touches (the stored facts from the projection plus the new ones, in
valid-time order, with every amendment applied) and returns the append plan with the
folds, which the projection adopts once the batch is stored. When a fold fails, the
error names the batch's event at fault (`_blame`), and `locate` prefixes it with that
event's `FILE:LINE` (`Locations`).
"""

from __future__ import annotations

import gc
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from .actors import is_actor
from .dates import DateLike, PartialDate, query_time
from .errors import (
    DeclarationEventsError,
    InvalidEventError,
    InvalidTransitionError,
)
from .events import (
    STATEMENTS,
    CasesLinked,
    Condemned,
    Corrected,
    Designated,
    Detained,
    EventBase,
    Retracted,
    Source,
)
from .progress import OFF, Progress
from .projections import Projection
from .records import AMENDMENT_TYPES, Recorded, packed_strings
from .rules import (
    RULES,
    CaseHistory,
    InstrumentHistory,
    apply_amendments,
    fold_actor,
    fold_case,
    fold_instrument,
    valid_time_key,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "MAX_CLOCK_SKEW",
    "Locations",
    "Plan",
    "Routed",
    "check",
    "check_entity",
    "compact",
    "locate",
    "plan_of",
    "prepare",
    "route",
    "stamp",
]

#: What a statement may name, read from its packed line without decoding it.
_REFERENCES = ("instrument", "case")
EventBaseT = TypeVar("EventBaseT", bound=EventBase)
#: How far a record time may run ahead of this machine's clock (clock skew between writers).
MAX_CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Plan:
    """What `check` found a batch to be: the records to append and what the rules folded."""

    records: list[Recorded]
    #: Each touched entity's stream version the append expects (what the projection has seen).
    expected: dict[str, int]
    #: The strict fold of each touched instrument and case, for the projection to adopt.
    folded: dict[str, InstrumentHistory | CaseHistory]
    #: Ids of the batch's events recorded before a fact already stored about the same entity
    #: (`backdated`), first found first.
    backdated: list[UUID] = field(default_factory=list)


class Locations(Mapping[UUID, str]):
    """`FILE:LINE` of each event of the logs being imported, formatted only when an error asks.

    Each file's line numbers are filled in a dict while it is read (`file`); `pack` then keeps
    them as the ids in order and an array of line numbers (12 bytes an event instead of about
    70), and the dict is made again only when an error or a warning asks for a line.
    """

    def __init__(self) -> None:
        self._files: list[tuple[str, dict[UUID, int]]] = []
        self._packed: list[tuple[str, list[UUID], array[int]]] = []

    def file(self, label: str) -> dict[UUID, int]:
        """The line numbers of one more file, filled by `iter_events`."""
        self._unpack()
        numbers: dict[UUID, int] = {}
        self._files.append((label, numbers))
        return numbers

    def pack(self) -> None:
        """Keep the line numbers compactly, now that the files are read (`read_logs`)."""
        if not any(numbers for _, numbers in self._files):
            return
        try:
            packed = [(label, list(numbers), array("I", numbers.values())) for label, numbers in self._files]
        except OverflowError:  # a line past 4,294,967,295: kept as it is
            return
        self._packed, self._files = packed, []

    def _unpack(self) -> list[tuple[str, dict[UUID, int]]]:
        if self._packed:
            self._files = [(label, dict(zip(ids, lines, strict=True))) for label, ids, lines in self._packed]
            self._packed = []
        return self._files

    def __getitem__(self, event_id: UUID) -> str:
        for label, numbers in reversed(self._unpack()):  # an id in two files: the later one is at fault
            number = numbers.get(event_id)
            if number is not None:
                return f"{label}:{number}"
        raise KeyError(event_id)

    def __iter__(self) -> Iterator[UUID]:
        for _, numbers in self._unpack():
            yield from numbers

    def __len__(self) -> int:
        return sum(len(numbers) for _, numbers in self._files) + sum(len(ids) for _, ids, _ in self._packed)

    def release(self) -> None:
        """Forget every line: the batch is stored, no error can name one any more."""
        self._files.clear()
        self._packed.clear()


def locate(error: DeclarationEventsError, locations: Mapping[UUID, str] | None) -> None:
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
    slug = sys.intern(slug)  # kept in the fold: one string for every place that names the entity
    if kind == "instrument":
        return believed, fold_instrument(slug, believed, strict=True)
    if kind == "case":
        return believed, fold_case(slug, believed, strict=True)
    if kind == "actor":
        fold_actor(slug, believed, strict=True)
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


@contextmanager
def bulk() -> Iterator[None]:
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


def amendment(
    kind: str,
    target: UUID | str | EventBase,
    reason: str,
    occurred_on: PartialDate | DateLike | None,
    recorded_at: DateLike | None,
    sources: Sequence[Source | Mapping[str, Any]],
    note: str | None,
) -> dict[str, Any]:
    """A `Corrected` or `Retracted` as a log line; dated (by default) and stamped when it is recorded."""
    stamp = query_time(recorded_at, "recorded_at") or datetime.now(UTC)
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


def stamp(event: EventBase, now: datetime) -> Recorded:
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


def compact(event: EventBase, now: datetime) -> Recorded | EventBase:
    """The event's record; the event itself if its record time is wrong (`prepare` says so)."""
    try:
        return stamp(event, now)
    except InvalidEventError:
        return event


def prepare(
    projection: Projection, items: Iterable[Recorded | EventBase], now: datetime | None = None
) -> tuple[list[Recorded], int]:
    """Stamp record times and drop facts already recorded (same id, same content)."""
    now = now or datetime.now(UTC)
    batch: list[Recorded] = []
    taken: dict[UUID, Recorded] = {}
    duplicates = 0
    for item in items:
        record = item if isinstance(item, Recorded) else stamp(item, now)
        earlier = taken.get(record.id)
        if earlier is not None or record.id in projection:
            first = earlier.decode() if earlier is not None else projection.get(record.id)
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


@dataclass
class Routed:
    """A batch sorted by entity for the rules: each entity's new facts and amendments, and the plan's
    records (each amendment with its target's entity)."""

    facts: dict[str, list[Recorded]]
    amendments: dict[str, list[Corrected | Retracted]]
    records: list[Recorded]

    @property
    def touched(self) -> list[str]:
        """Every entity the batch adds to or amends, sorted: the order the rules check them in."""
        return sorted(set(self.facts) | set(self.amendments))


def route(projection: Projection, batch: Sequence[Recorded]) -> Routed:
    """Sort a batch by entity; route each amendment to its target's entity (raises on a bad target)."""
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
    # The targets among the batch's records, looked for by number (a UUID's hash is a Python call).
    targets = {amendment.target.int for amendment in amendments_in_batch}
    in_batch = {record.id: record for record in batch if record.id.int in targets} if targets else {}
    new_amendments: dict[str, list[Corrected | Retracted]] = defaultdict(list)
    for record, amendment in zip(amendment_records, amendments_in_batch, strict=True):
        entity = _amendment_entity(projection, amendment, in_batch)
        new_amendments[entity].append(amendment)
        plan.append(record._replace(entity=entity))
    return Routed(dict(by_entity), dict(new_amendments), plan)


def check_entity(
    projection: Projection,
    entity: str,
    routed: Routed,
    known: Callable[[str], bool],
    new_entities: set[str],
) -> tuple[list[UUID], InstrumentHistory | CaseHistory | None]:
    """Run the rules over one entity the batch touches: the backdated events of the batch about it,
    and its strict fold (None for the statements and actors). Raises on the batch's fact at fault."""
    amendments = routed.amendments.get(entity, [])
    if entity == STATEMENTS:
        # Statements follow no state machine: check only what the batch adds or amends.
        added = routed.facts.get(entity, [])
        return _check_statements(projection, added, amendments, new_entities, known), None
    new_facts = [record.decode() for record in routed.facts.get(entity, ())]
    stored_facts, stored = projection.facts(entity), projection.amendments(entity)
    backdated = _backdated([*stored_facts, *stored], [*new_facts, *amendments])
    facts = stored_facts + new_facts
    try:
        believed, history = _fold(entity, facts, stored + amendments)
    except InvalidTransitionError as exc:
        raise _blame(exc, entity, facts, stored, new_facts, amendments) from None
    if not entity.startswith("instrument:"):
        _check_references(known, believed, new_entities)
    return backdated, history


def check(
    projection: Projection,
    versions: Mapping[str, int],
    batch: Sequence[Recorded],
    progress: Progress = OFF,
    *,
    knows: Callable[[str], bool] | None = None,
) -> Plan:
    """Run the rules over every entity the batch touches; return the append plan.

    The models of each entity are decoded when its turn comes and dropped after;
    `progress` counts the entities. `knows`: whether the store holds facts of an entity that
    a fact names (default: the projection knows it).
    """
    known = knows or projection.knows
    routed = route(projection, batch)
    touched = routed.touched
    new_entities = set(routed.facts)
    folded: dict[str, InstrumentHistory | CaseHistory] = {}
    backdated: list[UUID] = []
    for entity in progress.iterate(touched, "checking", total=len(touched), unit="entity"):
        found, history = check_entity(projection, entity, routed, known, new_entities)
        backdated += found
        if history is not None:
            folded[entity] = history
    return plan_of(routed, versions, folded, backdated)


def plan_of(
    routed: Routed,
    versions: Mapping[str, int],
    folded: dict[str, InstrumentHistory | CaseHistory],
    backdated: list[UUID],
) -> Plan:
    """The append plan of a checked batch: each touched entity's version as the check saw it."""
    expected = {entity: versions.get(entity, 0) for entity in routed.touched}
    return Plan(routed.records, expected, folded, backdated)


def _backdated(stored: Sequence[EventBase], new: Sequence[EventBase]) -> list[UUID]:
    """Ids of the new events recorded before the latest of the stored ones (about the same entity).

    Such an event rewrites what a query known at a time in between answers: the store's own
    storage time (`stamps`) is what keeps such answers from changing.
    """
    latest = max((e.recorded_at for e in stored if e.recorded_at is not None), default=None)
    if latest is None:
        return []
    return [e.id for e in new if e.recorded_at is not None and e.recorded_at < latest]


def _check_statements(
    projection: Projection,
    new_records: Sequence[Recorded],
    amendments: Sequence[Corrected | Retracted],
    new_entities: set[str],
    knows: Callable[[str], bool],
) -> list[UUID]:
    """Check what a batch adds to or amends in the statements; return the backdated amendments.

    A new statement is a fact of its own (never backdated); an amendment is backdated when
    recorded before its target or the target's stored amendments.
    """
    targets = {amendment.target for amendment in amendments}
    new: list[EventBase] = []
    for record in new_records:
        if record.id in targets:
            new.append(record.decode())  # amended in the same batch: checked as amended, below
            continue
        named = packed_strings(record.packed, _REFERENCES)
        if any(_unknown(knows, f"{kind}:{slug}", new_entities) for kind, slug in named.items()):
            _check_references(knows, (record.decode(),), new_entities)  # to raise, naming it
    if not amendments:
        return []
    new_ids = {event.id for event in new}
    stored = [projection.get(target) for target in targets - new_ids]
    facts = [*new, *(event for event in stored if event is not None)]
    prior = [a for a in projection.amendments(STATEMENTS) if a.target in targets]
    try:
        believed = apply_amendments(facts, [*prior, *amendments], strict=True)
    except InvalidTransitionError as exc:
        raise _blame(exc, STATEMENTS, facts, prior, new, amendments) from None
    _check_references(knows, believed, new_entities)
    known = {event.id: event for event in stored if event is not None}
    return [
        found
        for amendment in amendments
        for found in _backdated(
            [e for e in (known.get(amendment.target),) if e is not None]
            + [a for a in prior if a.target == amendment.target],
            [amendment],
        )
    ]


def _amendment_entity(
    projection: Projection, amendment: Corrected | Retracted, in_batch: Mapping[UUID, Recorded]
) -> str:
    target: EventBase | None = projection.get(amendment.target)
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
    return projection.entity_of(target.id) or (record.entity if record is not None else "")


def _unknown(knows: Callable[[str], bool], entity: str, new_entities: set[str]) -> bool:
    return entity not in new_entities and not knows(entity)


def _check_references(
    knows: Callable[[str], bool], believed: Iterable[EventBase], new_entities: set[str]
) -> None:
    for event in believed:
        wanted: list[str] = []
        if isinstance(event, Condemned):
            if event.instrument:
                wanted.append(f"instrument:{event.instrument}")
            if event.case:
                wanted.append(f"case:{event.case}")
        elif isinstance(event, CasesLinked):
            wanted.append(f"case:{event.other_case}")
        elif isinstance(event, Detained | Designated):
            code = event.captor if isinstance(event, Detained) else event.by
            wanted += [code] if is_actor(code) else []  # an actor's entity is its code, actor:SLUG
        for entity in wanted:
            if _unknown(knows, entity, new_entities):
                rule = "unknown-actor" if is_actor(entity) else "unknown-reference"
                raise InvalidTransitionError(
                    f"{event.type} {event.id} names unknown {entity.replace(':', ' ')!r}. "
                    f"Rule {rule!r}: {RULES[rule]}",
                    rule=rule,
                    event_id=str(event.id),
                    event_type=event.type,
                    entity=entity,
                )
