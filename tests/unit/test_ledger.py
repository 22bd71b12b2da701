"""The Ledger on the seeds and on small logs: point-in-time answers, both times, all-or-nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from declaration_events import (
    EventLogError,
    InvalidEventError,
    InvalidTransitionError,
    Ledger,
    UnknownEntityError,
)
from helpers import SEEDS

DECLARATION = "arbitrary-detention-declaration"
BLINKEN = "b42382c8-c915-4217-ac06-e3c51c896f87"


@pytest.fixture(scope="module")
def seeds() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


def test_58_states_and_the_eu_endorsed_the_declaration_on_its_launch_day(seeds: Ledger) -> None:
    """As of 2021-02-15: 59 endorsers including the EU; as of 2021-02-14: none."""
    launch = seeds.signatories(DECLARATION, as_of="2021-02-15")
    assert launch.counts == {"endorsed": 59}
    assert launch.get("EU") is not None and launch.get("CAN") is not None
    assert launch.get("HUN") is None
    assert all(row.since == date(2021, 2, 15) for row in launch)
    assert len(seeds.signatories(DECLARATION, as_of="2021-02-14")) == 0


def test_kovrig_was_charged_with_798_days_detained_at_the_launch(seeds: Ledger) -> None:
    """Kovrig on 2021-02-15: charged, 798 days; on 2021-10-01: released, 1,019 days."""
    launch = seeds.case("kovrig", as_of="2021-02-15")
    assert launch is not None
    assert (launch.status, launch.days_detained, launch.since) == ("charged", 798, date(2020, 6, 19))
    later = seeds.case("kovrig", as_of="2021-10-01")
    assert later is not None
    assert (later.status, later.days_detained) == ("released", 1019)


def test_meng_was_on_bail_with_ten_days_in_custody(seeds: Ledger) -> None:
    """Meng on 2019-06-01: on bail after ten days in custody, charges listed, requested by the US."""
    row = seeds.case("meng-wanzhou", as_of="2019-06-01")
    assert row is not None
    assert (row.status, row.days_detained, row.requested_by) == ("on_bail", 10, "USA")
    assert "bank fraud" in row.charges


def test_what_we_believed_about_spavor_depends_on_when_we_asked(seeds: Ledger) -> None:
    """On 2021-08-10 his 2021-08-11 sentence was unknown; by 2021-08-20 it was known."""
    before = seeds.case("spavor", as_of="2021-08-15", known_at="2021-08-10")
    after = seeds.case("spavor", as_of="2021-08-15", known_at="2021-08-20")
    assert before is not None and after is not None
    assert before.status == "charged" and before.sentence is None
    assert after.status == "sentenced" and after.sentence is not None


def test_a_correction_is_seen_only_from_its_record_time(seeds: Ledger) -> None:
    """The misnamed Secretary of State shows as reported until the correction was recorded."""
    then = {row.event.id: row.speaker for row in seeds.condemnations(known_at="2021-03-01")}
    now = {row.event.id: row.speaker for row in seeds.condemnations()}
    ids = [i for i in then if str(i) == BLINKEN]
    assert then[ids[0]] == "John Blinken"
    assert now[ids[0]] == "Antony Blinken"


def test_cases_not_yet_begun_are_absent(seeds: Ledger) -> None:
    """On 2018-12-05 Meng was held and Kovrig and Spavor not yet; her case began with the indictment."""
    begun = [row.case for row in seeds.cases(as_of="2018-12-05")]
    assert "meng-wanzhou" in begun and not {"kovrig", "spavor", "gershkovich"} & set(begun)
    assert seeds.case("meng-wanzhou", as_of="2018-08-21") is None
    indicted = seeds.case("meng-wanzhou", as_of="2018-08-22")
    assert indicted is not None and (indicted.status, indicted.detained_by) == ("charged_at_large", None)


def test_linked_cases_are_listed_both_ways(seeds: Ledger) -> None:
    """Kovrig's link to Meng shows on both cases."""
    kovrig = seeds.case("kovrig", as_of="2021-03-01")
    meng = seeds.case("meng-wanzhou", as_of="2021-03-01")
    assert kovrig is not None and meng is not None
    assert "meng-wanzhou" in kovrig.linked_cases
    assert {"kovrig", "spavor"} <= set(meng.linked_cases)


