"""The SQLite recorder of the store: eventsourcing's own, stamping each batch (see `stamps`).

Imported only for SQLite stores (through `APPLICATION_RECORDER_TOPIC`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from ..errors import ConcurrencyError, StoreError
from .mapper import stream_id
from .stamps import Stamp, next_stamp, stamp_text
from .tables import (
    HISTORY_SHAPE,
    OLD_SHAPE,
    CaseTableRow,
    Histories,
    known_text,
    sqlite_case_rows,
    sqlite_closed,
    sqlite_signatory_rows,
)

__all__ = ["SQLITE_STAMPS", "StampingSQLiteRecorder"]

#: The SQLite table of stamps (beside eventsourcing's `stored_events`).
SQLITE_STAMPS = "stored_batches"


class StampingSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, stamping each batch it inserts in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's table, the stamps' and the ids' (the history tables come with their first
        rebuild)."""
        return [*super().construct_create_table_statements(), _SQLITE_CREATE, _SQLITE_IDS, _SQLITE_IDS_STATE]

    def keeps_histories(self) -> bool:
        """Whether the store has history tables (a rebuild made them): then every batch keeps them."""
        with self.datastore.transaction(commit=False) as cursor:
            return _has_histories(cursor)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert the events, stamp the batch, index its event ids and replace the history rows they
        change, in one transaction (SQLite's write lock held).

        `event_ids`: (event id, entity) of each event, inserted into `event_ids`, whose key refuses an
        id stored before (`IntegrityError`); `known_ids`: those of events stored before, inserted
        where missing (a store an earlier version wrote has none).
        """
        histories: Histories | None = kwargs.pop("histories", None)
        event_ids: Iterable[tuple[UUID, str]] | None = kwargs.pop("event_ids", None)
        known_ids: Iterable[tuple[UUID, str]] | None = kwargs.pop("known_ids", None)
        with self.datastore.transaction(commit=True) as cursor:
            ids = self._insert_events(cursor, stored_events, **kwargs)
            if ids:
                self._stamp(cursor, len(ids), ids[-1])  # (creates the tables an earlier version lacks)
            if known_ids is not None:
                known = ((str(event_id), entity) for event_id, entity in known_ids)
                cursor.executemany("INSERT OR IGNORE INTO event_ids (event_id, entity) VALUES (?, ?)", known)
            if event_ids is not None:
                new = ((str(event_id), entity) for event_id, entity in event_ids)
                cursor.executemany("INSERT INTO event_ids (event_id, entity) VALUES (?, ?)", new)
                cursor.execute("SELECT count(*) FROM event_ids_state")
                if not cursor.fetchone()[0]:  # complete once every stored event is indexed
                    cursor.execute("SELECT count(*) FROM stored_events")
                    if known_ids is not None or cursor.fetchone()[0] == len(ids or ()):
                        cursor.execute("INSERT INTO event_ids_state (complete) VALUES (1)")
            if histories is not None:
                self._check_unchanged(cursor, histories)
                self._write_histories(cursor, histories)
            elif _has_histories(cursor):  # rows computed by none: a rebuild made the tables since the check
                raise IntegrityError("the store's history tables were made since the batch was checked")
            return ids

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        """Insert the events with one `executemany` (eventsourcing's recorder runs one statement an
        event, to read each row id); return their notification ids (row ids).

        The insert comes first, so that the transaction waits for SQLite's write lock as before.
        Holding it, each row takes the row id after the highest (the table has no AUTOINCREMENT):
        the batch's rows have the ids up to the last one inserted (checked: otherwise nothing is
        taken).
        """
        if not stored_events:
            return []
        c.executemany(
            "INSERT INTO stored_events VALUES (?,?,?,?)",
            (
                (
                    event.originator_id.hex if isinstance(event.originator_id, UUID) else event.originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                )
                for event in stored_events
            ),
        )
        count = len(stored_events)
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        c.execute("SELECT count(*) FROM stored_events WHERE rowid BETWEEN ? AND ?", (last - count + 1, last))
        if c.fetchone()[0] != count:  # not consecutive (row ids past 2**63 - 1): take nothing
            raise StoreError(
                f"the store gave {count} new events row ids that do not follow each other (up to {last}); "
                "nothing was written"
            )
        return list(range(last - count + 1, last + 1))

    def select_typed(
        self, originator_id: UUID | None, topics: Sequence[str], gt: int = 0
    ) -> list[StoredEvent]:
        """The events of these topics: in one stream after a version, in version order, or (None) in
        every stream, in the notification log's order."""
        wanted = json.dumps(list(topics))
        with self.datastore.transaction(commit=False) as cursor:
            if originator_id is None:
                cursor.execute(
                    "SELECT originator_id, originator_version, topic, state FROM stored_events "
                    "WHERE topic IN (SELECT value FROM json_each(?)) ORDER BY rowid",
                    (wanted,),
                )
            else:
                cursor.execute(
                    "SELECT originator_id, originator_version, topic, state FROM stored_events "
                    "WHERE originator_id = ? AND originator_version > ? "
                    "AND topic IN (SELECT value FROM json_each(?)) ORDER BY originator_version",
                    (originator_id.hex, gt, wanted),
                )
            return [
                StoredEvent(
                    originator_id=self.convert_originator_id(row["originator_id"]),
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=row["state"],
                )
                for row in cursor.fetchall()
            ]

    def select_ids_complete(self) -> bool:
        """Whether `event_ids` names every stored event: marked in `event_ids_state` by the first batch
        into a new store, or by the batch that indexed the ids of a store an earlier version wrote."""
        with self.datastore.transaction(commit=False) as cursor:
            try:  # marked, or nothing stored yet
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM event_ids_state) "
                    "OR NOT EXISTS (SELECT 1 FROM stored_events)"
                )
            except (sqlite3.OperationalError, OperationalError) as exc:
                if "no such table" in str(exc):
                    return False
                raise
            return bool(cursor.fetchone()[0])

    def select_entities_of(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The entity of each stored event among these ids (an amendment's: its target's)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT event_id, entity FROM event_ids WHERE event_id IN (SELECT value FROM json_each(?))",
                (json.dumps(list(event_ids)),),
            )
            return {row[0]: row[1] for row in cursor.fetchall()}

    def select_stream_extent(self, originator_id: UUID) -> tuple[int, int]:
        """How many events a stream holds, and its highest version (equal, unless one is missing)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(
                "SELECT count(*), coalesce(max(originator_version), 0) FROM stored_events "
                "WHERE originator_id = ?",
                (originator_id.hex,),
            )
            row = cursor.fetchone()
            return int(row[0]), int(row[1])

    def select_event_count(self) -> int:
        """How many events the store holds."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT count(*) FROM stored_events")
            return int(cursor.fetchone()[0])

    def select_stream_counts(self) -> dict[UUID, int]:
        """How many events each stream holds."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute("SELECT originator_id, count(*) FROM stored_events GROUP BY originator_id")
            return {UUID(str(row[0])): row[1] for row in cursor.fetchall()}

    def select_current_cases(self) -> list[tuple[str, str]] | None:
        """(case_slug, details) of each case's last row as known now; None without complete tables."""
        with self.datastore.transaction(commit=False) as cursor:
            if not _tables_readable(cursor):
                return None
            cursor.execute(
                "SELECT case_slug, details FROM case_history NOT INDEXED "
                "WHERE known_until IS NULL AND valid_until IS NULL"
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def select_case_rows(
        self, as_of: date, known_at: datetime | None, slugs: Sequence[str] | None
    ) -> list[CaseTableRow] | None:
        """The `case_history` rows that answer (as_of, known_at) (None: as known now), of these cases
        or of all; None if the store keeps no complete history tables."""
        with self.datastore.transaction(commit=False) as cursor:
            if not _tables_readable(cursor):
                return None
            params = {
                "as_of": as_of.isoformat(),
                "known_at": known_text(known_at),
                "slugs": json.dumps(list(slugs or ())),
            }
            if slugs is None:
                cursor.execute(
                    "SELECT case_slug, status, valid_from, days_detained_before, in_custody, "
                    "days_restricted_before, restricted, days_deprived_before, deprived, uncertain, "
                    "event_id, details FROM case_history NOT INDEXED "  # every case: one pass, no lookups
                    "WHERE valid_from <= :as_of AND (valid_until IS NULL OR valid_until > :as_of) "
                    "AND ((:known_at IS NULL AND known_until IS NULL) OR (known_from <= :known_at "
                    "AND (known_until IS NULL OR known_until > :known_at)))",
                    params,
                )
            else:  # one case's rows: a range scan of the (case_slug, valid_from) index
                cursor.execute(
                    "SELECT case_slug, status, valid_from, days_detained_before, in_custody, "
                    "days_restricted_before, restricted, days_deprived_before, deprived, uncertain, "
                    "event_id, details FROM case_history "
                    "WHERE case_slug IN (SELECT value FROM json_each(:slugs)) AND valid_from <= :as_of "
                    "AND (valid_until IS NULL OR valid_until > :as_of) "
                    "AND ((:known_at IS NULL AND known_until IS NULL) OR (known_from <= :known_at "
                    "AND (known_until IS NULL OR known_until > :known_at)))",
                    params,
                )
            return [
                CaseTableRow(
                    r[0],
                    r[1],
                    date.fromisoformat(r[2]),
                    (r[3], bool(r[4]), r[5], bool(r[6]), r[7], bool(r[8])),
                    bool(r[9]),
                    UUID(r[10]),
                    r[11],
                )
                for r in cursor.fetchall()
            ]

    def _check_unchanged(self, cursor: SQLiteCursor, histories: Histories) -> None:
        """Refuse rows computed from streams that moved on since (the write lock is held)."""
        for entity, version in histories.unchanged:
            cursor.execute(
                "SELECT max(originator_version) FROM stored_events WHERE originator_id = ?",
                (stream_id(entity).hex,),
            )
            found = cursor.fetchone()[0] or 0
            if found != version:
                raise IntegrityError(f"{entity} is at version {found}, not {version}")

    def write_histories(self, histories: Histories, position: int) -> None:
        """Replace history rows computed from the store's first `position` events, in one transaction;
        `ConcurrencyError` if the store holds more by then (the caller reads them and computes again)."""
        with self.datastore.transaction(commit=True) as cursor:
            # A write first: it takes SQLite's write lock, so no event is added until this commits.
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS history_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            cursor.execute("DELETE FROM history_state WHERE key = 'complete'")
            if histories.complete:  # made afresh, in this version's shape
                cursor.execute("DROP TABLE IF EXISTS signatory_history")
                cursor.execute("DROP TABLE IF EXISTS case_history")
            _create_histories(cursor)
            cursor.execute("SELECT max(rowid) FROM stored_events")
            stored = cursor.fetchone()[0] or 0
            if stored != position:
                raise ConcurrencyError(f"the store holds events up to {stored}, not {position}")
            self._write_histories(cursor, histories)

    def _write_histories(self, cursor: SQLiteCursor, histories: Histories) -> None:
        if histories.complete:
            cursor.execute("DELETE FROM signatory_history")
            cursor.execute("DELETE FROM case_history")
            cursor.execute("INSERT OR REPLACE INTO history_state (key, value) VALUES ('complete', '1')")
            cursor.execute(
                "INSERT OR REPLACE INTO history_state (key, value) VALUES ('shape', ?)", (HISTORY_SHAPE,)
            )
        else:
            cursor.executemany(
                "DELETE FROM signatory_history WHERE instrument = ?", [(s,) for s in histories.instruments()]
            )
            cursor.executemany(
                "DELETE FROM case_history WHERE case_slug = ?", [(s,) for s in histories.case_slugs()]
            )
        signatories, cases = sqlite_closed(histories.closed)
        for params in signatories:
            cursor.execute(
                "UPDATE signatory_history SET known_until = ? WHERE instrument = ? AND party = ? "
                "AND status = ? AND valid_from = ? AND valid_until IS ? AND uncertain = ? AND event_id = ? "
                "AND known_until IS NULL",
                params,
            )
            _one_changed(cursor, "signatory_history", params)
        for params in cases:
            cursor.execute(
                "UPDATE case_history SET known_until = ? WHERE case_slug = ? AND status = ? "
                "AND valid_from = ? AND valid_until IS ? AND days_detained_before = ? AND in_custody = ? "
                "AND uncertain = ? AND event_id = ? AND known_until IS NULL",
                params,
            )
            _one_changed(cursor, "case_history", params)
        cursor.executemany(
            "INSERT INTO signatory_history (instrument, party, status, valid_from, valid_until, known_from, "
            "known_until, uncertain, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            sqlite_signatory_rows(histories.signatories),
        )
        cursor.executemany(
            "INSERT INTO case_history (case_slug, status, valid_from, valid_until, known_from, known_until, "
            "days_detained_before, in_custody, uncertain, event_id, days_restricted_before, restricted, "
            "days_deprived_before, deprived, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            sqlite_case_rows(histories.cases),
        )

    def _stamp(self, cursor: SQLiteCursor, added: int, position: int) -> None:
        self._create_table(cursor)  # a store an earlier version wrote has no stamps table yet
        cursor.execute(
            "SELECT events, stored_at, added, position FROM stored_batches ORDER BY events DESC LIMIT 1"
        )
        row = cursor.fetchone()
        last = None if row is None else Stamp(row[0], datetime.fromisoformat(row[1]), row[2], row[3])
        stored = 0
        if last is None:
            cursor.execute(
                "SELECT count(*) FROM stored_events"
            )  # eventsourcing's table (durable.SQLITE_TABLE)
            stored = cursor.fetchone()[0]
        stamp = next_stamp(last, stored, added, position, datetime.now(UTC))
        cursor.execute(
            "INSERT INTO stored_batches (events, stored_at, added, position) VALUES (?, ?, ?, ?)",
            (stamp.events, stamp_text(stamp.stored_at), stamp.added, stamp.position),
        )

    def select_stamps(self) -> list[Stamp]:
        """Every stamp, oldest first ([] for a store no version with stamps has written to)."""
        try:
            with self.datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    "SELECT events, stored_at, added, position FROM stored_batches ORDER BY events"
                )
                rows = cursor.fetchall()
        except (sqlite3.OperationalError, OperationalError) as exc:  # eventsourcing wraps the driver's
            if "no such table" in str(exc):
                return []
            raise
        return [Stamp(row[0], datetime.fromisoformat(row[1]), row[2], row[3]) for row in rows]


