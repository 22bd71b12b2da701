"""What a store refuses and what it hides: passwords, damaged streams, bad schemas, places with no ledger."""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from declaration_events import Ledger, StoreError, writing
from declaration_events.storage import durable
from declaration_events.storage.durable import EventStore, describe_url
from declaration_events.storage.mapper import stream_id
from helpers import CASE_SEED_EVENTS, SEED_EVENTS, SEEDS

SECRET = "Pa55-w0rd-Xq"  # noqa: S105 - a test server's, which ignores it
CONDEMNED = {"type": "Condemned", "actor": "CAN", "subject": "a new statement", "occurred_on": "2021-03-01"}
DETAINED = {
    "type": "Detained",
    "case": "gap-case",
    "person": "Pat Example",
    "nationalities": ["CAN"],
    "detaining_state": "CHN",
    "occurred_on": "2019-01-01",
}


@pytest.fixture
def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store that outlives the process that opened it."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url


def with_password(url: str, password: str = SECRET) -> str:
    """A PostgreSQL URL of the test server with a password (the server trusts local users and ignores it)."""
    return url.replace("postgres@", f"postgres:{password}@", 1)


def messages(error: BaseException) -> str:
    """The text of an exception and of every exception chained to it."""
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        texts.append(f"{current!r} {current}")
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def execute(url: str, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on a store's events table, named `events` in it (with sqlite3 or psycopg)."""
    if url.startswith("postgresql://"):
        import psycopg  # here: the SQLite tests run without it

        with psycopg.connect(url) as conn:
            cursor = conn.execute(
                statement.format(events="declarationevents_events").replace("?", "%s"), params
            )
            return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]
    with closing(sqlite3.connect(url)) as conn, conn:
        cursor = conn.execute(statement.format(events="stored_events"), params)
        return cursor.fetchall() if cursor.description else [(cursor.rowcount,)]


def delete_version(url: str, entity: str, version: int) -> None:
    """Delete one row of an entity's stream, as a partial restore would lose it."""
    sid = stream_id(entity)
    key = sid if url.startswith("postgresql://") else sid.hex
    statement = "DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?"
    assert execute(url, statement, key, version) == [(1,)]


def row_count(url: str) -> int:
    """How many events a store holds, counted in its table."""
    return int(execute(url, "SELECT count(*) FROM {events}")[0][0])


def schemas(url: str) -> set[str]:
    """The schemas of a PostgreSQL database."""
    import psycopg

    with psycopg.connect(url) as conn:
        return {row[0] for row in conn.execute("SELECT nspname FROM pg_namespace")}


def tables(url: str) -> set[tuple[str, str]]:
    """(schema, table) of every table of a PostgreSQL database outside the system schemas."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT schemaname, tablename FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return {(row[0], row[1]) for row in rows}


@pytest.fixture
def no_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the ledger pauses to retry an append (as it does after another writer)."""

    def sleep(seconds: float) -> None:
        raise AssertionError(f"the ledger paused {seconds:.3f} s to retry")

    monkeypatch.setattr(writing.time, "sleep", sleep)


# -- 3: the password of a PostgreSQL URL ------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["p@ss-Xq-secret", "pa/ss-Xq-secret", "plain-Xq-secret"],
    ids=["at-sign", "slash", "plain"],
)
def test_a_password_with_at_signs_or_slashes_is_hidden_whole_in_a_connection_error(
    password: str, unused_port: int
) -> None:
    """No part of a password written raw in the URL (with `@` or `/`) is in the error or its chain."""
    with pytest.raises(StoreError) as caught:
        Ledger.open(f"postgresql://me:{password}@127.0.0.1:{unused_port}/db")
    assert "Xq-secret" not in messages(caught.value)
    assert "me:***@" in str(caught.value)


def test_a_password_in_a_query_parameter_is_hidden_too() -> None:
    """`describe_url` hides `password=` parameters as well as the user part's password."""
    shown = describe_url(f"postgresql://me:{SECRET}@host/db?password={SECRET}&schema=ledger")
    assert shown == "postgresql://me:***@host/db?password=***&schema=ledger"


