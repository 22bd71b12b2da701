"""The durable store: an `eventsourcing` application on SQLite, PostgreSQL or in memory.

`open_store(url)` turns a URL into the application's environment (the user never
writes one) and wraps it in `EventStore`, which implements the `Store` protocol the
`Ledger` uses:

- `append` writes a whole batch with one `recorder.insert_events` call (what
  `application.events.put` does, without its per-event envelope, recording and notification
  objects, and `Application.save` without its per-event protocol checks), and so one database
  transaction: the mapper makes each stored event from its record. Each event goes
  into its entity's stream at the next version; a stream that moved on since the
  ledger looked makes the insert collide on (stream, version), `eventsourcing`
  raises `IntegrityError`, and we raise `ConcurrencyError` for the ledger to retry.
- `read(after)` pages through the notification log (the total order of all
  events) with `recorder.select_notifications`: SQLite has no subscriptions, and
  polling on each query is what a read model needs anyway.

A store is opened only where it is ours: `open_store(url, create=False)` (the query side)
refuses a place where no ledger exists, and any open refuses a SQLite file of another
program, so that a typo never leaves an empty file behind and another application's file
is never given a table. A URL's password is hidden in every message and repr.
"""

from __future__ import annotations

import base64
import getpass
import re
import secrets
import sqlite3
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, quote, unquote, urlsplit
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import EventSourcingError
from eventsourcing.persistence import IntegrityError, Mapper, Notification, StoredEvent
from eventsourcing.utils import Environment, EnvType, get_topic

from ..errors import ConcurrencyError, StoreError
from ..events import EVENT_TYPES, EventBase
from ..records import AMENDMENT_TYPES, Recorded
from .mapper import EventMapper, stream_id
from .stamps import Stamp, next_stamp
from .tables import CaseTableRow, Histories

__all__ = [
    "EventStore",
    "StoreApplication",
    "describe_url",
    "generate_cipher_key",
    "open_store",
    "store_environment",
]

#: Notifications read per query while catching up.
PAGE_SIZE = 1000
#: Seconds a SQLite writer waits for another writer's transaction before giving up.
SQLITE_LOCK_TIMEOUT = 60
#: Seconds to wait for a PostgreSQL server to answer.
POSTGRES_CONNECT_TIMEOUT = 10
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_PASSWORD_PARAMETER = re.compile(r"(?i)([?&][^=&#]*password[^=&#]*=)[^&#]*")
#: A schema name PostgreSQL keeps as written when unquoted (eventsourcing names it unquoted).
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: PostgreSQL 15's key words that are not unreserved (`pg_get_keywords()` catcode R, T or C). R and C
#: fail where eventsourcing reads `SCHEMA.stored_event_uuid` as a type name; T are refused as reserved
#: all the same. A server that knows more key words is asked as well (`_open_postgres`).
_RESERVED_WORDS = """
    all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean
    both case cast char character check coalesce collate collation column concurrently constraint create
    cross current_catalog current_date current_role current_schema current_time current_timestamp
    current_user dec decimal default deferrable desc distinct do else end except exists extract false
    fetch float for foreign freeze from full grant greatest group grouping having ilike in initially
    inner inout int integer intersect interval into is isnull join lateral leading least left like limit
    localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric offset
    on only or order out outer overlaps overlay placing position precision primary real references
    returning right row select session_user setof similar smallint some substring symmetric table
    tablesample then time timestamp to trailing treat trim true union unique user using values varchar
    variadic verbose when where window with xmlattributes xmlconcat xmlelement xmlexists xmlforest
    xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable
"""
RESERVED_WORDS = frozenset(_RESERVED_WORDS.split())
#: The table of a SQLite ledger (eventsourcing's, one application per file).
SQLITE_TABLE = "stored_events"
_SQLITE_HEADER = b"SQLite format 3\x00"


class StoreApplication(Application[UUID]):
    """The `eventsourcing` application behind a durable ledger; configured only by its env."""

    name = "DeclarationEvents"  # PostgreSQL tables are `declarationevents_events`

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Only the given settings: `os.environ` must not redirect a ledger to another database."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> Mapper[UUID]:
        """Our pydantic mapper, with the configured cipher and compressor."""
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=EventMapper)


