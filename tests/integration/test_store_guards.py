"""What a store refuses: schemas PostgreSQL cannot use as written, or keeps for itself."""

from __future__ import annotations

import socket

import pytest

from declaration_events import Ledger, StoreError
from declaration_events.storage import durable
from helpers import SEEDS


@pytest.fixture
def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


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