def test_a_password_appears_in_no_repr_log_record_or_error_of_a_working_store(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Open, import, print and fail on a store whose URL has a password: it is in none of them."""
    caplog.set_level(logging.DEBUG)
    url = with_password(postgres_url) + "?schema=ledger"
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
        store = ledger._store
        assert isinstance(store, EventStore)
        shown = [repr(ledger), repr(store), store.name]
    with pytest.raises(StoreError) as caught:
        Ledger.open(with_password(postgres_url) + "?schema=Ledger2")
    assert "postgres:***@" in store.name
    assert SECRET not in "\n".join([*shown, messages(caught.value), caplog.text])


# -- 7: a stream missing a version ----------------------------------------------------------------


def test_a_stream_missing_a_version_is_reported_as_damage_at_once_not_blamed_on_other_writers(
    durable_url: str, no_retry: None
) -> None:
    """A row deleted from the events table: the import names the store, the stream and the version,
    without retrying, and writes nothing."""
    with Ledger.open(durable_url) as ledger:
        ledger.import_logs(*SEEDS)
    delete_version(durable_url, "statements", 2)
    rows = row_count(durable_url)
    with Ledger.open(durable_url) as ledger, pytest.raises(StoreError) as caught:
        ledger.record(CONDEMNED)
    message = str(caught.value)
    assert "is damaged: the stream of statements has no version 2" in message
    assert describe_url(durable_url) in message
    assert row_count(durable_url) == rows


def test_a_stream_missing_its_first_version_is_reported_as_damage_when_read(durable_url: str) -> None:
    """A stream left starting with an amendment (its fact lost) cannot name its entity: the first
    question that reads the whole store says so (opening reads nothing yet)."""
    with Ledger.open(durable_url) as ledger:
        detained = ledger.record(DETAINED)
        ledger.correct(detained.id, {"note": "corrected"}, "a test", occurred_on="2019-02-01")
    delete_version(durable_url, "case:gap-case", 1)
    with (
        Ledger.open(durable_url) as ledger,
        pytest.raises(StoreError, match=f"is damaged: stream {stream_id('case:gap-case')} has no version 1"),
    ):
        ledger.cases()


def test_writers_that_really_collide_are_still_retried_not_called_damage(tmp_path: Path) -> None:
    """A second ledger on the same file appends first: the first ledger's append is retried and lands."""
    path = tmp_path / "ledger.sqlite"
    with Ledger.open(path) as first, Ledger.open(path) as second:
        first.import_logs(*SEEDS)
        second.catch_up()
        first.record(CONDEMNED)
        other = second.record({**CONDEMNED, "subject": "another statement"})  # its ledger is behind
        assert other.id in {event.id for event in first.events()}
        assert len(first) == len(second) == SEED_EVENTS + 2


# -- 8: schema names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("Ledger2", "has capital letters, which PostgreSQL folds to lowercase: write schema=ledger2"),
        ("LEDGER", "has capital letters, which PostgreSQL folds to lowercase: write schema=ledger"),
        ("select", "is a reserved word of PostgreSQL"),
        ("current_schema", "is a reserved word of PostgreSQL"),
        ("int", "is a reserved word of PostgreSQL"),
        ("information_schema", "is a system schema of PostgreSQL"),
        ("pg_catalog", "is a system schema of PostgreSQL"),
        ("pg_toast", "is a system schema of PostgreSQL"),
        ("pg_mine", "is a system schema of PostgreSQL"),
        ("ledger-2", "is not a lowercase identifier"),
        ("2ledger", "is not a lowercase identifier"),
        ("l" * 64, "is not a lowercase identifier"),
    ],
)
def test_a_schema_postgresql_cannot_use_as_written_is_refused_before_anything_is_created(
    schema: str, message: str, postgres_url: str
) -> None:
    """Mixed case, reserved words and system schemas: one clear StoreError, and no schema or table made."""
    before = (schemas(postgres_url), tables(postgres_url))
    with pytest.raises(StoreError) as caught:
        Ledger.open(f"{postgres_url}?schema={schema}")
    assert f"schema {schema!r} {message}" in str(caught.value)
    assert len(str(caught.value).splitlines()) == 1
    assert (schemas(postgres_url), tables(postgres_url)) == before


def test_a_bad_schema_is_refused_without_asking_the_server(unused_port: int) -> None:
    """The name is checked before connecting: the error is about the schema, not the unreachable server."""
    with pytest.raises(StoreError, match="schema 'Ledger2' has capital letters"):
        Ledger.open(f"postgresql://me@127.0.0.1:{unused_port}/db?schema=Ledger2")


