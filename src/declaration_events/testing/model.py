"""The reference model: the law restated in plain code, independent of `rules`' tables.

`ReferenceModel` replays every fact naively (one pass per question, no index) and
`assert_agrees` compares a `Ledger` with it: the same facts accepted and rejected
(with the same rule), the same status as of every date that matters, counts that add
up. `LedgerStateMachine` (in `machine`) runs it beside a ledger at every step.
"""

# A test base checks with `assert`, as tests do; each says what disagreed (and `python -O`
# would skip them, as it would skip the asserts of any test).
# ruff: noqa: S101

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple
from uuid import UUID

from ..dates import PartialDate
from ..events import (
    STATEMENTS,
    ActorRegistered,
    CasesLinked,
    Charged,
    Condemned,
    Corrected,
    CustodyChanged,
    Designated,
    Detained,
    Died,
    Disappeared,
    Endorsed,
    EnteredIntoForce,
    Escaped,
    EventBase,
    InstrumentOpened,
    Ratified,
    Released,
    Restricted,
    RestrictionLifted,
    Retracted,
    Sentenced,
    Withdrew,
)
from ..ledger import Ledger
from ..projections import Projection

__all__ = [
    "Belief",
    "Broken",
    "CaseView",
    "ReferenceModel",
    "View",
    "assert_agrees",
    "replay_case",
    "replay_instrument",
]

#: The same-day order of the design: opening, signing, ratifying, entry into force, withdrawal;
#: detention, charge or change of custody, sentence, link or designation, release, restriction,
#: its lifting, escape or disappearance, death. Then record time, then id.
_SAME_DAY = {
    "InstrumentOpened": 0,
    "Signed": 1,
    "Endorsed": 1,
    "Ratified": 2,
    "EnteredIntoForce": 3,
    "Withdrew": 4,
    "Detained": 0,
    "Charged": 1,
    "CustodyChanged": 1,
    "Sentenced": 2,
    "CasesLinked": 3,
    "Designated": 3,
    "Released": 4,
    "Restricted": 5,
    "RestrictionLifted": 6,
    "Escaped": 7,
    "Disappeared": 7,
    "Died": 8,
}
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


#: Where a person can be: held in custody (at a stage of the proceedings), out on one of these
#: instead of custody, or under bans, each shown by its own status.
_CUSTODY = ("detained", "charged", "sentenced")
_INSTEAD = {"house_arrest": "house_arrest", "furlough": "furlough", "bail": "on_bail"}
_BANS = ("exit_ban", "travel_ban")
_WORST_FIRST = ("house_arrest", "furlough", "bail", "exit_ban", "travel_ban")
_AT_LARGE = ("charged_at_large", "sentenced_in_absentia", "released")


@dataclass
class CaseView:
    """A detention case as the model sees it on one day."""

    status: str
    since: date
    stage: str  # the custody status when (back) in custody
    person: str
    nationalities: tuple[str, ...]
    detaining_state: str | None
    charges: tuple[str, ...] = ()
    sentence: str | None = None
    term_days: int | None = None
    links: tuple[str, ...] = ()
    free: str = "released"  # the status when free of custody and restrictions
    restrictions: dict[str, str | None] = field(default_factory=dict)
    designations: list[tuple[str, str, str | None]] = field(default_factory=list)
    basis: str | None = None
    charging_state: str | None = None
    spent: Counter[str] = field(default_factory=Counter)  # days spent in each status, up to `clock`
    clock: date | None = None

    def days_in(self, statuses: Iterable[str], as_of: date) -> int:
        """Days spent in any of `statuses` up to `as_of`."""
        wanted = set(statuses)
        days = sum(n for status, n in self.spent.items() if status in wanted)
        if self.status in wanted and self.clock is not None and as_of > self.clock:
            days += (as_of - self.clock).days
        return days

    def days_detained(self, as_of: date) -> int:
        """Custody days up to `as_of`."""
        return self.days_in(_CUSTODY, as_of)

    def days_restricted(self, as_of: date) -> int:
        """Days out of custody under a restriction up to `as_of`."""
        return self.days_in((*_INSTEAD.values(), *_BANS), as_of)

    def days_deprived(self, as_of: date) -> int:
        """Days in custody or under house arrest up to `as_of`."""
        return self.days_in((*_CUSTODY, "house_arrest"), as_of)

    def shown(self) -> str:
        """The status a free person shows: the worst restriction in force, else what they are at large."""
        for restriction in _WORST_FIRST:
            if restriction in self.restrictions:
                return _INSTEAD.get(restriction, restriction)
        return self.free


