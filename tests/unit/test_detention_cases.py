"""Detention cases as they really unfold (issue 15): rows, days, captors, designations, seeds, CLI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from declaration_events import InvalidTransitionError, Ledger, parse_event, redact_events
from declaration_events.cli import main
from declaration_events.rules import RULES
from declaration_events.testing.strategies import _OFFENCES
from helpers import ROOT, SEEDS

RECORDED = "2025-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def seeds() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


def fact(kind: str, on: str, **fields: Any) -> dict[str, Any]:
    """One line of the log, recorded after everything in these tests."""
    return {"type": kind, "occurred_on": on, "recorded_at": RECORDED, **fields}


HOSTAGE = {"case": "h", "person": "P", "nationalities": ["USA"], "detained_by": "actor:some-group"}
GROUP = fact("ActorRegistered", "2019-01-01", actor="some-group", name="Some Group", wikidata="Q42")


# -- the seeds -----------------------------------------------------------------------------------


def test_the_meng_case_starts_with_the_indictment_as_it_became_known(seeds: Ledger) -> None:
    """Charged at large from 2018-08-22 (known from the bail hearing of 2018-12-07); held from the arrest."""
    indicted = seeds.case("meng-wanzhou", as_of="2018-09-01")
    assert indicted is not None
    assert (indicted.status, indicted.charging_state, indicted.detained_by, indicted.days_detained) == (
        "charged_at_large",
        "USA",
        None,
        0,
    )
    assert seeds.case("meng-wanzhou", as_of="2018-09-01", known_at="2018-12-06") is None
    arrested = seeds.case("meng-wanzhou", as_of="2018-12-05")
    assert arrested is not None and (arrested.status, arrested.detained_by) == ("charged", "CAN")
    launch = seeds.case("meng-wanzhou", as_of="2021-02-15")
    assert launch is not None
    assert (launch.status, launch.days_detained, launch.days_restricted, launch.restrictions) == (
        "on_bail",
        10,
        797,
        ("bail",),
    )
    assert launch.charges == ("bank fraud", "wire fraud", "conspiracy")


def test_the_formal_arrests_of_the_michaels_change_the_basis_not_the_status(seeds: Ledger) -> None:
    """From 2019-05-16 the rows show the formal arrest; status, since and the 798 days stay as they were."""
    before = seeds.case("kovrig", as_of="2019-05-15")
    after = seeds.case("spavor", as_of="2019-05-16")
    assert before is not None and after is not None
    assert (before.status, before.since, before.basis) == ("detained", date(2018, 12, 10), None)
    assert (after.status, after.since) == ("detained", date(2018, 12, 10))
    assert after.basis is not None and after.basis.startswith("formal arrest")
    kovrig = seeds.case("kovrig", as_of="2021-02-15")
    assert kovrig is not None and (kovrig.status, kovrig.days_detained) == ("charged", 798)
    assert kovrig.basis is not None and kovrig.basis.startswith("formal arrest")


def test_a_formal_arrest_is_in_the_captors_timeline(seeds: Ledger) -> None:
    """The change of basis names no party but is part of China's record, beside the detention it follows."""
    china = [(row.on, row.type, row.entity) for row in seeds.timeline("China")]
    assert ("2019-05-16", "CustodyChanged", "case:kovrig") in china
    assert china.index(("2018-12-10", "Detained", "case:kovrig")) < china.index(
        ("2019-05-16", "CustodyChanged", "case:kovrig")
    )


def test_days_across_custody_furlough_exit_ban_and_release_in_the_seeds(seeds: Ledger) -> None:
    """Zaghari-Ratcliffe: 1,444 days in prison, 355 on furlough, 374 under an exit ban, none after release."""
    for as_of in ("2022-03-16", "2024-01-01"):
        row = seeds.case("zaghari-ratcliffe", as_of=as_of)
        assert row is not None
        assert (row.days_detained, row.days_restricted, row.days_deprived) == (1444, 355 + 374, 1444)
    furlough = seeds.case("zaghari-ratcliffe", as_of="2020-04-01")
    assert furlough is not None
    assert (furlough.status, furlough.days_detained, furlough.days_restricted) == ("furlough", 1444, 15)
    assert dict(furlough.conditions)["furlough"].startswith("electronic ankle tag")


def test_house_arrest_counts_as_deprivation_of_liberty(seeds: Ledger) -> None:
    """Baquer Namazi's years at home count in days_deprived and days_restricted, not in days_detained."""
    row = seeds.case("baquer-namazi", as_of="2024-01-01")
    assert row is not None and row.status == "released"
    house = row.days_deprived - row.days_detained
    assert house > 0 and row.days_restricted > house  # the exit ban came after the house arrest