def generate_cipher_key() -> str:
    """A new random AES-256 key, base64-encoded, for `Ledger.open(..., cipher_key=...)`."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _check_cipher_key(key: str) -> None:
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) not in (16, 24, 32):
        raise StoreError(
            "the cipher key must be 16, 24 or 32 random bytes, base64-encoded; "
            "make one with `declaration-events keygen`"
        )
    try:
        import Crypto.Cipher.AES  # noqa: F401 - only to say clearly what is missing
    except ImportError:
        raise StoreError("encryption needs pycryptodome: pip install 'declaration-events[crypto]'") from None


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages: `postgresql://me:***@host/db`.

    The user part ends at the last `@`, as `urllib` reads it, so that a password holding
    an unencoded `@` or `/` is hidden whole (more is hidden rather than less); a
    `password=` parameter is hidden too.
    """
    scheme = _SCHEME.match(url)
    if scheme:
        rest = url[scheme.end() :]
        at = rest.rfind("@")
        user, colon, _ = rest[: max(at, 0)].partition(":")
        if colon:
            url = f"{scheme.group(0)}{user}:***{rest[at:]}"
    return _PASSWORD_PARAMETER.sub(r"\1***", url)


#: Shortest password or key hidden inside messages from the database drivers.
_MIN_SECRET = 3


def _hide(text: str, secrets: Sequence[str]) -> str:
    """`text` with each secret (raw or percent-encoded) replaced by `***`."""
    for secret in secrets:
        if len(secret) >= _MIN_SECRET:  # shorter ones would star out ordinary letters
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
    return text


def store_environment(url: str, *, cipher_key: str | None = None) -> dict[str, str]:
    """The `eventsourcing` environment of a store URL (see `open_store`)."""
    scheme = _SCHEME.match(url)
    if url == "memory:":
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    elif scheme and scheme.group(1).lower() in ("postgresql", "postgres"):
        env = _postgres_environment(url)
    elif scheme and scheme.group(1).lower() == "sqlite":
        rest = url[len(scheme.group(0)) :]
        if not rest.startswith("/"):
            raise StoreError(
                f"cannot open {url!r}: write sqlite:///relative/path or sqlite:////absolute/path"
            )
        env = _sqlite_environment(rest[1:], url)
    elif scheme or not url.strip():
        raise StoreError(
            f"cannot open {describe_url(url)!r}: expected a file path, sqlite:///PATH, "
            "postgresql://USER:PASSWORD@HOST:PORT/DB[?schema=NAME] or memory:"
        )
    else:
        env = _sqlite_environment(url, url)
    if cipher_key:
        _check_cipher_key(cipher_key)
        env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
        env["CIPHER_KEY"] = cipher_key
    return env


def _sqlite_environment(path_text: str, url: str) -> dict[str, str]:
    if not path_text:
        raise StoreError(f"cannot open {url!r}: no file path after sqlite:///")
    path = Path(path_text).expanduser()
    if path.is_dir():
        raise StoreError(f"cannot open {url!r}: {path} is a directory, not a database file")
    if not path.parent.is_dir():
        raise StoreError(f"cannot open {url!r}: directory {path.parent} does not exist")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path.resolve()),
        "SQLITE_LOCK_TIMEOUT": str(SQLITE_LOCK_TIMEOUT),
        "APPLICATION_RECORDER_TOPIC": "declaration_events.storage.sqlite:StampingSQLiteRecorder",
    }


def _postgres_environment(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    shown = describe_url(url)
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        raise StoreError(f"cannot open {shown!r}: no database name (postgresql://USER@HOST:PORT/DB)")
    query = {key: values[-1] for key, values in parse_qs(parts.query, keep_blank_values=True).items()}
    unknown = sorted(set(query) - {"schema", "connect_timeout"})
    if unknown:
        raise StoreError(
            f"cannot open {shown!r}: unknown parameter {', '.join(unknown)} (known: schema, connect_timeout)"
        )
    schema = query.get("schema", "")
    if schema:
        _check_schema(schema, shown)
    try:
        port = parts.port or 5432
    except ValueError:
        raise StoreError(f"cannot open {shown!r}: the port is not a number") from None
    timeout = query.get("connect_timeout", str(POSTGRES_CONNECT_TIMEOUT))
    if not timeout.isdigit():
        raise StoreError(f"cannot open {shown!r}: connect_timeout must be whole seconds")
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": unquote(parts.hostname or "localhost"),
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": unquote(parts.username or getpass.getuser()),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_CONNECT_TIMEOUT": timeout,
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "2",
        "APPLICATION_RECORDER_TOPIC": "declaration_events.storage.postgres:BatchRecorder",
    }


