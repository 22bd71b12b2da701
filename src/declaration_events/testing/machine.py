"""A stateful test base: a `Ledger` run beside a plain reference model, checked at every step.

    from declaration_events.testing import LedgerStateMachine

    TestLedger = LedgerStateMachine.TestCase

The machine records generated facts (legal and illegal, late and out of order): openings,
participations, detentions by states and by registered (or unregistered) actors, cases
opened by a charge, every step of a case (custody, restrictions, outcomes, designations),
corrections, retractions and re-imports, one at a time or in batches, into the ledger
that `make_ledger()` returns: treaties with and without final clauses, consents in every
mode (a succession perhaps in effect before its notice), signatures by succession,
withdrawals and their revocations, states continuing their predecessors. Beside it runs
`ReferenceModel`: a naive replay that restates the law in plain code, independent of the
transition tables in `rules`. After every step the ledger must agree with the model: the
same facts accepted and rejected (with the same rule), the same status, date of effect
and tally as of every date that matters (those the final clauses derive included),
counts and tallies that add up, and answers `known_at` a past record time that never
change.

Subclass it to check a projection of your own: feed it in `after_record()`, compare it
in an `@invariant()`; or override `make_ledger()` to run on another store.
"""

# A test base checks with `assert`, as tests do; each says what disagreed (and `python -O`
# would skip them, as it would skip the asserts of any test).
# ruff: noqa: S101, PT017

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, ClassVar, NamedTuple
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ..dates import PartialDate
from ..errors import DeclarationEventsError, InvalidEventError, InvalidTransitionError, UnknownEntityError
from ..events import (
    RESTRICTIONS,
    TREATY_ACTS,
    ActorRegistered,
    CasesLinked,
    Charged,
    Condemned,
    Continued,
    Corrected,
    CustodyChanged,
    Delay,
    Designated,
    Detained,
    Died,
    Disappeared,
    Endorsed,
    EnteredIntoForce,
    Escaped,
    Event,
    EventBase,
    FinalClauses,
    InstrumentOpened,
    Objected,
    Ratified,
    Released,
    ReservationWithdrawn,
    Reserved,
    Restricted,
    RestrictionLifted,
    Retracted,
    Sentenced,
    Signed,
    Suspended,
    SuspensionEnded,
    Terminated,
    TerritoryExcluded,
    TerritoryIncluded,
    WithdrawalRevoked,
    Withdrew,
)
from ..ledger import Ledger
from .model import ReferenceModel, assert_agrees
from .strategies import EARLIEST, LATEST_RECORD

__all__ = ["LedgerStateMachine"]


class When(NamedTuple):
    """Where a generated fact lands in valid time: days from an existing fact, and precision."""

    anchor: int
    days: int
    precision: int  # 0-7: known to the day; 8: to the month; 9: to the year


class Effective(NamedTuple):
    """When a consent or withdrawal takes effect: days after it, and precision (8: month, 9: year).

    Days before it (negative) only for a succession, which may take effect before it is notified.
    """

    days: int
    precision: int


class Clauses(NamedTuple):
    """A treaty's final clauses, as drawn: each key may be missing."""

    consents_required: int | None
    entry_into_force: Delay | None
    later_consents: Delay | None
    withdrawal: Delay | None
    signature_closes: int | None  # days after the opening; -1: at entry into force


class Tick(NamedTuple):
    """How far the record clock moves before a step, and the offset its time is written in."""

    seconds: int
    zone: int


