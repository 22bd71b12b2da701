"""Point-in-time read models over any stream of recorded events.

One pass indexes the events by entity. Each entity's history is folded once (per
record time asked about) into change points; a query as of a date is then a
binary search over those change points, not a replay.
"""

from __future__ import annotations

import functools
import itertools
import operator
import sys
from bisect import bisect_right
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, partial
from types import MappingProxyType
from typing import Any, Generic, NamedTuple, TypeVar, cast
from uuid import UUID

import orjson

from .actors import ACTOR_PREFIX, display_name, is_actor
from .case_rows import case_details
from .errors import UnknownEntityError
from .events import (
    DESIGNATIONS,
    EVENT_TYPES,
    STATEMENTS,
    ActorRegistered,
    Condemned,
    Continued,
    Corrected,
    Event,
    EventBase,
    InstrumentOpened,
    Retracted,
)
from .parties import party_name, resolve_party
from .records import AMENDMENT_TYPES, Recorded, decode, packed_strings, unpack
from .results import (
    TALLY_KEYS,
    CaseRow,
    Cases,
    CondemnationRow,
    Condemnations,
    LedgerWarning,
    ObjectionRow,
    RelationRow,
    Relations,
    ReservationRow,
    Reservations,
    Signatories,
    SignatoryRow,
    Timeline,
    TimelineRow,
)
from .rules import (
    BOUND,
    CONSENTED,
    DEPRIVED,
    ENDORSED,
    IN_CUSTODY,
    PARTICIPATING,
    RESTRICTED,
    SIGNED,
    CaseHistory,
    CaseState,
    Change,
    InstrumentHistory,
    ObjectionFact,
    apply_amendments,
    fold_actor,
    fold_case,
    fold_instrument,
    valid_time_key,
)
from .storage.tables import CaseInterval, SignatoryInterval

__all__ = ["Projection", "cases_of", "check_designation", "interval_of"]

Point = TypeVar("Point", Change, CaseState)
Amendment = Corrected | Retracted
_CACHE_SIZE = 256


#: The bisect key of change points: their `on` (a C call, not a Python one per comparison).
_on = operator.attrgetter("on")


_NO_PARTIES: Mapping[str, _Points[Change]] = MappingProxyType({})

#: Status lines up to this long are scanned; longer ones keep the earliest start of each suffix.
_SCAN = 16


@dataclass(frozen=True, slots=True)
class _Points(Generic[Point]):
    """Change points of one status line, with what a bisect needs."""

    points: tuple[Point, ...]
    # [i]: earliest `start` among points i..end; () if short; None if no point starts before its
    # `on` (no partial-dated fact: nothing is uncertain, nothing to scan)
    later_min_start: tuple[date, ...] | None

    @classmethod
    def of(cls, points: Sequence[Point]) -> _Points[Point]:
        points = tuple(points)
        if all(point.start >= point.on for point in points):
            return cls(points, None)
        if len(points) <= _SCAN:
            return cls(points, ())
        later: list[date] = []
        earliest = date.max
        for point in reversed(points):
            earliest = min(earliest, point.start)
            later.append(earliest)
        later.reverse()
        return cls(points, tuple(later))

    def at(self, as_of: date) -> tuple[Point | None, bool]:
        """The point in force on `as_of`, and whether a partial-dated fact makes it uncertain.

        An uncertain answer shows the status the partial fact would bring, so the
        row is visible but flagged (and left out of counts).
        """
        shown, uncertain = self.shown(as_of)
        return (self.points[shown] if shown >= 0 else None), uncertain

    def shown(self, as_of: date) -> tuple[int, bool]:
        """`at`, as the place of the point among `points` (-1: none yet)."""
        points = self.points
        if self.later_min_start is None:  # nothing can be uncertain
            if not points or points[0].on > as_of:
                return -1, False  # nothing yet (no bisect)
            return bisect_right(points, as_of, key=_on) - 1, False
        index = bisect_right(points, as_of, key=_on) - 1
        shown, uncertain = index, False
        later = index + 1
        if self.later_min_start:
            while later < len(points) and self.later_min_start[later] <= as_of:
                if points[later].start <= as_of:
                    shown, uncertain = later, True
                later += 1
        else:
            for j in range(later, len(points)):
                if points[j].start <= as_of:
                    shown, uncertain = j, True
        return shown, uncertain

    def possible(self, as_of: date) -> list[Point | None]:
        """Every point that may be in force on `as_of`: the last certain one (None if none yet) and
        each later one a partial-dated fact may already have brought."""
        index = bisect_right(self.points, as_of, key=_on) - 1
        found: list[Point | None] = [self.points[index] if index >= 0 else None]
        found += [point for point in self.points[index + 1 :] if point.start <= as_of]
        return found

    def since_at(self, index: int) -> date:
        """When the status of the point at `index` among `points` began: a change of flags alone (a
        party bound while its withdrawal is pending) does not move it."""
        points: tuple[Change, ...] = self.points  # type: ignore[assignment]
        point = points[index]
        while index > 0 and (
            points[index - 1].status == point.status and points[index - 1].event_id == point.event_id
        ):
            index -= 1
        return points[index].on

    def certain(self, as_of: date) -> Point | None:
        """The last point certainly in force on `as_of` (partial-dated facts not yet over ignored)."""
        index = bisect_right(self.points, as_of, key=_on) - 1
        return self.points[index] if index >= 0 else None


@dataclass(frozen=True, slots=True)
class _Belief:
    """One record time's view: folded histories and their indexes."""

    instrument: InstrumentHistory | None
    case: CaseHistory | None
    parties: Mapping[str, _Points[Change]]
    case_points: _Points[CaseState] | None
    statements: tuple[_Statement, ...]
    actor: ActorRegistered | None = None


class _Continuation(NamedTuple):
    """A state continuing its predecessor's participations from a date."""

    first: date
    last: date
    party: str
    predecessor: str


class _Part(NamedTuple):
    """One party's part of an instrument: its facts and amendments and the instrument's own."""

    facts: list[EventBase]
    amendments: list[Amendment]

    def times(self) -> list[datetime]:
        """The record times at which what the part says may change, in order."""
        return sorted({e.recorded_at for e in (*self.facts, *self.amendments) if e.recorded_at is not None})


#: Corrected fields that may make one party's rows depend on another's facts (see `Projection._parts`).
_SPLIT_KEEPS = frozenset({"party", "kind", "final_clauses", "between", "instrument"})


class _Statement(NamedTuple):
    """A condemnation as a belief keeps it: what filters need, and its id (its model if corrected)."""

    first: date
    last: date
    actor: str
    target: str | None
    event: UUID | Condemned


def _now() -> datetime:
    return datetime.now(UTC)


#: How many decoded events the projection keeps (whole entities, least recently used first out).
DECODED_EVENTS = 150_000
# Every field that names a party in a fact, single or listed (`target` is an event id only in amendments;
# `actor` is a party in statements and a bare slug in `ActorRegistered`, indexed as `actor:SLUG`).
_PARTY_FIELDS = (
    "party",
    "predecessor",
    "actor",
    "target",
    "detaining_state",
    "requested_by",
    "initiator",
    "detained_by",
    "charging_state",
    "by",
    "to",
    "territory",
)
_LISTED_PARTY_FIELDS = ("nationalities", "between")


