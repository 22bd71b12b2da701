"""The event vocabulary of log format v1: frozen pydantic models and their union."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, get_args

import orjson
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    JsonValue,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import core_schema

from .actors import ACTOR_PREFIX, resolve_captor, resolve_designator
from .dates import PartialDate
from .errors import InvalidEventError
from .ids import uuid5_from_digest
from .parties import resolve_party, resolve_territory

__all__ = [
    "DESIGNATIONS",
    "EVENT_TYPES",
    "RESTRICTIONS",
    "STATEMENTS",
    "TREATY_ACTS",
    "TREATY_KINDS",
    "ActorRegistered",
    "CasesLinked",
    "Charged",
    "Condemned",
    "Continued",
    "Corrected",
    "CustodyChanged",
    "Delay",
    "Designated",
    "Detained",
    "Died",
    "Disappeared",
    "Endorsed",
    "EnteredIntoForce",
    "Escaped",
    "Event",
    "EventBase",
    "FinalClauses",
    "InstrumentOpened",
    "Objected",
    "Ratified",
    "Released",
    "ReservationWithdrawn",
    "Reserved",
    "Restricted",
    "RestrictionLifted",
    "Retracted",
    "Sentenced",
    "Signed",
    "Source",
    "Suspended",
    "SuspensionEnded",
    "Terminated",
    "TerritoryExcluded",
    "TerritoryIncluded",
    "WithdrawalRevoked",
    "Withdrew",
    "event_json_schema",
    "parse_event",
]

#: The one entity (and store stream) of every statement: condemnations have no state machine.
STATEMENTS = "statements"

# Namespace of ids derived from a line's content (uuid5), fixed forever by format v1.
ID_NAMESPACE = uuid.UUID("5b0f8a52-3d4e-5c57-9a52-5a3c1e0d7e11")
_UNSET_ID = uuid.UUID(int=0)
_NAMESPACE_BYTES = ID_NAMESPACE.bytes
_ID_EXCLUDED = {"id", "recorded_at"}
_RECORD_TIME = {"recorded_at"}
_NO_SOURCES: set[str] = {"sources"}  # a line leaves out an empty list of sources (never changed)
#: Largest integer every JSON reader agrees on (I-JSON, RFC 7493), and within int64 for pandas/SQL.
MAX_JSON_INTEGER = 2**53 - 1

Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$", max_length=200),
]
Party = Annotated[str, Strict(), AfterValidator(resolve_party)]
Kind = Literal["declaration", "treaty", "bilateral_treaty"]
#: Kinds of instrument that bind (enter into force, take reservations, can be suspended or terminated).
TREATY_KINDS: frozenset[str] = frozenset({"treaty", "bilateral_treaty"})
#: An ISO 3166-1 territory a treaty is applied to (FLK, GIB, GRL ...), by code or name.
Territory = Annotated[str, Strict(), AfterValidator(resolve_territory)]
#: An article a reservation concerns, as the treaty numbers it: "6", "6(5)", "14 (3) (d)".
Article = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
#: What a statement made on a treaty is (Treaty Handbook 3.5): a reservation excludes or modifies a
#: provision's legal effect; a declaration or interpretative declaration does not purport to.
ReservationKind = Literal["reservation", "declaration", "interpretative_declaration"]
#: When it was made: on signature, with the consent to be bound, or later (a late reservation).
MadeOn = Literal["signature", "consent", "later"]
#: UNTC's consent vocabulary: how a state (or, by formal confirmation, an organisation) is bound.
ConsentMode = Literal[
    "ratification",
    "acceptance",
    "approval",
    "accession",
    "succession",
    "definitive_signature",
    "formal_confirmation",
]
#: A signature made in person, or one a new state takes over from its predecessor.
SignatureMode = Literal["signature", "succession"]
ReleaseMechanism = Literal[
    "bail",
    "acquittal",
    "deportation",
    "exchange",
    "pardon",
    "sentence_served",
    "agreement",
    "other",
]
#: A captor: a party, or a non-state actor written `actor:SLUG` (declared by `ActorRegistered`).
Captor = Annotated[str, Strict(), AfterValidator(resolve_captor)]
#: Who designates: a party, a body such as `un-wgad`, or `actor:SLUG`.
Designator = Annotated[str, Strict(), AfterValidator(resolve_designator)]
Restriction = Literal["bail", "house_arrest", "furlough", "exit_ban", "travel_ban"]
#: Restrictions short of prison (`rules.SEVERITY` orders them, most severe first).
RESTRICTIONS: tuple[str, ...] = get_args(Restriction)
DesignationKind = Literal["wrongful_detention", "hostage_taking", "arbitrary_detention_opinion"]
DESIGNATIONS: tuple[str, ...] = get_args(DesignationKind)
Category = Literal["I", "II", "III", "IV", "V"]
_CATEGORY_ORDER = {name: index for index, name in enumerate(get_args(Category))}
WikidataId = Annotated[str, Strict(), StringConstraints(pattern=r"^Q[1-9][0-9]*$")]


def _in_roman_order(categories: tuple[str, ...]) -> tuple[str, ...]:
    if len(set(categories)) != len(categories):
        raise ValueError(f"categories repeat one: {', '.join(categories)}")
    return tuple(sorted(categories, key=_CATEGORY_ORDER.__getitem__))


def _bare_actor_slug(value: object) -> object:
    return value.removeprefix(ACTOR_PREFIX) if isinstance(value, str) else value


_COMMON_FIELDS = {"type", "id", "occurred_on", "recorded_at", "sources", "note"}


#: A record time as RFC 3339 (section 5.6) writes one, in ASCII digits, to the microsecond at most
#: (`T` may be a space, as its note allows). The JSON Schema of `recorded_at` says so too.
RECORD_TIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
# The offset is left to the datetime parser, which says "Input should have timezone info".
_RECORD_TIME_SHAPE = RECORD_TIME_PATTERN.removesuffix("$") + "?$"
_SHAPE = re.compile(_RECORD_TIME_SHAPE)
_FRACTION = re.compile(r"\.([0-9]+)")
_JSON_TYPES = {bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}


class _RecordTimeText:
    """Marker: a record time is RFC 3339 text, never a number, nor truncated or guessed at.

    From JSON (every log line, every stored line) the text is matched in pydantic-core, at no
    cost of a Python call; `describe_validation_error` words its errors. From Python, a
    string is matched the same way and a datetime must have an offset in whole minutes.
    """

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        parsed = handler(source)
        shape = core_schema.str_schema(pattern=_RECORD_TIME_SHAPE, strict=True)
        return core_schema.json_or_python_schema(
            json_schema=core_schema.chain_schema([shape, parsed]),
            python_schema=core_schema.no_info_before_validator_function(_record_time_from_python, parsed),
        )


def _record_time_from_python(value: object) -> object:
    """A record time given from Python: a string of the shape, or a datetime as a line can write it."""
    if isinstance(value, str):
        if _SHAPE.fullmatch(value) is None:
            raise ValueError(_record_time_problem(value))
        return value
    if isinstance(value, datetime):  # an offset in whole minutes, as a line can write it
        offset = value.utcoffset()
        if offset is not None and offset % timedelta(minutes=1):
            raise ValueError(f"{value.isoformat()} has an offset in seconds; RFC 3339 offsets are ±HH:MM")
        return value
    raise ValueError(_record_time_problem(value))


def _record_time_problem(value: object) -> str:
    """What is wrong with a record time that does not have the shape of RFC 3339."""
    if not isinstance(value, str):
        kind = _JSON_TYPES.get(type(value), type(value).__name__)
        return f"expected an RFC 3339 date-time string, got {kind}"
    fraction = _FRACTION.search(value)
    if fraction and len(digits := fraction.group(1)) > 6:
        shortened = value[: fraction.start()] + "." + digits[:6] + value[fraction.end() :]
        if _SHAPE.fullmatch(shortened):
            return (
                f"{value!r} has {len(digits)} fractional digits; record times are kept to the microsecond"
                " (at most 6)"
            )
    return f"{value!r} is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS[.ffffff] then Z or ±HH:MM)"


RecordTime = Annotated[
    AwareDatetime,
    _RecordTimeText(),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": RECORD_TIME_PATTERN}),
]


def _outside_utc(value: datetime) -> bool:
    """Whether a record time's instant is not in UTC's years 1 to 9999 (only an offset in year 1 or
    9999 can carry it out)."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        return True
    return False


