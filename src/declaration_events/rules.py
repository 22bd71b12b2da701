"""The law-shaped state machines: transition tables, and folds of an entity's facts.

One definition serves both sides. The write side folds strictly and raises
`InvalidTransitionError` on the first fact that leaves a legal path; the read side
folds leniently (an illegal fact is skipped) to answer questions about beliefs
that were held at a past record time.

Facts are folded in valid-time order. The same-day tie rule: facts dated the same
day (for partial dates: the same last day of their period) are taken in lifecycle
order (`LIFECYCLE_RANK`: opening before signing before ratifying before entry into
force before withdrawing; detention before charge (and change of custody) before
sentence before link and designation before release before restriction before its
lifting before escape or disappearance before death), then by record time, then by
id. So a treaty opened, signed and ratified on one day is legal in any recording
order; a re-detention on the day of a release is not expressible (record it the next
day).

A detention case's status says where the person is first and how far proceedings went
second: in custody (`detained`, `charged`, `sentenced`), under a restriction short of
prison (the most severe in force: `house_arrest`, `furlough`, `on_bail`, `exit_ban`,
`travel_ban`), free (`charged_at_large` or `sentenced_in_absentia`: charged or
sentenced while free and not detained since; else `released`), or an outcome
(`escaped`, `missing`, `died`).
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, NamedTuple, NoReturn, TypeVar, get_args
from uuid import UUID

from pydantic import ValidationError

from .dates import PartialDate
from .errors import InvalidEventError, InvalidTransitionError
from .events import (
    TREATY_ACTS,
    TREATY_KINDS,
    ActorRegistered,
    CasesLinked,
    Charged,
    Corrected,
    CustodyChanged,
    Delay,
    Designated,
    Detained,
    Died,
    Endorsed,
    EnteredIntoForce,
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
    describe_validation_error,
)

__all__ = [
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "DEPRIVED",
    "IN_CUSTODY",
    "PARTICIPATING",
    "PARTICIPATION_STATUSES",
    "PARTICIPATION_TRANSITIONS",
    "RESTRICTED",
    "RULES",
    "SEVERITY",
    "CaseHistory",
    "CaseState",
    "Change",
    "Designation",
    "InstrumentHistory",
    "ObjectionFact",
    "ReservationFact",
    "TerritoryAct",
    "apply_amendments",
    "case_key",
    "fold_actor",
    "fold_case",
    "fold_instrument",
    "opens_case",
    "valid_time_key",
]

ParticipationStatus = Literal[
    "signed", "endorsed", "ratified", "party", "suspended", "withdrawing", "withdrawn", "terminated"
]
CaseStatus = Literal[
    "detained",
    "charged",
    "sentenced",
    "house_arrest",
    "furlough",
    "on_bail",
    "exit_ban",
    "travel_ban",
    "charged_at_large",
    "sentenced_in_absentia",
    "released",
    "escaped",
    "missing",
    "died",
]
#: Statuses in lifecycle order (the categories of `status` columns, the order of legends).
PARTICIPATION_STATUSES: tuple[str, ...] = get_args(ParticipationStatus)
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)
#: The statuses of a signatory or contracting state: those that make reservations, object to
#: them and say where a treaty applies (an endorsement of a declaration is none of these).
PARTICIPATING: frozenset[str] = frozenset({"signed", "ratified", "party", "suspended", "withdrawing"})

#: Every rule a fact can break, by name, in words.
RULES: Mapping[str, str] = {
    "unknown-instrument": "a fact about an instrument needs the instrument to be opened (InstrumentOpened)",
    "open-once": "an instrument is opened once",
    "before-opening": "nothing happens to an instrument before it is opened",
    "endorse-declarations-only": "only declarations are endorsed; treaties are signed and ratified",
    "ratify-treaties-only": "only treaties are ratified; declarations are signed or endorsed",
    "force-treaties-only": "only treaties enter into force",
    "force-once": "a treaty enters into force once",
    "already-participating": "a party that already participates must withdraw before it joins again",
    "withdrawal-pending": (
        "a party whose withdrawal is pending cannot act until it takes effect, except to consent "
        "again with effect no earlier than the withdrawal's, or to revoke it"
    ),
    "withdraw-participating": "only a participating party can withdraw",
    "signature-closed": "a treaty cannot be signed once its signature has closed (final clauses)",
    "revoke-pending-only": "only a pending withdrawal can be revoked, before it takes effect",
    "after-termination": (
        "nothing but corrections and retractions follows a treaty's termination (a Terminated, or "
        "a bilateral treaty's withdrawal taking effect)"
    ),
    "treaty-acts-only": (
        "reservations, objections, territorial application, suspension and termination are acts "
        "under treaties, not declarations"
    ),
    "bilateral-parties-only": "only the two parties named by a bilateral treaty (between) act under it",
    "reserve-participating": (
        "only a signatory or contracting state makes a reservation or declaration; made on "
        "signature, it needs a standing signature; made on consent, a consent given"
    ),
    "withdraw-reservation-made": (
        "a party withdraws only a reservation it made to the same treaty and has not withdrawn "
        "whole, while it still participates"
    ),
    "object-participating": "only a signatory or contracting state objects to a reservation",
    "object-to-reservation": (
        "an objection answers a reservation in force: of the party it names (to), and the one it "
        "cites (reservation) if any"
    ),
    "territory-participating": (
        "only a signatory or contracting state says to which territories a treaty applies"
    ),
    "territory-once": "a territory is included (or excluded) once until the opposite act",
    "suspend-bound": "a party suspends a treaty's operation only while bound by it (status party)",
    "suspend-in-force": "a treaty is suspended as a whole only while in force and not already suspended",
    "end-suspension": "only a suspension in force can end (the party's own, or the whole treaty's)",
    "unknown-case": (
        "a fact about a case needs the case to be opened: by a detention (Detained) or by a charge "
        "naming the person (Charged with person, nationalities and charging_state)"
    ),
    "before-detention": "nothing happens in a case before it is opened (by a detention or a charge)",
    "detain-free": "a person already in custody cannot be detained again",
    "release-in-custody": "only a person in custody, under a restriction or missing can be released",
    "bail-from-custody": "only a person in custody can be released on bail",
    "basis-in-custody": "the legal basis of custody changes only while the person is in custody",
    "restrict-from-custody": "furlough and house arrest are granted to a person in custody",
    "restricted-already": "an exit or travel ban in force cannot be imposed again",
    "lift-in-force": "only a restriction in force can be lifted",
    "escape-held": "only a person in custody or under a restriction can escape",
    "disappear-held": "only a person in custody or under house arrest can disappear",
    "death-where-held": (
        "a death in custody (in_custody: true) needs the person in custody or missing; "
        "a death out of it, the person out of custody"
    ),
    "after-death": "nothing but corrections and retractions follows a death",
    "designate-once": "a designation (kind, by whom, reference) is made once per case",
    "unknown-actor": "a captor or designator actor:SLUG needs the actor to be registered (ActorRegistered)",
    "register-once": "an actor is registered once (correct it to change its name)",
    "unknown-target": "a correction or retraction must point at an event the ledger knows",
    "amend-amendment": "corrections and retractions amend facts, not other amendments",
    "amend-retracted": "a retracted event cannot be corrected or retracted again",
    "amend-before-target": "an amendment cannot be recorded before the event it amends",
    "amend-entity": "a correction cannot move a fact to another instrument or case",
    "unknown-reference": "a statement or link must name an instrument or case the ledger knows",
    "duplicate-id": "an event id names one fact only",
}

PREVIOUS = "previous"  # back to the status held before the withdrawal
#: Participation: event -> {status met: status after}. Absent pairs are illegal.
#: A consent met while withdrawing is legal only if it takes effect no earlier than the
#: withdrawal does (rule `withdrawal-pending`); the party stays `withdrawing` until then.
PARTICIPATION_TRANSITIONS: Mapping[str, Mapping[str | None, str]] = {
    "Signed": {None: "signed", "withdrawn": "signed"},
    "Endorsed": {None: "endorsed", "signed": "endorsed", "withdrawn": "endorsed"},
    "Ratified": {
        None: "ratified",
        "signed": "ratified",
        "withdrawn": "ratified",
        "withdrawing": "withdrawing",
    },
    "Withdrew": {
        "signed": "withdrawing",
        "endorsed": "withdrawing",
        "ratified": "withdrawing",
        "party": "withdrawing",
        "suspended": "withdrawing",
    },
    "WithdrawalRevoked": {"withdrawing": PREVIOUS},
}
#: The rule a participation event breaks when its status is absent from the table.
PARTICIPATION_RULE_BROKEN: Mapping[str, str] = {
    "Signed": "already-participating",
    "Endorsed": "already-participating",
    "Ratified": "already-participating",
    "Withdrew": "withdraw-participating",
    "WithdrawalRevoked": "revoke-pending-only",
}
#: Consent modes that count towards a treaty's `consents_required` (an organisation's
#: formal confirmation usually does not add to its members' instruments).
COUNTED_CONSENTS: frozenset[str] = frozenset(
    {"ratification", "acceptance", "approval", "accession", "succession", "definitive_signature"}
)
#: Consents that follow a signature; given without one, `validate` warns.
AFTER_SIGNATURE: frozenset[str] = frozenset({"ratification", "acceptance", "approval"})

#: Which kinds of instrument each participation event applies to, and the rule otherwise.
_ANY_KIND = frozenset({"declaration", *TREATY_KINDS})
APPLIES_TO: Mapping[str, tuple[frozenset[str], str]] = {
    "Signed": (_ANY_KIND, ""),
    "Endorsed": (frozenset({"declaration"}), "endorse-declarations-only"),
    "Ratified": (TREATY_KINDS, "ratify-treaties-only"),
    "Withdrew": (_ANY_KIND, ""),
    "WithdrawalRevoked": (_ANY_KIND, ""),
}

CUSTODY = "custody"  # back in custody, at the stage the proceedings had reached
LIFTED = "lifted"  # the most severe restriction still in force, else free
#: The statuses of a person held in custody (days in them count as `days_detained`).
IN_CUSTODY: frozenset[str] = frozenset({"detained", "charged", "sentenced"})
#: The statuses of a person out of custody under a restriction (days in them count as `days_restricted`).
RESTRICTED: frozenset[str] = frozenset({"house_arrest", "furlough", "on_bail", "exit_ban", "travel_ban"})
#: Custody and house arrest: deprivation of liberty as the UN Working Group counts it (`days_deprived`).
DEPRIVED: frozenset[str] = IN_CUSTODY | {"house_arrest"}
#: Restrictions, most severe first: the status shows the most severe in force.
SEVERITY: tuple[str, ...] = ("house_arrest", "furlough", "bail", "exit_ban", "travel_ban")
#: The status of a person under each restriction (when it is the most severe in force).
RESTRICTION_STATUS: Mapping[str, str] = {"bail": "on_bail", **{r: r for r in SEVERITY if r != "bail"}}
#: Restrictions that replace custody (one at a time; a detention ends them); the others are bans.
INSTEAD_OF_CUSTODY = frozenset({"house_arrest", "furlough", "bail"})
_CUSTODY = ("detained", "charged", "sentenced")
_OUT_ON = ("house_arrest", "furlough", "on_bail")
_BANS = ("exit_ban", "travel_ban")
_FREE = ("charged_at_large", "sentenced_in_absentia", "released")
_GONE = ("missing", "escaped")
_ALIVE = (*_CUSTODY, *_OUT_ON, *_BANS, *_FREE, *_GONE)


def _same(*statuses: str) -> dict[str | None, str]:
    return {status: status for status in statuses}


def _all(after: str, *statuses: str) -> dict[str | None, str]:
    return dict.fromkeys(statuses, after)


#: Detention case: event (with its variant) -> {status met: status after}. Absent pairs are illegal.
#: `CUSTODY` and `LIFTED` are resolved by the fold; `case_key` gives an event's key.
CASE_TRANSITIONS: Mapping[str, Mapping[str | None, str]] = {
    "Detained": {
        None: "detained",
        "released": "detained",
        **_all(CUSTODY, *_OUT_ON, *_BANS, "charged_at_large", "sentenced_in_absentia", *_GONE),
    },
    "Charged": {
        None: "charged_at_large",  # a charge naming the person opens a case
        "detained": "charged",
        "charged": "charged",
        "sentenced": "sentenced",
        **_same(*_OUT_ON, *_BANS, "charged_at_large", "sentenced_in_absentia", *_GONE),
        "released": "charged_at_large",
    },
    "Sentenced": {
        **_all("sentenced", *_CUSTODY),
        **_same(*_OUT_ON, *_BANS, "sentenced_in_absentia", *_GONE),
        **_all("sentenced_in_absentia", "charged_at_large", "released"),
    },
    "Released:bail": _all("on_bail", *_CUSTODY),
    "Released": _all("released", *_CUSTODY, *_OUT_ON, *_BANS, "missing"),
    "CustodyChanged": _same(*_CUSTODY),
    "Restricted:bail": _all("on_bail", *_CUSTODY),
    "Restricted:furlough": _all("furlough", *_CUSTODY),
    "Restricted:house_arrest": _all("house_arrest", *_CUSTODY),
    "Restricted:exit_ban": {**_same(*_CUSTODY, *_OUT_ON, *_GONE), **_all("exit_ban", "travel_ban", *_FREE)},
    "Restricted:travel_ban": {**_same(*_CUSTODY, *_OUT_ON, "exit_ban", *_GONE), **_all("travel_ban", *_FREE)},
    "RestrictionLifted:bail": {"on_bail": LIFTED},
    "RestrictionLifted:furlough": {"furlough": LIFTED},
    "RestrictionLifted:house_arrest": {"house_arrest": LIFTED},
    "RestrictionLifted:exit_ban": {"exit_ban": LIFTED, **_same(*_CUSTODY, *_OUT_ON, *_GONE)},
    "RestrictionLifted:travel_ban": {"travel_ban": LIFTED, **_same(*_CUSTODY, *_OUT_ON, "exit_ban", *_GONE)},
    "Escaped": _all("escaped", *_CUSTODY, *_OUT_ON, *_BANS),
    "Disappeared": _all("missing", *_CUSTODY, "house_arrest"),
    "Died:in_custody": _all("died", *_CUSTODY, "missing"),
    "Died": _all("died", *_OUT_ON, *_BANS, *_FREE, *_GONE),
    "Designated": _same(*_ALIVE),
}

CASE_RULE_BROKEN: Mapping[str, str] = {
    "Detained": "detain-free",
    "Charged": "after-death",  # a charge is legal wherever the person is, but not after a death
    "Sentenced": "after-death",
    "Released:bail": "bail-from-custody",
    "Released": "release-in-custody",
    "CustodyChanged": "basis-in-custody",
    "Restricted:bail": "bail-from-custody",
    "Restricted:furlough": "restrict-from-custody",
    "Restricted:house_arrest": "restrict-from-custody",
    "Restricted:exit_ban": "restricted-already",
    "Restricted:travel_ban": "restricted-already",
    "RestrictionLifted:bail": "lift-in-force",
    "RestrictionLifted:furlough": "lift-in-force",
    "RestrictionLifted:house_arrest": "lift-in-force",
    "RestrictionLifted:exit_ban": "lift-in-force",
    "RestrictionLifted:travel_ban": "lift-in-force",
    "Escaped": "escape-held",
    "Disappeared": "disappear-held",
    "Died:in_custody": "death-where-held",
    "Died": "death-where-held",
    "Designated": "after-death",
}

#: Same-day order of facts (see the module's docstring): an entity's facts of one day are folded
#: lowest rank first. Reservations and territorial acts follow the consent they go with.
LIFECYCLE_RANK: Mapping[str, int] = {
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
    "Sentenced": 2,
    "CasesLinked": 3,
    "Released": 4,
    "CustodyChanged": 1,
    "Designated": 3,
    "Restricted": 5,
    "RestrictionLifted": 6,
    "Escaped": 7,
    "Disappeared": 7,
    "Died": 8,
    "ActorRegistered": 0,
}

_FORCE_RANK = LIFECYCLE_RANK["EnteredIntoForce"]
_NEVER_RECORDED = datetime.min.replace(tzinfo=UTC)


def valid_time_key(event: EventBase) -> tuple[date, int, datetime, UUID]:
    """Sort key of the valid-time order, with the same-day tie rule."""
    return (
        event.occurred_on.last,
        LIFECYCLE_RANK.get(event.type, 5),
        event.recorded_at or _NEVER_RECORDED,
        event.id,
    )


def _broken(rule: str, event: EventBase, status: str | None, entity: str, detail: str) -> NoReturn:
    raise InvalidTransitionError(
        f"{event.type} {event.id} on {event.occurred_on} ({entity}): {detail}; "
        f"it met status {status or 'none'!r}. Rule {rule!r}: {RULES[rule]}",
        rule=rule,
        event_id=str(event.id),
        event_type=event.type,
        entity=entity,
        status=status,
    )


#: Bits of `Change.flags`.
SIGNED, ENDORSED, CONSENTED, BOUND, DERIVED = 1, 2, 4, 8, 16


@dataclass(frozen=True, slots=True)
class Change:
    """A status that holds from `on` (inclusive) until the next change, and what caused it.

    The flags say where the party stands for `tally`: a standing signature, an
    endorsement, a consent deposited (withdrawal not yet in effect), bound in force.
    `effective_on` is when the consent (or withdrawal) behind the status takes effect,
    and `derived` whether that date comes from the final clauses rather than the log.
    (One int of flags: a large ledger holds millions of change points.)
    """

    on: date
    start: date  # first day of the causing fact's period; before `on` when the date is partial
    status: str | None
    event_id: UUID
    flags: int = 0
    effective_on: date | None = None

    @property
    def signed(self) -> bool:
        """A standing signature."""
        return bool(self.flags & SIGNED)

    @property
    def endorsed(self) -> bool:
        """A standing endorsement (declarations)."""
        return bool(self.flags & ENDORSED)

    @property
    def consented(self) -> bool:
        """Consent to be bound given, withdrawal not yet in effect."""
        return bool(self.flags & CONSENTED)

    @property
    def bound(self) -> bool:
        """Bound and in force for the party (withdrawing included)."""
        return bool(self.flags & BOUND)

    @property
    def derived(self) -> bool:
        """`effective_on` comes from the final clauses, not from the log."""
        return bool(self.flags & DERIVED)


@dataclass(frozen=True, slots=True)
class InstrumentHistory:
    """An instrument's facts folded into per-party change points."""

    slug: str
    title: str
    kind: str
    opened_on: PartialDate
    entered_into_force: PartialDate | None
    parties: Mapping[str, tuple[Change, ...]]
    milestones: tuple[tuple[date, str, UUID], ...]
    skipped: tuple[UUID, ...] = ()
    #: `(event id, message)` of facts that are legal but worth a look (`validate` prints them).
    warnings: tuple[tuple[UUID, str], ...] = ()
    #: Whether the entry into force was derived from the final clauses (no `EnteredIntoForce`).
    force_derived: bool = False
    #: Reservations and declarations, in the order made (with their text over time).
    reservations: tuple[ReservationFact, ...] = ()
    #: Objections to reservations, in the order made.
    objections: tuple[ObjectionFact, ...] = ()
    #: Territorial applications and exclusions, in the order made.
    territories: tuple[TerritoryAct, ...] = ()
    #: The two parties of a bilateral treaty.
    between: tuple[str, ...] = ()

    def territories_of(self, party: str, as_of: date) -> tuple[str, ...]:
        """The territories to which the instrument applies for `party` on `as_of` (by its acts alone)."""
        applies: dict[str, bool] = {}
        for act in self.territories:
            if act.party == party and act.on <= as_of:
                applies[act.territory] = act.included
        return tuple(sorted(code for code, included in applies.items() if included))


