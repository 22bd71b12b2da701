"""Bitemporal answers: independent of recording order, equal to answers on cut logs and to a naive replay."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import event as observe
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import InvalidTransitionError, Ledger, Projection, UnknownEntityError
from declaration_events.events import Corrected, Event, EventBase, Ratified
from declaration_events.strategies import event_logs
from declaration_events.testing import ReferenceModel, assert_agrees

DAY = timedelta(days=1)
PARTY_FIELDS = ("party", "actor", "target", "detaining_state", "requested_by", "initiator", "nationalities")


#: A record time after every generated one.
FAR = datetime(2100, 1, 1, tzinfo=UTC)


def interesting_days(events: Iterable[EventBase]) -> list[date]:
    """Days around every fact's period and effective date, where answers change."""
    days = {date(1990, 1, 1), date(2030, 1, 1)}
    for event in events:
        for period in (event.occurred_on, getattr(event, "effective_on", None)):
            if period is not None:
                days |= {period.first - DAY, period.first, period.last, period.last + DAY}
    return sorted(days)


def record_times(log: list[Event]) -> list[datetime]:
    """Just before, at and just after every record time."""
    times = set()
    for event in log:
        assert event.recorded_at is not None
        times |= {event.recorded_at - timedelta(seconds=1), event.recorded_at}
    return sorted(times)


def parties_named(log: Iterable[EventBase]) -> list[str]:
    """Every party a log names, in its facts or in the changes its corrections make."""
    named = {party for event in log for party in event.parties()}
    for event in log:
        if isinstance(event, Corrected):
            for key in PARTY_FIELDS:
                value = event.changes.get(key)
                named |= {v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)}
    return sorted(named)


def answers(
    source: Ledger | Projection, as_of: date, known_at: datetime | None = None, *, parties: Iterable[str] = ()
) -> tuple[object, ...]:
    """Every answer as of one date, known at one time (timelines of `parties`): rows and counts."""
    projection = source.projection if isinstance(source, Ledger) else source
    signatories = {
        slug: (result.rows, result.counts)
        for slug in projection.entities("instrument")
        if (result := projection.signatories(slug, as_of=as_of, known_at=known_at)).rows
    }
    cases = projection.cases(as_of=as_of, known_at=known_at)
    statements = projection.condemnations(as_of=as_of, known_at=known_at)
    timelines = {p: projection.timeline(p, known_at=known_at).rows for p in parties}
    return signatories, cases.rows, cases.counts, statements.rows, statements.counts, timelines


@given(event_logs(), st.randoms(use_true_random=False), st.data())
def test_answers_do_not_depend_on_the_order_facts_are_recorded_in(
    log: list[Event], rnd: random.Random, data: st.DataObject
) -> None:
    """The same log in any order gives the same answers, as of any date and known at any time."""
    shuffled = list(log)
    rnd.shuffle(shuffled)
    ledger, reordered = Ledger.from_events(log), Ledger.from_events(shuffled)
    as_of = data.draw(st.sampled_from(interesting_days(log)), label="as_of")
    known_at = data.draw(st.none() | st.sampled_from(record_times(log) or [None]), label="known_at")
    parties = parties_named(log)
    expected = answers(ledger, as_of, known_at, parties=parties)
    assert answers(reordered, as_of, known_at, parties=parties) == expected
    assert answers(Projection(reversed(log)), as_of, known_at, parties=parties) == expected


@given(event_logs(), st.data())
def test_a_query_known_at_r_is_the_query_on_the_log_cut_to_what_was_recorded_by_r(
    log: list[Event], data: st.DataObject
) -> None:
    """Asking `known_at=R` equals asking a log that holds only the events recorded by R."""
    ledger = Ledger.from_events(log)
    known_at = data.draw(st.sampled_from(record_times(log) or [datetime.now().astimezone()]), label="R")
    as_of = data.draw(st.sampled_from(interesting_days(log)), label="as_of")
    cut = Projection(e for e in log if e.recorded_at is not None and e.recorded_at <= known_at)
    parties = parties_named(log)
    assert answers(ledger, as_of, known_at, parties=parties) == answers(cut, as_of, parties=parties)


def happened(fact: EventBase, as_of: date) -> bool:
    """Whether a fact had happened by `as_of`: its whole period is over (a succession: its effect begun)."""
    if isinstance(fact, Ratified) and fact.mode == "succession" and fact.effective_on is not None:
        return min(fact.occurred_on.last, fact.effective_on.first) <= as_of
    return fact.occurred_on.last <= as_of


def as_of_answers(source: Ledger | Projection, as_of: date) -> tuple[object, ...]:
    """Rows, counts and tallies as of one date, without the dates of effect the rows show."""
    signatories, *rest = answers(source, as_of)[:5]
    assert isinstance(signatories, dict)
    projection = source.projection if isinstance(source, Ledger) else source
    tallies = {slug: dict(projection.signatories(slug, as_of=as_of).tally) for slug in signatories}
    shown = {
        slug: (tuple(replace(row, effective_on=None, effective_derived=False) for row in rows), counts)
        for slug, (rows, counts) in signatories.items()
    }
    return shown, tallies, *rest


def _certain(rows: Iterable[object], key: str) -> dict[object, object]:
    return {getattr(row, key): row for row in rows if not getattr(row, "uncertain")}  # noqa: B009


