"""Record diplomatic events as immutable, bitemporal facts; rebuild any status at any time."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .dates import PartialDate
from .errors import (
    BackdatedError,
    ConcurrencyConflict,
    ConcurrencyError,
    DeclarationEventsError,
    EventLogError,
    InvalidEventError,
    InvalidTransitionError,
    LineError,
    RedactionError,
    StoreError,
    UnknownEntityError,
    UnknownPartyError,
    UsageError,
)
from .eventlog import iter_events, read_events, write_events
from .events import (
    ActorRegistered,
    CasesLinked,
    Charged,
    Condemned,
    Continued,
    Corrected,
    CustodyChanged,
    Delay,
    Designated,
    Detained,
    Died,
    Disappeared,
    Endorsed,
    EnteredIntoForce,
    Escaped,
    Event,
    FinalClauses,
    InstrumentOpened,
    Objected,
    Ratified,
    Released,
    ReservationWithdrawn,
    Reserved,
    Restricted,
    RestrictionLifted,
    Retracted,
    Sentenced,
    Signed,
    Source,
    Suspended,
    SuspensionEnded,
    Terminated,
    TerritoryExcluded,
    TerritoryIncluded,
    WithdrawalRevoked,
    Withdrew,
    event_json_schema,
    parse_event,
)
from .ledger import Ledger, RecordResult
from .parties import party_name, resolve_party
from .projections import Projection
from .redact import Redactor, redact_events, redact_log
from .results import (
    CaseRow,
    Cases,
    CondemnationRow,
    Condemnations,
    LedgerWarning,
    ObjectionRow,
    RelationRow,
    Relations,
    ReservationRow,
    Reservations,
    Signatories,
    SignatoryRow,
    Timeline,
    TimelineRow,
)
from .rules import Designation
from .storage.stamps import Stamp

if TYPE_CHECKING:
    from .plots import plot_cases, plot_signatories

try:
    __version__ = version("declaration-events")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

#: Names imported on first use, so that `import declaration_events` stays light
#: (no matplotlib, pandas, hypothesis or eventsourcing until they are needed).
_LAZY = {"plot_cases": "plots", "plot_signatories": "plots"}

__all__ = [
    "ActorRegistered",
    "BackdatedError",
    "CaseRow",
    "Cases",
    "CasesLinked",
    "Charged",
    "ConcurrencyConflict",
    "ConcurrencyError",
    "CondemnationRow",
    "Condemnations",
    "Condemned",
    "Continued",
    "Corrected",
    "CustodyChanged",
    "DeclarationEventsError",
    "Delay",
    "Designated",
    "Designation",
    "Detained",
    "Died",
    "Disappeared",
    "Endorsed",
    "EnteredIntoForce",
    "Escaped",
    "Event",
    "EventLogError",
    "FinalClauses",
    "InstrumentOpened",
    "InvalidEventError",
    "InvalidTransitionError",
    "Ledger",
    "LedgerWarning",
    "LineError",
    "Objected",
    "ObjectionRow",
    "PartialDate",
    "Projection",
    "Ratified",
    "RecordResult",
    "RedactionError",
    "Redactor",
    "RelationRow",
    "Relations",
    "Released",
    "ReservationRow",
    "ReservationWithdrawn",
    "Reservations",
    "Reserved",
    "Restricted",
    "RestrictionLifted",
    "Retracted",
    "Sentenced",
    "Signatories",
    "SignatoryRow",
    "Signed",
    "Source",
    "Stamp",
    "StoreError",
    "Suspended",
    "SuspensionEnded",
    "Terminated",
    "TerritoryExcluded",
    "TerritoryIncluded",
    "Timeline",
    "TimelineRow",
    "UnknownEntityError",
    "UnknownPartyError",
    "UsageError",
    "WithdrawalRevoked",
    "Withdrew",
    "__version__",
    "event_json_schema",
    "iter_events",
    "parse_event",
    "party_name",
    "plot_cases",
    "plot_signatories",
    "read_events",
    "redact_events",
    "redact_log",
    "resolve_party",
    "write_events",
]


def __getattr__(name: str) -> Any:
    """Import the optional names (charts) on first use, as attrs does for its extras."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
