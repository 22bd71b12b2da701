"""The reference model: the law restated in plain code, independent of `rules`' tables.

`ReferenceModel` replays every fact naively (one pass per question, no index) and
`assert_agrees` compares a `Ledger` with it: the same facts accepted and rejected
(with the same rule), the same status, date of effect and tally as of every date that
matters, counts that add up. `LedgerStateMachine` (in `machine`) runs it beside a ledger
at every step, and the strategies walk legal histories with it.

The law of an instrument, as the model has it (`_Instrument`):

- Facts are taken in valid-time order (the last day of their date), a day's facts in
  lifecycle order (opening, signatures, consents, entry into force, withdrawals,
  revocations), then by record time and id; but a denunciation and a new consent of a
  party bound by an earlier consent, on one day, are taken withdrawal first.
- A treaty enters into force when the log says so; if the log never does, `entry_into_force`
  after the day of the Nth consent that counts (`consents_required`; every mode counts
  but an organisation's formal confirmation), after that day's consents. If that consent
  is dated to a month or a year, the entry into force is certain only from the delay after
  the period's last day; rows it binds are open from the delay after its first day.
- A consent takes effect on its `effective_on` (a succession's may precede its notice,
  and its row then starts there); without final clauses, on its day; if it is one of the
  first N that count (without N: given before entry into force), or the clauses give no
  delay for later ones, at entry into force; else `later_consents` after its day, not
  before entry into force. It binds the party (status `party`) when it has taken effect
  and the treaty is in force, and a `ratified` row shows that date once it is known.
- A withdrawal takes effect on its `effective_on`, else `withdrawal` after its day, else
  at once; until then the party is `withdrawing` and keeps what it had; a consent that had
  not bound it when it gave notice binds it when it would have (VCLT articles 24 and 70),
  if that is before the withdrawal takes effect (the row stays `withdrawing`, from the
  notice, but the tally counts it a party from then). Revoking the withdrawal
  restores the row; a consent given meanwhile is legal if it takes effect no earlier than
  the withdrawal, and stands once the withdrawal is in effect.
- A date of effect the clauses derive is never before the fact it follows. Signature
  closes on `signature_closes`, or at entry into force; a signature by succession is
  still taken after that.
- Tallies count standing signatures (withdrawal not yet in effect), endorsements,
  consents given (withdrawal not yet in effect) and parties bound (withdrawing included).
  From the first day of a `Continued`, a predecessor's row is shown under the continuing
  state, unless that state has a row of its own.
- Treaty acts (issue 14; only treaties, bilateral ones included, take them): a reservation
  needs a participant (signed, ratified, party, suspended or withdrawing), made on signature a
  standing signature, made with consent a consent given; it stays in force until withdrawn
  whole (a partial withdrawal gives its new text), while its party participates; a withdrawal
  in effect ends its reservations and territorial acts (joining again, it makes them anew). An
  objection needs a participant and a reservation in force of `to` (that one, if named); one that
  precludes entry into force unbinds the two while a reservation it answers is in force. A
  territory is included or excluded, never twice in a row the same way, from its `effective_on`.
  A bound party may be suspended (a contracting state, not a party), the whole treaty once in
  force (every party bound, and any bound meanwhile, `suspended`; a withdrawing party is not
  bound meanwhile either); either ends by its own `SuspensionEnded`, and a suspended party may
  withdraw. A termination, or on a bilateral treaty a withdrawal in effect, ends every
  participation not withdrawn (`terminated`); nothing is folded after it.
"""

# A test base checks with `assert`, as tests do; each says what disagreed (and `python -O`
# would skip them, as it would skip the asserts of any test).
# ruff: noqa: S101

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple
from uuid import UUID

