"""A write on an opened SQLite or PostgreSQL ledger reads only the streams its batch touches, found by
the store's index of event ids, and is accepted or refused exactly as on a ledger that indexed the
whole store (issue 16, item 2)."""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from declaration_events import ConcurrencyError, InvalidTransitionError, Ledger
from declaration_events.events import Corrected, Event, Retracted, parse_event
from declaration_events.records import Recorded
from declaration_events.storage.durable import EventStore
from declaration_events.strategies import event_logs
from helpers import SEED_EVENTS, SEEDS, USA_ACCEDES, never

CANADA_SIGNS_AGAIN = {"type": "Signed", "instrument": "ottawa-treaty", "party": "CAN", "occurred_on": "2020"}


def opened(url: str) -> Ledger:
    """A ledger opened on a store, which fails if anything reads the whole notification log."""
    ledger = Ledger.open(url, create=False)
    ledger._store.read = never  # type: ignore[method-assign]
    return ledger


def stored_event(url: str, **fields: str) -> Event:
    """The first stored event whose fields have these values."""
    with Ledger.open(url, create=False) as ledger:
        return next(e for e in ledger.events() if all(getattr(e, k, None) == v for k, v in fields.items()))


def test_a_write_reads_only_the_streams_it_touches_and_is_checked_as_on_the_whole_store(seeded: str) -> None:
    """An illegal fact is refused with the rule the whole index gives; a legal one is stored, answered,
    and read back by the next ledger; nothing reads the whole log."""
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        with pytest.raises(InvalidTransitionError) as whole:
            indexed.record(CANADA_SIGNS_AGAIN)
    with opened(seeded) as ledger:
        with pytest.raises(InvalidTransitionError) as streams:
            ledger.record(CANADA_SIGNS_AGAIN)
        assert (streams.value.rule, str(streams.value)) == (whole.value.rule, str(whole.value))
        stored = ledger.record(USA_ACCEDES)
        assert "USA" in {row.party for row in ledger.signatories("ottawa-treaty", as_of="2026-12-01")}
    with Ledger.open(seeded, create=False) as later:
        assert len(later) == SEED_EVENTS + 1
        assert later.projection.get(stored.id) == stored


def test_a_fact_recorded_again_is_a_duplicate_and_another_fact_with_its_id_is_refused(seeded: str) -> None:
    """The store's id index finds a batch's ids in streams the batch does not otherwise touch."""
    kovrig = stored_event(seeded, type="Detained", case="kovrig")
    with opened(seeded) as ledger:
        assert ledger.record_many([kovrig]).duplicates == 1
        reused = {**USA_ACCEDES, "id": str(kovrig.id)}  # an instrument's fact with a case's id
        with pytest.raises(InvalidTransitionError, match="duplicate-id"):
            ledger.record(reused)
    with Ledger.open(seeded, create=False) as later:
        assert len(later) == SEED_EVENTS


def test_the_whole_seed_imported_again_adds_nothing_and_reads_no_log(seeded: str) -> None:
    with opened(seeded) as ledger:
        result = ledger.import_logs(*SEEDS)
    assert (result.added, result.duplicates) == (0, SEED_EVENTS)


def test_an_amendment_is_checked_against_the_stream_of_its_target(seeded: str) -> None:
    """A correction of a stored fact (of a stream the batch names nowhere else) is refused when it makes
    that history illegal, and otherwise stored and answered; a retraction of an unknown id is refused."""
    signed = stored_event(seeded, type="Ratified", instrument="ottawa-treaty", party="CAN")
    with opened(seeded) as ledger:
        with pytest.raises(InvalidTransitionError) as refused:
            ledger.correct(signed.id, {"occurred_on": "1900-01-01"}, "before the treaty was opened")
        assert refused.value.rule
        ledger.correct(signed.id, {"occurred_on": "1997-12-04"}, "the day after signature")
        row = next(r for r in ledger.signatories("ottawa-treaty", as_of="1998-01-01") if r.party == "CAN")
        assert str(row.since) == "1997-12-04"
        with pytest.raises(InvalidTransitionError, match="unknown-target"):
            ledger.retract("00000000-0000-4000-8000-00000000dead", "no such event")