def _check_schema(schema: str, shown: str) -> None:
    """Refuse a schema name eventsourcing cannot use, or one that belongs to PostgreSQL itself."""
    problem = ""
    if schema.lower() != schema and _SCHEMA_NAME.match(schema.lower()):
        problem = f"has capital letters, which PostgreSQL folds to lowercase: write schema={schema.lower()}"
    elif not _SCHEMA_NAME.match(schema):
        problem = "is not a lowercase identifier (a-z, 0-9 and _, not starting with a digit, 63 at most)"
    elif schema.startswith("pg_") or schema == "information_schema":
        problem = "is a system schema of PostgreSQL: choose a name of your own"
    elif schema in RESERVED_WORDS:
        problem = "is a reserved word of PostgreSQL: choose another name"
    if problem:
        raise StoreError(f"cannot open {shown!r}: schema {schema!r} {problem}")


def open_store(url: str, *, cipher_key: str | None = None, create: bool = True) -> EventStore:
    """Open the store a URL names; with `create` (the default), create it on first use.

    - `diplomacy.sqlite` or `sqlite:///relative/path` or `sqlite:////absolute/path`: a SQLite file;
    - `postgresql://user:password@host:port/db?schema=name`: a PostgreSQL database (the schema,
      default `public`, is created if missing; its name is a lowercase identifier, neither a
      reserved word nor a system schema such as `pg_catalog` or `information_schema`);
    - `memory:`: in this process only.

    With `create=False` nothing is created: a place holding no ledger (no file, an empty
    file, a schema or database without the events table, `memory:`) raises `StoreError`
    ("no ledger at URL"). A SQLite file of another program (not SQLite, or SQLite with
    tables but not the ledger's) is refused either way, and left as it was.

    With `cipher_key` (see `generate_cipher_key`) events are encrypted at rest (AES-GCM).
    Raises `StoreError` for a bad URL, an unreachable server or a file that is not a ledger.
    """
    env = store_environment(url, cipher_key=cipher_key)
    shown = describe_url(url)
    module = env["PERSISTENCE_MODULE"]
    if module == "eventsourcing.postgres":
        return _open_postgres(url, env, create=create)
    if module == "eventsourcing.sqlite":
        if _sqlite_ledger_exists(Path(env["SQLITE_DBNAME"]), shown):
            env["CREATE_TABLE"] = "no"  # nothing is missing, and a query must not write
        elif not create:
            raise StoreError(_no_ledger(shown))
    elif not create:
        raise StoreError(_no_ledger(shown))  # `memory:` holds nothing before it is opened
    return EventStore(env, name=shown)


def _no_ledger(shown: str) -> str:
    return f"no ledger at {shown} (create one with `declaration-events import`)"


def _sqlite_ledger_exists(path: Path, shown: str) -> bool:
    """Whether a SQLite file holds a ledger: False for no file or an empty database.

    Raises `StoreError` for a file of another program: one that is not SQLite, or a SQLite
    database with tables but not the ledger's. Reads without changing anything: read-only,
    and `immutable` for a WAL database with no `-wal` file beside it (a read-only connection
    would otherwise leave `-wal` and `-shm` files behind).
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise StoreError(f"cannot open {shown!r}: {exc.strerror or exc}") from None
    if not header:
        return False  # SQLite's own empty database
    if len(header) < 100 or not header.startswith(_SQLITE_HEADER):
        raise StoreError(f"cannot open {shown!r}: the file is not a SQLite database, nor a ledger")
    uri = f"{path.absolute().as_uri()}?mode=ro"
    immutable = header[18] == 2 and not path.with_name(f"{path.name}-wal").exists()
    try:
        try:
            tables = _sqlite_tables(f"{uri}&immutable=1" if immutable else uri)
        except sqlite3.DatabaseError:
            if not immutable:
                raise
            tables = _sqlite_tables(uri)  # a writer came in while we read: read as a reader
    except sqlite3.Error as exc:
        raise StoreError(f"cannot open {shown!r}: {_explain(exc)}") from None
    if SQLITE_TABLE in tables:
        return True
    if tables:
        names = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
        raise StoreError(
            f"cannot open {shown!r}: it is a SQLite database of another program (tables {names}), "
            "not a declaration-events ledger; it was left unchanged"
        )
    return False


def _sqlite_tables(uri: str) -> list[str]:
    """The names of the tables of a SQLite database, but SQLite's own."""
    with closing(sqlite3.connect(uri, uri=True, timeout=SQLITE_LOCK_TIMEOUT)) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        return [name for (name,) in rows if not name.startswith("sqlite_")]