@dataclass(frozen=True, slots=True)
class ReservationFact:
    """A reservation or declaration, and its text over time (None from a whole withdrawal)."""

    id: UUID
    party: str
    kind: str
    articles: tuple[str, ...]
    made_on: str
    on: date
    #: (from, text in force from then or None once withdrawn whole, the fact that set it)
    texts: tuple[tuple[date, str | None, UUID], ...]

    def text_on(self, day: date) -> str | None:
        """The text in force on `day` (None before it was made or after its whole withdrawal)."""
        found: str | None = None
        for since, text, _ in self.texts:
            if since > day:
                break
            found = text
        return found


class ObjectionFact(NamedTuple):
    """An objection by `party` to `to`'s reservation (`reservation`, or all of them when None)."""

    id: UUID
    party: str
    to: str
    reservation: UUID | None
    text: str
    precludes_entry_into_force: bool
    on: date

    def answers(self, reservation: ReservationFact) -> bool:
        """Whether this objection is made to that reservation."""
        if self.reservation is not None:
            return self.reservation == reservation.id
        return self.to == reservation.party


class TerritoryAct(NamedTuple):
    """A party includes or excludes a territory, from `on`."""

    party: str
    territory: str
    on: date
    included: bool
    event_id: UUID


@dataclass
class _Standing:
    """Where a party stands: its status and the flags `tally` counts."""

    status: str | None = None
    signed: bool = False
    endorsed: bool = False
    consented: bool = False
    bound: bool = False

    def moved(self, status: str | None, bound: bool | None = None) -> _Standing:
        """A copy with `status` (and `bound`, if given): what `dataclasses.replace` makes, without its
        walk over the fields (a large instrument's fold makes one for every withdrawal)."""
        return _Standing(
            status, self.signed, self.endorsed, self.consented, self.bound if bound is None else bound
        )