def _check_effective_on(effective_on: PartialDate | None, occurred_on: PartialDate) -> None:
    if effective_on is not None and effective_on.last < occurred_on.last:
        raise ValueError(f"effective_on {effective_on} is before occurred_on {occurred_on}")


class Delay(BaseModel):
    """A period of a final clause: `{"days": N}`, `{"months": N}`, `{"months": N, "day": D}`, `{"years": N}`.

    `days`: the Nth day after the date (the Arms Trade Treaty's "ninetieth day following
    the date of deposit" is `{"days": 90}`). `months`/`years` alone: the same day N
    months or years later, clamped to the month's end. With `day`: day D of the Nth
    month (or year) after the month of the date (Ottawa's "first day of the sixth month
    after the month in which ... deposited" is `{"months": 6, "day": 1}`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: Annotated[int, Strict(), Field(ge=0, le=36_600)] | None = None
    months: Annotated[int, Strict(), Field(ge=0, le=1_200)] | None = None
    years: Annotated[int, Strict(), Field(ge=0, le=100)] | None = None
    day: Annotated[int, Strict(), Field(ge=1, le=31)] | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> Delay:
        given = [name for name in ("days", "months", "years") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"a delay has exactly one of days, months, years (got {', '.join(given) or 'none'})"
            )
        if self.day is not None and self.days is not None:
            raise ValueError("day goes with months or years, not with days")
        if self.day is not None and not (self.months or self.years):
            raise ValueError("day goes with at least one month or year (day D of the Nth month after)")
        return self

    def after(self, start: date) -> date:
        """The date this delay after `start` falls on."""
        if self.days is not None:
            return start + timedelta(days=self.days)
        months = self.months if self.months is not None else 12 * (self.years or 0)
        index = start.year * 12 + start.month - 1 + months
        year, month = divmod(index, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(self.day if self.day is not None else start.day, last))

    def __str__(self) -> str:
        if self.days is not None:
            return f"{self.days} days"
        unit = f"{self.months} months" if self.months is not None else f"{self.years} years"
        return f"day {self.day} of the {unit}' month" if self.day is not None else unit


class FinalClauses(BaseModel):
    """A treaty's final clauses: how it enters into force, when later consents and withdrawals take effect."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: How many consents (ratification, acceptance, approval, accession, succession,
    #: definitive signature) bring the treaty into force.
    consents_required: Annotated[int, Strict(), Field(ge=1, le=10_000)] | None = None
    #: Entry into force after the date of the `consents_required`-th consent.
    entry_into_force: Delay | None = None
    #: When a consent given after that takes effect, after its own date.
    later_consents: Delay | None = None
    #: When a withdrawal (denunciation) takes effect, after its date.
    withdrawal: Delay | None = None
    #: The date signature closes (no `Signed` on or after it), or `"at_entry_into_force"`.
    signature_closes: PartialDate | Literal["at_entry_into_force"] | None = None


