"""Logs survive JSON Lines: round trip, export then import, and importing the same log twice."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from hypothesis import given

from declaration_events import Ledger, read_events, write_events
from declaration_events.events import Event
from declaration_events.strategies import event_logs


def _answers(ledger: Ledger) -> tuple[object, ...]:
    """Everything a ledger answers today, as plain data."""
    instruments = tuple(ledger.signatories(slug).rows for slug in ledger.instruments())
    return instruments, ledger.cases().rows, ledger.condemnations().rows


@given(event_logs())
def test_a_log_reads_back_as_the_events_written(log: list[Event]) -> None:
    """write_events then read_events gives equal events: ids, both times, sources and all."""
    buffer = io.StringIO()
    assert write_events(log, buffer) == len(log)
    text = buffer.getvalue()
    # Lines end at "\n" only: text may hold U+0085 or U+2028, which str.splitlines() would split on.
    assert text.count("\n") == len(log)
    assert read_events(io.BytesIO(text.encode("utf-8"))) == log


@given(event_logs())
def test_exporting_and_importing_a_ledger_keeps_every_event_and_answer(log: list[Event]) -> None:
    """Ledger -> to_jsonl -> from_jsonl gives the same events, the same answers and the same file again."""
    ledger = Ledger.from_events(log)
    with tempfile.TemporaryDirectory() as tmp:
        first, second = Path(tmp, "first.jsonl"), Path(tmp, "second.jsonl")
        ledger.to_jsonl(first)
        again = Ledger.from_jsonl(first)
        again.to_jsonl(second)
        assert second.read_bytes() == first.read_bytes()
    assert list(again.events()) == list(ledger.events())
    assert _answers(again) == _answers(ledger)


@given(event_logs())
def test_importing_the_same_log_twice_changes_nothing(log: list[Event]) -> None:
    """The second import finds every line already recorded: nothing added, the same answers."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "log.jsonl")
        write_events(log, path)
        ledger = Ledger()
        first = ledger.import_logs(path)
        answers = _answers(ledger)
        second = ledger.import_logs(path)
    assert (first.added, first.duplicates) == (len(log), 0)
    assert (second.added, second.duplicates) == (0, len(log))
    assert len(ledger) == len(log)
    assert _answers(ledger) == answers