@dataclass
class _Party:
    now: _Standing = field(default_factory=_Standing)
    before_withdrawal: _Standing | None = None
    consent_effective: date | None = None
    consent_start: date | None = None
    consent_derived: bool = False
    #: A consent given while withdrawing: (effective, start, derived, cause), in effect after the withdrawal.
    again: tuple[date, date, bool, UUID] | None = None
    withdrawal_effective: date | None = None
    withdrawal_derived: bool = False
    timer: tuple[date, date, str, UUID] | None = None
    #: A consent binding the party while its withdrawal is pending: (on, start, the withdrawal).
    binding: tuple[date, date, UUID] | None = None
    #: Its own suspension of the treaty's operation is in force.
    suspended: bool = False
    changes: list[Change] = field(default_factory=list)

    @property
    def status(self) -> str | None:
        return self.now.status

    def record(
        self,
        on: date,
        start: date,
        cause: UUID,
        *,
        floor: date,
        effective_on: date | None = None,
        derived: bool = False,
    ) -> None:
        """Add a change to the current standing; its period cannot start before the change it follows."""
        start = max(start, self.changes[-1].start if self.changes else floor)
        on = max(on, self.changes[-1].on) if self.changes else on
        now = self.now
        flags = (
            SIGNED * now.signed
            | ENDORSED * now.endorsed
            | CONSENTED * now.consented
            | BOUND * now.bound
            | DERIVED * derived
        )
        self.changes.append(Change(on, start, now.status, cause, flags, effective_on))


def _kept_effect(state: _Party) -> dict[str, Any]:
    """A suspension (or its end) keeps the date of effect the party's row showed, as bound."""
    last = state.changes[-1] if state.changes else None
    return {"effective_on": last.effective_on, "derived": last.derived} if last is not None else {}


def _unknown(kind: str, opener: str, slug: str, ordered: Sequence[EventBase]) -> NoReturn:
    """An entity whose facts never open it: blame its earliest fact."""
    first = ordered[0]
    rule = f"unknown-{kind}"
    raise InvalidTransitionError(
        f"unknown {kind} {slug!r}: no {opener} for it ({first.type} {first.id}). "
        f"Rule {rule!r}: {RULES[rule]}",
        rule=rule,
        event_id=str(first.id),
        event_type=first.type,
        entity=f"{kind}:{slug}",
    )


def _withdrawal_first(ordered: list[EventBase]) -> list[EventBase]:
    """Same-day withdrawal and new consent of a party already bound: the withdrawal comes first.

    The tie rule takes consents before withdrawals (sign, ratify and withdraw on one day);
    a denunciation and re-accession on one day (Trinidad and Tobago, 1998) is the other way.
    A party is bound by an earlier consent unless a withdrawal came after it (and was not
    revoked): one that left and joins again is a newcomer.
    """
    consented: set[str] = set()  # parties whose consent stands at this point of the order
    revoked: dict[str, bool] = {}  # whether revoking a party's pending withdrawal gives its consent back
    moved: set[UUID] = set()  # withdrawals placed ahead of a same-day consent
    out: list[EventBase] = []

    def place(event: EventBase) -> None:
        out.append(event)
        party = getattr(event, "party", "")
        if isinstance(event, Ratified):
            consented.add(party)
        elif isinstance(event, Withdrew):
            revoked[party] = party in consented
            consented.discard(party)
        elif isinstance(event, WithdrawalRevoked):  # back to what it was: a consent given meanwhile lapses
            if revoked.pop(party, False):
                consented.add(party)
            else:
                consented.discard(party)

    for index, event in enumerate(ordered):
        if event.id in moved:
            continue
        party = getattr(event, "party", None)
        if isinstance(event, Ratified) and party in consented:
            day = event.occurred_on.last
            for position in range(index + 1, len(ordered)):
                later = ordered[position]
                if later.occurred_on.last != day:
                    break
                if isinstance(later, Withdrew) and later.party == party and later.id not in moved:
                    moved.add(later.id)
                    place(later)
                    break
        place(event)
    return out


