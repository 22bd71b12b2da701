"""Hypothesis strategies for diplomatic facts: parties, dates, events, legal histories, whole logs.

Install the `test` extra to use them. Each strategy is a noun function with keyword-only
arguments returning a `SearchStrategy`; its docstring says what it generates and what it
shrinks towards. Legal histories are built by walking the transition tables of `rules`,
so they follow the same law the ledger enforces. Record times are always in the past
(no later than `LATEST_RECORD`), and never before the fact they record.

The event classes are registered with Hypothesis through its entry point, so
`st.from_type(Signed)` draws from `events(types=[Signed])`.
"""

from __future__ import annotations

# The hook comes before the imports: importing this module first imports Hypothesis, which
# runs its entry points, this hook among them, while this module is still loading.
# ruff: noqa: E402


def _hypothesis_setup_hook() -> None:
    """Register strategies for every event class, `Source`, `PartialDate`, `FinalClauses` and `Delay`
    (run by Hypothesis).

    The strategies are looked up when `st.from_type` first asks, once this module has loaded.
    """
    from hypothesis import strategies as st

    from ..dates import PartialDate
    from ..events import EVENT_TYPES, Delay, EventBase, FinalClauses, Source

    for cls in EVENT_TYPES.values():
        st.register_type_strategy(cls, lambda thing: events(types=[thing]))
    st.register_type_strategy(EventBase, lambda _: events())
    st.register_type_strategy(Source, lambda _: sources())
    st.register_type_strategy(PartialDate, lambda _: dates())
    st.register_type_strategy(FinalClauses, lambda _: _any_final_clauses())
    st.register_type_strategy(Delay, lambda _: _delays())


from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cache
from typing import Any, Literal, NamedTuple, TypeAlias, get_args
from uuid import UUID

import pycountry
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..actors import ACTOR_PREFIX, BODIES
from ..dates import PartialDate
from ..events import (
    DESIGNATIONS,
    EVENT_TYPES,
    RESTRICTIONS,
    TREATY_ACTS,
    TREATY_KINDS,
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
    EventBase,
    FinalClauses,
    InstrumentOpened,
    Objected,
    Ratified,
    Released,
    ReservationKind,
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
)
from ..parties import EXTRA_ENTITIES, resolve_party
from ..rules import (
    APPLIES_TO,
    CASE_TRANSITIONS,
    CUSTODY,
    IN_CUSTODY,
    INSTEAD_OF_CUSTODY,
    LIFECYCLE_RANK,
    LIFTED,
    PARTICIPATION_TRANSITIONS,
    RESTRICTION_STATUS,
    RULES,
    SEVERITY,
    CaseState,
    fold_case,
)
from .model import _ACTING, _SAME_DAY, Broken, replay_instrument, standing

__all__ = [
    "EARLIEST",
    "LATEST_RECORD",
    "LATEST_VALID",
    "Illegal",
    "dates",
    "event_logs",
    "events",
    "histories",
    "illegal_events",
    "instruments",
    "parties",
    "sources",
]

#: Default bounds of generated valid dates, and the latest generated record time.
EARLIEST = date(1990, 1, 1)
LATEST_VALID = date(2025, 6, 30)
LATEST_RECORD = datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC)

Kind = Literal["declaration", "treaty", "bilateral_treaty"]
HistoryKind = Literal["declaration", "treaty", "bilateral_treaty", "case"]
EventType: TypeAlias = type[EventBase] | str
#: The kinds of history an offence against a rule of participation is built on (a bilateral treaty
#: takes no newcomer: its offences are its own).
_INSTRUMENTS: tuple[HistoryKind, ...] = ("declaration", "treaty")
_ANY: tuple[HistoryKind, ...] = ("declaration", "treaty", "case")
#: The kinds of legal history (and of instrument in a log).
_INSTRUMENT_KINDS: tuple[HistoryKind, ...] = ("declaration", "treaty", "bilateral_treaty")
_ALL_KINDS: tuple[HistoryKind, ...] = (*_INSTRUMENT_KINDS, "case")
#: Same-day ranks: the law's (the reference model's, which are the spec's, for instrument facts;
#: the rules' for the rest, where the two agree).
_RANKS: dict[str, int] = {**LIFECYCLE_RANK, **_SAME_DAY}
#: Treaty acts (issue 14): the facts a walk of a treaty may take besides participations.
_ACT_TYPES: dict[str, type[EventBase]] = {cls.__name__: cls for cls in TREATY_ACTS}
_WHOLE = "*"  # stands for the whole treaty (a suspension, its end, a termination)
#: Territories for whose relations a state is responsible (ISO 3166-1), and those any party may name.
_TERRITORIES_OF: dict[str, tuple[str, ...]] = {
    "GBR": ("FLK", "GIB", "BMU", "CYM", "MSR"),
    "NLD": ("ABW", "CUW", "BES", "SXM"),
    "DNK": ("GRL", "FRO"),
    "USA": ("PRI", "GUM", "ASM", "VIR"),
    "FRA": ("NCL", "PYF", "GLP", "REU"),
    "CHN": ("HKG", "MAC"),
    "NZL": ("COK", "NIU", "TKL"),
    "AUS": ("NFK", "CXR", "CCK"),
}
_TERRITORIES: tuple[str, ...] = tuple(t for ts in _TERRITORIES_OF.values() for t in ts)
_ARTICLES = ("6", "2", "6(5)", "14 (3) (d)", "19", "29")
_RESERVATION_KINDS: tuple[str, ...] = get_args(ReservationKind)
_MADE_ON = ("later", "signature", "consent")  # the loosest first: shrinks towards it

# Parties that read well in a failing example come first: strategies shrink towards them.
_FIRST_PARTIES = ("CAN", "CHN", "USA", "EU", "GBR", "AUS", "FRA", "DEU", "JPN", "XKX")
_ALL_PARTIES = tuple(
    dict.fromkeys((*_FIRST_PARTIES, *sorted(c.alpha_3 for c in pycountry.countries), *sorted(EXTRA_ENTITIES)))
)
_ZONES: tuple[tzinfo, ...] = (
    UTC,
    timezone(timedelta(hours=-5)),
    timezone(timedelta(hours=5, minutes=30)),
    timezone(timedelta(hours=14)),
)
_MECHANISMS = (
    "bail",
    "acquittal",
    "deportation",
    "exchange",
    "pardon",
    "sentence_served",
    "agreement",
    "other",
)
_FREE_MECHANISMS = tuple(m for m in _MECHANISMS if m != "bail")
_BANS = tuple(r for r in RESTRICTIONS if r not in INSTEAD_OF_CUSTODY)
_CATEGORIES = ("I", "II", "III", "IV", "V")
#: Every way of consenting to be bound (UNTC's vocabulary), and of signing.
_MODES = (
    "ratification",
    "acceptance",
    "approval",
    "accession",
    "succession",
    "definitive_signature",
    "formal_confirmation",
)
_SIGNATURE_MODES = (None, "signature", "succession")
_SLUG_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_DAY = timedelta(days=1)


# -- building blocks -------------------------------------------------------------------------


# Strategies are built once and reused: building and validating one per draw is what costs.


