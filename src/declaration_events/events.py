"""The event vocabulary of log format v1: frozen pydantic models and their union."""

from __future__ import annotations

import hashlib
import html
import json
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from .actors import ACTOR_PREFIX, resolve_captor, resolve_designator
from .dates import PartialDate
from .errors import InvalidEventError
from .parties import resolve_party

__all__ = [
    "DESIGNATIONS",
    "EVENT_TYPES",
    "RESTRICTIONS",
    "STATEMENTS",
    "ActorRegistered",
    "CasesLinked",
    "Charged",
    "Condemned",
    "Corrected",
    "CustodyChanged",
    "Designated",
    "Detained",
    "Died",
    "Disappeared",
    "Endorsed",
    "EnteredIntoForce",
    "Escaped",
    "Event",
    "EventBase",
    "InstrumentOpened",
    "Ratified",
    "Released",
    "Restricted",
    "RestrictionLifted",
    "Retracted",
    "Sentenced",
    "Signed",
    "Source",
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
#: Largest integer every JSON reader agrees on (I-JSON, RFC 7493), and within int64 for pandas/SQL.
MAX_JSON_INTEGER = 2**53 - 1

Text = Annotated[str, Strict(), StringConstraints(strip_whitespace=True, min_length=1)]
Slug = Annotated[
    str,
    Strict(),
    StringConstraints(pattern=r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$", max_length=200),
]
Party = Annotated[str, Strict(), AfterValidator(resolve_party)]
Kind = Literal["declaration", "treaty"]
ConsentMode = Literal["ratification", "acceptance", "approval", "accession", "succession"]
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


def _check_effective_on(effective_on: PartialDate | None, occurred_on: PartialDate) -> None:
    if effective_on is not None and effective_on.last < occurred_on.last:
        raise ValueError(f"effective_on {effective_on} is before occurred_on {occurred_on}")


class Source(BaseModel):
    """Where a fact was reported: every field optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: Text | None = None
    url: Text | None = None
    publisher: Text | None = None
    published_on: PartialDate | None = None


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
    recorded_at: AwareDatetime | None = None
    sources: tuple[Source, ...] = ()
    note: Text | None = None

    @model_validator(mode="after")
    def _check_times_and_derive_id(self) -> EventBase:
        if self.recorded_at is not None and self.occurred_on.first > self.recorded_at.date():
            raise ValueError(
                f"occurred_on {self.occurred_on} is after recorded_at "
                f"{self.recorded_at.isoformat()}: a fact cannot be recorded before it happened"
            )
        if self.id == _UNSET_ID:
            object.__setattr__(self, "id", self.derived_id())
        return self

    def derived_id(self) -> uuid.UUID:
        """The id derived from the event's content (not its record time): a uuid5."""
        content = self.model_dump(mode="json", exclude=_ID_EXCLUDED, exclude_none=True)
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        # uuid.uuid5, without its per-call overhead (it is on the hot path of every load).
        digest = hashlib.sha1(_NAMESPACE_BYTES + canonical.encode(), usedforsecurity=False).digest()
        return uuid.UUID(bytes=digest[:16], version=5)

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
        exclude = {"sources"} if not self.sources else None
        return self.model_dump_json(exclude_none=True, exclude=exclude)

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

    def parties(self) -> tuple[str, ...]:
        return (self.initiator,) if self.initiator else ()


class EnteredIntoForce(_InstrumentEvent):
    """A treaty enters into force."""

    type: Literal["EnteredIntoForce"] = "EnteredIntoForce"


class _Participation(_InstrumentEvent):
    party: Party

    def parties(self) -> tuple[str, ...]:
        return (self.party,)


class Signed(_Participation):
    """A party signs a declaration or a treaty."""

    cameo: ClassVar[str | None] = "057"
    plover: ClassVar[str | None] = "SUPPORT"
    type: Literal["Signed"] = "Signed"


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
        _check_effective_on(self.effective_on, self.occurred_on)
        return self


class Withdrew(_Participation):
    """A party withdraws from an instrument, in effect from `effective_on`."""

    type: Literal["Withdrew"] = "Withdrew"
    effective_on: PartialDate | None = None

    @model_validator(mode="after")
    def _effective_after_occurred(self) -> Withdrew:
        _check_effective_on(self.effective_on, self.occurred_on)
        return self


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