def test_the_ottawa_treaty_binds_canada_from_entry_into_force(seeds: Ledger) -> None:
    """Canada signed and ratified on 1997-12-03 and was a party from 1999-03-01 (derived from art. 17)."""
    before = seeds.signatories("ottawa-treaty", as_of="1998-06-01")
    canada = before.get("CAN")
    assert canada is not None and canada.status == "ratified"
    assert (canada.effective_on, canada.effective_derived) == (date(1999, 3, 1), True)
    assert before.counts == {"ratified": 13, "signed": 113}
    assert before.tally == {"signatories": 126, "contracting_states": 13, "parties": 0}
    bound = seeds.signatories("ottawa-treaty", as_of="1999-03-01").get("CAN")
    assert bound is not None and (bound.status, bound.since) == ("party", date(1999, 3, 1))


def test_a_partial_date_makes_a_row_uncertain_inside_its_period(seeds: Ledger) -> None:
    """Kosovo endorsed in 2022-10: uncertain and uncounted on 2022-10-14, certain from 2022-10-31."""
    inside = seeds.signatories(DECLARATION, as_of="2022-10-14")
    kosovo = inside.get("XKX")
    assert kosovo is not None and kosovo.uncertain and kosovo.status == "endorsed"
    assert inside.counts == {"endorsed": 59}
    after = seeds.signatories(DECLARATION, as_of="2022-10-31")
    assert after.get("XKX") is not None and not after.get("XKX").uncertain  # type: ignore[union-attr]
    assert after.counts == {"endorsed": 60}
    assert seeds.signatories(DECLARATION, as_of="2022-09-30").get("XKX") is None


def test_the_status_json_has_the_documented_shape(seeds: Ledger) -> None:
    """Keys and types of `status --format json` are a contract."""
    data = seeds.signatories(DECLARATION, as_of="2021-02-15", known_at="2026-01-01T00:00:00Z").to_dict()
    assert list(data) == ["instrument", "as_of", "known_at", "parties", "counts", "tally"]
    assert data["tally"] == {"endorsers": 59, "signatories": 0}
    assert data["as_of"] == "2021-02-15" and data["known_at"] == "2026-01-01T00:00:00+00:00"
    assert data["parties"][0] == {
        "party": "ALB",
        "name": "Albania",
        "status": "endorsed",
        "since": "2021-02-15",
        "uncertain": False,
        "effective_on": None,
        "effective_derived": False,
        "continued_from": None,
        "territories": [],
    }
    assert [p["party"] for p in data["parties"]] == sorted(p["party"] for p in data["parties"])


def test_the_cases_json_has_the_documented_shape(seeds: Ledger) -> None:
    """Keys of `cases --format json` are a contract: fields are added after the old ones, none renamed."""
    data = seeds.cases(as_of="2021-02-15").to_dict()
    assert list(data) == ["as_of", "known_at", "cases"]
    assert list(data["cases"][0]) == [
        "case",
        "person",
        "nationalities",
        "detaining_state",
        "requested_by",
        "status",
        "since",
        "days_detained",
        "charges",
        "sentence",
        "linked_cases",
        "uncertain",
        "detained_by",
        "detained_by_name",
        "charging_state",
        "basis",
        "restrictions",
        "conditions",
        "days_restricted",
        "days_deprived",
        "designations",
        "died_in_custody",
        "cause_of_death",
    ]


def test_the_timeline_of_a_party_is_in_valid_time_order(seeds: Ledger) -> None:
    """Every fact naming Canada, oldest first, found by name."""
    timeline = seeds.timeline("Canada")
    dates = [row.event.occurred_on.last for row in timeline]
    assert dates == sorted(dates)
    assert timeline.counts["Endorsed"] == 1 and timeline.counts["Detained"] == 3


# -- writing ---------------------------------------------------------------------------------

OPENED = {
    "type": "InstrumentOpened",
    "instrument": "t",
    "title": "T",
    "kind": "treaty",
    "occurred_on": "2000-01-01",
    "recorded_at": "2020-01-01T00:00:00Z",
}