@cache
def _texts(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Non-empty text, already stripped; any Unicode but surrogates (shrinks towards "0")."""
    return (
        st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(bool)
    )


@cache
def _slugs() -> st.SearchStrategy[str]:
    word = st.text(_SLUG_ALPHABET, min_size=1, max_size=8)
    return st.builds(
        lambda words, sep: sep.join(words),
        st.lists(word, min_size=1, max_size=3),
        st.sampled_from("-_."),
    )


def _coarsen(day: date, precision: int) -> PartialDate:
    if precision == 2:
        return PartialDate(day.year)
    if precision == 1:
        return PartialDate(day.year, day.month)
    return PartialDate(day.year, day.month, day.day)


@cache
def _precisions(partial: bool) -> st.SearchStrategy[int]:
    """0 = day (mostly), 1 = month, 2 = year; shrinks towards day."""
    if not partial:
        return st.just(0)
    return st.integers(0, 9).map(lambda n: 0 if n < 8 else n - 7)


def _date(draw: st.DrawFn, lo: date, hi: date, partial: bool) -> PartialDate:
    """A date whose whole period lies in `[lo, hi]`; shrinks towards `lo`, known to the day."""
    day = lo + timedelta(days=draw(st.integers(0, (hi - lo).days)))
    coarse = _coarsen(day, draw(_precisions(partial)))
    return coarse if lo <= coarse.first and coarse.last <= hi else _coarsen(day, 0)


@cache
def _dates(lo: date, hi: date, partial: bool) -> st.SearchStrategy[PartialDate]:
    return st.composite(lambda draw: _date(draw, lo, hi, partial))()


@cache
def _lags() -> st.SearchStrategy[int]:
    """Seconds a record comes after its fact: the same day, within months, or decades later."""
    return st.one_of(st.integers(0, 86_399), st.integers(0, 120 * 86_400), st.integers(0, 25 * 366 * 86_400))


def _record_time(draw: st.DrawFn, after: date, not_before: datetime | None = None) -> datetime:
    """A record time on or after `after` (in its own zone) and `not_before`; late, sometimes years late."""
    zone = draw(st.sampled_from(_ZONES))
    base = datetime.combine(after, time(), tzinfo=zone)
    if not_before is not None and not_before.astimezone(zone) > base:
        base = not_before.astimezone(zone)
    stamp = base + timedelta(seconds=draw(_lags()))
    latest = LATEST_RECORD.astimezone(zone)
    return max(base, latest) if stamp > latest else stamp


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@cache
def _extras() -> st.SearchStrategy[dict[str, Any]]:
    """Sources and note, the fields of a fact that say where it comes from."""
    return st.fixed_dictionaries(
        {"sources": st.lists(sources(), max_size=2).map(tuple), "note": _optional(_texts())}
    )


def _common(draw: st.DrawFn, occurred_on: PartialDate) -> dict[str, Any]:
    """The fields every fact has, for a fact on `occurred_on`."""
    return {
        "occurred_on": occurred_on,
        "recorded_at": _record_time(draw, occurred_on.first),
        **draw(_extras()),
    }


# -- small public strategies -------------------------------------------------------------------


def parties(*, among: Iterable[str] | None = None) -> st.SearchStrategy[str]:
    """Stored party codes (ISO 3166-1 alpha-3, `EU`, `XKX`), from `among` if given (codes or names).

    Shrinks towards the first of `among`, or towards `CAN`.
    """
    pool = _ALL_PARTIES if among is None else tuple(dict.fromkeys(resolve_party(name) for name in among))
    if not pool:
        raise InvalidArgument("parties(among=...) needs at least one party")
    return _choose(pool)


@cache
def _choose(pool: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.sampled_from(pool)


def dates(
    *, min_value: date = EARLIEST, max_value: date = LATEST_VALID, partial: bool = True
) -> st.SearchStrategy[PartialDate]:
    """Valid-time dates whose whole period lies within `[min_value, max_value]`.

    With `partial`, about one in five is known only to the month or the year.
    Shrinks towards `min_value`, known to the day.
    """
    if min_value > max_value:
        raise InvalidArgument(f"min_value={min_value} is after max_value={max_value}")
    return _dates(min_value, max_value, partial)


def sources() -> st.SearchStrategy[Source]:
    """Where a fact was reported: title, url, publisher and publication date, each optional.

    Shrinks towards `Source()`, with every field empty.
    """
    return _sources()


@cache
def _sources() -> st.SearchStrategy[Source]:
    urls = st.builds(
        lambda host, path: f"https://{host}.example/{path}",
        st.text(_SLUG_ALPHABET, min_size=1, max_size=10),
        st.text(_SLUG_ALPHABET + "/-", max_size=20),
    )
    return st.builds(
        Source,
        title=_optional(_texts()),
        url=_optional(urls | _texts()),
        publisher=_optional(_texts(max_size=20)),
        published_on=_optional(dates()),
    )


def _mostly(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The strategy three times in four, else None (shrinks towards None)."""
    return st.tuples(st.integers(0, 3), strategy).map(lambda pair: pair[1] if pair[0] else None)


@cache
def _delays() -> st.SearchStrategy[Delay]:
    """Delays of every shape, up to about two years: days, months, a day of a month, years.

    Shrinks towards `{"days": 0}` (at once).
    """
    return st.one_of(
        st.builds(Delay, days=st.integers(0, 400)),
        st.builds(Delay, months=st.integers(0, 24)),
        st.builds(Delay, months=st.integers(1, 24), day=st.integers(1, 31)),
        st.builds(Delay, years=st.integers(0, 2)),
        st.builds(Delay, years=st.integers(1, 2), day=st.integers(1, 31)),
    )


@cache
def _final_clauses() -> st.SearchStrategy[tuple[FinalClauses, int | str | None]]:
    """A treaty's final clauses, any key missing, and when signature closes (days after opening, at
    entry into force, or never): see `_clauses`. Shrinks towards clauses that give nothing."""
    clauses = st.builds(
        FinalClauses,
        consents_required=_mostly(st.integers(1, 3)),
        entry_into_force=_mostly(_delays()),
        later_consents=_optional(_delays()),
        withdrawal=_optional(_delays()),
    )
    closes = st.one_of(st.none(), st.just("at_entry_into_force"), st.integers(0, 3 * 366))
    return st.tuples(clauses, closes)


@cache
def _any_final_clauses() -> st.SearchStrategy[FinalClauses]:
    """Final clauses of every shape, signature closing on any date (what `st.from_type` draws)."""
    closes = st.one_of(st.none(), st.just("at_entry_into_force"), dates())
    return st.builds(
        lambda pair, day: pair[0].model_copy(update={"signature_closes": day}), _final_clauses(), closes
    )


def _clauses(draw: st.DrawFn, opened: date, hi: date, *, closing: bool = False) -> FinalClauses:
    """Final clauses for a treaty opened on `opened`: a few consents bring it into force after a
    delay, later consents and withdrawals take effect after theirs, signature closes on a date
    no later than `hi` or at entry into force (always, with `closing`)."""
    clauses, closes = draw(_final_clauses())
    if closes is None and closing:
        closes = "at_entry_into_force" if draw(st.booleans()) else draw(st.integers(0, 3 * 366))
    if isinstance(closes, int):
        day = _coarsen(min(opened + timedelta(days=closes), max(opened, hi)), 0)
        return clauses.model_copy(update={"signature_closes": day})
    return clauses.model_copy(update={"signature_closes": closes})


@st.composite
def _instruments(
    draw: st.DrawFn, kind: Kind | None, min_value: date, max_value: date, partial: bool
) -> InstrumentOpened:
    occurred_on = _date(draw, min_value, max_value, partial)
    chosen = kind or draw(st.sampled_from(_INSTRUMENT_KINDS))
    clauses = None
    if chosen in TREATY_KINDS and draw(st.booleans()):
        clauses = _clauses(draw, occurred_on.first, max_value)
    between = None
    if chosen == "bilateral_treaty":
        between = tuple(draw(st.lists(parties(), min_size=2, max_size=2, unique=True)))
    return InstrumentOpened(
        instrument=draw(_slugs()),
        title=draw(_texts()),
        kind=chosen,
        initiator=draw(_optional(parties())),
        final_clauses=clauses,
        between=between,
        **_common(draw, occurred_on),
    )


def instruments(
    *,
    kind: Kind | None = None,
    min_value: date = EARLIEST,
    max_value: date = LATEST_VALID,
    partial: bool = True,
) -> st.SearchStrategy[InstrumentOpened]:
    """The opening of an instrument (`InstrumentOpened`): a declaration, treaty or bilateral treaty
    (naming its two parties), or of `kind`.

    Half the treaties have final clauses, any of their keys missing: how many consents
    bring the treaty into force and after what delay, when later consents and withdrawals
    take effect (delays in days, months, a day of the Nth month, years), and when signature
    closes (a date, or at entry into force).
    Shrinks towards a declaration with slug `"0"`, title `"0"`, no initiator, opened on `min_value`
    (and a treaty towards one without final clauses).
    """
    return _instruments(kind, min_value, max_value, partial)


# -- single events -----------------------------------------------------------------------------


@st.composite
def _any_event(draw: st.DrawFn, cls: type[EventBase], lo: date, hi: date, partial: bool) -> EventBase:
    """One event of `cls` with every field valid and independent of any other fact."""
    if cls is InstrumentOpened:
        return draw(instruments(min_value=lo, max_value=hi, partial=partial))
    on = _date(draw, lo, hi, partial)
    common = _common(draw, on)
    party = parties()
    later = st.integers(0, 3 * 366).map(lambda days: _coarsen(on.last + timedelta(days=days), 0))
    if cls.__name__ in _ACT_TYPES:
        return _any_treaty_act(draw, cls, common, later)
    if cls in (EnteredIntoForce, Signed, Endorsed, Ratified, Withdrew, WithdrawalRevoked):
        fields: dict[str, Any] = {"instrument": draw(_slugs())}
        if cls is not EnteredIntoForce:
            fields["party"] = draw(party)
        if cls is Signed:
            fields["mode"] = draw(st.sampled_from(_SIGNATURE_MODES))
        if cls is Ratified:
            fields["mode"] = draw(st.sampled_from(_MODES))
        if cls in (Ratified, Withdrew):
            fields["effective_on"] = draw(_optional(later))
            if fields.get("mode") == "succession" and draw(st.booleans()):  # in effect before it was notified
                earlier = max(EARLIEST, on.first - timedelta(days=draw(st.integers(1, 3 * 366))))
                fields["effective_on"] = _coarsen(earlier, 0)
        return cls(**fields, **common)
    if cls is Continued:
        successor, predecessor = draw(st.lists(party, min_size=2, max_size=2, unique=True))
        return Continued(party=successor, predecessor=predecessor, **common)
    if cls is Condemned:
        return Condemned(
            actor=draw(party),
            subject=draw(_texts()),
            target=draw(_optional(party)),
            instrument=draw(_optional(_slugs())),
            case=draw(_optional(_slugs())),
            speaker=draw(_optional(_texts(max_size=20))),
            quote=draw(_optional(_texts())),
            **common,
        )
    if cls is ActorRegistered:
        return ActorRegistered(
            actor=draw(_slugs()),
            name=draw(_texts()),
            wikidata=draw(_optional(_wikidata_ids())),
            **common,
        )
    case = draw(_slugs())
    if cls in (Detained, Charged, Sentenced, Released, CasesLinked):
        return _classic_case_event(draw, cls, case, common)
    if cls is CustodyChanged:
        location = draw(_optional(_texts(max_size=20)))
        return CustodyChanged(case=case, basis=draw(_texts()), location=location, **common)
    if cls is Restricted:
        return Restricted(
            case=case,
            restriction=draw(st.sampled_from(RESTRICTIONS)),
            conditions=draw(_optional(_texts())),
            **common,
        )
    if cls is RestrictionLifted:
        return RestrictionLifted(case=case, restriction=draw(st.sampled_from(RESTRICTIONS)), **common)
    if cls is Died:
        return Died(case=case, in_custody=draw(st.booleans()), cause=draw(_optional(_texts())), **common)
    if cls in (Escaped, Disappeared):
        return cls(case=case, **common)
    if cls is Designated:
        return Designated(case=case, **draw(_designation(parties())), **common)
    target = draw(st.uuids())
    if cls is Corrected:
        changes = draw(
            st.dictionaries(st.sampled_from(("note", "subject", "title", "person")), _texts(), min_size=1)
        )
        return Corrected(target=target, changes=changes, reason=draw(_texts()), **common)
    if cls is Retracted:
        return Retracted(target=target, reason=draw(_texts()), **common)
    raise InvalidArgument(f"{cls!r} is not an event type of declaration_events")


def _territories(party: str) -> st.SearchStrategy[str]:
    """Real territories a party applies a treaty to: its own dependencies if it has some, never itself."""
    return _choose(tuple(t for t in _TERRITORIES_OF.get(party, _TERRITORIES) if t != party))


def _reservation_fields(draw: st.DrawFn, made_on: str) -> dict[str, Any]:
    """What a `Reserved` says: its kind, text and articles (made on `made_on`)."""
    return {
        "kind": draw(st.sampled_from(_RESERVATION_KINDS)),
        "text": draw(_texts()),
        "articles": tuple(draw(st.lists(st.sampled_from(_ARTICLES), max_size=2, unique=True))),
        "made_on": made_on,
    }


def _any_treaty_act(
    draw: st.DrawFn, cls: type[EventBase], common: dict[str, Any], later: st.SearchStrategy[PartialDate]
) -> EventBase:
    """One treaty act (issue 14), every field valid, naming an instrument and ids nobody may have recorded."""
    fields: dict[str, Any] = {"instrument": draw(_slugs())}
    if cls is Terminated:
        return Terminated(**fields, **common)
    if cls in (Suspended, SuspensionEnded):
        return cls(**fields, party=draw(_optional(parties())), **common)
    party = fields["party"] = draw(parties())
    if cls is Reserved:
        return Reserved(**fields, **_reservation_fields(draw, draw(st.sampled_from(_MADE_ON))), **common)
    if cls is ReservationWithdrawn:
        return ReservationWithdrawn(
            **fields, reservation=draw(st.uuids()), text=draw(_optional(_texts())), **common
        )
    if cls is Objected:
        return Objected(
            **fields,
            to=draw(parties().filter(lambda p: p != party)),
            reservation=draw(_optional(st.uuids())),
            text=draw(_texts()),
            precludes_entry_into_force=draw(st.booleans()),
            **common,
        )
    territorial = TerritoryIncluded if cls is TerritoryIncluded else TerritoryExcluded
    return territorial(
        **fields, territory=draw(_territories(party)), effective_on=draw(_optional(later)), **common
    )


def _classic_case_event(
    draw: st.DrawFn, cls: type[EventBase], case: str, common: dict[str, Any]
) -> EventBase:
    """One event of the case types format v1 had before restrictions and outcomes."""
    if cls is Detained:
        return Detained(case=case, **_detention(draw), **common)
    if cls is Charged:
        charges = tuple(draw(st.lists(_texts(), min_size=1, max_size=3)))
        person: dict[str, Any] = {}
        if draw(st.booleans()):  # a charge that names the person (it may open a case)
            detention = _detention(draw)
            person = {"person": detention["person"], "nationalities": detention["nationalities"]}
            person["charging_state"] = draw(parties())
        elif draw(st.booleans()):
            person["charging_state"] = draw(parties())
        return Charged(case=case, charges=charges, **person, **common)
    if cls is Sentenced:
        return Sentenced(
            case=case, sentence=draw(_texts()), term_days=draw(_optional(st.integers(0, 20_000))), **common
        )
    if cls is Released:
        return Released(case=case, mechanism=draw(st.sampled_from(_MECHANISMS)), **common)
    other = draw(_slugs().filter(lambda s: s != case))
    return CasesLinked(case=case, other_case=other, relation=draw(_texts()), **common)


@cache
def _wikidata_ids() -> st.SearchStrategy[str]:
    return st.integers(1, 10**9).map(lambda n: f"Q{n}")


@st.composite
def _designation(draw: st.DrawFn, designators: st.SearchStrategy[str]) -> dict[str, Any]:
    """The fields of a `Designated`: kind, by whom (a party, a body or what `designators` gives)."""
    kind = draw(st.sampled_from(DESIGNATIONS))
    categories = None
    if kind == "arbitrary_detention_opinion" and draw(st.booleans()):
        categories = tuple(draw(st.lists(st.sampled_from(_CATEGORIES), min_size=1, max_size=3, unique=True)))
    return {
        "designation": kind,
        "by": draw(st.sampled_from(tuple(BODIES)) | designators),
        "reference": draw(_optional(_texts(max_size=20))),
        "categories": categories,
    }


def _detention(
    draw: st.DrawFn, pool: Sequence[str] | None = None, actors: Sequence[str] = ()
) -> dict[str, Any]:
    """The fields of a `Detained`: the captor under its new name or its old one, a party or an actor."""
    party = parties(among=pool) if pool else parties()
    captor = draw(st.sampled_from(tuple(actors)) | party) if actors else draw(party)
    return {
        "person": draw(_texts(max_size=30)),
        "nationalities": tuple(draw(st.lists(party, min_size=1, max_size=2, unique=True))),
        draw(st.sampled_from(("detaining_state", "detained_by"))): captor,
        "requested_by": draw(_optional(party)),
        "location": draw(_optional(_texts(max_size=20))),
    }


def _event_class(kind: EventType) -> type[EventBase]:
    if isinstance(kind, str):
        if kind not in EVENT_TYPES:
            raise InvalidArgument(f"unknown event type {kind!r}; expected one of {', '.join(EVENT_TYPES)}")
        return EVENT_TYPES[kind]
    if kind not in EVENT_TYPES.values():
        raise InvalidArgument(f"{kind!r} is not an event type of declaration_events")
    return kind


def events(
    *,
    types: Iterable[EventType] | None = None,
    min_value: date = EARLIEST,
    max_value: date = LATEST_VALID,
    partial: bool = True,
) -> st.SearchStrategy[Event]:
    """Single valid events of the given types (classes or type names; default: all of them).

    Every field is valid and the event has a record time, but it is not necessarily legal
    in context (it may name an instrument nobody opened): use `histories()` or
    `event_logs()` for facts a ledger accepts. Treaties come with and without final
    clauses, consents in every mode (a succession sometimes in effect before it was
    notified), signatures in person or by succession.
    Shrinks towards the first type given (`InstrumentOpened` by default) with its
    simplest values, dated `min_value`.
    """
    classes = [_event_class(t) for t in (types if types is not None else EVENT_TYPES.values())]
    if not classes:
        raise InvalidArgument("events(types=...) needs at least one type")
    return st.one_of(*(_any_event(cls, min_value, max_value, partial) for cls in dict.fromkeys(classes)))


# -- legal histories, by walking the transition tables ------------------------------------------


@dataclass(frozen=True)
class _Fact:
    """A generated fact, with what event_logs needs to amend it and stay legal."""

    event: EventBase
    floor: date  # the earliest day it can be moved to (by a correction) and keep the path legal
    retractable: bool = False


@dataclass
class _Walk:
    """A legal history under construction, for one instrument or case."""

    slug: str
    kind: HistoryKind
    lo: date
    hi: date
    partial: bool
    pool: list[str]
    facts: list[_Fact] = field(default_factory=list)
    last_day: date = EARLIEST
    last_rank: int = -1
    # instruments
    clauses: FinalClauses | None = None
    last_of: dict[str, int] = field(default_factory=dict)  # party -> index of its latest fact
    force_index: int | None = None
    # cases
    status: str | None = None
    state: CaseState | None = None  # the case as the rules fold the walk so far
    detention: dict[str, Any] = field(default_factory=dict)
    last_status_index: int | None = None
    mortal: bool = True  # whether the last fact may be a death (a treaty's end, for a treaty)
    aim: tuple[str, str | None] | None = None  # a transition (key, status met) the walk heads for
    actors: tuple[str, ...] = ()  # registered actors (actor:SLUG) a captor may be

    def events(self) -> list[Event]:
        return [fact.event for fact in self.facts]  # type: ignore[misc]

    def add(self, event: EventBase, floor: date) -> None:
        self.facts.append(_Fact(event, floor))
        self.last_day = event.occurred_on.last
        self.last_rank = _RANKS.get(event.type, 5)


def _next_day(draw: st.DrawFn, walk: _Walk, remaining: int) -> date:
    """A day on or after the walk's last, leaving room for `remaining` more facts before `hi`."""
    room = max(0, (walk.hi - walk.last_day).days - remaining)
    budget = min(400, room // (remaining + 1))
    return walk.last_day + timedelta(days=draw(st.integers(0, budget)))


def _dated(draw: st.DrawFn, walk: _Walk, day: date, remaining: int) -> PartialDate:
    """`day`, or (sometimes) its month or year when that period still leaves room after it."""
    coarse = _coarsen(day, draw(_precisions(walk.partial)))
    room = (walk.hi - coarse.last).days
    return coarse if room >= 2 * remaining + 1 else _coarsen(day, 0)


def _later(draw: st.DrawFn, on: PartialDate, *, min_days: int, partial: bool) -> PartialDate:
    """An effective date at least `min_days` after `on`'s last day (possibly past LATEST_VALID).

    A partial one is often the month or year of the fact itself ("in effect some time this
    year"): a period that starts before the fact that sets it.
    """
    precision = draw(_precisions(partial))
    soon = precision > 0 and draw(st.booleans())
    day = on.last + timedelta(days=min_days if soon else draw(st.integers(min_days, 3 * 366)))
    return _coarsen(day, precision)


_PARTICIPATION: dict[str, type[EventBase]] = {
    "Signed": Signed,
    "Endorsed": Endorsed,
    "Ratified": Ratified,
    "Withdrew": Withdrew,
    "WithdrawalRevoked": WithdrawalRevoked,
}
_FRESH = "+"  # stands for a party new to the instrument
#: From this rank on, a fact meets an entry into force derived that day.
_LATER_RANK = _RANKS["EnteredIntoForce"] + 1
_LAST = 99  # after every fact of a day


def _transitions() -> dict[str, dict[str | None, str]]:
    """The rules' participation table, with what issue 14 adds to it (a suspended party may withdraw),
    for the participation facts a walk draws."""
    table = {key: dict(cells) for key, cells in PARTICIPATION_TRANSITIONS.items() if key in _PARTICIPATION}
    table["Withdrew"].setdefault("suspended", "withdrawing")
    return table


def _options(walk: _Walk, at: date, remaining: int = 1) -> list[tuple[str, str | None]]:
    """(event type, party) pairs the tables allow for a fact on `at`, with the statuses the law gives then.

    A party already bound may also consent again on the day it denounces (the withdrawal is
    taken first, as for Trinidad and Tobago in 1998). A treaty's acts come too (`_act_options`);
    what ends a treaty (a termination, a withdrawal from a bilateral one) only as the last fact
    (`remaining` 0) of a `mortal` walk.
    """
    history = walk.events()
    early, late = standing(history, at, 1), standing(history, at, _LATER_RANK)
    same_day = at == walk.last_day
    options: list[tuple[str, str | None]] = []
    table_kind = "treaty" if walk.kind in TREATY_KINDS else walk.kind
    bilateral = walk.kind == "bilateral_treaty"
    for party in [*walk.pool, *([] if bilateral else [_FRESH])]:
        for event_type, table in _transitions().items():
            rank = _RANKS[event_type]
            if table_kind not in APPLIES_TO[event_type][0] or (same_day and rank <= walk.last_rank):
                continue
            if bilateral and event_type == "Withdrew" and (remaining or not walk.mortal):
                continue
            seat = (late if rank >= _LATER_RANK else early).seats.get(party)
            if (seat.status if seat else None) in table:
                options.append((event_type, party))
    force_rank = _RANKS["EnteredIntoForce"]
    if walk.kind in TREATY_KINDS and late.force is None and (not same_day or walk.last_rank < force_rank):
        options.append(("EnteredIntoForce", None))
    last = walk.facts[-1].event if walk.facts else None
    if same_day and isinstance(last, Withdrew) and walk.kind == "treaty":
        before = standing(history[:-1], at, _RANKS["Ratified"]).seats.get(last.party)
        if before is not None and before.status in ("ratified", "party", "suspended"):
            options.append(("Ratified", last.party))
    if walk.kind in TREATY_KINDS:
        options += _act_options(walk, early, late, same_day, remaining)
    return options


def _act_options(
    walk: _Walk, early: Any, late: Any, same_day: bool, remaining: int
) -> list[tuple[str, str | None]]:
    """The treaty acts the law (as the model restates it) allows next: reservations and their
    withdrawal, objections, territories, suspensions and their end, and (last) a termination."""
    options: list[tuple[str, str | None]] = []

    def fits(event_type: str) -> bool:
        return not same_day or _RANKS[event_type] > walk.last_rank

    for party in walk.pool:
        seat, after = early.seats.get(party), late.seats.get(party)
        if seat is not None and seat.status in _ACTING:
            options += [(t, party) for t in ("Reserved", "TerritoryIncluded", "TerritoryExcluded") if fits(t)]
            mine = [r for r in early.reservations.values() if r.party == party and r.standing()]
            if mine and fits("ReservationWithdrawn"):
                options.append(("ReservationWithdrawn", party))
            others = [r for r in early.reservations.values() if r.party != party and r.standing()]
            if any(early.reservation_in_force(r.party) for r in others) and fits("Objected"):
                options.append(("Objected", party))
        if after is not None and after.status == "party" and fits("Suspended"):
            options.append(("Suspended", party))
        if after is not None and after.suspended and after.status == "suspended" and fits("SuspensionEnded"):
            options.append(("SuspensionEnded", party))
    if late.force is not None and not late.suspended and fits("Suspended"):
        options.append(("Suspended", _WHOLE))
    if late.suspended and fits("SuspensionEnded"):
        options.append(("SuspensionEnded", _WHOLE))
    if not remaining and walk.mortal and fits("Terminated"):
        options.append(("Terminated", _WHOLE))
    return options


def _participation(
    draw: st.DrawFn, walk: _Walk, event_type: str, party: str, occurred_on: PartialDate, *, retry: bool
) -> EventBase:
    """A fact of `event_type` by `party` on `occurred_on`, every mode and kind of date of effect among them.

    `retry`: the first try was illegal; a consent now takes effect no earlier than the party's
    pending withdrawal (a consent given while withdrawing), a signature is a succession to one.
    """
    common = _common(draw, occurred_on)
    fields: dict[str, Any] = {"instrument": walk.slug, "party": party}
    if event_type == "Signed":
        fields["mode"] = "succession" if retry else draw(st.sampled_from(_SIGNATURE_MODES))
    elif event_type == "Ratified":
        fields["mode"] = mode = draw(st.sampled_from(_MODES))
        how = draw(st.integers(0, 3))  # 0, 1: by the clauses (or at once); 2: later; 3: before notice
        how = 3 if mode == "succession" and how == 1 else how
        opened = walk.facts[0].event.occurred_on.first
        if retry:
            seat = standing(walk.events(), occurred_on.last, _RANKS["Ratified"]).seats.get(party)
            leaving = seat.leaving.on if seat is not None and seat.leaving is not None else occurred_on.last
            start = max(leaving, occurred_on.last)
            fields["effective_on"] = _coarsen(start + timedelta(days=draw(st.integers(0, 400))), 0)
        elif how == 2:
            fields["effective_on"] = _later(draw, occurred_on, min_days=0, partial=walk.partial)
        elif how == 3 and mode == "succession" and party not in walk.last_of and opened < occurred_on.first:
            back = draw(st.integers(1, min(3 * 366, (occurred_on.first - opened).days)))
            fields["effective_on"] = _coarsen(occurred_on.first - timedelta(days=back), 0)
    elif event_type == "Withdrew" and draw(st.booleans()):  # takes effect later, often months later
        fields["effective_on"] = _later(draw, occurred_on, min_days=1, partial=walk.partial)
    return _PARTICIPATION[event_type](**fields, **common)


def _legal(history: list[Event], event: EventBase) -> bool:
    """Whether the law (restated by the reference model) takes `event` after `history` (as a new fact)."""
    if any(fact.id == event.id for fact in history):  # the same fact twice is one fact
        return False
    try:
        replay_instrument([*history, event])
    except Broken:
        return False
    return True


def _step_instrument(draw: st.DrawFn, walk: _Walk, remaining: int) -> None:
    """Add one legal participation (or entry into force) chosen from the rules' tables.

    Statuses come from the law as the reference model restates it (final clauses, dates of
    effect, pending withdrawals); each fact is checked legal there before it is added.
    """
    day = _next_day(draw, walk, remaining)
    while True:
        occurred_on = _dated(draw, walk, day, remaining)
        options = _options(walk, occurred_on.last, remaining)
        # A treaty's end is often its last fact (else rare); its acts come one time in three.
        ends = [
            o
            for o in options
            if o[0] == "Terminated" or (o[0] == "Withdrew" and walk.kind == "bilateral_treaty")
        ]
        acts = [o for o in options if o[0] in _ACT_TYPES and o not in ends]
        if ends and draw(st.integers(0, 2)) == 2:
            options = ends
        elif acts and len(acts) < len(options):
            options = acts if draw(st.integers(0, 2)) == 2 else [o for o in options if o not in acts]
        while options:
            event_type, chosen = draw(st.sampled_from(options))
            options.remove((event_type, chosen))
            if _add_step(draw, walk, event_type, chosen, occurred_on):
                return
        day += _DAY


def _add_step(
    draw: st.DrawFn, walk: _Walk, event_type: str, chosen: str | None, occurred_on: PartialDate
) -> bool:
    """Add the fact if the law takes it (a second try for a consent or a signature); whether it did."""
    history = walk.events()
    floor = walk.last_day + _DAY
    index = len(walk.facts)
    same_day = occurred_on.last == walk.last_day
    if event_type in _ACT_TYPES:
        assert chosen is not None  # noqa: S101 - a party, or the whole treaty
        act = _treaty_act(draw, walk, event_type, chosen, occurred_on)
        if act is None or not _legal(history, act):
            return False
        walk.add(act, floor)
        return True
    if chosen is None:
        event: EventBase = EnteredIntoForce(instrument=walk.slug, **_common(draw, occurred_on))
        if not _legal(history, event):
            return False
        walk.add(event, floor)
        walk.force_index = index
        return True
    party = chosen
    if party == _FRESH:
        party = draw(parties().filter(lambda p: p not in walk.last_of))
    for retry in (False, True):
        if retry and event_type not in ("Signed", "Ratified"):
            return False
        event = _participation(draw, walk, event_type, party, occurred_on, retry=retry)
        if _legal(history, event):
            break
    else:
        return False
    if chosen == _FRESH:
        walk.pool.append(party)
    rank = walk.last_rank
    walk.add(event, floor)
    if same_day and isinstance(event, Ratified) and rank > _RANKS["Ratified"]:
        walk.last_rank = rank  # consenting again on the day it denounced: the denunciation stays first
    walk.last_of[party] = index
    return True


def _treaty_act(
    draw: st.DrawFn, walk: _Walk, event_type: str, chosen: str, occurred_on: PartialDate
) -> EventBase | None:
    """A treaty act of `event_type` by `chosen` (or the whole treaty) on `occurred_on`, naming what it
    must (a reservation in force, a territory not already so), or None if there is nothing to name."""
    common = _common(draw, occurred_on)
    fields: dict[str, Any] = {"instrument": walk.slug}
    cls = _ACT_TYPES[event_type]
    if cls is Terminated:
        return Terminated(**fields, **common)
    if cls in (Suspended, SuspensionEnded):
        return cls(**fields, party=None if chosen == _WHOLE else chosen, **common)
    party = fields["party"] = chosen
    state = standing(walk.events(), occurred_on.last, _RANKS[event_type])
    seat = state.seats.get(party)
    if seat is None:
        return None
    if cls is Reserved:
        made_on = draw(st.sampled_from(_MADE_ON))
        if (made_on == "signature" and not seat.signed) or (made_on == "consent" and seat.consent is None):
            made_on = "later"
        return Reserved(**fields, **_reservation_fields(draw, made_on), **common)
    if cls is ReservationWithdrawn:
        mine = sorted(str(key) for key, r in state.reservations.items() if r.party == party and r.standing())
        if not mine:
            return None
        text = draw(_optional(_texts()))  # None: withdrawn whole; else the text that remains
        return ReservationWithdrawn(**fields, reservation=draw(st.sampled_from(mine)), text=text, **common)
    if cls is Objected:
        held = sorted(
            (r.party, str(key))
            for key, r in state.reservations.items()
            if r.party != party and state.reservation_in_force(r.party, key)
        )
        if not held:
            return None
        to, key = draw(st.sampled_from(held))
        return Objected(
            **fields,
            to=to,
            reservation=key if draw(st.booleans()) else None,
            text=draw(_texts()),
            precludes_entry_into_force=draw(st.booleans()),
            **common,
        )
    included = cls is TerritoryIncluded
    last = {act.territory: act.included for act in state.territorial.get(party, [])}
    free = [t for t in _TERRITORIES_OF.get(party, _TERRITORIES) if t != party and last.get(t) != included]
    if not free:
        return None
    effective_on = (
        _later(draw, occurred_on, min_days=0, partial=walk.partial) if draw(st.booleans()) else None
    )
    territorial = TerritoryIncluded if included else TerritoryExcluded
    return territorial(**fields, territory=draw(st.sampled_from(free)), effective_on=effective_on, **common)


def _case_options(walk: _Walk, remaining: int) -> list[str]:
    """The keys of `CASE_TRANSITIONS` a walk may take next (a death only as its last fact)."""
    options = []
    held = {restriction for restriction, _ in walk.state.restrictions} if walk.state else set()
    for key, table in CASE_TRANSITIONS.items():
        if walk.status not in table:
            continue
        kind, _, variant = key.partition(":")
        if kind == "Died" and (remaining or not walk.mortal):
            continue
        if variant in _BANS and (kind == "Restricted") == (variant in held):
            continue  # a ban is imposed when not in force, lifted when in force
        options.append(key)
    return options


def _case_fact(draw: st.DrawFn, walk: _Walk, key: str, common: dict[str, Any]) -> EventBase:
    """A fact of the walk's case for one key of `CASE_TRANSITIONS`, with drawn details."""
    kind, _, variant = key.partition(":")
    case = walk.slug
    if kind == "Detained":
        if not walk.detention:
            walk.detention = _detention(draw, walk.pool, walk.actors)
        details = dict(walk.detention)
        details["location"] = draw(st.just(details["location"]) | _optional(_texts(max_size=20)))
        return Detained(case=case, **details, **common)
    if kind == "Charged":
        charges = tuple(draw(st.lists(_texts(max_size=20), min_size=1, max_size=3)))
        party = parties(among=walk.pool)
        fields: dict[str, Any] = {"charging_state": draw(_optional(party))}
        if walk.status is None:  # the charge opens the case: it names the person
            walk.detention = _detention(draw, walk.pool, walk.actors)
            fields = {
                "person": walk.detention["person"],
                "nationalities": walk.detention["nationalities"],
                "charging_state": draw(party),
            }
        return Charged(case=case, charges=charges, **fields, **common)
    if kind == "Sentenced":
        term = draw(_optional(st.integers(0, 20_000)))
        return Sentenced(case=case, sentence=draw(_texts(max_size=30)), term_days=term, **common)
    if kind == "Released":
        mechanism = "bail" if variant == "bail" else draw(st.sampled_from(_FREE_MECHANISMS))
        return Released(case=case, mechanism=mechanism, **common)
    if kind == "CustodyChanged":
        location = draw(_optional(_texts(max_size=20)))
        return CustodyChanged(case=case, basis=draw(_texts(max_size=30)), location=location, **common)
    if kind == "Restricted":
        conditions = draw(_optional(_texts(max_size=30)))
        return Restricted(case=case, restriction=variant, conditions=conditions, **common)
    if kind == "RestrictionLifted":
        return RestrictionLifted(case=case, restriction=variant, **common)
    if kind == "Died":
        return Died(case=case, in_custody=variant == "in_custody", cause=draw(_optional(_texts())), **common)
    if kind == "Designated":
        fields = draw(_designation(parties(among=walk.pool)))
        made = {(d.designation, d.by, d.reference) for d in walk.state.designations} if walk.state else set()
        if (fields["designation"], fields["by"], fields["reference"]) in made:
            fields["reference"] = f"No. {len(walk.facts)}"  # a designation is made once
        return Designated(case=case, **fields, **common)
    return (Escaped if kind == "Escaped" else Disappeared)(case=case, **common)


#: What a case walk may head for: every (key, status met) pair of the rules' table.
_CASE_AIMS: tuple[tuple[str, str | None], ...] = tuple(
    (key, status) for key, table in CASE_TRANSITIONS.items() for status in table
)
_AT_LARGE = frozenset({"charged_at_large", "sentenced_in_absentia", "released"})
_LIGHTER = [RESTRICTION_STATUS[r] for r in SEVERITY]  # restriction statuses, most severe first


def _marked(after: str, before: str | None) -> frozenset[str]:
    """The statuses a status after may stand for: itself, or for a marker of the table custody at some
    stage, or, once the most severe restriction is lifted, a lighter one or freedom."""
    if after == CUSTODY:
        return IN_CUSTODY
    if after == LIFTED:
        lighter = _LIGHTER[_LIGHTER.index(before) + 1 :] if before in _LIGHTER else []
        return frozenset(lighter) | _AT_LARGE
    return frozenset({after})


@cache
def _steps_to(status: str | None) -> dict[str | None, int]:
    """The fewest facts that lead from each status to `status`, by the table (markers read as any
    status they may stand for)."""
    leads: dict[str | None, set[str | None]] = {}  # status -> the statuses one fact leads from to it
    for table in CASE_TRANSITIONS.values():
        for before, after in table.items():
            for reached in _marked(after, before):
                leads.setdefault(reached, set()).add(before)
    steps: dict[str | None, int] = {status: 0}
    frontier: list[str | None] = [status]
    while frontier:
        nearer, frontier = frontier, []
        for near in nearer:
            for earlier in leads.get(near, ()):
                if earlier not in steps:
                    steps[earlier] = steps[near] + 1
                    frontier.append(earlier)
    return steps


@cache
def _aims_from(status: str | None) -> tuple[tuple[str, str | None], ...]:
    """The transitions a walk at `status` may still take."""
    return tuple((key, met) for key, met in _CASE_AIMS if status in _steps_to(met))


def _after(walk: _Walk, key: str) -> frozenset[str]:
    """The status (or, for a lifting that leaves no restriction, the statuses) a key leads the walk to."""
    after = CASE_TRANSITIONS[key][walk.status]
    state = walk.state
    if after == CUSTODY and state is not None:
        return frozenset({"sentenced" if state.sentence else "charged" if state.charges else "detained"})
    if after == LIFTED and state is not None:
        left = [r for r, _ in state.restrictions if r != key.partition(":")[2]]
        return frozenset({RESTRICTION_STATUS[left[0]]}) if left else _AT_LARGE
    return _marked(after, walk.status)


def _towards(walk: _Walk, options: list[str], aim: tuple[str, str | None]) -> list[str]:
    """The options that take the walk's aim, or bring it nearest, or (there) keep the walk where it is."""
    key, status = aim
    if walk.status == status:
        if key in options:
            return [key]
        kind, _, variant = key.partition(":")
        if variant in _BANS:  # a ban is lifted when in force, imposed when not: impose or lift it first
            undo = f"{'RestrictionLifted' if kind == 'Restricted' else 'Restricted'}:{variant}"
            if undo in options and _after(walk, undo) == {status}:
                return [undo]
        # stay (a death waits for the last fact)
        return [k for k in options if _after(walk, k) == {walk.status}]
    steps = _steps_to(status)
    now = steps.get(walk.status)
    if now is None or not options:
        return []
    nearer = {k: min(steps.get(s, now) for s in _after(walk, k)) for k in options}
    best = min(nearer.values())
    return [k for k in options if nearer[k] == best < now]


def _step_case(draw: st.DrawFn, walk: _Walk, remaining: int) -> None:
    """Add one legal fact of a detention case chosen from the rules' table, and fold the walk so far."""
    day = _next_day(draw, walk, remaining)
    # Some transitions are many facts away (a death on bail, lifting an exit ban during a furlough):
    # a walk drawn an aim mostly heads for it, and once at its status stays there until it can take
    # it (a death only as the last fact), so that every transition of the table comes up.
    aim = walk.aim if walk.aim and (walk.status == walk.aim[1] or draw(st.integers(0, 3))) else None
    while True:
        options = _case_options(walk, remaining)
        if day == walk.last_day:
            options = [k for k in options if LIFECYCLE_RANK[k.split(":")[0]] > walk.last_rank]
            if aim and not _towards(walk, options, aim):
                options = []  # what leads on to the aim comes earlier in a day: take the next one
        if options:
            break
        day += _DAY
    if aim:
        options = _towards(walk, options, aim) or options
    # A history that may end in a death often does, and a ban in force is often lifted: both
    # would otherwise be rare, and every transition of the table should come up.
    for favoured in ("Died", "RestrictionLifted"):
        preferred = [k for k in options if k.startswith(favoured)]
        if preferred and len(preferred) < len(options) and draw(st.integers(0, 3)) == 3:
            options = preferred
    # Hypothesis favours the first and last choices; rotating them with the walk's length spreads
    # that favour over every transition instead of always the same two.
    turn = (7 * len(walk.facts)) % len(options)
    key = draw(st.sampled_from(options[turn:] + options[:turn]))
    reached = walk.aim == (key, walk.status)
    occurred_on = _dated(draw, walk, day, remaining)
    event = _case_fact(draw, walk, key, _common(draw, occurred_on))
    walk.last_status_index = len(walk.facts)
    walk.add(event, walk.last_day + _DAY if walk.facts else walk.lo)
    walk.state = fold_case(walk.slug, walk.events()).states[-1]
    walk.status = walk.state.status
    if reached:  # aim at another transition the walk can still take
        aims = _aims_from(walk.status)
        walk.aim = draw(st.sampled_from(aims)) if aims else None


def _walk(
    draw: st.DrawFn,
    *,
    kind: HistoryKind,
    slug: str,
    size: int,
    lo: date,
    hi: date,
    partial: bool,
    pool: list[str],
    mortal: bool = True,
    actors: tuple[str, ...] = (),
    closing: bool = False,
) -> _Walk:
    """A legal history of `size` facts (the opening or first detention included).

    A treaty has final clauses half the time (always with `closing`, and then its
    signature closes). A case's history may end in a death if `mortal`; its captor may be
    one of `actors`.
    """
    walk = _Walk(slug=slug, kind=kind, lo=lo, hi=hi, partial=partial, pool=list(pool))
    walk.mortal, walk.actors = mortal, actors
    if kind == "case":
        walk.aim = draw(st.sampled_from(_CASE_AIMS))
        walk.last_day = lo + timedelta(days=draw(st.integers(0, max(0, (hi - lo).days - 2 * size))))
        walk.last_rank = -1
        for done in range(size):
            _step_case(draw, walk, size - done - 1)
        if walk.last_status_index:  # retracting the latest step leaves the earlier path legal
            index = walk.last_status_index
            walk.facts[index] = _Fact(walk.facts[index].event, walk.facts[index].floor, retractable=True)
        return walk
    latest_start = hi - timedelta(days=max(0, min((hi - lo).days, 2 * size + 400)))
    opened_on = _date(draw, lo, max(lo, latest_start), partial)
    if kind in TREATY_KINDS and (closing or draw(st.booleans())):
        walk.clauses = _clauses(draw, opened_on.first, hi, closing=closing)
    between = None
    if kind == "bilateral_treaty":  # its two parties: the first of the pool and another
        first = pool[0] if pool else draw(parties())
        other = pool[1] if len(pool) > 1 else draw(parties().filter(lambda p: p != first))
        between = (first, other)
        walk.pool = list(between)
    opened = InstrumentOpened(
        instrument=slug,
        title=draw(_texts()),
        kind=kind,
        initiator=draw(_optional(parties(among=pool) if pool else parties())),
        final_clauses=walk.clauses,
        between=between,
        **_common(draw, opened_on),
    )
    walk.add(opened, lo)
    for done in range(1, size):
        _step_instrument(draw, walk, size - done - 1)
    last_of_each = {*walk.last_of.values(), walk.force_index}
    if size > 1 and walk.facts[-1].event.type in _ACT_TYPES:  # nothing follows it to depend on it
        last_of_each.add(len(walk.facts) - 1)
    for index in (i for i in last_of_each if i is not None):
        walk.facts[index] = _Fact(walk.facts[index].event, walk.facts[index].floor, retractable=True)
    return walk


@st.composite
def _walks(
    draw: st.DrawFn,
    kind: HistoryKind | None,
    min_size: int,
    max_size: int,
    partial: bool,
    lo: date,
    hi: date,
    pool: list[str] | None = None,
    slug: str | None = None,
    mortal: bool = True,
    actors: tuple[str, ...] = (),
    closing: bool = False,
) -> _Walk:
    chosen: HistoryKind = kind if kind is not None else draw(st.sampled_from(_ALL_KINDS))
    size = draw(st.integers(min_size, max_size))
    start_pool = pool if pool is not None else [draw(parties())]
    return _walk(
        draw,
        kind=chosen,
        slug=slug or draw(_slugs()),
        size=size,
        lo=lo,
        hi=hi,
        partial=partial,
        pool=start_pool,
        mortal=mortal,
        actors=actors,
        closing=closing,
    )


def histories(
    *,
    kind: HistoryKind | None = None,
    min_size: int = 1,
    max_size: int = 10,
    partial: bool = True,
    min_value: date = EARLIEST,
    max_value: date = LATEST_VALID,
) -> st.SearchStrategy[list[Event]]:
    """Legal histories of one instrument (`declaration`, `treaty`, `bilateral_treaty`) or one `case`.

    Each history is a list of `min_size` to `max_size` facts in valid-time order, starting
    with the `InstrumentOpened`, or the first `Detained` or `Charged` naming the person.
    Every next fact is chosen among the transitions the rules' tables allow at its date,
    so any history is accepted by a ledger, as one batch in any order or fact by fact in
    the order given. Histories cover every transition: signing (in person or by
    succession), endorsing, consenting in every mode (with later effective dates, or a
    succession in effect before it was notified), entry into force (recorded, or derived
    from a treaty's final clauses), withdrawals effective at once or months later,
    revoking a pending withdrawal, consenting again while a withdrawal is pending or on
    the day of a denunciation, rejoining after a withdrawal; a treaty's acts: reservations
    and declarations (made on signature, with consent or later) withdrawn in part or whole,
    objections (to a reservation named or not, some precluding entry into force),
    territories included and excluded (real ones: FLK, GIB, GRL, ABW ...), suspension of
    one party or of the whole treaty and its end, a withdrawal from suspension, and, as
    the last fact, a termination or a withdrawal that ends a bilateral treaty; charges and sentences in
    custody or in absentia, changes of the basis of custody, bail, house arrest, furlough,
    exit and travel bans imposed and lifted, re-detention, release, escape, disappearance,
    designations, and a death (only ever as the last fact). Treaties come with and without
    final clauses (delays of every shape, signature that closes on a date or at entry into
    force). Captors are parties (an `event_logs()` case may be held by a registered actor).
    Record times come late, in any order. Shrinks towards the shortest history, with
    facts on consecutive days from `min_value`, known to the day, with the fewest parties.
    """
    if not 1 <= min_size <= max_size:
        raise InvalidArgument(f"need 1 <= min_size <= max_size, got {min_size} and {max_size}")
    if (max_value - min_value).days < 4 * max_size + 400:
        raise InvalidArgument("the date range is too short for histories of this size")
    return _walks(kind, min_size, max_size, partial, min_value, max_value).map(_Walk.events)


# -- whole logs ---------------------------------------------------------------------------------
#
# A log is drawn as independent lists (instruments, cases, links, statements, amendment
# plans) whose references to one another are resolved by index when it is assembled: the
# shrinker can then delete any element without changing what the others mean.


def _strictly_after(stamp: datetime) -> datetime:
    return stamp + timedelta(seconds=1)


class _Link(NamedTuple):
    case: int
    other: int
    days: int  # after the case's first detention
    precision: int
    relation: str


class _Statement(NamedTuple):
    continued: bool  # a state continuing its predecessor (actor continues target), not a condemnation
    actor: int
    target: int | None
    about: Literal["instrument", "case"] | None
    pick: int
    subject: str
    speaker: str | None
    quote: str | None


class _Plan(NamedTuple):
    """An amendment, drawn before its target is known: what to do, and the values to do it with."""

    pick: int  # which fact
    kind: Literal["fields", "date", "retract"]
    field: int  # which field (among those the target has)
    text: str
    party: int
    other_party: int
    number: int
    source: Source
    day: int  # where in the target's window to move it
    lag: int  # seconds after the target's (or its last amendment's) record time
    back: int  # days its own occurred_on lies before its record date
    reason: str


@cache
def _links() -> st.SearchStrategy[_Link]:
    return st.builds(
        _Link,
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(1, 3000),
        _precisions(True),
        _texts(max_size=20),
    )


@cache
def _plans() -> st.SearchStrategy[_Plan]:
    return st.builds(
        _Plan,
        st.integers(0, 999),
        st.sampled_from(("fields", "date", "retract")),
        st.integers(0, 99),
        _texts(),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 20_000),
        sources(),
        st.integers(0, 10**6),
        _lags(),
        st.integers(0, 30),
        _texts(),
    )


def _changes(plan: _Plan, event: EventBase, pool: Sequence[str]) -> dict[str, Any]:
    """New values of fields: for cases and statements, ones that do not change which path the entity
    takes; for instruments, also ones that may (a mode, the final clauses), which `_amend` checks."""
    party, other = pool[plan.party % len(pool)], pool[plan.other_party % len(pool)]
    options: list[dict[str, Any]] = [
        {"note": plan.text},
        {"sources": [plan.source.model_dump(mode="json", exclude_none=True)]},
    ]
    if isinstance(event, InstrumentOpened):
        options += [{"title": plan.text}, {"initiator": party}]
        if event.final_clauses is not None:
            options.append({"final_clauses": None})  # often illegal: `_amend` checks it
            # Signature never closing after all is always legal.
            kept = event.final_clauses.model_dump(mode="json", exclude={"signature_closes"})
            options.append({"final_clauses": kept})
    elif isinstance(event, Condemned):
        options += [{"subject": plan.text}, {"quote": plan.text}, {"actor": party}, {"target": party}]
    elif isinstance(event, Detained):
        nationalities = list(dict.fromkeys((party, other)))
        options += [{"person": plan.text}, {"nationalities": nationalities}]
        # The captor under the name the fact uses (the other name would name a second captor).
        captor = "detained_by" if event.detained_by is not None else "detaining_state"
        options += [{"requested_by": party}, {captor: party}]
    elif isinstance(event, Charged):
        options.append({"charges": [plan.text]})
        if event.charging_state is not None:
            options.append({"charging_state": party})
        if event.person is not None:
            options += [{"person": plan.text}, {"nationalities": list(dict.fromkeys((party, other)))}]
    elif isinstance(event, CustodyChanged):
        options.append({"basis": plan.text})
    elif isinstance(event, Restricted):
        options.append({"conditions": plan.text})
    elif isinstance(event, Died):
        options.append({"cause": plan.text})
    elif isinstance(event, ActorRegistered):
        options += [{"name": plan.text}, {"wikidata": f"Q{plan.number + 1}"}]
    elif isinstance(event, Sentenced):
        options.append({"term_days": plan.number})
    elif isinstance(event, Ratified):
        options.append({"mode": _MODES[plan.number % len(_MODES)]})
    elif isinstance(event, Signed):
        options.append({"mode": _SIGNATURE_MODES[plan.number % len(_SIGNATURE_MODES)]})
    elif isinstance(event, Continued):
        options += [{"party": party}] if party != event.predecessor else []
        options += [{"predecessor": other}] if other != event.party else []
    elif isinstance(event, Released) and event.mechanism != "bail":
        options.append({"mechanism": _FREE_MECHANISMS[plan.number % len(_FREE_MECHANISMS)]})
    elif isinstance(event, CasesLinked):
        options.append({"relation": plan.text})
    return options[plan.field % len(options)]


def _amended(
    believed: dict[UUID, EventBase], amendment: Corrected | Retracted
) -> dict[UUID, EventBase] | None:
    """An instrument's facts once amended, or None if the amendment leaves an illegal path (or fact)."""
    facts = dict(believed)
    if isinstance(amendment, Retracted):
        del facts[amendment.target]
    else:
        target = facts[amendment.target]
        try:
            facts[target.id] = type(target).model_validate(
                {**target.model_dump(mode="json"), **amendment.changes}
            )
        except ValueError:
            return None
    try:
        replay_instrument(list(facts.values()))
    except Broken:
        return None
    return facts


def _amend(facts: list[_Fact], plans: Sequence[_Plan], pool: Sequence[str]) -> list[EventBase]:
    """Corrections and retractions that leave every path legal, each recorded after its target.

    An instrument's amendment that the law (as the reference model restates it) would not
    take becomes a correction of the note.
    """
    made: list[EventBase] = []
    latest: dict[UUID, datetime] = {}
    retracted: set[UUID] = set()
    instruments: dict[str, dict[UUID, EventBase]] = {}
    for fact in facts:
        if fact.event.stream == "instrument":
            instruments.setdefault(fact.event.entity(), {})[fact.event.id] = fact.event
    for plan in plans:
        fact = facts[plan.pick % len(facts)]
        target = fact.event
        if target.id in retracted or target.recorded_at is None:
            continue
        earliest = _strictly_after(latest.get(target.id, target.recorded_at))
        stamp = earliest + timedelta(seconds=plan.lag)
        stamp = stamp if stamp <= LATEST_RECORD else max(earliest, LATEST_RECORD)  # in the past
        on = _coarsen(stamp.date() - timedelta(days=plan.back), 0)
        fields: dict[str, Any] = {"target": target.id, "reason": plan.reason}
        window = (target.occurred_on.first - fact.floor).days  # days it may move earlier (exclusive)
        amendment: Corrected | Retracted
        if plan.kind == "retract" and fact.retractable:
            amendment = Retracted(occurred_on=on, recorded_at=stamp, **fields)
        elif plan.kind == "date" and window >= 1:
            moved = fact.floor + timedelta(days=plan.day % window)
            amendment = Corrected(
                occurred_on=on, recorded_at=stamp, changes={"occurred_on": str(moved)}, **fields
            )
        else:
            amendment = Corrected(
                occurred_on=on, recorded_at=stamp, changes=_changes(plan, target, pool), **fields
            )
        entity = target.entity()
        if entity in instruments:
            after = _amended(instruments[entity], amendment)
            if after is None:
                amendment = Corrected(
                    occurred_on=on, recorded_at=stamp, changes={"note": plan.text}, **fields
                )
                after = _amended(instruments[entity], amendment)
                assert after is not None  # noqa: S101 - a note changes no path
            instruments[entity] = after
        if isinstance(amendment, Retracted):
            retracted.add(target.id)
        latest[target.id] = stamp
        made.append(amendment)
    return made


@st.composite
def _statements(draw: st.DrawFn, partial: bool) -> tuple[_Statement, dict[str, Any]]:
    on = _date(draw, EARLIEST, LATEST_VALID, partial)
    statement = _Statement(
        continued=draw(st.integers(0, 3)) == 3,
        actor=draw(st.integers(0, 99)),
        target=draw(_optional(st.integers(0, 99))),
        about=draw(st.sampled_from((None, "instrument", "case"))),
        pick=draw(st.integers(0, 99)),
        subject=draw(_texts()),
        speaker=draw(_optional(_texts(max_size=20))),
        quote=draw(_optional(_texts())),
    )
    return statement, _common(draw, on)


def _slug_of(walk: _Walk) -> str:
    return walk.slug


def _actor_of(actor: ActorRegistered) -> str:
    return actor.actor


@st.composite
def _registrations(draw: st.DrawFn, partial: bool) -> ActorRegistered:
    """A non-state actor declared to be a captor (`actor:SLUG`)."""
    on = _date(draw, EARLIEST, LATEST_VALID, partial)
    wikidata = draw(_optional(_wikidata_ids()))
    return ActorRegistered(actor=draw(_slugs()), name=draw(_texts()), wikidata=wikidata, **_common(draw, on))


@st.composite
def _event_logs(
    draw: st.DrawFn,
    max_instruments: int,
    max_cases: int,
    max_statements: int,
    max_amendments: int,
    max_history: int,
    partial: bool,
) -> list[Event]:
    pool = tuple(draw(st.lists(parties(), min_size=1, max_size=4, unique=True)))
    lo, hi = EARLIEST, LATEST_VALID

    registered = draw(st.lists(_registrations(partial), max_size=2 if max_cases else 0, unique_by=_actor_of))
    actors = tuple(ACTOR_PREFIX + actor.actor for actor in registered)

    def walks(kind: HistoryKind) -> st.SearchStrategy[_Walk]:
        return _walks(kind, 1, max_history, partial, lo, hi, pool=list(pool), actors=actors)

    instrument_walks = st.sampled_from(_INSTRUMENT_KINDS).flatmap(walks)
    instruments_made = draw(st.lists(instrument_walks, max_size=max_instruments, unique_by=_slug_of))
    cases_made = draw(st.lists(walks("case"), max_size=max_cases, unique_by=_slug_of))
    facts = [fact for walk in (*instruments_made, *cases_made) for fact in walk.facts]
    facts += [_Fact(actor, lo, retractable=True) for actor in registered]
    for link in draw(st.lists(_links(), max_size=2 * max_cases if len(cases_made) > 1 else 0)):
        first, second = cases_made[link.case % len(cases_made)], cases_made[link.other % len(cases_made)]
        detained_on = first.facts[0].event.occurred_on.last
        # Nothing follows a death: a link comes by the day the person died.
        last = first.last_day if first.status == "died" else hi
        day = min(detained_on + timedelta(days=link.days), hi, last)
        if first is second or day <= detained_on:
            continue
        on = _coarsen(day, link.precision)
        on = on if on.last <= min(hi, last) else _coarsen(day, 0)
        common = _common(draw, on)
        linked = CasesLinked(case=first.slug, other_case=second.slug, relation=link.relation, **common)
        facts.append(_Fact(linked, detained_on + _DAY, retractable=True))
        if first.status == "died":  # a correction may move the death earlier, but not before the link
            death = first.facts[-1]
            at = next(i for i, fact in enumerate(facts) if fact is death)
            first.facts[-1] = facts[at] = _Fact(death.event, max(death.floor, on.last), death.retractable)
    for statement, common in draw(st.lists(_statements(partial), max_size=max_statements)):
        if statement.continued:
            successor = pool[statement.actor % len(pool)]
            predecessor = pool[(statement.target or 0) % len(pool)]
            if successor != predecessor:
                continued = Continued(party=successor, predecessor=predecessor, **common)
                facts.append(_Fact(continued, lo, retractable=True))
            continue
        about: dict[str, str] = {}
        named = {"instrument": instruments_made, "case": cases_made}.get(statement.about or "", [])
        if statement.about and named:
            about[statement.about] = named[statement.pick % len(named)].slug
        condemned = Condemned(
            actor=pool[statement.actor % len(pool)],
            target=None if statement.target is None else pool[statement.target % len(pool)],
            subject=statement.subject,
            speaker=statement.speaker,
            quote=statement.quote,
            **about,
            **common,
        )
        facts.append(_Fact(condemned, lo, retractable=True))
    facts = list({fact.event.id: fact for fact in reversed(facts)}.values())[::-1]  # one fact per id
    plans = draw(st.lists(_plans(), max_size=max_amendments)) if facts else []
    log = [fact.event for fact in facts] + _amend(facts, plans, pool)
    log = list({event.id: event for event in reversed(log)}.values())[::-1]
    log.sort(key=lambda e: e.recorded_at or LATEST_RECORD)
    return log  # type: ignore[return-value]


def event_logs(
    *,
    max_instruments: int = 2,
    max_cases: int = 2,
    max_statements: int = 3,
    max_amendments: int = 3,
    max_history: int = 8,
    partial: bool = True,
) -> st.SearchStrategy[list[Event]]:
    """Whole event logs, as a ledger would export them: every event has its record time.

    A log mixes instruments and detention cases (legal histories of up to `max_history`
    facts each, sharing a few parties; a case may be held by a non-state actor that the log
    registers), links between the cases, statements (condemnations, some about those
    instruments and cases, and states continuing their predecessors' participations), and
    corrections and retractions that keep every path legal: new values of fields (modes,
    final clauses), earlier dates, retractions of the latest step. Record
    times arrive late (hours to decades) and out of valid-time order; amendments come
    after their targets. The log is sorted by record time and a ledger accepts it as one
    batch (`Ledger.from_events`), in any order. Shrinks towards the empty log.
    """
    for name, value in (
        ("max_instruments", max_instruments),
        ("max_cases", max_cases),
        ("max_statements", max_statements),
        ("max_amendments", max_amendments),
    ):
        if value < 0:
            raise InvalidArgument(f"{name} must be at least 0, got {value}")
    if max_history < 1:
        raise InvalidArgument(f"max_history must be at least 1, got {max_history}")
    return _event_logs(max_instruments, max_cases, max_statements, max_amendments, max_history, partial)


# -- illegal facts ------------------------------------------------------------------------------


class Illegal(NamedTuple):
    """A legal history, one fact that breaks a rule when added to it, and the rule's name."""

    history: list[Event]
    event: Event
    rule: str


_JOIN: dict[str, tuple[type[EventBase], ...]] = {
    "declaration": (Signed, Endorsed),
    "treaty": (Signed, Ratified),
}
_CASE_STEPS: dict[type[EventBase], dict[str, Any]] = {
    Charged: {"charges": ("espionage",)},
    Sentenced: {"sentence": "11 years"},
    Released: {"mechanism": "pardon"},
}


@dataclass
class _Offence:
    """A legal history being extended with set-up facts, and helpers to build the offending one."""

    draw: st.DrawFn
    walk: _Walk
    history: list[EventBase]

    @property
    def slug(self) -> str:
        return self.walk.slug

    def on(self, days: int) -> PartialDate:
        """The day `days` after the history's last fact, known to the day."""
        return _coarsen(self.walk.last_day + timedelta(days=days), 0)

    def days(self, low: int, high: int) -> int:
        return self.draw(st.integers(low, high))

    def pick(self, classes: Sequence[type[EventBase]]) -> type[EventBase]:
        return self.draw(st.sampled_from(classes))

    def party(self) -> str:
        return self.draw(parties())

    def newcomer(self) -> str:
        """A party with no part in the instrument yet."""
        return self.draw(parties().filter(lambda p: p not in self.walk.last_of))

    def stranger(self, *besides: str) -> str:
        """A party with no part in the instrument (not even one of a bilateral treaty's), nor `besides`."""
        known = {*self.walk.last_of, *self.walk.pool, *besides}
        return self.draw(parties().filter(lambda p: p not in known))

    def sign(self, party: str, on: PartialDate) -> EventBase:
        """A signature by `party` (by succession once signature has closed)."""
        closes = standing(self.history, on.last, _RANKS["Signed"]).signature_closes()
        mode = "succession" if closes is not None and on.first >= closes else None
        return self.setup(self.fact(Signed, on, instrument=self.slug, party=party, mode=mode))

    def consent(self, party: str, on: PartialDate, mode: str = "ratification") -> EventBase:
        return self.setup(self.fact(Ratified, on, instrument=self.slug, party=party, mode=mode))

    def reserve(self, party: str, on: PartialDate) -> EventBase:
        return self.setup(self.act(Reserved, party, on))

    def state(self, day: date, rank: int = _LAST) -> Any:
        """The instrument as the model has it on `day`, before facts of a higher `rank`."""
        return standing(self.history, day, rank)

    def bound(self) -> tuple[str, date]:
        """A stranger bound by the treaty (set up: the whole treaty's suspension ended, its consent, an
        entry into force if none is due), and the first day it is bound."""
        if self.state(self.on(1).last).suspended:
            self.setup(self.fact(SuspensionEnded, self.on(1), instrument=self.slug))
        party = self.stranger()
        self.consent(party, self.on(2))
        state = self.state(self.on(3).last, _RANKS["EnteredIntoForce"])
        if state.force is None and state.force_due is None:
            self.setup(self.fact(EnteredIntoForce, self.on(3), instrument=self.slug))
        seat = self.state(date(9000, 1, 1)).seats[party]
        since = next(point.since for point in seat.points if point.status == "party")
        return party, max(since, self.on(3).last)

    def after(self, day: date, days: int) -> PartialDate:
        """`days` after `day`, known to the day."""
        return _coarsen(day + timedelta(days=days), 0)

    def act(self, cls: type[EventBase], party: str | None, on: PartialDate, **fields: Any) -> EventBase:
        """A treaty act of `cls` by `party` (None: the whole treaty), with what else it needs to be valid."""
        made: dict[str, Any] = {"instrument": self.slug}
        if cls not in (Terminated, EnteredIntoForce):
            made["party"] = party
        if cls is Reserved:
            made.update(kind="reservation", text="article 6 does not apply", made_on="later")
        elif cls is ReservationWithdrawn:
            made["reservation"] = self.draw(st.uuids())
        elif cls is Objected:
            made.update(to=self.draw(parties().filter(lambda p: p != party)), text="incompatible")
        elif cls in (TerritoryIncluded, TerritoryExcluded):
            assert party is not None  # noqa: S101 - a territorial act names its party
            made["territory"] = self.draw(_territories(party))
        made.update(fields)
        return self.fact(cls, on, **made)

    def join(self, party: str, on: PartialDate) -> EventBase:
        """A legal first fact of a newcomer: it signs or endorses (declarations), signs or consents
        (treaties; a signature by succession once signature has closed)."""
        cls = self.pick(_JOIN[self.walk.kind])
        fields: dict[str, Any] = {}
        if cls is Signed:
            closes = standing(self.history, on.last, LIFECYCLE_RANK["Signed"]).signature_closes()
            if closes is not None and on.first >= closes:
                fields["mode"] = "succession"
        return self.setup(self.fact(cls, on, instrument=self.slug, party=party, **fields))

    def other_slug(self) -> str:
        return self.draw(_slugs().filter(lambda s: s != self.slug))

    def fact(self, cls: type[EventBase], on: PartialDate, **fields: Any) -> EventBase:
        return cls(occurred_on=on, recorded_at=_record_time(self.draw, on.first), **fields)

    def setup(self, event: EventBase) -> EventBase:
        """Add a legal fact to the history (the offence needs it)."""
        self.history.append(event)
        return event

    def case(self) -> CaseState:
        """The walk's case as the rules fold the history so far (set-up facts included)."""
        entity = f"case:{self.slug}"
        return fold_case(self.slug, [e for e in self.history if e.entity() == entity]).states[-1]

    def release_from(self, statuses: Sequence[str]) -> None:
        """Set up a release (a pardon, the next day) if the case is in one of `statuses`."""
        if self.case().status in statuses:
            self.setup(self.fact(Released, self.on(1), case=self.slug, mechanism="pardon"))

    def amend(
        self, cls: type[EventBase], target: EventBase, *, after: EventBase | None = None, reason: str = "test"
    ) -> EventBase:
        """A correction (of the note) or retraction of `target`, recorded after it (and after `after`)."""
        stamps = [e.recorded_at for e in (target, after) if e is not None and e.recorded_at is not None]
        stamp = _record_time(self.draw, EARLIEST, not_before=_strictly_after(max(stamps)))
        fields: dict[str, Any] = {"changes": {"note": "amended"}} if cls is Corrected else {}
        fields.update(target=target.id, reason=reason)
        return cls(
            occurred_on=_coarsen(stamp.date(), 0),
            recorded_at=stamp,
            **fields,
        )


def _unknown_instrument(o: _Offence) -> EventBase:
    return o.fact(Signed, o.on(1), instrument=o.other_slug(), party=o.party())


def _open_once(o: _Offence) -> EventBase:
    return o.fact(InstrumentOpened, o.on(o.days(1, 30)), instrument=o.slug, title="again", kind=o.walk.kind)


def _before_opening(o: _Offence) -> EventBase:
    cls = o.pick((Signed, Endorsed, Ratified, Withdrew, WithdrawalRevoked, EnteredIntoForce))
    on = _coarsen(o.history[0].occurred_on.first - timedelta(days=o.days(1, 300)), 0)
    fields = {} if cls is EnteredIntoForce else {"party": o.party()}
    return o.fact(cls, on, instrument=o.slug, **fields)


def _wrong_kind(cls: type[EventBase]) -> Callable[[_Offence], EventBase]:
    def offence(o: _Offence) -> EventBase:
        fields = {} if cls is EnteredIntoForce else {"party": o.party()}
        return o.fact(cls, o.on(o.days(1, 30)), instrument=o.slug, **fields)

    return offence


def _force_once(o: _Offence) -> EventBase:
    state = standing(o.history, o.walk.last_day, _LAST)
    if state.force is None:
        o.setup(o.fact(EnteredIntoForce, o.on(1), instrument=o.slug))
    elif state.force_derived:  # recorded on the day the clauses give, it changes nothing
        o.setup(o.fact(EnteredIntoForce, PartialDate.of(state.force.last), instrument=o.slug))
    return o.fact(EnteredIntoForce, o.on(o.days(2, 30)), instrument=o.slug)


def _already_participating(o: _Offence) -> EventBase:
    party = o.newcomer()
    joined = type(o.join(party, o.on(1)))
    status = PARTICIPATION_TRANSITIONS[joined.__name__][None]
    again = [
        cls
        for cls in (Signed, Endorsed, Ratified)
        if o.walk.kind in APPLIES_TO[cls.__name__][0]
        and status not in PARTICIPATION_TRANSITIONS[cls.__name__]
    ]
    return o.fact(o.pick(again), o.on(o.days(2, 30)), instrument=o.slug, party=party)


def _withdrawal_pending(o: _Offence) -> EventBase:
    """Sign, endorse, or consent with effect before the pending withdrawal takes effect (or, on a
    treaty, suspend the withdrawing party or end its suspension)."""
    if o.walk.kind == "treaty" and o.days(0, 2) == 2:
        return _suspend_while_withdrawing(o)
    party, wait = o.newcomer(), o.days(3, 400)
    o.join(party, o.on(1))
    o.setup(o.fact(Withdrew, o.on(2), instrument=o.slug, party=party, effective_on=o.on(2 + wait)))
    cls = o.pick(_JOIN[o.walk.kind])
    on = o.on(o.days(3, wait + 1))
    fields: dict[str, Any] = {"effective_on": on} if cls is Ratified else {}
    return o.fact(cls, on, instrument=o.slug, party=party, **fields)


def _suspend_while_withdrawing(o: _Offence) -> EventBase:
    """A bound party's operation of the treaty suspended (or resumed) while its withdrawal is pending."""
    party, since = o.bound()
    wait = o.days(3, 400)
    leaving = o.after(since, 1 + wait)
    o.setup(o.fact(Withdrew, o.after(since, 1), instrument=o.slug, party=party, effective_on=leaving))
    return o.act(o.pick((Suspended, SuspensionEnded)), party, o.after(since, o.days(2, wait)))


def _after_termination(o: _Offence) -> EventBase:
    """Any fact after a treaty ended: by its termination (a second one that day too), or (bilateral) by
    a withdrawal in effect."""
    if o.walk.kind == "bilateral_treaty":
        first, other = o.walk.pool
        status = o.state(o.on(1).last, _RANKS["Signed"]).seats.get(first)
        if status is None or status.status is None:
            o.sign(first, o.on(1))
        o.setup(o.fact(Withdrew, o.on(2), instrument=o.slug, party=first, effective_on=o.on(2)))
        # After its day (a fact of that day ranked before the withdrawal is folded before it), or a
        # termination that day (ranked after it).
        cls = o.pick((Signed, Ratified, Terminated, Reserved, Suspended))
        return o.act(cls, other, o.on(2) if cls is Terminated else o.on(o.days(3, 30)))
    ended = o.setup(o.fact(Terminated, o.on(1), instrument=o.slug))
    if o.draw(st.booleans()):
        return o.fact(Terminated, ended.occurred_on, instrument=o.slug, note="terminated again")
    cls = o.pick((Signed, Ratified, EnteredIntoForce, Withdrew, Reserved, Suspended))
    return o.act(cls, o.stranger(), o.on(o.days(2, 30)))


def _treaty_acts_only(o: _Offence) -> EventBase:
    party = o.party()
    cls = o.pick(tuple(_ACT_TYPES.values()))
    whole = cls in (Suspended, SuspensionEnded) and o.draw(st.booleans())
    return o.act(cls, None if whole else party, o.on(o.days(1, 30)))


def _bilateral_parties_only(o: _Offence) -> EventBase:
    """A fact naming a party that is not one of the bilateral treaty's two."""
    classes = (
        Signed,
        Ratified,
        Withdrew,
        WithdrawalRevoked,
        *(c for c in _ACT_TYPES.values() if c is not Terminated),
    )
    cls = o.pick(classes)  # type: ignore[arg-type]  # (mypy reads the starred classes as objects)
    fields = {"to": o.walk.pool[0]} if cls is Objected else {}
    return o.act(cls, o.stranger(), o.on(o.days(1, 30)), **fields)


def _reserve_participating(o: _Offence) -> EventBase:
    """A reservation by a stranger, on signature without one, or with consent not given."""
    party, choice = o.stranger(), o.days(0, 2)
    if choice == 0:
        return o.act(Reserved, party, o.on(1), made_on=o.draw(st.sampled_from(_MADE_ON)))
    if choice == 1:
        o.sign(party, o.on(1))
        return o.act(Reserved, party, o.on(2), made_on="consent")
    o.consent(party, o.on(1), mode="accession")
    return o.act(Reserved, party, o.on(2), made_on="signature")


def _withdraw_reservation_made(o: _Offence) -> EventBase:
    """Withdraw a reservation never made, another's, one withdrawn whole, or one lapsed with its party."""
    party, choice = o.stranger(), o.days(0, 3)
    o.consent(party, o.on(1))
    made = o.reserve(party, o.on(2))
    if choice == 0:
        return o.act(ReservationWithdrawn, party, o.on(3))
    if choice == 1:
        other = o.stranger(party)
        o.consent(other, o.on(3))
        return o.act(ReservationWithdrawn, other, o.on(4), reservation=made.id)
    if choice == 2:
        o.setup(o.act(ReservationWithdrawn, party, o.on(3), reservation=made.id))
    else:
        o.setup(o.fact(Withdrew, o.on(3), instrument=o.slug, party=party, effective_on=o.on(3)))
    return o.act(ReservationWithdrawn, party, o.on(4), reservation=made.id, text="what remains")


def _object_participating(o: _Offence) -> EventBase:
    party = o.stranger()
    o.consent(party, o.on(1))
    made = o.reserve(party, o.on(2))
    reservation = made.id if o.draw(st.booleans()) else None
    return o.act(Objected, o.stranger(party), o.on(3), to=party, reservation=reservation)


def _object_to_reservation(o: _Offence) -> EventBase:
    """Object to a party with no reservation, naming one not of that party, or one withdrawn whole."""
    party, choice = o.stranger(), o.days(0, 2)
    objector = o.stranger(party)
    o.consent(party, o.on(1))
    o.consent(objector, o.on(1))
    if choice == 0:
        return o.act(Objected, objector, o.on(2), to=party)
    made = o.reserve(party, o.on(2))
    if choice == 1:
        own = o.reserve(objector, o.on(2))
        return o.act(Objected, objector, o.on(3), to=party, reservation=own.id)
    o.setup(o.act(ReservationWithdrawn, party, o.on(3), reservation=made.id))
    reservation = made.id if o.draw(st.booleans()) else None
    return o.act(Objected, objector, o.on(4), to=party, reservation=reservation)


def _territory_participating(o: _Offence) -> EventBase:
    return o.act(o.pick((TerritoryIncluded, TerritoryExcluded)), o.stranger(), o.on(o.days(1, 30)))


def _territory_once(o: _Offence) -> EventBase:
    party = o.stranger()
    o.consent(party, o.on(1))
    cls = o.pick((TerritoryIncluded, TerritoryExcluded))
    first = o.setup(o.act(cls, party, o.on(2)))
    return o.act(cls, party, o.on(3), territory=getattr(first, "territory"))  # noqa: B009


def _suspend_bound(o: _Offence) -> EventBase:
    """Suspend a party not bound: a stranger, a signatory, or one already suspended."""
    choice = o.days(0, 2)
    if choice == 2:
        party, since = o.bound()
        o.setup(o.act(Suspended, party, o.after(since, 1)))
        return o.act(Suspended, party, o.after(since, 2))
    party = o.stranger()
    if choice == 1:
        o.sign(party, o.on(1))
    return o.act(Suspended, party, o.on(2))


def _suspend_in_force(o: _Offence) -> EventBase:
    """Suspend the whole treaty before it is in force, or while it is suspended already."""
    on = o.on(1)
    state = o.state(on.last, _RANKS["Suspended"])
    if state.force is None:
        return o.act(Suspended, None, on)
    if not state.suspended:
        o.setup(o.act(Suspended, None, on))
    return o.act(Suspended, None, o.on(2))


def _end_suspension(o: _Offence) -> EventBase:
    """End a suspension not in force: the whole treaty's, or a party's own."""
    choice = o.days(0, 2)
    if choice == 0:
        if o.state(o.on(1).last, _RANKS["SuspensionEnded"]).suspended:
            o.setup(o.act(SuspensionEnded, None, o.on(1)))
        return o.act(SuspensionEnded, None, o.on(2))
    if choice == 1:
        party, since = o.bound()
        return o.act(SuspensionEnded, party, o.after(since, 1))
    return o.act(SuspensionEnded, o.stranger(), o.on(1))


def _withdraw_participating(o: _Offence) -> EventBase:
    party = o.newcomer()
    choice = o.days(0, 2)
    if choice == 0:
        return o.fact(Withdrew, o.on(o.days(1, 30)), instrument=o.slug, party=party)
    joined = o.join(party, o.on(1))
    o.setup(o.fact(Withdrew, o.on(2), instrument=o.slug, party=party, effective_on=o.on(2 + o.days(1, 30))))
    if choice == 1:  # a second withdrawal while the first is pending
        return o.fact(Withdrew, o.on(3), instrument=o.slug, party=party)
    # A retraction that leaves a withdrawal with nothing to withdraw from.
    return o.amend(Retracted, joined)


def _signature_closed(o: _Offence) -> EventBase:
    """A newcomer signs in person on or after the day signature closes (a date, or entry into force)."""
    state = standing(o.history, o.walk.last_day, _LAST)
    # Closing at an entry into force still to come: certainly closed from its last possible day.
    closes = state.signature_closes() or (state.force_due.last if state.force_due else None)
    if closes is None:  # it closes at entry into force, which nothing brings yet
        closes = o.setup(o.fact(EnteredIntoForce, o.on(1), instrument=o.slug)).occurred_on.first
    day = max(closes, o.walk.last_day + timedelta(days=2)) + timedelta(days=o.days(0, 30))
    mode = o.draw(st.sampled_from((None, "signature")))
    return o.fact(Signed, _coarsen(day, 0), instrument=o.slug, party=o.newcomer(), mode=mode)


def _revoke_pending_only(o: _Offence) -> EventBase:
    """Revoke a withdrawal never notified, or one already in effect."""
    party = o.newcomer()
    if o.draw(st.booleans()):
        o.join(party, o.on(1))
        if o.draw(st.booleans()):
            o.setup(o.fact(Withdrew, o.on(2), instrument=o.slug, party=party, effective_on=o.on(2)))
    return o.fact(WithdrawalRevoked, o.on(o.days(3, 30)), instrument=o.slug, party=party)


def _unknown_case(o: _Offence) -> EventBase:
    cls = o.pick(tuple(_CASE_STEPS))
    return o.fact(cls, o.on(1), case=o.other_slug(), **_CASE_STEPS[cls])


def _before_detention(o: _Offence) -> EventBase:
    cls = o.pick(tuple(_CASE_STEPS))
    on = _coarsen(o.history[0].occurred_on.first - timedelta(days=o.days(1, 300)), 0)
    return o.fact(cls, on, case=o.slug, **_CASE_STEPS[cls])


def _detain_free(o: _Offence) -> EventBase:
    if o.case().status not in IN_CUSTODY:
        o.setup(o.fact(Detained, o.on(1), case=o.slug, **o.walk.detention))
    return o.fact(Detained, o.on(o.days(2, 30)), case=o.slug, **o.walk.detention)


#: Statuses a person can be released from, or escape from (with `missing`: released from only).
_HELD = (*sorted(IN_CUSTODY), *RESTRICTION_STATUS.values())


def _release_in_custody(o: _Offence) -> EventBase:
    o.release_from((*_HELD, "missing"))  # then released, or free (at large or escaped) already
    return o.fact(Released, o.on(o.days(2, 30)), case=o.slug, mechanism="pardon")


def _bail_from_custody(o: _Offence) -> EventBase:
    if o.case().status in IN_CUSTODY:
        o.setup(o.fact(Released, o.on(1), case=o.slug, mechanism="bail"))
    fields = o.draw(st.sampled_from(({"mechanism": "bail"}, {"restriction": "bail"})))
    cls = Released if "mechanism" in fields else Restricted
    return o.fact(cls, o.on(o.days(2, 30)), case=o.slug, **fields)


def _basis_in_custody(o: _Offence) -> EventBase:
    o.release_from(tuple(IN_CUSTODY))
    return o.fact(CustodyChanged, o.on(o.days(2, 30)), case=o.slug, basis="formal arrest")


def _restrict_from_custody(o: _Offence) -> EventBase:
    o.release_from(tuple(IN_CUSTODY))
    restriction = o.draw(st.sampled_from(("furlough", "house_arrest")))
    return o.fact(Restricted, o.on(o.days(2, 30)), case=o.slug, restriction=restriction)


def _restricted_already(o: _Offence) -> EventBase:
    ban = o.draw(st.sampled_from(_BANS))
    if ban not in dict(o.case().restrictions):
        o.setup(o.fact(Restricted, o.on(1), case=o.slug, restriction=ban))
    return o.fact(Restricted, o.on(o.days(2, 30)), case=o.slug, restriction=ban, conditions="again")


def _lift_in_force(o: _Offence) -> EventBase:
    state = o.case()
    held = dict(state.restrictions)
    candidates = [
        r
        for r in RESTRICTIONS
        if (r in _BANS and r not in held) or (r not in _BANS and state.status != RESTRICTION_STATUS[r])
    ]
    restriction = o.draw(st.sampled_from(candidates))
    return o.fact(RestrictionLifted, o.on(o.days(1, 30)), case=o.slug, restriction=restriction)


def _escape_held(o: _Offence) -> EventBase:
    o.release_from((*_HELD, "missing"))
    return o.fact(Escaped, o.on(o.days(2, 30)), case=o.slug)


def _disappear_held(o: _Offence) -> EventBase:
    o.release_from((*IN_CUSTODY, "house_arrest"))
    return o.fact(Disappeared, o.on(o.days(2, 30)), case=o.slug)


def _death_where_held(o: _Offence) -> EventBase:
    if o.case().status == "missing":  # either answer holds for the missing: bring them back first
        o.setup(o.fact(Detained, o.on(1), case=o.slug, **o.walk.detention))
    in_custody = o.case().status not in IN_CUSTODY  # the wrong answer
    return o.fact(Died, o.on(o.days(2, 30)), case=o.slug, in_custody=in_custody)


def _after_death(o: _Offence) -> EventBase:
    o.setup(o.fact(Died, o.on(1), case=o.slug, in_custody=o.case().status in IN_CUSTODY))
    cls = o.pick((Charged, Sentenced, Released, Detained, Designated, Escaped, CustodyChanged))
    fields: dict[str, Any] = {
        Detained: o.walk.detention,
        Designated: {"designation": "wrongful_detention", "by": "USA"},
        CustodyChanged: {"basis": "transfer to prison"},
    }.get(cls, _CASE_STEPS.get(cls, {}))
    return o.fact(cls, o.on(o.days(2, 30)), case=o.slug, **fields)


def _designate_once(o: _Offence) -> EventBase:
    fields = o.draw(_designation(parties()))
    made = {(d.designation, d.by, d.reference) for d in o.case().designations}
    if (fields["designation"], fields["by"], fields["reference"]) not in made:
        o.setup(o.fact(Designated, o.on(1), case=o.slug, **fields))
    return o.fact(Designated, o.on(o.days(2, 30)), case=o.slug, **fields)


def _unknown_actor(o: _Offence) -> EventBase:
    captor = ACTOR_PREFIX + o.other_slug()  # no history registers an actor
    return o.fact(
        Detained, o.on(1), case=o.other_slug(), person="P", nationalities=(o.party(),), detained_by=captor
    )


def _register_once(o: _Offence) -> EventBase:
    slug = o.other_slug()
    o.setup(o.fact(ActorRegistered, o.on(1), actor=slug, name="first"))
    return o.fact(ActorRegistered, o.on(o.days(2, 30)), actor=slug, name="again")


def _unknown_target(o: _Offence) -> EventBase:
    ghost = o.fact(Condemned, o.on(1), actor=o.party(), subject="never recorded")
    return o.amend(o.pick((Corrected, Retracted)), ghost)


def _amend_amendment(o: _Offence) -> EventBase:
    correction = o.setup(o.amend(Corrected, o.draw(st.sampled_from(o.history))))
    return o.amend(o.pick((Corrected, Retracted)), correction)


def _amend_retracted(o: _Offence) -> EventBase:
    statement = o.setup(o.fact(Condemned, o.on(1), actor=o.party(), subject="arbitrary detention"))
    retraction = o.setup(o.amend(Retracted, statement))
    return o.amend(o.pick((Corrected, Retracted)), statement, after=retraction, reason="once more")


def _amend_before_target(o: _Offence) -> EventBase:
    target = o.draw(st.sampled_from(o.history))
    assert target.recorded_at is not None  # noqa: S101 - generated facts are recorded
    stamp = target.recorded_at - timedelta(seconds=o.days(1, 10**7))
    on = _coarsen(stamp.date(), 0)
    return Corrected(
        target=target.id, changes={"note": "early"}, reason="test", occurred_on=on, recorded_at=stamp
    )


def _amend_entity(o: _Offence) -> EventBase:
    target = o.draw(st.sampled_from(o.history))
    key = "case" if o.walk.kind == "case" else "instrument"
    correction = o.amend(Corrected, target)
    return Corrected.model_validate(
        {**correction.model_dump(exclude={"id"}), "changes": {key: o.other_slug()}}
    )


def _unknown_reference(o: _Offence) -> EventBase:
    if o.walk.kind == "case" and o.draw(st.booleans()):
        return o.fact(CasesLinked, o.on(1), case=o.slug, other_case=o.other_slug(), relation="retaliation")
    about = o.draw(st.sampled_from(("instrument", "case")))
    return o.fact(Condemned, o.on(1), actor=o.party(), subject="detention", **{about: o.other_slug()})


def _duplicate_id(o: _Offence) -> EventBase:
    target = o.draw(st.sampled_from(o.history))
    twin = o.fact(Condemned, o.on(1), actor=o.party(), subject="a different fact")
    return twin.model_copy(update={"id": target.id})


#: For each rule: the kinds of history it can be broken against, and how to break it.
_OFFENCES: dict[str, tuple[tuple[HistoryKind, ...], Callable[[_Offence], EventBase]]] = {
    "unknown-instrument": (_INSTRUMENTS, _unknown_instrument),
    "open-once": (_INSTRUMENTS, _open_once),
    "before-opening": (_INSTRUMENTS, _before_opening),
    "endorse-declarations-only": (("treaty",), _wrong_kind(Endorsed)),
    "ratify-treaties-only": (("declaration",), _wrong_kind(Ratified)),
    "force-treaties-only": (("declaration",), _wrong_kind(EnteredIntoForce)),
    "force-once": (("treaty",), _force_once),
    "already-participating": (_INSTRUMENTS, _already_participating),
    "withdrawal-pending": (_INSTRUMENTS, _withdrawal_pending),
    "withdraw-participating": (_INSTRUMENTS, _withdraw_participating),
    "signature-closed": (("treaty",), _signature_closed),
    "revoke-pending-only": (_INSTRUMENTS, _revoke_pending_only),
    "unknown-case": (("case",), _unknown_case),
    "before-detention": (("case",), _before_detention),
    "detain-free": (("case",), _detain_free),
    "release-in-custody": (("case",), _release_in_custody),
    "bail-from-custody": (("case",), _bail_from_custody),
    "basis-in-custody": (("case",), _basis_in_custody),
    "restrict-from-custody": (("case",), _restrict_from_custody),
    "restricted-already": (("case",), _restricted_already),
    "lift-in-force": (("case",), _lift_in_force),
    "escape-held": (("case",), _escape_held),
    "disappear-held": (("case",), _disappear_held),
    "death-where-held": (("case",), _death_where_held),
    "after-death": (("case",), _after_death),
    "designate-once": (("case",), _designate_once),
    "unknown-actor": (_ANY, _unknown_actor),
    "register-once": (_ANY, _register_once),
    "unknown-target": (_ANY, _unknown_target),
    "amend-amendment": (_ANY, _amend_amendment),
    "amend-retracted": (_ANY, _amend_retracted),
    "amend-before-target": (_ANY, _amend_before_target),
    "amend-entity": (_ANY, _amend_entity),
    "unknown-reference": (_ANY, _unknown_reference),
    "duplicate-id": (_ANY, _duplicate_id),
    # Issue 14: the law of treaty acts.
    "after-termination": (("treaty", "bilateral_treaty"), _after_termination),
    "treaty-acts-only": (("declaration",), _treaty_acts_only),
    "bilateral-parties-only": (("bilateral_treaty",), _bilateral_parties_only),
    "reserve-participating": (("treaty",), _reserve_participating),
    "withdraw-reservation-made": (("treaty",), _withdraw_reservation_made),
    "object-participating": (("treaty",), _object_participating),
    "object-to-reservation": (("treaty",), _object_to_reservation),
    "territory-participating": (("treaty",), _territory_participating),
    "territory-once": (("treaty",), _territory_once),
    "suspend-bound": (("treaty",), _suspend_bound),
    "suspend-in-force": (("treaty",), _suspend_in_force),
    "end-suspension": (("treaty",), _end_suspension),
}


@st.composite
def _illegal(draw: st.DrawFn, rule: str) -> Illegal:
    kinds, offence = _OFFENCES[rule]
    # Histories end early enough to leave room before and after them for the offence.
    lo, hi = EARLIEST + timedelta(days=366), LATEST_VALID - timedelta(days=3 * 366)
    closing = rule == "signature-closed"
    walk = draw(_walks(draw(st.sampled_from(kinds)), 1, 6, True, lo, hi, mortal=False, closing=closing))
    o = _Offence(draw, walk, [fact.event for fact in walk.facts])
    event = offence(o)
    return Illegal(o.history, event, rule)  # type: ignore[arg-type]


def illegal_events(*, rules: Iterable[str] | None = None) -> st.SearchStrategy[Illegal]:
    """A legal history plus one fact that breaks a rule, with the rule's name (`Illegal`).

    `rules` picks among the names of `declaration_events.rules.RULES` (default: all of
    them). The history is accepted by a ledger; adding the fact to it (alone, or in one
    batch with the history) is rejected with `InvalidTransitionError(rule=...)`. Some
    offending facts are corrections or retractions that would leave an illegal path.
    Shrinks towards the first rule given and the shortest history.
    """
    names = list(dict.fromkeys(rules)) if rules is not None else [r for r in RULES if r in _OFFENCES]
    unknown = [name for name in names if name not in _OFFENCES]
    if unknown or not names:
        raise InvalidArgument(f"no generator for rules {unknown}; expected some of {', '.join(_OFFENCES)}")
    return st.sampled_from(names).flatmap(_illegal)
