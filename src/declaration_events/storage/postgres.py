"""The PostgreSQL recorder of the store: eventsourcing's own, copying a batch in with `COPY`.

`eventsourcing` 9.5.6 inserts a batch in psycopg's pipeline mode, as one array of composite
values. When that parameter passes about 8 MB (measured: 3,000 events of 3 KB, or 42,000
short ones), client and server wait on each other for ever inside `pipeline.sync()`; and
psycopg builds composite values in Python (36 µs an event, measured at 50,000). This
recorder keeps eventsourcing's EXCLUSIVE table lock (which makes notification ids commit in
order) and its NOTIFY, and sends the rows with binary `COPY` instead, in the same transaction
(4 µs an event): under the lock they take consecutive notification ids (`_copy_events`).

Imported only for PostgreSQL stores (it needs psycopg, the `postgres` extra).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from ..errors import ConcurrencyError, StoreError
from .mapper import stream_id
from .stamps import Stamp, next_stamp
from .tables import HISTORY_SHAPE, OLD_SHAPE, CaseTableRow, Histories, SignatoryInterval

__all__ = ["IDS_TABLE", "INSERT_CHUNK", "STAMPS_TABLE", "BatchRecorder"]

#: Rows per INSERT statement of a batch of ids indexed where missing (a few MB of parameters).
INSERT_CHUNK = 10_000
#: The table of storage stamps (see `stamps`), beside `declarationevents_events`.
STAMPS_TABLE = "declarationevents_stored"
#: Which stream holds each event, by id (see `durable.EventStore.entities_of`).
IDS_TABLE = "declarationevents_ids"


class BatchRecorder(PostgresApplicationRecorder):
    """Inserts a batch of any size in one transaction, without psycopg's pipeline mode, in chunks,
    and stamps it (`stamps`) under the same table lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """eventsourcing's recorder, whose tables (when it creates them) include the stamps'."""
        super().__init__(*args, **kwargs)
        self.sql_create_statements += [self._create_stamps(), *self._create_ids()]

    def _create_histories(self) -> list[sql.Composed]:
        """The history tables (see `tables`) and their indexes, in the store's schema."""
        schema = sql.Identifier(self.datastore.schema)
        return [
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.signatory_history (instrument text NOT NULL, "
                "party text NOT NULL, status text NOT NULL, valid_from date NOT NULL, valid_until date, "
                "known_from timestamptz NOT NULL, known_until timestamptz, uncertain boolean NOT NULL, "
                "event_id uuid NOT NULL)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS signatory_history_as_of "
                "ON {schema}.signatory_history (instrument, valid_from)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS signatory_history_party "
                "ON {schema}.signatory_history (party, instrument)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.case_history (case_slug text NOT NULL, "
                "status text NOT NULL, valid_from date NOT NULL, valid_until date, "
                "known_from timestamptz NOT NULL, known_until timestamptz, "
                "days_detained_before integer NOT NULL, in_custody boolean NOT NULL, "
                "uncertain boolean NOT NULL, event_id uuid NOT NULL, "
                "days_restricted_before integer NOT NULL, restricted boolean NOT NULL, "
                "days_deprived_before integer NOT NULL, "
                "deprived boolean NOT NULL, details jsonb NOT NULL)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS case_history_as_of "
                "ON {schema}.case_history (case_slug, valid_from)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE INDEX IF NOT EXISTS case_history_valid_from ON {schema}.case_history (valid_from)"
            ).format(schema=schema),
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.history_state "
                "(key text PRIMARY KEY, value text NOT NULL)"
            ).format(schema=schema),
        ]

    def _create_stamps(self) -> sql.Composed:
        return sql.SQL(
            "CREATE TABLE IF NOT EXISTS {table} (events bigint PRIMARY KEY, stored_at timestamptz NOT NULL, "
            "added integer NOT NULL, position bigint NOT NULL)"
        ).format(table=self._stamps_table())

    def _create_ids(self) -> list[sql.Composed]:
        """Which stream holds each event (see `durable.EventStore.entities_of`), whose key forbids a
        reused id; and the table with one row once it names every stored event."""
        return [
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {table} (event_id uuid PRIMARY KEY, entity text NOT NULL)"
            ).format(table=self._ids_table()),
            sql.SQL("CREATE TABLE IF NOT EXISTS {table} (complete boolean NOT NULL)").format(
                table=self._ids_state_table()
            ),
        ]

    def _ids_state_table(self) -> sql.Composed:
        return sql.SQL("{schema}.{table}").format(
            schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(IDS_TABLE + "_state")
        )

    def _mark_ids_complete(self, curs: Any, added: int, *, backfilled: bool) -> None:
        """Mark the ids complete: after the batch that indexed those of every stored event, or the
        first batch into a new store (the table lock is held)."""
        curs.execute(sql.SQL("SELECT count(*) AS n FROM {table}").format(table=self._ids_state_table()))
        if curs.fetchone()["n"]:
            return
        curs.execute(
            sql.SQL("SELECT count(*) AS n FROM {schema}.{events}").format(
                schema=sql.Identifier(self.datastore.schema), events=sql.Identifier(self.events_table_name)
            )
        )
        if backfilled or curs.fetchone()["n"] == added:
            curs.execute(
                sql.SQL("INSERT INTO {table} (complete) VALUES (true)").format(table=self._ids_state_table())
            )

    def _ids_table(self) -> sql.Composed:
        return sql.SQL("{schema}.{table}").format(
            schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(IDS_TABLE)
        )

    def select_ids_complete(self) -> bool:
        """Whether the ids table names every stored event (see `_mark_ids_complete`)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL("SELECT to_regclass(%s) IS NOT NULL AS found"),
                (self._ids_state_table().as_string(conn),),
            )
            found = curs.fetchone()
            if not found or not found["found"]:
                return False
            curs.execute(  # marked, or nothing stored yet
                sql.SQL(
                    "SELECT EXISTS (SELECT 1 FROM {state}) "
                    "OR NOT EXISTS (SELECT 1 FROM {schema}.{events}) AS done"
                ).format(
                    state=self._ids_state_table(),
                    schema=sql.Identifier(self.datastore.schema),
                    events=sql.Identifier(self.events_table_name),
                )
            )
            row = curs.fetchone()
            return bool(row and row["done"])

    def select_entities_of(self, event_ids: Sequence[str]) -> dict[str, str]:
        """The entity of each stored event among these ids (an amendment's: its target's)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL("SELECT event_id, entity FROM {table} WHERE event_id = ANY(%s::uuid[])").format(
                    table=self._ids_table()
                ),
                (list(event_ids),),
            )
            return {str(row["event_id"]): row["entity"] for row in curs.fetchall()}

    def _insert_ids(self, curs: Any, rows: Iterable[tuple[UUID, str]], *, known: bool) -> None:
        """Index event ids: new ones with `COPY` (a stored id is an `IntegrityError`), or (`known`)
        those of stored events, where missing, `INSERT_CHUNK` at a time."""
        if not known:
            with curs.copy(
                sql.SQL("COPY {table} (event_id, entity) FROM STDIN (FORMAT BINARY)").format(
                    table=self._ids_table()
                )
            ) as copy:
                copy.set_types(["uuid", "text"])
                for event_id, entity in rows:
                    copy.write_row((event_id, entity))
            return
        remaining = iter(rows)
        while chunk := list(itertools.islice(remaining, INSERT_CHUNK)):
            curs.execute(
                sql.SQL(
                    "INSERT INTO {table} (event_id, entity) SELECT * FROM unnest(%s::uuid[], %s::text[]) "
                    "ON CONFLICT (event_id) DO NOTHING"
                ).format(table=self._ids_table()),
                ([event_id for event_id, _ in chunk], [entity for _, entity in chunk]),
            )

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

    def select_typed(
        self, originator_id: UUID | None, topics: Sequence[str], gt: int = 0
    ) -> list[StoredEvent]:
        """The events of these topics: in one stream after a version, in version order, or (None) in
        every stream, in the notification log's order."""
        table = sql.SQL("{schema}.{table}").format(
            schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(self.events_table_name)
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            if originator_id is None:
                curs.execute(
                    sql.SQL(
                        "SELECT originator_id, originator_version, topic, state FROM {table} "
                        "WHERE topic = ANY(%s) ORDER BY notification_id"
                    ).format(table=table),
                    (list(topics),),
                )
            else:
                curs.execute(
                    sql.SQL(
                        "SELECT originator_id, originator_version, topic, state FROM {table} "
                        "WHERE originator_id = %s AND originator_version > %s AND topic = ANY(%s) "
                        "ORDER BY originator_version"
                    ).format(table=table),
                    (originator_id, gt, list(topics)),
                )
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    def select_stream_extent(self, originator_id: UUID) -> tuple[int, int]:
        """How many events a stream holds, and its highest version (equal, unless one is missing)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL(
                    "SELECT count(*) AS n, coalesce(max(originator_version), 0) AS v FROM {schema}.{table} "
                    "WHERE originator_id = %s"
                ).format(
                    schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(self.events_table_name)
                ),
                (originator_id,),
            )
            row = curs.fetchone()
            return (int(row["n"]), int(row["v"])) if row else (0, 0)

    def select_event_count(self) -> int:
        """How many events the store holds."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL("SELECT count(*) AS n FROM {schema}.{table}").format(
                    schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(self.events_table_name)
                )
            )
            row = curs.fetchone()
            return int(row["n"]) if row else 0

    def select_stream_counts(self) -> dict[UUID, int]:
        """How many events each stream holds."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                sql.SQL(
                    "SELECT originator_id, count(*) AS n FROM {schema}.{table} GROUP BY originator_id"
                ).format(
                    schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(self.events_table_name)
                )
            )
            return {row["originator_id"]: row["n"] for row in curs.fetchall()}

    def select_current_cases(self) -> list[tuple[str, str]] | None:
        """(case_slug, details) of each case's last row as known now; None without complete tables."""
        schema = sql.Identifier(self.datastore.schema)
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if not self._tables_readable(curs):
                return None
            curs.execute(
                sql.SQL(
                    "SELECT case_slug, details::text AS details FROM {schema}.case_history "
                    "WHERE known_until IS NULL AND valid_until IS NULL"
                ).format(schema=schema)
            )
            return [(row["case_slug"], row["details"]) for row in curs.fetchall()]

    def select_case_rows(
        self, as_of: date, known_at: datetime | None, slugs: Sequence[str] | None
    ) -> list[CaseTableRow] | None:
        """The `case_history` rows that answer (as_of, known_at) (None: as known now), of these cases
        or of all; None if the store keeps no complete history tables."""
        schema = sql.Identifier(self.datastore.schema)
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            if not self._tables_readable(curs):
                return None
            params = {"as_of": as_of, "known_at": known_at, "slugs": list(slugs or ())}
            if slugs is None:
                curs.execute(
                    sql.SQL(
                        "SELECT case_slug, status, valid_from, days_detained_before, in_custody, "
                        "days_restricted_before, restricted, days_deprived_before, deprived, uncertain, "
                        "event_id, details::text AS details FROM {schema}.case_history "
                        "WHERE valid_from <= %(as_of)s AND (valid_until IS NULL OR valid_until > %(as_of)s) "
                        "AND ((%(known_at)s::timestamptz IS NULL AND known_until IS NULL) "
                        "OR (known_from <= %(known_at)s "
                        "AND (known_until IS NULL OR known_until > %(known_at)s)))"
                    ).format(schema=schema),
                    params,
                )
            else:  # these cases' rows: a range scan of the (case_slug, valid_from) index
                curs.execute(
                    sql.SQL(
                        "SELECT case_slug, status, valid_from, days_detained_before, in_custody, "
                        "days_restricted_before, restricted, days_deprived_before, deprived, uncertain, "
                        "event_id, details::text AS details FROM {schema}.case_history "
                        "WHERE case_slug = ANY(%(slugs)s) AND valid_from <= %(as_of)s "
                        "AND (valid_until IS NULL OR valid_until > %(as_of)s) "
                        "AND ((%(known_at)s::timestamptz IS NULL AND known_until IS NULL) "
                        "OR (known_from <= %(known_at)s "
                        "AND (known_until IS NULL OR known_until > %(known_at)s)))"
                    ).format(schema=schema),
                    params,
                )
            return [
                CaseTableRow(
                    r["case_slug"],
                    r["status"],
                    r["valid_from"],
                    (
                        r["days_detained_before"],
                        r["in_custody"],
                        r["days_restricted_before"],
                        r["restricted"],
                        r["days_deprived_before"],
                        r["deprived"],
                    ),
                    r["uncertain"],
                    r["event_id"],
                    r["details"],
                )
                for r in curs.fetchall()
            ]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Lock the table, notify, copy every event in, stamp the batch, index its ids and write its
        history rows, in one transaction; return the events' notification ids (see the module).

        `event_ids` and `known_ids` as the SQLite recorder's; `histories`: the rows to write.
        """
        histories: Histories | None = kwargs.pop("histories", None)
        event_ids: Iterable[tuple[UUID, str]] | None = kwargs.pop("event_ids", None)
        known_ids: Iterable[tuple[UUID, str]] | None = kwargs.pop("known_ids", None)
        if not stored_events:
            return []
        ids: list[int] = []
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._lock_table(curs)
            self._notify_channel(curs)
            ids = self._copy_events(curs, stored_events)
            if ids:
                self._stamp(curs, len(ids), max(ids))
            for statement in self._create_ids():  # an earlier version made none
                curs.execute(sql.SQL("{}").format(statement))
            if known_ids is not None:
                self._insert_ids(curs, known_ids, known=True)
            if event_ids is not None:
                self._insert_ids(curs, event_ids, known=False)
                self._mark_ids_complete(curs, len(ids), backfilled=known_ids is not None)
            if histories is not None:
                self._check_unchanged(curs, histories)
                self._write_histories(curs, histories)
            elif self._has_histories(curs):  # made by a rebuild since the batch was checked
                raise IntegrityError("the store's history tables were made since the batch was checked")
        return ids

    def _copy_events(self, curs: Any, stored_events: Sequence[StoredEvent]) -> list[int]:
        """Insert the events with `COPY` (binary), the table lock held; return their notification ids.

        Under the lock no other transaction takes ids from the table's sequence, so the rows get
        consecutive ids in the order copied: those above the highest id before the copy.
        """
        table = sql.SQL("{schema}.{table}").format(
            schema=sql.Identifier(self.datastore.schema), table=sql.Identifier(self.events_table_name)
        )
        curs.execute(
            sql.SQL("SELECT coalesce(max(notification_id), 0) AS top FROM {table}").format(table=table)
        )
        top = curs.fetchone()["top"]
        with curs.copy(
            sql.SQL(
                "COPY {table} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT BINARY)"
            ).format(table=table)
        ) as copy:
            copy.set_types([self.datastore.originator_id_type, "int8", "text", "bytea"])
            for event in stored_events:
                copy.write_row((event.originator_id, event.originator_version, event.topic, event.state))
        curs.execute(
            sql.SQL(
                "SELECT notification_id FROM {table} WHERE notification_id > %s ORDER BY notification_id"
            ).format(table=table),
            (top,),
        )
        ids = [row["notification_id"] for row in curs.fetchall()]
        if len(ids) != len(stored_events):  # the lock did not hold: take nothing
            raise IntegrityError(f"copied {len(stored_events)} events, found {len(ids)} new notification ids")
        return ids

    def _has_histories(self, curs: Any) -> bool:
        """Whether a rebuild has made the history tables (`StoreError` if an earlier version's shape:
        a batch cannot keep them)."""
        shape = self._history_shape(curs)
        if shape not in (None, HISTORY_SHAPE):
            raise StoreError(OLD_SHAPE)
        return shape is not None

    def _tables_readable(self, curs: Any) -> bool:
        """Whether queries may read the history tables: made by a rebuild of this version's shape,
        and holding every entity (an earlier shape, or none, is answered from the events)."""
        if self._history_shape(curs) != HISTORY_SHAPE:
            return False
        curs.execute(
            sql.SQL("SELECT value FROM {schema}.history_state WHERE key = 'complete'").format(
                schema=sql.Identifier(self.datastore.schema)
            )
        )
        complete = curs.fetchone()
        return complete is not None and complete["value"] == "1"

    def _history_shape(self, curs: Any) -> str | None:
        """The shape of the store's history tables ("" if unmarked), None if it has none."""
        name = sql.SQL("{schema}.history_state").format(schema=sql.Identifier(self.datastore.schema))
        curs.execute(
            sql.SQL("SELECT to_regclass(%s) IS NOT NULL AS found"), (name.as_string(curs.connection),)
        )
        found = curs.fetchone()
        if not (found and found["found"]):
            return None
        curs.execute(sql.SQL("SELECT value FROM {name} WHERE key = 'shape'").format(name=name))
        shape = curs.fetchone()
        return str(shape["value"]) if shape is not None else ""

    def _check_unchanged(self, curs: Any, histories: Histories) -> None:
        """Refuse rows computed from streams that moved on since (the table lock is held)."""
        for entity, version in histories.unchanged:
            curs.execute(
                sql.SQL(
                    "SELECT max(originator_version) AS v FROM {schema}.{events} WHERE originator_id = %s"
                ).format(
                    schema=sql.Identifier(self.datastore.schema),
                    events=sql.Identifier(self.events_table_name),
                ),
                (stream_id(entity),),
            )
            row = curs.fetchone()
            found = (row["v"] if row is not None else None) or 0
            if found != version:
                raise IntegrityError(f"{entity} is at version {found}, not {version}")

    def _mark_complete(self, curs: Any) -> None:
        curs.execute(
            sql.SQL(
                "INSERT INTO {schema}.history_state (key, value) VALUES ('complete', '1'), ('shape', %s) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"
            ).format(schema=sql.Identifier(self.datastore.schema)),
            (HISTORY_SHAPE,),
        )

    def _ensure_histories(self, curs: Any) -> None:
        """A store an earlier version created has no history tables yet."""
        for statement in self._create_histories():
            curs.execute(sql.SQL("{}").format(statement))

    def keeps_histories(self) -> bool:
        """Whether the store has history tables (a rebuild made them): then every batch keeps them."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return self._has_histories(curs)

    def write_histories(self, histories: Histories, position: int) -> None:
        """Replace history rows computed from the store's events up to `position`, in one transaction
        under the events table's lock; `ConcurrencyError` if the store holds more by then."""
        with self.datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            # The events table's lock first, as a batch takes it (then the history tables): no deadlock.
            self._lock_table(curs)
            if histories.complete:  # made afresh, in this version's shape
                schema = sql.Identifier(self.datastore.schema)
                curs.execute(sql.SQL("DROP TABLE IF EXISTS {schema}.signatory_history").format(schema=schema))
                curs.execute(sql.SQL("DROP TABLE IF EXISTS {schema}.case_history").format(schema=schema))
            self._ensure_histories(curs)
            curs.execute(
                sql.SQL("SELECT max(notification_id) AS n FROM {schema}.{events}").format(
                    schema=sql.Identifier(self.datastore.schema),
                    events=sql.Identifier(self.events_table_name),
                )
            )
            row = curs.fetchone()
            stored = (row["n"] if row is not None else None) or 0
            if stored != position:
                raise ConcurrencyError(f"the store holds events up to {stored}, not {position}")
            self._write_histories(curs, histories)

    def _write_histories(self, curs: Any, histories: Histories) -> None:
        schema = sql.Identifier(self.datastore.schema)
        if histories.complete:
            curs.execute(sql.SQL("DELETE FROM {schema}.signatory_history").format(schema=schema))
            curs.execute(sql.SQL("DELETE FROM {schema}.case_history").format(schema=schema))
            self._mark_complete(curs)
        else:
            curs.execute(
                sql.SQL("DELETE FROM {schema}.signatory_history WHERE instrument = ANY(%s)").format(
                    schema=schema
                ),
                (histories.instruments(),),
            )
            curs.execute(
                sql.SQL("DELETE FROM {schema}.case_history WHERE case_slug = ANY(%s)").format(schema=schema),
                (histories.case_slugs(),),
            )
        for row, until in histories.closed:
            if isinstance(row, SignatoryInterval):
                curs.execute(
                    sql.SQL(
                        "UPDATE {schema}.signatory_history SET known_until = %s WHERE instrument = %s "
                        "AND party = %s AND status = %s AND valid_from = %s "
                        "AND valid_until IS NOT DISTINCT FROM %s AND uncertain = %s AND event_id = %s "
                        "AND known_until IS NULL"
                    ).format(schema=schema),
                    (until, row.instrument, row.party, row.status, row.valid_from, row.valid_until,
                     row.uncertain, row.event_id),
                )  # fmt: skip
            else:
                curs.execute(
                    sql.SQL(
                        "UPDATE {schema}.case_history SET known_until = %s WHERE case_slug = %s "
                        "AND status = %s AND valid_from = %s AND valid_until IS NOT DISTINCT FROM %s "
                        "AND days_detained_before = %s AND in_custody = %s AND uncertain = %s "
                        "AND event_id = %s AND known_until IS NULL"
                    ).format(schema=schema),
                    (until, row.case_slug, row.status, row.valid_from, row.valid_until,
                     row.days_detained_before, row.in_custody, row.uncertain, row.event_id),
                )  # fmt: skip
            if curs.rowcount != 1:  # the tables are not what the rows were computed from
                raise IntegrityError(f"{curs.rowcount} open history rows like {row}")
        if histories.signatories:
            curs.executemany(
                sql.SQL(
                    "INSERT INTO {schema}.signatory_history (instrument, party, status, valid_from, "
                    "valid_until, known_from, known_until, uncertain, event_id) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                ).format(schema=schema),
                [tuple(row) for row in histories.signatories],
            )
        if histories.cases:
            curs.executemany(
                sql.SQL(
                    "INSERT INTO {schema}.case_history (case_slug, status, valid_from, valid_until, "
                    "known_from, known_until, days_detained_before, in_custody, uncertain, event_id, "
                    "days_restricted_before, restricted, days_deprived_before, deprived, details) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
                ).format(schema=schema),
                [tuple(row) for row in histories.cases],
            )

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
