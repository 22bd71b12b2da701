"""History tables: every signatory's and every case's status as bitemporal rows, kept in the store.

Two tables, beside the events, written in the same transaction as the events they come from
(and wholly by `declaration-events rebuild`), so that any SQL tool can answer "as of D, as
known at R" without this library:

- `signatory_history(instrument, party, status, valid_from, valid_until, known_from,
  known_until, uncertain, event_id)`
- `case_history(case_slug, status, valid_from, valid_until, known_from, known_until,
  days_detained_before, in_custody, uncertain, event_id)`

Intervals are half-open: a row answers "as of D, known at R" when `valid_from <= D <
valid_until` and `known_from <= R < known_until`; `valid_until` and `known_until` are NULL
when open-ended. A row is what `Ledger.signatories` (or `Ledger.cases`) shows for the party
(or the case) on those dates: its status, whether a partial date leaves it `uncertain`, and
the event behind it. Days detained on D, for the case's row that answers D:
`days_detained_before + (D - valid_from if in_custody else 0)` (the days counted on what
certainly happened, as the ledger counts them: `in_custody` may be true on an uncertain
release's row).

SQLite keeps dates as ISO text (`YYYY-MM-DD`) and record times as UTC ISO text to the
microsecond (`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`), so that text order is time order;
PostgreSQL keeps `date` and `timestamptz`. This module is plain data and SQL text: each
recorder runs the statements in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple
from uuid import UUID

__all__ = [
    "CASE_HISTORY",
    "SIGNATORY_HISTORY",
    "SQLITE_CREATE_STATEMENTS",
    "CaseInterval",
    "Histories",
    "SignatoryInterval",
    "known_text",
    "sqlite_case_rows",
    "sqlite_signatory_rows",
]

SIGNATORY_HISTORY = "signatory_history"
CASE_HISTORY = "case_history"
#: The table saying whether the history tables hold every entity (key `complete`).
HISTORY_STATE = "history_state"


class SignatoryInterval(NamedTuple):
    """One row of `signatory_history`: a party's status over valid and record time."""

    instrument: str
    party: str
    status: str
    valid_from: date
    valid_until: date | None
    known_from: datetime
    known_until: datetime | None
    uncertain: bool
    event_id: UUID


class CaseInterval(NamedTuple):
    """One row of `case_history`: a case's status over valid and record time, with its days."""

    case_slug: str
    status: str
    valid_from: date
    valid_until: date | None
    known_from: datetime
    known_until: datetime | None
    #: Days in custody before `valid_from` (as the ledger counts them).
    days_detained_before: int
    #: Whether a day in custody is counted for each day of the row.
    in_custody: bool
    uncertain: bool
    event_id: UUID


@dataclass(frozen=True)
class Histories:
    """Rows that replace the rows of some entities (or, `complete`, of every entity) in the tables."""

    #: The entities (`instrument:SLUG`, `case:SLUG`) whose rows these replace.
    entities: tuple[str, ...]
    signatories: tuple[SignatoryInterval, ...] = ()
    cases: tuple[CaseInterval, ...] = ()
    #: A rebuild: every row of both tables is replaced, and the tables are marked complete.
    complete: bool = False
    #: (entity, version) of entities whose rows these replace but which the batch adds nothing to
    #: (instruments a continuation changes): the store refuses the batch if one moved on meanwhile.
    unchanged: tuple[tuple[str, int], ...] = ()
    #: The batch is the store's first: the tables hold every entity once it is in.
    first: bool = False

    def instruments(self) -> list[str]:
        """The slugs of the instruments whose rows these replace."""
        return [
            entity.removeprefix("instrument:") for entity in self.entities if entity.startswith("instrument:")
        ]

    def case_slugs(self) -> list[str]:
        """The slugs of the cases whose rows these replace."""
        return [entity.removeprefix("case:") for entity in self.entities if entity.startswith("case:")]


def known_text(moment: datetime | None) -> str | None:
    """A record time as SQLite's tables keep it: UTC, to the microsecond, so that text order is time order."""
    return None if moment is None else moment.astimezone(UTC).isoformat(timespec="microseconds")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


#: SQLite's tables and indexes (run by the recorder with eventsourcing's own tables, and again on a
#: store an earlier version created). One instrument's (one case's) rows as of a date: a range scan.
SQLITE_CREATE_STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS signatory_history (instrument TEXT NOT NULL, party TEXT NOT NULL, "
    "status TEXT NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT, known_from TEXT NOT NULL, "
    "known_until TEXT, uncertain INTEGER NOT NULL, event_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS signatory_history_as_of ON signatory_history (instrument, valid_from)",
    "CREATE INDEX IF NOT EXISTS signatory_history_party ON signatory_history (party, instrument)",
    "CREATE TABLE IF NOT EXISTS case_history (case_slug TEXT NOT NULL, status TEXT NOT NULL, "
    "valid_from TEXT NOT NULL, valid_until TEXT, known_from TEXT NOT NULL, known_until TEXT, "
    "days_detained_before INTEGER NOT NULL, in_custody INTEGER NOT NULL, uncertain INTEGER NOT NULL, "
    "event_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS case_history_as_of ON case_history (case_slug, valid_from)",
    "CREATE INDEX IF NOT EXISTS case_history_valid_from ON case_history (valid_from)",
    "CREATE TABLE IF NOT EXISTS history_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def sqlite_signatory_rows(rows: Iterable[SignatoryInterval]) -> list[tuple[object, ...]]:
    """Parameters of SQLite's INSERT, one tuple per row."""
    return [
        (
            r.instrument,
            r.party,
            r.status,
            _day(r.valid_from),
            _day(r.valid_until),
            known_text(r.known_from),
            known_text(r.known_until),
            int(r.uncertain),
            str(r.event_id),
        )
        for r in rows
    ]


def sqlite_case_rows(rows: Iterable[CaseInterval]) -> list[tuple[object, ...]]:
    """Parameters of SQLite's INSERT, one tuple per row."""
    return [
        (
            r.case_slug,
            r.status,
            _day(r.valid_from),
            _day(r.valid_until),
            known_text(r.known_from),
            known_text(r.known_until),
            r.days_detained_before,
            int(r.in_custody),
            int(r.uncertain),
            str(r.event_id),
        )
        for r in rows
    ]