def test_a_statement_may_name_a_stored_instrument_and_not_an_unknown_one(seeded: str) -> None:
    condemned = {"type": "Condemned", "actor": "CAN", "subject": "mines", "occurred_on": "2026-11-02"}
    with opened(seeded) as ledger:
        ledger.record({**condemned, "instrument": "ottawa-treaty"})
        with pytest.raises(InvalidTransitionError, match="unknown-reference"):
            ledger.record({**condemned, "instrument": "ottawa-tready"})
        assert any(row.instrument == "ottawa-treaty" for row in ledger.condemnations(actor="CAN"))


def test_two_writers_storing_one_id_in_two_streams_the_second_is_sent_back(seeded: str) -> None:
    """Two batches checked at once, each with the same new id in another stream: the store's id index
    refuses the second append, which (read again) is then refused by the rules."""
    first = Recorded.of(parse_event({**USA_ACCEDES, "recorded_at": "2026-11-02T00:00:00Z"}))
    with Ledger.open(seeded, create=False) as other:
        store = other._store
        assert isinstance(store, EventStore)
        case = Recorded(first.id, "Detained", "case:somebody", first.packed)  # same id, another stream
        store.append([first], {"instrument:ottawa-treaty": store.stream_version("instrument:ottawa-treaty")})
        with pytest.raises(ConcurrencyError):
            store.append([case], {"case:somebody": 0})
    with opened(seeded) as ledger, pytest.raises(InvalidTransitionError, match="duplicate-id"):
        ledger.record({**USA_ACCEDES, "party": "CUB", "id": str(first.id)})


def test_a_store_without_an_id_index_is_indexed_whole_at_its_first_write_then_no_more(tmp_path: Path) -> None:
    """A store an earlier version wrote (no ids indexed): its first write indexes the whole store and
    every id; the next ledger writes without reading the log."""
    url = str(tmp_path / "old.sqlite")
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
    with sqlite3.connect(url) as connection:
        connection.execute("DROP TABLE event_ids")  # as a store an earlier version wrote
        connection.execute("DROP TABLE event_ids_state")
    with Ledger.open(url, create=False) as ledger:
        ledger.record(USA_ACCEDES)  # reads the whole log
    with sqlite3.connect(url) as connection:
        assert connection.execute("SELECT count(*) FROM event_ids").fetchone()[0] == SEED_EVENTS + 1
    with opened(url) as ledger:
        ledger.record({**USA_ACCEDES, "party": "CUB"})
        parties = {row.party for row in ledger.signatories("ottawa-treaty", as_of="2026-12-01")}
        assert {"USA", "CUB"} <= parties


def test_with_history_tables_an_instrument_fact_reads_its_stream_and_a_case_fact_the_whole_store(
    seeded: str,
) -> None:
    """Rows of an instrument are computed from its stream and the continuations; a case's rows show the
    cases linking to it, found only in the whole store. Either way the tables equal a rebuild's."""
    with Ledger.open(seeded, create=False) as ledger:
        ledger.rebuild_histories()
    with opened(seeded) as ledger:
        ledger.record(USA_ACCEDES)
    detained = {"type": "Detained", "case": "someone", "person": "Someone", "nationalities": ["CAN"]}
    detained |= {"detaining_state": "CHN", "occurred_on": "2026-11-01"}
    reads: list[int] = []
    with Ledger.open(seeded, create=False) as ledger:
        store = ledger._store
        read = store.read

        def counted(after: int = 0) -> Iterator[Any]:
            reads.append(after)
            return read(after)

        store.read = counted  # type: ignore[method-assign]
        ledger.record(detained)
        kept = ledger.history_rows()
    assert reads
    with Ledger.open(seeded, create=False) as ledger:
        assert ledger.rebuild_histories() == kept