_OFFSETS = (0, -5 * 60, 5 * 60 + 30, 14 * 60)
_START = datetime(2019, 6, 1, tzinfo=UTC)
_BASE_DAY = date(2012, 1, 1)
_MECHANISMS = ("bail", "pardon", "exchange", "sentence_served")
#: Every step a case can take (the keys of the rules' table, restated here).
_CASE_ACTS = (
    "Charged",
    "Sentenced",
    "Released:bail",
    "Released",
    "Detained",
    "CustodyChanged",
    *(f"Restricted:{r}" for r in RESTRICTIONS),
    *(f"RestrictionLifted:{r}" for r in RESTRICTIONS),
    "Escaped",
    "Disappeared",
    "Died:in_custody",
    "Died",
    "Designated",
)
_DESIGNATORS = ("USA", "CAN", "un-wgad")
#: Consent modes (a mode index picks one), and signature modes.
_MODES = (
    "ratification",
    "acceptance",
    "approval",
    "accession",
    "succession",
    "definitive_signature",
    "formal_confirmation",
)
_SIGNATURE_MODES = (None, "signature", "succession")
_ACTS = ("Signed", "Endorsed", "Ratified", "Withdrew", "WithdrawalRevoked", "EnteredIntoForce")
#: A treaty's acts (issue 14), by one party or (suspension, its end, termination) the whole treaty.
_TREATY_ACTS = tuple(cls.__name__ for cls in TREATY_ACTS)
_RESERVATION_KINDS = ("reservation", "declaration", "interpretative_declaration")
_MADE_ON = ("later", "signature", "consent")
#: Territories each party of the pool may apply a treaty to (real ones), and any other party.
_TERRITORIES = {"CAN": ("GRL", "FLK"), "CHN": ("HKG", "MAC"), "EU": ("GRL", "ABW", "CUW")}
_OTHER_TERRITORIES = ("GIB", "BES", "PRI", "GUM")
_CLASSES: dict[str, type[EventBase]] = {
    "Signed": Signed,
    "Endorsed": Endorsed,
    "Ratified": Ratified,
    "Withdrew": Withdrew,
    "WithdrawalRevoked": WithdrawalRevoked,
}

