"""What a store refuses and what it hides: passwords, bad schemas."""

from __future__ import annotations

import logging
import socket

import pytest

from declaration_events import Ledger, StoreError
from declaration_events.storage import durable
from declaration_events.storage.durable import EventStore, describe_url
from helpers import SEEDS

SECRET = "Pa55-w0rd-Xq"  # noqa: S105 - a test server's, which ignores it


@pytest.fixture
def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


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
        with Ledger.open(f"{postgres_url}?schema={schema}") as ledger:
            assert len(ledger) == 13
