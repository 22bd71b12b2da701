"""Property-test a projection of your own with declaration_events (run: pytest examples/property_testing.py).

`CondemnationTally` stands for your code: a read model a newsroom dashboard keeps of who
condemned how often, fed the events of a log. Two tests check it: a property over whole
generated logs, and a state machine that records facts into a real Ledger and compares the
tally with the ledger's own answer after every step.
"""

# This file is a test module: it checks with `assert`, as tests do.
# ruff: noqa: S101

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant

from declaration_events.strategies import event_logs
from declaration_events.testing import LedgerStateMachine


class CondemnationTally:
    """Condemnations per actor, as now believed (retractions and corrected actors applied)."""

    def __init__(self) -> None:
        self.actor_of: dict[object, str] = {}
        self.amendments: list = []

    def feed(self, events) -> None:
        for event in events:
            if event.type == "Condemned":
                self.actor_of[event.id] = event.actor
            elif event.type in ("Corrected", "Retracted"):
                self.amendments.append(event)

    def counts(self) -> dict[str, int]:
        actor_of = dict(self.actor_of)
        # Amendments apply in the order they were recorded, whatever order they were fed in.
        for amendment in sorted(self.amendments, key=lambda a: (a.recorded_at, str(a.id))):
            if amendment.target not in actor_of:
                continue  # not a condemnation, or already retracted
            if amendment.type == "Retracted":
                del actor_of[amendment.target]
            elif "actor" in amendment.changes:
                actor_of[amendment.target] = amendment.changes["actor"]
        return dict(Counter(actor_of.values()))


@settings(max_examples=50, deadline=None)
@given(event_logs(), st.randoms(use_true_random=False))
def test_the_tally_does_not_depend_on_the_order_events_arrive_in(log, rnd: random.Random) -> None:
    """Logs arrive late and out of order: the tally must not care."""
    shuffled = list(log)
    rnd.shuffle(shuffled)
    in_order, out_of_order = CondemnationTally(), CondemnationTally()
    in_order.feed(log)
    out_of_order.feed(shuffled)
    assert in_order.counts() == out_of_order.counts()


class TallyMachine(LedgerStateMachine):
    """The ledger and its reference model, with our tally fed the same accepted events."""

    def __init__(self) -> None:
        super().__init__()
        self.tally = CondemnationTally()

    def after_record(self, events) -> None:
        self.tally.feed(events)

    @invariant()
    def tally_matches_the_ledger(self) -> None:
        assert self.tally.counts() == self.ledger.condemnations().counts


TestTally = TallyMachine.TestCase
TestTally.settings = settings(max_examples=25, stateful_step_count=30, deadline=None)
