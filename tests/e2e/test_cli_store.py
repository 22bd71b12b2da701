"""The command line on a store: import, export, keygen, and queries with --db."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from declaration_events.cli import main
from helpers import CASE_SEED_EVENTS, SEED_EVENTS
from helpers import SEED_ARGS as SEEDS

TIMES = ["--as-of", "2021-03-01", "--known-at", "2030-01-01T00:00:00+00:00"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command in this process; return its exit status, stdout and stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty store."""
    if request.param == "sqlite":
        return str(tmp_path / "diplomacy.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url + "?schema=ledger"


def test_status_and_cases_from_a_store_match_those_from_the_logs(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    """`import` then `status --db` / `cases --db` print the same JSON as reading the logs directly."""
    status, out, _ = run(capsys, "import", *SEEDS, "--db", db)
    assert status == 0
    assert f"{SEED_EVENTS} events added, 0 already recorded; {SEED_EVENTS} events in the ledger" in out
    for query in (
        ["status", "--instrument", "arbitrary-detention-declaration"],
        ["status", "--instrument", "ottawa-treaty"],
        ["cases"],
        ["condemnations"],
        ["timeline", "--party", "CAN"],
    ):
        times = TIMES if query[0] != "timeline" else TIMES[2:]
        _, from_store, _ = run(capsys, *query, "--db", db, *times, "--format", "json")
        _, from_logs, _ = run(capsys, *query, *SEEDS, *times, "--format", "json")
        assert json.loads(from_store) == json.loads(from_logs), query


def test_importing_the_same_logs_again_adds_nothing(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """A second `import` of the same files reports every event as already recorded."""
    run(capsys, "import", *SEEDS, "--db", db)
    status, out, _ = run(capsys, "import", *SEEDS, "--db", db)
    assert status == 0
    assert f"0 events added, {SEED_EVENTS} already recorded; {SEED_EVENTS} events in the ledger" in out


def test_a_bad_line_fails_the_import_with_its_location_and_stores_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    """One bad line: exit status 1, FILE:LINE on stderr, and the store still empty."""
    lines = Path(SEEDS[1]).read_text().splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if n > 2 and '"mechanism"' in line)
    lines[number - 1] = lines[number - 1].replace('"mechanism": "', '"mechanism": "teleport')
    bad = tmp_path / "cases.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    status, out, err = run(capsys, "import", SEEDS[0], str(bad), "--db", db)
    assert status == 1
    assert out == ""
    assert f"{bad}:{number}: field 'mechanism'" in err
    status, out, _ = run(capsys, "export", "--db", db)
    assert (status, out) == (0, "")


def test_export_writes_a_log_that_reimports_to_an_identical_ledger(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    """`export --out` writes every event; importing it elsewhere and exporting again gives the same file."""
    run(capsys, "import", *SEEDS, "--db", db)
    first = tmp_path / "first.jsonl"
    status, _, err = run(capsys, "export", "--db", db, "--out", str(first))
    assert status == 0
    assert f"{SEED_EVENTS} events exported" in err
    copy = tmp_path / "copy.sqlite"
    run(capsys, "import", str(first), "--db", str(copy))
    status, second, _ = run(capsys, "export", "--db", f"sqlite:///{copy}")
    assert status == 0
    assert second == first.read_text()
    assert sorted(p.name for p in tmp_path.iterdir() if "partial" in p.name) == []


def test_keygen_prints_a_new_key_each_time(capsys: pytest.CaptureFixture[str]) -> None:
    """`keygen` prints a base64 key of 32 bytes, different every time."""
    _, first, _ = run(capsys, "keygen")
    _, second, _ = run(capsys, "keygen")
    assert first != second
    assert len(first.strip()) == 44


def test_an_encrypted_store_opens_with_the_key_from_the_environment(
    capsys: pytest.CaptureFixture[str], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DECLARATION_EVENTS_CIPHER_KEY set the store is usable; without it the error says why."""
    _, key, _ = run(capsys, "keygen")
    monkeypatch.setenv("DECLARATION_EVENTS_CIPHER_KEY", key.strip())
    assert run(capsys, "import", SEEDS[1], "--db", db)[0] == 0
    status, out, _ = run(capsys, "cases", "--db", db, *TIMES, "--format", "json")
    assert status == 0
    assert "Michael Kovrig" in out
    monkeypatch.delenv("DECLARATION_EVENTS_CIPHER_KEY")
    status, out, err = run(capsys, "cases", "--db", db)
    assert (status, out) == (1, "")
    assert "looks encrypted" in err
    assert "DECLARATION_EVENTS_CIPHER_KEY" in err


def test_a_db_and_log_files_together_are_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A query given both LOG files and --db refuses, rather than guessing which to read."""
    status, _, err = run(capsys, "cases", SEEDS[1], "--db", str(tmp_path / "x.sqlite"))
    assert status == 1
    assert "either LOG files or --db" in err


def test_a_bad_store_url_is_one_clear_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unusable --db prints one error line naming the problem, and exit status 1."""
    status, out, err = run(capsys, "import", SEEDS[1], "--db", str(tmp_path / "no" / "such.sqlite"))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "does not exist" in err


def big_log(path: Path, cases: int) -> Path:
    """A log of many short detention cases."""
    with path.open("w") as out:
        for n in range(cases):
            fact = {"type": "Detained", "case": f"bulk-{n}", "occurred_on": "2019-01-01", "note": "x" * 200}
            fact |= {"person": f"Person {n}", "nationalities": ["CAN"], "detaining_state": "CHN"}
            out.write(json.dumps(fact | {"recorded_at": "2020-01-01T00:00:00+00:00"}) + "\n")
    return path


def test_a_large_import_shows_progress_on_a_terminal_only(tmp_path: Path) -> None:
    """Importing a large log draws a bar per stage on a terminal's stderr, and nothing into a pipe."""
    log = big_log(tmp_path / "big.jsonl", 4000)
    assert log.stat().st_size > 1 << 20
    command = [sys.executable, "-m", "declaration_events", "import", str(log), "--db"]

    piped = subprocess.run([*command, str(tmp_path / "a.sqlite")], capture_output=True, text=True, check=True)
    assert piped.stderr == ""
    assert "4,000 events added" in piped.stdout

    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [*command, str(tmp_path / "b.sqlite")], stderr=follower, stdout=subprocess.PIPE, check=True
        )
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other side is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    for stage in (b"reading:", b"checking:", b"storing:", b"indexing:"):  # tqdm's bars, one per stage
        assert stage in seen, seen[-500:]
    assert b"4,000 events added" in process.stdout


def test_import_names_a_postgres_store_without_its_password(
    capsys: pytest.CaptureFixture[str], postgres_url: str
) -> None:
    """The summary of a successful import shows `USER:***@`, never the password of the URL."""
    url = postgres_url.replace("postgres@", "postgres:Hunter2-secret@", 1) + "?schema=ledger"
    status, out, err = run(capsys, "import", SEEDS[1], "--db", url)
    assert status == 0
    assert "postgres:***@" in out
    assert f"{CASE_SEED_EVENTS} events added" in out
    assert "Hunter2-secret" not in out + err


QUERIES = [
    ["status", "--instrument", "ottawa-treaty"],
    ["cases"],
    ["timeline", "--party", "CAN"],
    ["condemnations"],
    ["export"],
]


@pytest.mark.parametrize("query", QUERIES, ids=[query[0] for query in QUERIES])
def test_a_query_where_no_ledger_is_says_so_and_creates_nothing(
    query: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A mistyped --db path: one error line pointing at `import`, exit 1, and no file made."""
    typo = tmp_path / "diplomacy.db"
    status, out, err = run(capsys, *query, "--db", str(typo))
    assert (status, out) == (1, "")
    hint = "(create one with `declaration-events import`)"
    assert err == f"declaration-events: error: no ledger at {typo} {hint}\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command", [["import", SEEDS[1]], *QUERIES], ids=["import", *(query[0] for query in QUERIES)]
)
def test_every_command_refuses_a_sqlite_file_of_another_program_and_leaves_it_unchanged(
    command: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A SQLite file with tables but no ledger: one error line, exit 1, and not a byte changed."""
    other = tmp_path / "app.db"
    with closing(sqlite3.connect(other)) as conn, conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('mine')")
    before = sorted((path.name, path.read_bytes()) for path in tmp_path.iterdir())
    status, out, err = run(capsys, *command, "--db", str(other))
    assert (status, out) == (1, "")
    assert err.count("\n") == 1
    assert "is a SQLite database of another program (tables notes), not a declaration-events ledger" in err
    assert sorted((path.name, path.read_bytes()) for path in tmp_path.iterdir()) == before
