"""The same ledger behaviour on every store: memory, a SQLite file and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from declaration_events import EventLogError, InvalidTransitionError, Ledger, StoreError, read_events
from declaration_events.eventlog import dumps_events
from declaration_events.storage.durable import EventStore, generate_cipher_key
from helpers import SEED_EVENTS, SEEDS

AS_OF = ("2018-12-15", "2021-02-16", "2021-03-01", "2022-01-01")
KNOWN_AT = ("2021-02-16T13:00:00+00:00", "2030-01-01T00:00:00+00:00")
PERSON = "Michael Kovrig"  # named in seeds/detention-cases.jsonl


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store of each kind."""
    if request.param == "memory":
        return "memory:"
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url + "?schema=ledger"


@pytest.fixture
def ledger(store_url: str) -> Iterator[Ledger]:
    """A ledger on a new store of each kind, closed afterwards."""
    with Ledger.open(store_url) as opened:
        yield opened


def answers(ledger: Ledger) -> dict[str, Any]:
    """Every status and case answer on the seeds, at fixed valid and record times."""
    result: dict[str, Any] = {}
    for as_of in AS_OF:
        for known_at in KNOWN_AT:
            key = f"{as_of}@{known_at}"
            for instrument in ledger.instruments():
                result[f"{instrument} {key}"] = ledger.signatories(
                    instrument, as_of=as_of, known_at=known_at
                ).to_dict()
            result[f"cases {key}"] = ledger.cases(as_of=as_of, known_at=known_at).to_dict()
            result[f"condemnations {key}"] = len(ledger.condemnations(as_of=as_of, known_at=known_at))
    return result


def stream_versions(ledger: Ledger) -> dict[str, list[int]]:
    """Each entity's stream versions as the eventsourcing store holds them."""
    store = ledger._store
    assert isinstance(store, EventStore)
    entities = [f"instrument:{s}" for s in ledger.instruments()] + [f"case:{s}" for s in ledger.case_slugs()]
    entities += list(ledger.actors())  # registered non-state actors have streams of their own (actor:SLUG)
    return {entity: [version for version, _ in store.stream(entity)] for entity in [*entities, "statements"]}


def test_seeds_give_identical_status_and_cases_json_on_every_store(ledger: Ledger) -> None:
    """Status and cases JSON from a store equal those of the plain in-memory ledger."""
    reference = Ledger.from_jsonl(*SEEDS)
    ledger.import_logs(*SEEDS)
    assert len(ledger) == len(reference) == SEED_EVENTS
    assert answers(ledger) == answers(reference)


def test_seeds_imported_then_exported_give_back_the_same_events(ledger: Ledger, tmp_path: Path) -> None:
    """Export writes every seed event back, equal field by field, and re-imports to the same export."""
    ledger.import_logs(*SEEDS)
    exported = tmp_path / "export.jsonl"
    assert ledger.to_jsonl(exported) == SEED_EVENTS
    seeds = {event.id: event for path in SEEDS for event in read_events(path)}
    back = {event.id: event for event in read_events(exported)}
    assert back == seeds
    again = Ledger.from_jsonl(exported)
    assert dumps_events(again.events()) == exported.read_text()
    assert answers(again) == answers(ledger)


def test_importing_the_same_logs_twice_stores_each_event_once(ledger: Ledger) -> None:
    """A second import adds nothing and leaves every stream at the same versions."""
    first = ledger.import_logs(*SEEDS)
    versions = stream_versions(ledger)
    second = ledger.import_logs(*reversed(SEEDS))
    assert (first.added, first.duplicates) == (SEED_EVENTS, 0)
    assert (second.added, second.duplicates) == (0, SEED_EVENTS)
    assert len(ledger) == SEED_EVENTS
    assert stream_versions(ledger) == versions
    assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
    assert sum(len(v) for v in versions.values()) == SEED_EVENTS


def test_a_log_with_one_bad_line_stores_nothing_and_names_the_line(ledger: Ledger, tmp_path: Path) -> None:
    """One malformed line among good ones: the error says FILE:LINE and the store stays empty."""
    lines = SEEDS[0].read_text().splitlines()
    lines.insert(10, lines[10].replace('"party": "', '"party": "Atlantis'))
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(EventLogError) as caught:
        ledger.import_logs(SEEDS[1], bad)
    assert f"{bad}:11:" in str(caught.value)
    assert len(ledger) == 0
    assert list(ledger._store.read()) == []