def fact(**fields: Any) -> dict[str, Any]:
    return {"instrument": "t", "party": "CAN", "recorded_at": "2020-01-02T00:00:00Z", **fields}


def test_a_bad_batch_is_taken_whole_or_not_at_all() -> None:
    """One illegal fact in a batch stores none of it."""
    ledger = Ledger.from_events([OPENED])
    with pytest.raises(InvalidTransitionError, match="already-participating"):
        ledger.record_many(
            [
                fact(type="Signed", occurred_on="2000-02-01", party="USA"),
                fact(type="Signed", occurred_on="2000-03-01"),
                fact(type="Signed", occurred_on="2000-04-01"),
            ]
        )
    assert len(ledger) == 1


def test_a_batch_is_checked_in_valid_time_order_whatever_the_order_of_its_lines() -> None:
    """Facts given before the instrument's opening line are fine in one batch."""
    ledger = Ledger.from_events([fact(type="Ratified", occurred_on="2000-02-01"), OPENED])
    assert ledger.signatories("t", as_of="2000-03-01").counts == {"ratified": 1}


def test_recording_the_same_facts_twice_stores_them_once() -> None:
    """Idempotent: derived ids make re-recording a no-op."""
    ledger = Ledger.from_events([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    result = ledger.record_many([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    assert (result.added, result.duplicates, len(ledger)) == (0, 2, 2)


def test_a_fact_about_an_unknown_instrument_is_rejected() -> None:
    """No InstrumentOpened in the store or the batch: unknown instrument."""
    with pytest.raises(InvalidTransitionError, match="unknown-instrument"):
        Ledger.from_events([fact(type="Signed", occurred_on="2000-02-01")])


def test_a_statement_naming_an_unknown_case_is_rejected() -> None:
    """References from statements must resolve."""
    with pytest.raises(InvalidTransitionError, match="unknown-reference"):
        Ledger.from_events(
            [
                {
                    "type": "Condemned",
                    "actor": "CAN",
                    "subject": "x",
                    "case": "nobody",
                    "occurred_on": "2021-01-01",
                }
            ]
        )


def test_a_future_fact_is_rejected() -> None:
    """A fact dated after now (its default record time) cannot be recorded."""
    with pytest.raises(InvalidEventError, match="before it happened"):
        Ledger.from_events([{**OPENED, "occurred_on": "2999-01-01", "recorded_at": None}])
    with pytest.raises(InvalidEventError, match="in the future"):
        Ledger.from_events([{**OPENED, "recorded_at": "2999-01-01T00:00:00Z"}])


def test_corrections_and_retractions_through_the_api_change_belief_from_their_record_time() -> None:
    """correct() and retract() amend without overwriting; known_at sees the old belief."""
    ledger = Ledger.from_events([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    signed = next(e for e in ledger.events() if e.type == "Signed")
    ledger.correct(signed, {"party": "USA"}, "wrong party", recorded_at="2021-01-01T00:00:00Z")
    assert [r.party for r in ledger.signatories("t", known_at="2020-06-01")] == ["CAN"]
    assert [r.party for r in ledger.signatories("t")] == ["USA"]
    ledger.retract(signed, "never happened", recorded_at="2022-01-01T00:00:00Z")
    assert len(ledger.signatories("t")) == 0
    assert len(ledger.signatories("t", known_at="2021-06-01")) == 1


def test_an_amendment_that_leaves_an_illegal_path_is_rejected() -> None:
    """Retracting the opening of an instrument with signatures breaks the rules."""
    ledger = Ledger.from_events([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    opened = next(e for e in ledger.events() if e.type == "InstrumentOpened")
    with pytest.raises(InvalidTransitionError, match="unknown-instrument"):
        ledger.retract(opened, "oops")
    with pytest.raises(InvalidTransitionError, match="before-opening"):
        ledger.correct(opened, {"occurred_on": "2001-01-01"}, "later than thought")


def test_amending_an_amendment_or_an_unknown_event_is_rejected() -> None:
    """A retraction of a retraction, or of nothing, breaks the rules."""
    ledger = Ledger.from_events([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    signed = next(e for e in ledger.events() if e.type == "Signed")
    retraction = ledger.retract(signed, "no")
    with pytest.raises(InvalidTransitionError, match="amend-amendment"):
        ledger.retract(retraction, "no no")
    with pytest.raises(InvalidTransitionError, match="unknown-target"):
        ledger.retract("43a8e878-12ee-453f-9570-e19b662393d7", "what")
    with pytest.raises(InvalidTransitionError, match="amend-retracted"):
        ledger.correct(signed, {"party": "USA"}, "too late")


def test_a_correction_that_makes_the_event_invalid_is_rejected() -> None:
    """Corrected fields are validated like the original line."""
    ledger = Ledger.from_events([OPENED, fact(type="Signed", occurred_on="2000-02-01")])
    signed = next(e for e in ledger.events() if e.type == "Signed")
    with pytest.raises(InvalidEventError, match="unknown party 'Atlantis'"):
        ledger.correct(signed, {"party": "Atlantis"}, "typo")
    with pytest.raises(InvalidTransitionError, match="amend-entity"):
        ledger.correct(signed, {"instrument": "other"}, "moved")


def test_an_error_in_a_log_names_the_file_and_line_of_the_fact(tmp_path: Path) -> None:
    """A rule broken in a file is reported at the line of the fact that broke it."""
    import json

    log = tmp_path / "log.jsonl"
    lines = [
        OPENED,
        fact(type="Signed", occurred_on="2000-02-01"),
        fact(type="Signed", occurred_on="2000-03-01"),
    ]
    log.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with pytest.raises(InvalidTransitionError, match=rf"^{log}:3: Signed"):
        Ledger.from_jsonl(log)


def test_unknown_instruments_and_cases_in_queries_are_lookup_errors(seeds: Ledger) -> None:
    """Querying what the ledger does not know says so."""
    with pytest.raises(UnknownEntityError, match="unknown instrument 'nope'"):
        seeds.signatories("nope")
    with pytest.raises(UnknownEntityError, match="unknown case 'nope'"):
        seeds.case("nope")
    with pytest.raises(InvalidEventError, match="as_of"):
        seeds.signatories(DECLARATION, as_of="yesterday")


def test_several_logs_load_as_one_batch_and_report_all_their_bad_lines(tmp_path: Path) -> None:
    """Errors from several files are reported together; nothing is loaded."""
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("oops\n")
    b.write_text("{}\n")
    with pytest.raises(EventLogError) as caught:
        Ledger.from_jsonl(a, b)
    assert [(e.source, e.line) for e in caught.value.errors] == [(str(a), 1), (str(b), 1)]


def test_the_ledger_round_trips_through_jsonl(seeds: Ledger, tmp_path: Path) -> None:
    """to_jsonl then from_jsonl gives the same events and the same answers."""
    path = tmp_path / "all.jsonl"
    assert seeds.to_jsonl(path) == len(seeds)
    again = Ledger.from_jsonl(path)
    assert sorted(e.id for e in again.events()) == sorted(e.id for e in seeds.events())
    assert (
        again.cases(as_of="2021-02-15", known_at="2026-01-01").to_dict()
        == seeds.cases(as_of="2021-02-15", known_at="2026-01-01").to_dict()
    )


def test_after_a_load_a_query_is_a_lookup_not_a_replay(monkeypatch: pytest.MonkeyPatch) -> None:
    """The write side's folds index the projection: no fold runs again for queries now."""
    import declaration_events.projections as projections

    ledger = Ledger.from_jsonl(*SEEDS)

    def no_replay(*args: object, **kwargs: object) -> None:
        raise AssertionError("a query replayed the history")

    monkeypatch.setattr(projections, "fold_instrument", no_replay)
    monkeypatch.setattr(projections, "fold_case", no_replay)
    assert ledger.signatories(DECLARATION, as_of="2021-02-15").counts == {"endorsed": 59}
    assert ledger.signatories(DECLARATION, as_of="2023-01-01").counts == {"endorsed": 60}
    assert len(ledger.cases(as_of="2021-02-15")) == 11
