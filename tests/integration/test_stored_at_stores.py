"""Stamps in real stores: taken in the batch's transaction, kept across processes, older stores upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from declaration_events import Ledger, StoreError
from helpers import KOVRIG_BACKDATED, KOVRIG_CHARGED, KOVRIG_DETAINED, KOVRIG_RELEASED

DETAINED, CHARGED, RELEASED, BACKDATED = KOVRIG_DETAINED, KOVRIG_CHARGED, KOVRIG_RELEASED, KOVRIG_BACKDATED


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store that outlives the process that opened it."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.sqlite")
    url: str = request.getfixturevalue("postgres_url")
    return url + "?schema=stamped"


def status(ledger: Ledger, **stored_by: object) -> str:
    row = ledger.case("kovrig", as_of="2020-12-31", known_at="2021-01-01", **stored_by)  # type: ignore[arg-type]
    assert row is not None
    return row.status


def test_an_answer_as_stored_by_a_time_survives_a_backdated_import_and_a_new_process(
    durable_url: str,
) -> None:
    """The Kovrig attack on a real store: reopened, the store still answers what it held then."""
    with Ledger.open(durable_url) as ledger:
        ledger.record_many([DETAINED, CHARGED, RELEASED])
        before = ledger.stamps()[-1].stored_at
        assert ledger.record_many([BACKDATED]).backdated == 1
    with Ledger.open(durable_url, create=False) as reopened:
        stamps = reopened.stamps()
        assert [(s.events, s.added) for s in stamps] == [(3, 3), (4, 1)]
        assert stamps[0].stored_at == before < stamps[1].stored_at
        assert status(reopened) == "detained"
        assert status(reopened, stored_by=before) == "charged"


def test_two_ledgers_on_one_store_stamp_in_commit_order(durable_url: str) -> None:
    """Batches from two writers get increasing stamps and event counts, whoever writes."""
    with Ledger.open(durable_url) as first, Ledger.open(durable_url) as second:
        first.record_many([DETAINED])
        second.record_many([CHARGED])
        first.record_many([RELEASED])
        stamps = second.stamps()
    assert [s.events for s in stamps] == [1, 2, 3]
    assert [s.stored_at for s in stamps] == sorted({s.stored_at for s in stamps})


def drop_stamps(url: str) -> None:
    """Make a store look as one written by version 0.2, which kept no stamps."""
    if url.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
            conn.execute("DROP TABLE stamped.declarationevents_stored")
        return
    with sqlite3.connect(url) as conn:
        conn.execute("DROP TABLE stored_batches")


def test_a_store_written_before_stamps_existed_is_stamped_from_its_next_batch(durable_url: str) -> None:
    """Events stored before any stamp are counted into the first; times before it cannot be answered."""
    with Ledger.open(durable_url) as ledger:
        ledger.record_many([DETAINED, CHARGED])
    drop_stamps(durable_url)
    with Ledger.open(durable_url, create=False) as ledger:
        assert ledger.stamps() == []
        with pytest.raises(StoreError, match="2 events were stored before it kept storage times"):
            ledger.as_stored("2000-01-01")
        ledger.record_many([RELEASED])
        (stamp,) = ledger.stamps()
        assert (stamp.events, stamp.added) == (3, 1)
        assert len(ledger.as_stored(stamp.stored_at)) == 3
        with pytest.raises(StoreError, match="2 events were stored before it kept storage times"):
            ledger.as_stored("2000-01-01")
