"""The PostgreSQL recorder of the store: eventsourcing's own, sending a batch outside pipeline mode.

`eventsourcing` 9.5.6 inserts a batch in psycopg's pipeline mode. When the batch's one
parameter passes about 8 MB (measured: 3,000 events of 3 KB, or 42,000 short ones),
client and server wait on each other for ever inside `pipeline.sync()`. The same
statements sent one after the other go through. Everything else is eventsourcing's
code: the EXCLUSIVE table lock that makes notification ids commit in order, NOTIFY,
and `INSERT ... RETURNING notification_id`, all in one transaction; only the rows go in
chunks of `INSERT_CHUNK` statements.

Imported only for PostgreSQL stores (it needs psycopg, the `postgres` extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder

__all__ = ["INSERT_CHUNK", "BatchRecorder"]

#: Events per INSERT statement of a batch (a few MB of parameters).
INSERT_CHUNK = 10_000


class BatchRecorder(PostgresApplicationRecorder):
    """Inserts a batch of any size in one transaction, without psycopg's pipeline mode, in chunks."""

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Lock the table, notify, insert every event; return their notification ids.

        One INSERT per `INSERT_CHUNK` events, all in the one transaction under the table
        lock: eventsourcing sends the whole batch as one array parameter, and a batch of a
        million events (a parameter of hundreds of MB) made the server drop the connection.
        """
        if not stored_events:
            return []
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._lock_table(curs)
            self._notify_channel(curs)
            for start in range(0, len(stored_events), INSERT_CHUNK):
                chunk = stored_events[start : start + INSERT_CHUNK]
                # The aggregate recorder's insert: the lock and the notification are taken above.
                PostgresAggregateRecorder._insert_stored_events(self, curs, chunk, **kwargs)
                ids.extend(self._fetch_ids_after_insert_events(curs, chunk, **kwargs) or ())
        return ids