def _open(event: EventBase, day: date) -> CaseView:
    if isinstance(event, Detained):
        return CaseView("detained", day, "detained", event.person, event.nationalities, event.captor)
    if isinstance(event, Charged) and event.person is not None and event.nationalities is not None:
        case = CaseView("charged_at_large", day, "charged", event.person, event.nationalities, None)
        case.charges, case.free = tuple(dict.fromkeys(event.charges)), "charged_at_large"
        case.charging_state = event.charging_state
        return case
    raise Broken("before-detention")


def _check(case: CaseView, event: EventBase, kind: str | None) -> None:
    """Raise `Broken` if the fact is illegal for the case as it stands."""
    was = case.status
    if was == "died":
        raise Broken("after-death")
    held = was in _CUSTODY
    out = was in (*_INSTEAD.values(), *_BANS)  # free of custody, under a restriction
    if isinstance(event, Detained) and held:
        raise Broken("detain-free")
    if isinstance(event, CustodyChanged) and not held:
        raise Broken("basis-in-custody")
    if kind == "bail" and not isinstance(event, RestrictionLifted) and not held:
        raise Broken("bail-from-custody")
    if isinstance(event, Restricted) and kind in ("furlough", "house_arrest") and not held:
        raise Broken("restrict-from-custody")
    if isinstance(event, Restricted) and kind in _BANS and kind in case.restrictions:
        raise Broken("restricted-already")
    if isinstance(event, RestrictionLifted) and not (
        kind in case.restrictions and (kind in _BANS or was == _INSTEAD[str(kind)])
    ):
        raise Broken("lift-in-force")
    if isinstance(event, Released) and kind is None and not (held or out or was == "missing"):
        raise Broken("release-in-custody")
    if isinstance(event, Escaped) and not (held or out):
        raise Broken("escape-held")
    if isinstance(event, Disappeared) and not (held or was == "house_arrest"):
        raise Broken("disappear-held")
    if isinstance(event, Died) and (event.in_custody != held) and not (event.in_custody and was == "missing"):
        raise Broken("death-where-held")
    if isinstance(event, Designated) and (event.designation, event.by, event.reference) in case.designations:
        raise Broken("designate-once")


