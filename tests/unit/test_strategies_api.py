"""The strategies' public face: noun functions, keyword-only arguments, documented shrinking, from_type."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from declaration_events import PartialDate, Source, parse_event, strategies
from declaration_events.events import EVENT_TYPES, Corrected, Delay, EventBase, FinalClauses, Retracted
from declaration_events.strategies import (
    LATEST_RECORD,
    dates,
    event_logs,
    events,
    histories,
    illegal_events,
    instruments,
    parties,
    sources,
)

STRATEGIES: list[Callable[..., st.SearchStrategy[Any]]] = [
    parties,
    instruments,
    dates,
    sources,
    events,
    histories,
    event_logs,
    illegal_events,
]


def test_the_package_itself_does_not_import_hypothesis() -> None:
    """Hypothesis is an optional extra: `import declaration_events` must not need it."""
    code = "import sys, declaration_events; sys.exit('hypothesis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    "first",
    [
        "import declaration_events.strategies",
        "import declaration_events.testing",
        "import hypothesis, declaration_events.strategies",
        "import declaration_events, hypothesis",
    ],
)
def test_from_type_works_whichever_module_is_imported_first(first: str) -> None:
    """Importing the strategies before Hypothesis runs its entry point mid-import; that must work too."""
    code = (
        f"{first}\n"
        "from hypothesis import find, settings, strategies as st\n"
        "from declaration_events import Signed\n"
        "found = find(st.from_type(Signed), lambda e: True, settings=settings(database=None))\n"
        "assert isinstance(found, Signed)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda f: f.__name__)
def test_each_strategy_is_a_noun_function_with_keyword_only_arguments(strategy: Callable[..., Any]) -> None:
    """Hypothesis's own style: only keyword arguments, and a docstring saying what it shrinks towards."""
    parameters = inspect.signature(strategy).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    assert strategy.__doc__ is not None
    assert "Shrinks towards" in strategy.__doc__
    assert strategy.__name__ in strategies.__all__


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda cls: cls.__name__)
def test_from_type_draws_every_event_class(cls: type[EventBase]) -> None:
    """`st.from_type(Signed)` and friends work through the entry point."""

    @given(st.from_type(cls))
    def check(event: EventBase) -> None:
        assert type(event) is cls

    check()


@given(st.from_type(EventBase), st.from_type(Source), st.from_type(PartialDate))
def test_from_type_draws_any_event_source_and_date(
    event: EventBase, source: Source, day: PartialDate
) -> None:
    """The base class, sources and partial dates are registered too."""
    assert type(event) in EVENT_TYPES.values()
    assert isinstance(source, Source)
    assert isinstance(day, PartialDate)


@given(st.from_type(FinalClauses), st.from_type(Delay))
def test_from_type_draws_final_clauses_and_delays(clauses: FinalClauses, delay: Delay) -> None:
    """A treaty's final clauses and their delays are registered too, and read back from JSON."""
    assert FinalClauses.model_validate_json(clauses.model_dump_json()) == clauses
    assert delay.after(date(2000, 1, 31)) >= date(2000, 1, 1)


@given(st.data())
def test_dates_lie_wholly_within_their_bounds(data: st.DataObject) -> None:
    """A partial date's whole period fits between min_value and max_value; partial=False gives exact days."""
    lo = data.draw(st.dates(date(1950, 1, 1), date(2030, 1, 1)))
    hi = data.draw(st.dates(lo, date(2031, 1, 1)))
    partial = data.draw(st.booleans())
    day = data.draw(dates(min_value=lo, max_value=hi, partial=partial))
    assert lo <= day.first <= day.last <= hi
    assert partial or day.is_exact


@given(events())
def test_single_events_are_valid_recorded_in_the_past_and_survive_json(event: EventBase) -> None:
    """Every event has a record time on or after its date, in the past, and reads back from its line."""
    assert event.recorded_at is not None
    assert event.occurred_on.first <= event.recorded_at.date()
    assert event.recorded_at <= LATEST_RECORD
    assert parse_event(event.to_json()) == event


@given(events(types=["Released", EVENT_TYPES["Signed"]]))
def test_events_can_be_limited_to_some_types(event: EventBase) -> None:
    """`types` takes classes or type names."""
    assert event.type in ("Released", "Signed")


@pytest.mark.parametrize(
    "make",
    [
        lambda: dates(min_value=date(2020, 1, 2), max_value=date(2020, 1, 1)),
        lambda: events(types=["Nonsense"]),
        lambda: events(types=[]),
        lambda: histories(min_size=0),
        lambda: histories(min_size=5, max_size=2),
        lambda: event_logs(max_cases=-1),
        lambda: event_logs(max_history=0),
        lambda: illegal_events(rules=["no-such-rule"]),
        lambda: parties(among=[]),
    ],
)
def test_bad_arguments_are_refused_at_once(make: Callable[[], Any]) -> None:
    """Nonsense arguments raise Hypothesis's InvalidArgument when the strategy is built."""
    with pytest.raises(InvalidArgument):
        make()


def test_parties_among_accepts_names_and_gives_codes() -> None:
    """`parties(among=...)` resolves names like the log does."""

    @given(parties(among=["Canada", "United States", "EU"]))
    def check(party: str) -> None:
        assert party in ("CAN", "USA", "EU")

    check()


@settings(max_examples=50)
@given(event_logs(max_amendments=12))
def test_logs_are_recorded_in_the_past_with_amendments_after_their_targets(log: list[EventBase]) -> None:
    """No record time after LATEST_RECORD (give or take the seconds that order amendments)."""
    by_id = {event.id: event for event in log}
    for event in log:
        assert event.recorded_at is not None
        assert event.recorded_at <= LATEST_RECORD + timedelta(minutes=1)
        target = (
            by_id.get(getattr(event, "target", None)) if isinstance(event, Corrected | Retracted) else None
        )
        if target is not None:
            assert target.recorded_at is not None
            assert event.recorded_at > target.recorded_at