@given(event_logs(), st.data())
def test_a_query_as_of_t_is_the_query_on_the_log_cut_to_what_had_happened_by_t(
    log: list[Event], data: st.DataObject
) -> None:
    """Asking `as_of=T` equals asking a log of the believed facts that had happened by T.

    A succession in effect by T has happened by T, however late it was notified. Dates of
    effect are left out: a row shows when its consent takes effect as known now (from an
    entry into force after T, say), which a log cut at T cannot know. Rows a partial date
    leaves uncertain at T are left out of the comparison; when no period straddles T,
    every row, count, tally and link must be equal.
    """
    ledger = Ledger.from_events(log)
    model = ReferenceModel()
    model.record(log)
    believed = [fact for facts in model.belief().by_entity.values() for fact in facts]
    as_of = data.draw(st.sampled_from(interesting_days(believed)), label="as_of")
    cut = Projection(fact for fact in believed if happened(fact, as_of))
    settled = not any(
        period is not None and period.first <= as_of < period.last
        for fact in believed
        for period in (fact.occurred_on, getattr(fact, "effective_on", None))
    )
    full, past = as_of_answers(ledger, as_of), as_of_answers(cut, as_of)
    if settled:
        assert full == past
        return
    for slug in ledger.instruments():
        now = ledger.signatories(slug, as_of=as_of)
        then = cut.signatories(slug, as_of=as_of).rows if slug in cut.entities("instrument") else ()
        # Uncertain in either: a later fact may settle what the cut log leaves open (a withdrawal in
        # effect "in February", revoked on the 4th, had not taken effect on the 3rd).
        open_parties = {row.party for row in (*now, *then) if row.uncertain}
        assert {
            p: (r.status, r.since) for p, r in _certain(now, "party").items() if p not in open_parties
        } == {row.party: (row.status, row.since) for row in then if row.party not in open_parties}
    now_cases, then_cases = ledger.cases(as_of=as_of), cut.cases(as_of=as_of)
    for slug, row in _certain(now_cases, "case").items():
        before = then_cases.get(str(slug))
        assert before is not None
        assert (row.status, row.since, row.days_detained, row.charges) == (  # type: ignore[attr-defined]
            before.status,
            before.since,
            before.days_detained,
            before.charges,
        )
    now_statements = {row.event.id for row in ledger.condemnations(as_of=as_of) if not row.uncertain}
    assert now_statements == {row.event.id for row in cut.condemnations(as_of=as_of)}


@given(event_logs(), st.data())
def test_indexed_answers_equal_a_naive_replay_of_every_fact(log: list[Event], data: st.DataObject) -> None:
    """The projection's indexes answer as a replay of every believed fact from scratch would."""
    ledger = Ledger.from_events(log)
    model = ReferenceModel()
    model.record(log)
    times = data.draw(st.lists(st.sampled_from(record_times(log) or [None]), max_size=2), label="known_at")
    for known_at in [None, *times]:
        belief = model.belief(known_at)
        for as_of in interesting_days(log):
            assert_agrees(ledger, belief, as_of, known_at)


@given(event_logs(), st.data())
def test_answers_do_not_depend_on_how_many_decoded_events_the_projection_keeps(
    log: list[Event], data: st.DataObject
) -> None:
    """A projection that keeps (almost) no decoded models answers like one that keeps them all."""
    roomy, tight = Projection(log), Projection(log, decoded_events=1)
    parties = parties_named(log)
    for _ in range(3):
        as_of = data.draw(st.sampled_from(interesting_days(log)), label="as_of")
        known_at = data.draw(st.none() | st.sampled_from(record_times(log) or [None]), label="known_at")
        assert answers(tight, as_of, known_at, parties=parties) == answers(
            roomy, as_of, known_at, parties=parties
        )
        assert tight._decoded_count <= 1


@given(event_logs(), st.randoms(use_true_random=False), st.data())
def test_an_answer_as_stored_by_a_time_is_what_the_ledger_answered_then_whatever_comes_later(
    log: list[Event], rnd: random.Random, data: st.DataObject
) -> None:
    """Record a log in batches in any order (late and backdated facts included): asked `stored_by`
    the stamp of a batch, the ledger answers exactly what it answered just after that batch."""
    shuffled = list(log)
    rnd.shuffle(shuffled)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(log)), max_size=4), label="cuts"))
    chunks = [shuffled[a:b] for a, b in zip([0, *cuts], [*cuts, len(log)], strict=True)]
    as_of = data.draw(st.sampled_from(interesting_days(log)), label="as_of")
    known_at = data.draw(st.sampled_from([*record_times(log), FAR]), label="known_at")
    ledger = Ledger()
    taken: list[tuple[datetime, tuple[object, ...]]] = []
    pending: list[Event] = []
    for chunk in chunks:
        pending += chunk
        try:
            result = ledger.record_many(pending)
            added = result.added
        except (InvalidTransitionError, UnknownEntityError):
            continue  # not legal on its own yet: it goes with the next batch (the whole log is legal)
        pending = []
        if not added:
            continue  # nothing stored, nothing stamped
        observe("a batch held backdated facts" if result.backdated else "a batch held none backdated")
        taken.append((ledger.stamps()[-1].stored_at, answers(ledger, as_of, known_at)))
    assert not pending
    for stamp, then in taken:
        assert answers(ledger.as_stored(stamp), as_of, known_at) == then
        cases = ledger.cases(as_of=as_of, known_at=known_at, stored_by=stamp)
        assert (cases.rows, cases.counts) == then[1:3]