def test_a_fact_breaking_a_rule_stores_nothing_of_its_batch(ledger: Ledger, tmp_path: Path) -> None:
    """A legal log plus one illegal fact: the rule's error names the line, nothing is stored."""
    ledger.import_logs(SEEDS[0])
    before = list(ledger._store.read())
    twice = json.loads(SEEDS[0].read_text().splitlines()[1])
    twice.update(note="endorsed again", occurred_on="2021-03-01")
    twice.pop("recorded_at")
    log = tmp_path / "more.jsonl"
    log.write_text(SEEDS[2].read_text() + json.dumps(twice) + "\n")
    with pytest.raises(InvalidTransitionError) as caught:
        ledger.import_logs(log)
    assert caught.value.rule == "already-participating"
    assert f"{log}:{len(SEEDS[2].read_text().splitlines()) + 1}:" in str(caught.value)
    assert list(ledger._store.read()) == before


def test_a_durable_store_keeps_its_events_across_opens(durable_url: str) -> None:
    """Closing and reopening gives the same ledger, read back from the notification log."""
    with Ledger.open(durable_url) as first:
        first.import_logs(*SEEDS)
        expected = answers(first)
        events = list(first.events())
    with Ledger.open(durable_url) as second:
        assert list(second.events()) == events
        assert answers(second) == expected


def test_a_second_process_s_new_facts_appear_on_the_next_query(durable_url: str, tmp_path: Path) -> None:
    """Facts another process records show up in an open ledger's next query, without reopening."""
    with Ledger.open(durable_url) as ledger:
        ledger.import_logs(SEEDS[2], SEEDS[1])
        as_of = "2021-03-01"
        assert "USA" not in {row.party for row in ledger.signatories("ottawa-treaty", as_of=as_of)}
        extra = tmp_path / "norway.jsonl"
        signed = {
            "type": "Signed",
            "instrument": "ottawa-treaty",
            "party": "United States",
            "occurred_on": "1997-12-03",
        }
        extra.write_text(json.dumps(signed) + "\n")
        subprocess.run(
            [sys.executable, "-m", "declaration_events", "import", str(extra), "--db", durable_url],
            check=True,
            capture_output=True,
        )
        rows = {row.party: row.status for row in ledger.signatories("ottawa-treaty", as_of=as_of)}
        assert rows["USA"] == "signed"
        assert len(ledger) == len(read_events(SEEDS[2])) + len(read_events(SEEDS[1])) + 1


def test_encrypted_sqlite_keeps_names_out_of_the_file(tmp_path: Path) -> None:
    """With a cipher key no person's name is in the database's bytes; without one it is."""
    for name, key in (("plain", None), ("secret", generate_cipher_key())):
        with Ledger.open(tmp_path / f"{name}.sqlite", cipher_key=key) as ledger:
            ledger.import_logs(*SEEDS)
            assert ledger.case("kovrig", as_of="2021-03-01") is not None
    files = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert PERSON.encode() in files["plain.sqlite"]
    assert not any(PERSON.encode() in data for name, data in files.items() if name.startswith("secret"))


def test_an_encrypted_store_rejects_a_wrong_or_missing_key(durable_url: str) -> None:
    """A wrong key, no key or a malformed key each fail with a clear StoreError."""
    key = generate_cipher_key()
    with Ledger.open(durable_url, cipher_key=key) as ledger:
        ledger.import_logs(SEEDS[1])
    with pytest.raises(StoreError, match="cipher key is wrong"):
        Ledger.open(durable_url, cipher_key=generate_cipher_key())
    with pytest.raises(StoreError, match="looks encrypted"):
        Ledger.open(durable_url)
    with pytest.raises(StoreError, match="16, 24 or 32 random bytes"):
        Ledger.open(durable_url, cipher_key="not-a-key")
    with Ledger.open(durable_url, cipher_key=key) as again:
        assert len(again) == len(read_events(SEEDS[1]))