def fold_instrument(slug: str, events: Iterable[EventBase], *, strict: bool = True) -> InstrumentHistory:
    """Fold one instrument's (already amended) facts, in any order, into its history.

    With final clauses and no `EnteredIntoForce`, the treaty enters into force
    `entry_into_force` after the date of the `consents_required`-th counted consent. A
    consent without `effective_on` takes effect at entry into force if it is one of
    those first consents, else `later_consents` after its date (never before entry
    into force); a withdrawal without `effective_on` takes effect `withdrawal` after
    its date. An explicit date always wins. When the Nth consent is dated only to a
    month or a year, the derived entry into force falls between the delay after the
    period's first day and the delay after its last: rows bound by it start (`start`)
    at the earliest and hold for certain (`on`) from the latest, which the history shows.
    """
    entity = f"instrument:{slug}"
    ordered = sorted(events, key=valid_time_key)
    if strict and ordered and not any(isinstance(event, InstrumentOpened) for event in ordered):
        _unknown("instrument", "InstrumentOpened", slug, ordered)
    ordered = _withdrawal_first(ordered)
    explicit_force = next((e for e in ordered if isinstance(e, EnteredIntoForce)), None)
    opened: InstrumentOpened | None = None
    clauses: FinalClauses | None = None
    force_on: _Span | None = None  # the days the treaty may have entered into force, first to last
    force_date: PartialDate | None = None  # what the history shows (a derived span: its last day)
    force_derived = False
    #: (last day, first day, the consent that brings it) of a derived entry into force not yet reached.
    derived_force: tuple[date, date, UUID] | None = None
    consents = 0
    nth_consent_on: date | None = None
    parties: dict[str, _Party] = {}
    timers: list[tuple[date, str]] = []
    milestones: list[tuple[date, str, UUID]] = []
    skipped: list[UUID] = []
    warnings: list[tuple[UUID, str]] = []
    terminated_on: date | None = None  # the day the treaty ended for every party
    treaty_suspended = False  # its operation suspended as a whole
    made: dict[UUID, Reserved] = {}  # reservations by id
    texts: dict[UUID, list[tuple[date, str | None, UUID]]] = {}  # each one's text over time
    objections: list[ObjectionFact] = []
    territory_acts: list[TerritoryAct] = []
    last_territory_act: dict[tuple[str, str], bool] = {}  # (party, territory) -> included

    def schedule(party: str, state: _Party, on: date, start: date, status: str, cause: UUID) -> None:
        state.timer = (on, start, status, cause)
        heapq.heappush(timers, (on, party))

    def fire_until(day: date | None) -> None:
        while timers and (day is None or timers[0][0] <= day):
            on, party = heapq.heappop(timers)
            state = parties[party]
            if state.binding is not None and state.binding[0] == on:
                bind_while_withdrawing(state)
                continue
            if state.timer is None or state.timer[0] != on:
                continue  # cancelled or rescheduled
            _, start, status, cause = state.timer
            state.timer = None
            if status == "withdrawn":
                lapse(party, on, cause)  # its reservations and territorial acts end with its participation
            last = state.changes[-1] if state.changes else None
            if last is not None and last.on == on and last.start == on:
                state.changes.pop()  # the earlier status certainly never held for a whole day
            if status == "party":
                # Bound from now; its operation suspended if the whole treaty's is.
                state.now.status, state.now.bound = (
                    ("suspended", False) if treaty_suspended else ("party", True)
                )
                state.record(on, start, cause, floor=on, effective_on=on, derived=state.consent_derived)
            elif (
                state.again is not None and not bilateral
            ):  # withdrawn, bound again by a consent given meanwhile
                effective, again_start, derived, again_cause = state.again
                state.again = None
                state.now = _Standing("ratified", consented=True)
                state.consent_effective, state.consent_start = effective, again_start
                state.consent_derived = derived
                state.record(on, start, cause, floor=on, effective_on=effective, derived=derived)
                bind_when_in_force(party, state, again_cause)
            else:
                state.now = _Standing("withdrawn")
                state.again = None
                state.suspended = False
                state.consent_effective = state.consent_start = state.withdrawal_effective = None
                state.record(on, start, cause, floor=on)
                if bilateral:  # denouncing a bilateral treaty ends it for the other party too
                    terminate(on, start, cause)

    def lapse(party: str, on: date, cause: UUID) -> None:
        """A party's withdrawal takes effect: its reservations and territorial application end (a party
        that joins again makes them again)."""
        for rid, reserved in made.items():
            if reserved.party == party and texts[rid][-1][1] is not None:
                texts[rid].append((on, None, cause))
        for key, included in list(last_territory_act.items()):
            if key[0] == party:
                if included:
                    territory_acts.append(TerritoryAct(party, key[1], on, False, cause))
                del last_territory_act[key]

    def terminate(on: date, start: date, cause: UUID) -> None:
        """The treaty ends on `on`: every participation that has not ended already ends."""
        nonlocal terminated_on, derived_force
        terminated_on, derived_force = on, None
        milestones.append((on, "terminated", cause))
        for state in parties.values():
            if state.status in (None, "withdrawn"):
                continue
            state.timer = state.binding = state.again = state.before_withdrawal = None
            state.suspended = False
            state.consent_effective = state.consent_start = state.withdrawal_effective = None
            state.now = _Standing("terminated")
            state.record(on, start, cause, floor=on)

    def suspend_all(event: Suspended | SuspensionEnded, day: date) -> None:
        """The whole treaty's operation is suspended, or that suspension ends."""
        nonlocal treaty_suspended
        suspending = isinstance(event, Suspended)
        if suspending and (force_on is None or treaty_suspended):
            detail = "it is already suspended" if treaty_suspended else "it is not in force"
            _broken("suspend-in-force", event, None, entity, detail)
        if not suspending and not treaty_suspended:
            _broken("end-suspension", event, None, entity, "the treaty is not suspended as a whole")
        treaty_suspended = suspending
        milestones.append((day, "suspended" if suspending else "suspension ended", event.id))
        for state in parties.values():
            if suspending and state.status == "party":
                state.now = state.now.moved("suspended", bound=False)
            elif not suspending and state.status == "suspended" and not state.suspended:
                state.now = state.now.moved("party", bound=True)
            elif state.status == "withdrawing" and (
                state.now.bound
                if suspending
                else state.before_withdrawal is not None
                and state.before_withdrawal.status in ("party", "suspended")
                and not state.suspended
            ):  # bound until its withdrawal takes effect: not while the whole treaty is suspended
                state.now = state.now.moved(state.now.status, bound=not suspending)
                state.record(
                    day,
                    event.occurred_on.first,
                    state.timer[3] if state.timer is not None else event.id,  # still its withdrawal's row
                    floor=opened_first,
                    effective_on=state.withdrawal_effective,
                    derived=state.withdrawal_derived,
                )
                continue
            else:
                continue
            state.record(day, event.occurred_on.first, event.id, floor=opened_first, **_kept_effect(state))

    def suspend_party(event: Suspended | SuspensionEnded, party: str, state: _Party) -> None:
        """One party's operation of the treaty is suspended, or that suspension ends."""
        if state.status == "withdrawing":
            _broken("withdrawal-pending", event, state.status, entity, f"{party}'s withdrawal is pending")
        if isinstance(event, Suspended):
            if state.status != "party":
                _broken("suspend-bound", event, state.status, entity, f"{party} is not bound by it")
            state.suspended = True
            state.now = state.now.moved("suspended", bound=False)
        else:
            if not state.suspended:
                _broken("end-suspension", event, state.status, entity, f"{party} has not suspended it")
            state.suspended = False
            if treaty_suspended:
                return  # still suspended with the whole treaty
            state.now = state.now.moved("party", bound=True)
        state.record(
            event.occurred_on.last,
            event.occurred_on.first,
            event.id,
            floor=opened_first,
            **_kept_effect(state),
        )

    def take_act(event: EventBase, party: str, state: _Party) -> None:
        """A reservation, its withdrawal, an objection or a territorial act: no change of status."""
        day = event.occurred_on.last
        participating = state.status in PARTICIPATING
        if isinstance(event, Reserved):
            if not participating:
                _broken(
                    "reserve-participating",
                    event,
                    state.status,
                    entity,
                    f"{party} has not signed or consented",
                )
            if event.made_on == "signature" and not state.now.signed:
                _broken("reserve-participating", event, state.status, entity, "no signature of it stands")
            if event.made_on == "consent" and not state.now.consented:
                _broken("reserve-participating", event, state.status, entity, "it has given no consent")
            made[event.id] = event
            texts[event.id] = [(day, event.text, event.id)]
        elif isinstance(event, ReservationWithdrawn):
            reserved = made.get(event.reservation)
            if (
                reserved is None
                or reserved.party != party
                or texts[reserved.id][-1][1] is None
                or not participating
            ):
                detail = (
                    f"{party} no longer participates"
                    if reserved is not None and reserved.party == party and not participating
                    else f"{party} has no reservation {event.reservation} in force"
                )
                _broken("withdraw-reservation-made", event, state.status, entity, detail)
            texts[reserved.id].append((day, event.text, event.id))
        elif isinstance(event, Objected):
            if not participating:
                _broken(
                    "object-participating",
                    event,
                    state.status,
                    entity,
                    f"{party} has not signed or consented",
                )
            target = parties.get(event.to)
            live = {
                rid
                for rid, reserved in made.items()
                if reserved.party == event.to and texts[rid][-1][1] is not None
            }
            if target is None or target.status not in PARTICIPATING or not live:
                _broken(
                    "object-to-reservation",
                    event,
                    state.status,
                    entity,
                    f"{event.to} has no reservation in force",
                )
            if event.reservation is not None and event.reservation not in live:
                detail = f"{event.reservation} is not a reservation of {event.to} in force"
                _broken("object-to-reservation", event, state.status, entity, detail)
            objections.append(
                ObjectionFact(
                    event.id,
                    party,
                    event.to,
                    event.reservation,
                    event.text,
                    event.precludes_entry_into_force,
                    day,
                )
            )
        elif isinstance(event, TerritoryIncluded | TerritoryExcluded):
            if not participating:
                _broken(
                    "territory-participating",
                    event,
                    state.status,
                    entity,
                    f"{party} has not signed or consented",
                )
            included = isinstance(event, TerritoryIncluded)
            key = (party, event.territory)
            if last_territory_act.get(key) == included:
                done = "included" if included else "excluded"
                _broken("territory-once", event, state.status, entity, f"{event.territory} is already {done}")
            last_territory_act[key] = included
            on = event.effective_on.last if event.effective_on is not None else day
            territory_acts.append(TerritoryAct(party, event.territory, on, included, event.id))

    def binds(state: _Party) -> tuple[date, date] | None:
        """(on, start) of the day the standing consent binds the party, once in force and in effect."""
        if force_on is None or state.consent_effective is None or state.consent_start is None:
            return None
        if state.consent_effective >= force_on.last:
            return state.consent_effective, max(state.consent_start, force_on.first)
        return force_on.last, max(force_on.first, state.consent_start)

    def bind_pending_withdrawal(party: str, state: _Party, cause: UUID) -> None:
        """A consent not yet binding when withdrawal was notified binds until the withdrawal takes effect.

        VCLT articles 24 and 70: the treaty enters into force for a state when its consent
        takes effect, and a withdrawal releases it only from the day it takes effect; a notice
        given in between does not stop the treaty binding it meanwhile (and the issue's law:
        a withdrawing state stays bound and counts as a party until the withdrawal takes effect).
        """
        before = state.before_withdrawal
        if before is None or before.status != "ratified" or state.withdrawal_effective is None:
            return
        found = binds(state)
        if found is not None and found[0] < state.withdrawal_effective:
            state.binding = (*found, cause)
            heapq.heappush(timers, (found[0], party))

    def bind_while_withdrawing(state: _Party) -> None:
        assert state.binding is not None  # noqa: S101 - scheduled so
        assert state.before_withdrawal is not None  # noqa: S101 - it is withdrawing
        on, start, cause = state.binding
        state.binding = None
        last = state.changes[-1] if state.changes else None
        if last is not None and last.on == on and last.start == on:
            state.changes.pop()  # the unbound notice certainly never held for a whole day
        state.now.bound = not treaty_suspended
        state.before_withdrawal = state.before_withdrawal.moved(
            "suspended" if treaty_suspended else "party", bound=not treaty_suspended
        )
        state.record(
            on,
            start,
            cause,
            floor=on,
            effective_on=state.withdrawal_effective,
            derived=state.withdrawal_derived,
        )

    def bind_when_in_force(party: str, state: _Party, cause: UUID) -> None:
        found = binds(state)
        if found is None:
            return
        on, start = found
        last = state.changes[-1] if state.changes else None
        if last is not None and last.status == "ratified":  # the consent's row shows when it binds
            state.changes[-1] = Change(last.on, last.start, last.status, last.event_id, last.flags, on)
        schedule(party, state, on, start, "party", cause)

    def enter_into_force(on: _Span, cause: UUID, derived: bool, shown: PartialDate) -> None:
        nonlocal force_on, force_date, force_derived
        force_on, force_date, force_derived = on, shown, derived
        milestones.append((on.last, "entered into force", cause))
        for name, state in parties.items():
            if state.status == "ratified" and state.timer is None:
                bind_when_in_force(name, state, cause)
            elif state.status == "withdrawing" and state.binding is None:
                assert state.timer is not None  # noqa: S101 - the withdrawal's
                bind_pending_withdrawal(name, state, state.timer[3])

    def enter_derived(due: tuple[date, date, UUID]) -> None:
        """Enter into force as the clauses derive it; shown on the last day it may fall on."""
        last, first, cause = due
        enter_into_force(_Span(first, last), cause, True, PartialDate.of(last))

    def consent_effect(event: Ratified, counted_as: int) -> tuple[date, date, bool]:
        """(effective date, first day it may hold, derived) of a consent."""
        if event.effective_on is not None:
            start = event.effective_on.first
            if event.mode != "succession":
                start = max(start, event.occurred_on.first)  # an effect cannot start before its cause
            return event.effective_on.last, start, False
        day, start = event.occurred_on.last, event.occurred_on.first
        if clauses is None:
            return day, start, False
        required = clauses.consents_required
        if counted_as and required is not None:
            first = counted_as <= required and force_on is None
        else:
            first = nth_consent_on is None and force_on is None
        if first or clauses.later_consents is None:
            return day, start, True  # at entry into force (at once, if already in force)
        effective, start = _after(clauses.later_consents, day), _after(clauses.later_consents, start)
        if force_on is not None:
            effective, start = max(effective, force_on.last), max(start, force_on.first)
        return effective, start, True

    opened_first = date.min
    bilateral = False
    for event in ordered:
        day = event.occurred_on.last
        if derived_force is not None and (
            day > derived_force[0]
            or (day == derived_force[0] and LIFECYCLE_RANK.get(event.type, 5) > _FORCE_RANK)
        ):
            due, derived_force = derived_force, None
            fire_until(due[0] - _ONE_DAY)
            if terminated_on is None:  # a bilateral treaty may have ended before it could enter into force
                enter_derived(due)
        fire_until(day)
        try:
            if isinstance(event, InstrumentOpened):
                if terminated_on is not None:  # the first rule of all: nothing follows the end
                    _broken("after-termination", event, None, entity, f"the treaty ended on {terminated_on}")
                if opened is not None:
                    _broken("open-once", event, None, entity, "the instrument is already open")
                opened, clauses = event, event.final_clauses
                opened_first, bilateral = event.occurred_on.first, event.kind == "bilateral_treaty"
                milestones.append((day, "opened", event.id))
                continue
            if opened is None:
                _broken("before-opening", event, None, entity, "the instrument is not open yet")
            if terminated_on is not None:
                _broken("after-termination", event, None, entity, f"the treaty ended on {terminated_on}")
            if isinstance(event, TREATY_ACTS) and opened.kind not in TREATY_KINDS:
                _broken("treaty-acts-only", event, None, entity, f"{slug} is a {opened.kind}")
            if isinstance(event, Terminated):
                terminate(day, event.occurred_on.first, event.id)
                continue
            if isinstance(event, Suspended | SuspensionEnded) and event.party is None:
                suspend_all(event, day)
                continue
            if isinstance(event, EnteredIntoForce):
                if opened.kind not in TREATY_KINDS:
                    _broken("force-treaties-only", event, None, entity, "it is a declaration")
                if force_on is not None:
                    _broken("force-once", event, None, entity, "it is already in force")
                enter_into_force(_Span(event.occurred_on.first, day), event.id, False, event.occurred_on)
                fire_until(day)
                continue
            party: str = getattr(event, "party")  # noqa: B009 - every other instrument event has one
            state = parties.setdefault(party, _Party())
            kinds, kind_rule = APPLIES_TO.get(event.type, (TREATY_KINDS, ""))
            if opened.kind not in kinds:  # what the kind allows first, then who may act
                _broken(kind_rule, event, state.status, entity, f"{slug} is a {opened.kind}")
            if bilateral and opened.between is not None and party not in opened.between:
                _broken("bilateral-parties-only", event, None, entity, f"{party} is not a party to it")
            if isinstance(event, Suspended | SuspensionEnded):
                suspend_party(event, party, state)
                fire_until(day)
                continue
            if isinstance(event, TREATY_ACTS):
                take_act(event, party, state)
                continue
            after = PARTICIPATION_TRANSITIONS[event.type].get(state.status)
            if after is None:
                rule = PARTICIPATION_RULE_BROKEN[event.type]
                if state.status == "withdrawing" and event.type != "Withdrew":
                    rule = "withdrawal-pending"
                _broken(rule, event, state.status, entity, f"{party} cannot do this now")
            floor = opened.occurred_on.first
            if isinstance(event, Signed):
                closes = _signature_closes(clauses, force_on)
                if closes is not None and event.mode != "succession" and event.occurred_on.first >= closes:
                    _broken("signature-closed", event, state.status, entity, f"signature closed on {closes}")
                state.timer = None
                state.now = _Standing("signed", signed=True)
                state.record(day, event.occurred_on.first, event.id, floor=floor)
            elif isinstance(event, Endorsed):
                state.timer = None
                state.now = _Standing("endorsed", signed=state.now.signed, endorsed=True)
                state.record(day, event.occurred_on.first, event.id, floor=floor)
            elif isinstance(event, Ratified):
                counted = event.mode in COUNTED_CONSENTS
                counted_as = consents + 1 if counted else 0
                effective, start, derived = consent_effect(event, counted_as)
                if after == "withdrawing":
                    assert state.withdrawal_effective is not None  # noqa: S101 - set by the withdrawal
                    if effective < state.withdrawal_effective:
                        _broken(
                            "withdrawal-pending",
                            event,
                            state.status,
                            entity,
                            f"it would take effect on {effective}, before the withdrawal does "
                            f"({state.withdrawal_effective})",
                        )
                    state.again = (effective, start, derived, event.id)
                    on_record = False
                else:
                    on_record = True
                if counted:  # only a consent the rules accept counts towards entry into force
                    consents = counted_as
                if event.mode in AFTER_SIGNATURE and not state.now.signed and state.status != "withdrawing":
                    warnings.append((event.id, f"{party}: {event.mode} with no signature recorded"))
                if on_record:
                    state.timer = None
                    state.now = _Standing("ratified", signed=state.now.signed, consented=True)
                    state.consent_effective, state.consent_start, state.consent_derived = (
                        effective,
                        start,
                        derived,
                    )
                    on = min(day, effective) if event.mode == "succession" else day
                    state.record(
                        on,
                        min(start, event.occurred_on.first),
                        event.id,
                        floor=floor,
                        # Not known yet when it waits for an entry into force still to come.
                        effective_on=effective if force_on is not None or effective != day else None,
                        derived=derived,
                    )
                    bind_when_in_force(party, state, event.id)
                if (
                    counted_as
                    and clauses is not None
                    and clauses.consents_required == counted_as
                    and clauses.entry_into_force is not None
                ):
                    nth_consent_on = day
                    # A consent dated to a month or a year leaves the day uncertain: from the
                    # delay after the period's first day to the delay after its last.
                    derived_on = _after(clauses.entry_into_force, day)
                    earliest = _after(clauses.entry_into_force, event.occurred_on.first)
                    if explicit_force is None:
                        derived_force = (derived_on, earliest, event.id)
                    elif (
                        explicit_force.occurred_on.first <= derived_on
                        and earliest <= explicit_force.occurred_on.last
                    ):
                        pass
                    else:
                        given = derived_on if earliest == derived_on else f"{earliest} to {derived_on}"
                        warnings.append(
                            (
                                explicit_force.id,
                                f"entered into force on {explicit_force.occurred_on}, but the final clauses "
                                f"give {given} ({clauses.entry_into_force} after the "
                                f"{counted_as}th consent, {event.occurred_on})",
                            )
                        )
            elif isinstance(event, Withdrew):
                if event.effective_on is not None:
                    effective, derived = event.effective_on.last, False
                    leaving = max(event.effective_on.first, event.occurred_on.first)
                elif clauses is not None and clauses.withdrawal is not None:
                    effective, derived = _after(clauses.withdrawal, day), True
                    leaving = _after(clauses.withdrawal, event.occurred_on.first)
                else:
                    effective, derived, leaving = day, False, event.occurred_on.first
                state.before_withdrawal = state.now.moved(state.now.status)
                state.now = state.now.moved("withdrawing")
                state.withdrawal_effective, state.withdrawal_derived = effective, derived
                state.record(
                    day,
                    event.occurred_on.first,
                    event.id,
                    floor=floor,
                    effective_on=effective,
                    derived=derived,
                )
                schedule(party, state, effective, leaving, "withdrawn", event.id)
                bind_pending_withdrawal(party, state, event.id)
            elif isinstance(event, WithdrawalRevoked):
                assert state.before_withdrawal is not None  # noqa: S101 - status is withdrawing
                state.timer = state.binding = None
                state.again = None
                state.now, state.before_withdrawal = state.before_withdrawal, None
                state.withdrawal_effective = None
                if state.status == "suspended" and not (state.suspended or treaty_suspended):
                    state.now = state.now.moved("party", bound=True)  # its suspension ended meanwhile
                elif state.status == "party" and treaty_suspended:
                    state.now = state.now.moved("suspended", bound=False)
                # Back to what it was, with the date of effect of the consent it keeps.
                kept, kept_derived = None, False
                if state.now.consented and state.consent_effective is not None:
                    kept, kept_derived = state.consent_effective, state.consent_derived
                    if force_on is not None:
                        kept = max(kept, force_on.last)
                state.record(
                    day,
                    event.occurred_on.first,
                    event.id,
                    floor=floor,
                    effective_on=kept,
                    derived=kept_derived,
                )
                if state.status == "ratified":
                    bind_when_in_force(party, state, event.id)
            fire_until(day)
        except InvalidTransitionError:
            if strict:
                raise
            skipped.append(event.id)
    if derived_force is not None:
        due = derived_force
        fire_until(due[0] - _ONE_DAY)
        if terminated_on is None:
            enter_derived(due)
    fire_until(None)
    if opened is None:
        return InstrumentHistory(slug, slug, "declaration", PartialDate(1), None, {}, (), ())
    return InstrumentHistory(
        slug=slug,
        title=opened.title,
        kind=opened.kind,
        opened_on=opened.occurred_on,
        entered_into_force=force_date,
        parties={name: tuple(state.changes) for name, state in parties.items() if state.changes},
        milestones=tuple(sorted(milestones, key=lambda m: m[0])),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        force_derived=force_derived,
        reservations=tuple(
            ReservationFact(
                reserved.id,
                reserved.party,
                reserved.kind,
                reserved.articles,
                reserved.made_on,
                reserved.occurred_on.last,
                tuple(texts[reserved.id]),
            )
            for reserved in made.values()
        ),
        objections=tuple(objections),
        territories=tuple(territory_acts),
        between=opened.between or (),
    )