def _take(case: CaseView | None, event: EventBase) -> CaseView:
    """The case after one fact; raise `Broken` (before changing anything) if it is illegal here."""
    day = event.occurred_on.last
    if case is None:
        new = _open(event, day)
        new.clock = day
        return new
    kind: str | None = getattr(event, "restriction", None)
    if isinstance(event, Released) and event.mechanism == "bail":
        kind = "bail"
    _check(case, event, kind)
    was = case.status
    held_or_gone = was in (*_CUSTODY, "missing", "escaped")  # the status does not show restrictions
    # Legal: count the days of the status left behind, then move.
    if case.clock is not None:
        case.spent[was] += (day - case.clock).days
    case.clock = day
    if isinstance(event, CasesLinked):
        if event.other_case not in case.links:
            case.links += (event.other_case,)
    elif isinstance(event, Designated):
        case.designations.append((event.designation, event.by, event.reference))
    elif isinstance(event, Detained):
        if was == "released":
            case.stage = "detained"  # a new arrest starts proceedings afresh
        case.restrictions = {r: c for r, c in case.restrictions.items() if r not in _INSTEAD}
        case.status, case.free, case.basis = case.stage, "released", None
        case.person, case.nationalities, case.detaining_state = (
            event.person,
            event.nationalities,
            event.captor,
        )
    elif isinstance(event, Charged | Sentenced):
        if isinstance(event, Charged):
            case.stage = "sentenced" if case.stage == "sentenced" else "charged"
            case.charges = tuple(dict.fromkeys(case.charges + event.charges))
            case.charging_state = event.charging_state or case.charging_state
            if event.person is not None and event.nationalities is not None:
                case.person, case.nationalities = event.person, event.nationalities
            if was in _AT_LARGE and case.free != "sentenced_in_absentia":
                case.free = "charged_at_large"
        else:
            case.stage, case.sentence, case.term_days = "sentenced", event.sentence, event.term_days
            if was in _AT_LARGE:
                case.free = "sentenced_in_absentia"
        if was in _CUSTODY:
            case.status = case.stage
        elif was in _AT_LARGE:
            case.status = case.free
    elif isinstance(event, CustodyChanged):
        case.basis = event.basis
    elif isinstance(event, Released) and kind is None:
        case.restrictions, case.stage, case.free, case.basis = {}, "detained", "released", None
        case.status = "released"
    elif isinstance(event, Released | Restricted):
        case.restrictions[str(kind)] = event.conditions if isinstance(event, Restricted) else None
        if kind in _INSTEAD:  # out of custody on it
            case.status, case.basis = case.shown(), None
        elif not held_or_gone:
            case.status = case.shown()
    elif isinstance(event, RestrictionLifted):
        del case.restrictions[str(kind)]
        if not held_or_gone:
            case.status = case.shown()
    elif isinstance(event, Escaped | Disappeared | Died):
        case.restrictions, case.basis = {}, None
        outcome = {"Escaped": "escaped", "Disappeared": "missing", "Died": "died"}
        case.status = outcome[event.type]
    if case.status != was:
        case.since = day
    return case


def replay_case(
    facts: Sequence[EventBase], until: date | None = None, *, lenient: bool = False
) -> CaseView | None:
    """The case after its facts dated by `until` (None before it began).

    Raises `Broken` at the first illegal fact; `lenient` skips it instead.
    """
    opens = [e for e in facts if isinstance(e, Detained) or (isinstance(e, Charged) and e.person is not None)]
    if not opens:
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
            for e in self.by_entity.get(STATEMENTS, [])
            if isinstance(e, Condemned) and e.occurred_on.first <= as_of
        }

    def naming(self, party: str) -> set[UUID]:
        """Ids of the believed facts about `party`: naming it, or of a case one of whose facts names it."""
        found: set[UUID] = set()
        for entity, facts in self.by_entity.items():
            in_case = entity.startswith("case:") and any(party in e.parties() for e in facts)
            found |= {e.id for e in facts if in_case or party in e.parties()}
        return found


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
        if kind == "actor" and sum(isinstance(e, ActorRegistered) for e in believed) > 1:
            raise Broken("register-once")
        for event in believed:
            wanted = []
            if isinstance(event, Condemned):
                wanted = [f"instrument:{event.instrument}"] * bool(event.instrument)
                wanted += [f"case:{event.case}"] * bool(event.case)
            elif isinstance(event, CasesLinked):
                wanted = [f"case:{event.other_case}"]
            if any(name not in known for name in wanted):
                raise Broken("unknown-reference")
            # A captor or designator that is not a state is an actor: it must be registered.
            named = event.captor if isinstance(event, Detained) else getattr(event, "by", "")
            if isinstance(event, Detained | Designated) and named.startswith("actor:") and named not in known:
                raise Broken("unknown-actor")

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
        held = (row.days_restricted, row.days_deprived, row.restrictions, row.basis, row.charging_state)
        expected_held = (
            expected.days_restricted(as_of),
            expected.days_deprived(as_of),
            tuple(r for r in _WORST_FIRST if r in expected.restrictions),
            expected.basis,
            expected.charging_state,
        )
        assert held == expected_held, f"{where}: restrictions and basis: ledger {held}, model {expected_held}"
        designations = [(d.designation, d.by, d.reference) for d in row.designations]
        assert designations == expected.designations, f"{where}: designations"
        assert (row.person, row.nationalities, row.detaining_state, row.detained_by) == (
            expected.person,
            expected.nationalities,
            expected.detaining_state,
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
