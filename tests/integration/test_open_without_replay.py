"""Opening a SQLite or PostgreSQL ledger reads nothing until asked; a question about one instrument
reads that instrument's stream and the continuations, and answers as the whole index does (issue 16)."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declaration_events import InvalidTransitionError, Ledger, StoreError, UnknownEntityError
from declaration_events.events import Corrected, Event, Retracted
from declaration_events.storage.durable import EventStore, generate_cipher_key
from declaration_events.strategies import event_logs
from helpers import SEED_EVENTS, SEEDS, never

AS_OF = ("1997-12-31", "1999-03-01", "2018-12-15", "2021-02-16", "2023-06-01", "2026-01-01")
KNOWN_AT = ("2021-02-16T13:00:00+00:00", "2024-01-01T00:00:00+00:00", None)


def instrument_answers(ledger: Ledger, known_at: tuple[str | None, ...] = KNOWN_AT) -> dict[str, Any]:
    """Every instrument's signatories, reservations and relations of each participant, at fixed times."""
    result: dict[str, Any] = {"instruments": ledger.instruments()}
    for slug in ledger.instruments():
        for as_of in AS_OF:
            for known in known_at:
                at = known or "2030-01-01T00:00:00+00:00"  # "now" would differ between two calls
                key = f"{slug} {as_of} {known}"
                status = ledger.signatories(slug, as_of=as_of, known_at=at)
                result[key] = status.to_dict()
                result[f"{key} reservations"] = ledger.reservations(slug, as_of=as_of, known_at=at).to_dict()
                for row in status.rows[:3]:
                    relations = ledger.relations(slug, row.party, as_of=as_of, known_at=at)
                    result[f"{key} {row.party}"] = relations.to_dict()
    return result