class Designation(NamedTuple):
    """A designation of a case: what kind, by whom, with which reference and categories, since when."""

    designation: str
    by: str
    reference: str | None
    categories: tuple[str, ...]
    on: date


_ONE_DAY = timedelta(days=1)


class _Span(NamedTuple):
    """The days a date may fall on: exactly one, or a partial date's period, or a delay after one."""

    first: date
    last: date


def _after(delay: Delay, day: date) -> date:
    """The date a final clause's delay after `day` gives, never before `day` (no effect precedes its
    cause: "day 1 of the 0th month after" the 2nd would be the 1st)."""
    return max(delay.after(day), day)


def _signature_closes(clauses: FinalClauses | None, force_on: _Span | None) -> date | None:
    """The first day a treaty can no longer be signed, if its final clauses close signature."""
    if clauses is None or clauses.signature_closes is None:
        return None
    if clauses.signature_closes == "at_entry_into_force":
        return force_on.first if force_on is not None else None
    return clauses.signature_closes.first


class CaseState(NamedTuple):
    """A detention case as it stands from `on` until its next change."""

    on: date
    start: date
    status: str
    since: date  # when the current status began (a link or more charges do not move it)
    event_id: UUID
    person: str
    nationalities: tuple[str, ...]
    detained_by: str | None  # the captor (a party or actor:SLUG); None if never detained
    requested_by: str | None
    location: str | None
    charges: tuple[str, ...]
    sentence: str | None
    term_days: int | None
    links: tuple[tuple[str, str], ...]
    detained_days: int  # days in custody before `on`
    restricted_days: int = 0  # days under a restriction (out of custody) before `on`
    deprived_days: int = 0  # days in custody or under house arrest before `on`
    charging_state: str | None = None
    basis: str | None = None  # the legal basis of custody, when a change of it was recorded
    restrictions: tuple[tuple[str, str | None], ...] = ()  # (restriction, conditions), most severe first
    designations: tuple[Designation, ...] = ()
    died_in_custody: bool | None = None
    cause_of_death: str | None = None

    def _counted(self, as_of: date) -> tuple[int, int, int]:
        """The days detained, restricted and deprived up to `as_of`: the counts before `on`, and the
        days since in the status's kinds (the three counters a fold carries forward at once)."""
        if as_of <= self.on:
            return self.detained_days, self.restricted_days, self.deprived_days
        elapsed, status = (as_of - self.on).days, self.status
        return (
            self.detained_days + elapsed * (status in IN_CUSTODY),
            self.restricted_days + elapsed * (status in RESTRICTED),
            self.deprived_days + elapsed * (status in DEPRIVED),
        )

    def days_detained(self, as_of: date) -> int:
        """Days in custody up to `as_of` (custody periods only; restrictions excluded)."""
        return self._counted(as_of)[0]

    def days_restricted(self, as_of: date) -> int:
        """Days out of custody under any restriction (bail, house arrest, furlough, bans) up to `as_of`."""
        return self._counted(as_of)[1]

    def days_deprived(self, as_of: date) -> int:
        """Days in custody or under house arrest up to `as_of` (deprivation of liberty)."""
        return self._counted(as_of)[2]