def test_a_key_word_only_the_server_knows_is_refused_too(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer server's reserved word, missing from the library's list, is found by asking the server."""
    monkeypatch.setattr(durable, "RESERVED_WORDS", frozenset())
    with pytest.raises(StoreError, match="schema 'select' is a reserved word of PostgreSQL"):
        Ledger.open(f"{postgres_url}?schema=select")
    assert "select" not in schemas(postgres_url)


def test_lowercase_schemas_with_digits_and_underscores_and_unreserved_key_words_work(
    postgres_url: str,
) -> None:
    """`ledger_2`, `_x` and `action` (a key word PostgreSQL does not reserve) store and read back."""
    for schema in ("ledger_2", "_x", "action"):
        with Ledger.open(f"{postgres_url}?schema={schema}") as ledger:
            ledger.import_logs(SEEDS[1])
        with Ledger.open(f"{postgres_url}?schema={schema}", create=False) as ledger:
            assert len(ledger) == CASE_SEED_EVENTS


# -- 10: where no ledger is, and files of other programs ---------------------------------------------


@pytest.mark.parametrize("place", ["missing", "empty", "empty-database", "memory"])
def test_opening_without_create_refuses_a_sqlite_place_without_a_ledger_and_creates_nothing(
    place: str, tmp_path: Path
) -> None:
    """`create=False`: no file, a 0-byte file, a SQLite file without tables and `memory:` hold no ledger."""
    path = tmp_path / "diplomacy.db"
    if place == "empty":
        path.touch()
    elif place == "empty-database":
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA user_version = 1")  # a database header, and no table
    url = "memory:" if place == "memory" else str(path)
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    with pytest.raises(StoreError) as caught:
        Ledger.open(url, create=False)
    assert str(caught.value) == f"no ledger at {url} (create one with `declaration-events import`)"
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before


def test_opening_creates_a_new_sqlite_ledger_by_default_as_the_readme_shows(tmp_path: Path) -> None:
    """`Ledger.open(path)` (create=True) makes the file; `create=False` then opens it."""
    path = tmp_path / "diplomacy.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_logs(SEEDS[1])
    with Ledger.open(path, create=False) as ledger:
        assert len(ledger) == CASE_SEED_EVENTS


def test_opening_without_create_refuses_a_postgres_schema_or_database_without_the_table(
    postgres_url: str,
) -> None:
    """A missing schema, or a database (public) without the events table: no ledger, nothing created."""
    before = (schemas(postgres_url), tables(postgres_url))
    for url in (f"{postgres_url}?schema=elsewhere", postgres_url):
        with pytest.raises(StoreError, match=r"^no ledger at postgresql://.* \(create one with"):
            Ledger.open(url, create=False)
    assert (schemas(postgres_url), tables(postgres_url)) == before
    with Ledger.open(f"{postgres_url}?schema=elsewhere") as ledger:  # the import side creates it
        ledger.import_logs(SEEDS[1])
    with Ledger.open(f"{postgres_url}?schema=elsewhere", create=False) as ledger:
        assert len(ledger) == CASE_SEED_EVENTS


def other_program_file(path: Path, *, wal: bool) -> Path:
    """A SQLite database another program wrote: two tables with rows."""
    with closing(sqlite3.connect(path)) as conn, conn:
        if wal:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER)")
        conn.execute("INSERT INTO users (name) VALUES ('ada')")
    return path


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
@pytest.mark.parametrize("create", [True, False])
def test_a_sqlite_file_of_another_program_is_refused_and_left_byte_for_byte(
    wal: bool, create: bool, tmp_path: Path
) -> None:
    """Tables but not the ledger's: refused either way, no table added, no -wal or -shm file left."""
    path = other_program_file(tmp_path / "app.db", wal=wal)
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    with pytest.raises(StoreError) as caught:
        Ledger.open(path, create=create)
    assert "is a SQLite database of another program (tables orders, users)" in str(caught.value)
    assert "not a declaration-events ledger" in str(caught.value)
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before


def test_a_file_that_is_not_sqlite_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """A text file named like a database: not SQLite, whatever `create` says."""
    path = tmp_path / "notes.db"
    path.write_text(json.dumps({"not": "a database"}) * 20)
    for create in (True, False):
        with pytest.raises(StoreError, match="the file is not a SQLite database"):
            Ledger.open(path, create=create)
    assert path.read_text() == json.dumps({"not": "a database"}) * 20
