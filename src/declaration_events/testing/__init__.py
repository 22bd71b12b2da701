"""The property-testing kit: Hypothesis strategies, the reference model and the state machine.

Install the `test` extra to use it. `strategies` (also importable as
`declaration_events.strategies`) generates parties, dates, events, legal histories and
whole logs; `model` restates the law in plain code; `machine` runs a `Ledger` beside
that model (`LedgerStateMachine`). Names are imported on first use, so importing
`declaration_events.testing.strategies` (as Hypothesis's entry point does) does not
import the state machine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .machine import LedgerStateMachine
    from .model import (
        Acts,
        Belief,
        Broken,
        CaseView,
        Point,
        ReferenceModel,
        Reservation,
        View,
        assert_agrees,
        assert_tally_adds_up,
        replay_case,
        replay_instrument,
    )

__all__ = [
    "Acts",
    "Belief",
    "Broken",
    "CaseView",
    "LedgerStateMachine",
    "Point",
    "ReferenceModel",
    "Reservation",
    "View",
    "assert_agrees",
    "assert_tally_adds_up",
    "replay_case",
    "replay_instrument",
]

_HOME = {
    "LedgerStateMachine": "machine",
    **{name: "model" for name in __all__ if name != "LedgerStateMachine"},
}


def __getattr__(name: str) -> Any:
    """Import a name of the kit from its module on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