_FIELD_AT = {name: at for at, name in enumerate(CaseState._fields)}
_ON, _START = _FIELD_AT["on"], _FIELD_AT["start"]
_DETAINED_DAYS, _RESTRICTED_DAYS, _DEPRIVED_DAYS = (
    _FIELD_AT["detained_days"],
    _FIELD_AT["restricted_days"],
    _FIELD_AT["deprived_days"],
)
_new_tuple = tuple.__new__


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """A detention case's facts folded into change points."""

    slug: str
    states: tuple[CaseState, ...]
    skipped: tuple[UUID, ...] = ()


def opens_case(event: EventBase) -> bool:
    """Whether a fact can open a case: a detention, or a charge naming the person."""
    return isinstance(event, Detained) or (isinstance(event, Charged) and event.names_person)


def case_key(event: EventBase) -> str:
    """The key of a case fact in `CASE_TRANSITIONS`: its type, with its variant where it has one."""
    if isinstance(event, Released):
        return "Released:bail" if event.mechanism == "bail" else "Released"
    if isinstance(event, Restricted | RestrictionLifted):
        return f"{event.type}:{event.restriction}"
    if isinstance(event, Died):
        return "Died:in_custody" if event.in_custody else "Died"
    return event.type


def _restriction_of(event: EventBase) -> str | None:
    if isinstance(event, Restricted | RestrictionLifted):
        return event.restriction
    return "bail" if isinstance(event, Released) and event.mechanism == "bail" else None


