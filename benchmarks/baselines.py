"""The baselines the figures are compared with: small, obvious, and doing the same work.

- `validation_floor`: pydantic's `TypeAdapter(Event).validate_json` over every line (figure 1).
- `minimal_floor`: the same over a minimal pydantic model of the format, a discriminated
  union of one model per event type with the same field names, plain types and no
  validators (figure 1b).
- `naive_signatories`: a full replay up to the date, through the library's own rules,
  with no index (figures 2 and 3; also the oracle that the library's answers are checked
  against).
- `PeerApplication` / `peer_import`: `eventsourcing` used as its documentation shows,
  an `Aggregate` per entity and one `Application.save` per aggregate (figure 4a).
- `raw_sqlite_import`: `sqlite3.executemany` of the same lines into one indexed table,
  in one transaction (figure 4b).
- `pandas_load` / `pandas_signatories`: `read_json(lines=True)`, then sort and group-by-last
  (figure 8).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Union
from uuid import UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from pydantic import Field, TypeAdapter, create_model

from declaration_events.events import EVENT_ADAPTER, EVENT_TYPES, Corrected, EventBase, Retracted
from declaration_events.rules import apply_amendments, fold_instrument

__all__ = [
    "PeerApplication",
    "PeerEntity",
    "minimal_adapter",
    "minimal_floor",
    "naive_signatories",
    "pandas_load",
    "pandas_signatories",
    "peer_import",
    "raw_sqlite_import",
    "stream_keys",
    "validation_floor",
]

# -- figure 1 -------------------------------------------------------------------------------------


_PLAIN = {"string": str, "integer": int, "boolean": bool, "array": list[Any], "number": float}


def _plain(annotation: Any) -> Any:
    """A plain type standing for a field's, by its JSON Schema: text, a whole number, a truth
    value, a list, or anything (an object)."""
    schema = TypeAdapter(annotation).json_schema()
    kinds = (
        [part.get("type") for part in schema.get("anyOf", [schema])]
        if "anyOf" in schema
        else [schema.get("type")]
    )
    kinds = [kind for kind in kinds if kind not in (None, "null")]
    return _PLAIN.get(kinds[0], Any) if len(kinds) == 1 else Any


@cache
def minimal_adapter() -> TypeAdapter[Any]:
    """A discriminated union of minimal models: each event type's field names with plain types."""
    members = []
    for name, cls in EVENT_TYPES.items():
        fields: dict[str, Any] = {"type": (Literal[name], ...)}  # type: ignore[valid-type]
        for field, info in cls.model_fields.items():
            if field != "type":
                fields[field] = (_plain(info.annotation) | None, None)
        members.append(create_model(f"Minimal{name}", **fields))
    union = Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007
    return TypeAdapter(union)


def minimal_floor(path: Path) -> int:
    """Validate every line with the minimal models of the format, models dropped (figure 1b)."""
    validate = minimal_adapter().validate_json
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            validate(line)
            count += 1
    return count


def validation_floor(path: Path, *, keep: bool = False) -> int:
    """Validate every line with `EVENT_ADAPTER.validate_json`; keep the models only if asked."""
    validate = EVENT_ADAPTER.validate_json
    kept: list[Any] = []
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            result = validate(line)
            if keep:
                kept.append(result)
            count += 1
    return count


def parse_all(path: Path) -> list[EventBase]:
    """Every line as a validated event, in file order."""
    validate = EVENT_ADAPTER.validate_json
    with path.open("rb") as handle:
        return [validate(line) for line in handle]


# -- figures 2 and 3 ------------------------------------------------------------------------------


def naive_signatories(
    events: Sequence[EventBase], instrument: str, as_of: date, known_at: datetime | None = None
) -> dict[str, str]:
    """Each party's status in `instrument` on `as_of`, as known at `known_at`, by full replay.

    Scans every event; keeps the instrument's facts and all amendments known at
    `known_at`; applies the amendments; folds the facts that had happened by `as_of`
    through the library's rules (`fold_instrument`); reads each party's last change.
    """
    facts: list[EventBase] = []
    amendments: list[Corrected | Retracted] = []
    for item in events:
        if known_at is not None and item.recorded_at is not None and item.recorded_at > known_at:
            continue
        if isinstance(item, Corrected | Retracted):
            amendments.append(item)
        elif item.stream == "instrument" and getattr(item, "instrument", None) == instrument:
            facts.append(item)
    believed = apply_amendments(facts, amendments, strict=False)
    happened = [fact for fact in believed if fact.occurred_on.last <= as_of]
    history = fold_instrument(instrument, happened, strict=False)
    statuses: dict[str, str] = {}
    for party, changes in history.parties.items():
        current = [change for change in changes if change.on <= as_of]
        if current and current[-1].status is not None:
            statuses[party] = current[-1].status
    return statuses


