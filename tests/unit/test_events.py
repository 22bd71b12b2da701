"""The event vocabulary: every type valid and invalid, dates, ids, metadata and the schema."""

from __future__ import annotations

import json
import pickle
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import (
    InvalidEventError,
    PartialDate,
    Signed,
    event_json_schema,
    parse_event,
)
from declaration_events.events import EVENT_TYPES
from helpers import ROOT

WHEN = {"occurred_on": "2021-02-15", "recorded_at": "2021-02-16T12:00:00+00:00"}
UUID_A = "43a8e878-12ee-453f-9570-e19b662393d7"

VALID: dict[str, dict[str, Any]] = {
    "InstrumentOpened": {"instrument": "decl", "title": "A declaration", "kind": "declaration"},
    "EnteredIntoForce": {"instrument": "treaty"},
    "Signed": {"instrument": "decl", "party": "CAN"},
    "Endorsed": {"instrument": "decl", "party": "Canada"},
    "Ratified": {"instrument": "treaty", "party": "CA", "mode": "accession", "effective_on": "2021-08"},
    "Withdrew": {"instrument": "treaty", "party": "UK", "effective_on": "2021-08-15"},
    "Reserved": {
        "instrument": "iccpr",
        "party": "USA",
        "kind": "reservation",
        "text": "art. 6",
        "articles": ["6"],
        "made_on": "consent",
    },
    "ReservationWithdrawn": {
        "instrument": "iccpr",
        "party": "USA",
        "reservation": "11111111-1111-4111-8111-111111111111",
    },
    "Objected": {"instrument": "iccpr", "party": "SWE", "to": "USA", "text": "incompatible"},
    "TerritoryIncluded": {"instrument": "ottawa", "party": "GBR", "territory": "Falkland Islands"},
    "TerritoryExcluded": {
        "instrument": "ottawa",
        "party": "DNK",
        "territory": "GRL",
        "effective_on": "2021-08-15",
    },
    "Suspended": {"instrument": "ottawa", "party": "UKR"},
    "SuspensionEnded": {"instrument": "ottawa"},
    "Terminated": {"instrument": "new-start"},
    "WithdrawalRevoked": {"instrument": "treaty", "party": "GMB"},
    "Continued": {"party": "SRB", "predecessor": "Serbia and Montenegro"},
    "Condemned": {"actor": "CAN", "subject": "hostage diplomacy", "target": "China", "quote": "immoral"},
    "Detained": {
        "case": "kovrig",
        "person": "Michael Kovrig",
        "nationalities": ["CAN"],
        "detaining_state": "CHN",
    },
    "Charged": {"case": "kovrig", "charges": ["spying"]},
    "Sentenced": {"case": "spavor", "sentence": "11 years", "term_days": 4018},
    "Released": {"case": "kovrig", "mechanism": "bail"},
    "CasesLinked": {"case": "kovrig", "other_case": "meng", "relation": "retaliation"},
    "CustodyChanged": {"case": "kovrig", "basis": "formal arrest"},
    "Restricted": {"case": "meng", "restriction": "house_arrest", "conditions": "GPS ankle monitor"},
    "RestrictionLifted": {"case": "meng", "restriction": "exit_ban"},
    "Died": {"case": "warmbier", "in_custody": False, "cause": "brain injury"},
    "Escaped": {"case": "ghosn"},
    "Disappeared": {"case": "tice"},
    "Designated": {
        "case": "ghosn",
        "designation": "arbitrary_detention_opinion",
        "by": "un-wgad",
        "reference": "Opinion No. 59/2020",
        "categories": ["III", "I"],
    },
    "ActorRegistered": {"actor": "haqqani-network", "name": "Haqqani network", "wikidata": "Q1"},
    "Corrected": {"target": UUID_A, "changes": {"speaker": "Antony Blinken"}, "reason": "misnamed"},
    "Retracted": {"target": UUID_A, "reason": "false report"},
}

