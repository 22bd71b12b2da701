"""A detention case's row as the history tables keep it, and back: what `case_history.details` holds.

`case_history` keeps, beside each row's status, dates, days and event, the rest of what
`Ledger.cases` shows on those dates as one JSON object (`details`): the person, their
nationalities, the captor and its name, charges, sentence, links, restrictions,
designations, death. With the day counters (`days_detained_before` and `in_custody`, and
the same for days restricted and deprived) that is the whole `CaseRow` on any date of the
row, so that a ledger answers `cases` from the table without reading the events.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from .results import CaseRow
from .rules import CaseState, Designation
from .storage.tables import CaseTableRow

__all__ = ["case_details", "case_row"]


def case_details(state: CaseState, linked: tuple[str, ...], captor_name: str | None) -> str:
    """The JSON of what a case's row shows besides its status, days and event, from its state."""
    return orjson.dumps(
        {
            "person": state.person,
            "nationalities": state.nationalities,
            "detained_by": state.detained_by,
            "detained_by_name": captor_name,
            "requested_by": state.requested_by,
            "location": state.location,
            "since": state.since.isoformat(),
            "charges": state.charges,
            "sentence": state.sentence,
            "term_days": state.term_days,
            "linked_cases": linked,
            "charging_state": state.charging_state,
            "basis": state.basis,
            "restrictions": state.restrictions,
            "designations": [
                [d.designation, d.by, d.reference, d.categories, d.on.isoformat()] for d in state.designations
            ],
            "died_in_custody": state.died_in_custody,
            "cause_of_death": state.cause_of_death,
        }
    ).decode()


def case_row(stored: CaseTableRow, as_of: date) -> CaseRow:
    """The row `Ledger.cases` shows on `as_of` from a `case_history` row that answers it.

    Its counters (days_detained_before, in_custody, days_restricted_before, restricted,
    days_deprived_before, deprived) each grow by a day for each day of the row where the
    flag holds.
    """
    case, status, valid_from, counters, uncertain, event_id, details = stored
    data: dict[str, Any] = orjson.loads(details)
    elapsed = (as_of - valid_from).days
    detained, restricted, deprived = (
        before + (elapsed if accrues else 0)
        for before, accrues in zip(counters[::2], counters[1::2], strict=True)
    )
    restrictions = tuple((name, conditions) for name, conditions in data["restrictions"])
    return CaseRow(
        case=case,
        person=data["person"],
        nationalities=tuple(data["nationalities"]),
        detaining_state=data["detained_by"],
        requested_by=data["requested_by"],
        location=data["location"],
        status=status,
        since=date.fromisoformat(data["since"]),
        days_detained=detained,
        charges=tuple(data["charges"]),
        sentence=data["sentence"],
        term_days=data["term_days"],
        linked_cases=tuple(data["linked_cases"]),
        event_id=event_id,
        uncertain=uncertain,
        detained_by=data["detained_by"],
        detained_by_name=data["detained_by_name"],
        charging_state=data["charging_state"],
        basis=data["basis"],
        restrictions=tuple(name for name, _ in restrictions),
        conditions=tuple((name, conditions) for name, conditions in restrictions if conditions is not None),
        days_restricted=restricted,
        days_deprived=deprived,
        designations=tuple(
            Designation(kind, by, reference, tuple(categories), date.fromisoformat(on))
            for kind, by, reference, categories, on in data["designations"]
        ),
        died_in_custody=data["died_in_custody"],
        cause_of_death=data["cause_of_death"],
    )
