"""Every hostile store of the corpus through `import` and each query command.

The manifest's `stores` (written by tests/hostile/make_corpus.py) are places a `--db` can
name by mistake or malice: a mistyped path or schema, an empty file, another program's
SQLite file, a text file, a schema PostgreSQL cannot use as written or keeps for itself, a
ledger that lost a row. Each command must answer, or fail with one line matching the
manifest and no traceback; a refused command leaves the place exactly as it was (files
byte for byte, schemas, tables and rows); and no output shows the URL's password.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from declaration_events import Ledger
from declaration_events.cli import main
from declaration_events.storage.mapper import stream_id
from helpers import SEEDS

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
STORES: list[dict[str, Any]] = MANIFEST["stores"]
PASSWORD: str = make_corpus.STORE_PASSWORD
QUERIES = [
    ["status", "--instrument", "arbitrary-detention-declaration"],
    ["cases"],
    ["timeline", "--party", "CAN"],
    ["condemnations"],
    ["export"],
]


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


def sqlite_snapshot(directory: Path, *, ledger: bool) -> Any:
    """Every file of the directory, byte for byte; for a ledger, its rows (opening one may checkpoint)."""
    if not ledger:
        return sorted((path.name, path.read_bytes()) for path in directory.iterdir())
    with closing(sqlite3.connect(directory / "ledger.sqlite")) as conn:
        return conn.execute("SELECT * FROM stored_events ORDER BY rowid").fetchall()


def postgres_snapshot(url: str) -> Any:
    """The schemas, tables and every ledger table's rows of a database."""
    import psycopg  # here: the SQLite cases run without it
    from psycopg import sql

    with psycopg.connect(url) as conn:
        schemas = sorted(row[0] for row in conn.execute("SELECT nspname FROM pg_namespace"))
        tables = sorted(
            (row[0], row[1])
            for row in conn.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        )
        rows = {
            schema: conn.execute(
                sql.SQL("SELECT originator_id, originator_version FROM {} ORDER BY 1, 2").format(
                    sql.Identifier(schema, table)
                )
            ).fetchall()
            for schema, table in tables
            if table == "declarationevents_events"
        }
    return schemas, tables, rows


def lose_a_row(url: str, *, postgres: bool) -> None:
    """A ledger holding the seeds whose `statements` stream lost version 2, as after a partial restore."""
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
    sid = stream_id("statements")
    if postgres:
        import psycopg
        from psycopg import sql

        database, _, schema = url.partition("?schema=")
        with psycopg.connect(database) as conn:
            statement = sql.SQL("DELETE FROM {} WHERE originator_id = %s AND originator_version = 2")
            deleted = conn.execute(
                statement.format(sql.Identifier(schema, "declarationevents_events")), (sid,)
            )
    else:
        with closing(sqlite3.connect(url)) as conn, conn:
            deleted = conn.execute(
                "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = 2", (sid.hex,)
            )
    assert deleted.rowcount == 1


@pytest.fixture(params=STORES, ids=[store["name"] for store in STORES])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """A hostile store case, made: its `url` and a `snapshot` of what is there."""
    case: dict[str, Any] = dict(request.param)
    ledger = case["file"] == "ledger-missing-a-row"
    snapshot: Callable[[], Any]
    if case["backend"] == "sqlite":
        directory = tmp_path / "store"
        directory.mkdir()
        url = str(directory / case["db"])
        if ledger:
            lose_a_row(url, postgres=False)
        else:
            make_corpus.write_store_file(case["file"], directory / case["db"])

        def snapshot() -> Any:
            return sqlite_snapshot(directory, ledger=ledger)

    else:
        database: str = request.getfixturevalue("postgres_url")
        url = database.replace("postgres@", f"postgres:{PASSWORD}@", 1) + case["db"]
        if ledger:
            lose_a_row(url, postgres=True)

        def snapshot() -> Any:
            return postgres_snapshot(database)

    case["url"], case["snapshot"] = url, snapshot
    case["log"] = make_corpus.write_store_log(tmp_path)
    return case


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """The CLI in this process: an exception other than the library's would fail the test here."""
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert PASSWORD not in out + err
    return status, out, err


def assert_one_error_line(pattern: str, status: int, out: str, err: str) -> None:
    """Exit status 1, nothing on stdout, and one `declaration-events: error:` line matching the pattern."""
    assert (status, out) == (1, ""), err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("declaration-events: error: "), err
    assert re.search(pattern, err), (pattern, err)


def test_the_manifest_lists_each_kind_of_hostile_store() -> None:
    """The stores cover typos, files of other programs, unusable schemas and damage, on both backends."""
    names = {store["name"] for store in STORES}
    assert {"sqlite_typo", "sqlite_other_program", "sqlite_missing_a_row", "postgres_mixed_case"} <= names
    assert {store["backend"] for store in STORES} == {"sqlite", "postgres"}


def test_each_query_on_a_hostile_store_answers_or_fails_with_one_line_and_changes_nothing(
    store: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """`status`, `cases`, `timeline`, `condemnations`, `export`: as the manifest says; the store as it was."""
    before = store["snapshot"]()
    for query in QUERIES:
        status, out, err = run(capsys, *query, "--db", store["url"])
        if store["queries"] == "answer":
            assert (status, err) == (0, ""), (query, err)
        else:
            assert_one_error_line(store["queries"], status, out, err)
    assert store["snapshot"]() == before
    record("stores", case=store["name"], via="queries", outcome=store["queries"] == "answer")


def test_an_import_into_a_hostile_store_adds_or_fails_with_one_line_and_changes_nothing(
    store: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """`import`: creates the ledger where none was, or fails with the manifest's line and writes nothing."""
    before = store["snapshot"]()
    status, out, err = run(capsys, "import", store["log"], "--db", store["url"])
    if store["imports"] == "add":
        assert (status, err) == (0, "")
        assert "1 event added, 0 already recorded; 1 event in the ledger" in out
        status, out, err = run(capsys, "condemnations", "--db", store["url"])
        assert (status, err) == (0, "")
        assert "a hostile store" in out
    else:
        assert_one_error_line(store["imports"], status, out, err)
        assert store["snapshot"]() == before
    record("stores", case=store["name"], via="import", outcome=store["imports"] == "add")
