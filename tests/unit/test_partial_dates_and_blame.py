"""Regressions found by a second reader: partial-date windows, uncertain days, links, blame."""

from __future__ import annotations

import json
from typing import Any

import pytest

from declaration_events import InvalidTransitionError, Ledger

R = "2024-01-01T00:00:00+00:00"


def fact(event_type: str, on: str, **fields: Any) -> dict[str, Any]:
    return {"type": event_type, "occurred_on": on, "recorded_at": R, **fields}


DETAINED = {"case": "x", "person": "P", "nationalities": ["CAN"], "detaining_state": "CHN"}


def test_a_partial_release_cannot_show_before_the_detention_it_ends() -> None:
    """Released in "2020" after a detention on 2020-01-15: nothing to show on 2020-01-10."""
    ledger = Ledger.from_events(
        [fact("Detained", "2020-01-15", **DETAINED), fact("Released", "2020", case="x", mechanism="exchange")]
    )
    assert ledger.case("x", as_of="2020-01-10") is None


def test_an_uncertain_release_counts_only_the_days_certainly_in_custody() -> None:
    """Released some day in 2021-09: on 2021-09-05 the row is uncertain with 1,000 days, not more."""
    ledger = Ledger.from_events(
        [
            fact("Detained", "2018-12-10", **DETAINED),
            fact("Released", "2021-09", case="x", mechanism="pardon"),
        ]
    )
    row = ledger.case("x", as_of="2021-09-05")
    assert row is not None
    assert (row.status, row.uncertain, row.days_detained) == ("released", True, 1000)


def test_after_bail_a_partial_release_does_not_reach_back_into_custody() -> None:
    """In custody on 2020-02-01 for certain, whatever happened later in 2020."""
    ledger = Ledger.from_events(
        [
            fact("Detained", "2020-01-01", **DETAINED),
            fact("Released", "2020-03-01", case="x", mechanism="bail"),
            fact("Released", "2020", case="x", mechanism="acquittal"),
        ]
    )
    row = ledger.case("x", as_of="2020-02-01")
    assert row is not None
    assert (row.status, row.uncertain, row.days_detained) == ("detained", False, 31)


def test_an_endorsement_dated_to_a_year_cannot_show_before_the_opening() -> None:
    """Endorsed in "2020", opened on 2020-03-01: nobody on 2020-02-01."""
    ledger = Ledger.from_events(
        [
            fact("InstrumentOpened", "2020-03-01", instrument="d", title="D", kind="declaration"),
            fact("Endorsed", "2020", instrument="d", party="CAN"),
        ]
    )
    assert len(ledger.signatories("d", as_of="2020-02-01")) == 0


def test_a_party_is_not_bound_before_the_treaty_enters_into_force() -> None:
    """Ratified in 2019 with effect some day in 2020, in force from 2020-06-01: ratified on 2020-03-01."""
    ledger = Ledger.from_events(
        [
            fact("InstrumentOpened", "2019-01-01", instrument="t", title="T", kind="treaty"),
            fact("Ratified", "2019-05-01", instrument="t", party="CAN", effective_on="2020"),
            fact("EnteredIntoForce", "2020-06-01", instrument="t"),
        ]
    )
    row = ledger.signatories("t", as_of="2020-03-01").get("CAN")
    assert row is not None
    assert (row.status, row.uncertain) == ("ratified", False)


def test_a_withdrawal_dated_to_a_year_keeps_the_year_uncertain() -> None:
    """Withdrew in "2020", in effect on 2020-12-31: on 2020-06-01 it may already be pending."""
    ledger = Ledger.from_events(
        [
            fact("InstrumentOpened", "2019-01-01", instrument="d", title="D", kind="declaration"),
            fact("Endorsed", "2019-05-01", instrument="d", party="CAN"),
            fact("Withdrew", "2020", instrument="d", party="CAN", effective_on="2020-12-31"),
        ]
    )
    row = ledger.signatories("d", as_of="2020-06-01").get("CAN")
    assert row is not None
    assert row.uncertain


def test_a_corrected_link_shows_on_the_case_it_now_points_to() -> None:
    """Correcting other_case moves the reverse link too."""
    cases = [fact("Detained", "2020-01-01", **{**DETAINED, "case": slug}) for slug in "abc"]
    ledger = Ledger.from_events(
        [*cases, fact("CasesLinked", "2020-02-01", case="a", other_case="b", relation="r")]
    )
    link = next(e for e in ledger.events() if e.type == "CasesLinked")
    ledger.correct(link, {"other_case": "c"}, "wrong case")
    rows = {row.case: row.linked_cases for row in ledger.cases(as_of="2021-01-01")}
    assert rows == {"a": ("c",), "b": (), "c": ("a",)}


def test_the_error_names_the_line_of_the_new_fact_at_fault(tmp_path: Any) -> None:
    """Of two new signatures, the one that makes a stored one a second signature is named."""
    ledger = Ledger.from_events(
        [
            fact("InstrumentOpened", "2020-01-01", instrument="t", title="T", kind="treaty"),
            fact("Signed", "2020-05-01", instrument="t", party="CAN"),
        ]
    )
    log = tmp_path / "more.jsonl"
    log.write_text(
        json.dumps(fact("Signed", "2020-02-01", instrument="t", party="USA"))
        + "\n"
        + json.dumps(fact("Signed", "2020-03-01", instrument="t", party="CAN"))
        + "\n"
    )
    with pytest.raises(InvalidTransitionError, match=rf"^{log}:2: "):
        ledger.import_logs(log)


def test_an_entitys_only_fact_can_be_retracted() -> None:
    """A fabricated detention with nothing else in its case can be withdrawn from belief."""
    ledger = Ledger.from_events([fact("Detained", "2020-01-01", **DETAINED)])
    detained = next(iter(ledger.events()))
    ledger.retract(detained, "fabricated")
    assert ledger.case("x", as_of="2021-01-01") is None
    assert ledger.case("x", as_of="2021-01-01", known_at="2024-06-01") is not None
