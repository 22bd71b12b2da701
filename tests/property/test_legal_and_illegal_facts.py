"""Every legal history and every generated log is accepted; every illegal fact is refused with its rule."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import InvalidTransitionError, Ledger
from declaration_events.strategies import Illegal, event_logs, histories, illegal_events
from declaration_events.testing import ReferenceModel


@given(histories(), st.randoms(use_true_random=False))
def test_every_legal_history_is_accepted_as_one_batch_in_any_order(history: list, rnd: random.Random) -> None:
    """A history from the rules' tables is taken whole, whatever the order of its lines."""
    shuffled = list(history)
    rnd.shuffle(shuffled)
    assert len(Ledger.from_events(shuffled)) == len(history)


@given(histories())
def test_every_legal_history_is_accepted_fact_by_fact_in_valid_time_order(history: list) -> None:
    """Each prefix of a history is legal too: recording it one fact at a time never fails."""
    ledger = Ledger()
    for event in history:
        ledger.record(event)
    assert len(ledger) == len(history)


@given(event_logs())
def test_every_generated_log_is_accepted_and_the_model_agrees(log: list) -> None:
    """Whole logs (amendments included) are legal as one batch, for the ledger and for the model."""
    assert len(Ledger.from_events(log)) == len(log)
    fresh, broken = ReferenceModel().verdict(log)
    assert broken == set()
    assert len(fresh) == len(log)


@given(illegal_events())
def test_every_illegal_fact_is_refused_with_its_rule_and_changes_nothing(illegal: Illegal) -> None:
    """Recorded after its legal history, the offending fact is refused, naming its rule; nothing changes."""
    ledger = Ledger.from_events(illegal.history)
    before = list(ledger.events())
    with pytest.raises(InvalidTransitionError) as refused:
        ledger.record(illegal.event)
    assert refused.value.rule == illegal.rule
    assert list(ledger.events()) == before


@given(illegal_events())
def test_an_illegal_fact_spoils_its_whole_batch(illegal: Illegal) -> None:
    """Recorded in one batch with its history, it is refused with the same rule, and nothing is kept."""
    ledger = Ledger()
    with pytest.raises(InvalidTransitionError) as refused:
        ledger.record_many([*illegal.history, illegal.event])
    assert refused.value.rule == illegal.rule
    assert len(ledger) == 0


@given(illegal_events())
def test_the_model_refuses_every_illegal_fact_with_the_same_rule(illegal: Illegal) -> None:
    """The reference model, which restates the law independently of the tables, names the same rule."""
    model = ReferenceModel()
    fresh, broken = model.verdict(illegal.history)
    assert broken == set()
    model.record(fresh)
    assert model.verdict([illegal.event])[1] == {illegal.rule}
