"""The law-shaped state machines: transition tables, and folds of an entity's facts.

One definition serves both sides. The write side folds strictly and raises
`InvalidTransitionError` on the first fact that leaves a legal path; the read side
folds leniently (an illegal fact is skipped) to answer questions about beliefs
that were held at a past record time.

Facts are folded in valid-time order. The same-day tie rule: facts dated the same
day (for partial dates: the same last day of their period) are taken in lifecycle
order (`LIFECYCLE_RANK`: opening before signing before ratifying before entry into
force before withdrawing; detention before charge before sentence before release),
then by record time, then by id. So a treaty opened, signed and ratified on one day
is legal in any recording order; a re-detention on the day of a release is not
expressible (record it the next day).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal, NamedTuple, NoReturn, get_args
from uuid import UUID

from pydantic import ValidationError

from .dates import PartialDate
from .errors import InvalidEventError, InvalidTransitionError
from .events import (
    CasesLinked,
    Charged,
    Corrected,
    Detained,
    EnteredIntoForce,
    Event,
    EventBase,
    InstrumentOpened,
    Ratified,
    Released,
    Retracted,
    Sentenced,
    Withdrew,
    describe_validation_error,
)

__all__ = [
    "CASE_STATUSES",
    "CASE_TRANSITIONS",
    "IN_CUSTODY",
    "PARTICIPATION_STATUSES",
    "PARTICIPATION_TRANSITIONS",
    "RULES",
    "CaseHistory",
    "CaseState",
    "Change",
    "InstrumentHistory",
    "apply_amendments",
    "fold_case",
    "fold_instrument",
    "valid_time_key",
]

ParticipationStatus = Literal["signed", "endorsed", "ratified", "party", "withdrawing", "withdrawn"]
CaseStatus = Literal["detained", "charged", "sentenced", "on_bail", "released"]
#: Statuses in lifecycle order (the categories of `status` columns, the order of legends).
PARTICIPATION_STATUSES: tuple[str, ...] = get_args(ParticipationStatus)
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)

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
    "withdrawal-pending": "a party whose withdrawal is pending cannot act until it takes effect",
    "withdraw-participating": "only a participating party can withdraw",
    "unknown-case": "a fact about a case needs the case to be opened by a detention (Detained)",
    "before-detention": "nothing happens in a case before the person is detained",
    "detain-free": "a person already in custody cannot be detained again",
    "charge-in-custody": "only a person in custody or on bail can be charged",
    "sentence-in-custody": "only a person in custody or on bail can be sentenced",
    "release-in-custody": "only a person in custody or on bail can be released",
    "bail-from-custody": "only a person in custody can be released on bail",
    "unknown-target": "a correction or retraction must point at an event the ledger knows",
    "amend-amendment": "corrections and retractions amend facts, not other amendments",
    "amend-retracted": "a retracted event cannot be corrected or retracted again",
    "amend-before-target": "an amendment cannot be recorded before the event it amends",
    "amend-entity": "a correction cannot move a fact to another instrument or case",
    "unknown-reference": "a statement or link must name an instrument or case the ledger knows",
    "duplicate-id": "an event id names one fact only",
}

#: Participation: event -> {status met: status after}. Absent pairs are illegal.
PARTICIPATION_TRANSITIONS: Mapping[str, Mapping[str | None, ParticipationStatus]] = {
    "Signed": {None: "signed", "withdrawn": "signed"},
    "Endorsed": {None: "endorsed", "signed": "endorsed", "withdrawn": "endorsed"},
    "Ratified": {None: "ratified", "signed": "ratified", "withdrawn": "ratified"},
    "Withdrew": {
        "signed": "withdrawing",
        "endorsed": "withdrawing",
        "ratified": "withdrawing",
        "party": "withdrawing",
    },
}

#: Which kinds of instrument each participation event applies to, and the rule otherwise.
APPLIES_TO: Mapping[str, tuple[frozenset[str], str]] = {
    "Signed": (frozenset({"declaration", "treaty"}), ""),
    "Endorsed": (frozenset({"declaration"}), "endorse-declarations-only"),
    "Ratified": (frozenset({"treaty"}), "ratify-treaties-only"),
    "Withdrew": (frozenset({"declaration", "treaty"}), ""),
}

CUSTODY = "custody"  # back in custody, at the stage the proceedings had reached
#: The statuses of a person held in custody (days in them count as `days_detained`).
IN_CUSTODY: frozenset[str] = frozenset({"detained", "charged", "sentenced"})

#: Detention case: event -> {status met: status after}. Absent pairs are illegal.
CASE_TRANSITIONS: Mapping[str, Mapping[str | None, str]] = {
    "Detained": {None: "detained", "released": "detained", "on_bail": CUSTODY},
    "Charged": {
        "detained": "charged",
        "charged": "charged",
        "sentenced": "sentenced",
        "on_bail": "on_bail",
    },
    "Sentenced": {
        "detained": "sentenced",
        "charged": "sentenced",
        "sentenced": "sentenced",
        "on_bail": "on_bail",
    },
    "Released:bail": {"detained": "on_bail", "charged": "on_bail", "sentenced": "on_bail"},
    "Released": {
        "detained": "released",
        "charged": "released",
        "sentenced": "released",
        "on_bail": "released",
    },
}

CASE_RULE_BROKEN: Mapping[str, str] = {
    "Detained": "detain-free",
    "Charged": "charge-in-custody",
    "Sentenced": "sentence-in-custody",
    "Released:bail": "bail-from-custody",
    "Released": "release-in-custody",
}

LIFECYCLE_RANK: Mapping[str, int] = {
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


@dataclass(frozen=True, slots=True)
class Change:
    """A status that holds from `on` (inclusive) until the next change, and what caused it."""

    on: date
    start: date  # first day of the causing fact's period; before `on` when the date is partial
    status: str | None
    event_id: UUID


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


@dataclass
class _Party:
    status: str | None = None
    consent_effective: date | None = None
    consent_start: date | None = None
    timer: tuple[date, date, str, UUID] | None = None
    changes: list[Change] = field(default_factory=list)

    def record(self, on: date, start: date, status: str, cause: UUID, *, floor: date) -> None:
        """Add a change; its period cannot start before the change it follows (or `floor`)."""
        start = max(start, self.changes[-1].start if self.changes else floor)
        self.changes.append(Change(on, start, status, cause))


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


def fold_instrument(slug: str, events: Iterable[EventBase], *, strict: bool = True) -> InstrumentHistory:
    """Fold one instrument's (already amended) facts, in any order, into its history."""
    entity = f"instrument:{slug}"
    ordered = sorted(events, key=valid_time_key)
    if strict and ordered and not any(isinstance(event, InstrumentOpened) for event in ordered):
        _unknown("instrument", "InstrumentOpened", slug, ordered)
    opened: InstrumentOpened | None = None
    force: EnteredIntoForce | None = None
    parties: dict[str, _Party] = {}
    timers: list[tuple[date, str]] = []
    milestones: list[tuple[date, str, UUID]] = []
    skipped: list[UUID] = []

    def schedule(party: str, state: _Party, on: date, start: date, status: str, cause: UUID) -> None:
        state.timer = (on, start, status, cause)
        heapq.heappush(timers, (on, party))

    def fire_until(day: date | None) -> None:
        while timers and (day is None or timers[0][0] <= day):
            on, party = heapq.heappop(timers)
            state = parties[party]
            if state.timer is None or state.timer[0] != on:
                continue  # cancelled or rescheduled
            _, start, status, cause = state.timer
            state.timer = None
            state.status = status
            last = state.changes[-1] if state.changes else None
            if last is not None and last.on == on and last.start == on:
                state.changes.pop()  # the earlier status certainly never held for a whole day
            state.record(on, start, status, cause, floor=on)

    def bind_when_in_force(party: str, state: _Party, cause: UUID) -> None:
        if force is None or state.consent_effective is None or state.consent_start is None:
            return
        if state.consent_effective >= force.occurred_on.last:
            on, start = state.consent_effective, max(state.consent_start, force.occurred_on.first)
        else:
            on, start = force.occurred_on.last, max(force.occurred_on.first, state.consent_start)
        schedule(party, state, on, start, "party", cause)

    for event in ordered:
        day = event.occurred_on.last
        fire_until(day)
        try:
            if isinstance(event, InstrumentOpened):
                if opened is not None:
                    _broken("open-once", event, None, entity, "the instrument is already open")
                opened = event
                milestones.append((day, "opened", event.id))
                continue
            if opened is None:
                _broken("before-opening", event, None, entity, "the instrument is not open yet")
            if isinstance(event, EnteredIntoForce):
                if opened.kind != "treaty":
                    _broken("force-treaties-only", event, None, entity, "it is a declaration")
                if force is not None:
                    _broken("force-once", event, None, entity, "it is already in force")
                force = event
                milestones.append((day, "entered into force", event.id))
                for name, state in parties.items():
                    if state.status == "ratified" and state.timer is None:
                        bind_when_in_force(name, state, event.id)
                fire_until(day)
                continue
            party: str = getattr(event, "party")  # noqa: B009 - every other instrument event has one
            state = parties.setdefault(party, _Party())
            kinds, kind_rule = APPLIES_TO[event.type]
            if opened.kind not in kinds:
                _broken(kind_rule, event, state.status, entity, f"{slug} is a {opened.kind}")
            after = PARTICIPATION_TRANSITIONS[event.type].get(state.status)
            if after is None:
                if state.status == "withdrawing":
                    rule = "withdrawal-pending"
                elif event.type == "Withdrew":
                    rule = "withdraw-participating"
                else:
                    rule = "already-participating"
                _broken(rule, event, state.status, entity, f"{party} cannot do this now")
            state.timer = None
            state.status = after
            state.record(day, event.occurred_on.first, after, event.id, floor=opened.occurred_on.first)
            if isinstance(event, Ratified):
                effective = event.effective_on or event.occurred_on
                # An effect cannot start before its cause, whatever its (partial) effective date.
                state.consent_effective = effective.last
                state.consent_start = max(effective.first, event.occurred_on.first)
                bind_when_in_force(party, state, event.id)
            elif isinstance(event, Withdrew):
                effective = event.effective_on or event.occurred_on
                state.consent_effective = state.consent_start = None
                leaving = max(effective.first, event.occurred_on.first)
                schedule(party, state, effective.last, leaving, "withdrawn", event.id)
            fire_until(day)
        except InvalidTransitionError:
            if strict:
                raise
            skipped.append(event.id)
    fire_until(None)
    if opened is None:
        return InstrumentHistory(slug, slug, "declaration", PartialDate(1), None, {}, (), ())
    return InstrumentHistory(
        slug=slug,
        title=opened.title,
        kind=opened.kind,
        opened_on=opened.occurred_on,
        entered_into_force=force.occurred_on if force else None,
        parties={name: tuple(state.changes) for name, state in parties.items() if state.changes},
        milestones=tuple(milestones),
        skipped=tuple(skipped),
    )