_SQLITE_CREATE = (
    "CREATE TABLE IF NOT EXISTS stored_batches ("
    "events INTEGER PRIMARY KEY, stored_at TEXT NOT NULL, added INTEGER NOT NULL, position INTEGER NOT NULL)"
)
#: Which stream holds each event (see `durable.EventStore.entities_of`); its key forbids a reused id.
_SQLITE_IDS = (
    "CREATE TABLE IF NOT EXISTS event_ids (event_id TEXT PRIMARY KEY, entity TEXT NOT NULL) WITHOUT ROWID"
)
#: One row once `event_ids` names every stored event.
_SQLITE_IDS_STATE = "CREATE TABLE IF NOT EXISTS event_ids_state (complete INTEGER NOT NULL)"


def _has_histories(cursor: SQLiteCursor) -> bool:
    """Whether a rebuild has made the history tables (`StoreError` if an earlier version's shape:
    a batch cannot keep them)."""
    shape = _history_shape(cursor)
    if shape not in (None, HISTORY_SHAPE):
        raise StoreError(OLD_SHAPE)
    return shape is not None


def _tables_readable(cursor: SQLiteCursor) -> bool:
    """Whether queries may read the history tables: made by a rebuild of this version's shape, and
    holding every entity (an earlier shape, or none, is answered from the events)."""
    if _history_shape(cursor) != HISTORY_SHAPE:
        return False
    cursor.execute("SELECT value FROM history_state WHERE key = 'complete'")
    complete = cursor.fetchone()
    return complete is not None and complete[0] == "1"


