"""Charts of a ledger with matplotlib (an optional extra, imported when a chart is drawn).

Each function draws on `ax` when given, else on a new figure, and returns the
Figure. Counts come from the projections' change points, so a step chart is
exact to the day without sampling.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, overload

from .counts import count_steps
from .dates import DateLike, query_date, query_time, today
from .notebook import require_extra
from .parties import party_name
from .render import plural
from .rules import CASE_STATUSES, DEPRIVED, PARTICIPATION_STATUSES, CaseState

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .ledger import Ledger
    from .projections import Projection

__all__ = [
    "CASE_STATUS_COLOURS",
    "IMAGE_FORMATS",
    "STATUS_COLOURS",
    "plot_cases",
    "plot_signatories",
    "save_figure",
]

#: File formats `save_figure` and the `plot` command write.
IMAGE_FORMATS = ("png", "svg", "pdf")

#: Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STATUS_COLOURS = {
    "signed": "#56B4E9",
    "endorsed": "#0072B2",
    "ratified": "#E69F00",
    "party": "#009E73",
    "suspended": "#F0E442",
    "withdrawing": "#CC79A7",
    "withdrawn": "#D55E00",
    "terminated": "#000000",
}
LINESTYLES = ("-", "--", "-.", ":")
MUTED = "0.35"
FONT_SMALL = 8.5
#: Labels sit on a white ground above the dashed milestone lines and the grid, which never strike them.
LABEL_GROUND = {"boxstyle": "square,pad=0.12", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}
LINE_Z, LABEL_Z = 1.5, 4


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _x(day: date) -> float:
    """Matplotlib's number for a date (its typed API takes numbers, not dates)."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(day))  # type: ignore[no-untyped-call]  # matplotlib.dates is untyped