# One invalid variant per type, and the field the error must name.
INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "InstrumentOpened": ({"instrument": "decl", "title": "x", "kind": "pact"}, "kind"),
    "EnteredIntoForce": ({"instrument": "Not A Slug"}, "instrument"),
    "Signed": ({"instrument": "decl", "party": "Atlantis"}, "party"),
    "Endorsed": ({"instrument": "decl"}, "party"),
    "Ratified": ({"instrument": "t", "party": "CAN", "mode": "osmosis"}, "mode"),
    "Withdrew": ({"instrument": "t", "party": "CAN", "effective_on": "2021-13-01"}, "effective_on"),
    "Reserved": (
        {"instrument": "t", "party": "USA", "kind": "objection", "text": "x", "made_on": "consent"},
        "kind",
    ),
    "ReservationWithdrawn": ({"instrument": "t", "party": "USA", "reservation": "not-a-uuid"}, "reservation"),
    "Objected": (
        {"instrument": "t", "party": "SWE", "to": "USA", "text": "x", "precludes_entry_into_force": "yes"},
        "precludes",
    ),
    "TerritoryIncluded": ({"instrument": "t", "party": "GBR", "territory": "EU"}, "territory"),
    "TerritoryExcluded": ({"instrument": "t", "party": "DNK", "territory": "Atlantis"}, "territory"),
    "Suspended": ({"instrument": "t", "party": "Atlantis"}, "party"),
    "SuspensionEnded": ({"instrument": "t", "party": "UKR", "effective_on": "2025-01-01"}, "effective_on"),
    "Terminated": ({"instrument": "t", "party": "USA"}, "party"),
    "WithdrawalRevoked": ({"instrument": "t"}, "party"),
    "Continued": ({"party": "SRB", "predecessor": "SRB"}, "predecessor"),
    "Condemned": ({"actor": "CAN", "subject": ""}, "subject"),
    "Detained": (
        {"case": "k", "person": "P", "nationalities": [], "detaining_state": "CHN"},
        "nationalities",
    ),
    "Charged": ({"case": "k", "charges": "spying"}, "charges"),
    "Sentenced": ({"case": "k", "sentence": "x", "term_days": "12"}, "term_days"),
    "Released": ({"case": "k", "mechanism": "escape"}, "mechanism"),
    "CasesLinked": ({"case": "k", "other_case": "k", "relation": "self"}, "other_case"),
    "CustodyChanged": ({"case": "k", "basis": "  "}, "basis"),
    "Restricted": ({"case": "k", "restriction": "curfew"}, "restriction"),
    "RestrictionLifted": ({"case": "k"}, "restriction"),
    "Died": ({"case": "k", "in_custody": "yes"}, "in_custody"),
    "Escaped": ({"case": "K K"}, "case"),
    "Disappeared": ({"case": "k", "fate": "unknown"}, "fate"),
    "Designated": ({"case": "k", "designation": "wrongful_detention", "by": "Atlantis"}, "by"),
    "ActorRegistered": ({"actor": "haqqani", "name": "Haqqani", "wikidata": "1351"}, "wikidata"),
    "Corrected": ({"target": UUID_A, "changes": {"type": "Signed"}, "reason": "x"}, "type"),
    "Retracted": ({"target": "not-a-uuid", "reason": "x"}, "target"),
}


def test_the_vocabulary_is_exactly_the_types_of_format_v1() -> None:
    """Every event type of DESIGN.md and of the detention issue (15) has a model, and no other."""
    assert set(EVENT_TYPES) == set(VALID) == set(INVALID)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_every_event_type_accepts_a_well_formed_line(kind: str) -> None:
    """A well-formed line of each type parses to a frozen model of that type."""
    event = parse_event(json.dumps({"type": kind, **WHEN, **VALID[kind]}))
    assert type(event).__name__ == kind
    with pytest.raises(Exception, match="frozen"):
        event.note = "changed"  # type: ignore[misc]


@pytest.mark.parametrize("kind", sorted(INVALID))
def test_every_event_type_rejects_a_bad_field_naming_it(kind: str) -> None:
    """A bad value is rejected with a message that names the field."""
    fields, bad_field = INVALID[kind]
    with pytest.raises(InvalidEventError, match=bad_field):
        parse_event({"type": kind, **WHEN, **fields})


def test_unknown_fields_and_types_are_rejected_by_name() -> None:
    """An unknown field or event type is named in the error."""
    with pytest.raises(InvalidEventError, match="'colour': unknown field"):
        parse_event({"type": "Signed", **WHEN, **VALID["Signed"], "colour": "red"})
    with pytest.raises(InvalidEventError, match="unknown event type 'Annexed'"):
        parse_event({"type": "Annexed", **WHEN})
    with pytest.raises(InvalidEventError, match="missing field 'type'"):
        parse_event(dict(WHEN))


def test_wrong_json_types_are_not_coerced() -> None:
    """Numbers are not accepted for text, nor strings for numbers."""
    with pytest.raises(InvalidEventError, match="person"):
        parse_event({"type": "Detained", **WHEN, **{**VALID["Detained"], "person": 42}})
    with pytest.raises(InvalidEventError, match="term_days"):
        parse_event({"type": "Sentenced", **WHEN, **{**VALID["Sentenced"], "term_days": 1.5}})


