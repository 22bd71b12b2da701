"""A stateful test base: a `Ledger` run beside a plain reference model, checked at every step.

    from declaration_events.testing import LedgerStateMachine

    TestLedger = LedgerStateMachine.TestCase

The machine records generated facts (legal and illegal, late and out of order),
corrections, retractions and re-imports, one at a time or in batches, into the ledger
that `make_ledger()` returns. Beside it runs `ReferenceModel`: a naive replay that
restates the law in a few lines of plain code, independent of the transition tables in
`rules`. After every step the ledger must agree with the model: the same facts accepted
and rejected (with the same rule), the same status as of every date that matters, counts
that add up, and answers `known_at` a past record time that never change.

Subclass it to check a projection of your own: feed it in `after_record()`, compare it
in an `@invariant()`; or override `make_ledger()` to run on another store.
"""

# A test base checks with `assert`, as tests do; each says what disagreed (and `python -O`
# would skip them, as it would skip the asserts of any test).
# ruff: noqa: S101, PT017

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from .dates import PartialDate
from .errors import DeclarationEventsError, InvalidEventError, InvalidTransitionError, UnknownEntityError
from .events import (
    CasesLinked,
    Charged,
    Condemned,
    Corrected,
    Detained,
    Endorsed,
    EnteredIntoForce,
    Event,
    EventBase,
    InstrumentOpened,
    Ratified,
    Released,
    Retracted,
    Sentenced,
    Signed,
    Withdrew,
)
from .ledger import Ledger
from .projections import Projection
from .strategies import EARLIEST, LATEST_RECORD

__all__ = ["Belief", "Broken", "CaseView", "LedgerStateMachine", "ReferenceModel", "View", "assert_agrees"]

# -- the reference model -----------------------------------------------------------------------

#: The same-day order of the design: opening, signing, ratifying, entry into force, withdrawal;
#: detention, charge, sentence, link, release. Then record time, then id.
_SAME_DAY = {
    "InstrumentOpened": 0,
    "Signed": 1,
    "Endorsed": 1,
    "Ratified": 2,
    "EnteredIntoForce": 3,
    "Withdrew": 4,
    "Detained": 0,
    "Charged": 1,
    "Sentenced": 2,
    "CasesLinked": 3,
    "Released": 4,
}
_IN_CUSTODY = ("detained", "charged", "sentenced")
_PARTICIPATING = ("signed", "endorsed", "ratified", "party")
#: Who may sign, endorse or ratify: no status yet, or withdrawn (and, to endorse or ratify, signed).
_MAY_JOIN = {"Signed": (None, "withdrawn"), "Endorsed": (None, "signed", "withdrawn")}
_MAY_JOIN["Ratified"] = _MAY_JOIN["Endorsed"]
_JOINS_AS = {"Signed": "signed", "Endorsed": "endorsed", "Ratified": "ratified"}


class Broken(Exception):
    """The model's verdict on an illegal path: the rule a fact breaks."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)


def _valid_time_order(event: EventBase) -> tuple[date, int, datetime, str]:
    assert event.recorded_at is not None
    return (event.occurred_on.last, _SAME_DAY.get(event.type, 5), event.recorded_at, str(event.id))


@dataclass
class _Seat:
    """One party's participation in one instrument."""

    status: str | None = None
    since: date | None = None
    consent: date | None = None  # consent to be bound takes effect
    leaving: date | None = None  # withdrawal takes effect

    def settle(self, day: date, force: date | None) -> None:
        """Let a withdrawal or a binding that fell due by `day` take effect."""
        if self.status == "withdrawing" and self.leaving is not None and self.leaving <= day:
            self.status, self.since = "withdrawn", self.leaving
        if self.status == "ratified" and force is not None and self.consent is not None:
            bound = max(force, self.consent)
            if bound <= day:
                self.status, self.since = "party", bound


@dataclass
class _Instrument:
    """An instrument being replayed: its kind, entry into force and seats."""

    kind: str | None = None
    force: date | None = None
    seats: dict[str, _Seat] = field(default_factory=dict)

    def take(self, event: EventBase) -> None:
        """Apply one fact, or raise `Broken` (before changing anything) if it is illegal here."""
        day = event.occurred_on.last
        if isinstance(event, InstrumentOpened):
            if self.kind is not None:
                raise Broken("open-once")
            self.kind = event.kind
            return
        if self.kind is None:
            raise Broken("before-opening")
        if isinstance(event, EnteredIntoForce):
            if self.kind != "treaty":
                raise Broken("force-treaties-only")
            if self.force is not None:
                raise Broken("force-once")
            self.force = day
            return
        if isinstance(event, Endorsed) and self.kind != "declaration":
            raise Broken("endorse-declarations-only")
        if isinstance(event, Ratified) and self.kind != "treaty":
            raise Broken("ratify-treaties-only")
        party: str = getattr(event, "party")  # noqa: B009 - every other instrument fact names one
        seat = self.seats.get(party, _Seat())
        if seat.status == "withdrawing":
            raise Broken("withdrawal-pending")
        if isinstance(event, Withdrew):
            if seat.status not in _PARTICIPATING:
                raise Broken("withdraw-participating")
            seat.status, seat.since, seat.consent = "withdrawing", day, None
            seat.leaving = (event.effective_on or event.occurred_on).last
        else:
            if seat.status not in _MAY_JOIN[event.type]:
                raise Broken("already-participating")
            seat.status, seat.since = _JOINS_AS[event.type], day
            if isinstance(event, Ratified):
                seat.consent = (event.effective_on or event.occurred_on).last
        self.seats[party] = seat


