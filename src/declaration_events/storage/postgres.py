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
from psycopg import sql

from .stamps import Stamp, next_stamp

__all__ = ["INSERT_CHUNK", "STAMPS_TABLE", "BatchRecorder"]

#: Events per INSERT statement of a batch (a few MB of parameters).
INSERT_CHUNK = 10_000
#: The table of storage stamps (see `stamps`), beside `declarationevents_events`.
STAMPS_TABLE = "declarationevents_stored"


class BatchRecorder(PostgresApplicationRecorder):
    """Inserts a batch of any size in one transaction, without psycopg's pipeline mode, in chunks,
    and stamps it (`stamps`) under the same table lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """eventsourcing's recorder, whose tables (when it creates them) include the stamps'."""
        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(self._create_stamps())

    def _create_stamps(self) -> sql.Composed:
        return sql.SQL(
            "CREATE TABLE IF NOT EXISTS {table} (events bigint PRIMARY KEY, stored_at timestamptz NOT NULL, "
            "added integer NOT NULL, position bigint NOT NULL)"
        ).format(table=self._stamps_table())

    def _stamps_table(self) -> sql.Composed:
        return sql.SQL("{schema}.{table}").format(
            schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(STAMPS_TABLE)
        )

    def select_stamps(self) -> list[Stamp]:
        """Every stamp, oldest first ([] for a store no version with stamps has written to)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL("SELECT to_regclass(%s) IS NOT NULL AS found"),
                (self._stamps_table().as_string(conn),),
            )
            found = curs.fetchone()
            if not found or not found["found"]:
                return []
            curs.execute(
                sql.SQL("SELECT events, stored_at, added, position FROM {table} ORDER BY events").format(
                    table=self._stamps_table()
                )
            )
            return [Stamp(r["events"], r["stored_at"], r["added"], r["position"]) for r in curs.fetchall()]

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
            if ids:
                self._stamp(curs, len(ids), max(ids))
        return ids

    def _stamp(self, curs: Any, added: int, position: int) -> None:
        """Stamp the batch with the server's clock, the table lock held (so stamps follow commits)."""
        table = self._stamps_table()
        # A store an earlier version wrote has no table yet.
        curs.execute(sql.SQL("{}").format(self._create_stamps()))
        curs.execute(
            sql.SQL(
                "SELECT events, stored_at, added, position FROM {table} ORDER BY events DESC LIMIT 1"
            ).format(table=table)
        )
        row = curs.fetchone()
        last = None if row is None else Stamp(row["events"], row["stored_at"], row["added"], row["position"])
        stored = 0
        if last is None:
            curs.execute(
                sql.SQL("SELECT count(*) AS n FROM {schema}.{events}").format(
                    schema=sql.Identifier(self.datastore.schema),
                    events=sql.Identifier(self.events_table_name),
                )
            )
            stored = curs.fetchone()["n"]
        curs.execute(sql.SQL("SELECT clock_timestamp() AS now"))
        stamp = next_stamp(last, stored, added, position, curs.fetchone()["now"])
        curs.execute(
            sql.SQL(
                "INSERT INTO {table} (events, stored_at, added, position) VALUES (%s, %s, %s, %s)"
            ).format(table=table),
            (stamp.events, stamp.stored_at, stamp.added, stamp.position),
        )