class Source(BaseModel):
    """Where a fact was reported: every field optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Text | None = None
    url: Text | None = None
    publisher: Text | None = None
    published_on: PartialDate | None = None


def canonical_json(content: Mapping[str, Any], *, floats: bool = True) -> bytes:
    """The bytes a derived id hashes (format v1): JSON with sorted keys, no spaces, UTF-8, as
    `json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes it.

    With `floats=False` (content that holds none: every event but a correction, whose
    `changes` may), orjson writes the same bytes several times faster; what orjson refuses (an
    integer beyond 64 bits, a lone surrogate) takes the standard library's path, as every id
    did before. orjson writes floats otherwise (`1e16`, not `1e+16`).
    """
    if not floats:
        try:
            return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            pass
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class EventBase(BaseModel):
    """Fields every event has: its type, both times, id, sources and note."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    #: Which aggregate the event belongs to: instrument, case, statement or amendment.
    stream: ClassVar[str] = ""
    #: CAMEO event code (string; leading zeros matter), where one applies.
    cameo: ClassVar[str | None] = None
    #: PLOVER category and mode, where one applies.
    plover: ClassVar[str | None] = None
    plover_mode: ClassVar[str | None] = None

    type: str
    id: uuid.UUID = _UNSET_ID
    occurred_on: PartialDate
    recorded_at: RecordTime | None = None
    sources: tuple[Source, ...] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _check_times_and_derive_id(self) -> EventBase:
        recorded_at = self.recorded_at
        if recorded_at is not None:
            if recorded_at.year in (1, 9999) and _outside_utc(recorded_at):  # (a call only there)
                raise ValueError(
                    f"recorded_at {recorded_at.isoformat()} is out of range: in UTC it falls outside"
                    " the years 1 to 9999"
                )
            if self.occurred_on.first > recorded_at.date():
                raise ValueError(
                    f"occurred_on {self.occurred_on} is after recorded_at "
                    f"{recorded_at.isoformat()}: a fact cannot be recorded before it happened"
                )
        if not self.id.int:  # the nil UUID (`_UNSET_ID`), compared without a Python call
            if "id" in self.model_fields_set:  # given, not defaulted: the nil UUID names no event
                raise ValueError(
                    f"id {self.id} is the nil UUID, which names no event; leave id out to derive it"
                    " from the content"
                )
            object.__setattr__(self, "id", self.derived_id())
        return self

    def derived_id(self) -> uuid.UUID:
        """The id derived from the event's content (not its record time): a uuid5."""
        content = self.model_dump(mode="json", exclude=_ID_EXCLUDED, exclude_none=True)
        # uuid.uuid5, without its per-call overhead (it is on the hot path of every load).
        canonical = canonical_json(content, floats=self.type == "Corrected")
        digest = hashlib.sha1(_NAMESPACE_BYTES + canonical, usedforsecurity=False).digest()
        return uuid5_from_digest(digest)

    def same_fact(self, other: EventBase) -> bool:
        """Whether `other` states the same fact: equal in everything but its record time."""
        return self.model_dump(exclude=_RECORD_TIME) == other.model_dump(exclude=_RECORD_TIME)

    def fact_digest(self) -> bytes:
        """A digest of what `same_fact` compares, for keeping instead of the event."""
        content = self.model_dump_json(exclude=_RECORD_TIME).encode()
        return hashlib.sha1(content, usedforsecurity=False).digest()

    def entity(self) -> str:
        """The aggregate the event belongs to, e.g. `instrument:ottawa-treaty` or `case:kovrig`."""
        return self.stream

    def parties(self) -> tuple[str, ...]:
        """Every party the event names."""
        return ()

    def recorded(self, at: datetime | None = None) -> EventBase:
        """A copy stamped with its record time (now, if not given) when it has none."""
        if self.recorded_at is not None:
            return self
        stamp = at or datetime.now(UTC)
        if self.occurred_on.first > stamp.date():
            raise InvalidEventError(
                f"{self.type} {self.id}: occurred_on {self.occurred_on} is after recorded_at "
                f"{stamp.isoformat()}: a fact cannot be recorded before it happened"
            )
        return self.model_copy(update={"recorded_at": stamp})

    def to_json(self) -> str:
        """The event as one canonical line of log format v1."""
        return self.json_line().decode()

    def json_line(self) -> bytes:
        """The event's canonical line of log format v1, as UTF-8 bytes (no newline)."""
        return self.__pydantic_serializer__.to_json(
            self, exclude_none=True, exclude=None if self.sources else _NO_SOURCES
        )

    def summary(self) -> str:
        """A one-line human summary: type and the type's own fields."""
        data = self.model_dump(exclude=_COMMON_FIELDS)
        parts = []
        for key, value in data.items():
            if value in (None, (), []):
                continue
            shown = ", ".join(map(str, value)) if isinstance(value, tuple | list) else value
            parts.append(f"{key}={shown}")
        return " ".join([self.type, *parts])

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.summary()}"

    def _repr_html_(self) -> str:
        """A compact two-column table for Jupyter."""
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(key)}</th>"
            f"<td style='text-align:left'>{html.escape(str(value))}</td></tr>"
            for key, value in self.model_dump(mode="json", exclude_none=True).items()
            if value not in ((), [])
        )
        return f"<table><caption>{html.escape(self.type)}</caption>{rows}</table>"


class _InstrumentEvent(EventBase):
    stream: ClassVar[str] = "instrument"
    instrument: Slug

    def entity(self) -> str:
        return sys.intern(f"instrument:{self.instrument}")  # one string per entity, not per event


class InstrumentOpened(_InstrumentEvent):
    """An instrument is opened for signature or endorsement."""

    type: Literal["InstrumentOpened"] = "InstrumentOpened"
    title: Text
    kind: Kind
    initiator: Party | None = None
    final_clauses: FinalClauses | None = None
    #: The two parties of a bilateral treaty (required for `bilateral_treaty`, refused otherwise).
    between: tuple[Party, Party] | None = None

    @model_validator(mode="after")
    def _clauses_of_treaties(self) -> InstrumentOpened:
        if self.final_clauses is not None and self.kind not in TREATY_KINDS:
            raise ValueError(f"final_clauses: a {self.kind} has none (only treaties enter into force)")
        if self.kind == "bilateral_treaty":
            if self.between is None:
                raise ValueError("between: a bilateral treaty names its two parties")
            if self.between[0] == self.between[1]:
                raise ValueError(
                    f"between: a bilateral treaty has two different parties, not {self.between[0]} twice"
                )
        elif self.between is not None:
            raise ValueError(f"between: only a bilateral treaty names its parties (this is a {self.kind})")
        return self

    def parties(self) -> tuple[str, ...]:
        named = (self.initiator,) if self.initiator else ()
        return named + tuple(p for p in self.between or () if p not in named)


class EnteredIntoForce(_InstrumentEvent):
    """A treaty enters into force."""

    type: Literal["EnteredIntoForce"] = "EnteredIntoForce"


class _Participation(_InstrumentEvent):
    party: Party

    def parties(self) -> tuple[str, ...]:
        return (self.party,)


class Signed(_Participation):
    """A party signs a declaration or a treaty (`mode: succession`: takes over a predecessor's signature)."""

    cameo: ClassVar[str | None] = "057"
    plover: ClassVar[str | None] = "SUPPORT"
    type: Literal["Signed"] = "Signed"
    mode: SignatureMode | None = None


class Endorsed(_Participation):
    """A party endorses a declaration."""

    cameo: ClassVar[str | None] = "051"
    plover: ClassVar[str | None] = "SUPPORT"
    type: Literal["Endorsed"] = "Endorsed"


class Ratified(_Participation):
    """A party consents to be bound by a treaty."""

    cameo: ClassVar[str | None] = "057"
    plover: ClassVar[str | None] = "SUPPORT"
    type: Literal["Ratified"] = "Ratified"
    mode: ConsentMode = "ratification"
    effective_on: PartialDate | None = None

    @model_validator(mode="after")
    def _effective_after_occurred(self) -> Ratified:
        if self.mode != "succession":  # a succession takes effect on the date of succession, often earlier
            _check_effective_on(self.effective_on, self.occurred_on)
        return self


class WithdrawalRevoked(_Participation):
    """A party revokes its pending withdrawal before it takes effect (VCLT article 68)."""

    type: Literal["WithdrawalRevoked"] = "WithdrawalRevoked"


class Withdrew(_Participation):
    """A party withdraws from an instrument, in effect from `effective_on`."""

    type: Literal["Withdrew"] = "Withdrew"
    effective_on: PartialDate | None = None

    @model_validator(mode="after")
    def _effective_after_occurred(self) -> Withdrew:
        _check_effective_on(self.effective_on, self.occurred_on)
        return self


class Reserved(_Participation):
    """A party makes a reservation or a declaration to a treaty (VCLT articles 19-23, Treaty Handbook 3.5)."""

    type: Literal["Reserved"] = "Reserved"
    kind: ReservationKind
    text: Text
    articles: tuple[Article, ...] = ()
    made_on: MadeOn

    @model_validator(mode="after")
    def _articles_once(self) -> Reserved:
        if len(set(self.articles)) != len(self.articles):
            raise ValueError(f"articles repeat one: {', '.join(self.articles)}")
        return self


class ReservationWithdrawn(_Participation):
    """A party withdraws a reservation (its `Reserved` event's id), wholly or, with the `text` that
    remains, in part (VCLT article 22)."""

    type: Literal["ReservationWithdrawn"] = "ReservationWithdrawn"
    reservation: uuid.UUID
    #: What remains of the reservation after a partial withdrawal; absent: withdrawn whole.
    text: Text | None = None


class Objected(_Participation):
    """A party objects to another's reservation (VCLT articles 20-21); with
    `precludes_entry_into_force`, the treaty does not enter into force between the two."""

    cameo: ClassVar[str | None] = "120"
    plover: ClassVar[str | None] = "REJECT"
    type: Literal["Objected"] = "Objected"
    to: Party
    #: The `Reserved` event objected to; absent: the reserving party's reservations in general.
    reservation: uuid.UUID | None = None
    text: Text
    precludes_entry_into_force: Annotated[bool, Strict()] = False

    @model_validator(mode="after")
    def _two_parties(self) -> Objected:
        if self.to == self.party:
            raise ValueError(f"to: a party ({self.party}) cannot object to its own reservation")
        return self

    def parties(self) -> tuple[str, ...]:
        return (self.party, self.to)


class _TerritorialApplication(_Participation):
    territory: Territory
    #: When the application (or exclusion) takes effect; default: its date.
    effective_on: PartialDate | None = None

    @model_validator(mode="after")
    def _a_territory_of_another(self) -> _TerritorialApplication:
        if self.territory == self.party:
            raise ValueError(
                f"territory: {self.party} is the party itself, not a territory it applies the treaty to"
            )
        _check_effective_on(self.effective_on, self.occurred_on)
        return self

    def parties(self) -> tuple[str, ...]:
        return (self.party, self.territory)


class TerritoryIncluded(_TerritorialApplication):
    """A party extends a treaty to a territory for whose relations it is responsible (VCLT article 29)."""

    type: Literal["TerritoryIncluded"] = "TerritoryIncluded"


class TerritoryExcluded(_TerritorialApplication):
    """A party declares that a treaty does not (or no longer) applies to one of its territories."""

    type: Literal["TerritoryExcluded"] = "TerritoryExcluded"


class _Suspension(_InstrumentEvent):
    #: The party whose operation of the treaty is suspended; absent: the whole treaty.
    party: Party | None = None

    def parties(self) -> tuple[str, ...]:
        return (self.party,) if self.party else ()


class Suspended(_Suspension):
    """The operation of a treaty is suspended, for one party or as a whole, from `occurred_on`
    (VCLT articles 57-62): the party stays a contracting state but is not bound meanwhile."""

    type: Literal["Suspended"] = "Suspended"


class SuspensionEnded(_Suspension):
    """A suspension ends, from `occurred_on`: the party is bound again (VCLT article 72(2))."""

    type: Literal["SuspensionEnded"] = "SuspensionEnded"


class Terminated(_InstrumentEvent):
    """A treaty ends for every party on `occurred_on` (by expiry, agreement or supersession; VCLT
    articles 54-64): only corrections and retractions may follow."""

    type: Literal["Terminated"] = "Terminated"


class Continued(EventBase):
    """A state continues its predecessor's participations from a date (Serbia for Serbia and Montenegro)."""

    stream: ClassVar[str] = "statement"
    type: Literal["Continued"] = "Continued"
    party: Party
    predecessor: Party

    @model_validator(mode="after")
    def _two_states(self) -> Continued:
        if self.party == self.predecessor:
            raise ValueError(f"predecessor: a state ({self.party}) cannot continue itself")
        return self

    def entity(self) -> str:
        return STATEMENTS

    def parties(self) -> tuple[str, ...]:
        return (self.party, self.predecessor)


class Condemned(EventBase):
    """A party condemns a practice, a state or an act."""

    stream: ClassVar[str] = "statement"
    cameo: ClassVar[str | None] = "111"
    plover: ClassVar[str | None] = "ACCUSE"
    type: Literal["Condemned"] = "Condemned"
    actor: Party
    subject: Text
    target: Party | None = None
    instrument: Slug | None = None
    case: Slug | None = None
    speaker: Text | None = None
    quote: Text | None = None

    def entity(self) -> str:
        return STATEMENTS

    def parties(self) -> tuple[str, ...]:
        return (self.actor, self.target) if self.target else (self.actor,)


class _CaseEvent(EventBase):
    stream: ClassVar[str] = "case"
    case: Slug

    def entity(self) -> str:
        return sys.intern(f"case:{self.case}")  # one string per entity, not per event


class Detained(_CaseEvent):
    """A state (or a non-state actor) takes a foreign national into custody."""

    cameo: ClassVar[str | None] = "173"
    plover: ClassVar[str | None] = "COERCE"
    plover_mode: ClassVar[str | None] = "arrest"
    type: Literal["Detained"] = "Detained"
    person: Text
    nationalities: Annotated[tuple[Party, ...], Field(min_length=1)]
    #: The captor's old name (format v1 before issue 15): a party or `actor:SLUG`, like `detained_by`.
    detaining_state: Captor | None = None
    requested_by: Party | None = None
    location: Text | None = None
    #: Who holds the person: a party, or a non-state actor `actor:SLUG`.
    detained_by: Captor | None = None

    @model_validator(mode="after")
    def _one_captor(self) -> Detained:
        if self.detained_by is None and self.detaining_state is None:
            raise ValueError(
                "field 'detained_by': required field is missing (a party or actor:SLUG; "
                "'detaining_state' is accepted as its old name)"
            )
        if None not in (self.detained_by, self.detaining_state) and self.detained_by != self.detaining_state:
            raise ValueError(
                f"detained_by {self.detained_by!r} and detaining_state {self.detaining_state!r} name "
                "different captors; give one of them (detaining_state is detained_by's old name)"
            )
        return self

    @property
    def captor(self) -> str:
        """Who holds the person: `detained_by`, or its old name `detaining_state`."""
        captor = self.detained_by or self.detaining_state
        assert captor is not None  # noqa: S101 - the validator requires one
        return captor

    def parties(self) -> tuple[str, ...]:
        named = (*self.nationalities, self.captor)
        return (*named, self.requested_by) if self.requested_by else named


class Charged(_CaseEvent):
    """A person is charged: in custody, under a restriction, or at large (in absentia).

    A charge that names the person (`person`, `nationalities`, `charging_state`) may open
    a case: the person is then `charged_at_large` until detained.
    """

    cameo: ClassVar[str | None] = "173"
    plover: ClassVar[str | None] = "COERCE"
    plover_mode: ClassVar[str | None] = "arrest"
    type: Literal["Charged"] = "Charged"
    charges: Annotated[tuple[Text, ...], Field(min_length=1)]
    person: Text | None = None
    nationalities: Annotated[tuple[Party, ...], Field(min_length=1)] | None = None
    #: The state that lays the charges (it may differ from the one holding the person).
    charging_state: Party | None = None

    @model_validator(mode="after")
    def _person_fields_together(self) -> Charged:
        if self.person is not None and (self.nationalities is None or self.charging_state is None):
            raise ValueError(
                "a charge that names the person opens a case: give person, nationalities and "
                "charging_state together"
            )
        if self.nationalities is not None and self.person is None:
            raise ValueError("nationalities without person: give the person they belong to")
        return self

    @property
    def names_person(self) -> bool:
        """Whether the charge names the person (and so may open a case)."""
        return self.person is not None

    def parties(self) -> tuple[str, ...]:
        named = self.nationalities or ()
        return (*named, self.charging_state) if self.charging_state else named


class Sentenced(_CaseEvent):
    """A person is sentenced: in custody, under a restriction, or at large (in absentia)."""

    cameo: ClassVar[str | None] = "116"
    plover: ClassVar[str | None] = "SANCTION"
    plover_mode: ClassVar[str | None] = "convict"
    type: Literal["Sentenced"] = "Sentenced"
    sentence: Text
    term_days: Annotated[int, Strict(), Field(ge=0, le=MAX_JSON_INTEGER)] | None = None


class Released(_CaseEvent):
    """A person is released for good; with mechanism `bail`, put on bail (the same as `Restricted` bail)."""

    cameo: ClassVar[str | None] = "0841"
    plover: ClassVar[str | None] = "RETREAT"
    plover_mode: ClassVar[str | None] = "release"
    type: Literal["Released"] = "Released"
    mechanism: ReleaseMechanism


class CasesLinked(_CaseEvent):
    """Two detention cases are linked (e.g. one is held to be retaliation for the other)."""

    type: Literal["CasesLinked"] = "CasesLinked"
    other_case: Slug
    relation: Text

    @model_validator(mode="after")
    def _not_self(self) -> CasesLinked:
        if self.other_case == self.case:
            raise ValueError(f"other_case is the case itself ({self.case!r}); a case cannot link to itself")
        return self


class CustodyChanged(_CaseEvent):
    """The legal basis of a person's custody changes (a formal arrest, a transfer to prison)."""

    cameo: ClassVar[str | None] = "173"
    plover: ClassVar[str | None] = "COERCE"
    plover_mode: ClassVar[str | None] = "arrest"
    type: Literal["CustodyChanged"] = "CustodyChanged"
    basis: Text
    location: Text | None = None


class Restricted(_CaseEvent):
    """A restriction short of prison: bail, house arrest, furlough, an exit or a travel ban."""

    cameo: ClassVar[str | None] = "172"
    plover: ClassVar[str | None] = "COERCE"
    plover_mode: ClassVar[str | None] = "restrict"
    type: Literal["Restricted"] = "Restricted"
    restriction: Restriction
    conditions: Text | None = None


class RestrictionLifted(_CaseEvent):
    """A restriction short of prison ends (the person stays free of it)."""

    cameo: ClassVar[str | None] = "081"
    plover: ClassVar[str | None] = "CONCEDE"
    type: Literal["RestrictionLifted"] = "RestrictionLifted"
    restriction: Restriction


class Died(_CaseEvent):
    """The person dies, in custody or out of it; nothing but amendments follows."""

    type: Literal["Died"] = "Died"
    in_custody: Annotated[bool, Strict()]
    cause: Text | None = None


class Escaped(_CaseEvent):
    """The person escapes custody or flees a restriction."""

    type: Literal["Escaped"] = "Escaped"


class Disappeared(_CaseEvent):
    """The person's fate becomes unknown (status `missing`), from this date."""

    type: Literal["Disappeared"] = "Disappeared"


class Designated(_CaseEvent):
    """A case is designated: wrongful detention, hostage-taking, or a UN opinion of arbitrary detention."""

    cameo: ClassVar[str | None] = "1122"
    plover: ClassVar[str | None] = "ACCUSE"
    plover_mode: ClassVar[str | None] = "disapprove"
    type: Literal["Designated"] = "Designated"
    designation: DesignationKind
    #: Who designates: a party, a body such as `un-wgad`, or `actor:SLUG`.
    by: Designator
    reference: Text | None = None
    #: The UN Working Group's categories of arbitrary detention, I to V.
    categories: (
        Annotated[tuple[Category, ...], Field(min_length=1), AfterValidator(_in_roman_order)] | None
    ) = None

    @model_validator(mode="after")
    def _categories_of_opinions(self) -> Designated:
        if self.categories is not None and self.designation != "arbitrary_detention_opinion":
            raise ValueError(
                f"categories apply to arbitrary_detention_opinion only, not to {self.designation}"
            )
        return self

    def parties(self) -> tuple[str, ...]:
        return (self.by,)


class ActorRegistered(EventBase):
    """Declares a non-state actor (an armed group, a de facto authority) as `actor:SLUG`, named from then."""

    stream: ClassVar[str] = "actor"
    type: Literal["ActorRegistered"] = "ActorRegistered"
    #: The slug, written bare or as `actor:SLUG`.
    actor: Annotated[Slug, BeforeValidator(_bare_actor_slug)]
    name: Text
    wikidata: WikidataId | None = None

    def entity(self) -> str:
        return sys.intern(f"{ACTOR_PREFIX}{self.actor}")

    def parties(self) -> tuple[str, ...]:
        return (f"{ACTOR_PREFIX}{self.actor}",)


class Corrected(EventBase):
    """Amends fields of an earlier event, from this event's record time on."""

    stream: ClassVar[str] = "amendment"
    type: Literal["Corrected"] = "Corrected"
    target: uuid.UUID
    changes: Annotated[dict[str, JsonValue], Field(min_length=1)]
    reason: Text

    @model_validator(mode="after")
    def _changes_are_fields(self) -> Corrected:
        frozen = {"type", "id", "recorded_at"} & set(self.changes)
        if frozen:
            raise ValueError(f"a correction cannot change {', '.join(sorted(frozen))}")
        return self


class Retracted(EventBase):
    """Withdraws an earlier event from belief, from this event's record time on."""

    stream: ClassVar[str] = "amendment"
    type: Literal["Retracted"] = "Retracted"
    target: uuid.UUID
    reason: Text


Event: TypeAlias = Annotated[
    InstrumentOpened
    | EnteredIntoForce
    | Signed
    | Endorsed
    | Ratified
    | Withdrew
    | WithdrawalRevoked
    | Reserved
    | ReservationWithdrawn
    | Objected
    | TerritoryIncluded
    | TerritoryExcluded
    | Suspended
    | SuspensionEnded
    | Terminated
    | Continued
    | Condemned
    | Detained
    | Charged
    | Sentenced
    | Released
    | CasesLinked
    | CustodyChanged
    | Restricted
    | RestrictionLifted
    | Died
    | Escaped
    | Disappeared
    | Designated
    | ActorRegistered
    | Corrected
    | Retracted,
    Field(discriminator="type"),
]

EVENT_TYPES: Mapping[str, type[EventBase]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        InstrumentOpened,
        EnteredIntoForce,
        Signed,
        Endorsed,
        Ratified,
        Withdrew,
        WithdrawalRevoked,
        Reserved,
        ReservationWithdrawn,
        Objected,
        TerritoryIncluded,
        TerritoryExcluded,
        Suspended,
        SuspensionEnded,
        Terminated,
        Continued,
        Condemned,
        Detained,
        Charged,
        Sentenced,
        Released,
        CasesLinked,
        CustodyChanged,
        Restricted,
        RestrictionLifted,
        Died,
        Escaped,
        Disappeared,
        Designated,
        ActorRegistered,
        Corrected,
        Retracted,
    )
}

#: Acts under a treaty that are not a step of participation: only treaties take them.
TREATY_ACTS: tuple[type[EventBase], ...] = (
    Reserved,
    ReservationWithdrawn,
    Objected,
    TerritoryIncluded,
    TerritoryExcluded,
    Suspended,
    SuspensionEnded,
    Terminated,
)

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def describe_validation_error(error: ValidationError) -> str:
    """One readable sentence per problem, each naming the field."""
    problems = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item["loc"]]
        if loc and loc[0] in EVENT_TYPES:
            loc = loc[1:]
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "extra_forbidden":
            message = "unknown field"
        elif item["type"] == "union_tag_invalid":
            tag = item.get("ctx", {}).get("tag", "")
            message = f"unknown event type {tag!r}; expected one of {', '.join(EVENT_TYPES)}"
        elif item["type"] == "union_tag_not_found":
            message = "missing field 'type'"
        elif loc[-1:] == ["recorded_at"] and item["type"] in ("string_type", "string_pattern_mismatch"):
            message = _record_time_problem(item["input"])  # its shape is matched in pydantic-core
        field = ".".join(loc)
        problems.append(f"field {field!r}: {message}" if field else message)
    return "; ".join(problems)


def parse_event(data: Mapping[str, Any] | str | bytes | EventBase) -> Event:
    """Validate one event from a mapping or a JSON text; raise `InvalidEventError`."""
    if isinstance(data, EventBase):
        return data  # type: ignore[return-value]
    try:
        if isinstance(data, str | bytes):
            return EVENT_ADAPTER.validate_json(data)
        return EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidEventError(describe_validation_error(exc)) from None


COMMON_FIELD_DOCS = {
    "type": "The event type.",
    "id": "UUID; when absent, derived from the line's content (not its record time).",
    "occurred_on": "Valid time: when it happened in the world.",
    "recorded_at": "Record time: when the log learned it (RFC 3339 with offset); default: when recorded.",
    "sources": "Where the fact was reported.",
    "note": "Free text.",
}


def event_json_schema() -> dict[str, Any]:
    """The JSON Schema of one line of log format v1, generated from the models."""
    schema = EVENT_ADAPTER.json_schema()
    for name in EVENT_TYPES:
        properties = schema["$defs"][name]["properties"]
        properties["id"].pop("default", None)
        properties["id"]["description"] = COMMON_FIELD_DOCS["id"]
        for field_name, doc in COMMON_FIELD_DOCS.items():
            properties[field_name].setdefault("description", doc)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://declaration-events.invalid/schema/event-log-v1.json",
        "title": "declaration_events log format v1: one line",
        **schema,
    }
