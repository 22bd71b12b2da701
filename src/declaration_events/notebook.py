"""Notebook helpers: DataFrames, counts over time from change points, HTML and text displays.

pandas is an optional extra (`pip install declaration-events[notebook]`), imported
only inside the functions that build DataFrames. The displays (`str`, `repr`,
`_repr_html_`) and the counting sweep need nothing beyond the standard library.

Dates in DataFrames are `datetime64`; a partial valid date (`2022-10`) shows as
the first day of its period beside a `precision` column (`day`, `month`, `year`).
"""

from __future__ import annotations

import html
import importlib.util
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, get_args

from . import tables
from .events import EVENT_TYPES, Corrected, EventBase, Retracted
from .parties import party_name
from .results import Cases, Condemnations, Signatories, Timeline
from .rules import CaseStatus, ParticipationStatus

if TYPE_CHECKING:
    import pandas as pd

    from .ledger import Ledger
    from .projections import Projection

__all__ = [
    "CASE_STATUSES",
    "PARTICIPATION_STATUSES",
    "Freq",
    "cases_over_time",
    "count_steps",
    "events_frame",
    "ledger_html",
    "period_ends",
    "result_html",
    "result_repr",
    "result_text",
    "signatory_counts",
    "to_dataframe",
]

Result: TypeAlias = Signatories | Cases | Condemnations | Timeline
Freq: TypeAlias = Literal["D", "W", "M", "Y"]

#: Statuses in lifecycle order: the categories of the `status` columns.
PARTICIPATION_STATUSES: tuple[str, ...] = get_args(ParticipationStatus)
CASE_STATUSES: tuple[str, ...] = get_args(CaseStatus)
PRECISIONS = ("day", "month", "year")

#: Rows an HTML table shows before it is cut (the head and the last few rows).
MAX_HTML_ROWS = 20
_TAIL_ROWS = 5


# -- DataFrames -----------------------------------------------------------------------------


def require_extra(module: str) -> None:
    """Raise an ImportError naming the extra to install when an optional module is missing."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"this needs {module}: pip install 'declaration-events[notebook]'")


def _dates(values: Iterable[date]) -> pd.Series:
    import pandas as pd

    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[s]")


def _category(
    values: Iterable[str | None], categories: Sequence[str] | None = None, *, ordered: bool = False
) -> pd.Series:
    """A categorical over the given categories (default: the values seen, sorted)."""
    import pandas as pd

    values = list(values)
    known = list(categories) if categories is not None else sorted({v for v in values if v is not None})
    return pd.Series(pd.Categorical(values, categories=known, ordered=ordered))


def _text(values: Iterable[str | None]) -> pd.Series:
    import pandas as pd

    return pd.Series(list(values), dtype="string")


def _name(code: str | None) -> str | None:
    return party_name(code) if code else None


def signatories_frame(result: Signatories) -> pd.DataFrame:
    """One row per party: code, name, status (ordered categorical), since, uncertain."""
    require_extra("pandas")
    import pandas as pd

    frame = pd.DataFrame(
        {
            "party": _category(r.party for r in result),
            "name": _text(r.name for r in result),
            "status": _category((r.status for r in result), PARTICIPATION_STATUSES, ordered=True),
            "since": _dates(r.since for r in result),
            "uncertain": pd.Series([r.uncertain for r in result], dtype="bool"),
            "event_id": _text(str(r.event_id) for r in result),
        }
    )
    frame.attrs.update(
        instrument=result.instrument,
        title=result.title,
        kind=result.kind,
        as_of=result.as_of.isoformat(),
        known_at=result.known_at.isoformat(),
    )
    return frame


def cases_frame(result: Cases) -> pd.DataFrame:
    """One row per case; lists joined (`;` for charges, `,` for codes); names beside codes."""
    require_extra("pandas")
    import pandas as pd

    rows = result.rows
    frame = pd.DataFrame(
        {
            "case": _text(r.case for r in rows),
            "person": _text(r.person for r in rows),
            "nationalities": _text(",".join(r.nationalities) for r in rows),
            "nationality_names": _text(", ".join(map(party_name, r.nationalities)) for r in rows),
            "detaining_state": _category(r.detaining_state for r in rows),
            "detaining_state_name": _text(party_name(r.detaining_state) for r in rows),
            "requested_by": _category(r.requested_by for r in rows),
            "requested_by_name": _text(_name(r.requested_by) for r in rows),
            "location": _text(r.location for r in rows),
            "status": _category((r.status for r in rows), CASE_STATUSES, ordered=True),
            "since": _dates(r.since for r in rows),
            "days_detained": pd.Series([r.days_detained for r in rows], dtype="int64"),
            "charges": _text("; ".join(r.charges) for r in rows),
            "sentence": _text(r.sentence for r in rows),
            "term_days": pd.Series([r.term_days for r in rows], dtype="Int64"),
            "linked_cases": _text(",".join(r.linked_cases) for r in rows),
            "uncertain": pd.Series([r.uncertain for r in rows], dtype="bool"),
            "event_id": _text(str(r.event_id) for r in rows),
        }
    )
    frame.attrs.update(as_of=result.as_of.isoformat(), known_at=result.known_at.isoformat())
    return frame


def condemnations_frame(result: Condemnations) -> pd.DataFrame:
    """One row per condemnation, as believed at the query's record time."""
    require_extra("pandas")
    import pandas as pd

    rows = result.rows
    frame = pd.DataFrame(
        {
            "on": _dates(r.event.occurred_on.first for r in rows),
            "precision": _category((r.event.occurred_on.precision for r in rows), PRECISIONS, ordered=True),
            "actor": _category(r.actor for r in rows),
            "actor_name": _text(party_name(r.actor) for r in rows),
            "target": _category(r.target for r in rows),
            "target_name": _text(_name(r.target) for r in rows),
            "speaker": _text(r.speaker for r in rows),
            "subject": _text(r.subject for r in rows),
            "quote": _text(r.quote for r in rows),
            "instrument": _text(r.instrument for r in rows),
            "case": _text(r.case for r in rows),
            "sources": pd.Series([len(r.event.sources) for r in rows], dtype="int64"),
            "uncertain": pd.Series([r.uncertain for r in rows], dtype="bool"),
            "event_id": _text(str(r.event.id) for r in rows),
        }
    )
    frame.attrs.update(as_of=result.as_of.isoformat(), known_at=result.known_at.isoformat())
    return frame