@pytest.mark.parametrize("text", ["2021-02-30", "2021-00", "21-02-15", "2021/02/15", "2021-2-5"])
def test_impossible_or_malformed_dates_are_rejected(text: str) -> None:
    """Dates must exist in the calendar and have the YYYY[-MM[-DD]] shape."""
    with pytest.raises(InvalidEventError, match="occurred_on"):
        parse_event({"type": "Signed", **VALID["Signed"], "occurred_on": text})


@pytest.mark.parametrize(
    ("text", "precision", "first", "last"),
    [
        ("2022-10-14", "day", "2022-10-14", "2022-10-14"),
        ("2022-10", "month", "2022-10-01", "2022-10-31"),
        ("2024-02", "month", "2024-02-01", "2024-02-29"),
        ("2022", "year", "2022-01-01", "2022-12-31"),
    ],
)
def test_partial_dates_keep_their_precision_and_period(
    text: str, precision: str, first: str, last: str
) -> None:
    """A partial date keeps its precision and spans its whole period."""
    event = parse_event({"type": "Endorsed", "instrument": "d", "party": "XKX", "occurred_on": text})
    assert str(event.occurred_on) == text
    assert event.occurred_on.precision == precision
    assert event.occurred_on.first.isoformat() == first
    assert event.occurred_on.last.isoformat() == last
    assert json.loads(event.to_json())["occurred_on"] == text


@given(st.dates(min_value=date(1, 1, 1)), st.sampled_from(["day", "month", "year"]))
def test_any_partial_date_writes_the_text_it_was_read_from_however_made(day: date, precision: str) -> None:
    """Read from text, made from numbers, from a `date` or unpickled: one text, in `str`, in JSON
    and in the id's content (the text is written once, when the date is made)."""
    text = day.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]]
    parts = [int(part) for part in text.split("-")]
    made = [PartialDate.parse(text), PartialDate(*parts), pickle.loads(pickle.dumps(PartialDate.parse(text)))]  # noqa: S301
    if precision == "day":
        made.append(PartialDate.of(day))
    event = parse_event({"type": "Endorsed", "instrument": "d", "party": "XKX", "occurred_on": text})
    for value in made:
        assert str(value) == text and value == PartialDate.parse(text)
        assert event.model_copy(update={"occurred_on": value}).to_json() == event.to_json()
    assert event.model_dump(mode="json")["occurred_on"] == text


def test_a_missing_id_is_derived_from_content_not_from_record_time() -> None:
    """The same line read twice gets the same id; a different record time does not change it."""
    line = {"type": "Signed", "instrument": "decl", "party": "CAN", "occurred_on": "2021-02-15"}
    first = parse_event(json.dumps(line))
    again = parse_event(json.dumps(line))
    later = parse_event({**line, "recorded_at": "2024-01-01T00:00:00Z"})
    other = parse_event({**line, "party": "USA"})
    assert first.id == again.id == later.id
    assert first.id != other.id
    assert first.id.version == 5


def test_party_names_and_codes_normalise_to_the_same_id() -> None:
    """`Canada`, `CA` and `CAN` are one party, so they derive one id."""
    ids = {
        parse_event({"type": "Signed", "instrument": "d", "party": name, "occurred_on": "2021-02-15"}).id
        for name in ("Canada", "CA", "CAN", "canada")
    }
    assert len(ids) == 1


def test_an_explicit_id_is_kept() -> None:
    """An id given on the line is the event's id."""
    event = parse_event({"type": "Signed", "id": UUID_A, **WHEN, **VALID["Signed"]})
    assert str(event.id) == UUID_A


def test_a_fact_recorded_before_it_happened_is_rejected() -> None:
    """occurred_on after recorded_at is impossible."""
    with pytest.raises(InvalidEventError, match="cannot be recorded before it happened"):
        parse_event(
            {
                **VALID["Signed"],
                "type": "Signed",
                "occurred_on": "2021-03-01",
                "recorded_at": "2021-02-01T00:00:00Z",
            }
        )


def test_an_effective_date_before_the_fact_is_rejected() -> None:
    """effective_on before occurred_on is impossible."""
    with pytest.raises(InvalidEventError, match="effective_on 2021-01-01 is before occurred_on"):
        parse_event({**VALID["Withdrew"], "type": "Withdrew", **WHEN, "effective_on": "2021-01-01"})


def test_record_times_need_an_offset() -> None:
    """A naive record time is ambiguous and rejected."""
    with pytest.raises(InvalidEventError, match="recorded_at"):
        parse_event(
            {
                **VALID["Signed"],
                "type": "Signed",
                "occurred_on": "2021-02-15",
                "recorded_at": "2021-02-16T12:00:00",
            }
        )


