"""Edges of the compact storage found by a second reader: half-done catch-ups, late readers, pinned models."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from declaration_events import InvalidTransitionError, Ledger, StoreError, iter_events, parse_event
from declaration_events.errors import ConcurrencyError
from declaration_events.events import EventBase
from declaration_events.projections import Projection
from declaration_events.records import Recorded
from declaration_events.storage import MemoryStore


class FlakyStore:
    """A shared in-process store whose next read can be made to fail after some records."""

    def __init__(self) -> None:
        self.log: list[Recorded] = []
        self.versions: dict[str, int] = {}
        self.fail_after: int | None = None

    def append(self, batch: Sequence[Recorded], expected: Mapping[str, int]) -> None:
        for entity, version in expected.items():
            if self.versions.get(entity, 0) != version:
                raise ConcurrencyError(entity)
        for record in batch:
            self.versions[record.entity] = self.versions.get(record.entity, 0) + 1
            self.log.append(record)

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        for index in range(after, len(self.log)):
            if self.fail_after is not None and index - after >= self.fail_after:
                self.fail_after = None
                raise StoreError("connection lost")
            yield index + 1, self.log[index]

    def close(self) -> None:
        """Nothing to close."""


def fact(**fields: Any) -> EventBase:
    return parse_event(fields)


def test_a_catch_up_that_fails_half_way_leaves_no_stale_answer_and_no_illegal_fact_in() -> None:
    """What was indexed before the failure is current; the rules see it; the rest comes next time.

    The failure comes after one record of one entity; the next record is of another entity,
    so nothing else would refresh the first one's cached beliefs.
    """
    store = FlakyStore()
    ledger = Ledger(store)
    ledger.record_many(
        [
            fact(type="InstrumentOpened", occurred_on="2021-02-15", recorded_at="2021-02-15T20:00:00Z",
                 instrument="d", title="T", kind="declaration"),
            fact(type="Endorsed", occurred_on="2021-02-15", recorded_at="2021-02-16T12:00:00Z",
                 instrument="d", party="CAN"),
            detained(1).decode(),
        ]
    )  # fmt: skip
    assert ledger.signatories("d", as_of="2022-01-01").get("CAN").status == "endorsed"
    ledger.projection.facts("instrument:d")  # decoded and cached, as a timeline would
    Ledger(store).record(
        fact(type="Withdrew", occurred_on="2021-06-01", recorded_at="2021-06-02T00:00:00Z",
             instrument="d", party="CAN")
    )  # fmt: skip
    Ledger(store).record(
        fact(type="Released", occurred_on="2021-03-01", recorded_at="2021-06-03T00:00:00Z",
             case="c1", mechanism="bail")
    )  # fmt: skip
    store.fail_after = 1
    with pytest.raises(StoreError, match="connection lost"):
        ledger.signatories("d", as_of="2022-01-01")
    answer = ledger.signatories("d", as_of="2022-01-01")
    assert {row.party: row.status for row in answer.rows} == {"CAN": "withdrawn"}
    with pytest.raises(InvalidTransitionError) as caught:
        ledger.record(
            fact(type="Withdrew", occurred_on="2021-09-01", recorded_at="2021-09-02T00:00:00Z",
                 instrument="d", party="CAN")
        )  # fmt: skip
    assert caught.value.rule == "withdraw-participating"
    assert len(Ledger(store)) == len(ledger) == 5


def detained(number: int) -> Recorded:
    return Recorded.of(
        fact(type="Detained", case=f"c{number}", person="P", nationalities=["CAN"], detaining_state="CHN",
             occurred_on="2020-01-01", recorded_at="2021-01-01T00:00:00Z")
    )  # fmt: skip


def test_an_abandoned_read_of_the_in_memory_store_forgets_nothing_it_did_not_hand_over() -> None:
    """A reader interrupted and dropped late (a kept traceback) cannot make later events vanish."""
    store = MemoryStore()
    store.append([detained(n) for n in range(5)], {f"case:c{n}": 0 for n in range(5)})
    abandoned = store.read(0)
    assert [next(abandoned)[0], next(abandoned)[0]] == [1, 2]
    assert [position for position, _ in store.read(2)] == [3, 4, 5]
    store.append([detained(9)], {"case:c9": 0})
    del abandoned
    gc.collect()
    assert [position for position, _ in store.read(5)] == [6]


def test_questions_about_statements_at_many_record_times_pin_no_models() -> None:
    """Past-time condemnations are refolded, not cached as one copy of every statement per time."""
    base = datetime(2022, 1, 1, tzinfo=UTC)
    events = [detained(n).decode() for n in range(50)]
    events += [
        fact(type="Condemned", actor="CAN", subject=f"s{n}", occurred_on="2021-01-01",
             recorded_at=(base + timedelta(seconds=n)).isoformat())
        for n in range(200)
    ]  # fmt: skip
    projection = Projection(events, decoded_events=60)
    for step in range(20):
        known = base + timedelta(seconds=100 + step)
        result = projection.condemnations(known_at=known, as_of=date(2021, 6, 1))
        assert len(result.rows) == 101 + step
        projection.cases(known_at=known)
    assert not [key for key in projection._past if key[0] == "statements"]
    current = projection.condemnations(as_of=date(2021, 6, 1))
    assert all(not isinstance(s.event, EventBase) for s in projection._current["statements"].statements)
    assert len(current.rows) == 200


def test_reading_a_log_whose_lines_give_their_ids_keeps_no_models(tmp_path: Path) -> None:
    """An exported log names every id: its reader keeps digests, not one model per line."""
    log = tmp_path / "exported.jsonl"
    ledger = Ledger.from_events(
        [fact(type="Condemned", actor="CAN", subject=f"s{n}", occurred_on="2021-01-01") for n in range(300)]
    )
    ledger.to_jsonl(log)
    assert all('"id"' in line for line in log.read_text().splitlines())
    gc.collect()
    before = sum(1 for obj in gc.get_objects() if isinstance(obj, EventBase))
    reader = iter_events(log)
    for _ in range(299):
        next(reader)
    gc.collect()
    held = sum(1 for obj in gc.get_objects() if isinstance(obj, EventBase)) - before
    assert held < 5, f"{held} models held while reading"
    assert len(list(reader)) == 1


def test_a_stored_row_written_by_another_tool_in_another_spelling_is_indexed_canonically(
    tmp_path: Path,
) -> None:
    """A valid row naming "Canada" (not CAN) is indexed and exported as CAN."""
    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import get_topic

    from declaration_events.events import Endorsed
    from declaration_events.storage.durable import EventStore
    from declaration_events.storage.mapper import stream_id

    path = tmp_path / "foreign.sqlite"
    with Ledger.open(path) as ledger:
        ledger.record(fact(type="InstrumentOpened", occurred_on="2021-02-15", instrument="d", title="T",
                           kind="declaration", recorded_at="2021-02-15T20:00:00Z"))  # fmt: skip
        store = ledger._store
        assert isinstance(store, EventStore)
        row = {"type": "Endorsed", "id": "00000000-0000-4000-8000-000000000001", "occurred_on": "2021-02-15",
               "recorded_at": "2021-02-16T12:00:00Z", "instrument": "d", "party": "Canada"}  # fmt: skip
        store.application.recorder.insert_events(
            [StoredEvent(stream_id("instrument:d"), 2, get_topic(Endorsed), json.dumps(row).encode())]
        )
    with Ledger.open(path) as reopened:
        assert any(r.event.type == "Endorsed" for r in reopened.timeline("CAN").rows)
        exported = tmp_path / "out.jsonl"
        reopened.to_jsonl(exported)
        assert '"party":"CAN"' in exported.read_text() and "Canada" not in exported.read_text()
