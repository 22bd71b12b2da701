"""History tables in real stores (issue 16): the README's SQL recipes answer as the Ledger does, on SQLite
and PostgreSQL, after imports, corrections, retractions, late records and other writers."""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from declaration_events import Ledger
from declaration_events.storage.tables import known_text
from helpers import KOVRIG_BACKDATED, KOVRIG_CHARGED, KOVRIG_DETAINED, KOVRIG_RELEASED, ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")
RECIPES = {
    match.group(1).strip(): match.group(2)
    for match in re.finditer(r"```sql\n-- (.*?)\n(.*?)```", README, re.S)
}


def recipe(question: str, engine: str) -> str:
    """The README's recipe for a question on an engine (one written for both serves both)."""
    for title, body in RECIPES.items():
        if title.startswith(question) and engine in title:
            return body
    raise AssertionError(f"no recipe for {question!r} on {engine} in the README: {list(RECIPES)}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(engine, store URL) of a new, empty store."""
    if request.param == "sqlite":
        return "SQLite", str(tmp_path / "ledger.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return "PostgreSQL", url + "?schema=tables"


@contextmanager
def sql(engine: str, url: str) -> Iterator[Any]:
    """A function running a README recipe with named parameters on the store's own tables."""
    if engine == "SQLite":
        connection = sqlite3.connect(url)
        try:

            def run(query: str, **params: object) -> list[tuple[object, ...]]:
                values = {k: known_text(v) if isinstance(v, datetime) else v for k, v in params.items()}
                values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
                return [tuple(row) for row in connection.execute(query, values).fetchall()]

            yield run
        finally:
            connection.close()
        return
    import psycopg

    base, _, schema = url.partition("?schema=")
    with psycopg.connect(base) as connection:
        connection.execute(f"SET search_path TO {schema}")

        def run_pg(query: str, **params: object) -> list[tuple[object, ...]]:
            converted = re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", query)
            return [tuple(row) for row in connection.execute(converted, params).fetchall()]

        yield run_pg


def statuses(rows: list[tuple[object, ...]]) -> list[tuple[str, str, bool]]:
    return [(str(party), str(status), bool(uncertain)) for party, status, uncertain in rows]


def ledger_rows(
    ledger: Ledger, instrument: str, as_of: date, known_at: datetime | None
) -> list[tuple[str, str, bool]]:
    return [
        (r.party, r.status, r.uncertain)
        for r in ledger.signatories(instrument, as_of=as_of, known_at=known_at)
    ]


def ask_everything(ledger: Ledger, engine: str, url: str, questions: int, rng: random.Random) -> int:
    """Random (instrument, as_of, known_at) triples and case questions, answered by SQL and the Ledger."""
    asked = 0
    times = sorted({e.recorded_at for e in ledger.events() if e.recorded_at is not None})
    with sql(engine, url) as run:
        for instrument in ledger.instruments():
            for _ in range(questions):
                as_of = date(1990, 1, 1) + timedelta(days=rng.randrange(13_500))
                moment = rng.choice(times) + timedelta(microseconds=rng.choice([-1, 0, 1, 3_600_000_000]))
                now = run(
                    recipe("status as of a date, as known now", engine), instrument=instrument, as_of=as_of
                )
                assert statuses(now) == ledger_rows(ledger, instrument, as_of, None), (instrument, as_of)
                then = run(
                    recipe("status as of a date, as known at a past time", engine),
                    instrument=instrument,
                    as_of=as_of,
                    known_at=moment,
                )
                assert statuses(then) == ledger_rows(ledger, instrument, as_of, moment), (
                    instrument,
                    as_of,
                    moment,
                )
                asked += 2
            years = run(
                recipe("parties on 31 December", engine), instrument=instrument, first=1995, last=2026
            )
            for year, parties in years:
                counts = ledger.signatories(instrument, as_of=date(int(year), 12, 31)).counts  # type: ignore[call-overload]
                assert parties == counts.get("party", 0), (instrument, year)
        for _ in range(questions):
            as_of = date(2005, 1, 1) + timedelta(days=rng.randrange(8_000))
            rows = run(recipe("days detained in each case", engine), as_of=as_of)
            want = [(r.case, r.status, r.days_detained) for r in ledger.cases(as_of=as_of)]
            assert [(str(c), str(s), int(d)) for c, s, d in rows] == want, as_of
            asked += 1
    return asked


def test_the_readme_recipes_answer_as_the_ledger_does_on_the_seeds(engine: tuple[str, str]) -> None:
    """Thousands of random questions on the shipped seeds, on both engines."""
    name, url = engine
    with Ledger.open(url) as ledger:
        ledger.rebuild_histories()  # makes the (empty) tables: from now on every batch keeps them
        ledger.import_logs(*SEEDS)
        assert ask_everything(ledger, name, url, 200, random.Random(16)) > 2_000


def test_the_tables_follow_corrections_retractions_late_records_and_a_continuation(
    engine: tuple[str, str],
) -> None:
    """Each batch rewrites the rows it changes in its own transaction; answers stay the Ledger's."""
    name, url = engine
    rng = random.Random(1)
    with Ledger.open(url) as ledger:
        ledger.record_many([KOVRIG_DETAINED, KOVRIG_CHARGED, KOVRIG_RELEASED])
        ledger.rebuild_histories()
        ledger.import_logs(ROOT / "seeds" / "ottawa-treaty.jsonl")
        ask_everything(ledger, name, url, 20, rng)
        assert ledger.record_many([KOVRIG_BACKDATED]).backdated == 1  # a late record of a retraction
        ukraine = next(e for e in ledger.events() if e.type == "Suspended")
        ledger.retract(
            ukraine, "a test: the suspension was never notified", recorded_at="2026-11-20T00:00:00Z"
        )
        canada = next(e for e in ledger.events() if e.type == "Ratified" and "CAN" in e.parties())
        ledger.correct(canada, {"occurred_on": "1997-12-04"}, "a test", recorded_at="2026-11-21T00:00:00Z")
        ask_everything(ledger, name, url, 20, rng)
        ledger.record(
            {
                "type": "Continued",
                "party": "MNE",
                "predecessor": "SCG",
                "occurred_on": "2006-06-03",
                "recorded_at": "2026-11-22T00:00:00Z",
                "note": "a test: Montenegro as the continuing state",
            }
        )
        assert ask_everything(ledger, name, url, 20, rng) > 0


def tables(url: str) -> set[str]:
    with sqlite3.connect(url) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_store_has_no_tables_until_a_rebuild_makes_them_and_then_keeps_them(tmp_path: Path) -> None:
    """No tables by default (no cost); a rebuild writes every entity's rows; later imports keep them."""
    url = str(tmp_path / "store.sqlite")
    with Ledger.open(url) as ledger:
        ledger.import_logs(SEEDS[0], SEEDS[2])
    assert not {"signatory_history", "case_history", "history_state"} & tables(url)
    with Ledger.open(url) as ledger:
        written = ledger.rebuild_histories()
        assert {row.instrument for row in written.signatories} == set(ledger.instruments())
        ledger.import_logs(SEEDS[1])  # now kept in each batch's transaction
        with sqlite3.connect(url) as db:
            assert db.execute("SELECT value FROM history_state WHERE key = 'complete'").fetchone() == ("1",)
            cases = {row[0] for row in db.execute("SELECT DISTINCT case_slug FROM case_history")}
        assert cases == set(ledger.case_slugs())
        ask_everything(ledger, "SQLite", url, 20, random.Random(3))


def test_a_batch_checked_before_a_rebuild_made_the_tables_is_checked_again(tmp_path: Path) -> None:
    """Rows written by nobody would leave the tables stale: such a batch is refused and retried."""
    url = str(tmp_path / "store.sqlite")
    with Ledger.open(url) as writer, Ledger.open(url) as other:
        writer.import_logs(SEEDS[0])
        store = writer._store
        append = store.append

        def rebuild_first(*args: Any, **kwargs: Any) -> None:
            store.append = append  # type: ignore[method-assign]
            other.rebuild_histories()  # another process makes the tables after this batch was checked
            append(*args, **kwargs)

        store.append = rebuild_first  # type: ignore[method-assign]
        writer.import_logs(SEEDS[1])
        ask_everything(writer, "SQLite", url, 20, random.Random(5))


WRITER = """
import sys
from declaration_events import Ledger
with Ledger.open(sys.argv[1]) as ledger:
    ledger.import_logs(*sys.argv[2:])
"""


def test_writers_in_other_processes_leave_tables_that_agree_with_the_ledger(engine: tuple[str, str]) -> None:
    """Two processes import different logs at once (one holds a continuation); the tables end whole."""
    name, url = engine
    with Ledger.open(url) as ledger:
        ledger.rebuild_histories()  # create the store and its tables first
    logs = [
        [str(SEEDS[2])],
        [str(path) for path in SEEDS if path != SEEDS[2]],
    ]  # Ottawa holds Serbia's continuation
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, *paths]) for paths in logs]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    with Ledger.open(url, create=False) as ledger:
        assert len(ledger) == sum(len(path.read_text().splitlines()) for path in SEEDS)
        ask_everything(ledger, name, url, 30, random.Random(4))