def _figure(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether the figure is ours to lay out."""
    require_extra("matplotlib")
    from matplotlib.figure import Figure

    if ax is not None:
        figure = ax.figure
        return (figure if isinstance(figure, Figure) else figure.figure), ax, False
    import matplotlib.pyplot as plt

    fig, new_ax = plt.subplots(figsize=size, layout="constrained")
    return fig, new_ax, True


def _titles(ax: Axes, title: str, subtitle: str) -> None:
    lines = textwrap.wrap(title, 70)
    ax.set_title("\n".join(lines), loc="left", fontsize=13, fontweight="bold", pad=20)
    ax.annotate(
        subtitle,
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 6),
        textcoords="offset points",
        fontsize=9,
        color=MUTED,
        va="bottom",
    )


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    ax.xaxis_date()
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlabel("date")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _legend(fig: Figure, ax: Axes, own: bool) -> None:
    """Below the axes on our own figure (as many columns as fit), else inside the axes."""
    handles, labels = ax.get_legend_handles_labels()
    if not own:
        ax.legend(handles, labels, loc="best", fontsize=8)
        return
    longest = max(map(len, labels), default=0)
    columns = max(1, min(3 if longest < 36 else 2 if longest < 56 else 1, len(labels)))
    fig.legend(handles, labels, loc="outside lower center", ncols=columns, frameon=False, fontsize=9)


def _short(title: str, slug: str) -> str:
    """A short name for labels: the title up to ' in ', or the slug in words if that is long."""
    short = title.split(" in ")[0]
    return short if len(short) <= 40 else slug.replace("-", " ").capitalize()


def _size_points(fig: Figure, ax: Axes) -> tuple[float, float]:
    """Approximate width and height of the axes in points (before layout)."""
    box = ax.get_position()
    return box.width * fig.get_figwidth() * 72, box.height * fig.get_figheight() * 72


def _mark(fig: Figure, ax: Axes, milestones: Iterable[tuple[date, str]], lo: date, hi: date) -> float:
    """Dashed lines with labels along the top edge; return the height (points) the labels need.

    A label runs right of its line, or left when it would leave the axes; a label
    that would overlap one already placed drops to the next free row.
    """
    width, _ = _size_points(fig, ax)
    span = max((hi - lo).days, 1)
    shown = sorted((day, text) for day, text in milestones if lo <= day <= hi)
    line_height = max((text.count("\n") + 1 for _, text in shown), default=0) * 11 + 5
    rows: list[list[tuple[float, float]]] = []
    for day, text in shown:
        at = (day - lo).days / span
        extent = max(map(len, text.split("\n"))) * FONT_SMALL * 0.56 / width + 0.015
        right = at + extent > 1
        left_edge, right_edge = (at - extent, at) if right else (at, at + extent)
        row = 0
        while row < len(rows) and any(a < right_edge and left_edge < b for a, b in rows[row]):
            row += 1
        if row == len(rows):
            rows.append([])
        rows[row].append((left_edge, right_edge))
        ax.axvline(
            _x(day), color=MUTED, linewidth=0.8, linestyle=(0, (4, 3)), zorder=LINE_Z, gid="milestone-line"
        )
        ax.annotate(
            text,
            xy=(_x(day), 1),
            xycoords=("data", "axes fraction"),
            xytext=(-4 if right else 4, -4 - line_height * row),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top",
            fontsize=FONT_SMALL,
            color="0.2",
            gid="milestone",
            bbox=LABEL_GROUND,
            zorder=LABEL_Z,
        )
    return line_height * len(rows) + 6 if rows else 0


# -- signatories ------------------------------------------------------------------------------


def plot_signatories(
    ledger: Ledger,
    instruments: str | Sequence[str],
    *,
    start: DateLike | None = None,
    end: DateLike | None = None,
    known_at: DateLike | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Step chart of parties by status over time: one line per status (and instrument).

    Milestones (opening, entry into force) are dashed lines with labels. Counts leave
    out rows made uncertain by partial dates, as `signatories()` does.
    """
    require_extra("matplotlib")
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    slugs = [instruments] if isinstance(instruments, str) else list(instruments)
    if not slugs:
        raise ValueError("give at least one instrument")
    known = query_time(known_at, "known_at")
    ledger.catch_up()
    histories = [ledger.projection.instrument_history(slug, known) for slug in slugs]
    hi = query_date(end, "end") or today()
    opened = min(h.opened_on.first for h in histories)
    lead = timedelta(days=max(30, (hi - opened).days // 25))
    lo = query_date(start, "start") or opened - lead
    fig, ax, own = _figure(ax, (10, 5.6))
    several = len(histories) > 1
    top, milestones = 1, []
    for index, history in enumerate(histories):
        name = _short(history.title, history.slug)
        days, counts = count_steps(history.parties.values(), lo, hi)
        for status in PARTICIPATION_STATUSES:
            values = [c[status] for c in counts]
            if not any(values):
                continue  # a status nobody had in the period: no line, no legend entry
            top = max(top, *values)
            now = (
                f"{values[-1]:,} on {_day(hi)}"
                if values[-1]
                else f"none on {_day(hi)}, {max(values):,} at most"
            )
            ax.step(
                [_x(d) for d in days],
                values,
                where="post",
                color=STATUS_COLOURS[status],
                linestyle=LINESTYLES[index % len(LINESTYLES)],
                linewidth=2,
                label=f"{name + ': ' if several else ''}{status}, {now}",
            )
        milestones += [
            (day, f"{name + ' ' if several else ''}{what} {_day(day)}") for day, what, _ in history.milestones
        ]
    headroom = _mark(fig, ax, milestones, lo, hi)
    _, height = _size_points(fig, ax)
    ax.set_xlim(_x(lo), _x(hi))
    ax.set_ylim(0, max(top * 1.1, top / max(1 - 1.3 * (headroom + 8) / height, 0.3)))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_ylabel("parties (states and organisations)")
    ax.grid(axis="y", color="0.9", linewidth=0.8)
    _date_axis(ax)
    title = "Parties by status" if several else histories[0].title
    when = f"on {_day(known.date())}" if known else "now"
    period = f"{_day(lo)} to {_day(hi)} · as known {when}"
    _titles(ax, title, period if several else f"Parties by status, {period}")
    _legend(fig, ax, own)
    return fig


# -- detention cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    marker: str
    size: float  # points
    face: str
    edge: str
    width: float

    def line(self) -> dict[str, Any]:
        """Keyword arguments of a marker-only `Line2D`."""
        return {
            "linestyle": "none",
            "marker": self.marker,
            "markersize": self.size,
            "markerfacecolor": self.face,
            "markeredgecolor": self.edge,
            "markeredgewidth": self.width,
        }


#: Events marked on a case's bar: where charges, a sentence and each outcome first appear.
#: What each marker's legend entry says: the event, not the status a bar of that name shows.
MARKER_LABELS = {
    "charged": "charge",
    "sentenced": "sentence",
    "released": "release",
    "escaped": "escape",
    "died": "death",
}
MARKERS = {
    "charged": _Style("D", 6, "white", "black", 1.2),
    "sentenced": _Style("X", 9, "black", "white", 0.8),
    "released": _Style("|", 16, "black", "black", 2.5),
    "escaped": _Style(">", 8, "white", "black", 1.2),
    "died": _Style("$\\dagger$", 13, "black", "black", 0.6),
}

#: The colour of each case status a bar shows (custody in blues, deeper as proceedings go further;
#: restrictions in warm colours; at large in greys; missing in black, hatched). Free, escaped and
#: dead people have no bar: markers show when they were released, escaped or died.
CASE_STATUS_COLOURS = {
    "detained": "#9ECAE1",
    "charged": "#4292C6",
    "sentenced": "#08519C",
    "house_arrest": "#D55E00",
    "furlough": "#E69F00",
    "on_bail": "#DDCC77",
    "exit_ban": "#CC79A7",
    "travel_ban": "#E7B8D5",
    "charged_at_large": "#BBBBBB",
    "sentenced_in_absentia": "#777777",
    "missing": "#000000",
}
#: How tall each kind of bar is (custody and house arrest, deprivation of liberty, are full height).
_HEIGHTS = {**dict.fromkeys(DEPRIVED, 0.46), "missing": 0.46, "charged_at_large": 0.14}
_HEIGHTS["sentenced_in_absentia"] = 0.14
_RESTRICTED_HEIGHT = 0.3
#: Longest note on one line; a longer one breaks after the day counts.
NOTE_WIDTH = 75
_NOTE_LABELS = {
    "house_arrest": "under house arrest",
    "furlough": "on furlough",
    "on_bail": "on bail",
    "exit_ban": "under an exit ban",
    "travel_ban": "under a travel ban",
}


def _segments(states: Sequence[CaseState], as_of: date) -> list[tuple[str, date, date]]:
    """Periods by status (only statuses a bar shows), merged, cut at `as_of`."""
    out: list[tuple[str, date, date]] = []
    for state, following in zip(states, [*states[1:], None], strict=True):
        stop = min(following.on, as_of) if following else as_of
        if state.status not in CASE_STATUS_COLOURS or stop <= state.on:
            continue
        if out and out[-1][0] == state.status and out[-1][2] == state.on:
            out[-1] = (state.status, out[-1][1], stop)
        else:
            out.append((state.status, state.on, stop))
    return out


def _markers(states: Sequence[CaseState]) -> list[tuple[str, date]]:
    """Where charges, a sentence and each outcome (release, escape, death) first appear."""
    found = [("charged", states[0].on)] if states[0].charges else []
    for before, state in pairwise(states):
        if len(state.charges) > len(before.charges):
            found.append(("charged", state.on))
        if state.sentence and state.sentence != before.sentence:
            found.append(("sentenced", state.on))
        if state.status in ("released", "escaped", "died") and before.status != state.status:
            found.append((state.status, state.on))
    return found


def _case_note(states: Sequence[CaseState], as_of: date, segments: Sequence[tuple[str, date, date]]) -> str:
    """Days in custody and under each restriction, then the sentence and the outcome (two lines if long)."""
    last = states[-1]
    days = f"{plural(last.days_detained(as_of), 'day')} in custody"
    for status, label in _NOTE_LABELS.items():
        spent = sum((stop - begin).days for kind, begin, stop in segments if kind == status)
        if spent:
            days += f", {spent:,} {label}"
    rest = [f"sentenced to {last.sentence}"] if last.sentence else []
    if last.status == "died":
        rest.append(f"died{' in custody' if last.died_in_custody else ''} {_day(last.since)}")
    elif last.status in ("released", "escaped"):
        rest.append(f"{last.status} {_day(last.since)}")
    elif last.status == "missing":
        rest.append(f"missing since {_day(last.since)}")
    elif not (last.status == "sentenced" and last.sentence):  # "sentenced to X · sentenced" says it twice
        rest.append(last.status.replace("_", " "))
    note = " · ".join([days, *rest])
    return note if len(note) <= NOTE_WIDTH else days + "\n" + " · ".join(rest)


def _label(projection: Projection, states: Sequence[CaseState], known: datetime | None, day: date) -> str:
    last = states[-1]
    nationals = ", ".join(map(party_name, last.nationalities))
    if last.detained_by is not None:
        return f"{last.person}\nof {nationals}, held by {projection.name_of(last.detained_by, known, day)}"
    charged_by = f", charged by {party_name(last.charging_state)}" if last.charging_state else ""
    return f"{last.person}\nof {nationals}{charged_by}"


def plot_cases(
    ledger: Ledger,
    *,
    as_of: DateLike | None = None,
    known_at: DateLike | None = None,
    instruments: Sequence[str] = (),
    ax: Axes | None = None,
) -> Figure:
    """Timeline of detention cases: one bar per case, coloured by status.

    Custody and house arrest are full-height bars, other restrictions thinner ones, time
    charged or sentenced while at large a thin grey line, time missing a hatched bar;
    markers show charges, sentences, release, escape and death; `instruments` adds those
    instruments' milestones as dashed lines. The legend names every status and marker shown.
    """
    require_extra("matplotlib")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    day = query_date(as_of, "as_of") or today()
    known = query_time(known_at, "known_at")
    ledger.catch_up()
    projection = ledger.projection
    bars: list[tuple[str, tuple[CaseState, ...]]] = []
    for slug in projection.entities("case"):
        history = projection.case_history(slug, known)
        states = tuple(s for s in history.states if s.on <= day) if history else ()
        if states:
            bars.append((slug, states))
    bars.sort(key=lambda bar: (bar[1][0].on, bar[0]))
    fig, ax, own = _figure(ax, (10, 2.2 + 1.0 * max(len(bars), 1) + (0.5 if instruments else 0)))
    milestones = []
    for slug in instruments:
        instrument = projection.instrument_history(slug, known)
        name = _short(instrument.title, slug)
        milestones += [
            (on, f"{name}\n{what} {_day(on)}") for on, what, _ in instrument.milestones if on <= day
        ]
    segments_of = {slug: _segments(states, day) for slug, states in bars}
    markers_of = {slug: _markers(states) for slug, states in bars}
    # The axis ends where the story does: at `as_of` while a case is open, else at its last event
    # (or the last milestone asked for), not years of empty axis later.
    lo = min((states[0].on for _, states in bars), default=day)
    hi = max(
        [
            lo,
            *(stop for segments in segments_of.values() for _, _, stop in segments),
            *(on for markers in markers_of.values() for _, on in markers),
            *(on for on, _ in milestones),
        ]
    )
    margin = timedelta(days=max((hi - lo).days, 30) // 30)
    middle = lo + (hi - lo) / 2
    labels: list[str] = []
    shown: set[str] = set()  # what the legend explains: only what is on the chart
    for row, (slug, states) in enumerate(bars):
        segments = segments_of[slug]
        for status, begin, stop in segments:
            shown.add(status)
            colour = CASE_STATUS_COLOURS[status]
            missing = status == "missing"
            ax.barh(
                row, (stop - begin).days or 1, left=_x(begin),
                height=_HEIGHTS.get(status, _RESTRICTED_HEIGHT),
                color="0.92" if missing else colour, hatch="xx" if missing else None,
                edgecolor=colour, linewidth=0, zorder=2, gid=f"{slug}:{status}",
            )  # fmt: skip
        for kind, on in markers_of[slug]:
            shown.add(kind)
            ax.plot([_x(on)], [row], zorder=3, gid=f"{slug}:{kind}", **MARKERS[kind].line())
        # A note runs right from the bar's start, or, for a bar starting late, left from its end.
        late = states[0].on > middle
        end = max([stop for _, _, stop in segments] + [state.on for state in states])
        note = ax.annotate(
            _case_note(states, day, segments), xy=(_x(end if late else states[0].on), row - 0.25),
            xytext=(0, 2), textcoords="offset points", fontsize=FONT_SMALL, color="0.2", va="bottom",
            ha="right" if late else "left", gid="days", bbox=LABEL_GROUND, zorder=LABEL_Z,
        )  # fmt: skip
        note.set_in_layout(False)  # notes may run past the axes; they must not shrink them
        labels.append(_label(projection, states, known, day))
    ax.set_xlim(_x(lo - margin), _x(hi + margin))
    headroom = _mark(fig, ax, milestones, lo - margin, hi + margin)
    _, height = _size_points(fig, ax)
    units = (len(bars) + (0.05 if headroom else 0.3)) / max(1 - headroom / height, 0.3)
    ax.set_ylim(len(bars) - 0.45, len(bars) - 0.45 - units)
    ax.set_yticks(range(len(bars)), labels, fontsize=9)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.grid(axis="x", color="0.9", linewidth=0.8)
    ax.set_axisbelow(True)
    _date_axis(ax)
    when = f"on {_day(known.date())}" if known else "now"
    _titles(ax, "Detention cases: custody, restrictions and outcomes", f"as of {_day(day)} · as known {when}")
    handles: list[Artist] = [
        Patch(facecolor="0.92", edgecolor="black", hatch="xx", linewidth=0, label="missing")
        if status == "missing"
        else Patch(color=CASE_STATUS_COLOURS[status], label=status.replace("_", " "))
        for status in CASE_STATUSES
        if status in shown and status in CASE_STATUS_COLOURS
    ]
    handles += [
        Line2D([], [], label=MARKER_LABELS[kind], **style.line())
        for kind, style in MARKERS.items()
        if kind in shown
    ]
    if own:
        columns = min(len(handles), 6) or 1
        fig.legend(handles=handles, loc="outside lower center", ncols=columns, frameon=False, fontsize=9)
    else:
        ax.legend(handles=handles, loc="best", fontsize=8)
    return fig


@overload
def save_figure(
    fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150, format: str | None = None
) -> Path: ...
@overload
def save_figure(fig: Figure, path: IO[bytes], *, dpi: int = 150, format: str | None = None) -> None: ...
def save_figure(
    fig: Figure, path: str | os.PathLike[str] | IO[bytes], *, dpi: int = 150, format: str | None = None
) -> Path | None:
    """Write a figure and close it: to a file (format from its extension: png, svg, pdf, unless
    `format` says) or to a binary stream (`format`, png by default). Return the file's path."""
    import matplotlib.pyplot as plt

    target = path if not isinstance(path, str | os.PathLike) else Path(path)
    if not isinstance(target, Path):
        format = format or "png"
    fig.savefig(target, dpi=dpi, bbox_inches="tight", pad_inches=0.2, format=format)
    plt.close(fig)
    return target if isinstance(target, Path) else None