def timeline_frame(result: Timeline) -> pd.DataFrame:
    """One row per fact about the party, oldest first."""
    require_extra("pandas")
    import pandas as pd

    rows = result.rows
    frame = pd.DataFrame(
        {
            "on": _dates(r.event.occurred_on.first for r in rows),
            "precision": _category((r.event.occurred_on.precision for r in rows), PRECISIONS, ordered=True),
            "type": _category((r.type for r in rows), list(EVENT_TYPES)),
            "entity": _category(r.entity for r in rows),
            "summary": _text(r.summary for r in rows),
            "event_id": _text(str(r.event.id) for r in rows),
        }
    )
    frame.attrs.update(party=result.party, name=result.name, known_at=result.known_at.isoformat())
    return frame


def _result(value: object) -> Result:
    if isinstance(value, Signatories | Cases | Condemnations | Timeline):
        return value
    raise TypeError(f"expected a query result, got {type(value).__name__}")


def to_dataframe(result: object) -> pd.DataFrame:
    """The result as a pandas DataFrame (the `.to_dataframe()` of every result)."""
    result = _result(result)
    if isinstance(result, Signatories):
        return signatories_frame(result)
    if isinstance(result, Cases):
        return cases_frame(result)
    if isinstance(result, Condemnations):
        return condemnations_frame(result)
    return timeline_frame(result)


def _acting_party(event: EventBase) -> str | None:
    """The party that acts in the event: signer, speaker, detaining state, initiator."""
    for field in ("party", "actor", "detaining_state", "initiator"):
        value = getattr(event, field, None)
        if isinstance(value, str):
            return value
    return None


