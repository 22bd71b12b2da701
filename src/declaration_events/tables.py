"""Plain-text and CSV renderings of query results, for terminals and scripts."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from .parties import party_name
from .results import Cases, Condemnations, Signatories, Timeline

__all__ = ["aligned", "cases_csv", "cases_table", "signatories_csv", "signatories_table", "timeline_table"]


MAX_CELL = 60


def _cell(text: str) -> str:
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def aligned(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell (long cells cut with …), a rule under the header."""
    rows = [[_cell(cell) for cell in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{status} {count}" for status, count in counts.items()) or "none"


def signatories_table(result: Signatories) -> str:
    """The status table of one instrument, counts last."""
    title = (
        f"{result.title} ({result.instrument}, {result.kind})\n"
        f"as of {result.as_of.isoformat()}, known at {result.known_at.isoformat(timespec='seconds')}"
    )
    rows = [[r.party, r.name, r.status + (" ?" if r.uncertain else ""), r.since.isoformat()] for r in result]
    uncertain = sum(r.uncertain for r in result)
    footer = f"{len(result) - uncertain} parties: {_counts(result.counts)}"
    if uncertain:
        footer += f" (+{uncertain} uncertain, marked ?, not counted)"
    return "\n".join([title, "", aligned(["code", "party", "status", "since"], rows), "", footer])


def cases_table(result: Cases) -> str:
    """The detention cases table, counts last."""
    title = (
        f"Detention cases as of {result.as_of.isoformat()}, "
        f"known at {result.known_at.isoformat(timespec='seconds')}"
    )
    rows = [
        [
            r.case,
            r.person,
            ",".join(r.nationalities),
            party_name(r.detaining_state),
            r.status + (" ?" if r.uncertain else ""),
            r.since.isoformat(),
            f"{r.days_detained:,}",
            "; ".join(r.charges) if len(r.charges) < 3 else f"{len(r.charges)} charges",
            r.sentence or "",
        ]
        for r in result
    ]
    header = ["case", "person", "nationality", "held by", "status", "since", "days", "charges", "sentence"]
    footer = f"{len(result)} cases: {_counts(result.counts)}"
    return "\n".join([title, "", aligned(header, rows), "", footer])


def condemnations_table(result: Condemnations) -> str:
    """Condemnations, oldest first."""
    rows = [
        [r.on, party_name(r.actor), r.speaker or "", party_name(r.target) if r.target else "", r.subject]
        for r in result
    ]
    header = ["on", "actor", "speaker", "target", "subject"]
    return "\n".join([aligned(header, rows), "", f"{len(result)} condemnations"])


def timeline_table(result: Timeline) -> str:
    """Every fact about a party, oldest first."""
    rows = [[r.on, r.type, r.entity, r.summary] for r in result]
    title = f"{result.name} ({result.party}), known at {result.known_at.isoformat(timespec='seconds')}"
    body = aligned(["on", "type", "entity", "fact"], rows)
    return "\n".join([title, "", body, "", f"{len(result)} facts: {_counts(result.counts)}"])


def _csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def signatories_csv(result: Signatories) -> str:
    """One CSV row per party."""
    return _csv(
        ["party", "name", "status", "since", "uncertain"],
        [[r.party, r.name, r.status, r.since.isoformat(), str(r.uncertain).lower()] for r in result],
    )


def cases_csv(result: Cases) -> str:
    """One CSV row per case; lists joined with `;`."""
    rows = [
        [
            r.case,
            r.person,
            ";".join(r.nationalities),
            r.detaining_state,
            r.requested_by or "",
            r.status,
            r.since.isoformat(),
            r.days_detained,
            ";".join(r.charges),
            r.sentence or "",
            ";".join(r.linked_cases),
            str(r.uncertain).lower(),
        ]
        for r in result
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
    ]
    return _csv(header, rows)