def test_encrypted_postgres_keeps_names_out_of_the_table(postgres_url: str) -> None:
    """With a cipher key no stored state in PostgreSQL holds a person's name; without one it does."""
    for schema, key in (("plain", None), ("secret", generate_cipher_key())):
        with Ledger.open(f"{postgres_url}?schema={schema}", cipher_key=key) as ledger:
            ledger.import_logs(*SEEDS)
    import psycopg  # here: the tests that need no server run without it

    with psycopg.connect(postgres_url) as conn:
        plain = conn.execute("SELECT state FROM plain.declarationevents_events").fetchall()
        secret = conn.execute("SELECT state FROM secret.declarationevents_events").fetchall()
    assert len(plain) == len(secret) == SEED_EVENTS
    assert any(PERSON.encode() in bytes(row[0]) for row in plain)
    assert not any(PERSON.encode() in bytes(row[0]) for row in secret)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://user@host/db", "expected a file path"),
        ("", "expected a file path"),
        ("{tmp}/missing/ledger.sqlite", "does not exist"),
        ("{tmp}", "is a directory"),
        ("{tmp}/not-a-db.sqlite", "not a SQLite database"),
        ("sqlite:///", "no file path"),
        ("postgresql://user@127.0.0.1:{port}/db", "cannot connect"),
        ("postgresql://user@127.0.0.1:{port}/", "no database name"),
        ("postgresql://user@127.0.0.1:{port}/db?schema=a;b", "not a lowercase identifier"),
        ("postgresql://user@127.0.0.1:{port}/db?sslmode=x", "unknown parameter sslmode"),
    ],
)
def test_bad_urls_and_unreachable_servers_raise_a_clear_store_error(
    url: str, message: str, tmp_path: Path, unused_port: int
) -> None:
    """Each bad store URL fails fast with a StoreError saying what is wrong."""
    (tmp_path / "not-a-db.sqlite").write_text("hello, I am a text file, not a database\n" * 100)
    with pytest.raises(StoreError, match=message):
        Ledger.open(url.format(tmp=tmp_path, port=unused_port))


def test_passwords_are_hidden_in_store_errors(unused_port: int) -> None:
    """A PostgreSQL password never appears in an error message."""
    with pytest.raises(StoreError) as caught:
        Ledger.open(f"postgresql://me:hunter2@127.0.0.1:{unused_port}/db")
    assert "hunter2" not in str(caught.value)
    assert "me:***@" in str(caught.value)


@pytest.fixture
def unused_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (just now)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_a_batch_of_many_megabytes_is_stored_in_one_transaction(durable_url: str, tmp_path: Path) -> None:
    """A 10 MB log imports whole (eventsourcing's pipelined insert hangs past ~8 MB on PostgreSQL)."""
    log = tmp_path / "large.jsonl"
    with log.open("w") as out:
        for n in range(3000):
            fact = {"type": "Detained", "case": f"large-{n}", "occurred_on": "2019-01-01", "note": "n" * 3000}
            fact |= {"person": f"Person {n}", "nationalities": ["CAN"], "detaining_state": "CHN"}
            out.write(json.dumps(fact) + "\n")
    assert log.stat().st_size > 9_000_000
    done = subprocess.run(
        [sys.executable, "-m", "declaration_events", "import", str(log), "--db", durable_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "3,000 events added" in done.stdout


def test_a_postgres_batch_copied_in_keeps_its_order_and_stays_whole_and_ids_are_indexed_in_chunks(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch sent with COPY is written whole and in order, streams without gaps; the ids of a store
    an earlier version wrote are indexed at its next write, in chunks (here of 7)."""
    import psycopg

    from declaration_events.storage import postgres as pgrecorder

    monkeypatch.setattr(pgrecorder, "INSERT_CHUNK", 7)
    url = postgres_url + "?schema=chunked"
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
        stored = [record.id for _, record in ledger._store.read()]
        versions = stream_versions(ledger)
    with Ledger.open(url) as reopened:
        assert [record.id for _, record in reopened._store.read()] == stored
        assert len(stored) == len(reopened) == SEED_EVENTS
        assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in versions.values())
        assert answers(reopened) == answers(Ledger.from_jsonl(*SEEDS))
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute("DROP TABLE chunked.declarationevents_ids, chunked.declarationevents_ids_state")
    with Ledger.open(url) as ledger:
        ledger.record({"type": "Condemned", "actor": "CAN", "subject": "a test", "occurred_on": "2026-11-02"})
    with psycopg.connect(postgres_url) as connection:
        indexed = connection.execute("SELECT count(*) FROM chunked.declarationevents_ids").fetchone()
    assert indexed == (SEED_EVENTS + 1,)
