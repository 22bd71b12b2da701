"""The history tables, for any legal log with corrections and retractions, recorded in batches: every
row the tables give for (D, R) is what the Ledger answers as of D known at R (issue 16)."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bitemporal_answers import interesting_days, record_times

from declaration_events import InvalidTransitionError, Ledger
from declaration_events.events import Corrected, Event, Retracted
from declaration_events.projections import _known_intervals, interval_of
from declaration_events.storage.tables import known_text
from declaration_events.strategies import event_logs

STATUS = (
    "SELECT instrument, party, status, uncertain FROM signatory_history WHERE valid_from <= :as_of "
    "AND (valid_until IS NULL OR valid_until > :as_of) AND known_from <= :known_at "
    "AND (known_until IS NULL OR known_until > :known_at) ORDER BY instrument, party"
)
CASES = (
    "SELECT case_slug, status, days_detained_before + CASE WHEN in_custody "
    "THEN CAST(julianday(:as_of) - julianday(valid_from) AS INTEGER) ELSE 0 END, uncertain "
    "FROM case_history "
    "WHERE valid_from <= :as_of AND (valid_until IS NULL OR valid_until > :as_of) "
    "AND known_from <= :known_at AND (known_until IS NULL OR known_until > :known_at) ORDER BY case_slug"
)


def ledger_answers(ledger: Ledger, as_of: date, known_at: datetime) -> tuple[list[tuple[object, ...]], ...]:
    statuses: list[tuple[object, ...]] = []
    for slug in ledger.instruments():
        result = ledger.signatories(slug, as_of=as_of, known_at=known_at)
        statuses += [(slug, row.party, row.status, row.uncertain) for row in result]
    cases = [
        (row.case, row.status, row.days_detained, row.uncertain)
        for row in ledger.cases(as_of=as_of, known_at=known_at)
    ]
    return statuses, cases


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(event_logs(max_amendments=6), st.booleans(), st.data())
def test_the_tables_answer_every_question_as_the_ledger(
    log: list[Event], split: bool, data: st.DataObject
) -> None:
    """Recorded at once, or facts first and amendments in a second batch, into a SQLite store with
    tables: the tables answer as the Ledger does."""
    with tempfile.TemporaryDirectory() as folder:
        url = str(Path(folder) / "ledger.sqlite")
        with Ledger.open(url) as ledger:
            ledger.rebuild_histories()
            amendments = [e for e in log if isinstance(e, Corrected | Retracted)] if split else []
            facts = [e for e in log if e not in amendments]
            try:
                ledger.record_many(facts)
            except InvalidTransitionError:  # a fact the log's amendments make legal: all at once
                amendments, facts = [], log
                ledger.record_many(log)
            ledger.record_many(amendments)
            days, times = interesting_days(log), record_times(log) or [datetime(2026, 1, 1, tzinfo=UTC)]
            with sqlite3.connect(url) as db:
                for _ in range(5):
                    as_of = data.draw(st.sampled_from(days), label="as_of")
                    known_at = data.draw(st.sampled_from(times), label="known_at")
                    params = {"as_of": as_of.isoformat(), "known_at": known_text(known_at)}
                    statuses = [(i, p, s, bool(u)) for i, p, s, u in db.execute(STATUS, params)]
                    cases = [(c, s, d, bool(u)) for c, s, d, u in db.execute(CASES, params)]
                    assert (statuses, cases) == ledger_answers(ledger, as_of, known_at), (as_of, known_at)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(event_logs(max_instruments=3, max_cases=0, max_statements=0, max_amendments=8, max_history=16))
def test_an_instruments_rows_computed_party_by_party_are_those_of_the_whole_instrument(
    log: list[Event],
) -> None:
    """Where no party's rows depend on another's facts, folding each party's part at its own record
    times gives exactly the rows of folding the whole instrument at every record time."""
    ledger = Ledger.from_events(log)
    projection = ledger._caught_up()
    for slug in ledger.instruments():
        entity = f"instrument:{slug}"
        split = sorted(map(repr, projection.history_intervals(entity)))
        whole = [
            interval_of(entity, key, known_from, known_until)
            for key, known_from, known_until in _known_intervals(
                projection.record_times(entity), partial(projection.rows_believed, entity)
            )
        ]
        assert split == sorted(map(repr, whole)), slug


def test_rows_give_record_times_in_utc_whatever_offset_a_log_wrote() -> None:
    """The same instant written with two offsets is one record time: every row's times are in UTC,
    whether an instrument is computed party by party or whole (a split once kept the offset)."""
    opened = {"type": "InstrumentOpened", "instrument": "i", "title": "I", "kind": "declaration"}
    log = [
        opened | {"occurred_on": "1990-01-01", "recorded_at": "1990-01-01T00:00:00Z"},
        {"type": "Endorsed", "instrument": "i", "party": "CAN", "occurred_on": "1990-01-01"}
        | {"recorded_at": "1990-01-01T05:00:00+05:00"},
        {"type": "Endorsed", "instrument": "i", "party": "GTM", "occurred_on": "1990-01-02"}
        | {"recorded_at": "1990-01-02T00:00:00-05:00"},
    ]
    projection = Ledger.from_events(log)._caught_up()
    entity = "instrument:i"
    rows = projection.history_intervals(entity)
    whole = _known_intervals(projection.record_times(entity), partial(projection.rows_believed, entity))
    times = [row.known_from for row in rows] + [known_from for _, known_from, _ in whole]
    assert times and all(moment.utcoffset() == timedelta(0) for moment in times)
