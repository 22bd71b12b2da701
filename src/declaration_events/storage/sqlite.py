"""The SQLite recorder of the store: eventsourcing's own, stamping each batch (see `stamps`).

Imported only for SQLite stores (through `APPLICATION_RECORDER_TOPIC`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from .stamps import Stamp, next_stamp, stamp_text

__all__ = ["SQLITE_STAMPS", "StampingSQLiteRecorder"]

#: The SQLite table of stamps (beside eventsourcing's `stored_events`).
SQLITE_STAMPS = "stored_batches"


class StampingSQLiteRecorder(SQLiteApplicationRecorder):
    """eventsourcing's SQLite recorder, stamping each batch it inserts in the same transaction."""

    def construct_create_table_statements(self) -> list[str]:
        """eventsourcing's table, and the stamps'."""
        return [*super().construct_create_table_statements(), _SQLITE_CREATE]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Insert the events and stamp the batch, in one transaction (SQLite's write lock held)."""
        with self.datastore.transaction(commit=True) as cursor:
            ids = self._insert_events(cursor, stored_events, **kwargs)
            if ids:
                self._stamp(cursor, len(ids), ids[-1])
            return ids

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
