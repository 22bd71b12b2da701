"""Typed, immutable results of point-in-time queries, usable from plain Python.

Each result describes itself: its table (`_view`, laid out by `render` as text and
HTML), its CSV rows and its DataFrame columns (built by `notebook`, which imports
pandas, only when `to_dataframe` is called).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from uuid import UUID

from . import render
from .actors import display_name
from .dates import PRECISIONS
from .events import EVENT_TYPES, Condemned, Event, EventBase
from .parties import party_name, resolve_party
from .render import Column, View
from .rules import CASE_STATUSES, PARTICIPATION_STATUSES, Designation

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TALLY_KEYS",
    "CaseRow",
    "Cases",
    "CondemnationRow",
    "Condemnations",
    "LedgerWarning",
    "ObjectionRow",
    "RelationRow",
    "Relations",
    "ReservationRow",
    "Reservations",
    "Signatories",
    "SignatoryRow",
    "Timeline",
    "TimelineRow",
]

Row = TypeVar("Row")
#: The keys of a treaty's `Signatories.tally`, as published figures name them.
TALLY_KEYS = ("signatories", "contracting_states", "parties")
_TALLY_WORDS = {
    "signatories": ("signatory", "signatories"),
    "contracting_states": ("contracting state", "contracting states"),
    "parties": ("party", "parties"),
    "endorsers": ("endorser", "endorsers"),
}


def _name(code: str | None) -> str | None:
    return party_name(code) if code else None


def _seconds(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _mark(status: str, uncertain: bool) -> str:
    return status + (" ?" if uncertain else "")


def _names(codes: Sequence[str]) -> str:
    return ", ".join(map(party_name, codes))


#: What a fact's own words leave out: what every event has, and what the timeline's columns show.
_NOT_SAID = {"type", "id", "occurred_on", "recorded_at", "sources", "note", "instrument", "case"}


def fact_text(event: EventBase) -> str:
    """What a fact says, in words, without its type, date or entity (the timeline's columns)."""
    data: dict[str, Any] = event.model_dump(mode="json", exclude=_NOT_SAID, exclude_none=True)
    kind = event.type
    text: str
    if kind == "InstrumentOpened":
        text = f"“{data['title']}”, a {data['kind']}"
        text += f", initiated by {party_name(data['initiator'])}" if "initiator" in data else ""
    elif kind == "EnteredIntoForce":
        text = "in force"
    elif kind in ("Signed", "Endorsed", "Ratified", "Withdrew"):
        text = f"by {party_name(data.pop('party'))}"
        if data.get("mode", "ratification") != "ratification":
            text += f", by {data['mode']}"
        text += f", in effect {data['effective_on']}" if "effective_on" in data else ""
    elif kind == "Reserved":
        articles = f" on article {', '.join(data['articles'])}" if data.get("articles") else ""
        made = {"signature": "on signature", "consent": "on consent", "later": "later"}[data["made_on"]]
        what = str(data["kind"]).replace("_", " ")
        text = f"{what} by {party_name(data['party'])}{articles}, {made}: “{data['text']}”"
    elif kind == "ReservationWithdrawn":
        kept = f", keeping “{data['text']}”" if "text" in data else ""
        text = f"by {party_name(data['party'])}: reservation {data['reservation']}{kept}"
    elif kind == "Objected":
        cited = f" ({data['reservation']})" if "reservation" in data else ""
        bars = "; precludes entry into force between them" if data["precludes_entry_into_force"] else ""
        whose = f"{party_name(data['to'])}'s reservation{cited}"
        text = f"by {party_name(data['party'])} to {whose}{bars}: “{data['text']}”"
    elif kind in ("TerritoryIncluded", "TerritoryExcluded"):
        verb = "applied to" if kind == "TerritoryIncluded" else "not applied to"
        text = f"by {party_name(data['party'])}: {verb} {party_name(data['territory'])}"
        text += f", in effect {data['effective_on']}" if "effective_on" in data else ""
    elif kind in ("Suspended", "SuspensionEnded"):
        text = f"for {party_name(data['party'])}" if "party" in data else "for every party"
    elif kind == "Terminated":
        text = "ended for every party"
    elif kind == "Condemned":
        text = f"{party_name(data['actor'])}: {data['subject']}"
        text += f" (against {party_name(data['target'])})" if "target" in data else ""
        if "quote" in data:
            text += f"; {data.get('speaker', 'quoted')}: “{data['quote']}”"
        elif "speaker" in data:
            text += f"; said by {data['speaker']}"
    elif kind == "Detained":
        held_by = display_name(data.get("detained_by") or data["detaining_state"])  # an actor: its code
        text = f"{data['person']}, of {_names(data['nationalities'])}, held by {held_by}"
        text += f" at the request of {party_name(data['requested_by'])}" if "requested_by" in data else ""
        text += f", in {data['location']}" if "location" in data else ""
    elif kind == "Charged":
        text = "; ".join(data["charges"])
    elif kind == "Sentenced":
        term = data.get("term_days")
        text = data["sentence"] + (f" ({render.plural(term, 'day')})" if term is not None else "")
    elif kind == "Released":
        text = str(data["mechanism"]).replace("_", " ")
    elif kind == "CasesLinked":
        text = f"{data['relation']}: case {data['other_case']}"
    elif kind in ("Corrected", "Retracted"):
        changes = "; ".join(f"{k} → {v}" for k, v in data.get("changes", {}).items())
        text = f"{'corrects' if changes else 'retracts'} {data['target']}: {changes or data['reason']}"
    else:  # a type this function does not know yet: its own fields, in words
        text = "; ".join(
            f"{key.replace('_', ' ')} {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for key, v in data.items()
        )
    return text


@dataclass(frozen=True)
class _Rows(Generic[Row]):
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Row, ...]: ...
    @overload
    def __getitem__(self, index: str) -> Row: ...
    def __getitem__(self, index: int | slice | str) -> Row | tuple[Row, ...]:
        """A row by position (`result[0]`), rows by slice, or a row by name where results have one."""
        if isinstance(index, str):
            found = self._find(index)
            if found is None:
                raise KeyError(self._missing(index))
            return found
        return self.rows[index]

    def __contains__(self, item: object) -> bool:
        """Whether a row, or a name (`"Canada" in result`, where results have names), is in the result."""
        if isinstance(item, str):
            return self._find(item) is not None
        return item in self.rows

    # Lookup by name: results whose rows have one (a party, a case) override these.
    def _find(self, key: str) -> Row | None:
        raise TypeError(f"{type(self).__name__} rows are looked up by position, not by {key!r}")

    def _missing(self, key: str) -> str:
        return f"no row {key!r}"

    # What each kind of result describes; the displays below lay it out.
    def _view(self) -> View:
        raise NotImplementedError

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        raise NotImplementedError

    def _columns(self) -> list[Column]:
        raise NotImplementedError

    def _attrs(self) -> dict[str, str]:
        raise NotImplementedError

    def _about(self) -> tuple[str, str]:
        raise NotImplementedError

    def _when(self) -> str:
        known_at: datetime = getattr(self, "known_at")  # noqa: B009 - every result has one
        as_of: date | None = getattr(self, "as_of", None)
        known = f"known at {_seconds(known_at)}"
        return known if as_of is None else f"as of {as_of.isoformat()}, {known}"

    def _uncertain(self) -> int:
        return sum(bool(getattr(row, "uncertain", False)) for row in self.rows)

    def to_csv(self) -> str:
        """The rows as CSV, one line each, with a header (what `--format csv` prints)."""
        return render.csv_text(*self._csv())

    def to_dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (needs the `notebook` extra)."""
        from .notebook import frame

        return frame(self._columns(), self._attrs())

    def _repr_html_(self) -> str:
        return render.to_html(self._view())

    def __str__(self) -> str:
        return render.text(self._view())

    def __repr__(self) -> str:
        what, noun = self._about()
        counts = render.counted(getattr(self, "counts", {}), thousands=True)
        if self._uncertain():
            counts += f"; {self._uncertain()} uncertain, not counted"
        return f"<{type(self).__name__} {what}, {self._when()}: {render.plural(len(self), noun)} ({counts})>"

    def _summary_html(self, lead: str) -> str:
        uncertain = self._uncertain()
        counts = render.counted(getattr(self, "counts", {}), thousands=True)
        line = f"<strong>{html.escape(lead)}</strong>: {html.escape(counts)}"
        if uncertain:
            line += f" <em>(+{uncertain} uncertain, marked ?, not counted)</em>"
        return line

    def _footer(self, lead: str) -> str:
        uncertain = self._uncertain()
        footer = f"{lead}: {render.counted(getattr(self, 'counts', {}))}"
        if uncertain:
            footer += f" (+{uncertain} uncertain, marked ?, not counted)"
        return footer


@dataclass(frozen=True, slots=True)
class LedgerWarning:
    """A legal fact worth a second look (a consent with no signature, dates that disagree)."""

    event_id: UUID
    entity: str
    message: str

    def __str__(self) -> str:
        return f"{self.entity}: {self.message} (event {self.event_id})"


@dataclass(frozen=True, slots=True)
class SignatoryRow:
    """One party's participation in an instrument on the query date."""

    party: str
    name: str
    status: str
    since: date
    event_id: UUID
    uncertain: bool
    #: When the consent (or withdrawal) behind the status takes effect, if it has one.
    effective_on: date | None = None
    #: Whether `effective_on` was derived from the final clauses rather than given in the log.
    effective_derived: bool = False
    #: The predecessor whose participation this state continues (`Continued`), if any.
    continued_from: str | None = None
    #: The territories (ISO 3166-1 alpha-3) the party applies the treaty to on the date.
    territories: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The row in the `status --format json` shape."""
        return {
            "party": self.party,
            "name": self.name,
            "status": self.status,
            "since": self.since.isoformat(),
            "uncertain": self.uncertain,
            "effective_on": self.effective_on.isoformat() if self.effective_on else None,
            "effective_derived": self.effective_derived,
            "continued_from": self.continued_from,
            "territories": list(self.territories),
        }

    def effect(self) -> str:
        """`effective_on` as shown in tables: the date, `(derived)` when the final clauses gave it."""
        if self.effective_on is None:
            return ""
        return self.effective_on.isoformat() + (" (derived)" if self.effective_derived else "")


@dataclass(frozen=True, repr=False)
class Signatories(_Rows[SignatoryRow]):
    """Every party with a status in one instrument, as of a date, as known at a time."""

    instrument: str
    title: str
    kind: str
    as_of: date
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    #: Counts as published: `signatories` (standing signatures), `contracting_states` (consent
    #: given, withdrawal not yet in effect) and `parties` (in force for them, withdrawing
    #: included); for a declaration, `signatories` and `endorsers`. Uncertain rows are left out.
    tally: Mapping[str, int] = field(default_factory=dict)

    def get(self, party: str) -> SignatoryRow | None:
        """The row of one party, if it has a status; `UnknownPartyError` if no party is called that.

        The party may be named as in a log: `CAN`, `CA`, `can`, `Canada`, `the EU`. So may
        `result[party]` (a `KeyError` if it has no status) and `party in result`.
        """
        return self._find(party)

    @cached_property
    def _by_party(self) -> dict[str, SignatoryRow]:
        return {row.party: row for row in self.rows}

    def _find(self, key: str) -> SignatoryRow | None:
        return self._by_party.get(resolve_party(key))

    def _missing(self, key: str) -> str:
        code = resolve_party(key)
        return f"{party_name(code)} ({code}) has no status in {self.instrument} as of {self.as_of}"

    def to_dict(self) -> dict[str, Any]:
        """The `status --format json` shape."""
        return {
            "instrument": self.instrument,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "parties": [row.to_dict() for row in self.rows],
            "counts": dict(self.counts),
            "tally": dict(self.tally),
        }

    def _tallied(self) -> str:
        """`133 signatories, 164 contracting states, 164 parties`: never a signatory called a party."""
        shown = {k: n for k, n in self.tally.items() if n or self.kind != "declaration"} or {"endorsers": 0}
        return ", ".join(f"{count:,} {_TALLY_WORDS[key][count != 1]}" for key, count in shown.items())

    def _effects(self) -> bool:
        return any(row.effective_on is not None or row.continued_from for row in self)

    def _view(self) -> View:
        cells = [[r.party, r.name, _mark(r.status, r.uncertain), r.since.isoformat()] for r in self]
        header = ["code", "party", "status", "since"]
        if self._effects():
            header += ["in effect", "continues"]
            cells = [[*row, r.effect(), r.continued_from or ""] for row, r in zip(cells, self, strict=True)]
        if any(r.territories for r in self):
            header += ["territories"]
            cells = [[*row, ", ".join(r.territories)] for row, r in zip(cells, self, strict=True)]
        return View(
            title=f"{self.title} ({self.instrument}, {self.kind})\n{self._when()}",
            header=header,
            cells=cells,
            footer=self._footer(self._tallied()),
            title_html=(
                f"<strong>{html.escape(self.title)}</strong> ({html.escape(self.instrument)}, {self.kind})"
            ),
            when=self._when(),
            summary_html=self._summary_html(self._tallied()),
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        rows: list[list[object]] = [
            [
                r.party,
                r.name,
                r.status,
                r.since.isoformat(),
                str(r.uncertain).lower(),
                r.effective_on.isoformat() if r.effective_on else "",
                str(r.effective_derived).lower(),
                r.continued_from or "",
                ";".join(r.territories),
            ]
            for r in self
        ]
        header = [
            "party",
            "name",
            "status",
            "since",
            "uncertain",
            "effective_on",
            "effective_derived",
            "continued_from",
            "territories",
        ]
        return header, rows

    def _columns(self) -> list[Column]:
        rows = self.rows
        return [
            Column("party", "category", [r.party for r in rows]),
            Column("name", "text", [r.name for r in rows]),
            Column("status", "ordered", [r.status for r in rows], PARTICIPATION_STATUSES),
            Column("since", "date", [r.since for r in rows]),
            Column("uncertain", "bool", [r.uncertain for r in rows]),
            Column("event_id", "text", [str(r.event_id) for r in rows]),
            Column("effective_on", "date", [r.effective_on for r in rows]),
            Column("effective_derived", "bool", [r.effective_derived for r in rows]),
            Column("continued_from", "category", [r.continued_from for r in rows]),
            Column("territories", "text", [",".join(r.territories) for r in rows]),
        ]

    def _attrs(self) -> dict[str, str]:
        return {
            "instrument": self.instrument,
            "title": self.title,
            "kind": self.kind,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
        }

    def _about(self) -> tuple[str, str]:
        return self.instrument, "participant"


def _case_key(name: str) -> str:
    """How a case is looked up: a slug or a person's name, casefolded, with spaces and `_` as `-`."""
    return re.sub(r"[\s_]+", "-", name.strip().casefold())


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One detention case on the query date."""

    case: str
    person: str
    nationalities: tuple[str, ...]
    #: The captor under its old name (a party or actor:SLUG), kept for readers of format v1.
    detaining_state: str | None
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
    #: Who holds (or last held) the person: a party or actor:SLUG; None if never detained.
    detained_by: str | None = None
    detained_by_name: str | None = None
    charging_state: str | None = None
    #: The legal basis of custody, when a change of it (`CustodyChanged`) was recorded.
    basis: str | None = None
    #: Restrictions in force, most severe first, and the conditions recorded with them.
    restrictions: tuple[str, ...] = ()
    conditions: tuple[tuple[str, str], ...] = ()
    days_restricted: int = 0
    days_deprived: int = 0
    designations: tuple[Designation, ...] = ()
    died_in_custody: bool | None = None
    cause_of_death: str | None = None

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
            "detained_by": self.detained_by,
            "detained_by_name": self.detained_by_name,
            "charging_state": self.charging_state,
            "basis": self.basis,
            "restrictions": list(self.restrictions),
            "conditions": dict(self.conditions),
            "days_restricted": self.days_restricted,
            "days_deprived": self.days_deprived,
            "designations": [_designation_dict(d) for d in self.designations],
            "died_in_custody": self.died_in_custody,
            "cause_of_death": self.cause_of_death,
        }

    def _fields(self) -> list[tuple[str, str]]:
        """The row as (label, text) pairs, for its own display."""
        fields = [
            ("case", self.case),
            ("person", self.person),
            ("nationality", _names(self.nationalities)),
            ("held by", _held_by(self)),
            ("charged by", _name(self.charging_state) or ""),
            ("requested by", _name(self.requested_by) or ""),
            ("location", self.location or ""),
            ("status", _mark(self.status, self.uncertain)),
            ("since", self.since.isoformat()),
            ("basis", self.basis or ""),
            ("restrictions", ", ".join(self.restrictions)),
            ("days detained", f"{self.days_detained:,}"),
            ("days restricted", f"{self.days_restricted:,}" if self.days_restricted else ""),
            ("days deprived", f"{self.days_deprived:,}" if self.days_deprived else ""),
            ("charges", "; ".join(self.charges)),
            ("sentence", self.sentence or ""),
            ("term", render.plural(self.term_days, "day") if self.term_days is not None else ""),
            ("designated", _designated(self, long=True)),
            ("died", _death(self)),
            ("linked cases", ", ".join(self.linked_cases)),
        ]
        return [(label, text) for label, text in fields if text]

    def _repr_html_(self) -> str:
        title = f"<strong>{html.escape(self.person)}</strong> ({html.escape(self.case)}): {self.status}"
        return render.record_html(title, self._fields())

    def __str__(self) -> str:
        return render.record_text(self._fields())

    def to_dataframe(self) -> pd.DataFrame:
        """The row as a one-row DataFrame, with the columns of `Cases.to_dataframe()`."""
        from .notebook import frame

        return frame(_case_columns((self,)), {"case": self.case})


def _designation_dict(designation: Designation) -> dict[str, Any]:
    return {
        "designation": designation.designation,
        "by": designation.by,
        "reference": designation.reference,
        "categories": list(designation.categories),
        "on": designation.on.isoformat(),
    }


def _designated(row: CaseRow, *, long: bool = False) -> str:
    """`wrongful_detention (USA)`, one per designation; with `long`, names, references and categories."""
    parts = []
    for d in row.designations:
        if not long:
            parts.append(f"{d.designation} ({d.by})")
            continue
        categories = f"categories {', '.join(d.categories)}" if d.categories else ""
        detail = ", ".join(x for x in (display_name(d.by), d.reference or "", categories) if x)
        parts.append(f"{d.designation} ({detail})")
    return "; ".join(parts)


def _death(row: CaseRow) -> str:
    """`in custody (cause)` or `out of custody`, for a case that ended in a death; else empty."""
    if row.died_in_custody is None:
        return ""
    where = "in custody" if row.died_in_custody else "out of custody"
    return f"{where} ({row.cause_of_death})" if row.cause_of_death else where


def _held_by(row: CaseRow) -> str:
    return row.detained_by_name or (display_name(row.detained_by) if row.detained_by else "")


@dataclass(frozen=True, repr=False)
class Cases(_Rows[CaseRow]):
    """Every detention case begun by a date (only those so designated, if asked), as known at a time."""

    as_of: date
    known_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)
    designation: str | None = None

    def get(self, case: str) -> CaseRow | None:
        """The row of one case, if it had begun: by slug (`kovrig`, `Kovrig`) or person (`Michael Kovrig`).

        So may `result[case]` (a `KeyError` naming close slugs if there is none) and `case in result`.
        """
        return self._find(case)

    @cached_property
    def _by_key(self) -> dict[str, CaseRow]:
        index: dict[str, CaseRow] = {}
        for row in reversed(self.rows):  # a person in two cases: the first case wins
            index[_case_key(row.person)] = row
        index.update((_case_key(row.case), row) for row in self.rows)
        return index

    def _find(self, key: str) -> CaseRow | None:
        return self._by_key.get(_case_key(key))

    def _missing(self, key: str) -> str:
        close = difflib.get_close_matches(_case_key(key), [_case_key(r.case) for r in self.rows], n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"no case {key!r} had begun by {self.as_of}{hint}"

    def to_dict(self) -> dict[str, Any]:
        """The `cases --format json` shape."""
        return {
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "cases": [row.to_dict() for row in self.rows],
        }

    def _view(self) -> View:
        cells = [
            [
                r.case,
                r.person,
                ",".join(r.nationalities),
                _held_by(r),
                _mark(r.status, r.uncertain),
                r.since.isoformat(),
                f"{r.days_detained:,}",
                f"{r.days_restricted:,}" if r.days_restricted else "",
                "; ".join(r.charges) if len(r.charges) < 3 else f"{len(r.charges)} charges",
                r.sentence or "",
                _designated(r),
            ]
            for r in self
        ]
        html_cells = [
            [
                *row[:2],
                ", ".join(map(party_name, r.nationalities)),
                *row[3:8],
                "; ".join(r.charges),
                row[9],
                _designated(r, long=True),
            ]
            for row, r in zip(cells, self, strict=True)
        ]
        what = "Detention cases" + (f" designated {self.designation}" if self.designation else "")
        return View(
            title=f"{what} {self._when()}",
            header=[
                "case",
                "person",
                "nationality",
                "held by",
                "status",
                "since",
                "days",
                "restricted",
                "charges",
                "sentence",
                "designated",
            ],
            cells=cells,
            footer=f"{render.plural(len(self), 'case', thousands=False)}: {render.counted(self.counts)}",
            title_html=f"<strong>{html.escape(what)}</strong>",
            when=self._when(),
            summary_html=self._summary_html(render.plural(len(self) - self._uncertain(), "case")),
            html_cells=html_cells,
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        rows: list[list[object]] = [
            [
                r.case,
                r.person,
                ";".join(r.nationalities),
                r.detaining_state or "",
                r.requested_by or "",
                r.status,
                r.since.isoformat(),
                r.days_detained,
                ";".join(r.charges),
                r.sentence or "",
                ";".join(r.linked_cases),
                str(r.uncertain).lower(),
                r.detained_by or "",
                r.charging_state or "",
                r.basis or "",
                ";".join(r.restrictions),
                r.days_restricted,
                r.days_deprived,
                ";".join(f"{d.designation}:{d.by}" for d in r.designations),
                "" if r.died_in_custody is None else str(r.died_in_custody).lower(),
            ]
            for r in self
        ]
        header = [
            "case",
            "person",
            "nationalities",
            "detaining_state",
            "requested_by",
            "status",
            "since",
            "days_detained",
            "charges",
            "sentence",
            "linked_cases",
            "uncertain",
            "detained_by",
            "charging_state",
            "basis",
            "restrictions",
            "days_restricted",
            "days_deprived",
            "designations",
            "died_in_custody",
        ]
        return header, rows

    def _columns(self) -> list[Column]:
        return _case_columns(self.rows)

    def _attrs(self) -> dict[str, str]:
        attrs = {"as_of": self.as_of.isoformat(), "known_at": self.known_at.isoformat()}
        return attrs | ({"designation": self.designation} if self.designation else {})

    def _about(self) -> tuple[str, str]:
        return "detention cases", "case"


def _case_columns(rows: Sequence[CaseRow]) -> list[Column]:
    """The DataFrame columns of detention cases (`Cases` and a single `CaseRow`)."""
    return [
        Column("case", "text", [r.case for r in rows]),
        Column("person", "text", [r.person for r in rows]),
        Column("nationalities", "text", [",".join(r.nationalities) for r in rows]),
        Column("nationality_names", "text", [", ".join(map(party_name, r.nationalities)) for r in rows]),
        Column("detaining_state", "category", [r.detaining_state for r in rows]),
        Column("detaining_state_name", "text", [_held_by(r) or None for r in rows]),
        Column("requested_by", "category", [r.requested_by for r in rows]),
        Column("requested_by_name", "text", [_name(r.requested_by) for r in rows]),
        Column("location", "text", [r.location for r in rows]),
        Column("status", "ordered", [r.status for r in rows], CASE_STATUSES),
        Column("since", "date", [r.since for r in rows]),
        Column("days_detained", "int", [r.days_detained for r in rows]),
        Column("charges", "text", ["; ".join(r.charges) for r in rows]),
        Column("sentence", "text", [r.sentence for r in rows]),
        Column("term_days", "Int64", [r.term_days for r in rows]),
        Column("linked_cases", "text", [",".join(r.linked_cases) for r in rows]),
        Column("uncertain", "bool", [r.uncertain for r in rows]),
        Column("event_id", "text", [str(r.event_id) for r in rows]),
        Column("detained_by", "category", [r.detained_by for r in rows]),
        Column("detained_by_name", "text", [r.detained_by_name for r in rows]),
        Column("charging_state", "category", [r.charging_state for r in rows]),
        Column("basis", "text", [r.basis for r in rows]),
        Column("restrictions", "text", [",".join(r.restrictions) for r in rows]),
        Column("days_restricted", "int", [r.days_restricted for r in rows]),
        Column("days_deprived", "int", [r.days_deprived for r in rows]),
        Column("designations", "text", [",".join(d.designation for d in r.designations) for r in rows]),
        Column("died_in_custody", "boolean", [r.died_in_custody for r in rows]),
        Column("cause_of_death", "text", [r.cause_of_death for r in rows]),
    ]


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

    def _view(self) -> View:
        rows = self.rows
        by = render.counted({party_name(k): v for k, v in self.counts.items()}, thousands=True)
        return View(
            title="",
            header=["on", "actor", "speaker", "target", "subject"],
            cells=[
                [r.on, party_name(r.actor), r.speaker or "", _name(r.target) or "", r.subject] for r in rows
            ],
            footer=render.plural(len(self), "condemnation", thousands=False),
            title_html="<strong>Condemnations</strong>",
            when=self._when(),
            summary_html=f"<strong>{render.plural(len(self), 'condemnation')}</strong>: by {html.escape(by)}",
            html_header=["on", "actor", "speaker", "target", "subject", "quote"],
            html_cells=[
                [r.on, party_name(r.actor), r.speaker or "", _name(r.target) or "", r.subject, r.quote or ""]
                for r in rows
            ],
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        header = ["on", "actor", "speaker", "target", "subject", "quote", "instrument", "case", "uncertain"]
        rows: list[list[object]] = [
            [
                r.on,
                r.actor,
                r.speaker or "",
                r.target or "",
                r.subject,
                r.quote or "",
                r.instrument or "",
                r.case or "",
                str(r.uncertain).lower(),
            ]
            for r in self
        ]
        return header, rows

    def _columns(self) -> list[Column]:
        rows = self.rows
        return [
            Column("on", "date", [r.event.occurred_on.first for r in rows]),
            Column("precision", "ordered", [r.event.occurred_on.precision for r in rows], PRECISIONS),
            Column("actor", "category", [r.actor for r in rows]),
            Column("actor_name", "text", [party_name(r.actor) for r in rows]),
            Column("target", "category", [r.target for r in rows]),
            Column("target_name", "text", [_name(r.target) for r in rows]),
            Column("speaker", "text", [r.speaker for r in rows]),
            Column("subject", "text", [r.subject for r in rows]),
            Column("quote", "text", [r.quote for r in rows]),
            Column("instrument", "text", [r.instrument for r in rows]),
            Column("case", "text", [r.case for r in rows]),
            Column("sources", "int", [len(r.event.sources) for r in rows]),
            Column("uncertain", "bool", [r.uncertain for r in rows]),
            Column("event_id", "text", [str(r.event.id) for r in rows]),
        ]

    def _attrs(self) -> dict[str, str]:
        return {"as_of": self.as_of.isoformat(), "known_at": self.known_at.isoformat()}

    def _about(self) -> tuple[str, str]:
        return "condemnations", "condemnation"


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
    """Every fact about one party (naming it, or of a case that names it), in valid-time order."""

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

    def _view(self) -> View:
        counts = render.counted(self.counts, thousands=True)
        return View(
            title=f"{self.name} ({self.party}), {self._when()}",
            header=["on", "type", "entity", "fact"],
            cells=[[r.on, r.type, r.entity, fact_text(r.event)] for r in self],
            footer=f"{render.plural(len(self), 'fact', thousands=False)}: {render.counted(self.counts)}",
            title_html=f"<strong>{html.escape(self.name)}</strong> ({html.escape(self.party)})",
            when=self._when(),
            summary_html=f"<strong>{render.plural(len(self), 'fact')}</strong>: {html.escape(counts)}",
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        rows: list[list[object]] = [
            [r.on, r.type, r.entity, fact_text(r.event), str(r.event.id)] for r in self
        ]
        return ["on", "type", "entity", "fact", "event_id"], rows

    def _columns(self) -> list[Column]:
        rows = self.rows
        return [
            Column("on", "date", [r.event.occurred_on.first for r in rows]),
            Column("precision", "ordered", [r.event.occurred_on.precision for r in rows], PRECISIONS),
            Column("type", "category", [r.type for r in rows], list(EVENT_TYPES)),
            Column("entity", "category", [r.entity for r in rows]),
            Column("fact", "text", [fact_text(r.event) for r in rows]),
            Column("summary", "text", [r.summary for r in rows]),
            Column("event_id", "text", [str(r.event.id) for r in rows]),
        ]

    def _attrs(self) -> dict[str, str]:
        return {"party": self.party, "name": self.name, "known_at": self.known_at.isoformat()}

    def _about(self) -> tuple[str, str]:
        return f"{self.name} ({self.party})", "fact"


@dataclass(frozen=True, slots=True)
class ObjectionRow:
    """An objection to a reservation."""

    id: UUID
    party: str
    name: str
    on: date
    text: str
    precludes_entry_into_force: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "id": str(self.id),
            "party": self.party,
            "name": self.name,
            "on": self.on.isoformat(),
            "text": self.text,
            "precludes_entry_into_force": self.precludes_entry_into_force,
        }


@dataclass(frozen=True, slots=True)
class ReservationRow:
    """A reservation or declaration in force on the query date, with the objections made to it."""

    reservation: UUID
    party: str
    name: str
    kind: str
    #: The text in force on the date (what remains after partial withdrawals).
    text: str
    articles: tuple[str, ...]
    made_on: str
    #: When it was made (the last day of its date).
    made: date
    #: Since when its text reads so (`made`, or the last partial withdrawal).
    since: date
    objections: tuple[ObjectionRow, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "reservation": str(self.reservation),
            "party": self.party,
            "name": self.name,
            "kind": self.kind,
            "text": self.text,
            "articles": list(self.articles),
            "made_on": self.made_on,
            "made": self.made.isoformat(),
            "since": self.since.isoformat(),
            "objections": [o.to_dict() for o in self.objections],
        }


#: The kinds of statement a `Reserved` makes, in the Treaty Handbook's order.
RESERVATION_KINDS = ("reservation", "declaration", "interpretative_declaration")


@dataclass(frozen=True, repr=False)
class Reservations(_Rows[ReservationRow]):
    """Reservations and declarations to a treaty in force on a date, as known at a time."""

    instrument: str
    title: str
    as_of: date
    known_at: datetime
    #: How many of each kind (`reservation`, `declaration`, `interpretative_declaration`).
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The `reservations --format json` shape."""
        return {
            "instrument": self.instrument,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "reservations": [row.to_dict() for row in self.rows],
            "counts": dict(self.counts),
        }

    def _objected(self) -> int:
        return sum(bool(r.objections) for r in self)

    def _view(self) -> View:
        counts = render.counted(self.counts)
        return View(
            title=f"{self.title} ({self.instrument}): reservations and declarations\n{self._when()}",
            header=["code", "party", "kind", "articles", "made", "objected by", "text"],
            cells=[
                [
                    r.party,
                    r.name,
                    r.kind.replace("_", " "),
                    ", ".join(r.articles),
                    r.made.isoformat(),
                    ", ".join(
                        o.party + (" (precludes)" if o.precludes_entry_into_force else "")
                        for o in r.objections
                    ),
                    r.text,
                ]
                for r in self
            ],
            footer=f"{counts or 'none'}; {self._objected()} objected to",
            title_html=(
                f"<strong>{html.escape(self.title)}</strong> ({html.escape(self.instrument)}): "
                "reservations and declarations"
            ),
            when=self._when(),
            summary_html=f"<strong>{render.plural(len(self), 'statement')}</strong>: {html.escape(counts)}",
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        header = [
            "reservation",
            "party",
            "name",
            "kind",
            "articles",
            "made_on",
            "made",
            "since",
            "objections",
            "objected_by",
            "text",
        ]
        rows: list[list[object]] = [
            [
                str(r.reservation),
                r.party,
                r.name,
                r.kind,
                ";".join(r.articles),
                r.made_on,
                r.made.isoformat(),
                r.since.isoformat(),
                len(r.objections),
                ";".join(o.party for o in r.objections),
                r.text,
            ]
            for r in self
        ]
        return header, rows

    def _columns(self) -> list[Column]:
        rows = self.rows
        return [
            Column("reservation", "text", [str(r.reservation) for r in rows]),
            Column("party", "category", [r.party for r in rows]),
            Column("name", "text", [r.name for r in rows]),
            Column("kind", "ordered", [r.kind for r in rows], RESERVATION_KINDS),
            Column("articles", "text", [",".join(r.articles) for r in rows]),
            Column("made_on", "category", [r.made_on for r in rows]),
            Column("made", "date", [r.made for r in rows]),
            Column("since", "date", [r.since for r in rows]),
            Column("objections", "int", [len(r.objections) for r in rows]),
            Column("objected_by", "text", [",".join(o.party for o in r.objections) for r in rows]),
            Column("text", "text", [r.text for r in rows]),
        ]

    def _attrs(self) -> dict[str, str]:
        return {
            "instrument": self.instrument,
            "title": self.title,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
        }

    def _about(self) -> tuple[str, str]:
        return self.instrument, "reservation or declaration"


@dataclass(frozen=True, slots=True)
class RelationRow:
    """Whether a treaty binds the query's party towards another participant on the date, and why not."""

    party: str
    name: str
    #: The other participant's status on the date.
    status: str
    bound: bool
    #: Why not, when not bound: a status, or an objection precluding entry into force.
    reason: str = ""
    uncertain: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "party": self.party,
            "name": self.name,
            "status": self.status,
            "bound": self.bound,
            "reason": self.reason,
            "uncertain": self.uncertain,
        }


