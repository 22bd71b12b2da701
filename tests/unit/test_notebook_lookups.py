"""Looking a row up in a result: by any name of a party or a case, with `get`, `[]` and `in`."""

from __future__ import annotations

import json
import re

import pytest

from declaration_events import Cases, Ledger, Signatories, UnknownPartyError
from helpers import ROOT, SEEDS

DECLARATION = "arbitrary-detention-declaration"
ARGUMENTS = json.loads((ROOT / "tests" / "hostile" / "arguments.json").read_text(encoding="utf-8"))
PARTIES, CASES = ARGUMENTS["parties"], ARGUMENTS["cases"]


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


@pytest.fixture(scope="module")
def launch(ledger: Ledger) -> Signatories:
    return ledger.signatories(DECLARATION, as_of="2021-02-15")


@pytest.fixture(scope="module")
def cases(ledger: Ledger) -> Cases:
    return ledger.cases(as_of="2021-02-15")


@pytest.mark.parametrize(("name", "code"), sorted(PARTIES["found"].items()))
def test_a_party_is_found_by_any_name_a_log_may_use(launch: Signatories, name: str, code: str) -> None:
    """`get`, `[]` and `in` resolve codes, alpha-2, any case and English names, as logs do."""
    row = launch.get(name)
    assert row is not None and row.party == code
    assert launch[name] is row
    assert name in launch


@pytest.mark.parametrize(("name", "message"), sorted(PARTIES["no_status"].items()))
def test_a_real_party_without_a_status_is_none_a_key_error_and_not_in(
    launch: Signatories, name: str, message: str
) -> None:
    """A party that had not joined: `get` is None, `[]` a KeyError naming it, `in` False."""
    assert launch.get(name) is None
    assert name not in launch
    with pytest.raises(KeyError, match=re.escape(message)):
        launch[name]


@pytest.mark.parametrize(("name", "message"), sorted(PARTIES["unknown"].items()))
def test_a_name_that_is_no_party_is_an_error_with_suggestions(
    launch: Signatories, name: str, message: str
) -> None:
    """A typo is not silently 'no status': every lookup raises UnknownPartyError, with close matches."""
    for lookup in (launch.get, launch.__getitem__, launch.__contains__):
        with pytest.raises(UnknownPartyError, match=message):
            lookup(name)


def test_rows_are_still_indexed_by_position_and_slice(launch: Signatories, cases: Cases) -> None:
    """`result[0]`, `result[-1]`, `result[:2]` and `row in result` work as before."""
    assert launch[0].party == "ALB" and launch[-1] is launch.rows[-1]
    assert launch[:2] == launch.rows[:2]
    assert launch[0] in launch and cases[0] in cases
    assert cases[5].case == "meng-wanzhou" and cases[-1].case == "zaghari-ratcliffe"  # by slug


@pytest.mark.parametrize(("name", "slug"), sorted(CASES["found"].items()))
def test_a_case_is_found_by_slug_in_any_case_or_by_the_person_s_name(
    cases: Cases, name: str, slug: str
) -> None:
    """`get`, `[]` and `in` take `kovrig`, `Kovrig`, `meng_wanzhou` or `Michael Kovrig`."""
    row = cases.get(name)
    assert row is not None and row.case == slug
    assert cases[name] is row
    assert name in cases


@pytest.mark.parametrize(("name", "message"), sorted(CASES["missing"].items()))
def test_a_missing_case_is_none_not_in_and_a_key_error_naming_close_slugs(
    cases: Cases, name: str, message: str
) -> None:
    """An unknown or misspelt case: `get` None, `in` False, `[]` a KeyError with close slugs."""
    assert cases.get(name) is None
    assert name not in cases
    with pytest.raises(KeyError, match=re.escape(message)):
        cases[name]


def test_results_without_names_say_so_when_indexed_by_a_string(ledger: Ledger) -> None:
    """Condemnations have no name per row: a string index is a TypeError that says how to index."""
    with pytest.raises(TypeError, match="looked up by position"):
        ledger.condemnations()["CAN"]