def events_frame(
    events: Iterable[EventBase], entity_of: Callable[[Any], str | None] | None = None
) -> pd.DataFrame:
    """Every event as recorded, one row each, with its CAMEO code and PLOVER category.

    `entity_of` maps an event id to its entity; amendments need it to name theirs.
    """
    require_extra("pandas")
    import pandas as pd

    events = list(events)
    lookup = entity_of or (lambda _id: None)
    entities = [
        (lookup(e.id) if isinstance(e, Corrected | Retracted) else None) or e.entity() for e in events
    ]
    parties = [_acting_party(e) for e in events]
    targets = [str(e.target) if isinstance(e, Corrected | Retracted) else None for e in events]
    return pd.DataFrame(
        {
            "id": _text(str(e.id) for e in events),
            "type": _category((e.type for e in events), list(EVENT_TYPES)),
            "occurred_on": _dates(e.occurred_on.first for e in events),
            "precision": _category((e.occurred_on.precision for e in events), PRECISIONS, ordered=True),
            "recorded_at": pd.Series([e.recorded_at for e in events], dtype="datetime64[us, UTC]"),
            "entity": _category(entities),
            "party": _category(parties),
            "party_name": _text(map(_name, parties)),
            "cameo": _text(e.cameo for e in events),
            "plover": _category(e.plover for e in events),
            "plover_mode": _category(e.plover_mode for e in events),
            "sources": pd.Series([len(e.sources) for e in events], dtype="int64"),
            "target": _text(targets),
        }
    )


# -- counts over time, from change points ---------------------------------------------------


class _Point(Protocol):
    @property
    def on(self) -> date: ...
    @property
    def start(self) -> date: ...
    @property
    def status(self) -> str | None: ...


def _deltas(lines: Iterable[Sequence[_Point]]) -> list[tuple[date, str, int]]:
    """+1/-1 per status where each change point starts and stops being counted.

    A point counts from its `on` until the next point's `on`, or until a later
    partial-dated point's period begins (the row is then uncertain, and the
    projections leave uncertain rows out of counts), whichever comes first.
    """
    deltas: list[tuple[date, str, int]] = []
    for points in lines:
        next_on = later_start = date.max
        for point in reversed(points):
            stop = min(next_on, later_start)
            if point.status is not None and point.on < stop:
                deltas.append((point.on, point.status, 1))
                if stop != date.max:
                    deltas.append((stop, point.status, -1))
            next_on = point.on
            later_start = min(later_start, point.start)
    deltas.sort(key=lambda delta: delta[0])
    return deltas


def _sweep(deltas: Sequence[tuple[date, str, int]], samples: Iterable[date]) -> list[Counter[str]]:
    """Counts by status on each (ascending) sample date, in one pass over the deltas."""
    counts: Counter[str] = Counter()
    out: list[Counter[str]] = []
    index = 0
    for day in samples:
        while index < len(deltas) and deltas[index][0] <= day:
            _, status, step = deltas[index]
            counts[status] += step
            index += 1
        out.append(+counts)
    return out


def count_steps(
    lines: Iterable[Sequence[_Point]], start: date, end: date
) -> tuple[list[date], list[Counter[str]]]:
    """Counts by status at `start` and at every change date up to `end`: the steps of a step chart."""
    deltas = _deltas(lines)
    days = sorted({start, end} | {day for day, _, _ in deltas if start < day < end})
    return days, _sweep(deltas, days)


