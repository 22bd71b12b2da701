"""The Ottawa seed is the UN table and the later actions, converted by scripts/ottawa_seed.py."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from declaration_events import resolve_party

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "ottawa-treaty.jsonl"


def _load_converter() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ottawa_seed", ROOT / "scripts" / "ottawa_seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ottawa_seed", module)
    spec.loader.exec_module(module)
    return module


converter = _load_converter()
ROWS = [*converter.read_table(converter.UNTC_TABLE), *converter.read_table(converter.UPDATES_TABLE)]
UPDATES = converter.read_table(converter.UPDATES_TABLE)


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    return [json.loads(text) for text in SEED.read_text(encoding="utf-8").splitlines()]


def test_the_committed_seed_is_what_the_converter_makes_of_tests_data() -> None:
    """Run the converter as a function: its output is the committed file, byte for byte."""
    assert converter.render(converter.seed_lines()) == SEED.read_text(encoding="utf-8")
    assert converter.main(["--check"]) == 0


def test_the_converter_reads_only_the_repository(tmp_path: Path) -> None:
    """Its inputs are tests/data, so the seed does not depend on ../shared."""
    assert converter.UNTC_TABLE.parent == converter.UPDATES_TABLE.parent == ROOT / "tests" / "data"
    out = tmp_path / "seed.jsonl"
    assert converter.main(["--output", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == SEED.read_text(encoding="utf-8")


def test_every_line_has_sources_and_every_source_says_where(lines: list[dict[str, Any]]) -> None:
    """Sources on every line, each with a url or a title; every fact cites the UN status page."""
    for line in lines:
        assert line["sources"], line
        assert all(source.get("url") or source.get("title") for source in line["sources"])
        assert converter.UNTC_STATUS in line["sources"] or line["type"] in {"EnteredIntoForce", "Corrected"}


def test_the_counts_per_action_match_the_rows_of_the_tables(lines: list[dict[str, Any]]) -> None:
    """One line per row: 133 signatures, every consent mode, five withdrawals, Ukraine's suspension;
    a territorial application is a line per territory it names (the Netherlands', whose territory
    the sources do not say, is left out); Serbia's declaration is its continuation; the instrument,
    its entry into force and one correction are added."""
    actions = Counter(row.action for row in ROWS)
    written = Counter(
        (line["type"], line.get("mode"))
        for line in lines
        if line["type"] in {"Signed", "Ratified", "Withdrew"}
    )
    expected = Counter(
        {
            ("Signed", None): actions["Signature"],
            ("Withdrew", None): actions["Withdrawal"],
            **{("Ratified", mode): actions[action] for action, mode in converter.CONSENTS.items()},
        }
    )
    assert written == expected
    assert written[("Signed", None)] == 133 and written[("Withdrew", None)] == 5
    assert sum(n for (kind, _), n in written.items() if kind == "Ratified") == 162 + 4
    left_out = {action: n for action, n in actions.items() if action in converter.LEFT_OUT}
    assert left_out == {"Declaration": 1, "Territorial application": 3}
    others = Counter(line["type"] for line in lines if line["type"] not in {"Signed", "Ratified", "Withdrew"})
    assert others == {
        "InstrumentOpened": 1,
        "EnteredIntoForce": 1,
        "Corrected": 1,
        "Continued": 1,
        "TerritoryIncluded": 11 + 3,
        "Suspended": actions["Suspension"],
    }
    assert len(lines) == len(ROWS) - sum(left_out.values()) + 4 + 14


def test_every_fact_names_the_state_of_its_row_by_alpha_3_code(lines: list[dict[str, Any]]) -> None:
    """Parties are stored codes, one per participant of the tables (Serbia's row is its continuation)."""
    parties = {line["party"] for line in lines if "party" in line}
    participants = {row.participant for row in ROWS if row.action not in converter.LEFT_OUT} | {"Serbia"}
    assert parties == {resolve_party(name) for name in participants}
    assert all(len(party) == 3 and party.isupper() for party in parties)
    assert {"SCG", "YEM", "MKD", "MNE", "SSD", "PSE"} <= parties


def test_the_first_line_opens_the_treaty_with_its_final_clauses_and_kept_id(
    lines: list[dict[str, Any]],
) -> None:
    """The instrument keeps its id, title, initiator and note; the clauses are the Convention's."""
    first = lines[0]
    assert first["type"] == "InstrumentOpened" and first["id"] == "43a8e878-12ee-453f-9570-e19b662393d7"
    assert (first["instrument"], first["kind"], first["initiator"], first["occurred_on"]) == (
        "ottawa-treaty",
        "treaty",
        "CAN",
        "1997-12-03",
    )
    assert first["final_clauses"] == {
        "consents_required": 40,
        "entry_into_force": {"months": 6, "day": 1},
        "later_consents": {"months": 6, "day": 1},
        "withdrawal": {"months": 6},
        "signature_closes": "at_entry_into_force",
    }
    assert first["note"].startswith("Ottawa Treaty (Mine Ban Treaty). As reported by the article")
    assert not any("id" in line for line in lines[1:])


def test_the_earlier_seed_s_facts_are_all_still_there(lines: list[dict[str, Any]]) -> None:
    """Canada signed and ratified on 1997-12-03, entry into force on 1999-03-01, the correction."""
    facts = {(line["type"], line.get("party"), line["occurred_on"]) for line in lines}
    assert {
        ("Signed", "CAN", "1997-12-03"),
        ("Ratified", "CAN", "1997-12-03"),
        ("EnteredIntoForce", None, "1999-03-01"),
        ("Corrected", None, "2026-11-01"),
    } <= facts
    corrected = next(line for line in lines if line["type"] == "Corrected")
    assert corrected["target"] == lines[0]["id"]


def test_only_the_successions_carry_an_effective_on_the_clauses_cannot_derive(
    lines: list[dict[str, Any]],
) -> None:
    """Montenegro and South Sudan take effect on the date of succession, before notifying it."""
    explicit = {
        (line["party"], line["occurred_on"], line["effective_on"]) for line in lines if "effective_on" in line
    }
    assert explicit == {("MNE", "2006-10-23", "2006-06-03"), ("SSD", "2011-11-11", "2011-07-09")}


def test_the_clauses_give_the_table_s_date_of_effect_except_where_the_table_is_wrong() -> None:
    """Art. 17 and 20(3) computed from the deposits agree with every row but Belarus's."""
    derived = converter.derived_effects(ROWS)
    differing = {
        (row.participant, row.action): (row.effect, effect)
        for row, effect in derived.items()
        if row.effect != effect
    }
    assert differing == {
        ("Belarus", "Accession"): (date(2004, 2, 1), date(2004, 3, 1)),
        ("Montenegro", "Succession"): (date(2006, 6, 3), date(2007, 4, 1)),
        ("South Sudan", "Succession"): (date(2011, 7, 9), date(2012, 5, 1)),
    }
    assert set(converter.TABLE_ERRORS) == {("Belarus", "Accession")}


def test_a_consent_after_the_fortieth_waits_six_months_even_before_entry_into_force() -> None:
    """Art. 17(2): Guinea deposited on 8 October 1998 and was bound from 1 April 1999, not 1 March."""
    derived = {
        (row.participant, row.action): effect for row, effect in converter.derived_effects(ROWS).items()
    }
    assert derived[("Burkina Faso", "Ratification")] == date(1999, 3, 1)
    assert derived[("Japan", "Acceptance")] == date(1999, 3, 1)  # 30 September 1998
    assert derived[("Guinea", "Ratification")] == date(1999, 4, 1)
    assert derived[("Lithuania", "Withdrawal")] == date(2025, 12, 27)


def test_every_line_is_recorded_after_it_happened_and_the_log_is_in_order(
    lines: list[dict[str, Any]],
) -> None:
    """recorded_at >= occurred_on; the 2016 rows at the export, the later ones when reported."""
    for line in lines:
        recorded = datetime.fromisoformat(line["recorded_at"])
        assert recorded.date() >= date.fromisoformat(line["occurred_on"]), line
    stamps = {line["recorded_at"] for line in lines if line.get("party") and line["occurred_on"] < "2016"}
    assert stamps == {"2016-03-08T00:00:00+00:00"}
    reported = {(resolve_party(row.participant), row.reported_on) for row in UPDATES if row.reported_on}
    later = {
        (line["party"], datetime.fromisoformat(line["recorded_at"]).date())
        for line in lines
        if line.get("party") and line["occurred_on"] > "2016"
    }
    assert later == reported  # Ukraine's suspension included
    keys = [(line["occurred_on"], line.get("party", "")) for line in lines[1:]]
    assert keys == sorted(keys)


def test_no_signature_comes_after_entry_into_force(lines: list[dict[str, Any]]) -> None:
    """Art. 15: open for signature until entry into force on 1 March 1999; the last were in February."""
    signed = sorted(line["occurred_on"] for line in lines if line["type"] == "Signed")
    assert signed[0] == "1997-12-03" and signed[-1] == "1999-02-26"