whens = st.builds(When, st.integers(0, 1_000), st.integers(-60, 400), st.integers(0, 9))
effectives = st.none() | st.builds(Effective, st.integers(-400, 800), st.integers(0, 9))
modes = st.integers(0, len(_MODES) - 1)
# Short delays, so that what the clauses derive falls within the dates the machine visits.
delays = st.one_of(
    st.builds(Delay, days=st.integers(0, 120)),
    st.builds(Delay, months=st.integers(0, 6)),
    st.builds(Delay, months=st.integers(1, 6), day=st.integers(1, 31)),
    st.builds(Delay, years=st.integers(0, 1)),
)
clauses = st.none() | st.builds(
    Clauses,
    st.none() | st.integers(1, 3),
    st.none() | delays,
    st.none() | delays,
    st.none() | delays,
    st.none() | st.integers(-1, 400),
)
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
        """Valid dates worth asking about (`max_probes`): around every fact's period and effective date,
        and every day the law makes a status or a tally change (dates of effect the clauses derive)."""
        days = {EARLIEST, self._clock.now.date(), *self.model.belief().dates()}
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
    @rule(
        kind=st.sampled_from(("declaration", "treaty", "bilateral_treaty")),
        when=whens,
        tick=ticks,
        final=clauses,
        pair=st.integers(0, 99),
    )
    def open_instrument(self, kind: str, when: When, tick: Tick, final: Clauses | None, pair: int) -> None:
        """Open a new declaration, treaty or bilateral treaty (between two of the pool); a treaty
        perhaps with final clauses."""
        stamp = self._clock.advance(tick)
        slug = f"{kind.replace('_', '-')}-{self._serial()}"
        on = self._day(when, None)
        pool = self.party_pool
        between = None
        if kind == "bilateral_treaty":
            if len(pool) < 2:
                return
            first = pair % len(pool)
            between = (pool[first], pool[(first + 1 + pair // len(pool) % (len(pool) - 1)) % len(pool)])
        final_clauses = None
        if kind != "declaration" and final is not None:
            closes: PartialDate | str | None = None
            if final.signature_closes is not None:
                closes = "at_entry_into_force"
                if final.signature_closes >= 0:
                    closes = PartialDate.of(on.last + timedelta(days=final.signature_closes))
            final_clauses = FinalClauses.model_validate(
                {**final._asdict(), "signature_closes": closes}, strict=False
            )
        self.record(
            [
                InstrumentOpened(
                    instrument=slug,
                    title=slug.title(),
                    kind=kind,
                    final_clauses=final_clauses,
                    between=between,
                    occurred_on=on,
                    recorded_at=stamp,
                )
            ]
        )

    def _reservation_ids(self, instrument: str) -> list[UUID]:
        """Ids of the reservations recorded on an instrument, in the order recorded."""
        return [e.id for e in self._facts_of(f"instrument:{instrument}") if isinstance(e, Reserved)]

    def _treaty_act(
        self,
        instrument: str,
        act: str,
        party: str,
        pick: int,
        when: When,
        stamp: datetime,
        *,
        on: PartialDate | None = None,
    ) -> EventBase:
        """A treaty act (issue 14) by `party` (or, on odd picks, the whole treaty's suspension or its end);
        reservations named by `pick` among those recorded (or, on some picks, one nobody made)."""
        on = on or self._day(when, f"instrument:{instrument}")
        fields: dict[str, Any] = {"instrument": instrument, "occurred_on": on, "recorded_at": stamp}
        if act == "Terminated":
            return Terminated(**fields)
        if act in ("Suspended", "SuspensionEnded"):
            cls = Suspended if act == "Suspended" else SuspensionEnded
            return cls(**fields, party=None if pick % 2 else party)
        fields["party"] = party
        known = self._reservation_ids(instrument)
        named = known[pick % len(known)] if known and pick % 7 else UUID(int=pick + 1)
        if act == "Reserved":
            return Reserved(
                **fields,
                kind=_RESERVATION_KINDS[pick % 3],
                text=f"reservation {pick % 5}",
                articles=(str(pick % 4 + 1),),
                made_on=_MADE_ON[pick // 3 % 3],
            )
        if act == "ReservationWithdrawn":
            text = f"what remains {pick % 3}" if pick % 2 else None
            return ReservationWithdrawn(**fields, reservation=named, text=text)
        if act == "Objected":
            others = [p for p in self.party_pool if p != party] or ["USA"]
            return Objected(
                **fields,
                to=others[pick % len(others)],
                reservation=named if pick % 3 else None,
                text="incompatible with the object and purpose",
                precludes_entry_into_force=pick % 4 == 0,
            )
        territories = _TERRITORIES.get(party, _OTHER_TERRITORIES)
        effective = (
            {"effective_on": _coarsen(on.last + timedelta(days=pick % 60), 0)} if pick % 3 == 0 else {}
        )
        territorial = TerritoryIncluded if act == "TerritoryIncluded" else TerritoryExcluded
        return territorial(**fields, territory=territories[pick % len(territories)], **effective)

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        act=st.sampled_from(_TREATY_ACTS),
        party=st.integers(0, 99),
        pick=st.integers(0, 999),
        when=whens,
        tick=ticks,
    )
    def treaty_act(self, which: int, act: str, party: int, pick: int, when: When, tick: Tick) -> None:
        """A reservation, its withdrawal, an objection, a territory, a suspension or its end, a
        termination: legal or not (on a declaration, by a stranger to a bilateral treaty, after its end)."""
        stamp = self._clock.advance(tick)
        party_code = self.party_pool[party % len(self.party_pool)]
        self.record([self._treaty_act(self._instrument(which), act, party_code, pick, when, stamp)])

    def _participation(
        self,
        instrument: str,
        act: str,
        party: str,
        when: When,
        effective: Effective | None,
        stamp: datetime,
        *,
        mode: int = 0,
        on: PartialDate | None = None,
    ) -> EventBase:
        on = on or self._day(when, f"instrument:{instrument}")
        fields: dict[str, Any] = {"instrument": instrument, "occurred_on": on, "recorded_at": stamp}
        if act == "EnteredIntoForce":
            return EnteredIntoForce(**fields)
        fields["party"] = party
        if act == "Ratified":
            fields["mode"] = _MODES[mode % len(_MODES)]
        elif act == "Signed":
            fields["mode"] = _SIGNATURE_MODES[mode % len(_SIGNATURE_MODES)]
        if act in ("Ratified", "Withdrew") and effective is not None:
            days = effective.days if fields.get("mode") == "succession" else abs(effective.days)
            effect = on.last + timedelta(days=days) if days >= 0 else on.first + timedelta(days=days)
            fields["effective_on"] = _coarsen(max(effect, EARLIEST), effective.precision)
        return _CLASSES[act](**fields)

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        act=st.sampled_from(_ACTS),
        party=st.integers(0, 99),
        when=whens,
        effective=effectives,
        tick=ticks,
        one_by_one=st.booleans(),
        mode=modes,
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
        mode: int,
    ) -> None:
        """A party signs, endorses, consents (in any mode), withdraws or revokes its withdrawal (or the
        treaty enters into force): legal or not."""
        stamp = self._clock.advance(tick)
        party_code = self.party_pool[party % len(self.party_pool)]
        event = self._participation(
            self._instrument(which), act, party_code, when, effective, stamp, mode=mode
        )
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
        mode=modes,
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
        mode: int,
    ) -> None:
        """Take an instrument one legal step further (the model picks among all next facts)."""
        stamp = self._clock.advance(tick)
        instrument = self._instrument(which)
        on = self._next_day(f"instrument:{instrument}", gap, precision)
        candidates = [
            self._participation(instrument, act, party, When(0, 0, 0), effective, stamp, mode=mode, on=on)
            for act in _ACTS
            for party in self.party_pool
        ]
        candidates += [
            self._treaty_act(instrument, act, party, pick + shift, When(0, 0, 0), stamp, on=on)
            for act in _TREATY_ACTS
            for party in self.party_pool
            for shift in (0, 1)  # by the party, and the whole treaty (or another reservation named)
            if act != "Terminated" or pick % 10 == 0  # an end, now and then: it ends the history
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

    def _actors(self) -> list[str]:
        return [f"actor:{slug}" for slug in self.model.entities("actor")]

    @precondition(lambda self: len(self._actors()) < self.max_entities)
    @rule(which=st.integers(0, 99), again=st.booleans(), when=whens, tick=ticks)
    def register_actor(self, which: int, again: bool, when: When, tick: Tick) -> None:
        """Register a non-state actor (registering one already registered is refused)."""
        stamp = self._clock.advance(tick)
        known = self.model.entities("actor")
        slug = known[which % len(known)] if again and known else f"group-{self._serial()}"
        on = self._day(when, None)
        self.record([ActorRegistered(actor=slug, name=slug.title(), occurred_on=on, recorded_at=stamp)])

    def _captor(self, pick: int) -> str:
        """A party of the pool, or an actor: registered, or (from pick 90 on) never registered."""
        actors = self._actors()
        if pick >= 90:
            return "actor:nobody-registered-this"
        if actors and pick >= 60:
            return actors[pick % len(actors)]
        return self.party_pool[pick % len(self.party_pool)]

    @precondition(lambda self: len(self._cases()) < self.max_entities)
    @rule(
        nationality=st.integers(0, 99),
        detaining_state=st.integers(0, 99),
        by_charge=st.integers(0, 9),
        when=whens,
        tick=ticks,
    )
    def detain(self, nationality: int, detaining_state: int, by_charge: int, when: When, tick: Tick) -> None:
        """Someone is detained by a state or an actor (or, one time in ten, charged when free): a new case."""
        stamp = self._clock.advance(tick)
        slug = f"case-{self._serial()}"
        pool = self.party_pool
        fields: dict[str, Any] = {
            "case": slug,
            "person": f"Person {slug}",
            "nationalities": (pool[nationality % len(pool)],),
            "occurred_on": self._day(when, None),
            "recorded_at": stamp,
        }
        event: EventBase
        if by_charge == 9:
            charging_state = pool[detaining_state % len(pool)]
            event = Charged(**fields, charges=("conspiracy",), charging_state=charging_state)
        else:
            captor = {
                "detained_by" if detaining_state % 2 else "detaining_state": self._captor(detaining_state)
            }
            event = Detained(**fields, **captor)
        self.record([event])

    def _case_step(
        self, case: str, act: str, detail: int, when: When, stamp: datetime, *, on: PartialDate | None = None
    ) -> EventBase:
        on = on or self._day(when, f"case:{case}")
        fields: dict[str, Any] = {"case": case, "occurred_on": on, "recorded_at": stamp}
        kind, _, variant = act.partition(":")
        if kind == "Detained":
            facts = self.model.by_entity[f"case:{case}"]
            first = next((e for e in facts if isinstance(e, Detained)), None)
            opener = first or next(e for e in facts if isinstance(e, Charged) and e.person is not None)
            return Detained(
                **fields,
                person=opener.person or "",
                nationalities=opener.nationalities or (),
                detaining_state=first.captor if first else self.party_pool[detail % len(self.party_pool)],
            )
        if kind == "Charged":
            return Charged(**fields, charges=(f"charge {detail % 3}", f"charge {detail % 2}"))
        if kind == "Sentenced":
            return Sentenced(**fields, sentence=f"{detail} years", term_days=detail * 365)
        if kind == "Released":
            mechanism = "bail" if variant == "bail" else _MECHANISMS[1 + detail % (len(_MECHANISMS) - 1)]
            return Released(**fields, mechanism=mechanism)
        if kind == "CustodyChanged":
            return CustodyChanged(**fields, basis=f"basis {detail % 3}")
        if kind == "Restricted":
            return Restricted(**fields, restriction=variant, conditions=f"conditions {detail % 2}")
        if kind == "RestrictionLifted":
            return RestrictionLifted(**fields, restriction=variant)
        if kind == "Died":
            return Died(**fields, in_custody=variant == "in_custody")
        if kind == "Designated":
            designator = _DESIGNATORS[detail % len(_DESIGNATORS)]
            return Designated(
                **fields, designation="wrongful_detention", by=designator, reference=f"{detail % 2}"
            )
        return (Escaped if kind == "Escaped" else Disappeared)(**fields)

    @precondition(lambda self: bool(self._cases()))
    @rule(
        which=st.integers(0, 99),
        act=st.sampled_from(_CASE_ACTS[:5]),
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
        act=st.sampled_from(_CASE_ACTS[5:]),
        detail=st.integers(0, 12),
        when=whens,
        tick=ticks,
    )
    def proceed_further(self, which: int, act: str, detail: int, when: When, tick: Tick) -> None:
        """A case's custody changes, a restriction comes or goes, an outcome, a designation; legal or not."""
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
        """Take a case one legal step further (the model picks among every next fact)."""
        stamp = self._clock.advance(tick)
        case = self._case(which)
        on = self._next_day(f"case:{case}", gap, precision)
        candidates = [self._case_step(case, act, pick, When(0, 0, 0), stamp, on=on) for act in _CASE_ACTS]
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

    @precondition(lambda self: bool(self._instruments()))
    @rule(party=st.integers(0, 99), predecessor=st.integers(0, 99), when=whens, tick=ticks)
    def continue_participations(self, party: int, predecessor: int, when: When, tick: Tick) -> None:
        """A state continues another's participations from a date (shown under its name from then)."""
        pool = self.party_pool
        if len(pool) < 2:
            return
        stamp = self._clock.advance(tick)
        index = party % len(pool)
        other = (index + 1 + predecessor % (len(pool) - 1)) % len(pool)  # any party but itself
        event = Continued(
            party=pool[index], predecessor=pool[other], occurred_on=self._day(when, None), recorded_at=stamp
        )
        self.record([event])

    # -- rules: batches, re-imports, amendments ----------------------------------------------------

    @precondition(lambda self: bool(self._instruments()))
    @rule(
        which=st.integers(0, 99),
        orders=st.lists(
            st.tuples(
                st.sampled_from(
                    ("Signed", "Endorsed", "Ratified", "Withdrew", "WithdrawalRevoked", "Charged", "Released")
                ),
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
            (
                "note",
                "occurred_on",
                "kind",
                "mechanism",
                "party",
                "actor",
                "nationalities",
                "instrument",
                "restriction",
                "in_custody",
                "mode",
                "final_clauses",
                "predecessor",
            )
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
            "restriction": RESTRICTIONS[pick % len(RESTRICTIONS)],
            "in_custody": bool(pick % 2),
            "mode": _SIGNATURE_MODES[pick % 3] if isinstance(target, Signed) else _MODES[pick % len(_MODES)],
            "final_clauses": None,
            "predecessor": pool[pick % len(pool)],
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
        """Every instrument (statuses, dates of effect, a tally that adds up), case and condemnation
        agrees with the model on every probe date."""
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
