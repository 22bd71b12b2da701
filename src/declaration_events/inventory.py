"""What a ledger holds, entity by entity: every instrument, case and non-state actor with how many
events it has (the answer of `declaration-events list`), however the ledger reads it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .events import STATEMENTS
from .projections import Projection

__all__ = ["inventory"]


def inventory(
    projection: Projection,
    counts: Mapping[str, int],
    instruments: Iterable[str],
    cases: Iterable[tuple[str, str, str | None]],
) -> dict[str, Any]:
    """The inventory, JSON-ready: `projection` holds at least each instrument's opening (and its
    amendments) and every actor's registration; `cases` is (slug, person, captor) of each case's
    last state as known now."""
    found_instruments = []
    for slug in instruments:
        history = projection.instrument_history(slug)
        events = counts.get(f"instrument:{slug}", 0)
        found_instruments.append(
            {"instrument": slug, "kind": history.kind, "events": events, "title": history.title}
        )
    found_cases = [
        {
            "case": slug,
            "person": person,
            # Who holds (or last held) the person: a party or actor:SLUG; None for a case opened by
            # a charge whose person was never detained.
            "detaining_state": held_by,
            "held_by_name": projection.name_of(held_by) if held_by else None,
            "events": counts.get(f"case:{slug}", 0),
        }
        for slug, person, held_by in cases
    ]
    actors = [
        {"actor": code, "name": registered.name, "events": counts.get(code, 0)}
        for code, registered in projection.actors().items()
    ]
    return {
        "instruments": found_instruments,
        "cases": found_cases,
        "actors": actors,
        "statements": counts.get(STATEMENTS, 0),
        "events": sum(counts.values()),
    }
