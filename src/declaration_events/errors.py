"""The exceptions a user of the library can meet: one root, a few specific ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BackdatedError",
    "ConcurrencyConflict",
    "ConcurrencyError",
    "DeclarationEventsError",
    "EventLogError",
    "InvalidEventError",
    "InvalidTransitionError",
    "LineError",
    "OutputError",
    "RedactionError",
    "StoreError",
    "UnknownEntityError",
    "UnknownPartyError",
    "UsageError",
]


class DeclarationEventsError(Exception):
    """Root of every error the library raises on purpose."""


class InvalidEventError(DeclarationEventsError, ValueError):
    """An event is malformed: a field is missing, of the wrong type or impossible."""

    #: The id of the event at fault, when known (so that a ledger can name its log line).
    event_id: str | None = None


class UnknownPartyError(DeclarationEventsError, LookupError, ValueError):
    """A party name or code that resolves to no known state or organisation."""

    def __init__(self, name: str, suggestions: Sequence[str] = ()) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown party {name!r}{hint}")


class UnknownEntityError(DeclarationEventsError, LookupError):
    """A fact or a query names an instrument, case or event the ledger does not know."""

    def __init__(self, kind: str, key: str, *, event_id: str | None = None) -> None:
        self.kind = kind
        self.key = key
        self.event_id = event_id
        where = f" (event {event_id})" if event_id else ""
        super().__init__(f"unknown {kind} {key!r}{where}")


class InvalidTransitionError(DeclarationEventsError, ValueError):
    """A fact that would make an entity's history an illegal path under the rules."""

    def __init__(
        self,
        message: str,
        *,
        rule: str,
        event_id: str | None = None,
        event_type: str | None = None,
        entity: str | None = None,
        status: str | None = None,
    ) -> None:
        self.rule = rule
        self.event_id = event_id
        self.event_type = event_type
        self.entity = entity
        self.status = status
        super().__init__(message)


class BackdatedError(DeclarationEventsError, ValueError):
    """A batch records facts before facts already stored about the same entity, and that was refused."""

    def __init__(self, message: str, *, event_id: str, count: int) -> None:
        self.event_id = event_id  # the first backdated event (so that a ledger can name its log line)
        self.count = count
        super().__init__(message)


class StoreError(DeclarationEventsError):
    """The durable store could not be opened, read or written as asked."""


class ConcurrencyError(DeclarationEventsError):
    """Another writer appended to one of the same entities first; reload and retry."""


#: The name `ConcurrencyError` had before 0.2; kept as an alias for one release.
ConcurrencyConflict = ConcurrencyError


class RedactionError(DeclarationEventsError, ValueError):
    """A redaction cannot be done as asked (a missing or too short key)."""


class UsageError(DeclarationEventsError):
    """The command line asks for something impossible."""


class OutputError(DeclarationEventsError):
    """An output cannot be written: a file named by `--out` (a directory, no such folder, a full
    disk), or standard output."""


@dataclass(frozen=True)
class LineError:
    """One bad line of an event log: where it is and what is wrong with it."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class EventLogError(DeclarationEventsError, ValueError):
    """An event log has bad lines; every one found (up to a cap) is listed."""

    def __init__(self, errors: Sequence[LineError], *, truncated: bool = False) -> None:
        self.errors = tuple(errors)
        self.truncated = truncated
        more = "\n(more errors not shown)" if truncated else ""
        super().__init__("\n".join(str(e) for e in self.errors) + more)
