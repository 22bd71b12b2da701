"""Bugs found by the properties and the state machine (or while writing them), kept as plain examples."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from declaration_events import (
    Charged,
    Detained,
    EnteredIntoForce,
    InstrumentOpened,
    Ledger,
    Ratified,
    Retracted,
    Signed,
    Withdrew,
)
from declaration_events.events import Continued, Delay, FinalClauses, WithdrawalRevoked


def at(day: int) -> datetime:
    return datetime(2021, 1, day, tzinfo=UTC)


def test_a_charge_repeated_within_one_fact_is_listed_once() -> None:
    """A `Charged` fact naming a charge twice lists it once in the case (found by the state machine)."""
    ledger = Ledger()
    detained = Detained(
        case="c", person="P", nationalities=("CAN",), detaining_state="CHN", occurred_on="2019-01-01"
    )
    ledger.record_many([detained.recorded(at(1))])
    ledger.record(
        Charged(case="c", charges=("espionage", "espionage"), occurred_on="2019-02-01").recorded(at(2))
    )
    ledger.record(Charged(case="c", charges=("fraud", "espionage"), occurred_on="2019-03-01").recorded(at(3)))
    row = ledger.case("c")
    assert row is not None
    assert row.charges == ("espionage", "fraud")


def test_a_party_named_only_by_a_correction_sees_the_fact_in_its_timeline() -> None:
    """A corrected nationality or initiator puts the fact on that party's timeline (found by the machine)."""
    ledger = Ledger()
    detained = ledger.record(
        Detained(
            case="c", person="P", nationalities=("CHN",), detaining_state="CHN", occurred_on="2019-01-01"
        ).recorded(at(1))
    )
    opened = ledger.record(
        InstrumentOpened(instrument="i", title="I", kind="treaty", occurred_on="2019-01-01").recorded(at(1))
    )
    ledger.correct(detained, {"nationalities": ["CAN", "GBR"]}, "misreported", recorded_at=at(2))
    ledger.correct(opened, {"initiator": "USA"}, "misreported", recorded_at=at(3))
    assert [row.event.id for row in ledger.timeline("CAN")] == [detained.id]
    assert [row.event.id for row in ledger.timeline("GBR")] == [detained.id]
    assert [row.event.id for row in ledger.timeline("USA")] == [opened.id]
    assert [row.event.id for row in ledger.timeline("CAN", known_at=at(1))] == []


def test_a_partial_effective_date_does_not_act_before_the_fact_that_sets_it() -> None:
    """Withdrawn or bound "some time in 2019" by a fact of 5 June: on 1 March nothing had happened yet."""
    ledger = Ledger.from_events(
        event.recorded(at(1))
        for event in [
            InstrumentOpened(instrument="d", title="D", kind="declaration", occurred_on="2018-01-01"),
            Signed(instrument="d", party="CAN", occurred_on="2018-02-01"),
            Withdrew(instrument="d", party="CAN", occurred_on="2019-06-05", effective_on="2019"),
            InstrumentOpened(instrument="t", title="T", kind="treaty", occurred_on="2018-01-01"),
            EnteredIntoForce(instrument="t", occurred_on="2018-03-01"),
            Ratified(instrument="t", party="CAN", occurred_on="2019-06-05", effective_on="2019"),
        ]
    )
    march = ledger.signatories("d", as_of="2019-03-01")
    assert [(r.party, r.status, r.uncertain) for r in march] == [("CAN", "signed", False)]
    assert len(ledger.signatories("t", as_of="2019-03-01")) == 0
    july = ledger.signatories("t", as_of="2019-07-01")
    assert [(r.party, r.status, r.uncertain) for r in july] == [("CAN", "party", True)]


def test_the_timeline_of_a_predecessor_lists_the_state_that_continues_it() -> None:
    """A `Continued` names two parties: both timelines show it (found by the state machine)."""
    continued = Continued(party="SRB", predecessor="SCG", occurred_on="2006-06-03").recorded(at(1))
    ledger = Ledger.from_events([continued])
    assert [row.event.id for row in ledger.timeline("SCG")] == [continued.id]
    assert [row.event.id for row in ledger.timeline("SRB")] == [continued.id]