from ..dates import PartialDate
from ..events import (
    STATEMENTS,
    TREATY_ACTS,
    TREATY_KINDS,
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

if TYPE_CHECKING:  # the strategies replay histories with the model: it does not load the ledger
    from ..ledger import Ledger
    from ..projections import Projection
    from ..results import Signatories

__all__ = [
    "Acts",
    "Belief",
    "Broken",
    "CaseView",
    "Point",
    "ReferenceModel",
    "Reservation",
    "View",
    "assert_agrees",
    "assert_tally_adds_up",
    "replay_case",
    "replay_instrument",
]

#: The same-day order of the design: opening, signing, ratifying, entry into force, withdrawal,
#: revocation; detention, charge or change of custody, sentence, link or designation, release,
#: restriction, its lifting, escape or disappearance, death. Then record time, then id.
_SAME_DAY = {
    "InstrumentOpened": 0,
    "Signed": 1,
    "Endorsed": 1,
    "Ratified": 2,
    "Reserved": 3,
    "TerritoryIncluded": 3,
    "TerritoryExcluded": 3,
    "Objected": 4,
    "ReservationWithdrawn": 5,
    "EnteredIntoForce": 6,
    "Suspended": 7,
    "SuspensionEnded": 8,
    "Withdrew": 9,
    "WithdrawalRevoked": 10,
    "Terminated": 11,
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
_LAST = 99  # after every fact of a day
#: An entry into force the clauses derive comes after its day's consents and before its withdrawals.
_FORCE_RANK = _SAME_DAY["EnteredIntoForce"]
#: Every consent counts towards the number that brings a treaty into force, but an organisation's.
_UNCOUNTED = frozenset({"formal_confirmation"})
#: Who may join, and as what: no status yet, or withdrawn (and, to endorse or ratify, signed).
_MAY_JOIN = {"Signed": (None, "withdrawn"), "Endorsed": (None, "signed", "withdrawn")}
_MAY_JOIN["Ratified"] = _MAY_JOIN["Endorsed"]
#: Who may withdraw: a party that signed, endorsed, consented, is bound, or is suspended.
_PARTICIPATING = ("signed", "endorsed", "ratified", "party", "suspended")
#: Who may make a reservation, object, apply a treaty to a territory: any participant of a treaty
#: (a declaration's endorsers take none of these acts), a withdrawing one included.
_ACTING = frozenset({"signed", "ratified", "party", "suspended", "withdrawing"})


class Broken(Exception):
    """The model's verdict on an illegal path: the rule a fact breaks."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        super().__init__(rule)


def _valid_time_order(event: EventBase) -> tuple[date, int, datetime, str]:
    assert event.recorded_at is not None
    return (event.occurred_on.last, _SAME_DAY.get(event.type, 5), event.recorded_at, str(event.id))


@dataclass(frozen=True)
class Point:
    """A party's participation from `since` until its next point: what its row and the tally show.

    `signed`: a standing signature; `endorsed`: a standing endorsement; `consented`: consent
    to be bound given, its withdrawal not yet in effect; `bound`: bound and in force for it.
    `effective_on`: when the consent (for `withdrawing`: the withdrawal) behind the status
    takes effect; `derived`: whether the final clauses gave that date rather than the log.
    """

    since: date
    status: str
    signed: bool = False
    endorsed: bool = False
    consented: bool = False
    bound: bool = False
    effective_on: date | None = None
    derived: bool = False


def _after(delay: Delay, day: date) -> date:
    """A final clause's delay after `day`: never before it (no effect precedes the fact it follows)."""
    return max(delay.after(day), day)


class _Days(NamedTuple):
    """The days a date may fall on, first to last (an entry into force derived from a partial date)."""

    first: date
    last: date


_When = PartialDate | _Days


class _Effect(NamedTuple):
    """When a consent or a withdrawal takes effect: the day, the earliest day a partial date allows, and
    whether the final clauses gave it."""

    on: date
    earliest: date
    derived: bool


@dataclass
class _Seat:
    """One party's participation in one instrument, as the replay has it now, and its points so far."""

    status: str | None = None
    signed: bool = False
    endorsed: bool = False
    bound: bool = False
    consent: _Effect | None = None  # the standing consent (kept while its withdrawal is pending)
    leaving: _Effect | None = None  # the pending withdrawal
    #: A consent given while withdrawing: it stands once the withdrawal is in effect.
    again: _Effect | None = None
    saved: tuple[str, bool, bool, bool] | None = None  # status and flags a revocation restores
    suspended: bool = False  # its own suspension (Suspended with its party) is in force
    points: list[Point] = field(default_factory=list)
    windows: list[tuple[date, date]] = field(default_factory=list)  # periods a partial date leaves open

    def at(self, day: date) -> Point | None:
        """The point in force on `day` (the latest of those from the same day)."""
        found = None
        for point in self.points:
            if point.since > day:
                break
            found = point
        return found

    def began(self, day: date) -> date | None:
        """When the status in force on `day` began (a party bound while withdrawing is still
        withdrawing since its notice)."""
        found = None
        for point in self.points:
            if point.since > day:
                break
            if found is None or point.status != found.status:
                found = point
        return found.since if found is not None else None

    def binds_while_leaving(self, force: _When | None) -> date | None:
        """When a consent not binding at its withdrawal's notice binds, if before the withdrawal's effect."""
        if self.status != "withdrawing" or self.saved is None or self.saved[0] != "ratified":
            return None
        assert self.leaving is not None
        on = self.binds_on(force)
        return on if on is not None and on < self.leaving.on else None

    def binds_on(self, force: _When | None) -> date | None:
        """When its standing consent binds it: not before its own effect, nor before entry into force."""
        if force is None or self.consent is None:
            return None
        return max(self.consent.on, force.last)

    def shown_effect(self, force: _When | None, given_on: date | None = None) -> date | None:
        """The date of effect a `ratified` row shows: when it binds, once entry into force is known.

        A consent given on `given_on` that waits for an entry into force still to come shows
        none yet, unless the log or the clauses put its effect on another day.
        """
        assert self.consent is not None
        if force is None and given_on is not None and self.consent.on == given_on:
            return None
        return self.binds_on(force) or self.consent.on

    def move(self, on: date, status: str, *, effective_on: date | None = None, derived: bool = False) -> None:
        """A new status from `on` (never before the point it follows), with the flags as they are now."""
        since = max(on, self.points[-1].since) if self.points else on
        self.status = status
        consented = self.consent is not None
        flags = (self.signed, self.endorsed, consented, self.bound)
        self.points.append(Point(since, status, *flags, effective_on, derived))

    def open_between(self, first: date, last: date) -> None:
        """A partial date leaves the row open from `first` (inclusive) to `last` (exclusive)."""
        if first < last:
            self.windows.append((first, last))


@dataclass
class _Reservation:
    """A reservation (or declaration) made, and its text over time: (from, text); None once withdrawn."""

    made: Reserved
    texts: list[tuple[date, str | None]]

    @property
    def party(self) -> str:
        return self.made.party

    def standing(self) -> bool:
        """Not withdrawn whole (so far in the fold)."""
        return self.texts[-1][1] is not None

    def text_on(self, day: date) -> str | None:
        """The text in force on `day`: None before it was made or once withdrawn whole."""
        text = None
        for since, then in self.texts:
            if since > day:
                break
            text = then
        return text


class _TerritoryAct(NamedTuple):
    """A territory a party includes or excludes, from `effective_on` or else the act's date (`lapse`:
    its withdrawal took effect: neither, and either may follow)."""

    territory: str
    included: bool
    effect: PartialDate
    lapse: bool = False


class _Instrument:
    """An instrument being replayed in valid-time order: its kind, final clauses, entry into force, seats."""

    def __init__(self, *, force_recorded: bool) -> None:
        self.kind: str | None = None
        self.clauses: FinalClauses | None = None
        self.force: _When | None = None
        self.force_derived = False
        #: The log records an entry into force: the clauses derive none (the log wins).
        self.force_recorded = force_recorded
        #: Derived from the Nth consent, not yet reached: the day, and the earliest a partial date allows.
        self.force_due: _Days | None = None
        self.counted = 0  # consents that count towards entry into force, so far
        self.nth_given = False
        self.seats: dict[str, _Seat] = {}
        self.windows: list[tuple[date, date]] = []  # periods a partial date leaves open for every row
        self.between: tuple[str, str] | None = None  # a bilateral treaty's two parties
        self.suspended = False  # the whole treaty's operation is suspended
        self.terminated: date | None = None  # the day it ended (nothing but amendments follows)
        #: Treaty acts taken, in fold order: reservations by id, objections, territorial acts by party.
        self.reservations: dict[UUID, _Reservation] = {}
        self.objections: list[Objected] = []
        self.territorial: dict[str, list[_TerritoryAct]] = defaultdict(list)

    # -- time passing -------------------------------------------------------------------------

    def advance(self, day: date, rank: int) -> None:
        """Let what falls due before a fact of `rank` on `day` take effect, earliest first.

        Withdrawals and bindings take effect before any fact of their day; an entry into
        force the clauses derive, after that day's signatures and consents.
        """
        while True:
            due: tuple[date, int, str] | None = None
            if self.force_due is not None and (
                self.force_due.last < day or (self.force_due.last == day and rank > _FORCE_RANK)
            ):
                due = (self.force_due.last, 0, "")
            for party, seat in self.seats.items():
                if seat.status == "withdrawing":
                    assert seat.leaving is not None
                    on: date | None = seat.binds_while_leaving(self.force) or seat.leaving.on
                elif seat.status == "ratified":
                    on = seat.binds_on(self.force)
                else:
                    on = None
                if on is not None and on <= day and (due is None or (on, 1, party) < due):
                    due = (on, 1, party)
            if due is None:
                return
            on, _, party = due
            if not party:
                assert self.force_due is not None
                self.enter_into_force(self.force_due, derived=True)
                self.force_due = None
                continue
            seat = self.seats[party]
            leaving = seat.leaving if seat.status == "withdrawing" else None
            self.fall_due(seat, on)
            if self.kind == "bilateral_treaty" and seat.status == "withdrawn":
                self.end_bilateral(on, leaving.earliest if leaving is not None else on)

    def end_bilateral(self, on: date, earliest: date) -> None:
        """A withdrawal in effect on `on` (or from `earliest`, as a partial date allows) ends a bilateral
        treaty: every withdrawal due that day takes effect, the other party is `terminated`."""
        self.windows.append((earliest, on))
        for seat in self.seats.values():
            if seat.status == "withdrawing" and seat.leaving is not None and seat.leaving.on == on:
                self.windows.append((seat.leaving.earliest, on))
                self.fall_due(seat, on)
        self.terminate(on)

    def terminate(self, on: date) -> None:
        """The treaty ends on `on`: every participation not withdrawn is `terminated`, nothing pending."""
        self.terminated, self.force_due, self.suspended = on, None, False
        for seat in self.seats.values():
            if seat.status in (None, "withdrawn"):
                continue
            if seat.leaving is not None:  # the treaty's end may fall in the window its notice left open
                self.windows.append((seat.leaving.earliest, min(seat.leaving.on, on)))
            seat.signed = seat.endorsed = seat.bound = seat.suspended = False
            seat.consent = seat.leaving = seat.again = seat.saved = None
            seat.move(on, "terminated")

    def enter_into_force(self, on: _When, *, derived: bool) -> None:
        self.force, self.force_derived = on, derived
        if not derived:
            self.windows.append((on.first, on.last))
        for seat in self.seats.values():
            if seat.status == "ratified":  # its row now shows when it binds
                last = seat.points[-1]
                seat.points[-1] = replace(last, effective_on=seat.shown_effect(self.force))

    def fall_due(self, seat: _Seat, on: date) -> None:
        """A pending withdrawal takes effect, or a consent binds (while its withdrawal is pending, too)."""
        if seat.binds_while_leaving(self.force) == on:
            assert seat.consent is not None
            assert seat.leaving is not None
            assert seat.saved is not None
            assert self.force is not None
            seat.bound = not self.suspended  # the whole treaty suspended: it binds as a suspended party
            seat.saved = (
                "suspended" if self.suspended else "party",
                seat.saved[1],
                seat.saved[2],
                seat.bound,
            )
            seat.move(on, "withdrawing", effective_on=seat.leaving.on, derived=seat.leaving.derived)
            seat.open_between(max(seat.consent.earliest, self.force.first), on)
            return
        if seat.status == "ratified":
            assert seat.consent is not None
            assert self.force is not None
            # Bound while the whole treaty is suspended: suspended from the start.
            seat.bound = not self.suspended
            status = "suspended" if self.suspended else "party"
            seat.move(on, status, effective_on=on, derived=seat.consent.derived)
            seat.open_between(max(seat.consent.earliest, self.force.first), on)
            return
        assert seat.leaving is not None
        seat.open_between(seat.leaving.earliest, seat.leaving.on)
        self.lapse(seat, on)
        seat.leaving, seat.saved = None, None
        seat.signed = seat.endorsed = seat.bound = seat.suspended = False
        if self.kind == "bilateral_treaty":  # the treaty ends with the withdrawal: no consent stands
            seat.again = None
        if seat.again is not None:  # bound again by the consent given meanwhile, once the treaty binds it
            seat.consent, seat.again = seat.again, None
            seat.move(
                on, "ratified", effective_on=seat.shown_effect(self.force), derived=seat.consent.derived
            )
        else:
            seat.consent = None
            seat.move(on, "withdrawn")

    # -- the law of each fact ---------------------------------------------------------------------

    def consent_effect(self, event: Ratified, counted_as: int) -> _Effect:
        """When a consent takes effect.

        On its `effective_on` if the log gives one (a succession's may precede its
        notification). Without final clauses, on its own date. If it is one of the consents
        that bring the treaty into force (the first N that count, given before any entry into
        force; when no N is given, any given before entry into force and before the Nth), or
        the clauses give no delay for
        later consents: at entry into force, which is its own date if the treaty is already
        in force. Any other: `later_consents` after its date, and not before entry into force.
        """
        on = event.occurred_on
        if event.effective_on is not None:
            earliest = event.effective_on.first
            if event.mode != "succession":
                earliest = max(earliest, on.first)
            return _Effect(event.effective_on.last, earliest, False)
        clauses = self.clauses
        if clauses is None:
            return _Effect(on.last, on.first, False)
        if counted_as and clauses.consents_required is not None:
            at_entry_into_force = counted_as <= clauses.consents_required and self.force is None
        else:
            at_entry_into_force = self.force is None and not self.nth_given
        if at_entry_into_force or clauses.later_consents is None:
            return _Effect(on.last, on.first, True)
        effect = _Effect(
            _after(clauses.later_consents, on.last), _after(clauses.later_consents, on.first), True
        )
        if self.force is not None:
            effect = _Effect(max(effect.on, self.force.last), max(effect.earliest, self.force.first), True)
        return effect

    def withdrawal_effect(self, event: Withdrew) -> _Effect:
        """On its `effective_on`; else `withdrawal` after its date by the clauses; else at once."""
        on = event.occurred_on
        if event.effective_on is not None:
            return _Effect(event.effective_on.last, max(event.effective_on.first, on.first), False)
        if self.clauses is not None and self.clauses.withdrawal is not None:
            delay = self.clauses.withdrawal
            return _Effect(_after(delay, on.last), _after(delay, on.first), True)
        return _Effect(on.last, on.first, False)

    def signature_closes(self) -> date | None:
        """The first day a treaty can no longer be signed: a date, or its entry into force once known."""
        closes = self.clauses.signature_closes if self.clauses is not None else None
        if closes == "at_entry_into_force":
            return self.force.first if self.force is not None else None
        return closes.first if isinstance(closes, PartialDate) else None

    def holds_consent(self, party: str) -> bool:
        seat = self.seats.get(party)
        return seat is not None and seat.status in ("ratified", "party", "suspended")

    def take(self, event: EventBase) -> None:
        """Apply one fact, or raise `Broken` (before changing anything) if it is illegal here."""
        day = event.occurred_on.last
        if self.terminated is not None:  # the treaty has ended (this fact comes after, in the fold)
            raise Broken("after-termination")
        if isinstance(event, InstrumentOpened):
            if self.kind is not None:
                raise Broken("open-once")
            self.kind, self.clauses, self.between = event.kind, event.final_clauses, event.between
            self.windows.append((event.occurred_on.first, event.occurred_on.last))
            return
        if self.kind is None:
            raise Broken("before-opening")
        if isinstance(event, TREATY_ACTS) and self.kind not in TREATY_KINDS:
            raise Broken("treaty-acts-only")
        if isinstance(event, EnteredIntoForce):
            if self.kind not in TREATY_KINDS:
                raise Broken("force-treaties-only")
            if self.force is not None:
                raise Broken("force-once")
            self.enter_into_force(event.occurred_on, derived=False)
            return
        if isinstance(event, Endorsed) and self.kind != "declaration":
            raise Broken("endorse-declarations-only")
        if isinstance(event, Ratified) and self.kind not in TREATY_KINDS:
            raise Broken("ratify-treaties-only")
        named: str | None = getattr(event, "party", None)
        if self.between is not None and named is not None and named not in self.between:
            raise Broken("bilateral-parties-only")
        if isinstance(event, Terminated):
            self.terminate(day)
            if event.occurred_on.first < day:
                self.windows.append((event.occurred_on.first, day))
            return
        if isinstance(event, Suspended | SuspensionEnded) and named is None:
            self.suspend_whole(event)
            return
        assert named is not None  # every other instrument fact names a party
        party = named
        seat = self.seats.get(party) or _Seat()
        status = seat.status
        if isinstance(
            event, Reserved | ReservationWithdrawn | Objected | TerritoryIncluded | TerritoryExcluded
        ):
            self.act(event, party, seat)  # no change to the party's row
            return
        if isinstance(event, Suspended | SuspensionEnded):
            self.suspend_party(event, seat)
        elif isinstance(event, WithdrawalRevoked):
            if status != "withdrawing":
                raise Broken("revoke-pending-only")
            assert seat.saved is not None
            seat.status, seat.signed, seat.endorsed, seat.bound = seat.saved
            seat.leaving = seat.saved = seat.again = None
            if seat.status in ("party", "suspended"):  # suspended if a suspension is in force now
                seat.status = "suspended" if seat.suspended or self.suspended else "party"
                seat.bound = seat.status == "party"
            # Back to what it was, with the date of effect of the consent it keeps (if any).
            restored, consent = seat.status, seat.consent
            shown = None
            if restored == "ratified":
                shown = seat.shown_effect(self.force)
            elif restored in ("party", "suspended"):
                shown = seat.binds_on(self.force)
            seat.move(
                day,
                restored,
                effective_on=shown,
                derived=consent is not None and shown is not None and consent.derived,
            )
        elif isinstance(event, Withdrew):
            if status not in _PARTICIPATING:
                raise Broken("withdraw-participating")
            assert status is not None
            leaving = self.withdrawal_effect(event)
            seat.saved = (status, seat.signed, seat.endorsed, seat.bound)
            seat.leaving = leaving
            seat.move(day, "withdrawing", effective_on=leaving.on, derived=leaving.derived)
        elif isinstance(event, Ratified) and status == "withdrawing":
            assert seat.leaving is not None
            counted_as = self.counted + 1 if event.mode not in _UNCOUNTED else 0
            effect = self.consent_effect(event, counted_as)
            if effect.on < seat.leaving.on:  # it would bind before the withdrawal is in effect
                raise Broken("withdrawal-pending")
            seat.again = effect
            self.count(event)
        else:
            if status not in _MAY_JOIN[event.type]:
                raise Broken("withdrawal-pending" if status == "withdrawing" else "already-participating")
            if isinstance(event, Signed):
                closes = self.signature_closes()
                if closes is not None and event.mode != "succession" and event.occurred_on.first >= closes:
                    raise Broken("signature-closed")
                seat.signed, seat.endorsed, seat.bound, seat.consent = True, False, False, None
                seat.move(day, "signed")
            elif isinstance(event, Endorsed):
                seat.endorsed, seat.bound, seat.consent = True, False, None
                seat.move(day, "endorsed")
            else:
                assert isinstance(event, Ratified)
                counted_as = self.counted + 1 if event.mode not in _UNCOUNTED else 0
                effect = self.consent_effect(event, counted_as)
                seat.endorsed, seat.bound, seat.consent = False, False, effect
                since = min(day, effect.on) if event.mode == "succession" else day
                seat.move(
                    since,
                    "ratified",
                    effective_on=seat.shown_effect(self.force, day),
                    derived=effect.derived,
                )
                seat.open_between(min(effect.earliest, event.occurred_on.first), min(effect.on, day))
                self.count(event)
        seat.open_between(event.occurred_on.first, day)
        if isinstance(event, Withdrew | Ratified) and event.effective_on is not None:
            seat.open_between(event.effective_on.first, event.effective_on.last)
        self.seats[party] = seat

    def lapse(self, seat: _Seat, on: date) -> None:
        """Its withdrawal takes effect: the party's reservations and territorial acts end with it."""
        party = next(name for name, held in self.seats.items() if held is seat)
        for made in self.reservations.values():
            if made.party == party and made.standing():
                made.texts.append((on, None))
        acts = self.territorial[party]
        for territory in sorted({act.territory for act in acts}):
            acts.append(_TerritoryAct(territory, False, PartialDate.of(on), lapse=True))

    def suspend_whole(self, event: Suspended | SuspensionEnded) -> None:
        """The whole treaty's operation suspended (every party bound is `suspended`), or resumed."""
        day = event.occurred_on.last
        if isinstance(event, Suspended):
            if self.force is None or self.suspended:
                raise Broken("suspend-in-force")
            self.suspended = True
            for seat in self.seats.values():
                if seat.status == "party":
                    self.pause(seat, day)
                elif seat.status == "withdrawing" and seat.bound:  # not bound while suspended
                    self.rebind(seat, day, bound=False)
        else:
            if not self.suspended:
                raise Broken("end-suspension")
            self.suspended = False
            for seat in self.seats.values():
                if seat.status == "suspended" and not seat.suspended:
                    self.resume(seat, day)
                elif (
                    seat.status == "withdrawing"
                    and not seat.bound
                    and seat.saved is not None
                    and seat.saved[0] in ("party", "suspended")
                    and not seat.suspended
                ):  # bound again until its withdrawal takes effect
                    self.rebind(seat, day, bound=True)
        if event.occurred_on.first < day:
            self.windows.append((event.occurred_on.first, day))

    def suspend_party(self, event: Suspended | SuspensionEnded, seat: _Seat) -> None:
        """One party's operation of the treaty suspended (it must be bound), or resumed (its own)."""
        day = event.occurred_on.last
        if seat.status == "withdrawing":
            raise Broken("withdrawal-pending")
        if isinstance(event, Suspended):
            if seat.status != "party":
                raise Broken("suspend-bound")
            seat.suspended = True
            self.pause(seat, day)
        else:
            if seat.status != "suspended" or not seat.suspended:
                raise Broken("end-suspension")
            seat.suspended = False
            if not self.suspended:
                self.resume(seat, day)

    def rebind(self, seat: _Seat, day: date, *, bound: bool) -> None:
        """A withdrawing party's bond changes with the whole treaty's suspension; its row stays."""
        assert seat.leaving is not None
        seat.bound = bound
        seat.move(day, "withdrawing", effective_on=seat.leaving.on, derived=seat.leaving.derived)

    def pause(self, seat: _Seat, day: date) -> None:
        """A bound party is `suspended`: a contracting state still, not bound meanwhile."""
        assert seat.consent is not None
        seat.bound = False
        seat.move(day, "suspended", effective_on=seat.binds_on(self.force), derived=seat.consent.derived)

    def resume(self, seat: _Seat, day: date) -> None:
        """A suspended party is bound again."""
        assert seat.consent is not None
        seat.bound = True
        seat.move(day, "party", effective_on=seat.binds_on(self.force), derived=seat.consent.derived)

    def reservation_in_force(self, party: str, reservation: UUID | None = None) -> bool:
        """Whether `party` (participating) holds a reservation not withdrawn whole (that one, if given)."""
        seat = self.seats.get(party)
        if seat is None or seat.status not in _ACTING:
            return False
        return any(
            r.party == party and r.standing() and reservation in (None, key)
            for key, r in self.reservations.items()
        )

    def act(
        self,
        event: Reserved | ReservationWithdrawn | Objected | TerritoryIncluded | TerritoryExcluded,
        party: str,
        seat: _Seat,
    ) -> None:
        """A reservation, its withdrawal, an objection or a territorial act: kept, the row unchanged."""
        day = event.occurred_on.last
        acting = seat.status in _ACTING
        if isinstance(event, Reserved):
            if not acting:
                raise Broken("reserve-participating")
            if event.made_on == "signature" and not seat.signed:
                raise Broken("reserve-participating")
            if event.made_on == "consent" and seat.consent is None:
                raise Broken("reserve-participating")
            self.reservations[event.id] = _Reservation(event, [(day, event.text)])
        elif isinstance(event, ReservationWithdrawn):
            made = self.reservations.get(event.reservation)
            if not acting or made is None or made.party != party or not made.standing():
                raise Broken("withdraw-reservation-made")
            made.texts.append((day, event.text))
        elif isinstance(event, Objected):
            if not acting:
                raise Broken("object-participating")
            if not self.reservation_in_force(event.to, event.reservation):
                raise Broken("object-to-reservation")
            self.objections.append(event)
        else:
            if not acting:
                raise Broken("territory-participating")
            included = isinstance(event, TerritoryIncluded)
            acts = self.territorial[party]
            last = next((a for a in reversed(acts) if a.territory == event.territory), None)
            if last is not None and not last.lapse and last.included == included:
                raise Broken("territory-once")
            acts.append(_TerritoryAct(event.territory, included, event.effective_on or event.occurred_on))

    def count(self, event: Ratified) -> None:
        """Count a consent; the Nth brings the treaty into force by the clauses (if the log records none)."""
        if event.mode in _UNCOUNTED:
            return
        self.counted += 1
        clauses = self.clauses
        if clauses is None or clauses.entry_into_force is None or clauses.consents_required != self.counted:
            return
        self.nth_given = True
        if not self.force_recorded:  # a consent dated to a month or a year leaves the day open
            delay, given = clauses.entry_into_force, event.occurred_on
            self.force_due = _Days(_after(delay, given.first), _after(delay, given.last))


def _replay(
    facts: Sequence[EventBase], *, lenient: bool, until: tuple[date, int] = (date.max, _LAST)
) -> _Instrument:
    """Replay an instrument's facts in valid-time order, then let time pass up to `until` (day, rank).

    A denunciation and a new consent of a party bound by an earlier one, on the same day,
    are taken withdrawal first (Trinidad and Tobago, 1998): consenting again while bound
    is no path at all.
    """
    ordered = sorted(facts, key=_valid_time_order)
    instrument = _Instrument(force_recorded=any(isinstance(e, EnteredIntoForce) for e in ordered))
    done: set[UUID] = set()
    for index, event in enumerate(ordered):
        if event.id in done:
            continue
        batch = [event]
        day = event.occurred_on.last
        if isinstance(event, Ratified):
            instrument.advance(day, _SAME_DAY["Ratified"])
            if instrument.holds_consent(event.party):
                first = next(
                    (
                        later
                        for later in ordered[index + 1 :]
                        if later.occurred_on.last == day
                        and isinstance(later, Withdrew)
                        and later.party == event.party
                        and later.id not in done
                    ),
                    None,
                )
                batch = [first, event] if first is not None else batch
        for fact in batch:
            done.add(fact.id)
            instrument.advance(fact.occurred_on.last, _SAME_DAY.get(fact.type, 5))
            try:
                instrument.take(fact)
            except Broken:
                if not lenient:
                    raise
    instrument.advance(*until)
    return instrument


def replay_instrument(
    facts: Sequence[EventBase], until: date | None = None, *, lenient: bool = False
) -> dict[str, Point]:
    """Each party's point as of `until` (default: its last), after the instrument's facts.

    Raises `Broken` at the first illegal fact; `lenient` skips it instead, as queries about
    past beliefs do.
    """
    if not any(isinstance(e, InstrumentOpened) for e in facts):
        if lenient or not facts:  # every fact retracted: an empty history is legal
            return {}
        raise Broken("unknown-instrument")
    seats = _replay(facts, lenient=lenient).seats
    day = until or date.max
    return {party: point for party, seat in seats.items() if (point := seat.at(day)) is not None}


def standing(facts: Sequence[EventBase], day: date, rank: int) -> _Instrument:
    """The instrument as a fact of `rank` on `day` would meet it (every fact given comes before it)."""
    return _replay(facts, lenient=False, until=(day, rank))


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


def _open_case(event: EventBase, day: date) -> CaseView:
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
        new = _open_case(event, day)
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


class Reservation(NamedTuple):
    """A reservation in force on a date: by whom, what, its text then, and the objections made to it
    by then (each `(id, objecting party, precludes_entry_into_force)`)."""

    party: str
    kind: str
    text: str
    articles: tuple[str, ...]
    made_on: str
    made: date
    objections: frozenset[tuple[UUID, str, bool]]


class Acts(NamedTuple):
    """What a treaty's acts give on one date (`Belief.acts`)."""

    territories: dict[str, frozenset[str]]  # party (with a row) -> the territories it applies the treaty to
    reservations: dict[UUID, Reservation]  # the id of the `Reserved` fact -> the reservation in force
    relations: dict[str, frozenset[str]]  # party (with a row) -> the parties it is bound towards
    unsettled: bool  # a partial date or a continuation leaves some of it open


class View(NamedTuple):
    """What the model expects of one query: answers, and which of them a partial date leaves open."""

    answers: dict[str, Any]
    unsettled: frozenset[str]  # keys (parties or cases) whose answer a partial date leaves open
    tally: dict[str, int] | None = None  # the counts as published, when no row is left open


def _straddles(period: PartialDate | None, day: date) -> bool:
    return period is not None and period.first <= day < period.last


def _open(windows: Iterable[tuple[date, date]], day: date) -> bool:
    return any(first <= day < last for first, last in windows)


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

    def dates(self) -> set[date]:
        """Days on which some answer may change: around every fact's period and date of effect, and
        every day the law changes a party's row (dates of effect the final clauses derive)."""
        one = timedelta(days=1)
        days: set[date] = set()
        for entity, facts in self.by_entity.items():
            for fact in facts:
                for period in (fact.occurred_on, getattr(fact, "effective_on", None)):
                    if period is not None:
                        days |= {period.first - one, period.first, period.last}
            if entity.startswith("instrument:") and any(isinstance(e, InstrumentOpened) for e in facts):
                for seat in _replay(facts, lenient=True).seats.values():
                    days |= {point.since - one for point in seat.points} | {p.since for p in seat.points}
        return {day for day in days if day.year > 1}

    def continuations(self) -> list[Continued]:
        """States continuing their predecessors' participations, in valid-time order."""
        found = [e for e in self.by_entity.get(STATEMENTS, []) if isinstance(e, Continued)]
        return sorted(found, key=_valid_time_order)

    def signatories(self, instrument: str, as_of: date) -> View:
        """Each party's `(status, since, effective_on, derived, continued_from)` as of `as_of`, the
        parties a partial date leaves open, and the tally when none is.

        From the first day of a `Continued`, a predecessor's row is shown under the state
        that continues it, unless that state has a row of its own.
        """
        facts = self.by_entity.get(f"instrument:{instrument}", [])
        if not any(isinstance(e, InstrumentOpened) for e in facts):
            return View({}, frozenset())
        replay = _replay(facts, lenient=True)
        rows: dict[str, tuple[Point, str | None]] = {}
        unsettled: set[str] = set()
        for party, seat in replay.seats.items():
            point = seat.at(as_of)
            if point is not None:
                rows[party] = (replace(point, since=seat.began(as_of) or point.since), None)
            if _open(seat.windows, as_of):
                unsettled.add(party)
        for continued in self.continuations():
            if continued.occurred_on.first > as_of:
                continue
            pair = {continued.party, continued.predecessor}
            if pair & unsettled or _straddles(continued.occurred_on, as_of):
                unsettled |= pair
            if continued.predecessor in rows and continued.party not in rows:
                point, _ = rows.pop(continued.predecessor)
                rows[continued.party] = (point, continued.predecessor)
        answers = {
            party: (point.status, point.since, point.effective_on, point.derived, predecessor)
            for party, (point, predecessor) in rows.items()
        }
        if _open(replay.windows, as_of):
            return View(answers, frozenset(rows) | frozenset(unsettled) | {"*"})
        tally = None
        if not unsettled:
            points = [point for point, _ in rows.values()]
            tally = {"signatories": sum(p.signed for p in points)}
            if replay.kind == "declaration":
                tally = {"endorsers": sum(p.endorsed for p in points), **tally}
            else:
                tally["contracting_states"] = sum(p.consented for p in points)
                tally["parties"] = sum(p.bound for p in points)
        return View(answers, frozenset(unsettled), tally)

    def acts(self, instrument: str, as_of: date) -> Acts:
        """A treaty's acts as of `as_of`: each party's territories, the reservations in force (with their
        text then and the objections made to them by then), and whom each party is bound towards.

        `unsettled` when a partial date (of an act, its effect, or a change of status) or a state
        continuing another leaves any of it open: nothing of it is then compared.
        """
        facts = self.by_entity.get(f"instrument:{instrument}", [])
        if not any(isinstance(e, InstrumentOpened) for e in facts):
            return Acts({}, {}, {}, unsettled=False)
        replay = _replay(facts, lenient=True)
        points = {
            party: point for party, seat in replay.seats.items() if (point := seat.at(as_of)) is not None
        }
        acting = {party for party, point in points.items() if point.status in _ACTING}
        unsettled = _open(replay.windows, as_of) or any(
            _open(s.windows, as_of) for s in replay.seats.values()
        )
        unsettled |= any(
            _straddles(e.occurred_on, as_of) or _straddles(getattr(e, "effective_on", None), as_of)
            for e in facts
        )
        unsettled |= any(
            {c.party, c.predecessor} & set(replay.seats) and c.occurred_on.first <= as_of
            for c in self.continuations()
        )
        territories: dict[str, frozenset[str]] = {}
        for party in points:
            applies: dict[str, bool] = {}
            for act in replay.territorial.get(party, []):
                if act.effect.last <= as_of:
                    applies[act.territory] = act.included
            shown = {code for code, included in applies.items() if included}
            territories[party] = frozenset(shown if party in acting else ())
        reservations: dict[UUID, Reservation] = {}
        for key, made in replay.reservations.items():
            text = made.text_on(as_of)
            if text is None or made.party not in acting:
                continue
            objections = frozenset(
                (o.id, o.party, o.precludes_entry_into_force)
                for o in replay.objections
                if o.occurred_on.last <= as_of and o.to == made.party and o.reservation in (None, key)
            )
            event = made.made
            reservations[key] = Reservation(
                event.party, event.kind, text, event.articles, event.made_on, made.texts[0][0], objections
            )
        precluded = {  # while a reservation it answers is in force
            frozenset((o.party, o.to))
            for o in replay.objections
            if o.precludes_entry_into_force
            and o.occurred_on.last <= as_of
            and any(
                made.party == o.to and o.reservation in (None, key) and made.text_on(as_of) is not None
                for key, made in replay.reservations.items()
            )
        }
        bound = {party for party, point in points.items() if point.bound}
        relations = {
            party: frozenset(q for q in bound if q != party and frozenset((party, q)) not in precluded)
            if party in bound
            else frozenset()
            for party in points
        }
        return Acts(territories, reservations, relations, unsettled=unsettled)

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
        _assert_treaty_acts(ledger, belief, slug, as_of, known_at)
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
    assert_tally_adds_up(result)
    if "*" in view.unsettled:
        return
    got = {
        row.party: (row.status, row.since, row.effective_on, row.effective_derived, row.continued_from)
        for row in result
        if row.party not in view.unsettled
    }
    want = {party: answer for party, answer in view.answers.items() if party not in view.unsettled}
    assert got == want, f"{where}: ledger {got}, model {want}"
    assert not any(row.uncertain for row in result if row.party not in view.unsettled), where
    if view.tally is not None:
        assert dict(result.tally) == view.tally, f"{where}: tally {dict(result.tally)}, model {view.tally}"
    if not view.unsettled:
        assert result.counts == dict(Counter(answer[0] for answer in want.values())), where
    rows = [row for row in result if row.continued_from is None and row.party not in view.unsettled]
    if rows:
        acts = belief.acts(slug, as_of)
        if not acts.unsettled:
            got_territories = {row.party: frozenset(row.territories) for row in rows}
            want_territories = {party: acts.territories.get(party, frozenset()) for party in got_territories}
            assert got_territories == want_territories, (
                f"{where}: territories: ledger {got_territories}, model {want_territories}"
            )
            assert all(len(set(row.territories)) == len(row.territories) for row in rows), where


def _day_of(value: date | PartialDate) -> date:
    """A date as the ledger may show it: a day, or a partial date (its last day)."""
    return value.last if isinstance(value, PartialDate) else value


def _assert_treaty_acts(
    ledger: Ledger | Projection, belief: Belief, slug: str, as_of: date, known_at: datetime | None
) -> None:
    """The reservations in force (text, objections) and who is bound towards whom, where the ledger
    answers them (issue 14) and no partial date leaves them open."""
    acts = belief.acts(slug, as_of)
    if acts.unsettled:
        return
    where = f"{slug} as of {as_of} known at {known_at}"
    result = ledger.reservations(slug, as_of=as_of, known_at=known_at)
    got = {
        row.reservation: Reservation(
            row.party,
            row.kind,
            row.text,
            tuple(row.articles),
            row.made_on,
            _day_of(row.made),
            frozenset((o.id, o.party, o.precludes_entry_into_force) for o in row.objections),
        )
        for row in result.rows
    }
    assert len(got) == len(result.rows), f"{where}: a reservation shown twice"
    assert got == acts.reservations, f"{where}: reservations: ledger {got}, model {acts.reservations}"
    for party, towards in acts.relations.items():
        relations = ledger.relations(slug, party, as_of=as_of, known_at=known_at)
        bound = {row.party for row in relations.rows if row.bound}
        assert party not in {row.party for row in relations.rows}, f"{where}: {party} related to itself"
        assert bound == towards, (
            f"{where}: {party} bound towards: ledger {sorted(bound)}, model {sorted(towards)}"
        )


#: For each count of a tally: the statuses whose rows it always counts, and those it may count.
_TALLIED: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "treaty": {
        "signatories": (("signed",), ("signed", "ratified", "party", "suspended", "withdrawing")),
        "contracting_states": (
            ("ratified", "party", "suspended"),
            ("ratified", "party", "suspended", "withdrawing"),
        ),
        "parties": (("party",), ("party", "withdrawing")),
    },
    "declaration": {
        "endorsers": (("endorsed",), ("endorsed", "withdrawing")),
        "signatories": (("signed",), ("signed", "endorsed", "withdrawing")),
    },
}


_TALLIED["bilateral_treaty"] = _TALLIED["treaty"]


def assert_tally_adds_up(result: Signatories) -> None:
    """Assert a tally has the keys of its kind, each between what its certain rows must and may count.

    A `party` row is always counted a party and a contracting state, a `signed` row a
    signatory; a `withdrawing` row may be counted as what it was; an uncertain row may be
    counted for what holds whichever way its partial date falls; nothing else is.
    """
    where = f"tally of {result.instrument} as of {result.as_of}"
    expected = _TALLIED[result.kind]
    assert list(result.tally) == list(expected), f"{where}: keys {list(result.tally)}"
    statuses = Counter(row.status for row in result if not row.uncertain)
    unsure = sum(1 for row in result if row.uncertain)
    for key, (always, maybe) in expected.items():
        low, high = sum(statuses[s] for s in always), sum(statuses[s] for s in maybe) + unsure
        assert low <= result.tally[key] <= high, f"{where}: {key} {result.tally[key]} not in [{low}, {high}]"