def test_every_outcome_shows_in_the_seeds(seeds: Ledger) -> None:
    """Released, died (in custody and after it), escaped and missing, each with its date."""
    rows = {row.case: row for row in seeds.cases(as_of="2024-12-31")}
    assert (rows["warmbier"].status, rows["warmbier"].died_in_custody) == ("died", False)
    assert (rows["foley"].status, rows["foley"].died_in_custody) == ("died", True)
    assert (rows["ghosn"].status, rows["ghosn"].since) == ("escaped", date(2019, 12, 29))
    assert (rows["tice"].status, rows["tice"].since) == ("missing", date(2012, 8, 14))
    assert rows["gershkovich"].status == "released"


def test_every_new_event_type_is_used_by_the_seeds() -> None:
    """The seeds show each event the issue added, so a reader has a real example of every one."""
    types = {json.loads(line)["type"] for path in SEEDS for line in path.read_text().splitlines() if line}
    new = {"CustodyChanged", "Restricted", "RestrictionLifted", "Died", "Escaped", "Disappeared"}
    assert new | {"Designated", "ActorRegistered"} <= types


def test_every_seed_line_cites_a_source() -> None:
    """Each fact of the detention seeds says where it was reported."""
    for name in ("detention-cases.jsonl", "worldwide-detention-cases.jsonl"):
        for number, line in enumerate((ROOT / "seeds" / name).read_text().splitlines(), start=1):
            assert json.loads(line).get("sources"), f"{name}:{number} has no source"


# -- captors that are not states -------------------------------------------------------------------


def test_a_non_state_captor_must_be_registered_and_is_shown_by_its_name() -> None:
    """Unregistered: refused (unknown-actor); registered in the same batch: accepted and named."""
    with pytest.raises(InvalidTransitionError) as refused:
        Ledger.from_events([fact("Detained", "2020-01-31", **HOSTAGE)])
    assert refused.value.rule == "unknown-actor" and "actor some-group" in str(refused.value)
    ledger = Ledger.from_events([fact("Detained", "2020-01-31", **HOSTAGE), GROUP])
    row = ledger.case("h", as_of="2020-02-01")
    assert row is not None
    assert (row.detained_by, row.detaining_state, row.detained_by_name) == (
        "actor:some-group",
        "actor:some-group",
        "Some Group",
    )
    assert ledger.actors()["actor:some-group"].wikidata == "Q42"
    late = Ledger.from_events(
        [fact("Detained", "2020-01-31", **HOSTAGE), {**GROUP, "occurred_on": "2020-06"}]
    )
    unnamed, named = late.case("h", as_of="2020-02-01"), late.case("h", as_of="2020-06-30")
    assert unnamed is not None and named is not None  # a name holds from its registration, like any fact
    assert (unnamed.detained_by_name, named.detained_by_name) == ("actor:some-group", "Some Group")
    assert [r.type for r in ledger.timeline("actor:some-group")] == ["ActorRegistered", "Detained"]


def test_an_actor_is_registered_once_and_renamed_by_a_correction() -> None:
    """A second registration is refused; a correction renames the actor from its record time on."""
    ledger = Ledger.from_events([GROUP, fact("Detained", "2020-01-31", **HOSTAGE)])
    with pytest.raises(InvalidTransitionError) as refused:
        ledger.record(fact("ActorRegistered", "2020-06-01", actor="some-group", name="Again"))
    assert refused.value.rule == "register-once"
    registered = ledger.actors()["actor:some-group"]
    ledger.correct(
        registered, {"name": "Some Group (renamed)"}, "renamed", recorded_at="2025-02-01T00:00:00Z"
    )
    before = ledger.case("h", known_at="2025-01-15")
    after = ledger.case("h")
    assert before is not None and after is not None
    assert (before.detained_by_name, after.detained_by_name) == ("Some Group", "Some Group (renamed)")


def test_detaining_state_is_still_accepted_and_both_names_must_agree() -> None:
    """Old lines keep working; a line naming two different captors is refused, naming both fields."""
    ledger = Ledger.from_events(
        [fact("Detained", "2020-01-01", case="k", person="P", nationalities=["CAN"], detaining_state="China")]
    )
    row = ledger.case("k")
    assert row is not None and (row.detained_by, row.detaining_state) == ("CHN", "CHN")
    with pytest.raises(ValueError, match="detained_by 'CHN' and detaining_state 'RUS'"):
        ledger.record(
            fact("Detained", "2021-01-01", case="j", person="P", nationalities=["CAN"], detained_by="CHN",
                 detaining_state="Russia")
        )  # fmt: skip


