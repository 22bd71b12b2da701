"""Record diplomatic events as immutable, bitemporal facts; rebuild any status at any time."""

from .dates import PartialDate
from .errors import (
    DeclarationEventsError,
    EventLogError,
    InvalidEventError,
    InvalidTransitionError,
    LineError,
    StoreError,
    UnknownEntityError,
    UnknownPartyError,
)
from .eventlog import iter_events, read_events, write_events
from .events import (
    CasesLinked,
    Charged,
    Condemned,
    Corrected,
    Detained,
    Endorsed,
    EnteredIntoForce,
    Event,
    InstrumentOpened,
    Ratified,
    Released,
    Retracted,
    Sentenced,
    Signed,
    Source,
    Withdrew,
    event_json_schema,
    parse_event,
)
from .ledger import Ledger, RecordResult
from .parties import party_name, resolve_party
from .plots import plot_cases, plot_signatories  # matplotlib is imported when a chart is drawn
from .projections import Projection
from .redact import RedactionError, Redactor, redact_events, redact_log
from .results import (
    CaseRow,
    Cases,
    CondemnationRow,
    Condemnations,
    Signatories,
    SignatoryRow,
    Timeline,
    TimelineRow,
)
from .store import ConcurrencyConflict

__version__ = "0.1.0"

__all__ = [
    "CaseRow",
    "Cases",
    "CasesLinked",
    "Charged",
    "ConcurrencyConflict",
    "CondemnationRow",
    "Condemnations",
    "Condemned",
    "Corrected",
    "DeclarationEventsError",
    "Detained",
    "Endorsed",
    "EnteredIntoForce",
    "Event",
    "EventLogError",
    "InstrumentOpened",
    "InvalidEventError",
    "InvalidTransitionError",
    "Ledger",
    "LineError",
    "PartialDate",
    "Projection",
    "Ratified",
    "RecordResult",
    "RedactionError",
    "Redactor",
    "Released",
    "Retracted",
    "Sentenced",
    "Signatories",
    "SignatoryRow",
    "Signed",
    "Source",
    "StoreError",
    "Timeline",
    "TimelineRow",
    "UnknownEntityError",
    "UnknownPartyError",
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