def test_a_ledger_opened_on_a_store_answers_about_instruments_without_reading_the_whole_log(
    seeded: str,
) -> None:
    """Statuses, reservations and relations (continuations and corrections included) equal those of
    the ledger that indexed every stored event, and the notification log is never read."""
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        expected = instrument_answers(indexed)
    with Ledger.open(seeded, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        assert instrument_answers(opened) == expected
        assert len(expected["instruments"]) == 5


def test_condemnations_are_read_from_the_statements_stream_alone(seeded: str) -> None:
    """Condemnations (by actor, by target, at any time) equal the whole index's; nothing else is read."""
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        expected = [
            indexed.condemnations(as_of=as_of, known_at=known or "2030-01-01T00:00:00+00:00").to_dict()
            for as_of in AS_OF
            for known in KNOWN_AT
        ] + [indexed.condemnations(actor="CAN").to_dict(), indexed.condemnations(target="CHN").to_dict()]
    with Ledger.open(seeded, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        got = [
            opened.condemnations(as_of=as_of, known_at=known or "2030-01-01T00:00:00+00:00").to_dict()
            for as_of in AS_OF
            for known in KNOWN_AT
        ] + [opened.condemnations(actor="CAN").to_dict(), opened.condemnations(target="CHN").to_dict()]
    for row in (*expected[-2:], *got[-2:]):
        row.pop("known_at")  # "now", a moment apart
    assert got == expected
    assert any(answer["condemnations"] for answer in expected)


def test_an_instruments_counts_over_time_read_its_stream_alone(seeded: str) -> None:
    """`signatory_counts` (what `plot` draws) equals the whole index's, without reading the log."""
    pytest.importorskip("pandas", reason="the notebook extra (pandas) is not installed")
    question = {"start": "1997-12-01", "end": "2026-01-01", "freq": "YE", "known_at": "2030-01-01"}
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        expected = indexed.signatory_counts("ottawa-treaty", **question)
    with Ledger.open(seeded, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        got = opened.signatory_counts("ottawa-treaty", **question)
    assert got.equals(expected)
    assert got.attrs == expected.attrs


def test_each_question_reads_what_other_writers_stored_since(seeded: str) -> None:
    """An accession, and a correction of an earlier fact, stored by another process's ledger after the
    first question, are in the next answer."""
    with Ledger.open(seeded, create=False) as reader, Ledger.open(seeded, create=False) as writer:
        reader._store.read = never  # type: ignore[method-assign]
        before = reader.signatories("ottawa-treaty", as_of="2026-01-01")
        assert "USA" not in {row.party for row in before}
        writer.record(
            {
                "type": "Ratified",
                "instrument": "ottawa-treaty",
                "party": "USA",
                "mode": "accession",
                "occurred_on": "2026-11-01",
            }
        )
        after = reader.signatories("ottawa-treaty", as_of="2026-12-01")
        assert {row.party: row.status for row in after}["USA"] == "ratified"
        day = "1997-12-03"  # Canada signed and ratified on the day the treaty opened
        ratified = next(row for row in reader.signatories("ottawa-treaty", as_of=day) if row.party == "CAN")
        assert ratified.status == "ratified"
        writer.correct(ratified.event_id, {"occurred_on": "1997-12-04"}, "a day later, say the archives")
        corrected = reader.signatories("ottawa-treaty", as_of=day)
        assert {row.party: row.status for row in corrected}["CAN"] == "signed"


def test_a_question_about_everything_indexes_the_whole_store_once(seeded: str) -> None:
    """`cases()` indexes every stored event; from then on instrument questions read no stream."""
    with Ledger.open(seeded, create=False) as ledger:
        ledger.signatories("ottawa-treaty")
        assert len(ledger.cases(as_of="2021-02-16")) >= 3
        assert len(ledger) == SEED_EVENTS
        store = ledger._store
        assert isinstance(store, EventStore)
        store.stream_records = never  # type: ignore[method-assign]
        store.typed_records = never  # type: ignore[method-assign]
        assert ledger.signatories("ottawa-treaty").rows


def test_a_write_on_an_opened_ledger_is_checked_against_the_whole_store(seeded: str) -> None:
    """A second signature of a party that signed is refused; a legal fact is stored and answered."""
    with Ledger.open(seeded, create=False) as ledger:
        ledger.signatories("ottawa-treaty")
        with pytest.raises(InvalidTransitionError):
            ledger.record(
                {"type": "Signed", "instrument": "ottawa-treaty", "party": "CAN", "occurred_on": "2020-01-01"}
            )
        ledger.record(
            {
                "type": "Ratified",
                "instrument": "ottawa-treaty",
                "party": "USA",
                "mode": "accession",
                "occurred_on": "2026-11-01",
            }
        )
        assert len(ledger) == SEED_EVENTS + 1
        assert "USA" in {row.party for row in ledger.signatories("ottawa-treaty")}


def test_an_unknown_instrument_is_an_error_that_reads_nothing_else(seeded: str) -> None:
    with Ledger.open(seeded, create=False) as ledger:
        ledger._store.read = never  # type: ignore[method-assign]
        with pytest.raises(UnknownEntityError, match="ottawa-tready"):
            ledger.signatories("ottawa-tready")


def test_an_encrypted_store_opens_without_replay_with_its_key(tmp_path: Path) -> None:
    key = generate_cipher_key()
    url = str(tmp_path / "secret.sqlite")
    with Ledger.open(url, cipher_key=key) as ledger:
        ledger.import_logs(*SEEDS)
    with Ledger.open(url, cipher_key=key, create=False) as ledger:
        ledger._store.read = never  # type: ignore[method-assign]
        assert {row.party for row in ledger.signatories("ottawa-treaty", as_of="2000-01-01")} >= {"CAN"}


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(event_logs(max_amendments=6, max_history=10), st.data())
def test_any_log_stored_answers_the_same_opened_as_indexed(log: list[Event], data: st.DataObject) -> None:
    """Any legal log with corrections and retractions, stored in SQLite: an opened ledger's instrument
    answers at record times within the log equal the in-memory ledger's."""
    reference = Ledger.from_events(log)
    times = sorted({e.recorded_at for e in log if e.recorded_at is not None}) or [
        datetime(2026, 1, 1, tzinfo=UTC)
    ]
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "ledger.sqlite")
        with Ledger.open(url) as ledger:
            ledger.record_many(log)
        with Ledger.open(url, create=False) as opened:
            opened._store.read = never  # type: ignore[method-assign]
            assert opened.instruments() == reference.instruments()
            for slug in reference.instruments():
                for _ in range(3):
                    as_of = data.draw(st.dates(min_value=datetime(1985, 1, 1).date()), label="as_of")
                    known_at = data.draw(st.sampled_from(times), label="known_at")
                    assert (
                        opened.signatories(slug, as_of=as_of, known_at=known_at).to_dict()
                        == reference.signatories(slug, as_of=as_of, known_at=known_at).to_dict()
                    )
                    assert (
                        opened.condemnations(as_of=as_of, known_at=known_at).to_dict()
                        == reference.condemnations(as_of=as_of, known_at=known_at).to_dict()
                    )


def case_answers(ledger: Ledger) -> dict[str, Any]:
    """Every case row (all fields) and the counts, at fixed times, and of a few cases one by one."""
    result: dict[str, Any] = {}
    for as_of in AS_OF:
        for known in KNOWN_AT:
            cases = ledger.cases(as_of=as_of, known_at=known)
            result[f"{as_of} {known}"] = (cases.rows, cases.counts)
            designated = ledger.cases(as_of=as_of, known_at=known, designation="wrongful_detention")
            result[f"{as_of} {known} designated"] = designated.rows
    for slug in ("kovrig", "spavor", "meng-wanzhou"):
        result[slug] = ledger.case(slug, as_of="2021-02-16")
    return result


def test_cases_are_read_from_the_history_tables_when_the_store_keeps_them(seeded: str) -> None:
    """After a rebuild, a ledger opened on the store answers `cases` (every field, counts, one case,
    a designation) from `case_history`, as the ledger that indexed every event does."""
    with Ledger.open(seeded, create=False) as indexed:
        indexed.rebuild_histories()
        expected = case_answers(indexed)
    with Ledger.open(seeded, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        assert case_answers(opened) == expected
        with pytest.raises(UnknownEntityError, match="no-such-case"):
            opened.case("no-such-case")


def test_without_history_tables_cases_index_the_whole_store(seeded: str) -> None:
    with Ledger.open(seeded, create=False) as indexed:
        indexed.catch_up()
        expected = case_answers(indexed)
    with Ledger.open(seeded, create=False) as opened:
        assert case_answers(opened) == expected
        assert len(opened.projection) == SEED_EVENTS  # indexed by the first `cases`


def test_history_tables_of_an_earlier_shape_refuse_batches_until_rebuilt(tmp_path: Path) -> None:
    """Tables an earlier version made lack what `cases` reads: a batch is refused, naming `rebuild`,
    and stores nothing; a rebuild makes them afresh."""
    url = str(tmp_path / "old.sqlite")
    with Ledger.open(url) as ledger:
        ledger.import_logs(SEEDS[1])
        ledger.rebuild_histories()
    with sqlite3.connect(url) as db:
        db.execute("DELETE FROM history_state WHERE key = 'shape'")
    with Ledger.open(url) as ledger:
        with pytest.raises(StoreError, match="declaration-events rebuild --db URL"):
            ledger.import_logs(*SEEDS)
        ledger.rebuild_histories()
        ledger.import_logs(*SEEDS)
        assert len(ledger) == SEED_EVENTS


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(event_logs(max_cases=4, max_amendments=6, max_history=10), st.booleans(), st.data())
def test_any_log_stored_with_tables_answers_cases_from_them_as_the_ledger(
    log: list[Event], split: bool, data: st.DataObject
) -> None:
    """Any legal log (links, non-state captors, designations, corrections, retractions), stored in
    SQLite with history tables, at once or amendments later: `cases` read from the tables equals the
    in-memory ledger's, every field, at any date and record time."""
    reference = Ledger.from_events(log)
    times = sorted({e.recorded_at for e in log if e.recorded_at is not None})
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "ledger.sqlite")
        with Ledger.open(url) as ledger:
            ledger.rebuild_histories()
            amendments = [e for e in log if isinstance(e, Corrected | Retracted)] if split else []
            try:
                ledger.record_many([e for e in log if e not in amendments])
            except InvalidTransitionError:  # a fact the log's amendments make legal: all at once
                amendments = []
                ledger.record_many(log)
            ledger.record_many(amendments)
        with Ledger.open(url, create=False) as opened:
            opened._store.read = never  # type: ignore[method-assign]
            for _ in range(4):
                as_of = data.draw(
                    st.dates(min_value=date(1985, 1, 1), max_value=date(2030, 1, 1)), label="as_of"
                )
                known_at = data.draw(st.sampled_from([None, *times]), label="known_at")
                got = opened.cases(as_of=as_of, known_at=known_at)
                want = reference.cases(as_of=as_of, known_at=known_at)
                assert (got.rows, got.counts) == (want.rows, want.counts)


def detained(case: str, recorded_at: str, **more: Any) -> dict[str, Any]:
    fact = {"type": "Detained", "case": case, "person": case.title(), "nationalities": ["CAN"]}
    fact |= {"detaining_state": "CHN", "occurred_on": "2019-01-01", "recorded_at": recorded_at}
    return fact | more


LINK = "00000000-0000-4000-8000-000000000001"
REGISTRATION = "00000000-0000-4000-8000-0000000000a1"
KEPT_BATCH_BY_BATCH = {
    "a correction moves a link to another case": (
        [
            detained("x", "2019-02-01T00:00:00Z"),
            detained("y", "2019-02-01T00:00:00Z"),
            detained("z", "2019-02-01T00:00:00Z"),
            {"type": "CasesLinked", "case": "x", "other_case": "y", "relation": "reciprocal"}
            | {"occurred_on": "2019-01-05", "recorded_at": "2019-02-01T00:00:00Z", "id": LINK},
        ],
        [
            {"type": "Corrected", "target": LINK, "changes": {"other_case": "z"}, "reason": "wrong case"}
            | {"occurred_on": "2019-03-01", "recorded_at": "2019-03-01T00:00:00Z"}
        ],
    ),
    "a link recorded before a case's last fact, with a later fact of that case": (
        [
            detained("x", "2019-02-01T00:00:00Z"),
            detained("y", "2019-02-01T00:00:00Z"),
            {"type": "Charged", "case": "y", "charges": ["spying"]}
            | {"occurred_on": "2019-04-01", "recorded_at": "2019-05-01T00:00:00Z"},
        ],
        [
            {"type": "CasesLinked", "case": "x", "other_case": "y", "relation": "reciprocal"}
            | {"occurred_on": "2019-01-05", "recorded_at": "2019-03-01T00:00:00Z"},
            {"type": "Sentenced", "case": "y", "sentence": "11 years"}
            | {"occurred_on": "2019-06-01", "recorded_at": "2019-07-01T00:00:00Z"},
        ],
    ),
    "a captor's name corrected before a case's last fact, with a later fact of that case": (
        [
            {"type": "ActorRegistered", "actor": "houthis", "name": "Houthis", "occurred_on": "2015-01-01"}
            | {"recorded_at": "2019-01-15T00:00:00Z", "id": REGISTRATION},
            detained("y", "2019-02-01T00:00:00Z", detaining_state=None, detained_by="actor:houthis"),
            {"type": "Charged", "case": "y", "charges": ["spying"]}
            | {"occurred_on": "2019-04-01", "recorded_at": "2019-05-01T00:00:00Z"},
        ],
        [
            {"type": "Corrected", "target": REGISTRATION, "changes": {"name": "Ansar Allah"}}
            | {"reason": "its own name", "occurred_on": "2019-03-01", "recorded_at": "2019-03-01T00:00:00Z"},
            {"type": "Sentenced", "case": "y", "sentence": "11 years"}
            | {"occurred_on": "2019-06-01", "recorded_at": "2019-07-01T00:00:00Z"},
        ],
    ),
}


@pytest.mark.parametrize("story", sorted(KEPT_BATCH_BY_BATCH))
def test_case_rows_kept_batch_by_batch_show_what_other_entities_changed(story: str, tmp_path: Path) -> None:
    """A batch that changes what another case's rows show (a link moved or backdated, a captor's
    name corrected) rewrites those rows too: the tables answer as the ledger, at every time."""
    first, second = KEPT_BATCH_BY_BATCH[story]
    url = str(tmp_path / "ledger.sqlite")
    with Ledger.open(url) as ledger:
        ledger.record_many(first)
        ledger.rebuild_histories()
        ledger.record_many(second)
    reference = Ledger.from_events([*first, *second])
    with Ledger.open(url, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        for known_at in (None, "2019-02-15T00:00:00Z", "2019-04-01T00:00:00Z", "2019-06-01T00:00:00Z"):
            for as_of in ("2019-06-01", "2020-06-01"):
                got = opened.cases(as_of=as_of, known_at=known_at)
                want = reference.cases(as_of=as_of, known_at=known_at)
                assert got.rows == want.rows, (known_at, as_of)


def test_cases_of_an_iterator_of_slugs_answer_on_an_opened_store_without_tables(seeded: str) -> None:
    with Ledger.open(seeded, create=False) as opened:
        slugs = [row.case for row in opened.cases(only=iter(["kovrig", "spavor"]), as_of="2021-02-16")]
    assert slugs == ["kovrig", "spavor"]


def test_history_tables_of_an_earlier_shape_do_not_stop_a_query(tmp_path: Path) -> None:
    """A reader of a store whose tables an earlier version made is answered from the events."""
    url = str(tmp_path / "old.sqlite")
    with Ledger.open(url) as ledger:
        ledger.import_logs(SEEDS[1])
        ledger.rebuild_histories()
        expected = ledger.cases(as_of="2021-02-16").rows
    with sqlite3.connect(url) as db:
        db.execute("DELETE FROM history_state WHERE key = 'shape'")
    with Ledger.open(url, create=False) as opened:
        assert opened.cases(as_of="2021-02-16").rows == expected


def test_the_inventory_is_read_from_the_tables_and_the_openings(seeded: str) -> None:
    """`list` (instruments with kinds and titles, cases with their people and captors, actors, the
    counts) on a store with tables equals the whole index's, without reading the log."""
    with Ledger.open(seeded, create=False) as indexed:
        indexed.rebuild_histories()
        expected = indexed.inventory()
    with Ledger.open(seeded, create=False) as opened:
        opened._store.read = never  # type: ignore[method-assign]
        assert opened.inventory() == expected
    assert expected["events"] == SEED_EVENTS and expected["cases"] and expected["actors"]


def test_the_inventory_of_a_case_with_no_rows_indexes_the_store(tmp_path: Path) -> None:
    """A case all of whose facts are retracted has no rows: the tables cannot name its stream, so
    the inventory is read from the events, and still lists it."""
    url = str(tmp_path / "ledger.sqlite")
    fact = detained("gone", "2019-02-01T00:00:00Z")
    with Ledger.open(url) as ledger:
        ledger.import_logs(SEEDS[1])
        ledger.rebuild_histories()
        stored = ledger.record(fact)
        ledger.retract(stored.id, "never happened", occurred_on="2019-03-01")
        expected = ledger.inventory()
    with Ledger.open(url, create=False) as opened:
        assert opened.inventory() == expected
    assert "gone" in {case["case"] for case in expected["cases"]}


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(event_logs(max_cases=4, max_amendments=6, max_history=10))
def test_any_log_stored_with_tables_lists_what_the_ledger_lists(log: list[Event]) -> None:
    reference = Ledger.from_events(log)
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "ledger.sqlite")
        with Ledger.open(url) as ledger:
            ledger.rebuild_histories()
            ledger.record_many(log)
        with Ledger.open(url, create=False) as opened:
            assert opened.inventory() == reference.inventory()