def test_a_state_that_withdrew_may_consent_and_withdraw_again_on_one_day() -> None:
    """Once its withdrawal is in effect a state is a newcomer: consent and withdrawal on one day are
    taken consent first, as for anyone (found by the state machine; the withdrawal was taken first)."""
    ledger = Ledger.from_events(
        event.recorded(at(1))
        for event in [
            InstrumentOpened(instrument="t", title="T", kind="treaty", occurred_on="2000-01-01"),
            Ratified(instrument="t", party="CAN", occurred_on="2000-02-01"),
            Withdrew(instrument="t", party="CAN", occurred_on="2001-02-01"),
            Ratified(instrument="t", party="CAN", occurred_on="2003-02-01"),
            Withdrew(instrument="t", party="CAN", occurred_on="2003-02-01", effective_on="2003-08-01"),
        ]
    )
    row = ledger.signatories("t", as_of="2003-03-01").get("CAN")
    assert row is not None
    assert (row.status, row.effective_on) == ("withdrawing", date(2003, 8, 1))


def test_revoking_a_withdrawal_keeps_the_date_of_effect_of_the_consent_it_keeps() -> None:
    """The row is back to what it was, date of effect included (found by the reference model)."""
    ledger = Ledger.from_events(
        event.recorded(at(1))
        for event in [
            InstrumentOpened(instrument="t", title="T", kind="treaty", occurred_on="2000-01-01"),
            Ratified(instrument="t", party="CAN", occurred_on="2000-02-01", effective_on="2000-05-01"),
            Ratified(instrument="t", party="USA", occurred_on="2000-02-01", effective_on="2000-05-01"),
            EnteredIntoForce(instrument="t", occurred_on="2000-03-01"),
            Withdrew(instrument="t", party="CAN", occurred_on="2000-02-10", effective_on="2000-12-01"),
            Withdrew(instrument="t", party="USA", occurred_on="2001-02-10", effective_on="2001-12-01"),
            WithdrawalRevoked(instrument="t", party="CAN", occurred_on="2000-04-01"),
            WithdrawalRevoked(instrument="t", party="USA", occurred_on="2001-04-01"),
        ]
    )
    ratified = ledger.signatories("t", as_of="2000-04-01").get("CAN")
    assert ratified is not None
    assert (ratified.status, ratified.effective_on) == ("ratified", date(2000, 5, 1))
    bound = ledger.signatories("t", as_of="2001-04-01").get("USA")
    assert bound is not None
    assert (bound.status, bound.since, bound.effective_on) == ("party", date(2001, 4, 1), date(2000, 5, 1))


def test_a_delay_that_could_put_an_effect_before_its_cause_is_refused() -> None:
    """ "Day 1 of the 0th month after" a consent of the 15th would be the 1st, before the consent:
    such a delay is refused where it is written (found by the properties: the party showed as
    bound before it consented)."""
    for delay in ({"months": 0, "day": 1}, {"years": 0, "day": 1}):
        with pytest.raises(ValidationError, match="day goes with at least one month or year"):
            Delay.model_validate(delay)


def test_a_consent_a_past_belief_skips_does_not_count_towards_entry_into_force() -> None:
    """Known at a time when an illegal consent (later retracted) was believed, the ledger skips it,
    and the second consent that counts still brings the treaty into force (found while writing
    the reference model: the skipped consent was counted)."""
    clauses = FinalClauses(consents_required=2, entry_into_force=Delay(days=10))
    early = Ratified(instrument="t", party="CAN", occurred_on="2000-03-01", effective_on="2000-06-01")
    ledger = Ledger.from_events(
        [
            *(
                event.recorded(at(1))
                for event in [
                    InstrumentOpened(
                        instrument="t",
                        title="T",
                        kind="treaty",
                        occurred_on="1999-12-01",
                        final_clauses=clauses,
                    ),
                    Ratified(instrument="t", party="CAN", occurred_on="2000-01-01"),
                    Withdrew(
                        instrument="t", party="CAN", occurred_on="2000-02-01", effective_on="2001-01-01"
                    ),
                    early,  # it would take effect before the withdrawal does: illegal
                    Ratified(instrument="t", party="USA", occurred_on="2000-04-01"),
                ]
            ),
            Retracted(target=early.id, reason="misread", occurred_on="2021-01-02").recorded(at(2)),
        ]
    )
    usa = ledger.signatories("t", as_of="2000-04-11", known_at=at(1)).get("USA")
    assert usa is not None
    assert (usa.status, usa.since) == ("party", date(2000, 4, 11))