def _history_shape(cursor: SQLiteCursor) -> str | None:
    """The shape of the store's history tables ("" if unmarked), None if it has none."""
    cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'history_state'")
    if not cursor.fetchone()[0]:
        return None
    cursor.execute("SELECT value FROM history_state WHERE key = 'shape'")
    shape = cursor.fetchone()
    return str(shape[0]) if shape is not None else ""


def _one_changed(cursor: SQLiteCursor, table: str, params: tuple[object, ...]) -> None:
    """Refuse the batch if an open row to end is not there: the tables are not what its rows assumed."""
    cursor.execute("SELECT changes()")
    changed = cursor.fetchone()[0]
    if changed != 1:
        raise IntegrityError(f"{table} has {changed} open rows like {params[1:]}")


def _create_histories(cursor: SQLiteCursor) -> None:
    """The history tables (see `tables`) and their indexes: one instrument's (one case's) rows as of a
    date is a range scan."""
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS signatory_history (instrument TEXT NOT NULL, party TEXT NOT NULL, "
        "status TEXT NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT, known_from TEXT NOT NULL, "
        "known_until TEXT, uncertain INTEGER NOT NULL, event_id TEXT NOT NULL)"
    )
    cursor.execute(
        "CREATE INDEX IF NOT EXISTS signatory_history_as_of ON signatory_history (instrument, valid_from)"
    )
    cursor.execute(
        "CREATE INDEX IF NOT EXISTS signatory_history_party ON signatory_history (party, instrument)"
    )
    cursor.execute(
        "CREATE TABLE IF NOT EXISTS case_history (case_slug TEXT NOT NULL, status TEXT NOT NULL, "
        "valid_from TEXT NOT NULL, valid_until TEXT, known_from TEXT NOT NULL, known_until TEXT, "
        "days_detained_before INTEGER NOT NULL, in_custody INTEGER NOT NULL, uncertain INTEGER NOT NULL, "
        "event_id TEXT NOT NULL, days_restricted_before INTEGER NOT NULL, restricted INTEGER NOT NULL, "
        "days_deprived_before INTEGER NOT NULL, deprived INTEGER NOT NULL, details TEXT NOT NULL)"
    )
    cursor.execute("CREATE INDEX IF NOT EXISTS case_history_as_of ON case_history (case_slug, valid_from)")
    cursor.execute("CREATE INDEX IF NOT EXISTS case_history_valid_from ON case_history (valid_from)")
    cursor.execute("CREATE TABLE IF NOT EXISTS history_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
