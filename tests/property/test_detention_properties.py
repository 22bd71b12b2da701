"""Rules of detention cases that hold for every legal history: day counts, bail, the model's view."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given

from declaration_events import Ledger, Released, Restricted
from declaration_events.events import Event
from declaration_events.rules import CASE_STATUSES, SEVERITY
from declaration_events.strategies import histories
from declaration_events.testing import ReferenceModel, assert_agrees


def probe_days(history: list[Event]) -> list[date]:
    """The day of every fact of the history and the day after, and a day well after the last."""
    days = {e.occurred_on.last + timedelta(days=offset) for e in history for offset in (0, 1)}
    return sorted(days | {max(days) + timedelta(days=400)})


@given(histories(kind="case", max_size=10, partial=False))
def test_day_counts_never_overlap_never_shrink_and_never_exceed_the_time_elapsed(
    history: list[Event],
) -> None:
    """Custody, restriction and deprivation days grow with the date and add up within the calendar."""
    ledger = Ledger.from_events(history)
    slug = history[0].case  # type: ignore[union-attr]
    opened = history[0].occurred_on.last
    before = (0, 0, 0)
    for day in probe_days(history):
        row = ledger.case(slug, as_of=day)
        if row is None:
            continue
        counts = (row.days_detained, row.days_restricted, row.days_deprived)
        assert all(now >= then for now, then in zip(counts, before, strict=True)), (day, counts, before)
        assert row.days_detained <= row.days_deprived <= row.days_detained + row.days_restricted
        assert row.days_detained + row.days_restricted <= max(0, (day - opened).days)
        assert row.status in CASE_STATUSES
        assert list(row.restrictions) == [r for r in SEVERITY if r in row.restrictions]
        before = counts


@given(histories(kind="case", max_size=10))
def test_the_ledger_agrees_with_the_reference_model_on_every_case_history(history: list[Event]) -> None:
    """Statuses, dates, the three day counts, restrictions, basis and designations, on every probe date."""
    ledger = Ledger.from_events(history)
    model = ReferenceModel()
    fresh, broken = model.verdict(history)
    assert broken == set()
    model.record(fresh)
    for day in probe_days(history):
        assert_agrees(ledger, model.belief(), day)


@given(histories(kind="case", max_size=10))
def test_released_on_bail_and_restricted_bail_are_one_fact_in_two_spellings(history: list[Event]) -> None:
    """Writing `Released` on bail as `Restricted` bail (or back, with no conditions) changes no answer."""

    def respelled(event: Event) -> Event:
        common = {"case": event.case, "occurred_on": event.occurred_on, "recorded_at": event.recorded_at}  # type: ignore[union-attr]
        if isinstance(event, Released) and event.mechanism == "bail":
            return Restricted(restriction="bail", **common)
        if isinstance(event, Restricted) and event.restriction == "bail" and event.conditions is None:
            return Released(mechanism="bail", **common)
        return event

    slug = history[0].case  # type: ignore[union-attr]
    ledgers = Ledger.from_events(history), Ledger.from_events([respelled(e) for e in history])
    for day in probe_days(history):
        rows = [ledger.case(slug, as_of=day) for ledger in ledgers]
        # The same answer on every day, caused by facts with other ids. (Within one day the
        # two spellings may take a bail and a ban in another order: answers are per day.)
        assert [replace(row, event_id=None) if row else None for row in rows[:1]] == [
            replace(row, event_id=None) if row else None for row in rows[1:]
        ]