def replay_instrument(
    facts: Sequence[EventBase], until: date | None = None, *, lenient: bool = False
) -> dict[str, _Seat]:
    """Each party's seat after the instrument's facts dated by `until` (default: all).

    Raises `Broken` at the first illegal fact; `lenient` skips it instead, as queries about
    past beliefs do.
    """
    if not any(isinstance(e, InstrumentOpened) for e in facts):
        if lenient or not facts:  # every fact retracted: an empty history is legal
            return {}
        raise Broken("unknown-instrument")
    instrument = _Instrument()
    for event in sorted(facts, key=_valid_time_order):
        day = event.occurred_on.last
        if until is not None and day > until:
            break
        for seat in instrument.seats.values():
            seat.settle(day, instrument.force)
        try:
            instrument.take(event)
        except Broken:
            if not lenient:
                raise
    for seat in instrument.seats.values():
        seat.settle(until or date.max, instrument.force)
    return instrument.seats


@dataclass
class CaseView:
    """A detention case as the model sees it on one day."""

    status: str
    since: date
    stage: str
    person: str
    nationalities: tuple[str, ...]
    detaining_state: str
    charges: tuple[str, ...] = ()
    sentence: str | None = None
    term_days: int | None = None
    links: tuple[str, ...] = ()
    days: int = 0  # days in custody before `held_since`
    held_since: date | None = None

    def days_detained(self, as_of: date) -> int:
        """Custody days up to `as_of`."""
        if self.held_since is None or as_of <= self.held_since:
            return self.days
        return self.days + (as_of - self.held_since).days


def _take(case: CaseView | None, event: EventBase) -> CaseView:
    """The case after one fact; raise `Broken` (before changing anything) if it is illegal here."""
    day = event.occurred_on.last
    if case is None:
        if not isinstance(event, Detained):
            raise Broken("before-detention")
        new = CaseView("detained", day, "detained", event.person, event.nationalities, event.detaining_state)
        new.held_since = day
        return new
    was = case.status
    held = was in _IN_CUSTODY
    if isinstance(event, CasesLinked):
        if event.other_case not in case.links:
            case.links += (event.other_case,)
        return case
    if isinstance(event, Detained):
        if held:
            raise Broken("detain-free")
        if was == "released":
            case.stage = "detained"  # a new arrest starts proceedings afresh
        case.status = case.stage
        case.person, case.nationalities = event.person, event.nationalities
        case.detaining_state, case.held_since = event.detaining_state, day
    elif isinstance(event, Charged):
        if not held and was != "on_bail":
            raise Broken("charge-in-custody")
        case.stage = "sentenced" if case.stage == "sentenced" else "charged"
        case.charges = tuple(dict.fromkeys(case.charges + event.charges))
        case.status = case.stage if held else was
    elif isinstance(event, Sentenced):
        if not held and was != "on_bail":
            raise Broken("sentence-in-custody")
        case.stage, case.sentence, case.term_days = "sentenced", event.sentence, event.term_days
        case.status = case.stage if held else was
    elif isinstance(event, Released):
        if event.mechanism == "bail" and not held:
            raise Broken("bail-from-custody")
        if not held and was != "on_bail":
            raise Broken("release-in-custody")
        case.days, case.held_since = case.days_detained(day), None
        case.status = "on_bail" if event.mechanism == "bail" else "released"
    if case.status != was:
        case.since = day
    return case


def replay_case(
    facts: Sequence[EventBase], until: date | None = None, *, lenient: bool = False
) -> CaseView | None:
    """The case after its facts dated by `until` (None before it began).

    Raises `Broken` at the first illegal fact; `lenient` skips it instead.
    """
    if not any(isinstance(e, Detained) for e in facts):
        if lenient or not facts:  # every fact retracted: an empty history is legal
            return None
        raise Broken("unknown-case")
    case: CaseView | None = None
    for event in sorted(facts, key=_valid_time_order):
        if until is not None and event.occurred_on.last > until:
            break
        try:
            case = _take(case, event)
        except Broken:
            if not lenient:
                raise
    return case


class View(NamedTuple):
    """What the model expects of one query: answers, and which of them a partial date leaves open."""

    answers: dict[str, Any]
    unsettled: frozenset[str]  # keys (parties or cases) whose answer a partial date leaves open


def _straddles(period: PartialDate | None, day: date) -> bool:
    return period is not None and period.first <= day < period.last


class Belief:
    """The facts believed at one record time, grouped by entity, with naive queries over them."""

    def __init__(self, facts: Iterable[EventBase]) -> None:
        self.by_entity: dict[str, list[EventBase]] = defaultdict(list)
        for fact in facts:
            self.by_entity[fact.entity()].append(fact)

    def instruments(self) -> list[str]:
        """Slugs of the instruments with believed facts."""
        return sorted(e.partition(":")[2] for e in self.by_entity if e.startswith("instrument:"))

    def cases(self) -> list[str]:
        """Slugs of the cases with believed facts."""
        return sorted(e.partition(":")[2] for e in self.by_entity if e.startswith("case:"))

    def signatories(self, instrument: str, as_of: date) -> View:
        """Each party's `(status, since)` as of `as_of`; parties a partial date leaves open."""
        facts = self.by_entity.get(f"instrument:{instrument}", [])
        if not any(isinstance(e, InstrumentOpened) for e in facts):
            return View({}, frozenset())
        seats = replay_instrument(facts, until=as_of, lenient=True)
        answers = {p: (s.status, s.since) for p, s in seats.items() if s.status is not None}
        unsettled: set[str] = set()
        for event in facts:
            party = getattr(event, "party", None)
            effective = getattr(event, "effective_on", None)
            # An effect is open from its cause on, not from the start of its effective period.
            pending = effective is not None and event.occurred_on.first <= as_of < effective.last
            if _straddles(event.occurred_on, as_of) or pending:
                if party is None:
                    return View(answers, frozenset(seats) | {"*"})
                unsettled.add(party)
        return View(answers, frozenset(unsettled))

    def case(self, case: str, as_of: date) -> tuple[CaseView | None, bool]:
        """The case as of `as_of` (None before it began), and whether a partial date leaves it open."""
        facts = self.by_entity.get(f"case:{case}", [])
        if not facts:
            return None, False
        unsettled = any(_straddles(e.occurred_on, as_of) for e in facts)
        return replay_case(facts, until=as_of, lenient=True), unsettled

    def linked(self, case: str, as_of: date) -> set[str]:
        """Cases linked to `case` as of `as_of`, either way round."""
        mine, _ = self.case(case, as_of)
        linked = set(mine.links) if mine else set()
        for other in self.cases():
            theirs, _ = self.case(other, as_of)
            if theirs and case in theirs.links:
                linked.add(other)
        return linked

    def condemnations(self, as_of: date) -> dict[UUID, bool]:
        """Condemnations made by `as_of`: id -> whether its partial date leaves it uncertain."""
        return {
            e.id: e.occurred_on.last > as_of
            for e in self.by_entity.get("statements", [])
            if isinstance(e, Condemned) and e.occurred_on.first <= as_of
        }

    def naming(self, party: str) -> set[UUID]:
        """Ids of the believed facts that name `party`."""
        return {e.id for facts in self.by_entity.values() for e in facts if party in e.parties()}


