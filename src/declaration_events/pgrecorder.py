"""The PostgreSQL recorder of the store: eventsourcing's own, sending a batch outside pipeline mode.

`eventsourcing` 9.5.6 inserts a batch in psycopg's pipeline mode. When the batch's one
parameter passes about 8 MB (measured: 3,000 events of 3 KB, or 42,000 short ones),
client and server wait on each other for ever inside `pipeline.sync()`. The same
statements sent one after the other go through. Everything else is eventsourcing's
code: the EXCLUSIVE table lock that makes notification ids commit in order, NOTIFY,
and `INSERT ... RETURNING notification_id`, all in one transaction.

Imported only for PostgreSQL stores (it needs psycopg, the `postgres` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder

__all__ = ["BatchRecorder"]


class BatchRecorder(PostgresApplicationRecorder):
    """Inserts a batch of any size in one transaction, without psycopg's pipeline mode."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Lock the table, notify, insert every event; return their notification ids."""
        if not stored_events:
            return []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