def period_ends(start: date, end: date, freq: Freq) -> list[date]:
    """The last day of each period (`D`ay, `W`eek to Sunday, `M`onth, `Y`ear) meeting [start, end].

    The last period is cut at `end`, so `end` is always the last date.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if freq not in get_args(Freq):
        raise ValueError(f"freq {freq!r}: expected one of {', '.join(get_args(Freq))}")
    days: list[date] = []
    day = start
    while day < end:
        if freq == "D":
            last = day
        elif freq == "W":
            last = day + timedelta(days=6 - day.weekday())
        elif freq == "M":
            following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
            last = following - timedelta(days=1)
        else:
            last = date(day.year, 12, 31)
        if last >= end:
            break
        days.append(last)
        day = last + timedelta(days=1)
    days.append(end)
    return days


def _counts_frame(
    deltas: Sequence[tuple[date, str, int]],
    statuses: Sequence[str],
    start: date,
    end: date,
    freq: Freq,
) -> pd.DataFrame:
    require_extra("pandas")
    import pandas as pd

    samples = period_ends(start, end, freq)
    counts = _sweep(deltas, samples)
    present = {status for _, status, _ in deltas}
    columns = [s for s in statuses if s in present] + sorted(present - set(statuses))
    index = pd.DatetimeIndex(pd.to_datetime(samples), name="date").astype("datetime64[s]")
    frame = pd.DataFrame(
        {status: [c[status] for c in counts] for status in columns}, index=index, dtype="int64"
    )
    frame.columns.name = "status"
    return frame


def signatory_counts(
    projection: Projection,
    instrument: str,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: Freq = "D",
    known_at: datetime | None = None,
) -> pd.DataFrame:
    """Parties by status at the end of each period: one column per status that occurs.

    Each row equals `signatories(instrument, as_of=row date, known_at=known_at).counts`.
    """
    history = projection.instrument_history(instrument, known_at)
    start = start or history.opened_on.first
    end = end or datetime.now(UTC).date()
    frame = _counts_frame(_deltas(history.parties.values()), PARTICIPATION_STATUSES, start, end, freq)
    frame.attrs.update(
        instrument=instrument,
        title=history.title,
        known_at=(known_at or datetime.now(UTC)).isoformat(),
    )
    return frame


def _case_lines(projection: Projection, known_at: datetime | None) -> list[Sequence[_Point]]:
    lines: list[Sequence[_Point]] = []
    for slug in projection.entities("case"):
        history = projection.case_history(slug, known_at)
        if history is not None and history.states:
            lines.append(history.states)
    return lines


def cases_over_time(
    projection: Projection,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: Freq = "D",
    known_at: datetime | None = None,
) -> pd.DataFrame:
    """Detention cases by status at the end of each period (each row equals `cases(...).counts`)."""
    lines = _case_lines(projection, known_at)
    end = end or datetime.now(UTC).date()
    start = start or min((line[0].start for line in lines), default=end)
    frame = _counts_frame(_deltas(lines), CASE_STATUSES, start, end, freq)
    frame.attrs.update(known_at=(known_at or datetime.now(UTC)).isoformat())
    return frame


# -- text and HTML displays -----------------------------------------------------------------


def result_text(result: object) -> str:
    """The plain-text table of a result (the same as the CLI prints)."""
    result = _result(result)
    if isinstance(result, Signatories):
        return tables.signatories_table(result)
    if isinstance(result, Cases):
        return tables.cases_table(result)
    if isinstance(result, Condemnations):
        return tables.condemnations_table(result)
    return tables.timeline_table(result)


def _counted(counts: Mapping[str, int], label: Callable[[str], str] = str) -> str:
    return ", ".join(f"{label(key)} {count:,}" for key, count in counts.items()) or "none"


def _when(result: Result) -> str:
    known = f"known at {result.known_at.isoformat(timespec='seconds')}"
    return known if isinstance(result, Timeline) else f"as of {result.as_of.isoformat()}, {known}"


def result_repr(result: object) -> str:
    """A one-line summary: what, when, how many."""
    result = _result(result)
    if isinstance(result, Signatories):
        what, noun = result.instrument, "parties"
    elif isinstance(result, Cases):
        what, noun = "detention cases", "cases"
    elif isinstance(result, Condemnations):
        what, noun = "condemnations", "condemnations"
    else:
        what, noun = f"{result.name} ({result.party})", "facts"
    counts = _counted(result.counts)
    if isinstance(result, Signatories | Cases) and any(row.uncertain for row in result):
        counts += f"; {sum(row.uncertain for row in result)} uncertain, not counted"
    return f"<{type(result).__name__} {what}, {_when(result)}: {len(result):,} {noun} ({counts})>"


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], max_rows: int) -> str:
    shown: list[Sequence[str] | None] = list(rows)
    if len(rows) > max_rows:
        head = max(max_rows - _TAIL_ROWS, 1)
        shown = [*rows[:head], None, *rows[len(rows) - (max_rows - head) :]]
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in shown:
        if row is None:
            body.append(f'<tr><td colspan="{len(header)}" style="text-align:center">…</td></tr>')
        else:
            body.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>")
    table = f"<table><thead><tr>{cells}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    if len(rows) > max_rows:
        table += (
            f"<p><small>{len(rows):,} rows, {max_rows} shown; "
            "<code>.to_dataframe()</code> has them all.</small></p>"
        )
    return table


def _columns(result: Result) -> tuple[str, list[str], list[list[str]]]:
    """Title line, header and cells of a result's HTML table."""
    if isinstance(result, Signatories):
        rows = [
            [r.party, r.name, r.status + (" ?" if r.uncertain else ""), r.since.isoformat()] for r in result
        ]
        title = (
            f"<strong>{html.escape(result.title)}</strong> ({html.escape(result.instrument)}, {result.kind})"
        )
        return title, ["code", "party", "status", "since"], rows
    if isinstance(result, Cases):
        rows = [
            [
                r.case,
                r.person,
                ", ".join(map(party_name, r.nationalities)),
                party_name(r.detaining_state),
                r.status + (" ?" if r.uncertain else ""),
                r.since.isoformat(),
                f"{r.days_detained:,}",
                "; ".join(r.charges),
                r.sentence or "",
            ]
            for r in result
        ]
        header = [
            "case",
            "person",
            "nationality",
            "held by",
            "status",
            "since",
            "days",
            "charges",
            "sentence",
        ]
        return "<strong>Detention cases</strong>", header, rows
    if isinstance(result, Condemnations):
        rows = [
            [r.on, party_name(r.actor), r.speaker or "", _name(r.target) or "", r.subject, r.quote or ""]
            for r in result
        ]
        header = ["on", "actor", "speaker", "target", "subject", "quote"]
        return "<strong>Condemnations</strong>", header, rows
    rows = [[r.on, r.type, r.entity, r.summary] for r in result]
    title = f"<strong>{html.escape(result.name)}</strong> ({html.escape(result.party)})"
    return title, ["on", "type", "entity", "fact"], rows


