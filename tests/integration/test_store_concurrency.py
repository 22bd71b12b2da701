"""Several writer processes recording into the same instrument and case at once."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from declaration_events import InvalidTransitionError, Ledger
from declaration_events.errors import ConcurrencyError
from declaration_events.storage.durable import EventStore
from helpers import SEED_EVENTS, SEEDS

WRITERS = 4
ROUNDS = 12  # per writer: an endorsement, a charge and a shared statement, one call each

# One writer: opens the ledger, says "ready", waits for the go file, then records
# its own facts, facts every writer records identically, and finally tries to
# release the one detainee (only one writer can). Prints what happened as JSON.
WRITER = """
import json, sys, time
from pathlib import Path
import pycountry
from declaration_events import InvalidTransitionError, Ledger
from declaration_events.errors import ConcurrencyError

url, go = sys.argv[1], Path(sys.argv[5])
index, writers, rounds = (int(arg) for arg in sys.argv[2:5])
parties = sorted(country.alpha_3 for country in pycountry.countries)
ledger = Ledger.open(url)
conflicts = 0
append = ledger._store.append
def counting_append(batch, expected):
    global conflicts
    try:
        return append(batch, expected)
    except ConcurrencyError:
        conflicts += 1
        raise
ledger._store.append = counting_append
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
mine, shared = [], []
for j in range(rounds):
    party = parties[index + j * writers]
    mine.append(str(ledger.record({"type": "Endorsed", "instrument": "race-declaration", "party": party,
                                   "occurred_on": "2021-02-15"}).id))
    mine.append(str(ledger.record({"type": "Charged", "case": "race-case", "charges": [f"count {index}.{j}"],
                                   "occurred_on": "2020-01-01"}).id))
    statement = {"type": "Condemned", "actor": "CAN", "subject": f"shared statement {j}",
                 "occurred_on": "2021-02-15", "recorded_at": "2021-02-16T00:00:00+00:00"}
    shared.append(str(ledger.record(statement).id))
result = {"mine": mine, "shared": shared}
try:
    release = ledger.record({"type": "Released", "case": "race-case", "mechanism": "exchange",
                             "occurred_on": "2021-09-24", "note": f"released as recorded by writer {index}"})
    mine.append(str(release.id))
    result["released"] = True
except InvalidTransitionError as exc:
    result["released"] = False
    result["rule"] = exc.rule
result["conflicts"] = conflicts
ledger.close()
print(json.dumps(result), flush=True)
"""


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store holding the instrument and the case the writers race on."""
    if request.param == "sqlite":
        url = str(tmp_path / "ledger.sqlite")
    else:
        url = request.getfixturevalue("postgres_url")
    with Ledger.open(url) as ledger:
        ledger.record_many(
            [
                {"type": "InstrumentOpened", "instrument": "race-declaration", "title": "Race",
                 "kind": "declaration", "occurred_on": "2021-02-15"},
                {"type": "Detained", "case": "race-case", "person": "A. Person", "nationalities": ["CAN"],
                 "detaining_state": "CHN", "occurred_on": "2019-06-01"},
            ]
        )  # fmt: skip
    return url


def run_writers(url: str, tmp_path: Path) -> list[dict[str, Any]]:
    """Start the writers, let them go at once, and collect their reports."""
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), url, str(index), str(WRITERS), str(ROUNDS), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in range(WRITERS)
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
        go.touch()
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            reports.append(json.loads(out))
        return reports
    finally:
        for process in processes:
            process.kill()
            process.communicate()


def test_concurrent_writers_lose_nothing_and_duplicate_nothing(store_url: str, tmp_path: Path) -> None:
    """Every writer's facts land exactly once; identical facts from all writers land once."""
    reports = run_writers(store_url, tmp_path)
    print("conflicts retried per writer:", [r["conflicts"] for r in reports])

    with Ledger.open(store_url) as ledger:
        store = ledger._store
        assert isinstance(store, EventStore)
        stored = [record.id for _, record in store.read()]
        positions = [position for position, _ in store.read()]
        versions = {
            entity: [version for version, _ in store.stream(entity)]
            for entity in ("instrument:race-declaration", "case:race-case", "statements")
        }
        endorsed = ledger.signatories("race-declaration", as_of="2021-03-01")

    ids = Counter(str(event_id) for event_id in stored)
    assert max(ids.values()) == 1  # no event stored twice
    assert positions == sorted(positions)
    mine = [event_id for report in reports for event_id in report["mine"]]
    assert len(set(mine)) == len(mine) == WRITERS * ROUNDS * 2 + 1
    shared = {event_id for report in reports for event_id in report["shared"]}
    assert len(shared) == ROUNDS
    assert set(ids) == set(mine) | shared | {str(e) for e in stored[:2]}
    assert len(stored) == 2 + len(mine) + ROUNDS
    for entity, numbers in versions.items():
        assert numbers == list(range(1, len(numbers) + 1)), entity
    assert len(endorsed) == WRITERS * ROUNDS