# What `_index` reads from every fact's packed line.
_INDEXED = ("recorded_at", *_PARTY_FIELDS, *_LISTED_PARTY_FIELDS, "case", "other_case")


@cache
def _indexed_fields(kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What `_index` reads of a fact of this type (those of `_INDEXED` it can hold), and which of
    them name parties."""
    fields = EVENT_TYPES[kind].model_fields
    return (
        tuple(name for name in _INDEXED if name in fields),
        tuple(name for name in (*_PARTY_FIELDS, *_LISTED_PARTY_FIELDS) if name in fields),
    )


def _parties(
    data: Mapping[str, str | list[str]], keys: tuple[str, ...] = (*_PARTY_FIELDS, *_LISTED_PARTY_FIELDS)
) -> list[str]:
    found: list[str] = []
    for key in keys:
        value = data.get(key)
        if isinstance(value, list):
            found.extend(value)
        elif value is not None:
            found.append(value)
    return found


class Projection:
    """Indexes over recorded events, answering status questions as of a date, known at a time.

    Events are held as packed canonical lines (`records.pack`) by id, in the order
    added, with per-entity lists of ids; the models of an entity are decoded when a
    fold or a query needs them, and the most recently used are kept (`decoded_events`
    at most).
    What a query as of a date needs (each entity's change points as believed now)
    is kept for every entity.
    """

    def __init__(self, events: Iterable[EventBase] = (), *, decoded_events: int = DECODED_EVENTS) -> None:
        self._lines: dict[UUID, bytes] = {}  # packed lines by id, in the order added
        self._continued: list[UUID] = []  # ids of Continued events, in the order indexed
        self._facts: dict[str, list[UUID]] = {}
        self._amendments: dict[str, list[UUID]] = {}
        self._routed: dict[UUID, str] = {}  # amendment -> its target's entity
        self._orphans: dict[UUID, list[UUID]] = defaultdict(list)  # target -> amendments waiting for it
        self._by_party: dict[str, set[str]] = defaultdict(set)  # party -> entities naming it
        self._reverse_links: dict[str, set[str]] = defaultdict(set)
        self._latest: datetime | None = None
        # What is believed now, one entry per entity (dropped when the entity gets new facts),
        # and beliefs at past record times, a bounded cache.
        self._current: dict[str, _Belief] = {}
        self._times: dict[str, list[datetime]] = {}  # see `_own_times` (dropped like `_current`)
        self._past: OrderedDict[tuple[str, datetime], _Belief] = OrderedDict()
        self._decoded: OrderedDict[str, tuple[list[EventBase], list[Amendment]]] = OrderedDict()
        self._decoded_count = 0
        self._decoded_limit = decoded_events
        self.add(events)

    # -- writing ---------------------------------------------------------------------------

    def add(self, events: Iterable[EventBase]) -> None:
        """Index more recorded events (any order; amendments may precede their targets)."""
        records: list[Recorded] = []
        for event in events:
            if event.recorded_at is None:
                raise ValueError(f"event {event.id} has no recorded_at; record it through a Ledger")
            records.append(Recorded.of(event))
        self.add_recorded(records)

    def add_recorded(self, records: Iterable[Recorded]) -> None:
        """Index recorded events in their compact form (an amendment's entity may be empty)."""
        touched: set[str] = set()
        try:
            for record in records:
                self._index(record, touched)
        finally:  # also when reading the records fails half-way: what was indexed is current
            for entity in touched:
                self._current.pop(entity, None)
                self._times.pop(entity, None)
                self._forget_decoded(entity)
            if touched and self._past:
                self._past = OrderedDict(
                    (key, value) for key, value in self._past.items() if key[0] not in touched
                )

    def _index(self, record: Recorded, touched: set[str]) -> None:
        event_id, kind, entity, packed = record
        if event_id in self._lines:
            return
        names, party_names = _indexed_fields(kind)
        data = packed_strings(packed, names)
        stamp = data.get("recorded_at")
        if not isinstance(stamp, str):
            raise ValueError(f"event {event_id} has no recorded_at; record it through a Ledger")
        recorded_at = datetime.fromisoformat(stamp)
        if self._latest is None or recorded_at > self._latest:
            self._latest = recorded_at
        if kind in AMENDMENT_TYPES:
            self._lines[event_id] = packed
            data = orjson.loads(self._line(event_id))
            target = UUID(data["target"])
            routed = self.entity_of(target)
            if routed is None:
                self._orphans[target].append(event_id)
                return
            self._route(routed, event_id, data, touched)
            return
        if not entity:
            raise ValueError(f"{kind} {event_id}: no entity given")
        self._lines[event_id] = packed
        ids = self._facts.get(entity)
        if ids is None:
            ids = self._facts[entity] = []
        ids.append(event_id)
        touched.add(entity)
        for party in _parties(data, party_names) if kind != "ActorRegistered" else [entity]:
            self._by_party[party].add(entity)
        if kind == "CasesLinked":
            # Slugs, one string each (the folds' and links' too): a large ledger links many cases.
            self._reverse_links[sys.intern(str(data["other_case"]))].add(sys.intern(str(data["case"])))
        elif kind == "Continued":
            self._continued.append(event_id)  # queries decode these, not every statement
        if self._orphans:
            for orphan in self._orphans.pop(event_id, []):
                self._route(entity, orphan, orjson.loads(self._line(orphan)), touched)

    def _line(self, event_id: UUID) -> bytes:
        return unpack(self._lines[event_id], event_id)

    def _decode(self, event_id: UUID) -> EventBase:
        return decode(self._line(event_id), event_id)

    def _route(self, entity: str, event_id: UUID, data: dict[str, Any], touched: set[str]) -> None:
        ids = self._amendments.get(entity)
        if ids is None:
            ids = self._amendments[entity] = []
        ids.append(event_id)
        self._routed[event_id] = entity
        touched.add(entity)
        if data["type"] != "Corrected":
            return
        changes: dict[str, Any] = data["changes"]
        target_type = orjson.loads(self._line(UUID(data["target"])))["type"]
        fields = EVENT_TYPES[target_type].model_fields
        # Every field that names parties, single or listed, so timelines find the corrected fact.
        for key in (*_PARTY_FIELDS, *_LISTED_PARTY_FIELDS):
            value = changes.get(key)
            for name in value if isinstance(value, list) else [value]:
                if isinstance(name, str) and key in fields and target_type != "ActorRegistered":
                    try:
                        code = name if is_actor(name) else resolve_party(name)
                    except ValueError:
                        continue
                    self._by_party[code].add(entity)
        other_case = changes.get("other_case")
        if target_type == "CasesLinked" and isinstance(other_case, str):
            # rows re-check the link itself
            self._reverse_links[other_case].add(entity.partition(":")[2])

    # -- decoding --------------------------------------------------------------------------

    def _decode_entity(self, entity: str) -> tuple[list[EventBase], list[Amendment]]:
        cached = self._decoded.get(entity)
        if cached is not None:
            self._decoded.move_to_end(entity)
            return cached
        facts = [self._decode(event_id) for event_id in self._facts.get(entity, ())]
        amendments: list[Amendment] = [
            self._decode(event_id)  # type: ignore[misc]
            for event_id in self._amendments.get(entity, ())
        ]
        size = len(facts) + len(amendments)
        if size <= self._decoded_limit:
            self._decoded[entity] = (facts, amendments)
            self._decoded_count += size
            while self._decoded_count > self._decoded_limit:
                _, (old_facts, old_amendments) = self._decoded.popitem(last=False)
                self._decoded_count -= len(old_facts) + len(old_amendments)
        return facts, amendments

    def _forget_decoded(self, entity: str) -> None:
        dropped = self._decoded.pop(entity, None)
        if dropped is not None:
            self._decoded_count -= len(dropped[0]) + len(dropped[1])

    # -- reading raw -----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._lines)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._lines

    def get(self, event_id: UUID) -> EventBase | None:
        """The recorded event with this id, as first recorded."""
        return self._decode(event_id) if event_id in self._lines else None

    def events(self) -> Iterator[EventBase]:
        """Every recorded event, in the order it was added."""
        for event_id in self._lines:
            yield self._decode(event_id)

    def lines(self) -> Iterator[bytes]:
        """Every recorded event's canonical line of log format v1 (no newline), in the order added."""
        for event_id in self._lines:
            yield self._line(event_id)

    def recorded(self, limit: int | None = None) -> Iterator[Recorded]:
        """The first `limit` recorded events (all by default) in their compact form, in the order added."""
        entities = dict(self.entity_ids())
        for event_id in itertools.islice(self._lines, limit):
            yield Recorded.from_packed(self._lines[event_id], entities.get(event_id, ""), event_id)

    def entity_ids(self) -> Iterator[tuple[UUID, str]]:
        """(id, entity) of every recorded event (an amendment's entity: its target's), by entity."""
        for index in (self._facts, self._amendments):
            for entity, ids in index.items():
                for event_id in ids:
                    yield event_id, entity

    def recorded_of(self, entities: Iterable[str]) -> Iterator[Recorded]:
        """The recorded events of some entities (facts, then amendments) and every continuation, compactly:
        what a projection of those entities alone needs (`history_rows`)."""
        for entity in entities:
            for index in (self._facts, self._amendments):
                for event_id in index.get(entity, ()):
                    yield Recorded.from_packed(self._lines[event_id], entity, event_id)
        if self._continued:
            for event_id in self._continued:
                yield Recorded.from_packed(self._lines[event_id], STATEMENTS, event_id)
            for event_id in self._amendments.get(STATEMENTS, ()):  # a continuation's corrections
                yield Recorded.from_packed(self._lines[event_id], STATEMENTS, event_id)

    @property
    def latest_recorded_at(self) -> datetime | None:
        """The newest record time seen."""
        return self._latest

    def entity_of(self, event_id: UUID) -> str | None:
        """Which entity an event (or an amendment, through its target) belongs to."""
        if event_id not in self._lines:
            return None
        routed = self._routed.get(event_id)
        if routed is not None:
            return routed
        event = self._decode(event_id)
        return None if isinstance(event, Corrected | Retracted) else event.entity()

    def stream_size(self, entity: str) -> int:
        """How many events of an entity's stream are indexed: its facts and their amendments."""
        return len(self._facts.get(entity, ())) + len(self._amendments.get(entity, ()))

    def knows(self, entity: str) -> bool:
        """Whether any fact of this entity (e.g. `case:kovrig`) is recorded."""
        return entity in self._facts

    def entities(self, prefix: str) -> list[str]:
        """Known entity slugs of one kind (`instrument` or `case`), sorted."""
        marker = prefix + ":"
        return sorted(e.removeprefix(marker) for e in self._facts if e.startswith(marker))

    def facts(self, entity: str) -> list[EventBase]:
        """The entity's facts as recorded (before amendments)."""
        return list(self._decode_entity(entity)[0]) if entity in self._facts else []

    def amendments(self, entity: str) -> list[Amendment]:
        """The corrections and retractions of the entity's facts."""
        return list(self._decode_entity(entity)[1]) if entity in self._amendments else []

    # -- beliefs ---------------------------------------------------------------------------

    def believed(self, entity: str, known_at: datetime | None = None) -> list[EventBase]:
        """The entity's facts as believed at `known_at` (all amendments recorded by then applied)."""
        return self._believed(entity, known_at)[0]

    def _believed(self, entity: str, known_at: datetime | None) -> tuple[list[EventBase], frozenset[UUID]]:
        """The believed facts, and the ids of those a correction changed."""
        facts: Sequence[EventBase]
        amendments: Sequence[Amendment]
        facts, amendments = self._decode_entity(entity)
        if known_at is not None:
            facts = [f for f in facts if f.recorded_at is not None and f.recorded_at <= known_at]
            amendments = [a for a in amendments if a.recorded_at is not None and a.recorded_at <= known_at]
        corrected = frozenset(a.target for a in amendments if isinstance(a, Corrected))
        return apply_amendments(facts, amendments, strict=False), corrected

    def _own_times(self, entity: str) -> list[datetime]:
        """The record times of an entity's own facts and amendments, sorted."""
        times = self._times.get(entity)
        if times is None:
            facts, amendments = self._decode_entity(entity)
            found = {e.recorded_at for e in (*facts, *amendments) if e.recorded_at is not None}
            times = self._times[entity] = sorted(found)
        return times

    def _belief(self, entity: str, known_at: datetime | None) -> _Belief:
        if known_at is not None and (self._latest is None or known_at >= self._latest):
            known_at = None  # everything recorded is known: share the full view
        if known_at is not None and entity != STATEMENTS:
            # What is believed of an entity changes only at its own record times: ask at the last.
            times = self._own_times(entity)
            at = bisect_right(times, known_at)
            if at == len(times):
                known_at = None
            elif at:
                known_at = times[at - 1]
        if known_at is None:
            current = self._current.get(entity)
            if current is None:
                current = self._current[entity] = self._fold(entity, *self._believed(entity, None))
            return current
        key = (entity, known_at)
        cached = self._past.get(key)
        if cached is not None:
            self._past.move_to_end(key)
            return cached
        belief = self._fold(entity, *self._believed(entity, known_at))
        if entity != STATEMENTS:  # one belief of every statement per record time would pile up
            self._past[key] = belief
            if len(self._past) > _CACHE_SIZE:
                self._past.popitem(last=False)
        return belief

    @staticmethod
    def _fold(
        entity: str,
        facts: Sequence[EventBase],
        corrected: frozenset[UUID] = frozenset(),
        history: InstrumentHistory | CaseHistory | None = None,
    ) -> _Belief:
        kind, _, slug = entity.partition(":")
        slug = sys.intern(slug)
        instrument = case = None
        parties: Mapping[str, _Points[Change]] = _NO_PARTIES  # one shared empty mapping for cases
        case_points = None
        if kind == "instrument":
            instrument = (
                history
                if isinstance(history, InstrumentHistory)
                else fold_instrument(slug, facts, strict=False)
            )
            # In the parties' order, as queries list them (not sorted again by each query).
            parties = {name: _Points.of(instrument.parties[name]) for name in sorted(instrument.parties)}
        elif kind == "case" and (facts or history):
            case = history if isinstance(history, CaseHistory) else fold_case(slug, facts, strict=False)
            case_points = _Points.of(case.states)
        actor = fold_actor(slug, facts, strict=False) if kind == "actor" else None
        statements = (
            tuple(
                _Statement(
                    fact.occurred_on.first,
                    fact.occurred_on.last,
                    fact.actor,
                    fact.target,
                    fact if fact.id in corrected else fact.id,  # the rest decode from their lines
                )
                for fact in sorted(facts, key=valid_time_key)
                if isinstance(fact, Condemned)
            )
            if kind == STATEMENTS
            else ()
        )
        return _Belief(instrument, case, parties, case_points, statements, actor)

    def prime(self, entity: str, history: InstrumentHistory | CaseHistory) -> None:
        """Adopt a history the write side has just folded from exactly the current facts."""
        if not history.skipped:
            self._current[entity] = self._fold(entity, (), history=history)

    def instrument_history(self, instrument: str, known_at: datetime | None = None) -> InstrumentHistory:
        """The instrument's folded history as believed at `known_at`."""
        entity = f"instrument:{instrument}"
        if entity not in self._facts:
            raise UnknownEntityError("instrument", instrument)
        history = self._belief(entity, known_at).instrument
        assert history is not None  # noqa: S101 - instrument entities always fold to one
        return history

    def case_history(self, case: str, known_at: datetime | None = None) -> CaseHistory | None:
        """The case's folded history as believed at `known_at` (None if nothing is believed)."""
        entity = f"case:{case}"
        if entity not in self._facts:
            raise UnknownEntityError("case", case)
        return self._belief(entity, known_at).case

    # -- queries ---------------------------------------------------------------------------

    def _continuations(self, known_at: datetime | None) -> list[_Continuation]:
        """The continuations believed at `known_at`: only Continued events and their amendments decoded."""
        ids = set(self._continued)
        facts: list[EventBase] = [self._decode(event_id) for event_id in self._continued]
        amendments = [self._decode(i) for i in self._amendments.get(STATEMENTS, ()) if i in self._routed]
        relevant = [a for a in amendments if isinstance(a, Corrected | Retracted) and a.target in ids]
        if known_at is not None:
            facts = [f for f in facts if f.recorded_at is not None and f.recorded_at <= known_at]
            relevant = [a for a in relevant if a.recorded_at is not None and a.recorded_at <= known_at]
        return [
            _Continuation(fact.occurred_on.first, fact.occurred_on.last, fact.party, fact.predecessor)
            for fact in sorted(apply_amendments(facts, relevant, strict=False), key=valid_time_key)
            if isinstance(fact, Continued)
        ]

    def warnings(self) -> list[LedgerWarning]:
        """What the rules found legal but worth a look, instrument by instrument, as believed now."""
        found: list[LedgerWarning] = []
        for slug in self.entities("instrument"):
            history = self.instrument_history(slug)
            found += [
                LedgerWarning(event_id, f"instrument:{slug}", text) for event_id, text in history.warnings
            ]
        return found

    def signatories(
        self, instrument: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> Signatories:
        """Each party's status in an instrument as of `as_of`, as known at `known_at`."""
        as_of = as_of or _now().date()
        known = known_at or _now()
        entity = f"instrument:{instrument}"
        if entity not in self._facts:
            raise UnknownEntityError("instrument", instrument)
        belief = self._belief(entity, known_at)
        history = belief.instrument
        assert history is not None  # noqa: S101 - instrument entities always fold to one
        # party -> (its point, uncertain, the predecessor it continues, whose points the point is of,
        # the point's place among them); in the parties' order (`_fold` keeps them sorted)
        shown: dict[str, tuple[Change, bool, str | None, str, int]] = {}
        for party, line in belief.parties.items():
            index, uncertain = line.shown(as_of)
            if index >= 0 and (point := line.points[index]).status is not None:
                shown[party] = (point, uncertain, None, party, index)
        moved = False  # a continuation moved a row: the rows are no longer in the parties' order
        if self._continued:
            for continued in self._continuations(known_at):
                taken = shown.get(continued.predecessor) if continued.first <= as_of else None
                if taken is not None and continued.party not in shown:
                    del shown[continued.predecessor]
                    point, uncertain, _, origin, index = taken
                    shown[continued.party] = (
                        point,
                        uncertain or continued.last > as_of,
                        continued.predecessor,
                        origin,
                        index,
                    )
                    moved = True
        rows: list[SignatoryRow] = []
        counts: dict[str, int] = {}
        signatories = endorsers = contracting_states = parties = 0
        for party in sorted(shown) if moved else shown:
            point, uncertain, predecessor, origin, index = shown[party]
            assert point.status is not None  # noqa: S101 - only statuses are shown
            line = belief.parties[origin]
            rows.append(
                SignatoryRow(
                    party,
                    party_name(party),
                    point.status,
                    line.since_at(index),
                    point.event_id,
                    uncertain,
                    effective_on=point.effective_on,
                    effective_derived=point.derived,
                    continued_from=predecessor,
                    territories=(
                        history.territories_of(origin, as_of)
                        if history.territories and point.status in PARTICIPATING
                        else ()
                    ),
                )
            )
            if not uncertain:
                counts[point.status] = counts.get(point.status, 0) + 1
                held = point.flags
            else:
                # An uncertain row still counts what holds whichever of its possible points is in
                # force: the flags they all have.
                possible = line.possible(as_of)
                if any(p is None for p in possible):
                    continue
                held = functools.reduce(operator.and_, (p.flags for p in possible if p is not None))
            signatories += bool(held & SIGNED)
            endorsers += bool(held & ENDORSED)
            contracting_states += bool(held & CONSENTED)
            parties += bool(held & BOUND)
        tally = {
            "signatories": signatories,
            "endorsers": endorsers,
            "contracting_states": contracting_states,
            "parties": parties,
        }
        keys = ("endorsers", "signatories") if history.kind == "declaration" else TALLY_KEYS
        return Signatories(
            rows=tuple(rows),
            instrument=instrument,
            title=history.title,
            kind=history.kind,
            as_of=as_of,
            known_at=known,
            counts=dict(sorted(counts.items())),
            tally={key: tally[key] for key in keys},
        )

    def _instrument_belief(
        self, instrument: str, known_at: datetime | None
    ) -> tuple[_Belief, InstrumentHistory]:
        entity = f"instrument:{instrument}"
        if entity not in self._facts:
            raise UnknownEntityError("instrument", instrument)
        belief = self._belief(entity, known_at)
        assert belief.instrument is not None  # noqa: S101 - instrument entities always fold to one
        return belief, belief.instrument

    def reservations(
        self, instrument: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> Reservations:
        """Reservations and declarations in force on `as_of`, with the objections made to each by then.

        In force: made by then, not withdrawn whole by then, and its party still a signatory or
        contracting state then (a withdrawal or termination ends its reservations).
        """
        as_of = as_of or _now().date()
        belief, history = self._instrument_belief(instrument, known_at)
        rows: list[ReservationRow] = []
        for made in history.reservations:
            text = made.text_on(as_of)
            points = belief.parties.get(made.party)
            point = points.at(as_of)[0] if points is not None else None
            if text is None or point is None or point.status not in PARTICIPATING:
                continue
            objections = tuple(
                ObjectionRow(o.id, o.party, party_name(o.party), o.on, o.text, o.precludes_entry_into_force)
                for o in history.objections
                if o.on <= as_of and o.answers(made)
            )
            since = max(on for on, _, _ in made.texts if on <= as_of)
            rows.append(
                ReservationRow(
                    made.id,
                    made.party,
                    party_name(made.party),
                    made.kind,
                    text,
                    made.articles,
                    made.made_on,
                    made.on,
                    since,
                    objections,
                )
            )
        rows.sort(key=lambda r: (r.party, r.made, str(r.reservation)))
        return Reservations(
            rows=tuple(rows),
            instrument=instrument,
            title=history.title,
            as_of=as_of,
            known_at=known_at or _now(),
            counts=dict(sorted(Counter(r.kind for r in rows).items())),
        )

    def relations(
        self, instrument: str, party: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> Relations:
        """Towards which other participants the treaty binds `party` on `as_of`.

        Bound towards another: both bound on the date (status `party`, or `withdrawing` while
        still bound), and neither has objected to the other's reservations, by then, with
        `precludes_entry_into_force` (VCLT article 20(4)(b)).
        """
        as_of = as_of or _now().date()
        belief, history = self._instrument_belief(instrument, known_at)
        own, own_uncertain = belief.parties[party].at(as_of) if party in belief.parties else (None, False)
        precluded: dict[str, ObjectionFact] = {}
        in_force = [made for made in history.reservations if made.text_on(as_of) is not None]
        for objection in history.objections:
            if (
                objection.on <= as_of
                and objection.precludes_entry_into_force
                and party in (objection.party, objection.to)
                and any(objection.answers(made) for made in in_force)  # withdrawn, it precludes nothing
            ):
                precluded.setdefault(objection.to if objection.party == party else objection.party, objection)
        rows: list[RelationRow] = []
        for other in sorted(belief.parties):
            if other == party:
                continue
            point, uncertain = belief.parties[other].at(as_of)
            if point is None or point.status is None:
                continue
            reason = ""
            if own is None or not own.bound:
                reason = f"{party} is not bound ({own.status if own is not None else 'no status'})"
            elif not point.bound:
                reason = f"{other} is not bound"
            elif other in precluded:
                found = precluded[other]
                reason = (
                    f"{found.party} objected to {found.to}'s reservation on {found.on.isoformat()}, "
                    "precluding entry into force between them"
                )
            assert point.status is not None  # noqa: S101 - checked above
            rows.append(
                RelationRow(
                    other, party_name(other), point.status, not reason, reason, uncertain or own_uncertain
                )
            )
        bound = sum(row.bound for row in rows)
        return Relations(
            rows=tuple(rows),
            instrument=instrument,
            title=history.title,
            party=party,
            name=party_name(party),
            status=own.status if own is not None else None,
            as_of=as_of,
            known_at=known_at or _now(),
            counts={"bound": bound, "not bound": len(rows) - bound},
        )

    # -- history tables (see `storage.tables`) -----------------------------------------------

    def record_times(self, entity: str) -> list[datetime]:
        """Every record time at which what is believed of an entity may change, in order: those of its
        facts and amendments (and, for an instrument, of continuations, which change its rows)."""
        times = set(self._own_times(entity))
        if entity.startswith("instrument:") and self._continued:
            statements, statement_amendments = self._decode_entity(STATEMENTS)
            times.update(e.recorded_at for e in statements if isinstance(e, Continued) and e.recorded_at)
            times.update(a.recorded_at for a in statement_amendments if a.recorded_at is not None)
        for other in self.case_relatives(entity):
            times.update(self._own_times(other))
        return sorted(times)

    def naming(self, code: str) -> set[str]:
        """The entities a fact of which names a party or an actor (as captor, national, ...)."""
        return set(self._by_party.get(code, ()))

    def links_from(self, entity: str) -> list[str]:
        """The slugs of the cases a case's facts link to, as recorded or as any correction says."""
        if not entity.startswith("case:") or entity not in self._facts:
            return []
        facts, amendments = self._decode_entity(entity)
        found = {getattr(e, "other_case", None) for e in facts}
        found |= {a.changes.get("other_case") for a in amendments if isinstance(a, Corrected)}
        return sorted(slug for slug in found if isinstance(slug, str) and slug)

    def case_relatives(self, entity: str) -> list[str]:
        """The entities whose facts change how a case's rows show: the cases linking to it (its
        links) and the non-state actors named as its captors (their names); [] for others."""
        if not entity.startswith("case:"):
            return []
        relatives = {f"case:{other}" for other in self._reverse_links.get(entity.removeprefix("case:"), ())}
        facts, amendments = self._decode_entity(entity)
        named = [getattr(e, field, None) for e in facts for field in ("detaining_state", "detained_by")]
        named += [value for a in amendments if isinstance(a, Corrected) for value in a.changes.values()]
        relatives.update(code for code in named if isinstance(code, str) and is_actor(code))
        return sorted(relatives)

    def history_intervals(self, entity: str) -> list[SignatoryInterval | CaseInterval]:
        """The history tables' rows of an instrument or a case, over both times."""
        parts = self._parts(entity)
        if parts is None:
            rows = _known_intervals(self.record_times(entity), self._rows_at(entity))
        else:  # party by party: each folded only at the record times of what decides its rows
            rows = []
            for party, part in sorted(parts.items()):
                rows += _known_intervals(part.times(), partial(self._part_rows, entity, party, part))
        return [interval_of(entity, key, known_from, known_until) for key, known_from, known_until in rows]

    def _parts(self, entity: str) -> dict[str, _Part] | None:
        """An instrument's facts and amendments split by party, each part with the instrument's own
        (those naming no party), where no party's rows depend on another's facts; else None.

        A party's status depends on others' only through a derived entry into force (final
        clauses count the consents), a bilateral treaty (one side's withdrawal ends it for the
        other) and continuations (a successor shown in its predecessor's place); a correction
        of who acts, of the kind or of the clauses could bring either in. Then the whole
        instrument is folded at every record time; otherwise each party's part is folded at the
        record times of that part, which keeps a large instrument's rows linear in its size.
        """
        if not entity.startswith("instrument:") or self._continued:
            return None
        facts, amendments = self._decode_entity(entity)
        shared = _Part([], [])
        parts: dict[str, _Part] = {}
        party_of: dict[UUID, str] = {}
        for fact in facts:
            if isinstance(fact, InstrumentOpened) and (
                fact.kind == "bilateral_treaty" or fact.final_clauses is not None
            ):
                return None
            party = getattr(fact, "party", None)
            if isinstance(party, str):
                party_of[fact.id] = party
                parts.setdefault(party, _Part([], [])).facts.append(fact)
            else:
                shared.facts.append(fact)
        for amendment in amendments:
            if isinstance(amendment, Corrected) and not _SPLIT_KEEPS.isdisjoint(amendment.changes):
                return None
            owner = party_of.get(amendment.target)
            (shared if owner is None else parts[owner]).amendments.append(amendment)
        return {
            party: _Part([*shared.facts, *part.facts], [*shared.amendments, *part.amendments])
            for party, part in parts.items()
        }

    def _part_rows(self, entity: str, party: str, part: _Part, known_at: datetime) -> set[tuple[object, ...]]:
        """One party's rows believed at `known_at`, folded from its part of the instrument."""
        facts = [f for f in part.facts if f.recorded_at is not None and f.recorded_at <= known_at]
        amendments = [a for a in part.amendments if a.recorded_at is not None and a.recorded_at <= known_at]
        believed = apply_amendments(facts, amendments, strict=False)
        history = fold_instrument(entity.removeprefix("instrument:"), believed, strict=False)
        changes = history.parties.get(party)
        if not changes:
            return set()
        points = _Points.of(changes)
        return {(party, *segment) for segment in _segments(points.points, points.at)}

    def rows_believed(self, entity: str, known_at: datetime) -> set[tuple[object, ...]]:
        """The rows believed of an instrument or a case at `known_at` (without their record times)."""
        if entity.startswith("instrument:"):
            return self._signatory_segments(entity, known_at)
        if entity.startswith("case:"):
            return self._case_segments(entity, known_at)
        return set()

    def _rows_at(self, entity: str) -> Callable[[datetime], set[tuple[object, ...]]]:
        """`rows_believed` of one entity, computed again only where what it reads changed: a case's
        rows read its own facts and its relatives' (`case_relatives`), each believed as at the last
        of its own record times."""
        if not entity.startswith("case:"):
            return partial(self.rows_believed, entity)
        case = entity.removeprefix("case:")
        relatives = self.case_relatives(entity)
        last: list[object] = [None, set()]

        def read(name: str, known_at: datetime) -> object:
            """What the rows read of a relative: a linking case's days linking to this one."""
            if not name.startswith("case:"):
                return bisect_right(self._own_times(name), known_at)
            points = self._belief(name, known_at).case_points
            return _link_pattern(points.points, case) if points is not None else ()

        def rows_at(known_at: datetime) -> set[tuple[object, ...]]:
            seen = (
                bisect_right(self._own_times(entity), known_at),
                *(read(name, known_at) for name in relatives),
            )
            if seen != last[0]:
                last[:] = [seen, self._case_segments(entity, known_at)]
            return cast("set[tuple[object, ...]]", last[1])

        return rows_at

    def history_changes(
        self, entity: str, times: Sequence[datetime], before: set[tuple[object, ...]]
    ) -> tuple[list[SignatoryInterval | CaseInterval], list[tuple[tuple[object, ...], datetime]]]:
        """What later record times change in an entity's rows: the rows that appear (with their record
        times), and the rows of `before` (believed just before `times`, still open) that end, with when."""
        parts = self._parts(entity)
        if parts is None or not {key[0] for key in before} <= parts.keys():
            return _changes(entity, times, before, self._rows_at(entity))
        opened: list[SignatoryInterval | CaseInterval] = []
        ended: list[tuple[tuple[object, ...], datetime]] = []
        for party, part in sorted(parts.items()):
            held = set(part.times())
            mine = [moment for moment in times if moment in held]
            if mine:  # a party none of whose part is recorded at these times keeps its rows
                rows_at = partial(self._part_rows, entity, party, part)
                more, less = _changes(entity, mine, {k for k in before if k[0] == party}, rows_at)
                opened += more
                ended += less
        return opened, ended

    def _signatory_segments(self, entity: str, known_at: datetime) -> set[tuple[object, ...]]:
        """(party, status, valid_from, valid_until, uncertain, event_id) of each row believed at R."""
        belief = self._belief(entity, known_at)
        continuations = self._continuations(known_at) if self._continued else []
        affected = {name for c in continuations for name in (c.party, c.predecessor)}
        found: set[tuple[object, ...]] = set()
        for party, points in belief.parties.items():
            if party not in affected:
                found.update((party, *segment) for segment in _segments(points.points, points.at))
        if not affected:
            return found
        # Continuations: sample where any of the parties involved changes, as `signatories` shows them.
        days = {c.first for c in continuations} | {c.last for c in continuations}  # certain from `last`
        for name in affected & set(belief.parties):
            days.update(day for point in belief.parties[name].points for day in (point.on, point.start))

        def shown(day: date) -> dict[str, tuple[Change, bool]]:
            rows: dict[str, tuple[Change, bool]] = {}
            for name in sorted(affected & set(belief.parties)):
                point, uncertain = belief.parties[name].at(day)
                if point is not None and point.status is not None:
                    rows[name] = (point, uncertain)
            for continued in continuations:
                taken = rows.get(continued.predecessor) if continued.first <= day else None
                if taken is not None and continued.party not in rows:
                    del rows[continued.predecessor]
                    rows[continued.party] = (taken[0], taken[1] or continued.last > day)
            return rows

        samples = sorted(days)
        for name in affected:
            line: list[tuple[date, Change | None, bool]] = []
            for day in samples:
                point, uncertain = shown(day).get(name, (None, False))
                line.append((day, point, uncertain))
            found.update((name, *segment) for segment in _segments_of_samples(line))
        return found

    def _case_segments(self, entity: str, known_at: datetime) -> set[tuple[object, ...]]:
        """The case's rows believed at `known_at`, as `cases` shows them: (status, valid_from,
        valid_until, days_detained_before, in_custody, uncertain, event_id, days_restricted_before,
        restricted, days_deprived_before, deprived, details); days are counted on what certainly
        happened, and `details` (JSON, see `case_details`) holds the rest of the row."""
        case = entity.removeprefix("case:")
        points = self._belief(entity, known_at).case_points
        if points is None:
            return set()
        days = {day for state in points.points for day in (state.on, state.start)}
        linking: dict[str, _Points[CaseState]] = {}
        for other in sorted(self._reverse_links.get(case, ())):
            other_points = self._belief(f"case:{other}", known_at).case_points
            if other_points is not None:  # where a case starts or stops linking to this one
                linking[other] = other_points
                days.update(
                    day for on, start, _ in _link_pattern(other_points.points, case) for day in (on, start)
                )
        for captor in {state.detained_by for state in points.points if state.detained_by}:
            if is_actor(captor) and captor in self._facts:  # named from its registration on
                registered = self._belief(captor, known_at).actor
                if registered is not None:
                    days.add(registered.occurred_on.last)
        samples = sorted(day for day in days if day >= points.points[0].start) if points.points else []
        found: list[list[object]] = []
        shown: dict[tuple[object, ...], str] = {}  # details already written, by what they show
        for index, day in enumerate(samples):
            state, uncertain = points.at(day)
            until = samples[index + 1] if index + 1 < len(samples) else None
            if state is None:
                continue
            known = points.certain(day) if uncertain else state
            counters: list[object] = []
            for statuses, count in (
                (RESTRICTED, CaseState.days_restricted),
                (DEPRIVED, CaseState.days_deprived),
            ):
                counters += [
                    count(known, day) if known else 0,
                    known is not None and known.status in statuses,
                ]
            before = known.days_detained(day) if known is not None else 0
            custody = known is not None and known.status in IN_CUSTODY
            details = self._case_details(case, state, day, known_at, linking, shown)
            row: list[object] = [state.status, day, until, before, custody, uncertain, state.event_id]
            row += [*counters, details]
            if found and _continues(found[-1], row):
                found[-1][2] = until
                continue
            found.append(row)
        return {tuple(row) for row in found}

    def _case_details(
        self,
        case: str,
        state: CaseState,
        day: date,
        known_at: datetime | None,
        linking: Mapping[str, _Points[CaseState]],
        shown: dict[tuple[object, ...], str],
    ) -> str:
        """What a case's row shows on `day` besides its status, days and event (see `case_details`);
        `shown` keeps what was written for the same state, links and captor's name."""
        linked = [other for other, _ in state.links]
        for other, other_points in linking.items():
            other_state = other_points.at(day)[0]
            if other_state and any(slug == case for slug, _ in other_state.links):
                linked.append(other)
        captor = state.detained_by
        name = self.name_of(captor, known_at, day) if captor else None
        key = (id(state), tuple(dict.fromkeys(linked)), name)  # states outlive the call: ids are theirs
        details = shown.get(key)
        if details is None:
            details = shown[key] = case_details(state, key[1], name)
        return details

    def name_of(self, code: str, known_at: datetime | None = None, as_of: date | None = None) -> str:
        """The display name of a party, a body, or an actor (registered by `as_of`, as known at `known_at`).

        An actor is named from the date of its registration on (like any fact, from the end of
        a partial date's period); before it, and if never registered, it shows as its code.
        """
        if is_actor(code) and code in self._facts:
            registered = self._belief(code, known_at).actor
            if registered is not None and (as_of is None or registered.occurred_on.last <= as_of):
                return registered.name
        return display_name(code)

    def actors(self, known_at: datetime | None = None) -> dict[str, ActorRegistered]:
        """Every registered non-state actor, by code (`actor:SLUG`), as known at `known_at`."""
        found: dict[str, ActorRegistered] = {}
        for slug in self.entities("actor"):
            registered = self._belief(ACTOR_PREFIX + slug, known_at).actor
            if registered is not None:
                found[ACTOR_PREFIX + slug] = registered
        return found

    def _case_row(self, case: str, as_of: date, known_at: datetime | None) -> CaseRow | None:
        points = self._belief(f"case:{case}", known_at).case_points
        if points is None:
            return None
        state, uncertain = points.at(as_of)
        if state is None:
            return None
        # Days are counted on what certainly happened: an uncertain release has not ended custody.
        known = points.certain(as_of) if uncertain else state
        days = (
            (known.days_detained(as_of), known.days_restricted(as_of), known.days_deprived(as_of))
            if known is not None
            else (0, 0, 0)
        )
        linked = [other for other, _ in state.links]
        for other in sorted(self._reverse_links.get(case, ())):
            other_points = self._belief(f"case:{other}", known_at).case_points
            other_state = other_points.at(as_of)[0] if other_points else None
            if other_state and any(slug == case for slug, _ in other_state.links):
                linked.append(other)
        captor = state.detained_by
        return CaseRow(
            case=case,
            person=state.person,
            nationalities=state.nationalities,
            detaining_state=captor,
            requested_by=state.requested_by,
            location=state.location,
            status=state.status,
            since=state.since,
            days_detained=days[0],
            charges=state.charges,
            sentence=state.sentence,
            term_days=state.term_days,
            linked_cases=tuple(dict.fromkeys(linked)),
            event_id=state.event_id,
            uncertain=uncertain,
            detained_by=captor,
            detained_by_name=self.name_of(captor, known_at, as_of) if captor else None,
            charging_state=state.charging_state,
            basis=state.basis,
            restrictions=tuple(restriction for restriction, _ in state.restrictions),
            conditions=tuple((r, c) for r, c in state.restrictions if c is not None),
            days_restricted=days[1],
            days_deprived=days[2],
            designations=state.designations,
            died_in_custody=state.died_in_custody,
            cause_of_death=state.cause_of_death,
        )

    def cases(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        only: Iterable[str] | None = None,
        designation: str | None = None,
    ) -> Cases:
        """Every detention case begun by `as_of`, as known at `known_at` (only those so designated, if asked).

        `designation`: only cases with a designation of this kind (e.g. `wrongful_detention`) by `as_of`.
        """
        as_of = as_of or _now().date()
        check_designation(designation)
        slugs = sorted(only) if only is not None else self.entities("case")
        for slug in slugs:
            if f"case:{slug}" not in self._facts:
                raise UnknownEntityError("case", slug)
        rows = (self._case_row(slug, as_of, known_at) for slug in slugs)
        return cases_of(rows, as_of, known_at or _now(), designation)

    def condemnations(
        self,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
        actor: str | None = None,
        target: str | None = None,
    ) -> Condemnations:
        """Condemnations made by `as_of`, as known at `known_at`, optionally by actor or target."""
        as_of = as_of or _now().date()
        rows: list[CondemnationRow] = []
        counts: Counter[str] = Counter()
        statements = self._belief(STATEMENTS, known_at).statements
        cached = self._decoded.get(STATEMENTS)  # the statements as the belief decoded them, if kept
        decoded = {fact.id: fact for fact in cached[0]} if cached is not None else {}
        for statement in statements:
            if statement.first > as_of:
                continue
            if (actor and statement.actor != actor) or (target and statement.target != target):
                continue
            event = (
                statement.event
                if isinstance(statement.event, Condemned)
                else decoded.get(statement.event) or self._decode(statement.event)
            )
            assert isinstance(event, Condemned)  # noqa: S101 - statements hold condemnations
            uncertain = statement.last > as_of
            rows.append(
                CondemnationRow(
                    on=str(event.occurred_on),
                    actor=event.actor,
                    subject=event.subject,
                    target=event.target,
                    speaker=event.speaker,
                    quote=event.quote,
                    instrument=event.instrument,
                    case=event.case,
                    event=event,
                    uncertain=uncertain,
                )
            )
            if not uncertain:
                counts[event.actor] += 1
        return Condemnations(
            rows=tuple(rows),
            as_of=as_of,
            known_at=known_at or _now(),
            counts=dict(sorted(counts.items())),
        )

    def timeline(self, party: str, *, known_at: datetime | None = None) -> Timeline:
        """Every fact about `party`, as believed at `known_at`, in valid-time order.

        A fact is about a party when it names it, or when it belongs to a case a fact of
        which names it (as captor, national, charging or designating state): a formal
        arrest or a release names nobody, but it is part of the captor's record.
        """
        entities = sorted(self._by_party.get(party, ()))
        found: list[EventBase] = []
        for entity in entities:
            believed = self.believed(entity, known_at)
            if entity.startswith("case:") and any(party in e.parties() for e in believed):
                found.extend(believed)
            else:
                found.extend(e for e in believed if party in e.parties())
        found.sort(key=valid_time_key)
        counts = Counter(e.type for e in found)
        return Timeline(
            rows=tuple(
                TimelineRow(str(e.occurred_on), e.type, e.entity(), e.summary(), e)  # type: ignore[arg-type]
                for e in found
            ),
            party=party,
            name=self.name_of(party, known_at),
            known_at=known_at or _now(),
            counts=dict(sorted(counts.items())),
        )


_ONE_DAY = timedelta(days=1)


def interval_of(
    entity: str, key: tuple[object, ...], known_from: datetime, known_until: datetime | None
) -> SignatoryInterval | CaseInterval:
    """A history table's row from its key (what `Projection.rows_believed` gives) and its record times."""
    kind, _, slug = entity.partition(":")
    if kind == "instrument":
        party, status, valid_from, valid_until, uncertain, event_id = key
        return SignatoryInterval(
            slug,
            cast(str, party),
            cast(str, status),
            cast(date, valid_from),
            cast("date | None", valid_until),
            known_from,
            known_until,
            cast(bool, uncertain),
            cast(UUID, event_id),
        )
    status, valid_from, valid_until, before, custody, uncertain, event_id, *rest = key
    restricted_before, restricted, deprived_before, deprived, details = rest
    return CaseInterval(
        slug,
        cast(str, status),
        cast(date, valid_from),
        cast("date | None", valid_until),
        known_from,
        known_until,
        cast(int, before),
        cast(bool, custody),
        cast(bool, uncertain),
        cast(UUID, event_id),
        cast(int, restricted_before),
        cast(bool, restricted),
        cast(int, deprived_before),
        cast(bool, deprived),
        cast(str, details),
    )


def _segments(
    points: Sequence[Change], at: Callable[[date], tuple[Change | None, bool]]
) -> list[tuple[object, ...]]:
    """(status, valid_from, valid_until, uncertain, event_id) of one party's rows: `at` changes only
    where a point starts or holds for certain."""
    days = sorted({day for point in points for day in (point.on, point.start)})
    return _segments_of_samples([(day, *at(day)) for day in days])


def _segments_of_samples(samples: Sequence[tuple[date, Change | None, bool]]) -> list[tuple[object, ...]]:
    """Runs of equal rows between sample days (each holding until the next sample), None: no row."""
    found: list[list[object]] = []
    for index, (day, point, uncertain) in enumerate(samples):
        until = samples[index + 1][0] if index + 1 < len(samples) else None
        if point is None or point.status is None:
            continue
        row = (point.status, uncertain, point.event_id)
        if found and found[-1][2] == day and (found[-1][0], found[-1][3], found[-1][4]) == row:
            found[-1][2] = until
            continue
        found.append([point.status, day, until, uncertain, point.event_id])
    return [tuple(row) for row in found]


def _changes(
    entity: str,
    times: Sequence[datetime],
    before: set[tuple[object, ...]],
    rows_at: Callable[[datetime], set[tuple[object, ...]]],
) -> tuple[list[SignatoryInterval | CaseInterval], list[tuple[tuple[object, ...], datetime]]]:
    """`Projection.history_changes` over rows given by `rows_at`."""
    opened: list[SignatoryInterval | CaseInterval] = []
    ended: list[tuple[tuple[object, ...], datetime]] = []
    since: dict[tuple[object, ...], datetime | None] = dict.fromkeys(before)
    for moment in times:
        now = rows_at(moment)
        for key in [key for key in since if key not in now]:
            started = since.pop(key)
            if started is None:
                ended.append((key, moment))
            else:
                opened.append(interval_of(entity, key, started, moment))
        for key in now:
            since.setdefault(key, moment)
    opened.extend(
        interval_of(entity, key, started, None) for key, started in since.items() if started is not None
    )
    return opened, ended


def _link_pattern(states: Sequence[CaseState], case: str) -> tuple[tuple[date, date, bool], ...]:
    """(on, start, links) where a case's states start or stop linking to `case`: all that another
    case's rows read of it."""
    found: list[tuple[date, date, bool]] = []
    linking = False
    for state in states:
        now = any(slug == case for slug, _ in state.links)
        if now != linking:
            found.append((state.on, state.start, now))
            linking = now
    return tuple(found)


def cases_of(
    rows: Iterable[CaseRow | None], as_of: date, known_at: datetime, designation: str | None
) -> Cases:
    """The `cases` answer from each case's row on `as_of` (None: not begun), those of a designation
    only if asked; the counts leave uncertain rows out."""
    kept: list[CaseRow] = []
    counts: Counter[str] = Counter()
    for row in rows:
        if row is None:
            continue
        if designation is not None and designation not in {d.designation for d in row.designations}:
            continue
        kept.append(row)
        if not row.uncertain:
            counts[row.status] += 1
    return Cases(
        rows=tuple(kept),
        as_of=as_of,
        known_at=known_at,
        counts=dict(sorted(counts.items())),
        designation=designation,
    )


def check_designation(designation: str | None) -> None:
    """Refuse (`ValueError`) a designation kind that does not exist."""
    if designation is not None and designation not in DESIGNATIONS:
        raise ValueError(f"designation {designation!r}: expected one of {', '.join(DESIGNATIONS)}")


def _continues(last: list[object], row: list[object]) -> bool:
    """Whether a case's row on a later day is its last row going on: the same but for its day counters,
    which grew by the days between where they accrue."""
    if last[2] != row[1] or (last[0], *last[4:7], last[8], *last[10:]) != (
        row[0],
        *row[4:7],
        row[8],
        *row[10:],
    ):
        return False
    elapsed = (cast(date, row[1]) - cast(date, last[1])).days
    return all(cast(int, last[at]) + (elapsed if last[at + 1] else 0) == row[at] for at in (3, 7, 9))


def _known_intervals(
    times: Sequence[datetime], rows_at: Callable[[datetime], set[tuple[object, ...]]]
) -> list[tuple[tuple[object, ...], datetime, datetime | None]]:
    """(row, known_from, known_until) for each row believed over a run of record times: a row holds
    from the record time it appears at to the one it is gone at (None: still believed). Times are
    given in UTC: one instant recorded with two offsets is one time, however it was written."""
    found: list[tuple[tuple[object, ...], datetime, datetime | None]] = []
    since: dict[tuple[object, ...], datetime] = {}
    for moment in (time.astimezone(UTC) for time in times):
        now = rows_at(moment)
        for row in [row for row in since if row not in now]:
            found.append((row, since.pop(row), moment))
        for row in now:
            since.setdefault(row, moment)
    found.extend((row, moment, None) for row, moment in since.items())
    return found


def as_events(events: Iterable[EventBase]) -> list[Event]:
    """Narrow base-typed events to the union type (they are always one of its members)."""
    return list(events)  # type: ignore[arg-type]