def _corrected(target: EventBase, correction: Corrected) -> EventBase:
    """The target with the correction's changes; `Broken` if that is invalid or moves it."""
    try:
        amended = type(target).model_validate({**target.model_dump(mode="json"), **correction.changes})
    except ValueError:
        raise Broken("invalid-event") from None
    if amended.entity() != target.entity():
        raise Broken("amend-entity")
    return amended


def _record_order(event: EventBase) -> tuple[datetime, str]:
    assert event.recorded_at is not None
    return (event.recorded_at, str(event.id))


class ReferenceModel:
    """What a ledger should answer, by naive replay: every question re-reads every fact.

    The law is restated here in plain code rather than taken from the transition tables
    in `rules`, so a mistake there shows up as a disagreement. Events are kept per entity
    (an amendment with its target's), which is bookkeeping, not an index of answers.
    """

    def __init__(self) -> None:
        self.events: dict[UUID, EventBase] = {}  # every accepted event, in the order accepted
        self.entity_of: dict[UUID, str] = {}
        self.by_entity: dict[str, list[EventBase]] = defaultdict(list)
        self._current: Belief | None = None

    def __len__(self) -> int:
        return len(self.events)

    def facts(self) -> list[EventBase]:
        """Every recorded fact (not amendment), as first recorded."""
        return [e for e in self.events.values() if not isinstance(e, Corrected | Retracted)]

    def entities(self, kind: str) -> list[str]:
        """Slugs of one kind of entity (`instrument` or `case`), in the order they were first recorded."""
        return [e.partition(":")[2] for e in self.by_entity if e.startswith(kind + ":")]

    def believe(self, events: Iterable[EventBase], *, strict: bool = False) -> dict[UUID, EventBase]:
        """Apply the amendments among `events` to the facts among them, in record order."""
        facts: dict[UUID, EventBase] = {}
        amendments: list[Corrected | Retracted] = []
        for event in events:
            if isinstance(event, Corrected | Retracted):
                amendments.append(event)
            else:
                facts[event.id] = event
        for amendment in sorted(amendments, key=_record_order):
            if amendment.target not in facts:
                if strict:
                    raise Broken("amend-retracted")
                continue
            if isinstance(amendment, Retracted):
                del facts[amendment.target]
                continue
            try:
                facts[amendment.target] = _corrected(facts[amendment.target], amendment)
            except Broken:
                if strict:
                    raise
        return facts

    def belief(self, known_at: datetime | None = None) -> Belief:
        """The facts believed at `known_at` (default: everything recorded)."""
        if known_at is None and self._current is not None:
            return self._current
        known = [
            e
            for e in self.events.values()
            if known_at is None or (e.recorded_at is not None and e.recorded_at <= known_at)
        ]
        belief = Belief(self.believe(known).values())
        if known_at is None:
            self._current = belief
        return belief

    def verdict(self, batch: Sequence[EventBase]) -> tuple[list[EventBase], set[str]]:
        """The events a batch would add, and the rules it breaks (empty: the ledger takes it)."""
        fresh: dict[UUID, EventBase] = {}
        for event in batch:
            earlier = self.events.get(event.id) or fresh.get(event.id)
            if earlier is not None:
                if not earlier.same_fact(event):
                    return [], {"duplicate-id"}
                continue
            fresh[event.id] = event
        entity_of = {e.id: e.entity() for e in fresh.values() if not isinstance(e, Corrected | Retracted)}
        for event in fresh.values():
            if isinstance(event, Corrected | Retracted):
                target = self.events.get(event.target) or fresh.get(event.target)
                if target is None:
                    return [], {"unknown-target"}
                if isinstance(target, Corrected | Retracted):
                    return [], {"amend-amendment"}
                assert target.recorded_at is not None
                assert event.recorded_at is not None
                if event.recorded_at < target.recorded_at:
                    return [], {"amend-before-target"}
                entity_of[event.id] = self.entity_of.get(target.id) or entity_of[target.id]
        known = {e for e, events in self.by_entity.items() if events} | set(entity_of.values())
        broken: set[str] = set()
        for entity in sorted(set(entity_of.values())):
            events = self.by_entity.get(entity, []) + [e for e in fresh.values() if entity_of[e.id] == entity]
            try:
                self._check_entity(entity, events, known)
            except Broken as verdict:
                broken.add(verdict.rule)
        return list(fresh.values()), broken

    def _check_entity(self, entity: str, events: list[EventBase], known: set[str]) -> None:
        believed = list(self.believe(events, strict=True).values())
        kind, _, _ = entity.partition(":")
        if kind == "instrument":
            replay_instrument(believed)
            return
        if kind == "case":
            replay_case(believed)
        for event in believed:
            wanted = []
            if isinstance(event, Condemned):
                wanted = [f"instrument:{event.instrument}"] * bool(event.instrument)
                wanted += [f"case:{event.case}"] * bool(event.case)
            elif isinstance(event, CasesLinked):
                wanted = [f"case:{event.other_case}"]
            if any(name not in known for name in wanted):
                raise Broken("unknown-reference")

    def record(self, events: Iterable[EventBase]) -> None:
        """Take accepted events (amendments after, or with, their targets)."""
        pending = [e for e in events if e.id not in self.events]
        for event in sorted(pending, key=lambda e: isinstance(e, Corrected | Retracted)):
            self.events[event.id] = event
            target = event.target if isinstance(event, Corrected | Retracted) else None
            entity = self.entity_of[target] if target is not None else event.entity()
            self.entity_of[event.id] = entity
            self.by_entity[entity].append(event)
        if pending:
            self._current = None


