"""Killing an import midway leaves the store as it was; running it again completes it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from declaration_events import Ledger
from helpers import SEED_EVENTS, SEEDS

CASES = 4000  # x 3 events: a 12,000-line, 2 MB log

# Runs the real `import` command, with the recorder paused inside its write
# transaction after half (SQLite) or all (PostgreSQL) of the rows are inserted,
# so that the test can look at the store from outside and then SIGKILL it there.
PAUSING_IMPORT = """
import sys, time
backend, url, log = sys.argv[1:4]
if backend == "sqlite":
    from declaration_events.storage.sqlite import StampingSQLiteRecorder as Recorder
    insert = Recorder._insert_events
    def pausing(self, cursor, stored_events, **kwargs):
        half = len(stored_events) // 2
        insert(self, cursor, stored_events[:half], **kwargs)
        print("paused after", half, "rows", flush=True)
        time.sleep(600)
    Recorder._insert_events = pausing
else:
    from declaration_events.storage.postgres import BatchRecorder as Recorder
    copy_events = Recorder._copy_events
    def pausing(self, cursor, stored_events):
        ids = copy_events(self, cursor, stored_events)
        print("paused after", len(ids), "rows", flush=True)
        time.sleep(600)
    Recorder._copy_events = pausing
from declaration_events.cli import main
sys.exit(main(["import", log, "--db", url]))
"""


def write_bulk_log(path: Path, cases: int) -> None:
    """A log of many short detention cases (detained, charged, released)."""
    with path.open("w") as out:
        for n in range(cases):
            common = {"case": f"bulk-{n}", "recorded_at": "2020-01-01T00:00:00+00:00"}
            for line in (
                {"type": "Detained", "occurred_on": "2019-01-01", "person": f"Person {n}"}
                | {"nationalities": ["CAN"], "detaining_state": "CHN"},
                {"type": "Charged", "occurred_on": "2019-02-01", "charges": ["espionage"]},
                {"type": "Released", "occurred_on": "2019-03-01", "mechanism": "exchange"},
            ):
                out.write(json.dumps(line | common) + "\n")


@pytest.fixture(params=["sqlite", "postgres"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(backend, URL) of a new store holding the seeds."""
    if request.param == "sqlite":
        url = str(tmp_path / "ledger.sqlite")
    else:
        url = request.getfixturevalue("postgres_url")
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
    return request.param, url


@pytest.fixture
def bulk_log(tmp_path: Path) -> Path:
    """A large log to import."""
    path = tmp_path / "bulk.jsonl"
    write_bulk_log(path, CASES)
    return path


@pytest.fixture
def paused_import(
    backend_url: tuple[str, str], bulk_log: Path, tmp_path: Path
) -> Iterator[subprocess.Popen[str]]:
    """An `import` subprocess paused inside its write transaction (killed at teardown if still alive)."""
    backend, url = backend_url
    script = tmp_path / "pausing_import.py"
    script.write_text(PAUSING_IMPORT)
    process = subprocess.Popen(
        [sys.executable, str(script), backend, url, str(bulk_log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("paused after"), line + (process.stderr.read() if process.stderr else "")
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def export(url: str) -> str:
    """The store's events as log lines, in the order recorded."""
    with Ledger.open(url) as ledger:
        return "".join(event.to_json() + "\n" for event in ledger.events())


def test_sigkill_inside_the_write_transaction_leaves_the_store_as_before(
    backend_url: tuple[str, str], paused_import: subprocess.Popen[str], bulk_log: Path
) -> None:
    """While the import writes, others see the old store; after SIGKILL it is unchanged; a rerun completes."""
    _, url = backend_url
    before = export(url)
    assert before.count("\n") == SEED_EVENTS  # the half-written batch is invisible to other readers
    assert paused_import.poll() is None  # and still open: reading did not wait for it

    paused_import.send_signal(signal.SIGKILL)
    assert paused_import.wait(timeout=30) == -signal.SIGKILL

    assert export(url) == before
    rerun = subprocess.run(
        [sys.executable, "-m", "declaration_events", "import", str(bulk_log), "--db", url],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"{3 * CASES:,} events added" in rerun.stdout
    after = export(url)
    assert after.startswith(before)
    assert after.count("\n") == SEED_EVENTS + 3 * CASES
    with Ledger.open(url) as ledger:
        assert ledger.case("bulk-17", as_of="2019-02-15") is not None
        assert ledger.import_logs(bulk_log).duplicates == 3 * CASES


def test_sigkill_at_any_moment_of_an_import_leaves_all_of_it_or_none(
    backend_url: tuple[str, str], bulk_log: Path
) -> None:
    """The unmodified command killed after a while has stored either the whole log or nothing."""
    _, url = backend_url
    before = export(url)
    process = subprocess.Popen(
        [sys.executable, "-m", "declaration_events", "import", str(bulk_log), "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        process.wait(timeout=1.5)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    after = export(url)
    assert after.count("\n") in (SEED_EVENTS, SEED_EVENTS + 3 * CASES)
    assert after.startswith(before)