# -- figure 4 -------------------------------------------------------------------------------------

_ENTITY_NAMESPACE = UUID("a3b1c9d2-7e4f-5a60-8b1c-2d3e4f5a6b7c")


class PeerEntity(Aggregate):
    """One instrument, case or the statements: its log lines are its events."""

    @staticmethod
    def create_id(name: str) -> UUID:
        """The same id for the same entity name."""
        return uuid5(_ENTITY_NAMESPACE, name)

    @event("Opened")
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    @event("Recorded")
    def record(self, fact: dict[str, Any]) -> None:
        """Apply one validated fact (as its JSON form)."""
        self.count += 1


class PeerApplication(Application[UUID]):
    """The peer: a plain `eventsourcing` application on SQLite."""

    name = "Peer"


def _entity_of(item: EventBase, targets: dict[UUID, str]) -> str:
    if isinstance(item, Corrected | Retracted):
        return targets[item.target]
    return item.entity()


def peer_import(path: Path, database: Path) -> int:
    """Import a log as an `eventsourcing` user would: validate, build aggregates, save each."""
    app = PeerApplication(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(database)})
    try:
        events = parse_all(path)
        targets = {item.id: item.entity() for item in events if not isinstance(item, Corrected | Retracted)}
        grouped: dict[str, list[EventBase]] = defaultdict(list)
        for item in events:
            grouped[_entity_of(item, targets)].append(item)
        count = 0
        for name, items in grouped.items():
            aggregate = PeerEntity(name=name)
            for item in items:
                aggregate.record(item.model_dump(mode="json", exclude_none=True))
            app.save(aggregate)
            count += len(items)
        return count
    finally:
        app.close()


def stream_keys(path: Path) -> list[tuple[str, int, str]]:
    """`(stream, version, line)` for every line; a cheap read with `json`, outside any timing."""
    with path.open(encoding="utf-8") as handle:
        lines = [(line.rstrip("\n"), json.loads(line)) for line in handle]
    targets: dict[str, str] = {}
    streams: list[str] = []
    for _, data in lines:
        kind = data["type"]
        if kind in ("Corrected", "Retracted"):
            stream = ""  # known once every fact is read: a target may come later in the file
        elif "instrument" in data and kind != "Condemned":
            stream = f"instrument:{data['instrument']}"
        elif "case" in data and kind != "Condemned":
            stream = f"case:{data['case']}"
        else:
            stream = "statements"
        if "id" in data:
            targets[data["id"]] = stream
        streams.append(stream)
    rows: list[tuple[str, int, str]] = []
    versions: dict[str, int] = defaultdict(int)
    for (line, data), stream in zip(lines, streams, strict=True):
        stream = stream or targets[data["target"]]
        versions[stream] += 1
        rows.append((stream, versions[stream], line))
    return rows


def raw_sqlite_import(rows: Sequence[tuple[str, int, str]], database: Path) -> int:
    """The limit: every line into one table keyed by (stream, version), one transaction."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, stream TEXT NOT NULL, "
            "version INTEGER NOT NULL, line TEXT NOT NULL, UNIQUE (stream, version))"
        )
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO events (stream, version, line) VALUES (?, ?, ?)", rows)
        connection.execute("COMMIT")
        (count,) = connection.execute("SELECT count(*) FROM events").fetchone()
        return int(count)
    finally:
        connection.close()


# -- figure 8 -------------------------------------------------------------------------------------

_STATUS_OF_TYPE = {
    "Signed": "signed",
    "Endorsed": "endorsed",
    "Ratified": "ratified",
    "Withdrew": "withdrawn",
}


def pandas_load(path: Path) -> Any:
    """What an analyst types first."""
    import pandas as pd

    return pd.read_json(path, lines=True)


def pandas_signatories(frame: Any, instrument: str, as_of: date) -> dict[str, str]:
    """Each party's latest participation on `as_of`: filter, sort, group by party, take the last."""
    rows = frame[(frame["instrument"] == instrument) & frame["type"].isin(list(_STATUS_OF_TYPE))]
    rows = rows[rows["occurred_on"].astype(str) <= as_of.isoformat()]
    last = rows.sort_values(["occurred_on", "recorded_at"]).groupby("party").last()
    return {str(party): _STATUS_OF_TYPE[kind] for party, kind in last["type"].items()}


def iter_lines(path: Path) -> Iterator[str]:
    """The lines of a log, without their newlines."""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\n")