# -- designations ------------------------------------------------------------------------------------


def test_cases_can_be_filtered_by_a_designation_in_force(seeds: Ledger) -> None:
    """Only cases designated by the query date; the result says which designation it lists."""
    wrongful = seeds.cases(as_of="2024-12-31", designation="wrongful_detention")
    assert [row.case for row in wrongful] == ["gershkovich"]
    assert [(d.designation, d.by, d.reference) for d in wrongful[0].designations] == [
        ("wrongful_detention", "USA", "US Department of State determination")
    ]
    assert seeds.cases(as_of="2023-04-09", designation="wrongful_detention").rows == ()
    opinions = seeds.cases(as_of="2024-12-31", designation="arbitrary_detention_opinion")
    assert {row.case for row in opinions} == {"zaghari-ratcliffe", "ghosn", "siamak-namazi", "baquer-namazi"}
    assert opinions.to_dataframe().attrs["designation"] == "arbitrary_detention_opinion"
    assert "Detention cases designated arbitrary_detention_opinion" in str(opinions)
    with pytest.raises(ValueError, match="designation 'wrongful': expected one of wrongful_detention"):
        seeds.cases(designation="wrongful")


def test_the_cases_command_filters_by_designation(capsys: pytest.CaptureFixture[str]) -> None:
    """`cases --designation` prints only those cases; an unknown one is a usage error."""
    args = ["cases", *map(str, SEEDS), "--as-of", "2024-12-31"]
    assert main([*args, "--designation", "wrongful_detention", "--format", "json"]) == 0
    assert [c["case"] for c in json.loads(capsys.readouterr().out)["cases"]] == ["gershkovich"]
    with pytest.raises(SystemExit) as usage:
        main([*args, "--designation", "hostage"])
    assert usage.value.code == 2 and "invalid choice: 'hostage'" in capsys.readouterr().err


# -- outputs -------------------------------------------------------------------------------------------


def test_rows_show_restrictions_and_days_in_every_output(seeds: Ledger) -> None:
    """Text, CSV, JSON and DataFrame all carry restrictions, the three day counts and designations."""
    result = seeds.cases(as_of="2021-02-15", only=["zaghari-ratcliffe", "meng-wanzhou"])
    text = str(result)
    assert "restricted" in text and "furlough" in text and "on_bail" in text
    csv_header = result.to_csv().splitlines()[0].split(",")
    assert {"detained_by", "restrictions", "days_restricted", "days_deprived", "designations"} <= set(
        csv_header
    )
    data = {c["case"]: c for c in result.to_dict()["cases"]}
    assert data["zaghari-ratcliffe"]["restrictions"] == ["furlough"]
    assert data["zaghari-ratcliffe"]["designations"][0]["by"] == "un-wgad"
    frame = result.to_dataframe().set_index("case")
    assert frame.loc["meng-wanzhou", "days_restricted"] == 797
    assert str(frame["died_in_custody"].dtype) == "boolean"
    assert "UN Working Group on Arbitrary Detention" in result._repr_html_()


def test_cases_over_time_count_restrictions_and_outcomes(seeds: Ledger) -> None:
    """Each status is a column; a sample equals `cases().counts` that day."""
    sweep = seeds.cases_over_time(start="2020-01-01", end="2024-12-31", freq="Y")
    assert {"furlough", "exit_ban", "escaped", "missing", "died", "house_arrest"} <= set(sweep.columns)
    counts = seeds.cases(as_of="2021-12-31").counts
    assert {k: v for k, v in sweep.loc["2021-12-31"].to_dict().items() if v} == counts


# -- every rule is named and generated ---------------------------------------------------------------


def test_every_rule_has_a_generator_of_offending_facts() -> None:
    """`illegal_events` knows how to break each rule of RULES, old and new."""
    assert set(_OFFENCES) == set(RULES)
    assert (
        "charge-in-custody" not in RULES and "sentence-in-custody" not in RULES
    )  # acts in absentia are legal


def test_a_charge_naming_the_person_is_pseudonymised_like_a_detention() -> None:
    """Redaction learns names from a charge that opens a case, so a person never detained is not exposed."""
    charged = fact("Charged", "2018-08-22", case="m", charges=["fraud by Ann Example"], person="Ann Example",
                   nationalities=["CHN"], charging_state="USA")  # fmt: skip
    [redacted] = redact_events([parse_event(charged)], "a secret key of at least 16 bytes")
    assert "Ann" not in redacted.to_json() and "Example" not in redacted.to_json()
    assert redacted.person is not None and redacted.person.startswith("person-")  # type: ignore[union-attr]