class CaseState(NamedTuple):
    """A detention case as it stands from `on` until its next change."""

    on: date
    start: date
    status: str
    since: date  # when the current status began (a link or more charges do not move it)
    event_id: UUID
    person: str
    nationalities: tuple[str, ...]
    detaining_state: str
    requested_by: str | None
    location: str | None
    charges: tuple[str, ...]
    sentence: str | None
    term_days: int | None
    links: tuple[tuple[str, str], ...]
    custody_days: int  # days in custody before `custody_since`
    custody_since: date | None  # start of the current custody period, if in custody

    def days_detained(self, as_of: date) -> int:
        """Days in custody up to `as_of` (custody periods only; bail excluded)."""
        if self.custody_since is None or as_of <= self.custody_since:
            return self.custody_days
        return self.custody_days + (as_of - self.custody_since).days


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """A detention case's facts folded into change points."""

    slug: str
    states: tuple[CaseState, ...]
    skipped: tuple[UUID, ...] = ()


def _custody_status(stage: str) -> str:
    return stage if stage in ("charged", "sentenced") else "detained"


def fold_case(slug: str, events: Iterable[EventBase], *, strict: bool = True) -> CaseHistory:
    """Fold one detention case's (already amended) facts, in any order, into its history."""
    entity = f"case:{slug}"
    states: list[CaseState] = []
    skipped: list[UUID] = []
    stage = "detained"
    ordered = sorted(events, key=valid_time_key)
    if strict and ordered and not any(isinstance(event, Detained) for event in ordered):
        _unknown("case", "Detained", slug, ordered)
    for event in ordered:
        day = event.occurred_on.last
        current = states[-1] if states else None
        status = current.status if current else None
        try:
            if current is None and not isinstance(event, Detained):
                _broken("before-detention", event, None, entity, "no one is detained yet")
            if isinstance(event, CasesLinked):
                assert current is not None  # noqa: S101 - narrowed by the check above
                link = (event.other_case, event.relation)
                links = current.links if link in current.links else (*current.links, link)
                start = max(event.occurred_on.first, current.start)
                states.append(current._replace(on=day, start=start, links=links))
                continue
            key = event.type
            if isinstance(event, Released) and event.mechanism == "bail":
                key = "Released:bail"
            after = CASE_TRANSITIONS[key].get(status)
            if after is None:
                _broken(CASE_RULE_BROKEN[key], event, status, entity, f"{slug} cannot move so")
            if isinstance(event, Detained):
                if status == "released":
                    stage = "detained"
                after = _custody_status(stage) if after == CUSTODY else after
                base = current
                states.append(
                    CaseState(
                        on=day,
                        start=max(event.occurred_on.first, base.start) if base else event.occurred_on.first,
                        status=after,
                        since=day if after != status else base.since if base else day,
                        event_id=event.id,
                        person=event.person,
                        nationalities=event.nationalities,
                        detaining_state=event.detaining_state,
                        requested_by=event.requested_by,
                        location=event.location,
                        charges=base.charges if base else (),
                        sentence=base.sentence if base else None,
                        term_days=base.term_days if base else None,
                        links=base.links if base else (),
                        custody_days=base.custody_days if base else 0,
                        custody_since=day,
                    )
                )
                continue
            assert current is not None  # noqa: S101 - only Detained starts a case
            changes: dict[str, object] = {}
            if isinstance(event, Charged):
                stage = "sentenced" if stage == "sentenced" else "charged"
                # Each charge once, in the order first laid (a fact may repeat one, too).
                changes["charges"] = tuple(dict.fromkeys(current.charges + event.charges))
            elif isinstance(event, Sentenced):
                stage = "sentenced"
                changes.update(sentence=event.sentence, term_days=event.term_days)
            elif isinstance(event, Released) and current.custody_since is not None:
                changes.update(custody_days=current.days_detained(day), custody_since=None)
            states.append(
                current._replace(
                    on=day,
                    start=max(event.occurred_on.first, current.start),
                    status=after,
                    since=current.since if after == status else day,
                    event_id=event.id if after != status else current.event_id,
                    **changes,  # type: ignore[arg-type]
                )
            )
        except InvalidTransitionError:
            if strict:
                raise
            skipped.append(event.id)
    return CaseHistory(slug, tuple(states), tuple(skipped))


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