def _open_postgres(url: str, env: dict[str, str], *, create: bool) -> EventStore:
    """Check the server answers, create the schema if `create`, then build the application.

    Setup runs under an advisory lock so that processes opening a new database at
    once do not race each other's `CREATE TABLE IF NOT EXISTS`.
    """
    try:
        import psycopg  # an optional extra, imported only here
        from psycopg import sql
    except ImportError:
        raise StoreError("PostgreSQL needs psycopg: pip install 'declaration-events[postgres]'") from None
    shown = describe_url(url)
    try:
        conn = psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=int(env["POSTGRES_CONNECT_TIMEOUT"]),
            autocommit=True,
        )
    except psycopg.Error as exc:
        detail = _hide(" ".join(str(exc).split()), [env["POSTGRES_PASSWORD"]]) or type(exc).__name__
        raise StoreError(f"cannot connect to {shown}: {detail}") from None
    with conn:
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (_SETUP_LOCK,))
            schema = env["POSTGRES_SCHEMA"] or "public"
            word = conn.execute("SELECT catcode FROM pg_get_keywords() WHERE word = %s", (schema,)).fetchone()
            if word and word[0] != "U":  # a key word this library's list does not know yet
                raise StoreError(f"cannot open {shown!r}: schema {schema!r} is a reserved word of PostgreSQL")
            exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
            if not exists and create:
                # Only when missing: creating needs a privilege that using does not.
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
            table = sql.Identifier(schema, f"{StoreApplication.name.lower()}_events").as_string(conn)
            row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone() if exists else None
            if row and row[0]:
                # `CREATE INDEX IF NOT EXISTS` would wait for a running import's table lock.
                env = {**env, "CREATE_TABLE": "no"}
            elif not create:
                raise StoreError(_no_ledger(shown))
            return EventStore(env, name=shown)
        except psycopg.Error as exc:
            detail = _hide(" ".join(str(exc).split()), [env["POSTGRES_PASSWORD"]])
            raise StoreError(f"cannot set up {shown}: {detail}") from None
        finally:
            if not conn.closed:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_SETUP_LOCK,))


#: PostgreSQL advisory lock key held while a process sets up the schema and tables.
_SETUP_LOCK = zlib.crc32(b"declaration_events.eventstore")  # the name it had: a lock key is forever