class _Progress(NamedTuple):
    """What a case's fold tracks beside its states."""

    stage: str  # the custody status when (back) in custody: how far proceedings went
    free: str  # the status when out of custody and under no restriction


def _progress(progress: _Progress, event: EventBase, status: str | None) -> _Progress:
    """The progress after a (legal) fact met at `status`."""
    stage, free = progress
    at_large = status is None or status in _FREE
    if isinstance(event, Detained):
        free = "released"
        if status == "released":
            stage = "detained"  # a new arrest of a released person starts proceedings afresh
    elif isinstance(event, Charged):
        stage = "sentenced" if stage == "sentenced" else "charged"
        if at_large and free != "sentenced_in_absentia":
            free = "charged_at_large"
    elif isinstance(event, Sentenced):
        stage = "sentenced"
        if at_large:
            free = "sentenced_in_absentia"
    elif isinstance(event, Released) and event.mechanism != "bail":
        stage, free = "detained", "released"
    return _Progress(stage, free)


def _keeps_restrictions(event: EventBase, kind: str | None) -> bool:
    """Whether a (legal) fact leaves the restrictions in force as they are (`_restrictions` would
    give them back unchanged): most facts, charges and sentences among them."""
    return (
        kind is None
        and not isinstance(event, Detained | RestrictionLifted | Released)
        and event.type not in ("Escaped", "Disappeared", "Died")
    )


def _restrictions(
    held: dict[str, str | None], event: EventBase, kind: str | None
) -> tuple[tuple[str, str | None], ...]:
    """The restrictions in force after a (legal) fact, most severe first."""
    if isinstance(event, Detained):
        held = {r: c for r, c in held.items() if r not in INSTEAD_OF_CUSTODY}
    elif isinstance(event, RestrictionLifted):
        held = {r: c for r, c in held.items() if r != kind}
    elif kind is not None:  # Restricted, or Released on bail
        held = {**held, kind: event.conditions if isinstance(event, Restricted) else None}
    elif isinstance(event, Released) or event.type in ("Escaped", "Disappeared", "Died"):
        held = {}
    return _shared(tuple((r, held[r]) for r in SEVERITY if r in held))


def _check_case_fact(event: EventBase, current: CaseState | None, entity: str, kind: str | None) -> None:
    """The rules a case fact breaks beyond its transition table (raise on the first)."""
    status = current.status if current else None
    if current is None and not opens_case(event):
        _broken("before-detention", event, None, entity, "the case is not opened yet")
    if status == "died":
        _broken("after-death", event, status, entity, "the person has died")
    held = dict(current.restrictions) if current and isinstance(event, Restricted | RestrictionLifted) else {}
    if isinstance(event, Restricted) and kind not in INSTEAD_OF_CUSTODY and kind in held:
        _broken("restricted-already", event, status, entity, f"a {kind} is already in force")
    if isinstance(event, RestrictionLifted) and kind not in INSTEAD_OF_CUSTODY and kind not in held:
        _broken("lift-in-force", event, status, entity, f"no {kind} is in force")
    if isinstance(event, Designated) and current is not None:
        made = (event.designation, event.by, event.reference)
        if any((d.designation, d.by, d.reference) == made for d in current.designations):
            _broken("designate-once", event, status, entity, "the same designation is already made")


def _moved(state: CaseState, event: EventBase, **changes: Any) -> CaseState:
    """The state carried forward to a later fact: its dates, with the days counted until then,
    and the `changes` the fact makes (one new state, not two).

    (What `state._replace` computes, without its calls: a large ledger's fold makes one state a
    fact.)
    """
    occurred = event.occurred_on
    day = occurred.last
    values: list[Any] = list(state)
    values[_ON] = day
    values[_START] = max(occurred.first, state.start)
    values[_DETAINED_DAYS], values[_RESTRICTED_DAYS], values[_DEPRIVED_DAYS] = state._counted(day)
    for name, value in changes.items():
        values[_FIELD_AT[name]] = value
    return _new_tuple(CaseState, values)