def assert_agrees(
    ledger: Ledger | Projection, belief: Belief, as_of: date, known_at: datetime | None = None
) -> None:
    """Assert a ledger's (or projection's) answers as of one date, known at one time, are the model's.

    `belief` is the model's belief at the same record time (`ReferenceModel.belief(known_at)`).
    Rows a partial date leaves open are only checked for counts that add up.
    """
    for slug in belief.instruments():
        _assert_signatories(ledger, belief, slug, as_of, known_at)
    cases = ledger.cases(as_of=as_of, known_at=known_at)
    certain = [row for row in cases if not row.uncertain]
    assert cases.counts == dict(Counter(row.status for row in certain)), "case counts do not add up"
    open_cases = {slug for slug in belief.cases() if belief.case(slug, as_of)[1]}
    for slug in belief.cases():
        expected, unsettled = belief.case(slug, as_of)
        row = cases.get(slug)
        if unsettled:
            continue
        where = f"case {slug} as of {as_of} known at {known_at}"
        if expected is None:
            assert row is None, f"{where}: the ledger shows a case not begun"
            continue
        assert row is not None, f"{where}: missing"
        assert not row.uncertain, f"{where}: uncertain"
        got = (row.status, row.since, row.days_detained, row.charges, row.sentence, row.term_days)
        want = (
            expected.status,
            expected.since,
            expected.days_detained(as_of),
            expected.charges,
            expected.sentence,
            expected.term_days,
        )
        assert got == want, f"{where}: ledger {got}, model {want}"
        assert (row.person, row.nationalities, row.detaining_state) == (
            expected.person,
            expected.nationalities,
            expected.detaining_state,
        ), where
        if not open_cases:
            assert set(row.linked_cases) == belief.linked(slug, as_of), f"{where}: linked cases"
    condemnations = ledger.condemnations(as_of=as_of, known_at=known_at)
    got_statements = {row.event.id: row.uncertain for row in condemnations}
    assert got_statements == belief.condemnations(as_of), f"condemnations as of {as_of}"
    actors = Counter(row.actor for row in condemnations if not row.uncertain)
    assert condemnations.counts == dict(actors), "condemnation counts do not add up"


def _assert_signatories(
    ledger: Ledger | Projection, belief: Belief, slug: str, as_of: date, known_at: datetime | None
) -> None:
    result = ledger.signatories(slug, as_of=as_of, known_at=known_at)
    view = belief.signatories(slug, as_of)
    where = f"{slug} as of {as_of} known at {known_at}"
    certain = [row for row in result if not row.uncertain]
    assert result.counts == dict(Counter(row.status for row in certain)), f"{where}: counts do not add up"
    if "*" in view.unsettled:
        return
    got = {row.party: (row.status, row.since) for row in result if row.party not in view.unsettled}
    want = {party: answer for party, answer in view.answers.items() if party not in view.unsettled}
    assert got == want, f"{where}: ledger {got}, model {want}"
    assert not any(row.uncertain for row in result if row.party not in view.unsettled), where
    if not view.unsettled:
        assert result.counts == dict(Counter(status for status, _ in want.values())), where


# -- the state machine ---------------------------------------------------------------------------


class When(NamedTuple):
    """Where a generated fact lands in valid time: days from an existing fact, and precision."""

    anchor: int
    days: int
    precision: int  # 0-7: known to the day; 8: to the month; 9: to the year


class Effective(NamedTuple):
    """When a ratification or withdrawal takes effect: days after it, and precision (8: month, 9: year)."""

    days: int
    precision: int


class Tick(NamedTuple):
    """How far the record clock moves before a step, and the offset its time is written in."""

    seconds: int
    zone: int


_OFFSETS = (0, -5 * 60, 5 * 60 + 30, 14 * 60)
_START = datetime(2019, 6, 1, tzinfo=UTC)
_BASE_DAY = date(2012, 1, 1)
_MECHANISMS = ("bail", "pardon", "exchange", "sentence_served")

whens = st.builds(When, st.integers(0, 1_000), st.integers(-60, 400), st.integers(0, 9))
effectives = st.none() | st.builds(Effective, st.integers(0, 800), st.integers(0, 9))
ticks = st.builds(Tick, st.integers(1, 30 * 86_400), st.integers(0, len(_OFFSETS) - 1))


def _rule_of(error: DeclarationEventsError) -> str:
    if isinstance(error, InvalidTransitionError):
        return error.rule
    if isinstance(error, InvalidEventError):
        return "invalid-event"
    if isinstance(error, UnknownEntityError):
        return "unknown-entity"
    return type(error).__name__


def _coarsen(day: date, precision: int) -> PartialDate:
    if precision == 9:
        return PartialDate(day.year)
    if precision == 8:
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


