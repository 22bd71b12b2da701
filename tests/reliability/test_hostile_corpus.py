"""Every hostile input of the corpus, through the library, `validate`, `import --db` and `status`.

The corpus (tests/hostile/corpus, written by tests/hostile/make_corpus.py) says for each
case whether it is accepted or which lines are wrong and how. Rejected input must fail
everywhere with an error naming each bad line and the problem, never a traceback, and leave
the store exactly as it was (compared row by row, read with sqlite3, not the library).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from declaration_events import DeclarationEventsError, EventLogError, Ledger, read_events
from declaration_events.cli import main
from helpers import SEED_EVENTS, SEEDS

HOSTILE = Path(__file__).parents[1] / "hostile"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", HOSTILE / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", module)
    spec.loader.exec_module(module)
    return module


make_corpus = _load_generator()
MANIFEST: dict[str, Any] = json.loads((make_corpus.CORPUS / make_corpus.MANIFEST).read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = MANIFEST["cases"]
INSTRUMENT: str = MANIFEST["instrument"]


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


@pytest.fixture(params=CASES, ids=[case["name"] for case in CASES])
def case(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """A corpus case with `paths` to its files (the 10 MB lines are written here, not committed)."""
    entry: dict[str, Any] = dict(request.param)
    if entry["name"] in make_corpus.WRITTEN_AT_TEST_TIME:
        entry["paths"] = [make_corpus.WRITTEN_AT_TEST_TIME[entry["name"]](tmp_path)]
    else:
        entry["paths"] = [make_corpus.CORPUS / name for name in entry["files"]]
    return entry


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed SQLite store holding the seeds, copied by each test that imports."""
    path = tmp_path_factory.mktemp("template") / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_logs(*SEEDS)
    return path


@pytest.fixture
def store(seeded_template: Path, tmp_path: Path) -> Path:
    """A SQLite store holding the seeds, for this test alone."""
    path = tmp_path / "store" / "ledger.sqlite"
    path.parent.mkdir()
    for source in seeded_template.parent.glob("ledger.sqlite*"):
        shutil.copy(source, path.parent / source.name)
    return path


def raw_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of a SQLite file, read with sqlite3 (not through the library)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        tables = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        # a table WITHOUT ROWID (event_ids) in the order of its key
        order = {table: "1" if "WITHOUT ROWID" in sql else "rowid" for table, sql in tables}
        return {
            table: conn.execute(f'SELECT * FROM "{table}" ORDER BY {order[table]}').fetchall()  # noqa: S608 - names from sqlite_master
            for table in sorted(order)
        }


def expected_lines(case: dict[str, Any]) -> list[tuple[str, str]]:
    """(FILE:LINE: prefix, problem pattern) of each error a rejected case must report."""
    last = str(case["paths"][-1])
    return [(f"{last}:{line}:", pattern) for line, pattern in case["errors"]]


def assert_reported(case: dict[str, Any], text: str) -> None:
    """Each expected error is on a line of `text` that names its FILE:LINE and matches its problem."""
    for where, pattern in expected_lines(case):
        assert any(where in line and re.search(pattern, line) for line in text.splitlines()), (
            where,
            pattern,
            text,
        )


def assert_one_line_per_error(case: dict[str, Any], stderr: str) -> None:
    """The CLI printed one line per bad line (format errors) or one line (a broken rule), no traceback."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == (len(case["errors"]) if case["level"] == "format" else 1), stderr
    prefix = "declaration-events: error: "  # format errors and broken rules alike (issue 18, item 15)
    assert all(line.startswith(prefix + str(case["paths"][-1])) for line in lines), stderr
    assert_reported(case, stderr)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """The CLI in this process: an exception other than the library's would fail the test here."""
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_committed_corpus_is_what_the_generator_writes() -> None:
    """tests/hostile/corpus is up to date with make_corpus.py (run it after editing the cases)."""
    assert make_corpus.stale_files() == []
    assert len(CASES) >= 30


def test_the_library_rejects_each_bad_line_or_accepts_the_case(case: dict[str, Any]) -> None:
    """`read_events` and `Ledger.from_jsonl`: the error names every bad line, or the facts are all read."""
    paths = case["paths"]
    if case["expect"] == "accept":
        ledger = Ledger.from_jsonl(*paths)
        assert len(ledger) == case["events"]
        assert len(ledger.signatories(INSTRUMENT)) == case["parties"]
        assert sum(len(read_events(path)) for path in paths) == case["events"]
        record("corpus", case=case["name"], via="library", outcome="accepted")
        return
    with pytest.raises(DeclarationEventsError) as caught:
        Ledger.from_jsonl(*paths)
    assert_reported(case, str(caught.value))
    if case["level"] == "format":
        assert isinstance(caught.value, EventLogError)
        assert len(caught.value.errors) == len(case["errors"])
        with pytest.raises(EventLogError) as again:
            read_events(paths[-1])
        assert_reported(case, str(again.value))
    else:  # well-formed lines: only the rules find the problem
        assert all(read_events(path) for path in paths)
    record("corpus", case=case["name"], via="library", outcome="rejected", bad_lines=len(case["errors"]))


