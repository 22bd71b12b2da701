"""Each strategy shrinks towards what its docstring promises."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from declaration_events import InstrumentOpened, PartialDate, Source
from declaration_events.strategies import (
    EARLIEST,
    dates,
    event_logs,
    events,
    histories,
    illegal_events,
    instruments,
    parties,
    sources,
)

# No explain phase: it annotates failure reports, and would cost more than the search.
QUICK = settings(database=None, max_examples=200, phases=[Phase.generate, Phase.shrink])


def simplest(strategy: st.SearchStrategy[Any]) -> Any:
    return find(strategy, lambda _: True, settings=QUICK)


def test_parties_shrink_towards_canada_or_the_first_given() -> None:
    """CAN by default; the first of `among` otherwise."""
    assert simplest(parties()) == "CAN"
    assert simplest(parties(among=["EU", "Canada"])) == "EU"


def test_dates_shrink_towards_min_value_known_to_the_day() -> None:
    """The earliest day, exact."""
    assert simplest(dates()) == PartialDate(EARLIEST.year, EARLIEST.month, EARLIEST.day)
    assert simplest(dates(min_value=date(2021, 2, 15))) == PartialDate(2021, 2, 15)


def test_sources_shrink_towards_an_empty_source() -> None:
    """Every field empty."""
    assert simplest(sources()) == Source()


def test_instruments_shrink_towards_a_declaration_opened_on_min_value() -> None:
    """A declaration, opened on the earliest day, with no initiator."""
    opened = simplest(instruments())
    assert isinstance(opened, InstrumentOpened)
    assert (opened.kind, opened.occurred_on.first, opened.initiator) == ("declaration", EARLIEST, None)


def test_events_shrink_towards_the_first_type_given() -> None:
    """InstrumentOpened by default."""
    assert simplest(events()).type == "InstrumentOpened"
    assert simplest(events(types=["Released", "Signed"])).type == "Released"


def test_histories_shrink_towards_the_shortest() -> None:
    """One fact: the opening of a declaration, or the detention that opens a case."""
    assert [e.type for e in simplest(histories())] == ["InstrumentOpened"]
    assert [e.type for e in simplest(histories(kind="case"))] == ["Detained"]


def test_histories_shrink_to_the_few_facts_a_failure_needs() -> None:
    """Asking for a withdrawal gives opening, joining, withdrawing."""
    found = find(histories(), lambda h: any(e.type == "Withdrew" for e in h), settings=QUICK)
    assert [e.type for e in found] == ["InstrumentOpened", "Signed", "Withdrew"]


def test_event_logs_shrink_towards_the_empty_log() -> None:
    """No events at all."""
    assert simplest(event_logs()) == []


def test_illegal_events_shrink_towards_the_first_rule_and_a_short_history() -> None:
    """The first rule asked for, against the shortest history."""
    illegal = simplest(illegal_events(rules=["force-once", "detain-free"]))
    assert illegal.rule == "force-once"
    assert len(illegal.history) <= 2