def _summary(result: Result) -> str:
    if isinstance(result, Signatories | Cases):
        uncertain = sum(r.uncertain for r in result)
        noun = "parties" if isinstance(result, Signatories) else "cases"
        line = f"<strong>{len(result) - uncertain:,} {noun}</strong>: {html.escape(_counted(result.counts))}"
        if uncertain:
            line += f" <em>(+{uncertain} uncertain, marked ?, not counted)</em>"
        return line
    if isinstance(result, Condemnations):
        by = html.escape(_counted(result.counts, party_name))
        return f"<strong>{len(result):,} condemnations</strong>: by {by}"
    return f"<strong>{len(result):,} facts</strong>: {html.escape(_counted(result.counts))}"


def result_html(result: object, max_rows: int = MAX_HTML_ROWS) -> str:
    """Compact HTML: title and times, counts, then the rows (cut when long)."""
    result = _result(result)
    title, header, rows = _columns(result)
    return (
        '<div class="declaration-events">'
        f"<p>{title}<br><small>{html.escape(_when(result))}</small></p>"
        f"<p>{_summary(result)}</p>"
        f"{_html_table(header, rows, max_rows)}</div>"
    )


def ledger_html(ledger: Ledger, max_rows: int = MAX_HTML_ROWS) -> str:
    """Compact HTML of a ledger: event counts, then its instruments and cases as of today."""
    events = list(ledger.events())
    recorded = sorted(e.recorded_at for e in events if e.recorded_at is not None)
    span = f", recorded {recorded[0]:%Y-%m-%d} to {recorded[-1]:%Y-%m-%d}" if recorded else ""
    by_type = Counter(e.type for e in events)
    parts = [
        '<div class="declaration-events">',
        f"<p><strong>Ledger</strong>: {len(events):,} events{span}<br>"
        f"<small>{html.escape(_counted(dict(sorted(by_type.items()))))}</small></p>",
    ]
    instruments = []
    for slug in ledger.instruments():
        result = ledger.signatories(slug)
        instruments.append([slug, result.title, result.kind, _counted(result.counts)])
    if instruments:
        parts.append(f"<p><strong>{len(instruments)} instruments</strong>, parties as of today</p>")
        parts.append(_html_table(["instrument", "title", "kind", "parties"], instruments, max_rows))
    cases = ledger.cases()
    if len(cases):
        rows = [
            [r.case, r.person, party_name(r.detaining_state), r.status, f"{r.days_detained:,}"] for r in cases
        ]
        parts.append(f"<p><strong>{len(cases)} cases</strong>: {html.escape(_counted(cases.counts))}</p>")
        parts.append(_html_table(["case", "person", "held by", "status today", "days"], rows, max_rows))
    parts.append("</div>")
    return "".join(parts)