def test_each_type_carries_its_cameo_code_and_plover_category() -> None:
    """CAMEO codes (strings, leading zeros kept) and PLOVER categories are class metadata."""
    cameo = {name: cls.cameo for name, cls in EVENT_TYPES.items()}
    plover = {name: cls.plover for name, cls in EVENT_TYPES.items()}
    assert cameo["Endorsed"] == "051"
    assert cameo["Signed"] == "057"
    assert cameo["Condemned"] == "111"
    assert cameo["Detained"] == "173"
    assert cameo["Released"] == "0841"
    assert cameo["Sentenced"] == "116"
    assert plover["Signed"] == plover["Endorsed"] == "SUPPORT"
    assert plover["Condemned"] == "ACCUSE"
    assert (plover["Detained"], EVENT_TYPES["Detained"].plover_mode) == ("COERCE", "arrest")
    assert (plover["Sentenced"], EVENT_TYPES["Sentenced"].plover_mode) == ("SANCTION", "convict")
    assert (plover["Released"], EVENT_TYPES["Released"].plover_mode) == ("RETREAT", "release")
    assert (cameo["CustodyChanged"], plover["CustodyChanged"]) == ("173", "COERCE")
    assert (cameo["Restricted"], EVENT_TYPES["Restricted"].plover_mode) == ("172", "restrict")
    assert (cameo["RestrictionLifted"], plover["RestrictionLifted"]) == ("081", "CONCEDE")
    assert (cameo["Designated"], plover["Designated"]) == ("1122", "ACCUSE")
    assert cameo["Died"] is cameo["Escaped"] is cameo["Disappeared"] is cameo["ActorRegistered"] is None


def test_canonical_lines_read_back_to_equal_events() -> None:
    """to_json() is a line of the format that parses back to the same event."""
    for kind, fields in VALID.items():
        event = parse_event({"type": kind, **WHEN, **fields})
        assert parse_event(event.to_json()) == event


def test_a_correction_may_not_change_the_events_identity() -> None:
    """type, id and recorded_at are not correctable."""
    for frozen in ("type", "id", "recorded_at"):
        with pytest.raises(InvalidEventError, match=frozen):
            parse_event(
                {"type": "Corrected", **WHEN, "target": UUID_A, "changes": {frozen: "x"}, "reason": "r"}
            )


def test_models_can_be_built_in_python_with_names_and_dates() -> None:
    """The Python API takes the same inputs as the log."""
    event = Signed(instrument="ottawa-treaty", party="Canada", occurred_on=PartialDate.parse("1997-12-03"))
    assert event.party == "CAN"