class EventStore:
    """A `Store` on an `eventsourcing` application: one stream per entity, one notification log."""

    def __init__(self, env: Mapping[str, str], *, name: str = "store") -> None:
        self.name = name
        # Hidden in any message a driver's error lends us (a URL's password, the cipher key).
        self._secrets = [env[key] for key in ("POSTGRES_PASSWORD", "CIPHER_KEY") if env.get(key)]
        try:
            self._app = StoreApplication(env=dict(env))
        except (EventSourcingError, OSError, ValueError, ImportError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open {name}: {self._explain(exc)}") from None
        self._recorder = self._app.recorder
        self._mapper = self._app.mapper
        self._entities: dict[UUID, str] = {}
        self._written: dict[int, Recorded] = {}  # just appended here: no need to decode them again
        self._read_to = 0  # the last position `read` handed over, reading on from the start
        # The recorder's stamps (SQLite, PostgreSQL), or None: then kept here (`memory:`).
        self._select_stamps = getattr(self._recorder, "select_stamps", None)
        self._stamps: list[Stamp] = []
        # Whether the recorder indexes event ids (SQLite, PostgreSQL), and once found so, completely.
        self._indexes_ids = hasattr(self._recorder, "select_entities_of")
        self._ids_complete = False

    @property
    def application(self) -> StoreApplication:
        """The `eventsourcing` application (its recorder, mapper and factory)."""
        return self._app

    @property
    def keeps_histories(self) -> bool:
        """Whether this store keeps history tables: SQLite and PostgreSQL, once a rebuild made them
        (see `tables`); asked at every batch, so that another process's rebuild counts at once."""
        check = getattr(self._recorder, "keeps_histories", None)
        try:
            return bool(check()) if check is not None else False
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def write_histories(self, histories: Histories, position: int) -> None:
        """Replace history rows computed from the first `position` events (`ConcurrencyError` if the
        store holds more: read them and compute again)."""
        try:
            self._recorder.write_histories(histories, position)  # type: ignore[attr-defined]
        except ConcurrencyError:
            raise
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot write to {self.name}: {self._explain(exc)}") from None

    def append(
        self,
        batch: Sequence[Recorded],
        expected: Mapping[str, int],
        histories: Histories | None = None,
        known_ids: Iterable[tuple[UUID, str]] | None = None,
    ) -> None:
        """Append the batch in one transaction if every entity is still at its expected version.

        Within the batch, facts are written before amendments, so that no stream
        starts with an amendment (order inside a batch carries no meaning). `histories`:
        the history rows the batch changes, written in the same transaction. Each event's id
        is indexed with its stream's entity in the same transaction (`entities_of`); an id
        stored before is a `ConcurrencyError` (read what was stored, and check again).
        `known_ids`: (id, entity) of the events stored before, indexed where missing
        (`ids_missing`).
        """
        if not batch:
            return
        versions = dict(expected)
        ordered = [record for record in batch if record.type not in AMENDMENT_TYPES]
        ordered += [record for record in batch if record.type in AMENDMENT_TYPES]
        # Stored events made straight from the records, and inserted by the recorder: what
        # eventsourcing's `EventStore.put` does, without an envelope, a recording and a
        # notification object for each event (a tenth of a large import's storing).
        to_stored = cast(EventMapper, self._mapper).stored
        stored: list[StoredEvent] = []
        for record in ordered:
            entity = record.entity
            if entity not in versions:
                raise StoreError(f"append: no expected version given for {entity or record.type}")
            versions[entity] += 1
            stored.append(to_stored(record, stream_id(entity), versions[entity]))
        more: dict[str, Any] = {} if histories is None else {"histories": histories}
        if self._indexes_ids:
            more["event_ids"] = [(record.id, record.entity) for record in batch]
            if known_ids is not None:
                more["known_ids"] = known_ids
        try:
            positions = self._recorder.insert_events(stored, **more)
        except IntegrityError:
            damage = self._missing_version(expected)
            if damage:
                raise StoreError(damage) from None
            raise ConcurrencyError(
                f"another writer appended to {', '.join(sorted(expected))} first"
            ) from None
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot write to {self.name}: {self._explain(exc)}") from None
        if positions is None or len(positions) != len(ordered):
            raise StoreError(f"cannot write to {self.name}: the store did not say where the events went")
        for entity in versions:
            self._entities[stream_id(entity)] = entity
        for position, record in zip(positions, ordered, strict=True):
            self._written[position] = record
        if self._select_stamps is None:  # in this process: stamped here
            last = self._stamps[-1] if self._stamps else None
            self._stamps.append(
                next_stamp(last, len(positions), len(positions), positions[-1], datetime.now(UTC))
            )

    def entities_of(self, ids: Collection[UUID]) -> dict[UUID, str] | None:
        """The entity of each stored event among these ids (an amendment's: its target's): which
        streams a batch must be checked against; None if the store does not index every id."""
        if not self._indexes_ids or self.ids_missing():
            return None
        select = self._recorder.select_entities_of  # type: ignore[attr-defined]
        try:
            found: dict[str, str] = select([str(event_id) for event_id in ids])
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        return {UUID(event_id): entity for event_id, entity in found.items()}

    def ids_missing(self) -> bool:
        """Whether the store indexes event ids but not those of every stored event (a store an earlier
        version wrote): the next batch is to index them all (`append`'s `known_ids`)."""
        if not self._indexes_ids or self._ids_complete:
            return False
        try:
            self._ids_complete = bool(self._recorder.select_ids_complete())  # type: ignore[attr-defined]
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        return not self._ids_complete

    def forget_written(self) -> None:
        """Drop the events kept since they were appended for `read` to hand over (a writer that reads
        streams instead never asks; the notification log holds them)."""
        self._written.clear()

    def stamps(self) -> list[Stamp]:
        """When each batch was stored, oldest first (see `stamps`)."""
        if self._select_stamps is None:
            return list(self._stamps)
        try:
            return list(self._select_stamps())
        except Exception as exc:  # any driver's error, said in one line
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def _missing_version(self, expected: Mapping[str, int]) -> str | None:
        """Why a stream the ledger has read whole still collides: a version is missing from it.

        An append collides on (stream, version) when a stream holds more versions than the
        ledger counted. If the notification log has nothing the ledger has not read, no other
        writer explains it: the stream has a gap (rows deleted, a partial restore), and every
        retry would collide again. Costs one query per conflict; the streams are read only when
        that query finds no other writer.
        """
        try:
            if self._read_to < (self._recorder.max_notification_id() or 0):
                return None  # another writer appended since the ledger looked: retry
        except (EventSourcingError, sqlite3.Error):
            return None  # the retry will meet and report whatever this is
        for entity in sorted(expected):
            damage = self.stream_damage(entity)
            if damage:
                return damage
        return None

    def stream_extent(self, entity: str) -> tuple[int, int]:
        """How many events an entity's stream holds, and its version (equal, unless one is missing)."""
        select = getattr(self._recorder, "select_stream_extent", None)
        if select is None:
            version = self.stream_version(entity)
            return version, version
        try:
            return cast("tuple[int, int]", select(stream_id(entity)))
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def stream_damage(self, entity: str) -> str | None:
        """What is wrong with an entity's stream if a version is missing from it (None if none is)."""
        try:
            stored = self._recorder.select_events(stream_id(entity))
        except (EventSourcingError, sqlite3.Error):
            return None  # the next read will meet and report whatever this is
        for number, event in enumerate(stored, start=1):
            if event.originator_version != number:
                return (
                    f"{self.name} is damaged: the stream of {entity} has no version {number} "
                    f"(it goes on at version {event.originator_version}), as after a partial "
                    "restore; nothing was written (restore the store from a backup)"
                )
        return None

    def read(self, after: int = 0) -> Iterator[tuple[int, Recorded]]:
        """Yield `(position, record)` for every event after a position, in order.

        What this store has just appended right after `after` is handed over without
        reading it back: nothing can sit between `after` and the first event of a batch
        that got the very next position, nor between the events of one batch (they are
        inserted under one lock); from the first position not known here the
        notification log is read.
        """
        position = after
        on_from_last = after <= self._read_to  # then every position up to the next one is read
        while position + 1 in self._written:
            position += 1
            if on_from_last:
                self._read_to = max(self._read_to, position)
            yield position, self._written.pop(position)
        while True:
            try:
                page = self._recorder.select_notifications(
                    start=position, limit=PAGE_SIZE, inclusive_of_start=False
                )
            except (EventSourcingError, sqlite3.Error) as exc:
                raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
            for notification in page:
                record = self._written.pop(notification.id, None)
                if record is None:
                    record = self._mapper.to_domain_event(notification).record  # type: ignore[attr-defined]
                if not record.entity:
                    record = record._replace(entity=self._entity(notification))
                if on_from_last:
                    self._read_to = max(self._read_to, notification.id)
                yield notification.id, record
            if len(page) < PAGE_SIZE:
                return
            position = page[-1].id

    def stream(self, entity: str) -> list[tuple[int, EventBase]]:
        """`(version, event)` of one entity's stream, as `eventsourcing` stores it."""
        try:
            stored = self._recorder.select_events(stream_id(entity))
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        envelopes = [self._mapper.to_domain_event(s) for s in stored]
        return [(e.originator_version, e.event) for e in envelopes]  # type: ignore[attr-defined]

    def stream_records(self, entity: str, after: int = 0) -> list[tuple[int, Recorded]]:
        """`(version, record)` of one entity's stream after a version (its amendments included)."""
        try:
            stored = self._recorder.select_events(stream_id(entity), gt=after or None)
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        return self._records(entity, stored)

    def case_rows(
        self, as_of: date, known_at: datetime | None, slugs: Sequence[str] | None = None
    ) -> list[CaseTableRow] | None:
        """The `case_history` rows answering (as_of, known_at) (None: as known now), of these cases or
        all; None if the store keeps no complete history tables (see `tables`)."""
        select = getattr(self._recorder, "select_case_rows", None)
        if select is None:
            return None
        try:
            return cast("list[CaseTableRow] | None", select(as_of, known_at, slugs))
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def event_counts(self, entities: Iterable[str]) -> dict[str, int] | None:
        """How many events each of these entities' streams holds; None if the store holds a stream
        of another entity (or cannot count in the database)."""
        select = getattr(self._recorder, "select_stream_counts", None)
        if select is None:
            return None
        names = {stream_id(entity): entity for entity in entities}
        try:
            counts: dict[UUID, int] = select()
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        if not counts.keys() <= names.keys():
            return None
        return {names[stream]: count for stream, count in counts.items()}

    def event_count(self) -> int:
        """How many events the store holds, counted in the database."""
        try:
            return int(self._recorder.select_event_count())  # type: ignore[attr-defined]
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def current_cases(self) -> list[tuple[str, str]] | None:
        """(case slug, details) of every case's last row as known now (see `case_rows`); None if the
        store keeps no complete history tables."""
        select = getattr(self._recorder, "select_current_cases", None)
        if select is None:
            return None
        try:
            return cast("list[tuple[str, str]] | None", select())
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None

    def knows(self, entity: str) -> bool:
        """Whether the entity's stream holds any event."""
        return self.stream_version(entity) > 0

    def stream_version(self, entity: str) -> int:
        """The version of an entity's stream: how many events it holds (0: none)."""
        try:
            last = self._recorder.select_events(stream_id(entity), desc=True, limit=1)
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        return last[0].originator_version if last else 0

    def check_readable(self) -> None:
        """Decode the first stored event, if any: a wrong or missing cipher key, or a row this
        library cannot read, is a `StoreError` now rather than at the first question."""
        try:
            first = self._recorder.select_notifications(start=None, limit=1)
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        for notification in first:
            self._mapper.to_domain_event(notification)

    @property
    def reads_by_type(self) -> bool:
        """Whether `typed_records` can select events by type in SQL (SQLite, PostgreSQL)."""
        return hasattr(self._recorder, "select_typed")

    def typed_records(
        self, types: Sequence[str], entity: str | None = None, after: int = 0
    ) -> list[tuple[int, Recorded]]:
        """`(version, record)` of the events of these types: in one entity's stream after a version,
        or (no entity) in every stream, in the order stored."""
        topics = [get_topic(EVENT_TYPES[name]) for name in types]
        select = self._recorder.select_typed  # type: ignore[attr-defined]
        try:
            stored = select(None if entity is None else stream_id(entity), topics, after)
        except (EventSourcingError, sqlite3.Error) as exc:
            raise StoreError(f"cannot read {self.name}: {self._explain(exc)}") from None
        return self._records(entity, stored)

    def _records(self, entity: str | None, stored: Sequence[StoredEvent]) -> list[tuple[int, Recorded]]:
        """The records of stored events, amendments named by their stream's entity."""
        found: list[tuple[int, Recorded]] = []
        for event in stored:
            record: Recorded = self._mapper.to_domain_event(event).record  # type: ignore[attr-defined]
            if not record.entity and entity is not None:
                record = record._replace(entity=entity)
            found.append((event.originator_version, record))
        return found

    def _entity(self, notification: Notification) -> str:
        """The entity of an amendment's stream."""
        originator_id = notification.originator_id
        oid = originator_id if isinstance(originator_id, UUID) else UUID(originator_id)
        entity = self._entities.get(oid)
        if entity is None:
            # A stream never starts with an amendment: its first event names the entity.
            first = self._recorder.select_events(oid, limit=1)
            if first[0].originator_version != 1:
                raise StoreError(
                    f"{self.name} is damaged: stream {oid} has no version 1 (it starts at version "
                    f"{first[0].originator_version}), as after a partial restore"
                )
            entity = self._mapper.to_domain_event(first[0]).record.entity  # type: ignore[attr-defined]
            self._entities[oid] = entity
        return entity

    def close(self) -> None:
        """Close the database connections."""
        self._app.close()

    def _explain(self, exc: BaseException) -> str:
        """`_explain`, with this store's password and key hidden."""
        return _hide(_explain(exc), self._secrets)

    def __repr__(self) -> str:
        return f"<EventStore {self.name}>"


def _explain(exc: BaseException) -> str:
    """A one-line reason, with the missing extra named when an import failed."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ImportError):
            extra = "postgres" if "psycopg" in str(cause) else "crypto"
            return f"{cause}; pip install 'declaration-events[{extra}]'"
        cause = cause.__cause__
    text = " ".join(str(exc).split())
    if isinstance(exc, sqlite3.DatabaseError | EventSourcingError) and "not a database" in text:
        return "the file is not a SQLite database"
    return text or type(exc).__name__