def test_validate_and_status_fail_with_one_line_per_error_or_accept(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate LOG...` and `status LOG... --instrument`: exit 1 with the errors, or 0 with the facts."""
    paths = case["paths"]
    status, out, err = run(capsys, "validate", *paths)
    if case["expect"] == "accept":
        assert (status, err) == (0, "")
        assert f"ok: {case['events']} events" in out
        status, out, err = run(capsys, "status", *paths, "--instrument", INSTRUMENT, "--format", "json")
        assert (status, err) == (0, "")
        assert len(json.loads(out)["parties"]) == case["parties"]
        record("corpus", case=case["name"], via="validate+status", outcome="accepted")
        return
    assert (status, out) == (1, "")
    assert_one_line_per_error(case, err)
    status, out, err = run(capsys, "status", *paths, "--instrument", INSTRUMENT)
    assert (status, out) == (1, "")
    assert_one_line_per_error(case, err)
    record("corpus", case=case["name"], via="validate+status", outcome="rejected")


def test_import_into_sqlite_stores_all_or_nothing(
    case: dict[str, Any], store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import LOG... --db`: a rejected case leaves every row of the store as it was; an accepted one adds
    exactly its facts (verbatim), once."""
    paths = case["paths"]
    before = raw_rows(store)
    status, out, err = run(capsys, "import", *paths, "--db", store)
    if case["expect"] == "reject":
        assert (status, out) == (1, "")
        assert_one_line_per_error(case, err)
        assert raw_rows(store) == before
        status, out, err = run(capsys, "status", "--db", store, "--instrument", INSTRUMENT)
        assert status == 1
        assert "unknown instrument 'hostile-declaration'" in err  # nothing of the case was stored
        record("corpus", case=case["name"], via="import", outcome="rejected")
        return
    assert (status, err) == (0, "")
    assert f"{case['events']} events added" in out
    assert sum(len(rows) for rows in raw_rows(store).values()) > sum(len(rows) for rows in before.values())
    with Ledger.open(store) as ledger:
        stored = {event.id: event for event in ledger.events()}
        assert len(stored) == SEED_EVENTS + case["events"]
        for path in paths:
            for event in read_events(path):
                assert stored[event.id] == event  # text comes back byte for byte
    status, out, _ = run(capsys, "status", "--db", store, "--instrument", INSTRUMENT, "--format", "json")
    assert status == 0
    assert len(json.loads(out)["parties"]) == case["parties"]
    status, out, _ = run(capsys, "import", *paths, "--db", store)
    assert status == 0
    assert f"0 events added, {case['events']} already recorded" in out
    record("corpus", case=case["name"], via="import", outcome="accepted")


def test_a_real_import_process_exits_cleanly_on_every_case(case: dict[str, Any], store: Path) -> None:
    """The installed command in its own process: exit status, stderr and the store, as a user sees them."""
    before = raw_rows(store)
    env = {k: v for k, v in os.environ.items() if k != "DECLARATION_EVENTS_CIPHER_KEY"}
    result = subprocess.run(
        [sys.executable, "-m", "declaration_events", "import", *map(str, case["paths"]), "--db", str(store)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=120,
    )
    if case["expect"] == "accept":
        assert (result.returncode, result.stderr) == (0, "")
    else:
        assert result.returncode == 1
        assert result.stdout == ""
        assert_one_line_per_error(case, result.stderr)
        assert raw_rows(store) == before
    record("corpus", case=case["name"], via="process", outcome=case["expect"] + "ed")


@pytest.mark.parametrize(
    ("later", "blamed"),
    [
        (  # a retraction of the detention an earlier-recorded charge depends on
            {"type": "Retracted", "target": "00000000-0000-4000-8000-000000000003", "reason": "wrong"},
            "Retracted",
        ),
        (  # a death dated before the earlier-recorded charge: nothing but amendments follows a death
            # (a release would not do since issue 15: a charge after it is one in absentia, legal)
            {"type": "Died", "case": "hostile-case", "in_custody": True, "occurred_on": "2019-01-15"},
            "Died",
        ),
    ],
)
def test_a_new_line_that_makes_a_stored_fact_illegal_is_the_line_named(
    later: dict[str, Any], blamed: str, store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rules stop at the stored charge, but the error names the new line that broke its history."""
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    charge = {"type": "Charged", "case": "hostile-case", "charges": ["spying"], "occurred_on": "2019-02-01"}
    first.write_bytes(make_corpus.lines(*make_corpus.CONTEXT, make_corpus.fact(charge)))
    second.write_bytes(make_corpus.lines({"occurred_on": "2021-03-02", **later}))
    assert run(capsys, "import", first, "--db", store)[0] == 0
    before = raw_rows(store)
    status, out, err = run(capsys, "import", second, "--db", store)
    assert (status, out) == (1, "")
    assert err.startswith(f"declaration-events: error: {second}:1: {blamed} ")
    assert "would make the history of case:hostile-case illegal" in err
    assert len(err.splitlines()) == 1
    assert raw_rows(store) == before