@dataclass(frozen=True, repr=False)
class Relations(_Rows[RelationRow]):
    """Towards which other participants a treaty binds one party on a date (objections included)."""

    instrument: str
    title: str
    party: str
    name: str
    #: The party's own status on the date (None: it has none).
    status: str | None
    as_of: date
    known_at: datetime
    #: How many other participants it is `bound` towards, and `not bound`.
    counts: Mapping[str, int] = field(default_factory=dict)

    @cached_property
    def _by_party(self) -> dict[str, RelationRow]:
        return {row.party: row for row in self.rows}

    def _find(self, key: str) -> RelationRow | None:
        return self._by_party.get(resolve_party(key))

    def bound_towards(self) -> tuple[str, ...]:
        """The codes of the parties the treaty binds this party towards on the date."""
        return tuple(row.party for row in self if row.bound)

    def to_dict(self) -> dict[str, Any]:
        """The `relations --format json` shape."""
        return {
            "instrument": self.instrument,
            "party": self.party,
            "status": self.status,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
            "relations": [row.to_dict() for row in self.rows],
            "counts": dict(self.counts),
        }

    def _view(self) -> View:
        counts = render.counted(self.counts)
        lead = f"{self.name} ({self.party}), {self.status or 'no status'}"
        return View(
            title=f"{self.title} ({self.instrument}): {lead}\n{self._when()}",
            header=["code", "party", "status", "bound", "why not"],
            cells=[
                [r.party, r.name, _mark(r.status, r.uncertain), "yes" if r.bound else "no", r.reason]
                for r in self
            ],
            footer=f"towards {counts}",
            title_html=(
                f"<strong>{html.escape(self.title)}</strong> ({html.escape(self.instrument)}): "
                + html.escape(lead)
            ),
            when=self._when(),
            summary_html=f"<strong>towards</strong> {html.escape(counts)}",
        )

    def _csv(self) -> tuple[Sequence[str], list[list[object]]]:
        rows: list[list[object]] = [
            [r.party, r.name, r.status, str(r.bound).lower(), r.reason, str(r.uncertain).lower()]
            for r in self
        ]
        return ["party", "name", "status", "bound", "reason", "uncertain"], rows

    def _columns(self) -> list[Column]:
        rows = self.rows
        return [
            Column("party", "category", [r.party for r in rows]),
            Column("name", "text", [r.name for r in rows]),
            Column("status", "ordered", [r.status for r in rows], PARTICIPATION_STATUSES),
            Column("bound", "bool", [r.bound for r in rows]),
            Column("reason", "text", [r.reason for r in rows]),
            Column("uncertain", "bool", [r.uncertain for r in rows]),
        ]

    def _attrs(self) -> dict[str, str]:
        return {
            "instrument": self.instrument,
            "party": self.party,
            "as_of": self.as_of.isoformat(),
            "known_at": self.known_at.isoformat(),
        }

    def _about(self) -> tuple[str, str]:
        return f"{self.instrument} for {self.party}", "other participant"
