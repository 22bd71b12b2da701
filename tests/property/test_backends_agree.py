"""Memory, SQLite and PostgreSQL stores give a ledger the same events and the same answers."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path

from hypothesis import given, settings

from declaration_events import Ledger
from declaration_events.events import Event
from declaration_events.strategies import event_logs


def answers(ledger: Ledger, as_of: date) -> tuple[object, ...]:
    """Rows and counts of every query as of one date."""
    signatories = tuple(
        (s.rows, s.counts) for s in (ledger.signatories(i, as_of=as_of) for i in ledger.instruments())
    )
    cases, statements = ledger.cases(as_of=as_of), ledger.condemnations(as_of=as_of)
    return signatories, cases.rows, cases.counts, statements.rows, statements.counts


def held(ledger: Ledger, log: list[Event]) -> tuple[object, ...]:
    """What a ledger holds once the log is recorded: its events, and its answers on every fact's day."""
    ledger.record_many(log)
    days = sorted({event.occurred_on.last for event in log} | {date(2030, 1, 1)})
    return sorted(ledger.events(), key=lambda e: str(e.id)), tuple(answers(ledger, day) for day in days)


@settings(max_examples=max(5, settings.default.max_examples // 3))
@given(event_logs())
def test_memory_and_sqlite_hold_the_same(log: list[Event]) -> None:
    """The embedded default answers as the in-memory ledger does."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        Ledger.open(f"sqlite:///{Path(tmp, 'ledger.sqlite')}") as sqlite,
    ):
        assert held(sqlite, log) == held(Ledger(), log)


def test_memory_and_postgresql_hold_the_same(postgres_url: str) -> None:
    """PostgreSQL answers as the in-memory ledger does (a fresh schema per example)."""

    @settings(max_examples=max(3, settings.default.max_examples // 6))
    @given(event_logs())
    def check(log: list[Event]) -> None:
        with Ledger.open(f"{postgres_url}?schema=b{uuid.uuid4().hex[:16]}") as postgres:
            assert held(postgres, log) == held(Ledger(), log)

    check()
