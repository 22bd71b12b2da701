"""Typed, immutable results of point-in-time queries, usable from plain Python."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from uuid import UUID

from .events import Condemned, Event

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CaseRow",
    "Cases",
    "CondemnationRow",
    "Condemnations",
    "Signatories",
    "SignatoryRow",
    "Timeline",
    "TimelineRow",
]

Row = TypeVar("Row")


@dataclass(frozen=True)
class _Rows(Generic[Row]):
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    # Displays and DataFrames live in `notebook` (pandas imported only by `to_dataframe`).
    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs the `notebook` extra)."""
        from .notebook import to_dataframe

        return to_dataframe(self)

    def _repr_html_(self) -> str:
        from .notebook import result_html

        return result_html(self)

    def __str__(self) -> str:
        from .notebook import result_text

        return result_text(self)

    def __repr__(self) -> str:
        from .notebook import result_repr

        return result_repr(self)


@dataclass(frozen=True, slots=True)
class SignatoryRow:
    """One party's participation in an instrument on the query date."""

    party: str
    name: str
    status: str
    since: date
    event_id: UUID
    uncertain: bool

    def to_dict(self) -> dict[str, Any]:
        """The row in the `status --format json` shape."""
        return {
            "party": self.party,
            "name": self.name,
            "status": self.status,
            "since": self.since.isoformat(),
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True, repr=False)
class Signatories(_Rows[SignatoryRow]):
    """Every party with a status in one instrument, as of a date, as known at a time."""

    instrument: str
    title: str
    kind: str
    as_of: date
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)

    def get(self, party: str) -> SignatoryRow | None:
        """The row of one party (by stored code), if it has a status."""
        return next((row for row in self.rows if row.party == party), None)

    def to_dict(self) -> dict[str, Any]:
        """The `status --format json` shape."""
        return {
            "instrument": self.instrument,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "parties": [row.to_dict() for row in self.rows],
            "counts": dict(self.counts),
        }


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One detention case on the query date."""

    case: str
    person: str
    nationalities: tuple[str, ...]
    detaining_state: str
    requested_by: str | None
    location: str | None
    status: str
    since: date
    days_detained: int
    charges: tuple[str, ...]
    sentence: str | None
    term_days: int | None
    linked_cases: tuple[str, ...]
    event_id: UUID
    uncertain: bool

    def to_dict(self) -> dict[str, Any]:
        """The row in the `cases --format json` shape."""
        return {
            "case": self.case,
            "person": self.person,
            "nationalities": list(self.nationalities),
            "detaining_state": self.detaining_state,
            "requested_by": self.requested_by,
            "status": self.status,
            "since": self.since.isoformat(),
            "days_detained": self.days_detained,
            "charges": list(self.charges),
            "sentence": self.sentence,
            "linked_cases": list(self.linked_cases),
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True, repr=False)
class Cases(_Rows[CaseRow]):
    """Every detention case begun by a date, as known at a time."""

    as_of: date
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)

    def get(self, case: str) -> CaseRow | None:
        """The row of one case, if it had begun."""
        return next((row for row in self.rows if row.case == case), None)

    def to_dict(self) -> dict[str, Any]:
        """The `cases --format json` shape."""
        return {
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "cases": [row.to_dict() for row in self.rows],
        }


@dataclass(frozen=True, slots=True)
class CondemnationRow:
    """One condemnation, as believed at the query's record time."""

    on: str
    actor: str
    subject: str
    target: str | None
    speaker: str | None
    quote: str | None
    instrument: str | None
    case: str | None
    event: Condemned
    uncertain: bool

    def to_dict(self) -> dict[str, Any]:
        """The row as plain JSON-ready data, with its sources."""
        return {
            "on": self.on,
            "actor": self.actor,
            "subject": self.subject,
            "target": self.target,
            "speaker": self.speaker,
            "quote": self.quote,
            "instrument": self.instrument,
            "case": self.case,
            "sources": [s.model_dump(mode="json", exclude_none=True) for s in self.event.sources],
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True, repr=False)
class Condemnations(_Rows[CondemnationRow]):
    """Condemnations made by a date, as known at a time, in valid-time order."""

    as_of: date
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "condemnations": [row.to_dict() for row in self.rows],
        }


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One fact about a party, as believed at the query's record time."""

    on: str
    type: str
    entity: str
    summary: str
    event: Event

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"on": self.on, "type": self.type, "entity": self.entity, "summary": self.summary}


@dataclass(frozen=True, repr=False)
class Timeline(_Rows[TimelineRow]):
    """Every fact about one party, in valid-time order."""

    party: str
    name: str
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "party": self.party,
            "name": self.name,
            "known_at": self.known_at.isoformat(),
            "events": [row.to_dict() for row in self.rows],
        }
