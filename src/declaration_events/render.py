"""Text, CSV and HTML renderings of a table described by its title, header and cells.

Results (`results`) describe themselves as a `View` (and their DataFrame columns as
`Column`s); this module knows nothing of results, only how to lay a table out.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "MAX_HTML_ROWS",
    "Column",
    "View",
    "aligned",
    "counted",
    "csv_text",
    "html_table",
    "plural",
    "record_html",
    "record_text",
    "text",
    "to_html",
]

#: Longest cell of a text table before it is cut with "…".
MAX_CELL = 60
#: Rows an HTML table shows before it is cut (the head and the last few rows).
MAX_HTML_ROWS = 20
_TAIL_ROWS = 5
#: The tables' own style, scoped to their `div`: Jupyter styles tables, but an HTML export, a
#: static notebook viewer or a page that embeds `_repr_html_()` otherwise shows bare cells.
#: Translucent greys, so that light and dark themes both read.
STYLE = (
    "<style>"
    ".declaration-events table{border-collapse:collapse;margin:0.4em 0;font-size:0.9em}"
    ".declaration-events th,.declaration-events td{padding:0.25em 0.7em;text-align:left;"
    "vertical-align:top;border-bottom:1px solid rgba(128,128,128,0.25)}"
    ".declaration-events thead th{border-bottom:1px solid rgba(128,128,128,0.7)}"
    ".declaration-events tbody tr:nth-child(even){background:rgba(128,128,128,0.07)}"
    ".declaration-events small{opacity:0.75}"
    "</style>"
)

#: How a DataFrame column is typed: `category`/`ordered` over `categories`, `int`/`Int64` and
#: `bool`/`boolean` (the second of each pair nullable).
ColumnKind = Literal["text", "category", "ordered", "date", "datetime", "bool", "boolean", "int", "Int64"]


@dataclass(frozen=True)
class Column:
    """One DataFrame column: its name, how it is typed, its values (and categories, if any)."""

    name: str
    kind: ColumnKind
    values: Sequence[object]
    categories: Sequence[str] | None = None


@dataclass(frozen=True)
class View:
    """What a result shows: a title, when it holds, a table and a summary."""

    title: str  # plain-text lines above the table ("" for none)
    header: Sequence[str]
    cells: Sequence[Sequence[str]]
    footer: str  # plain-text line below the table
    title_html: str  # HTML (already escaped) of the title line
    when: str  # "as of ..., known at ...", under the HTML title
    summary_html: str  # HTML (already escaped) of the counts line
    html_header: Sequence[str] | None = None  # HTML columns, when they differ from the text ones
    html_cells: Sequence[Sequence[str]] | None = None


def _cell(value: str) -> str:
    return value if len(value) <= MAX_CELL else value[: MAX_CELL - 1] + "…"


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (long cells cut with …), a rule under the header."""
    rows = [[_cell(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def plural(count: int, noun: str, nouns: str | None = None, *, thousands: bool = True) -> str:
    """`1 party`, `2 parties`, `1,000 events`: the count and the noun, plural unless the count is one."""
    if count != 1:
        if nouns is not None:
            noun = nouns
        elif noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
            noun = noun[:-1] + "ies"
        else:
            noun += "es" if noun.endswith(("s", "x", "ch", "sh")) else "s"
    return f"{count:,} {noun}" if thousands else f"{count} {noun}"


def counted(counts: Mapping[str, int], *, thousands: bool = False) -> str:
    """`status count, ...` (or "none")."""
    return ", ".join(f"{k} {v:,}" if thousands else f"{k} {v}" for k, v in counts.items()) or "none"


def text(view: View) -> str:
    """The plain-text table: title, the aligned rows, the footer."""
    top = [view.title, ""] if view.title else []
    return "\n".join([*top, aligned(view.header, view.cells), "", view.footer])


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """CSV with a header row and `\\n` line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def html_table(header: Sequence[str], rows: Sequence[Sequence[str]], max_rows: int = MAX_HTML_ROWS) -> str:
    """An HTML table, cut to its head and last rows when longer than `max_rows`."""
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


def record_text(fields: Sequence[tuple[str, str]]) -> str:
    """One record as `label  value` lines, the labels padded to the longest."""
    width = max((len(label) for label, _ in fields), default=0)
    return "\n".join(f"{label.ljust(width)}  {value}".rstrip() for label, value in fields)


def record_html(title_html: str, fields: Sequence[tuple[str, str]]) -> str:
    """One record as HTML: a title line (already escaped), then a label / value table."""
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in fields)
    table = f"<table><tbody>{rows}</tbody></table>"
    return f'<div class="declaration-events">{STYLE}<p>{title_html}</p>{table}</div>'


def to_html(view: View, max_rows: int = MAX_HTML_ROWS) -> str:
    """Compact HTML: title and times, counts, then the rows (cut when long)."""
    header = view.html_header if view.html_header is not None else view.header
    cells = view.html_cells if view.html_cells is not None else view.cells
    return (
        f'<div class="declaration-events">{STYLE}'
        f"<p>{view.title_html}<br><small>{html.escape(view.when)}</small></p>"
        f"<p>{view.summary_html}</p>"
        f"{html_table(header, cells, max_rows)}</div>"
    )


def ledger_html(
    by_type: Mapping[str, int],
    recorded: Sequence[datetime],
    instruments: Sequence[Sequence[str]],
    cases: Sequence[Sequence[str]],
    case_counts: Mapping[str, int],
) -> str:
    """A ledger's HTML: events by type and record span, then its instruments and cases."""
    events = sum(by_type.values())
    span = f", recorded {recorded[0]:%Y-%m-%d} to {recorded[-1]:%Y-%m-%d}" if recorded else ""
    parts = [
        f'<div class="declaration-events">{STYLE}',
        f"<p><strong>Ledger</strong>: {plural(events, 'event')}{span}<br>"
        f"<small>{html.escape(counted(dict(sorted(by_type.items())), thousands=True))}</small></p>",
    ]
    if instruments:
        parts.append(f"<p><strong>{plural(len(instruments), 'instrument')}</strong>, parties as of today</p>")
        parts.append(html_table(["instrument", "title", "kind", "parties"], instruments))
    if cases:
        parts.append(
            f"<p><strong>{plural(len(cases), 'case')}</strong>: "
            f"{html.escape(counted(case_counts, thousands=True))}</p>"
        )
        parts.append(html_table(["case", "person", "held by", "status today", "days"], cases))
    parts.append("</div>")
    return "".join(parts)
