"""Counts by status over time, swept from the projection's change points.

Each party of an instrument, and each detention case, is a line of change points;
a status counts from its point's `on` until the next point, or until a later
partial-dated point's period begins (the row is then uncertain, and uncertain rows
are left out of counts). `count_steps` gives the steps of a step chart (no pandas
needed); `signatory_counts` and `case_counts` sample the counts on the dates of a
pandas frequency (`ME`, `W-SUN`, `2QE`, ...), which pandas' own date offsets give
(`notebook` turns the samples into DataFrames, `plots` into charts).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeAlias

from .projections import Projection
from .rules import CASE_STATUSES, PARTICIPATION_STATUSES

if TYPE_CHECKING:
    from pandas.tseries.offsets import BaseOffset

__all__ = ["Counts", "Freq", "case_counts", "count_steps", "period_ends", "signatory_counts"]

#: A pandas frequency: an offset alias (`D`, `W`, `W-SUN`, `ME`, `MS`, `QE`, `YE`, `2ME`, `B`, ...)
#: or a `pandas.DateOffset`. `M`, `Q` and `Y` (and `A`) keep their old meaning of period ends.
Freq: TypeAlias = "str | BaseOffset"
#: The aliases pandas 2.2 renamed (`M` became `ME`), read as they were: the end of the period.
_LEGACY_ENDS = re.compile(r"(?P<n>[+-]?\d*)(?P<unit>M|Q|Y|A)(?P<anchor>-[A-Z]{3})?")
_ENDS = {"M": "ME", "Q": "QE", "Y": "YE", "A": "YE"}
_EXAMPLES = "D, W, W-SUN, ME, MS, QE, YE, 2ME"


class Point(Protocol):
    """A change point: a status from a date (`start`: where its period begins, if partial)."""

    @property
    def on(self) -> date: ...
    @property
    def start(self) -> date: ...
    @property
    def status(self) -> str | None: ...


def _deltas(lines: Iterable[Sequence[Point]]) -> list[tuple[date, str, int]]:
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
    lines: Iterable[Sequence[Point]], start: date, end: date
) -> tuple[list[date], list[Counter[str]]]:
    """Counts by status at `start` and at every change date up to `end`: the steps of a step chart."""
    deltas = _deltas(lines)
    days = sorted({start, end} | {day for day, _, _ in deltas if start < day < end})
    return days, _sweep(deltas, days)


def _offset(freq: Freq) -> BaseOffset:
    """Pandas' date offset for a frequency; a clear `ValueError` for anything else."""
    try:
        from pandas.tseries.frequencies import to_offset
        from pandas.tseries.offsets import Tick
    except ImportError:
        hint = "pip install 'declaration-events[notebook]'"
        raise ImportError(f"counts by frequency need pandas: {hint}") from None
    alias = freq
    if isinstance(freq, str) and (legacy := _LEGACY_ENDS.fullmatch(freq.strip())):
        alias = f"{legacy['n']}{_ENDS[legacy['unit']]}{legacy['anchor'] or ''}"
    try:
        offset = to_offset(alias)
    except (ValueError, TypeError):
        raise ValueError(f"freq {freq!r}: not a pandas frequency (for example {_EXAMPLES})") from None
    if offset is None or offset.n <= 0:
        raise ValueError(f"freq {freq!r}: give a positive frequency (for example {_EXAMPLES})")
    if isinstance(offset, Tick) and offset.nanos % (24 * 3600 * 10**9):
        raise ValueError(f"freq {freq!r}: statuses change once a day at most; give a day or longer")
    return offset


def period_ends(start: date, end: date, freq: Freq) -> list[date]:
    """The dates of a pandas frequency within [start, end], then `end`.

    For period-end frequencies (`D`, `W` = `W-SUN`, `ME`, `QE`, `YE`, and `M`, `Q`, `Y`
    as before pandas 2.2) that is the last day of each period meeting [start, end], the
    last period cut at `end`; for period starts (`MS`, `QS`, `YS`) the first days.
    `end` is always the last date.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    import pandas as pd

    stamps = pd.date_range(start, end, freq=_offset(freq))
    days = [stamp.date() for stamp in stamps]
    if not days or days[-1] != end:
        days.append(end)
    return days


class Counts(NamedTuple):
    """Counts by status sampled at the end of each period: one column per status that occurs."""

    samples: list[date]
    columns: list[str]
    counts: list[Counter[str]]
    #: What the counts describe (instrument, title, known_at), for the DataFrame's `attrs`.
    about: dict[str, str]


def _sampled(
    deltas: Sequence[tuple[date, str, int]], statuses: Sequence[str], start: date, end: date, freq: Freq
) -> Counts:
    samples = period_ends(start, end, freq)
    present = {status for _, status, _ in deltas}
    columns = [s for s in statuses if s in present] + sorted(present - set(statuses))
    return Counts(samples, columns, _sweep(deltas, samples), {})


def signatory_counts(
    projection: Projection,
    instrument: str,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: Freq = "D",
    known_at: datetime | None = None,
) -> Counts:
    """Parties by status at the end of each period.

    Each sample equals `signatories(instrument, as_of=sample, known_at=known_at).counts`.
    """
    history = projection.instrument_history(instrument, known_at)
    start = start or history.opened_on.first
    end = end or datetime.now(UTC).date()
    counts = _sampled(_deltas(history.parties.values()), PARTICIPATION_STATUSES, start, end, freq)
    counts.about.update(
        instrument=instrument,
        title=history.title,
        known_at=(known_at or datetime.now(UTC)).isoformat(),
    )
    return counts


def case_lines(projection: Projection, known_at: datetime | None) -> list[Sequence[Point]]:
    """The change points of every case that has any, as known at a time."""
    lines: list[Sequence[Point]] = []
    for slug in projection.entities("case"):
        history = projection.case_history(slug, known_at)
        if history is not None and history.states:
            lines.append(history.states)
    return lines


def case_counts(
    projection: Projection,
    *,
    start: date | None = None,
    end: date | None = None,
    freq: Freq = "D",
    known_at: datetime | None = None,
) -> Counts:
    """Detention cases by status at the end of each period (each sample equals `cases(...).counts`)."""
    lines = case_lines(projection, known_at)
    end = end or datetime.now(UTC).date()
    start = start or min((line[0].start for line in lines), default=end)
    counts = _sampled(_deltas(lines), CASE_STATUSES, start, end, freq)
    counts.about.update(known_at=(known_at or datetime.now(UTC)).isoformat())
    return counts
