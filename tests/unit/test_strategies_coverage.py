"""Generated histories walk every transition of the rules' tables; illegal facts break every rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from declaration_events.events import EventBase, Withdrew
from declaration_events.rules import CASE_TRANSITIONS, PARTICIPATION_TRANSITIONS, RULES, case_key
from declaration_events.strategies import Illegal, histories, illegal_events
from declaration_events.testing import replay_case, replay_instrument

MANY = settings(
    max_examples=1000, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


def collect(strategy: Any, seen: Callable[[Any], None]) -> None:
    """Run `seen` over many derandomized examples (independent of the active profile)."""
    given(strategy)(MANY(seen))()


def transitions(history: list[EventBase]) -> set[tuple[str, str | None]]:
    """(event, status met) for each fact of a legal history, per the reference model."""
    found: set[tuple[str, str | None]] = set()
    for index, event in enumerate(history):
        before, day = history[:index], event.occurred_on.last
        if event.entity().startswith("case:"):
            case = replay_case(before, until=day) if before else None
            found.add((case_key(event), case.status if case else None))
        elif hasattr(event, "party"):
            seat = replay_instrument(before, until=day).get(getattr(event, "party"))  # noqa: B009
            found.add((event.type, seat.status if seat else None))
    return found


def test_histories_walk_every_transition_in_the_tables() -> None:
    """Every (event, status) pair the tables allow appears in some history, openings of a case included."""
    walked: set[tuple[str, str | None]] = set()
    extras: set[str] = set()

    def seen(history: list[EventBase]) -> None:
        walked.update(transitions(history))
        for event in history:
            if isinstance(event, Withdrew) and event.effective_on is not None:
                extras.add("withdrawal effective later")
            if event.type == "EnteredIntoForce":
                extras.add("entry into force")

    collect(histories(max_size=14), seen)

    # Cases have many more transitions (custody, restrictions, outcomes): walk more of them.
    def seen_in_a_case(history: list[EventBase]) -> None:
        seen(history)

    collect(histories(kind="case", max_size=20), seen_in_a_case)
    expected = {(e, s) for e, table in PARTICIPATION_TRANSITIONS.items() for s in table}
    expected |= {(e, s) for e, table in CASE_TRANSITIONS.items() for s in table}
    assert expected - walked == set()
    assert extras == {"withdrawal effective later", "entry into force"}


@pytest.mark.parametrize("rule", list(RULES))
def test_illegal_events_break_every_rule(rule: str) -> None:
    """Each rule in RULES has offending facts generated for it (and `illegal_events()` draws from all)."""

    @settings(max_examples=5, database=None, deadline=None)
    @given(illegal_events(rules=[rule]))
    def check(illegal: Illegal) -> None:
        assert illegal.rule == rule

    check()