_Texts = TypeVar("_Texts", str, str | None, tuple[str, ...], tuple[tuple[str, str | None], ...])

#: Texts and tuples of texts many change points hold alike (places, charges, sentences,
#: nationalities, restrictions), each kept once: a bounded table, not `sys.intern`, for these are
#: free texts (some Pythons never free an interned string).
_SHARED: dict[object, Any] = {}
_SHARED_LIMIT = 100_000


def _shared(value: _Texts) -> _Texts:
    """One object for equal texts, or equal tuples of texts: a large ledger holds millions of
    change points, and their places, charges and nationalities repeat."""
    if value is None:
        return value
    if len(_SHARED) >= _SHARED_LIMIT:
        _SHARED.clear()
    kept: _Texts = _SHARED.setdefault(value, value)
    return kept


def _charges(charges: Iterable[str]) -> tuple[str, ...]:
    """Each charge once, in the order first laid (a fact may repeat one, too)."""
    return _shared(tuple(dict.fromkeys(map(_shared, charges))))


def _opened(
    event: Detained | Charged, status: str, restrictions: tuple[tuple[str, str | None], ...]
) -> CaseState:
    day = event.occurred_on.last
    if isinstance(event, Detained):
        held_by, requested_by, location = event.captor, event.requested_by, _shared(event.location)
        charges: tuple[str, ...] = ()
        charging_state = None
    else:
        held_by, requested_by, location = None, None, None
        charges, charging_state = _charges(event.charges), event.charging_state
    return CaseState(
        on=day,
        start=event.occurred_on.first,
        status=status,
        since=day,
        event_id=event.id,
        person=event.person or "",
        nationalities=_shared(event.nationalities or ()),
        detained_by=held_by,
        requested_by=requested_by,
        location=location,
        charges=charges,
        sentence=None,
        term_days=None,
        links=(),
        detained_days=0,
        charging_state=charging_state,
        restrictions=restrictions,
    )


def _case_changes(event: EventBase, current: CaseState, after: str) -> dict[str, object]:
    """The fields a (legal) fact changes in the case, besides status and times."""
    changes: dict[str, object] = {}
    if isinstance(event, Detained):
        changes.update(
            person=event.person,
            nationalities=_shared(event.nationalities),
            detained_by=event.captor,
            requested_by=event.requested_by,
            location=_shared(event.location),
        )
    elif isinstance(event, Charged):
        changes["charges"] = _charges(current.charges + event.charges)
        if event.charging_state is not None:
            changes["charging_state"] = event.charging_state
        if event.person is not None and event.nationalities is not None:
            changes.update(person=event.person, nationalities=_shared(event.nationalities))
    elif isinstance(event, Sentenced):
        changes.update(sentence=_shared(event.sentence), term_days=event.term_days)
    elif isinstance(event, CustodyChanged):
        changes["basis"] = _shared(event.basis)
        if event.location is not None:
            changes["location"] = _shared(event.location)
    elif isinstance(event, Designated):
        designation = Designation(
            event.designation, event.by, event.reference, event.categories or (), event.occurred_on.last
        )
        changes["designations"] = (*current.designations, designation)
    elif isinstance(event, Died):
        changes.update(died_in_custody=event.in_custody, cause_of_death=event.cause)
    if after not in IN_CUSTODY or isinstance(event, Detained):
        changes["basis"] = None  # a new custody period, or none: the recorded basis no longer holds
    return changes


def fold_case(slug: str, events: Iterable[EventBase], *, strict: bool = True) -> CaseHistory:
    """Fold one detention case's (already amended) facts, in any order, into its history."""
    entity = f"case:{slug}"
    states: list[CaseState] = []
    skipped: list[UUID] = []
    progress = _Progress("detained", "released")
    ordered = sorted(events, key=valid_time_key)
    if strict and ordered and not any(opens_case(event) for event in ordered):
        _unknown("case", "Detained or Charged naming the person", slug, ordered)
    for event in ordered:
        day = event.occurred_on.last
        current = states[-1] if states else None
        status = current.status if current else None
        kind = _restriction_of(event)
        try:
            _check_case_fact(event, current, entity, kind)
            if isinstance(event, CasesLinked):
                assert current is not None  # noqa: S101 - narrowed by the check above
                link = (sys.intern(event.other_case), _shared(event.relation))  # a slug; a free text
                links = current.links if link in current.links else (*current.links, link)
                states.append(_moved(current, event, links=links))
                continue
            key = case_key(event)
            after = CASE_TRANSITIONS[key].get(status)
            if after is None:
                _broken(CASE_RULE_BROKEN[key], event, status, entity, f"{slug} cannot move so")
        except InvalidTransitionError:
            if strict:
                raise
            skipped.append(event.id)
            continue
        progress = _progress(progress, event, status)
        if current is not None and _keeps_restrictions(event, kind):
            restrictions = current.restrictions
        else:
            restrictions = _restrictions(dict(current.restrictions) if current else {}, event, kind)
        if after == CUSTODY:
            after = progress.stage
        elif after == LIFTED:
            after = RESTRICTION_STATUS[restrictions[0][0]] if restrictions else progress.free
        if current is None:
            assert isinstance(event, Detained | Charged)  # noqa: S101 - only they open a case
            states.append(_opened(event, after, restrictions))
            continue
        states.append(
            _moved(
                current,
                event,
                status=after,
                since=current.since if after == status else day,
                event_id=event.id if after != status else current.event_id,
                restrictions=restrictions,
                **_case_changes(event, current, after),
            )
        )
    return CaseHistory(slug, tuple(states), tuple(skipped))


def fold_actor(slug: str, events: Iterable[EventBase], *, strict: bool = True) -> ActorRegistered | None:
    """The registration of one actor, from its (already amended) facts; strict: registered once."""
    ordered = sorted(events, key=valid_time_key)
    registrations = [event for event in ordered if isinstance(event, ActorRegistered)]
    if strict and len(registrations) > 1:
        _broken("register-once", registrations[1], None, f"actor:{slug}", "the actor is already registered")
    return registrations[0] if registrations else None


def _amendment_error(rule: str, amendment: EventBase, detail: str) -> InvalidTransitionError:
    return InvalidTransitionError(
        f"{amendment.type} {amendment.id}: {detail}. Rule {rule!r}: {RULES[rule]}",
        rule=rule,
        event_id=str(amendment.id),
        event_type=amendment.type,
    )


def apply_amendments(
    facts: Sequence[EventBase],
    amendments: Sequence[Corrected | Retracted],
    *,
    strict: bool = True,
) -> list[EventBase]:
    """The facts as believed once the amendments (taken in record order) are applied."""
    if not amendments:
        return list(facts)
    by_id: dict[UUID, EventBase | None] = {fact.id: fact for fact in facts}
    for amendment in sorted(amendments, key=lambda a: (a.recorded_at or _NEVER_RECORDED, a.id)):
        if amendment.target not in by_id:
            if strict:
                raise _amendment_error("unknown-target", amendment, f"no event {amendment.target}")
            continue
        target = by_id[amendment.target]
        if target is None:
            if strict:
                raise _amendment_error("amend-retracted", amendment, "its target is retracted")
            continue
        if isinstance(amendment, Retracted):
            by_id[amendment.target] = None
            continue
        try:
            by_id[amendment.target] = correct_event(target, amendment)
        except (InvalidEventError, InvalidTransitionError):
            if strict:
                raise
    return [fact for fact in by_id.values() if fact is not None]


def correct_event(target: EventBase, correction: Corrected) -> EventBase:
    """The target event with the correction's changes applied, validated again."""
    data = {**target.model_dump(mode="json"), **correction.changes}
    try:
        amended: Event = type(target).model_validate(data)  # type: ignore[assignment]
    except ValidationError as exc:
        error = InvalidEventError(
            f"Corrected {correction.id} makes {target.type} {target.id} invalid: "
            f"{describe_validation_error(exc)}"
        )
        error.event_id = str(correction.id)
        raise error from None
    if amended.entity() != target.entity():
        raise _amendment_error(
            "amend-entity", correction, f"it would move {target.entity()} to {amended.entity()}"
        )
    return amended
