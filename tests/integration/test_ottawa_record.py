"""The Ottawa seed under the Convention's final clauses gives the published figures.

Every date of effect here is derived by the ledger from the final clauses on the first line
(issue 13): the seed carries `effective_on` only for the two successions. The figures were
checked against the tables in tests/data with plain Python (see tests/data/README.md).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from declaration_events import Ledger, resolve_party

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
TREATY = "ottawa-treaty"

CONSENTS = {"Ratification", "Acceptance", "Approval", "Accession", "Succession"}
#: Rows whose "Date of Effect" is wrong, with the date the law gives (tests/data/README.md).
TABLE_ERRORS = {("Belarus", "Accession"): date(2004, 3, 1)}


def _day(text: str) -> date | None:
    text = text.strip()
    return date(int(text[6:]), int(text[3:5]), int(text[:2])) if text else None


def _effects(action_kinds: set[str]) -> dict[date, set[str]]:
    """Table date of effect -> the states whose action of these kinds takes effect that day."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for path in (DATA / "untc_I-35597_ottawa_2016.csv", DATA / "ottawa_updates_2017_2026.csv"):
        with path.open(encoding="utf-8", newline="") as table:
            for row in csv.DictReader(table):
                if row["Action"] in action_kinds:
                    key = (row["Participant"], row["Action"])
                    effect = TABLE_ERRORS.get(key) or _day(row["Date of Effect"])
                    assert effect is not None, key
                    by_day[effect].add(resolve_party(row["Participant"]))
    return by_day


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_jsonl(ROOT / "seeds" / "ottawa-treaty.jsonl")


def tally(ledger: Ledger, as_of: str) -> dict[str, int]:
    result = ledger.signatories(TREATY, as_of=as_of)
    assert set(result.tally) == {"signatories", "contracting_states", "parties"}
    return dict(result.tally)


def test_forty_consents_are_deposited_on_16_september_1998(ledger: Ledger) -> None:
    """Burkina Faso and Equatorial Guinea deposit the 39th and 40th instruments that day."""
    assert tally(ledger, "1998-09-15")["contracting_states"] == 38
    on_the_day = tally(ledger, "1998-09-16")
    assert (on_the_day["contracting_states"], on_the_day["parties"]) == (40, 0)


def test_45_states_are_parties_when_the_convention_enters_into_force(ledger: Ledger) -> None:
    """The 40, and the five that deposited later in September 1998; the 22 of October to
    February wait for the first day of the sixth month after their deposit (art. 17(2))."""
    assert tally(ledger, "1999-02-28")["parties"] == 0
    assert tally(ledger, "1999-03-01") == {"signatories": 133, "contracting_states": 67, "parties": 45}
    assert tally(ledger, "1999-04-01")["parties"] == 45 + 4  # Guinea, Panama, Qatar, Slovenia


def test_101_contracting_states_on_5_september_2000(ledger: Ledger) -> None:
    """Consents deposited by then, whether in force for them or not yet."""
    assert tally(ledger, "2000-09-05") == {"signatories": 133, "contracting_states": 101, "parties": 94}


def test_164_parties_and_one_signed_only_state_on_31_august_2022(ledger: Ledger) -> None:
    """The Marshall Islands signed in 1997 and had not ratified; 133 signatures stand."""
    result = ledger.signatories(TREATY, as_of="2022-08-31")
    assert tally(ledger, "2022-08-31") == {"signatories": 133, "contracting_states": 164, "parties": 164}
    assert [row.party for row in result if row.status == "signed"] == ["MHL"]


def test_166_contracting_states_on_30_june_2025_of_which_164_are_bound(ledger: Ledger) -> None:
    """ICBL's "166th State Party" (Tonga, 25 June 2025) counts deposits: the Marshall Islands
    (ratified 12 March 2025) and Tonga are bound only from 1 September and 1 December 2025. The
    three Baltic states notified their withdrawal on 27 June and are parties until 27 December."""
    on_the_day = tally(ledger, "2025-06-30")
    assert (on_the_day["contracting_states"], on_the_day["parties"]) == (166, 164)
    withdrawing = ledger.signatories(TREATY, as_of="2025-06-30")
    assert {row.party for row in withdrawing if row.status == "withdrawing"} == {"EST", "LTU", "LVA"}
    # Ukraine's suspension (18 July 2025): still a contracting state, no longer counted a party.
    assert tally(ledger, "2025-12-01") == {"signatories": 133, "contracting_states": 166, "parties": 165}


def test_161_parties_on_21_february_2026_after_five_withdrawals(ledger: Ledger) -> None:
    """Estonia, Latvia, Lithuania (27 December 2025), Finland (10 January) and Poland (20 February);
    Ukraine, suspended, is among the 161 contracting states, not among the 160 parties."""
    assert tally(ledger, "2026-02-19")["parties"] == 161
    on_the_day = tally(ledger, "2026-02-21")
    assert (on_the_day["contracting_states"], on_the_day["parties"]) == (161, 160)
    assert on_the_day == tally(ledger, "2026-12-01")
    result = ledger.signatories(TREATY, as_of="2026-02-21")
    assert {row.party for row in result if row.status == "withdrawn"} == {"EST", "FIN", "LTU", "LVA", "POL"}


def test_each_state_is_bound_from_the_table_s_date_of_effect_except_where_the_table_is_wrong(
    ledger: Ledger,
) -> None:
    """Every consent's derived date of effect is the table's, Belarus's the law's (1 March 2004)."""
    for effect, states in sorted(_effects(CONSENTS).items()):
        on_the_day = ledger.signatories(TREATY, as_of=effect)
        before = ledger.signatories(TREATY, as_of=effect - timedelta(days=1))
        for state in states:
            row = on_the_day.get(state)
            assert row is not None and (row.status, row.since) == ("party", effect), (state, row)
            earlier = before.get(state)
            assert earlier is None or earlier.status != "party", (state, earlier)


def test_each_withdrawal_takes_effect_six_months_after_its_notification(ledger: Ledger) -> None:
    """Art. 20(3): withdrawing until the day six months on, withdrawn from it."""
    for effect, states in sorted(_effects({"Withdrawal"}).items()):
        on_the_day = ledger.signatories(TREATY, as_of=effect)
        before = ledger.signatories(TREATY, as_of=effect - timedelta(days=1))
        for state in states:
            row, earlier = on_the_day.get(state), before.get(state)
            assert row is not None and (row.status, row.since) == ("withdrawn", effect), (state, row)
            assert earlier is not None and earlier.status == "withdrawing", (state, earlier)
