"""History tables: every signatory's and every case's status as bitemporal rows, kept in the store.

Two tables, beside the events, written in the same transaction as the events they come from
(and wholly by `declaration-events rebuild`), so that any SQL tool can answer "as of D, as
known at R" without this library:

- `signatory_history(instrument, party, status, valid_from, valid_until, known_from,
  known_until, uncertain, event_id)`
- `case_history(case_slug, status, valid_from, valid_until, known_from, known_until,
  days_detained_before, in_custody, uncertain, event_id, days_restricted_before, restricted,
  days_deprived_before, deprived, details)`

Intervals are half-open: a row answers "as of D, known at R" when `valid_from <= D <
valid_until` and `known_from <= R < known_until`; `valid_until` and `known_until` are NULL
when open-ended. A row is what `Ledger.signatories` (or `Ledger.cases`) shows for the party
(or the case) on those dates: its status, whether a partial date leaves it `uncertain`, and
the event behind it. Days detained on D, for the case's row that answers D:
`days_detained_before + (D - valid_from if in_custody else 0)` (the days counted on what
certainly happened, as the ledger counts them: `in_custody` may be true on an uncertain
release's row); days restricted and deprived likewise, with `restricted` and `deprived`.
`details` is the rest of the row `Ledger.cases` shows (JSON: person, nationalities, captor
and its name, charges, sentence, links, restrictions, designations, death; see
`case_rows`), so that a ledger answers `cases` from the table (`stream_view`).

The tables exist once a rebuild made them (`declaration-events rebuild --db URL`, or
`Ledger.rebuild_histories`); from then on every batch keeps them current. They are not made
by default because computing them costs more than an import: each case is folded at every
record time it has, and each instrument party by party at the record times of that party's
part (see `Projection.history_intervals`): 1,000,000 generated events take about 3.6 times as
long to rebuild as to import (benchmarks, figure 9a), and 50,000 imported into a store with the
tables about 4 times as long as into one without (13 s against 2.9 s).

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
    "HISTORY_SHAPE",
    "OLD_SHAPE",
    "SIGNATORY_HISTORY",
    "CaseInterval",
    "CaseTableRow",
    "Closed",
    "Histories",
    "SignatoryInterval",
    "known_text",
    "sqlite_case_rows",
    "sqlite_signatory_rows",
]

SIGNATORY_HISTORY = "signatory_history"
CASE_HISTORY = "case_history"
#: The table saying whether the history tables hold every entity (key `complete`) and in which
#: shape (key `shape`).
HISTORY_STATE = "history_state"
#: The tables' shape: a store whose tables another shape made refuses batches until `rebuild`.
HISTORY_SHAPE = "2"
#: What a store with tables of an older shape says.
OLD_SHAPE = (
    "its history tables were made by an earlier version of declaration-events: "
    "run `declaration-events rebuild --db URL` to make them afresh"
)


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
    #: Days under a restriction out of custody before `valid_from`, and whether each day counts.
    days_restricted_before: int = 0
    restricted: bool = False
    #: Days deprived of liberty (custody or house arrest) before `valid_from`, and whether each counts.
    days_deprived_before: int = 0
    deprived: bool = False
    #: The rest of what `Ledger.cases` shows on the row's dates, as JSON (see `case_rows`).
    details: str = "{}"


class CaseTableRow(NamedTuple):
    """A `case_history` row as read to answer one date: what `case_rows.case_row` turns into a `CaseRow`."""

    case_slug: str
    status: str
    valid_from: date
    #: (days_detained_before, in_custody, days_restricted_before, restricted, days_deprived_before, deprived)
    counters: tuple[int, bool, int, bool, int, bool]
    uncertain: bool
    event_id: UUID
    details: str


class Closed(NamedTuple):
    """A row believed until `known_until` from now on: found by everything but its `known_from`."""

    row: SignatoryInterval | CaseInterval
    known_until: datetime


@dataclass(frozen=True)
class Histories:
    """Rows that replace the rows of some entities (or, `complete`, of every entity) in the tables."""

    #: The entities (`instrument:SLUG`, `case:SLUG`) whose rows these replace (all deleted first).
    entities: tuple[str, ...]
    #: Rows to insert: every row of the replaced entities, the new rows of the others.
    signatories: tuple[SignatoryInterval, ...] = ()
    cases: tuple[CaseInterval, ...] = ()
    #: Open rows of entities not replaced (facts recorded after all they held) that end.
    closed: tuple[Closed, ...] = ()
    #: A rebuild: every row of both tables is replaced, and the tables are marked complete.
    complete: bool = False
    #: (entity, version) of entities whose rows these replace but which the batch adds nothing to
    #: (instruments a continuation changes): the store refuses the batch if one moved on meanwhile.
    unchanged: tuple[tuple[str, int], ...] = ()

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


def sqlite_closed(closed: Iterable[Closed]) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Parameters of SQLite's UPDATEs that end open rows: of `signatory_history`, of `case_history`."""
    signatories: list[tuple[object, ...]] = []
    cases: list[tuple[object, ...]] = []
    for row, until in closed:
        if isinstance(row, SignatoryInterval):
            signatories.append(
                (
                    known_text(until),
                    row.instrument,
                    row.party,
                    row.status,
                    _day(row.valid_from),
                    _day(row.valid_until),
                    int(row.uncertain),
                    str(row.event_id),
                )
            )
        else:
            cases.append(
                (
                    known_text(until),
                    row.case_slug,
                    row.status,
                    _day(row.valid_from),
                    _day(row.valid_until),
                    row.days_detained_before,
                    int(row.in_custody),
                    int(row.uncertain),
                    str(row.event_id),
                )
            )
    return signatories, cases


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
            r.days_restricted_before,
            int(r.restricted),
            r.days_deprived_before,
            int(r.deprived),
            r.details,
        )
        for r in rows
    ]