def test_rebuild_and_parquet_export_from_the_command_line(tmp_path: Path) -> None:
    """`rebuild` writes the same rows as the imports did; `export --format parquet` writes three files."""
    url = str(tmp_path / "ledger.sqlite")
    cli = [sys.executable, "-m", "declaration_events"]
    subprocess.run([*cli, "import", str(SEEDS[0]), "--db", url], check=True, capture_output=True)
    rebuilt = subprocess.run([*cli, "rebuild", "--db", url], check=True, capture_output=True, text=True)
    assert "61 signatory_history rows, 0 case_history rows" in rebuilt.stdout
    rest = [str(path) for path in SEEDS[1:]]
    subprocess.run([*cli, "import", *rest, "--db", url], check=True, capture_output=True)
    with sqlite3.connect(url) as db:
        before = sorted(db.execute("SELECT * FROM signatory_history").fetchall(), key=repr)
    subprocess.run([*cli, "rebuild", "--db", url], check=True, capture_output=True, text=True)
    with sqlite3.connect(url) as db:
        assert sorted(db.execute("SELECT * FROM signatory_history").fetchall(), key=repr) == before
    out = tmp_path / "parquet"
    exported = subprocess.run(
        [*cli, "export", "--db", url, "--format", "parquet", "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0, exported.stderr
    assert sorted(path.name for path in out.iterdir()) == [
        "case_history.parquet",
        "events.parquet",
        "signatory_history.parquet",
    ]
    import duckdb

    counted = duckdb.sql(f"SELECT count(*) FROM '{out}/signatory_history.parquet'").fetchall()  # noqa: S608
    assert counted == [(len(before),)]
    refused = subprocess.run(
        [*cli, "export", "--db", url, "--format", "parquet"], capture_output=True, text=True
    )
    assert refused.returncode == 1 and "give --out DIRECTORY" in refused.stderr


def test_the_history_frame_has_the_tables_columns() -> None:
    """`history_frame` gives each table with its columns, typed."""
    ledger = Ledger.from_jsonl(*SEEDS)
    frame = ledger.history_frame("signatory_history")
    assert list(frame.columns) == [
        "instrument",
        "party",
        "status",
        "valid_from",
        "valid_until",
        "known_from",
        "known_until",
        "uncertain",
        "event_id",
    ]
    cases = ledger.history_frame("case_history")
    assert list(cases.columns) == [
        "case_slug",
        "status",
        "valid_from",
        "valid_until",
        "known_from",
        "known_until",
        "days_detained_before",
        "in_custody",
        "uncertain",
        "event_id",
        "days_restricted_before",
        "restricted",
        "days_deprived_before",
        "deprived",
        "details",
    ]
    assert str(frame["known_from"].dtype).startswith("datetime64")
    assert datetime(2030, 1, 1, tzinfo=UTC) > frame["known_from"].max()


READER = """
import json, random, sys
import psycopg
import os, time
url, schema, seed, stop, query = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
rng = random.Random(seed)
with psycopg.connect(url, autocommit=True) as connection:
    while not os.path.exists(stop):
        time.sleep(0.01)
        with connection.transaction():
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            connection.execute("SET LOCAL search_path TO " + schema)
            last = "SELECT coalesce(max(notification_id), 0) FROM declarationevents_events"
            position = connection.execute(last).fetchone()[0]
            known = "SELECT DISTINCT instrument FROM signatory_history ORDER BY 1"
            instruments = [r[0] for r in connection.execute(known)]
            if not instruments:
                continue
            instrument = rng.choice(instruments)
            as_of = f"{rng.randrange(1995, 2026)}-{rng.randrange(1, 13):02d}-15"
            rows = connection.execute(query, {"instrument": instrument, "as_of": as_of}).fetchall()
        print(json.dumps([position, instrument, as_of, [[p, s, bool(u)] for p, s, u in rows]]), flush=True)
"""


@pytest.mark.slow
def test_eight_readers_see_a_committed_prefix_while_two_writers_import(
    postgres_url: str, tmp_path: Path
) -> None:
    """8 SQL readers query the tables while 2 writers import: every answer is the Ledger's on a prefix
    of the log (the events up to the highest one the reader's snapshot held)."""
    from benchmarks.generate import generate

    from declaration_events.storage import FrozenStore
    from declaration_events.storage.durable import open_store

    url = postgres_url + "?schema=shared"
    with Ledger.open(url) as ledger:
        ledger.rebuild_histories()
    logs = []
    for index, prefix in enumerate(("a-", "b-")):
        log = tmp_path / f"{prefix}log.jsonl"
        generate(log, 1_500, seed=index, prefix=prefix)
        logs.append(log)
    query = recipe("status as of a date, as known now", "PostgreSQL")
    stop = tmp_path / "stop"
    converted = re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", query)
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, postgres_url, "shared", str(seed), str(stop), converted],
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(8)
    ]
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, str(log)]) for log in logs]
    assert [writer.wait(timeout=600) for writer in writers] == [0, 0]
    stop.touch()
    answers = [
        json.loads(line) for reader in readers for line in reader.communicate(timeout=600)[0].splitlines()
    ]
    assert all(reader.returncode == 0 for reader in readers)
    assert len(answers) >= 8 * 10
    store = open_store(url, create=False)
    try:
        stored = list(store.read())
    finally:
        store.close()
    checked: dict[int, Ledger] = {}
    for position, instrument, as_of, rows in sorted(answers)[:: max(1, len(answers) // 40)]:
        if position not in checked:
            prefix = [record for at, record in stored if at <= position]
            checked[position] = Ledger(FrozenStore(prefix, [], f"the log up to {position}"))
        want = ledger_rows(checked[position], instrument, date.fromisoformat(as_of), None)
        assert [tuple(row) for row in rows] == want, (position, instrument, as_of)
    assert len(checked) > 1  # readers saw the log at more than one point


def test_rows_kept_batch_by_batch_are_the_rows_a_rebuild_writes(engine: tuple[str, str]) -> None:
    """Facts recorded after all an entity holds end its open rows and add new ones (no recomputation
    of its past); a late record recomputes the entity. Either way the rows are a rebuild's, exactly."""
    name, url = engine
    log = [json.loads(line) for line in (ROOT / "seeds" / "ottawa-treaty.jsonl").read_text().splitlines()]
    log.sort(key=lambda line: line["recorded_at"])
    with Ledger.open(url) as ledger:
        ledger.rebuild_histories()
        for start in range(0, len(log), 40):  # in record-time order: each batch later than the last
            ledger.record_many(log[start : start + 40])
        ledger.record_many([KOVRIG_DETAINED, KOVRIG_CHARGED, KOVRIG_RELEASED])
        ledger.record_many([KOVRIG_BACKDATED])  # late: the case is computed again
        kept = stored_rows(name, url)
        ledger.rebuild_histories()
        assert stored_rows(name, url) == kept
        assert len(kept[0]) > 300 and len(kept[1]) >= 3


def stored_rows(engine: str, url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with sql(engine, url) as run:
        signatories = run("SELECT * FROM signatory_history")
        cases = run("SELECT * FROM case_history")
    return sorted(signatories, key=repr), sorted(cases, key=repr)


def fact(event_type: str, on: str, recorded: str, **fields: object) -> dict[str, object]:
    return {"type": event_type, "occurred_on": on, "recorded_at": recorded, **fields}


def test_correcting_a_continuation_rewrites_the_rows_of_every_instrument_it_touches(tmp_path: Path) -> None:
    """A continuation dated to a month, then corrected to another predecessor: the rows of instruments
    naming either state follow (found by a second reader: stale rows for the new predecessor)."""
    url = str(tmp_path / "store.sqlite")
    continued = "00000000-0000-4000-8000-0000000000c1"
    with Ledger.open(url) as ledger:
        ledger.rebuild_histories()
        ledger.record_many(
            [
                fact(
                    "InstrumentOpened",
                    "2000-01-10",
                    "2020-01-01T00:00:00Z",
                    instrument="x",
                    title="X",
                    kind="treaty",
                ),
                fact("Signed", "2000-02-01", "2020-01-01T00:00:00Z", instrument="x", party="DEU"),
                fact(
                    "InstrumentOpened",
                    "2000-01-10",
                    "2020-01-01T00:00:00Z",
                    instrument="y",
                    title="Y",
                    kind="treaty",
                ),
                fact("Signed", "2000-02-01", "2020-01-01T00:00:00Z", instrument="y", party="ITA"),
            ]
        )
        ledger.record_many(
            [
                fact(
                    "Continued",
                    "2006-06",
                    "2020-02-01T00:00:00Z",
                    party="FRA",
                    predecessor="ITA",
                    id=continued,
                )
            ]
        )
        ledger.record_many(
            [
                fact(
                    "Corrected",
                    "2020-03-01",
                    "2020-03-01T00:00:00Z",
                    target=continued,
                    changes={"predecessor": "DEU"},
                    reason="a test",
                )
            ]
        )
        ask_everything(ledger, "SQLite", url, 60, random.Random(7))


def test_a_continuation_recorded_by_another_writer_meanwhile_sends_a_batch_back(tmp_path: Path) -> None:
    """Instrument rows show continuations: a batch whose rows were computed before another writer
    recorded one is refused and computed again (found by a second reader: rows showed ITA, not FRA)."""
    url = str(tmp_path / "store.sqlite")
    with Ledger.open(url) as writer, Ledger.open(url) as other:
        writer.rebuild_histories()
        writer.record_many(
            [
                fact(
                    "InstrumentOpened",
                    "2000-01-10",
                    "2020-01-01T00:00:00Z",
                    instrument="y",
                    title="Y",
                    kind="treaty",
                )
            ]
        )
        store = writer._store
        append = store.append

        def continuation_first(*args: Any, **kwargs: Any) -> None:
            store.append = append  # type: ignore[method-assign]
            other.record_many(
                [fact("Continued", "2006-06-03", "2020-01-02T00:00:00Z", party="FRA", predecessor="ITA")]
            )
            append(*args, **kwargs)

        store.append = continuation_first  # type: ignore[method-assign]
        writer.record_many(
            [
                fact(
                    "InstrumentOpened",
                    "2000-01-10",
                    "2020-01-03T00:00:00Z",
                    instrument="x",
                    title="X",
                    kind="treaty",
                ),
                fact("Signed", "2000-02-01", "2020-01-03T00:00:00Z", instrument="x", party="ITA"),
            ]
        )
        assert [(r.party, r.status) for r in writer.signatories("x", as_of="2007-01-01")] == [
            ("FRA", "signed")
        ]
        ask_everything(writer, "SQLite", url, 40, random.Random(8))