def test_a_large_batch_indexes_the_whole_store(seeded: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("declaration_events.stream_writing.STREAM_BATCH_LIMIT", 0)
    with opened(seeded) as ledger, pytest.raises(AssertionError, match="notification log"):
        ledger.record(USA_ACCEDES)


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(event_logs(max_cases=3, max_amendments=6, max_history=8), st.integers(2, 4), st.data())
def test_any_log_written_batch_by_batch_on_opened_ledgers_is_the_log_held_in_memory(
    log: list[Event], batches: int, data: st.DataObject
) -> None:
    """Any legal log, cut into batches each written by a newly opened ledger without reading the log
    (amendments of earlier batches' facts included), is stored whole: the same answers as the
    in-memory ledger, and every earlier batch written again is all duplicates."""
    cut = st.integers(0, len(log))
    cuts = sorted(data.draw(st.lists(cut, min_size=batches - 1, max_size=batches - 1), label="cuts"))
    parts = [log[start:end] for start, end in zip([0, *cuts], [*cuts, len(log)], strict=True)]
    reference = Ledger.from_events(log)
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "ledger.sqlite")
        Ledger.open(url).close()
        written: list[Event] = []
        for part in parts:
            refusal = None
            try:  # a fact made legal only by a later amendment is refused, cut the same way, in memory
                Ledger.from_events(written).record_many(part)
            except InvalidTransitionError as exc:
                refusal = (exc.rule, exc.event_id)
            with opened(url) as ledger:
                if refusal is not None:
                    with pytest.raises(InvalidTransitionError) as refused:
                        ledger.record_many(part)
                    assert (refused.value.rule, refused.value.event_id) == refusal
                    event("a batch refused, as in memory")
                    return
                ledger.record_many(part)
                written += part
                assert ledger.record_many(written).duplicates == len(written)
        event(f"written in {len(parts)} batches")
        with Ledger.open(url, create=False) as whole:
            assert len(whole) == len(reference)
            for slug in reference.instruments():
                for day in ("1999-01-01", "2030-01-01"):
                    want = reference.signatories(slug, as_of=day).rows
                    assert whole.signatories(slug, as_of=day).rows == want
            assert whole.cases(as_of="2030-01-01").rows == reference.cases(as_of="2030-01-01").rows
            amendments = [e for e in log if isinstance(e, Corrected | Retracted)]
            assert sorted(str(e.id) for e in amendments) == sorted(
                str(e.id) for e in whole.events() if isinstance(e, Corrected | Retracted)
            )


def test_a_loop_of_small_writes_reads_for_each_only_the_streams_it_touches(seeded: str) -> None:
    """Writing 30 new cases one by one reads, for each, its own stream (and its captor's), not again
    the streams of the writes before."""
    with opened(seeded) as ledger:
        store = ledger._store
        assert isinstance(store, EventStore)
        read = store.stream_records
        streams: list[str] = []

        def counted(entity: str, after: int = 0) -> list[Any]:
            streams.append(entity)
            return read(entity, after)

        store.stream_records = counted  # type: ignore[method-assign]
        for n in range(30):
            fact = {"type": "Detained", "case": f"loop-{n}", "person": f"P {n}", "nationalities": ["CAN"]}
            ledger.record(fact | {"detaining_state": "CHN", "occurred_on": "2026-11-01"})
    assert len(streams) <= 2 * 30  # read before the check and after the append
    assert {streams.count(entity) for entity in set(streams)} <= {1, 2}


def test_a_new_statement_reads_only_the_statements_stream_s_version_and_what_it_added(seeded: str) -> None:
    """Statements follow no state machine: adding one reads the stream's version, not its events, and
    afterwards the condemnations are the whole index's, the new one included."""
    condemned = {"type": "Condemned", "actor": "CAN", "subject": "mines", "occurred_on": "2026-11-02"}
    with opened(seeded) as ledger:
        store = ledger._store
        assert isinstance(store, EventStore)
        before = store.stream_version("statements")
        read = store.stream_records
        reads: list[tuple[str, int]] = []

        def counted(entity: str, after: int = 0) -> list[Any]:
            reads.append((entity, after))
            return read(entity, after)

        store.stream_records = counted  # type: ignore[method-assign]
        stored = ledger.record(condemned | {"instrument": "ottawa-treaty"})
        assert [after for entity, after in reads if entity == "statements"] == [before]
        answer = ledger.condemnations(actor="CAN", known_at="2030-01-01").to_dict()
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        assert indexed.condemnations(actor="CAN", known_at="2030-01-01").to_dict() == answer
        assert indexed.projection.get(stored.id) == stored