def test_the_committed_json_schema_matches_the_models() -> None:
    """schema/event-log-v1.json is regenerated from the models (`declaration-events schema`)."""
    committed = json.loads((ROOT / "schema" / "event-log-v1.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(event_json_schema())), (
        "schema drifted: run `declaration-events schema > schema/event-log-v1.json`"
    )


def test_a_single_event_reads_as_one_line_and_renders_as_an_html_table() -> None:
    """str() is a one-line summary; _repr_html_ escapes and tabulates the fields."""
    event = parse_event({"type": "Detained", **WHEN, **{**VALID["Detained"], "person": "A <b>"}})
    assert str(event) == "2021-02-15 Detained case=kovrig person=A <b> nationalities=CAN detaining_state=CHN"
    page = event._repr_html_()
    assert "<caption>Detained</caption>" in page
    assert "A &lt;b&gt;" in page
    assert "<th style='text-align:left'>detaining_state</th>" in page


# -- the vocabulary of issue 15 ------------------------------------------------------------------


def test_lines_written_before_the_new_fields_keep_their_ids() -> None:
    """New optional fields default to None, so ids derived from old lines do not change."""
    lines = (ROOT / "seeds" / "detention-cases.jsonl").read_text(encoding="utf-8").splitlines()
    ids = [str(parse_event(json.loads(line)).id) for line in lines[:13]]
    assert (ids[0], ids[2], ids[9]) == (
        "aaa07257-4eb4-53f7-9241-540bf056b5c4",  # Meng's Detained, with `detaining_state`
        "16d3594c-7d18-509f-8da7-71f60db4d6bd",  # her Charged of 2019-01-28, naming no person
        "ba241d5b-78d7-576c-8a8b-a4a36969ef84",  # Kovrig's Released
    )


def test_the_captor_is_detained_by_or_its_old_name_and_may_be_an_actor() -> None:
    """`detained_by` and `detaining_state` name the same captor: a party's code or actor:SLUG."""
    base = {"type": "Detained", **WHEN, "case": "k", "person": "P", "nationalities": ["US"]}
    assert parse_event({**base, "detaining_state": "Syria"}).captor == "SYR"  # type: ignore[union-attr]
    assert parse_event({**base, "detained_by": "actor:islamic-state"}).captor == "actor:islamic-state"  # type: ignore[union-attr]
    assert parse_event({**base, "detained_by": "CHN", "detaining_state": "China"}).captor == "CHN"  # type: ignore[union-attr]
    for fields, message in (
        ({}, "field 'detained_by': required field is missing"),
        ({"detained_by": "CHN", "detaining_state": "RUS"}, "name different captors"),
        ({"detained_by": "actor:Islamic State"}, "is not an actor: write actor:SLUG"),
        ({"detained_by": "Narnia"}, "unknown party 'Narnia'"),
    ):
        with pytest.raises(InvalidEventError, match=message):
            parse_event({**base, **fields})


def test_a_charge_naming_the_person_gives_person_nationalities_and_charging_state_together() -> None:
    """Half a person is an error that says what else is needed; `charging_state` alone is fine."""
    base = {"type": "Charged", **WHEN, "case": "meng", "charges": ["bank fraud"]}
    opening = parse_event({**base, "person": "M", "nationalities": ["CN"], "charging_state": "US"})
    assert (opening.person, opening.nationalities, opening.charging_state) == ("M", ("CHN",), "USA")  # type: ignore[union-attr]
    assert parse_event({**base, "charging_state": "USA"}).parties() == ("USA",)
    with pytest.raises(InvalidEventError, match="give person, nationalities and charging_state together"):
        parse_event({**base, "person": "M", "nationalities": ["CN"]})
    with pytest.raises(InvalidEventError, match="nationalities without person"):
        parse_event({**base, "nationalities": ["CN"]})


def test_designations_are_made_by_a_party_a_body_or_an_actor_with_categories_for_opinions() -> None:
    """`by` resolves parties and knows UN bodies; categories I-V are sorted, once each, opinions only."""
    base = {"type": "Designated", **WHEN, "case": "k"}
    opinion = {**base, "designation": "arbitrary_detention_opinion", "by": "un-wgad"}
    assert parse_event({**opinion, "categories": ["V", "I", "III"]}).categories == ("I", "III", "V")  # type: ignore[union-attr]
    assert parse_event({**base, "designation": "wrongful_detention", "by": "United States"}).by == "USA"  # type: ignore[union-attr]
    assert parse_event({**base, "designation": "hostage_taking", "by": "actor:x"}).by == "actor:x"  # type: ignore[union-attr]
    for fields, message in (
        ({**opinion, "categories": ["VI"]}, "categories"),
        ({**opinion, "categories": ["I", "I"]}, "categories repeat one"),
        (
            {**base, "designation": "wrongful_detention", "by": "USA", "categories": ["I"]},
            "to arbitrary_detention_opinion only",
        ),
        (
            {**base, "designation": "wrongful_detention", "by": "wgad"},
            r"neither a party, nor a body \(un-wgad",
        ),
    ):
        with pytest.raises(InvalidEventError, match=message):
            parse_event(fields)


def test_an_actor_is_registered_by_its_slug_written_bare_or_with_its_prefix() -> None:
    """`actor:haqqani-network` and `haqqani-network` register the same actor; Wikidata ids are Q-numbers."""
    base = {"type": "ActorRegistered", **WHEN, "name": "Haqqani network"}
    bare = parse_event({**base, "actor": "haqqani-network"})
    prefixed = parse_event({**base, "actor": "actor:haqqani-network"})
    assert bare.id == prefixed.id and bare.entity() == "actor:haqqani-network"
    assert bare.parties() == ("actor:haqqani-network",)
    with pytest.raises(InvalidEventError, match="wikidata"):
        parse_event({**base, "actor": "h", "wikidata": "Q0"})


def test_summaries_of_the_new_events_say_what_happened() -> None:
    """Timelines show a formal arrest, a restriction and a death in words."""
    custody = parse_event({"type": "CustodyChanged", **WHEN, "case": "kovrig", "basis": "formal arrest"})
    died = parse_event({"type": "Died", **WHEN, "case": "w", "in_custody": False, "cause": "brain injury"})
    assert custody.summary() == "CustodyChanged case=kovrig basis=formal arrest"
    assert died.summary() == "Died case=w in_custody=False cause=brain injury"