@dataclass(frozen=True)
class _Snapshot:
    known_at: datetime
    as_of: date
    answers: tuple[Any, ...]


@dataclass
class _Clock:
    now: datetime = _START
    offset: int = 0
    counter: Iterator[int] = field(default_factory=itertools.count)

    def advance(self, tick: Tick) -> datetime:
        step = timedelta(seconds=tick.seconds)
        self.now = self.now + step if self.now + step <= LATEST_RECORD else self.now + timedelta(seconds=1)
        self.offset = _OFFSETS[tick.zone]
        return self.stamp()

    def stamp(self) -> datetime:
        """Now, written with the current offset."""
        return self.now.astimezone(timezone(timedelta(minutes=self.offset)))


class LedgerStateMachine(RuleBasedStateMachine):
    """Records generated facts into a ledger beside `ReferenceModel`, checking they agree at every step.

    Attributes for subclasses: `ledger` (from `make_ledger()`), `model`, `journal` (one
    line per recording attempt, for reading a failing example). Hooks: `make_ledger()`,
    `after_record(events)`, `probe_dates()`.
    """

    #: Parties the machine uses: few, so that they meet again and again.
    party_pool: ClassVar[tuple[str, ...]] = ("CAN", "CHN", "EU")
    #: At most this many probe dates per check (spread over all the interesting ones).
    max_probes: ClassVar[int] = 12
    #: At most this many instruments, and this many cases: steps go into their histories instead.
    max_entities: ClassVar[int] = 3

    def __init__(self) -> None:
        super().__init__()
        self.ledger = self.make_ledger()
        self.model = ReferenceModel()
        self.journal: list[str] = []
        self._clock = _Clock()
        self._snapshots: list[_Snapshot] = []

    # -- hooks -----------------------------------------------------------------------------------

    def make_ledger(self) -> Ledger:
        """The ledger under test; override to use another store (default: in memory)."""
        return Ledger()

    def after_record(self, events: Sequence[Event]) -> None:
        """Called with the events the ledger has just accepted; override to feed a projection."""

    def probe_dates(self) -> list[date]:
        """Valid dates worth asking about: around every fact's period and effective date (`max_probes`)."""
        days = {EARLIEST, self._clock.now.date()}
        for facts in self.model.belief().by_entity.values():
            for fact in facts:
                on = fact.occurred_on
                days |= {on.first - timedelta(days=1), on.first, on.last}
                effective = getattr(fact, "effective_on", None)
                if effective is not None:
                    days |= {effective.first, effective.last}
        ordered = sorted(days)
        step = max(1, len(ordered) // self.max_probes)
        # A different slice at each step: over a run, every interesting date gets asked about.
        return [*ordered[len(self.journal) % step :: step], ordered[-1]]

    # -- recording -------------------------------------------------------------------------------

    def _describe(self, events: Sequence[EventBase]) -> str:
        return "; ".join(
            f"{e.type} {e.entity()} on {e.occurred_on}"
            + (f" -> {getattr(e, 'target', '')}" if isinstance(e, Corrected | Retracted) else "")
            for e in events
        )

    def record(self, events: Sequence[EventBase], *, one_by_one: bool = False) -> list[EventBase]:
        """Offer events to the ledger as one batch; check it takes or refuses them as the model says."""
        fresh, broken = self.model.verdict(events)
        self.journal.append(self._describe(events))
        before = len(self.ledger)
        try:
            if one_by_one and len(events) == 1:
                self.ledger.record(events[0])
                added = len(self.ledger) - before
            else:
                added = self.ledger.record_many(events).added
        except DeclarationEventsError as error:
            rule = _rule_of(error)
            assert broken, f"the ledger refused what the model accepts ({rule}): {error}"
            assert rule in broken, f"the ledger refused with {rule!r}, the model expected {broken}: {error}"
            assert len(self.ledger) == before, "a refused batch left events behind"
            return []
        assert not broken, f"the ledger accepted what breaks {sorted(broken)}: {self._describe(events)}"
        assert added == len(fresh), f"the ledger added {added} events, the model expected {len(fresh)}"
        self.model.record(fresh)
        if fresh:
            self.after_record(fresh)  # type: ignore[arg-type]
            self._snapshot()
        return fresh

    def _day(self, when: When, entity: str | None) -> PartialDate:
        """A valid date near one of the entity's facts (or any fact), never after the record date.

        Anchor 0 is the latest fact, so by default (and when shrunk) facts are appended to the
        history; other anchors land them in the middle, as facts found late do.
        """
        facts = self.model.facts() if entity is None else self._facts_of(entity)
        anchors = sorted({f.occurred_on.last for f in facts}, reverse=True) or [_BASE_DAY]
        day = anchors[when.anchor % len(anchors)] + timedelta(days=when.days)
        latest = self._clock.stamp().date()
        return _coarsen(min(max(day, EARLIEST), latest), when.precision)

    def _facts_of(self, entity: str) -> list[EventBase]:
        return [e for e in self.model.by_entity.get(entity, []) if not isinstance(e, Corrected | Retracted)]

    def _serial(self) -> int:
        return next(self._clock.counter)

    def _instruments(self) -> list[str]:
        return self.model.entities("instrument")[::-1]

    def _cases(self) -> list[str]:
        return self.model.entities("case")[::-1]

    def _instrument(self, which: int) -> str:
        instruments = self._instruments()
        return instruments[which % len(instruments)]

    def _case(self, which: int) -> str:
        cases = self._cases()
        return cases[which % len(cases)]

    def _event(self, which: int) -> UUID:
        ids = list(self.model.events)
        return ids[-1 - which % len(ids)]

    # -- rules: instruments -----------------------------------------------------------------------
    #
    # Arguments named `which` pick an instrument, case or event by how recent it is (0: the
    # latest), rather than from a bundle: deleting an earlier step while shrinking then does
    # not change what a later step refers to, so failures shrink to a few steps.

    @precondition(lambda self: len(self._instruments()) < self.max_entities)
    @rule(kind=st.sampled_from(("declaration", "treaty")), when=whens, tick=ticks)
    def open_instrument(self, kind: str, when: When, tick: Tick) -> None:
        """Open a new declaration or treaty."""
        stamp = self._clock.advance(tick)
        slug = f"{kind}-{self._serial()}"
        on = self._day(when, None)
        self.record(
            [
                InstrumentOpened(
                    instrument=slug, title=slug.title(), kind=kind, occurred_on=on, recorded_at=stamp
                )
            ]
        )

    def _participation(
        self,
        instrument: str,
        act: str,
        party: str,
        when: When,
        effective: Effective | None,
        stamp: datetime,
        *,
        on: PartialDate | None = None,
    ) -> EventBase:
        on = on or self._day(when, f"instrument:{instrument}")
        fields: dict[str, Any] = {"instrument": instrument, "occurred_on": on, "recorded_at": stamp}
        if act == "EnteredIntoForce":
            return EnteredIntoForce(**fields)
        fields["party"] = party
        if act in ("Ratified", "Withdrew") and effective is not None:
            fields["effective_on"] = _coarsen(on.last + timedelta(days=effective.days), effective.precision)
        cls = {"Signed": Signed, "Endorsed": Endorsed, "Ratified": Ratified, "Withdrew": Withdrew}[act]
        return cls(**fields)

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        act=st.sampled_from(("Signed", "Endorsed", "Ratified", "Withdrew", "EnteredIntoForce")),
        party=st.integers(0, 99),
        when=whens,
        effective=effectives,
        tick=ticks,
        one_by_one=st.booleans(),
    )
    def participate(
        self,
        which: int,
        act: str,
        party: int,
        when: When,
        effective: Effective | None,
        tick: Tick,
        one_by_one: bool,
    ) -> None:
        """A party signs, endorses, ratifies or withdraws (or the treaty enters into force): legal or not."""
        stamp = self._clock.advance(tick)
        party_code = self.party_pool[party % len(self.party_pool)]
        event = self._participation(self._instrument(which), act, party_code, when, effective, stamp)
        self.record([event], one_by_one=one_by_one)

    def _next_day(self, entity: str, gap: int, precision: int) -> PartialDate:
        """A date `gap` days after the entity's latest fact (never after the record date)."""
        latest = max((f.occurred_on.last for f in self._facts_of(entity)), default=_BASE_DAY)
        return _coarsen(min(latest + timedelta(days=gap), self._clock.stamp().date()), precision)

    def _legal(self, candidates: list[EventBase], pick: int) -> list[EventBase]:
        """One of the candidates the model accepts (chosen by `pick`), or none if it accepts none."""
        legal = [c for c in candidates if not self.model.verdict([c])[1]]
        return [legal[pick % len(legal)]] if legal else []

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        pick=st.integers(0, 999),
        gap=st.integers(0, 120),
        precision=st.integers(0, 9),
        effective=effectives,
        tick=ticks,
        one_by_one=st.booleans(),
    )
    def advance_instrument(
        self,
        which: int,
        pick: int,
        gap: int,
        precision: int,
        effective: Effective | None,
        tick: Tick,
        one_by_one: bool,
    ) -> None:
        """Take an instrument one legal step further (the model picks among all next facts)."""
        stamp = self._clock.advance(tick)
        instrument = self._instrument(which)
        on = self._next_day(f"instrument:{instrument}", gap, precision)
        candidates = [
            self._participation(instrument, act, party, When(0, 0, 0), effective, stamp, on=on)
            for act in ("Signed", "Endorsed", "Ratified", "Withdrew", "EnteredIntoForce")
            for party in self.party_pool
        ]
        self.record(self._legal(candidates, pick), one_by_one=one_by_one)

    @precondition(lambda self: bool(self._instruments()))
    @rule(which=st.integers(0, 99), when=whens, tick=ticks)
    def open_again(self, which: int, when: When, tick: Tick) -> None:
        """Open an instrument that is already open (always refused)."""
        stamp = self._clock.advance(tick)
        instrument = self._instrument(which)
        on = self._day(when, f"instrument:{instrument}")
        self.record(
            [
                InstrumentOpened(
                    instrument=instrument, title="Again", kind="treaty", occurred_on=on, recorded_at=stamp
                )
            ]
        )

    # -- rules: detention cases -------------------------------------------------------------------

    @precondition(lambda self: len(self._cases()) < self.max_entities)
    @rule(nationality=st.integers(0, 99), detaining_state=st.integers(0, 99), when=whens, tick=ticks)
    def detain(self, nationality: int, detaining_state: int, when: When, tick: Tick) -> None:
        """Someone is detained: a new case."""
        stamp = self._clock.advance(tick)
        slug = f"case-{self._serial()}"
        pool = self.party_pool
        event = Detained(
            case=slug,
            person=f"Person {slug}",
            nationalities=(pool[nationality % len(pool)],),
            detaining_state=pool[detaining_state % len(pool)],
            occurred_on=self._day(when, None),
            recorded_at=stamp,
        )
        self.record([event])

    def _case_step(
        self, case: str, act: str, detail: int, when: When, stamp: datetime, *, on: PartialDate | None = None
    ) -> EventBase:
        on = on or self._day(when, f"case:{case}")
        fields: dict[str, Any] = {"case": case, "occurred_on": on, "recorded_at": stamp}
        if act == "Detained":
            first = next(e for e in self.model.by_entity[f"case:{case}"] if isinstance(e, Detained))
            return Detained(
                **fields,
                person=first.person,
                nationalities=first.nationalities,
                detaining_state=first.detaining_state,
            )
        if act == "Charged":
            return Charged(**fields, charges=(f"charge {detail % 3}", f"charge {detail % 2}"))
        if act == "Sentenced":
            return Sentenced(**fields, sentence=f"{detail} years", term_days=detail * 365)
        if act == "Released:bail":
            return Released(**fields, mechanism="bail")
        return Released(**fields, mechanism=_MECHANISMS[1 + detail % (len(_MECHANISMS) - 1)])

    @precondition(lambda self: bool(self._cases()))
    @rule(
        which=st.integers(0, 99),
        act=st.sampled_from(("Charged", "Sentenced", "Released:bail", "Released", "Detained")),
        detail=st.integers(0, 12),
        when=whens,
        tick=ticks,
    )
    def proceed(self, which: int, act: str, detail: int, when: When, tick: Tick) -> None:
        """A case moves on: charge, sentence, bail, release or re-detention; legal or not."""
        stamp = self._clock.advance(tick)
        self.record([self._case_step(self._case(which), act, detail, when, stamp)])

    @precondition(lambda self: bool(self._cases()))
    @rule(
        which=st.integers(0, 99),
        pick=st.integers(0, 999),
        gap=st.integers(0, 120),
        precision=st.integers(0, 9),
        tick=ticks,
    )
    def advance_case(self, which: int, pick: int, gap: int, precision: int, tick: Tick) -> None:
        """Take a case one legal step further: charge, sentence, bail, release or re-detention."""
        stamp = self._clock.advance(tick)
        case = self._case(which)
        on = self._next_day(f"case:{case}", gap, precision)
        steps = (
            ("Charged", pick),
            ("Sentenced", pick),
            ("Released:bail", 0),
            ("Released", pick),
            ("Detained", 0),
        )
        candidates = [
            self._case_step(case, act, detail, When(0, 0, 0), stamp, on=on) for act, detail in steps
        ]
        self.record(self._legal(candidates, pick))

    @precondition(lambda self: bool(self._cases()))
    @rule(which=st.integers(0, 99), other=st.integers(0, 99), when=whens, tick=ticks)
    def link(self, which: int, other: int, when: When, tick: Tick) -> None:
        """Link two cases (a case linked to itself becomes a link to a case nobody recorded)."""
        stamp = self._clock.advance(tick)
        case, other_case = self._case(which), self._case(other)
        event = CasesLinked(
            case=case,
            other_case=other_case if other_case != case else "nobody-recorded-this",
            relation="retaliation",
            occurred_on=self._day(when, f"case:{case}"),
            recorded_at=stamp,
        )
        self.record([event])

    # -- rules: statements ------------------------------------------------------------------------

    @rule(
        actor=st.integers(0, 99),
        target_party=st.none() | st.integers(0, 99),
        about=st.sampled_from(("nothing", "instrument", "case", "unknown")),
        pick=st.integers(0, 99),
        when=whens,
        tick=ticks,
    )
    def condemn(
        self, actor: int, target_party: int | None, about: str, pick: int, when: When, tick: Tick
    ) -> None:
        """A party condemns a practice, perhaps naming a state, an instrument or a case."""
        stamp = self._clock.advance(tick)
        pool = self.party_pool
        fields: dict[str, Any] = {}
        known = {"instrument": self._instruments(), "case": self._cases()}
        if known.get(about):
            fields[about] = known[about][pick % len(known[about])]
        elif about == "unknown":
            fields["instrument"] = "never-opened"
        event = Condemned(
            actor=pool[actor % len(pool)],
            subject="arbitrary detention",
            target=None if target_party is None else pool[target_party % len(pool)],
            occurred_on=self._day(when, None),
            recorded_at=stamp,
            **fields,
        )
        self.record([event])

    # -- rules: batches, re-imports, amendments ----------------------------------------------------

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        orders=st.lists(
            st.tuples(
                st.sampled_from(("Signed", "Endorsed", "Ratified", "Withdrew", "Charged", "Released")),
                st.integers(0, 99),
                whens,
                effectives,
            ),
            min_size=2,
            max_size=4,
        ),
        tick=ticks,
    )
    def record_batch(
        self, which: int, orders: list[tuple[str, int, When, Effective | None]], tick: Tick
    ) -> None:
        """Several facts in one batch (about an instrument, and a case if any): taken whole or not at all."""
        stamp = self._clock.advance(tick)
        instrument, cases = self._instrument(which), self._cases()
        batch = []
        for act, pick, when, effective in orders:
            if act in ("Charged", "Released"):
                if cases:
                    batch.append(self._case_step(cases[pick % len(cases)], act, pick, when, stamp))
            else:
                party = self.party_pool[pick % len(self.party_pool)]
                batch.append(self._participation(instrument, act, party, when, effective, stamp))
        self.record(batch)

    @precondition(lambda self: bool(self.model.events))
    @rule(which=st.integers(0, 99))
    def record_again(self, which: int) -> None:
        """Re-import an event already recorded: a no-op."""
        event = self.model.events[self._event(which)]
        before = len(self.ledger)
        result = self.ledger.record_many([event])
        self.journal.append(f"again: {self._describe([event])}")
        assert (result.added, result.duplicates, len(self.ledger)) == (0, 1, before)

    @precondition(lambda self: bool(self.model.events))
    @rule(
        which=st.integers(0, 99),
        change=st.sampled_from(
            ("note", "occurred_on", "kind", "mechanism", "party", "actor", "nationalities", "instrument")
        ),
        pick=st.integers(0, 99),
        when=whens,
        tick=ticks,
        through_api=st.booleans(),
    )
    def correct(self, which: int, change: str, pick: int, when: When, tick: Tick, through_api: bool) -> None:
        """Correct a field of a recorded event (or of an amendment: refused)."""
        stamp = self._clock.advance(tick)
        event_id = self._event(which)
        target = self.model.events[event_id]
        pool = self.party_pool
        entity = target.entity() if not isinstance(target, Corrected | Retracted) else None
        values: dict[str, Any] = {
            "occurred_on": str(self._day(when, entity)),
            "kind": ("declaration", "treaty")[pick % 2],
            "mechanism": _MECHANISMS[pick % len(_MECHANISMS)],
            "party": pool[pick % len(pool)],
            "actor": pool[pick % len(pool)],
            "nationalities": [pool[pick % len(pool)]],
            "instrument": f"declaration-{pick}",
        }
        fields = type(target).model_fields
        changes = {change: values[change]} if change in values and change in fields else {"note": f"n{pick}"}
        on = _coarsen(stamp.date(), 0)
        correction = Corrected(
            target=event_id, changes=changes, reason="corrected", occurred_on=on, recorded_at=stamp
        )
        if through_api:
            self._through_api(correction)
        else:
            self.record([correction])

    @precondition(lambda self: bool(self.model.events))
    @rule(which=st.integers(0, 99), tick=ticks, through_api=st.booleans())
    def retract(self, which: int, tick: Tick, through_api: bool) -> None:
        """Retract a recorded event (refused if that leaves an illegal path)."""
        stamp = self._clock.advance(tick)
        on = _coarsen(stamp.date(), 0)
        retraction = Retracted(
            target=self._event(which), reason="retracted", occurred_on=on, recorded_at=stamp
        )
        if through_api:
            self._through_api(retraction)
        else:
            self.record([retraction])

    @precondition(lambda self: bool(self.model.events))
    @rule(which=st.integers(0, 99), seconds=st.integers(1, 10**6))
    def amend_before_target(self, which: int, seconds: int) -> None:
        """Correct an event with a record time before the event's own (always refused)."""
        event_id = self._event(which)
        target = self.model.events[event_id]
        assert target.recorded_at is not None
        stamp = target.recorded_at - timedelta(seconds=seconds)
        on = _coarsen(stamp.date(), 0)
        self.record(
            [
                Corrected(
                    target=event_id,
                    changes={"note": "early"},
                    reason="early",
                    occurred_on=on,
                    recorded_at=stamp,
                )
            ]
        )

    def _through_api(self, amendment: Corrected | Retracted) -> None:
        """Record an amendment with `Ledger.correct` / `Ledger.retract`, checked like `record`."""
        fresh, broken = self.model.verdict([amendment])
        self.journal.append(f"api: {self._describe([amendment])}")
        before = len(self.ledger)
        on, stamp = amendment.occurred_on, amendment.recorded_at
        try:
            if isinstance(amendment, Corrected):
                made: EventBase = self.ledger.correct(
                    amendment.target, amendment.changes, amendment.reason, occurred_on=on, recorded_at=stamp
                )
            else:
                made = self.ledger.retract(
                    amendment.target, amendment.reason, occurred_on=on, recorded_at=stamp
                )
        except DeclarationEventsError as error:
            rule = _rule_of(error)
            assert rule in broken, f"the ledger refused with {rule!r}, the model expected {broken}: {error}"
            assert len(self.ledger) == before
            return
        assert not broken, f"the ledger accepted what breaks {sorted(broken)}"
        assert made.id == amendment.id, "the API built another event than the one asked for"
        self.model.record(fresh)
        self.after_record(fresh)  # type: ignore[arg-type]
        self._snapshot()

    # -- invariants --------------------------------------------------------------------------------

    @invariant()
    def holds_what_the_model_holds(self) -> None:
        """The ledger holds exactly the events the model accepted."""
        assert len(self.ledger) == len(self.model)

    @invariant()
    def agrees_with_the_model(self) -> None:
        """Every instrument, case and condemnation agrees with the model on every probe date."""
        belief = self.model.belief()
        for as_of in self.probe_dates():
            assert_agrees(self.ledger, belief, as_of)
        for party in self.party_pool:
            timeline = self.ledger.timeline(party)
            assert {row.event.id for row in timeline} == belief.naming(party), f"timeline of {party}"
            days = [row.event.occurred_on.last for row in timeline]
            assert days == sorted(days), f"timeline of {party} is out of valid-time order"

    @invariant()
    def the_past_is_unchanged(self) -> None:
        """Answers `known_at` a past record time are what they were then (checked for the latest few)."""
        for snapshot in self._snapshots[-3:]:
            assert self._answers(snapshot.as_of, snapshot.known_at) == snapshot.answers, (
                f"answers known at {snapshot.known_at} changed"
            )

    def teardown(self) -> None:
        """Check every snapshot of the past once more, against the ledger and the model, then close."""
        try:
            for snapshot in self._snapshots:
                assert self._answers(snapshot.as_of, snapshot.known_at) == snapshot.answers
                assert_agrees(
                    self.ledger, self.model.belief(snapshot.known_at), snapshot.as_of, snapshot.known_at
                )
        finally:
            self.ledger.close()

    def _answers(self, as_of: date, known_at: datetime) -> tuple[Any, ...]:
        """Everything the ledger answers as of `as_of`, known at `known_at`: rows and counts."""
        instruments = [
            self.ledger.signatories(slug, as_of=as_of, known_at=known_at)
            for slug in self.model.belief(known_at).instruments()
        ]
        cases = self.ledger.cases(as_of=as_of, known_at=known_at)
        condemnations = self.ledger.condemnations(as_of=as_of, known_at=known_at)
        return (
            tuple((r.rows, r.counts) for r in instruments),
            cases.rows,
            cases.counts,
            condemnations.rows,
            condemnations.counts,
        )

    def _snapshot(self) -> None:
        known_at = self._clock.now
        as_of = self.probe_dates()[len(self._snapshots) % 3 - 3]
        self._snapshots.append(_Snapshot(known_at, as_of, self._answers(as_of, known_at)))