def test_with_tables_an_instrument_write_after_statements_compares_the_continuations_version(
    seeded: str,
) -> None:
    """An instrument's rows are checked against the statements stream's version as its continuations
    were last read, not as the stream was read whole before a statement was added (which made every
    retry fail)."""
    with Ledger.open(seeded, create=False) as ledger:
        ledger.rebuild_histories()
    condemned = {"type": "Condemned", "actor": "CAN", "subject": "mines", "occurred_on": "2026-11-02"}
    with opened(seeded) as ledger:
        ledger.condemnations(actor="CAN")  # reads the statements stream whole
        ledger.record(condemned)
        ledger.record(USA_ACCEDES)
        assert "USA" in {row.party for row in ledger.signatories("ottawa-treaty", as_of="2026-12-01")}
    with Ledger.open(seeded, create=False) as ledger:
        kept = ledger.history_rows()
    with Ledger.open(seeded, create=False) as ledger:
        assert ledger.rebuild_histories() == kept


def test_after_a_rebuild_during_a_write_the_next_writes_check_the_whole_store(seeded: str) -> None:
    """A rebuild lands between a case write's check and its append: that write finishes against the
    whole store, and so does every later write of that ledger; no stream gets a gap."""
    detained = {"type": "Detained", "case": "someone", "person": "Someone", "nationalities": ["CAN"]}
    detained |= {"detaining_state": "CHN", "occurred_on": "2026-11-01"}
    with Ledger.open(seeded, create=False) as writer, Ledger.open(seeded, create=False) as other:
        store = writer._store
        append = store.append

        def rebuild_first(*args: Any, **kwargs: Any) -> None:
            store.append = append  # type: ignore[method-assign]
            other.rebuild_histories()
            append(*args, **kwargs)

        store.append = rebuild_first  # type: ignore[method-assign]
        writer.record(detained)
        other.record({**USA_ACCEDES, "party": "CUB"})

        def overtaken(*args: Any, **kwargs: Any) -> None:  # the next append collides once
            store.append = append  # type: ignore[method-assign]
            other.record({**USA_ACCEDES, "party": "PRK"})
            append(*args, **kwargs)

        store.append = overtaken  # type: ignore[method-assign]
        writer.record(USA_ACCEDES)
        assert isinstance(store, EventStore)
        versions = [version for version, _ in store.stream("instrument:ottawa-treaty")]
        assert versions == list(range(1, len(versions) + 1))
        parties = {row.party for row in writer.signatories("ottawa-treaty", as_of="2026-12-01")}
        assert {"USA", "CUB", "PRK"} <= parties


def test_a_batch_touching_many_streams_indexes_the_whole_store(
    seeded: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("declaration_events.stream_writing.STREAM_LIMIT", 2)
    detained = {"type": "Detained", "person": "Someone", "nationalities": ["CAN"], "detaining_state": "CHN"}
    batch = [detained | {"case": f"many-{n}", "occurred_on": "2026-11-01"} for n in range(3)]
    with opened(seeded) as ledger, pytest.raises(AssertionError, match="notification log"):
        ledger.record_many(batch)


def test_an_old_store_holding_one_id_twice_is_marked_indexed_after_its_first_write(tmp_path: Path) -> None:
    """A store an earlier version wrote may hold one id in two streams (its key did not exist): its
    ids can never be as many as its events, yet after the write that indexed them the next ledger
    writes without reading the log."""
    url = str(tmp_path / "old.sqlite")
    with Ledger.open(url) as ledger:
        ledger.import_logs(*SEEDS)
    with sqlite3.connect(url) as connection:
        connection.execute("DROP TABLE event_ids")
        connection.execute("DROP TABLE event_ids_state")
        connection.execute(  # a copy of a stored event, as the first of a stream of its own
            "INSERT INTO stored_events SELECT ?, 1, topic, state FROM stored_events LIMIT 1",
            ("0" * 32,),
        )
    with Ledger.open(url, create=False) as ledger:
        ledger.record(USA_ACCEDES)  # reads the whole log, indexes every id
    with opened(url) as ledger:
        ledger.record({**USA_ACCEDES, "party": "CUB"})