def test_a_genuine_rule_conflict_between_writers_surfaces_as_the_rule_s_error(
    store_url: str, tmp_path: Path
) -> None:
    """Of writers all releasing the same detainee, one succeeds; the others get the rule's error."""
    reports = run_writers(store_url, tmp_path)
    assert sorted(report["released"] for report in reports) == [False] * (WRITERS - 1) + [True]
    assert {report.get("rule") for report in reports if not report["released"]} == {"release-in-custody"}
    with Ledger.open(store_url) as ledger:
        row = ledger.case("race-case", as_of="2021-10-01")
        assert row is not None
        assert row.status == "released"
        assert len(row.charges) == WRITERS * ROUNDS


@pytest.fixture
def two_ledgers(store_url: str) -> Iterator[tuple[Ledger, Ledger]]:
    """Two ledgers on the same store, as two processes would hold them."""
    with Ledger.open(store_url) as first, Ledger.open(store_url) as second:
        yield first, second


def interleave(ledger: Ledger, other: Ledger, fact: dict[str, Any]) -> list[int]:
    """Make `other` record `fact` just before `ledger`'s next append; return the conflicts seen."""
    store = ledger._store
    append = store.append
    conflicts: list[int] = []

    def append_after_the_other_writer(batch: Any, expected: Any) -> None:
        if not conflicts:
            other.record(fact)
        try:
            append(batch, expected)
        except ConcurrencyError:
            conflicts.append(1)
            raise

    store.append = append_after_the_other_writer  # type: ignore[method-assign]
    return conflicts


SPYING = {"type": "Charged", "case": "race-case", "charges": ["spying"], "occurred_on": "2020-01-01"}


def test_a_version_conflict_is_retried_and_both_facts_land(two_ledgers: tuple[Ledger, Ledger]) -> None:
    """A writer overtaken between its check and its append re-checks and appends after the other."""
    mine, other = two_ledgers
    conflicts = interleave(mine, other, SPYING)
    result = mine.record_many([{**SPYING, "charges": ["fraud"]}])
    assert (result.added, result.duplicates, len(conflicts)) == (1, 0, 1)
    row = mine.case("race-case", as_of="2020-02-01")
    assert row is not None
    assert sorted(row.charges) == ["fraud", "spying"]
    assert isinstance(mine._store, EventStore)
    assert [v for v, _ in mine._store.stream("case:race-case")] == [1, 2, 3]


def test_the_same_fact_recorded_by_another_writer_meanwhile_counts_as_a_duplicate(
    two_ledgers: tuple[Ledger, Ledger],
) -> None:
    """If the other writer recorded the very same fact first, the retry stores nothing more."""
    mine, other = two_ledgers
    conflicts = interleave(mine, other, SPYING)
    result = mine.record_many([SPYING])
    assert (result.added, result.duplicates, len(conflicts)) == (0, 1, 1)
    assert len(mine) == len(other) == 3


def test_a_fact_made_illegal_by_another_writer_meanwhile_fails_with_the_rule(
    two_ledgers: tuple[Ledger, Ledger],
) -> None:
    """On retry the rules see the other writer's fact, and the rule it breaks is the error."""
    mine, other = two_ledgers
    released = {"type": "Released", "case": "race-case", "mechanism": "exchange", "occurred_on": "2021-09-24"}
    interleave(mine, other, released)
    with pytest.raises(InvalidTransitionError) as caught:
        mine.record({**released, "mechanism": "pardon"})
    assert caught.value.rule == "release-in-custody"
    assert len(mine) == 3


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_processes_opening_a_new_store_at_once_all_set_it_up_and_write(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Three imports into a store that does not exist yet all succeed, and all their events land."""
    if backend == "sqlite":
        url = str(tmp_path / "new.sqlite")
    else:
        url = request.getfixturevalue("postgres_url") + "?schema=fresh"
    seeds = SEEDS
    # The statements name the declaration and a case: import them after the rest.
    first, statements = [*seeds[:3], *seeds[4:]], seeds[3]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "declaration_events", "import", str(path), "--db", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in first
    ]
    for process in processes:
        _, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
    with Ledger.open(url) as ledger:
        ledger.import_logs(statements)
        assert len(ledger) == SEED_EVENTS
