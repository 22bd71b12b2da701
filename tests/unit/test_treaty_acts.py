"""The rest of a treaty's record (issue 14): reservations, declarations and objections, territorial
application, suspension and termination, bilateral treaties; each rule and its rejections."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import InvalidEventError, InvalidTransitionError, Ledger, parse_event
from declaration_events.rules import PARTICIPATION_STATUSES, RULES
from helpers import ROOT, SEEDS

REC = "2026-11-01T00:00:00+00:00"
RES = "11111111-1111-4111-8111-111111111111"
RES2 = "22222222-2222-4222-8222-222222222222"


def opened(kind: str = "treaty", **fields: Any) -> dict[str, Any]:
    return {
        "type": "InstrumentOpened",
        "instrument": "t",
        "title": "A treaty",
        "kind": kind,
        "occurred_on": "2000-01-10",
        "recorded_at": REC,
        **fields,
    }


def act(event_type: str, on: str, party: str | None = None, **fields: Any) -> dict[str, Any]:
    line = {"type": event_type, "instrument": "t", "occurred_on": on, "recorded_at": REC, **fields}
    if party is not None:
        line["party"] = party
    return line


def in_force(*parties: str, on: str = "2001-01-01") -> list[dict[str, Any]]:
    """A treaty in force from `on` with these parties bound (consents a month before)."""
    return [opened(), *(act("Ratified", "2000-12-01", p) for p in parties), act("EnteredIntoForce", on)]


def reserve(party: str, on: str, rid: str = RES, **fields: Any) -> dict[str, Any]:
    return act(
        "Reserved",
        on,
        party,
        id=rid,
        **{
            "kind": "reservation",
            "text": "art. 6 does not apply",
            "articles": ["6"],
            "made_on": "consent",
            **fields,
        },
    )


def refused(events: list[dict[str, Any]], rule: str) -> InvalidTransitionError:
    with pytest.raises(InvalidTransitionError) as caught:
        Ledger.from_events(events)
    assert caught.value.rule == rule, caught.value
    return caught.value


def statuses(ledger: Ledger, as_of: str, instrument: str = "t") -> dict[str, str]:
    return {r.party: r.status for r in ledger.signatories(instrument, as_of=as_of)}


def test_the_new_statuses_and_rules_are_named() -> None:
    """suspended and terminated are statuses; every new rule has words in RULES."""
    assert PARTICIPATION_STATUSES[4:] == ("suspended", "withdrawing", "withdrawn", "terminated")
    for rule in (
        "after-termination",
        "treaty-acts-only",
        "bilateral-parties-only",
        "reserve-participating",
        "withdraw-reservation-made",
        "object-participating",
        "object-to-reservation",
        "territory-participating",
        "territory-once",
        "suspend-bound",
        "suspend-in-force",
        "end-suspension",
    ):
        assert RULES[rule]


# -- reservations and declarations ----------------------------------------------------------------


def test_a_reservation_made_on_consent_is_in_force_with_its_articles_and_made_date() -> None:
    ledger = Ledger.from_events([*in_force("USA", "SWE"), reserve("USA", "2000-12-01")])
    result = ledger.reservations("t", as_of="2005-01-01")
    (row,) = result.rows
    assert (row.reservation, row.party, row.kind, row.articles, row.made_on, row.made) == (
        UUID(RES),
        "USA",
        "reservation",
        ("6",),
        "consent",
        date(2000, 12, 1),
    )
    assert result.counts == {"reservation": 1}
    assert ledger.reservations("t", as_of="2000-11-30").rows == ()


def test_a_partial_withdrawal_changes_the_text_and_a_whole_one_ends_the_reservation() -> None:
    events = [
        *in_force("USA"),
        reserve("USA", "2000-12-01", text="arts. 6 and 7 do not apply"),
        act("ReservationWithdrawn", "2003-05-01", "USA", reservation=RES, text="art. 6 does not apply"),
        act("ReservationWithdrawn", "2008-05-01", "USA", reservation=RES),
    ]
    ledger = Ledger.from_events(events)
    assert ledger.reservations("t", as_of="2003-04-30")[0].text == "arts. 6 and 7 do not apply"
    partly = ledger.reservations("t", as_of="2003-05-01")[0]
    assert (partly.text, partly.since, partly.made) == (
        "art. 6 does not apply",
        date(2003, 5, 1),
        date(2000, 12, 1),
    )
    assert ledger.reservations("t", as_of="2008-05-01").rows == ()


@pytest.mark.parametrize(
    ("before", "made_on"),
    [
        ([], "consent"),  # no participation at all
        ([act("Signed", "2000-11-01", "USA")], "consent"),  # signed, no consent given
        ([act("Ratified", "2000-11-01", "USA", mode="accession")], "signature"),  # no signature stands
    ],
)
def test_only_a_signatory_or_contracting_state_reserves_and_as_it_says(
    before: list[dict[str, Any]], made_on: str
) -> None:
    error = refused(
        [opened(), *before, reserve("USA", "2000-12-01", made_on=made_on)], "reserve-participating"
    )
    assert "Rule 'reserve-participating'" in str(error)


def test_a_reservation_made_on_signature_by_a_signatory_and_later_by_a_party_are_legal() -> None:
    events = [
        opened(),
        act("Signed", "2000-02-01", "USA"),
        reserve("USA", "2000-02-01", made_on="signature"),
        act("Ratified", "2000-12-01", "USA"),
        reserve("USA", "2001-06-01", RES2, made_on="later", kind="interpretative_declaration"),
        act("EnteredIntoForce", "2001-01-01"),
    ]
    result = Ledger.from_events(events).reservations("t", as_of="2002-01-01")
    assert [r.kind for r in result] == ["reservation", "interpretative_declaration"]


def test_a_declaration_takes_no_reservation_objection_territory_suspension_or_termination() -> None:
    declaration = [opened("declaration"), act("Endorsed", "2000-02-01", "USA")]
    for fact in (
        reserve("USA", "2000-03-01", made_on="later"),
        act("TerritoryIncluded", "2000-03-01", "USA", territory="GUM"),
        act("Suspended", "2000-03-01", "USA"),
        act("Terminated", "2000-03-01"),
    ):
        refused([*declaration, fact], "treaty-acts-only")


def test_only_a_reservation_the_party_made_and_still_holds_can_be_withdrawn() -> None:
    base = [*in_force("USA", "SWE"), reserve("USA", "2000-12-01")]
    refused(
        [*base, act("ReservationWithdrawn", "2002-01-01", "SWE", reservation=RES)],
        "withdraw-reservation-made",
    )
    refused(
        [*base, act("ReservationWithdrawn", "2002-01-01", "USA", reservation=RES2)],
        "withdraw-reservation-made",
    )
    whole = act("ReservationWithdrawn", "2002-01-01", "USA", reservation=RES)
    refused([*base, whole, {**whole, "occurred_on": "2003-01-01"}], "withdraw-reservation-made")
    # before it was made: the withdrawal meets no reservation
    refused([*base, {**whole, "occurred_on": "2000-11-30"}], "withdraw-reservation-made")


# -- objections and relations ---------------------------------------------------------------------


def objection(party: str, to: str, on: str, **fields: Any) -> dict[str, Any]:
    return act("Objected", on, party, to=to, text="incompatible with the object and purpose", **fields)


def test_objections_are_listed_with_the_reservation_they_answer() -> None:
    events = [
        *in_force("USA", "SWE", "DEU", "FIN"),
        reserve("USA", "2000-12-01"),
        reserve("USA", "2000-12-01", RES2, text="art. 7 as the Constitution has it", articles=["7"]),
        objection("SWE", "USA", "2001-06-18", reservation=RES),
        objection("DEU", "USA", "2001-09-28"),  # to every reservation of the United States
    ]
    ledger = Ledger.from_events(events)
    by_id = {str(r.reservation): r for r in ledger.reservations("t", as_of="2002-01-01")}
    assert [o.party for o in by_id[RES].objections] == ["SWE", "DEU"]
    assert [o.party for o in by_id[RES2].objections] == ["DEU"]
    assert [o.party for o in ledger.reservations("t", as_of="2001-07-01")[0].objections] == ["SWE"]


def test_an_objection_needs_a_participating_objector_and_a_reservation_in_force() -> None:
    base = [*in_force("USA", "SWE"), reserve("USA", "2000-12-01")]
    refused([*base, objection("NOR", "USA", "2001-06-01")], "object-participating")
    refused([*in_force("USA", "SWE"), objection("SWE", "USA", "2001-06-01")], "object-to-reservation")
    refused([*base, objection("SWE", "USA", "2001-06-01", reservation=RES2)], "object-to-reservation")
    withdrawn = act("ReservationWithdrawn", "2001-01-01", "USA", reservation=RES)
    refused([*base, withdrawn, objection("SWE", "USA", "2001-06-01")], "object-to-reservation")
    with pytest.raises(InvalidEventError, match="own reservation"):
        parse_event(objection("USA", "USA", "2001-06-01"))


def test_an_objection_precluding_entry_into_force_unbinds_the_two_towards_each_other_only() -> None:
    events = [
        *in_force("USA", "SWE", "DEU"),
        reserve("USA", "2000-12-01"),
        objection("SWE", "USA", "2001-06-18", precludes_entry_into_force=True),
        objection("DEU", "USA", "2001-09-28"),
    ]
    ledger = Ledger.from_events(events)
    usa = ledger.relations("t", "United States", as_of="2002-01-01")
    assert (usa.party, usa.status, usa.bound_towards()) == ("USA", "party", ("DEU",))
    assert "SWE objected to USA's reservation on 2001-06-18" in usa["SWE"].reason
    assert ledger.relations("t", "SWE", as_of="2002-01-01").bound_towards() == ("DEU",)
    assert ledger.relations("t", "SWE", as_of="2001-06-17").bound_towards() == ("DEU", "USA")
    assert ledger.relations("t", "DEU", as_of="2002-01-01").counts == {"bound": 2, "not bound": 0}


def test_relations_of_a_state_not_bound_are_none() -> None:
    ledger = Ledger.from_events([*in_force("USA", "SWE"), act("Signed", "2000-06-01", "NOR")])
    norway = ledger.relations("t", "NOR", as_of="2002-01-01")
    assert norway.bound_towards() == () and norway.status == "signed"
    assert "NOR is not bound (signed)" in norway["USA"].reason


# -- territorial application ----------------------------------------------------------------------


def test_rows_list_the_territories_the_treaty_applies_to_on_the_date() -> None:
    events = [
        *in_force("GBR", "DNK"),
        act("TerritoryIncluded", "2001-12-04", "GBR", territory="Falkland Islands"),
        act("TerritoryIncluded", "2002-04-03", "GBR", territory="GGY", effective_on="2002-06-01"),
        act("TerritoryExcluded", "2005-01-01", "GBR", territory="FLK"),
        act("TerritoryExcluded", "2000-12-01", "DNK", territory="GRL"),  # never included: declared outside
    ]
    ledger = Ledger.from_events(events)
    gbr = ledger.signatories("t", as_of="2002-05-01")["GBR"]
    assert gbr.territories == ("FLK",)
    assert ledger.signatories("t", as_of="2002-06-01")["GBR"].territories == ("FLK", "GGY")
    assert ledger.signatories("t", as_of="2005-01-01")["GBR"].territories == ("GGY",)
    assert ledger.signatories("t", as_of="2005-01-01")["DNK"].territories == ()
    result = ledger.signatories("t", as_of="2002-06-01")
    assert result.to_dict()["parties"][1]["territories"] == ["FLK", "GGY"]
    assert result.to_csv().splitlines()[2].endswith(",FLK;GGY")
    assert "FLK, GGY" in str(result)


def test_a_territory_is_included_by_a_participant_once_until_excluded() -> None:
    included = act("TerritoryIncluded", "2001-12-04", "GBR", territory="FLK")
    refused([*in_force("DNK"), included], "territory-participating")
    refused([*in_force("GBR"), included, {**included, "occurred_on": "2002-01-01"}], "territory-once")
    excluded = act("TerritoryExcluded", "2002-01-01", "GBR", territory="FLK")
    refused([*in_force("GBR"), excluded, {**excluded, "occurred_on": "2003-01-01"}], "territory-once")
    with pytest.raises(InvalidEventError, match="not a territory"):
        parse_event(act("TerritoryIncluded", "2001-12-04", "GBR", territory="GBR"))


# -- suspension and termination -------------------------------------------------------------------


def test_a_suspended_party_is_a_contracting_state_but_not_a_party_until_the_suspension_ends() -> None:
    events = [
        *in_force("UKR", "CAN"),
        act("Suspended", "2025-07-18", "UKR"),
        act("SuspensionEnded", "2026-03-01", "UKR"),
    ]
    ledger = Ledger.from_events(events)
    assert ledger.signatories("t", as_of="2025-07-17").tally == {
        "signatories": 0,
        "contracting_states": 2,
        "parties": 2,
    }
    during = ledger.signatories("t", as_of="2025-07-18")
    assert during["UKR"].status == "suspended" and during["UKR"].since == date(2025, 7, 18)
    assert during.tally == {"signatories": 0, "contracting_states": 2, "parties": 1}
    assert during.counts == {"party": 1, "suspended": 1}
    assert statuses(ledger, "2026-03-01") == {"CAN": "party", "UKR": "party"}


def test_only_a_bound_party_suspends_and_only_a_suspension_in_force_ends() -> None:
    refused(
        [*in_force("CAN"), act("Signed", "2001-02-01", "UKR"), act("Suspended", "2002-01-01", "UKR")],
        "suspend-bound",
    )
    suspended = act("Suspended", "2002-01-01", "UKR")
    refused([*in_force("UKR"), suspended, {**suspended, "occurred_on": "2003-01-01"}], "suspend-bound")
    refused([*in_force("UKR"), act("SuspensionEnded", "2002-01-01", "UKR")], "end-suspension")
    withdrawing = act("Withdrew", "2002-01-01", "UKR", effective_on="2002-07-01")
    refused([*in_force("UKR"), withdrawing, act("Suspended", "2002-02-01", "UKR")], "withdrawal-pending")


def test_the_whole_treaty_suspended_suspends_every_party_and_newcomers_until_it_ends() -> None:
    events = [
        *in_force("CAN", "MEX"),
        act("Suspended", "2003-01-01"),
        act("Ratified", "2003-02-01", "USA", effective_on="2003-03-01"),
        act("Suspended", "2003-06-01", "MEX"),  # refused: MEX is not a bound party any more
    ]
    refused(events, "suspend-bound")
    ledger = Ledger.from_events([*events[:-1], act("SuspensionEnded", "2004-01-01")])
    assert statuses(ledger, "2003-03-01") == {"CAN": "suspended", "MEX": "suspended", "USA": "suspended"}
    assert ledger.signatories("t", as_of="2003-03-01").tally["parties"] == 0
    assert statuses(ledger, "2004-01-01") == {"CAN": "party", "MEX": "party", "USA": "party"}
    refused([*in_force("CAN"), act("Suspended", "2000-06-01")], "suspend-in-force")  # not yet in force
    whole = act("Suspended", "2003-01-01")
    refused([*in_force("CAN"), whole, {**whole, "occurred_on": "2003-02-01"}], "suspend-in-force")
    refused([*in_force("CAN"), act("SuspensionEnded", "2003-01-01")], "end-suspension")


def test_a_party_s_own_suspension_outlasts_the_whole_treaty_s() -> None:
    events = [
        *in_force("CAN", "UKR"),
        act("Suspended", "2002-01-01", "UKR"),
        act("Suspended", "2003-01-01"),
        act("SuspensionEnded", "2004-01-01"),
    ]
    ledger = Ledger.from_events(events)
    assert statuses(ledger, "2004-01-01") == {"CAN": "party", "UKR": "suspended"}


def test_a_suspended_party_may_withdraw_and_a_revocation_restores_the_suspension() -> None:
    base = [*in_force("UKR", "CAN"), act("Suspended", "2025-07-18", "UKR")]
    withdrew = act("Withdrew", "2025-08-01", "UKR", effective_on="2026-02-01")
    ledger = Ledger.from_events([*base, withdrew])
    assert statuses(ledger, "2025-09-01")["UKR"] == "withdrawing"
    assert ledger.signatories("t", as_of="2025-09-01").tally["parties"] == 1
    assert statuses(ledger, "2026-02-01")["UKR"] == "withdrawn"
    revoked = Ledger.from_events([*base, withdrew, act("WithdrawalRevoked", "2025-10-01", "UKR")])
    assert statuses(revoked, "2026-06-01")["UKR"] == "suspended"


def test_termination_ends_every_participation_and_nothing_follows_it() -> None:
    events = [
        *in_force("USA", "RUS", "CAN"),
        act("Signed", "2001-06-01", "MEX"),
        act("Withdrew", "2005-01-01", "CAN", effective_on="2005-07-01"),
        act("Withdrew", "2006-01-01", "USA", effective_on="2008-01-01"),
        act("Terminated", "2007-01-01"),
    ]
    ledger = Ledger.from_events(events)
    assert statuses(ledger, "2007-01-01") == {
        "CAN": "withdrawn",
        "MEX": "terminated",
        "RUS": "terminated",
        "USA": "terminated",
    }
    assert ledger.signatories("t", as_of="2007-01-01").tally == {
        "signatories": 0,
        "contracting_states": 0,
        "parties": 0,
    }
    assert statuses(ledger, "2009-01-01")["USA"] == "terminated"  # its withdrawal never took effect
    error = refused([*events, act("Ratified", "2007-01-02", "MEX")], "after-termination")
    assert "the treaty ended on 2007-01-01" in str(error)
    refused([*events, {**events[-1], "note": "by agreement"}], "after-termination")  # terminated once
    same_day = Ledger.from_events([*events, act("Ratified", "2007-01-01", "MEX")])  # before it, that day
    assert statuses(same_day, "2007-01-01")["MEX"] == "terminated"


def test_a_treaty_terminated_before_entry_into_force_never_enters_into_force() -> None:
    clauses = {"consents_required": 2, "entry_into_force": {"days": 90}}
    events = [
        opened(final_clauses=clauses),
        act("Ratified", "2000-02-01", "USA"),
        act("Ratified", "2000-03-01", "RUS"),
        act("Terminated", "2000-04-01"),
    ]
    ledger = Ledger.from_events(events)
    assert statuses(ledger, "2001-01-01") == {"RUS": "terminated", "USA": "terminated"}
    history = ledger.projection.instrument_history("t")
    assert history.entered_into_force is None
    assert [m[1] for m in history.milestones] == ["opened", "terminated"]


# -- bilateral treaties ---------------------------------------------------------------------------


def bilateral(*facts: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        opened("bilateral_treaty", between=["USA", "RUS"], final_clauses={"withdrawal": {"months": 6}}),
        act("Signed", "2000-02-01", "USA"),
        act("Signed", "2000-02-01", "RUS"),
        act("Ratified", "2000-05-27", "USA"),
        act("Ratified", "2000-05-28", "RUS"),
        act("EnteredIntoForce", "2000-06-01"),
        *facts,
    ]


def test_one_side_s_withdrawal_ends_a_bilateral_treaty_for_both_on_its_effect() -> None:
    ledger = Ledger.from_events(bilateral(act("Withdrew", "2019-02-02", "USA")))
    assert statuses(ledger, "2019-08-01") == {"RUS": "party", "USA": "withdrawing"}
    after = ledger.signatories("t", as_of="2019-08-02")
    assert {r.party: (r.status, r.since) for r in after} == {
        "RUS": ("terminated", date(2019, 8, 2)),
        "USA": ("withdrawn", date(2019, 8, 2)),
    }
    assert after.counts == {"terminated": 1, "withdrawn": 1}
    assert after.tally == {"signatories": 0, "contracting_states": 0, "parties": 0}
    refused(
        bilateral(act("Withdrew", "2019-02-02", "USA"), act("Suspended", "2019-08-02", "RUS")),
        "after-termination",
    )


def test_a_revoked_bilateral_withdrawal_leaves_the_treaty_in_force() -> None:
    ledger = Ledger.from_events(
        bilateral(act("Withdrew", "2019-02-02", "USA"), act("WithdrawalRevoked", "2019-05-01", "USA"))
    )
    assert statuses(ledger, "2020-01-01") == {"RUS": "party", "USA": "party"}


def test_only_the_two_parties_act_under_a_bilateral_treaty() -> None:
    refused(bilateral(act("Signed", "2000-03-01", "CAN")), "bilateral-parties-only")
    refused(bilateral(act("Suspended", "2003-01-01", "CHN")), "bilateral-parties-only")
    with pytest.raises(InvalidEventError, match="names its two parties"):
        parse_event(opened("bilateral_treaty"))
    with pytest.raises(InvalidEventError, match="only a bilateral treaty names its parties"):
        parse_event(opened("treaty", between=["USA", "RUS"]))
    with pytest.raises(InvalidEventError, match="two different parties"):
        parse_event(opened("bilateral_treaty", between=["USA", "USA"]))


@given(st.integers(min_value=0, max_value=3000), st.integers(min_value=1, max_value=12))
def test_a_bilateral_treaty_is_never_party_on_one_side_only_after_a_withdrawal(
    days: int, months: int
) -> None:
    """For any notice date and delay, from the effect on neither side is a party (the INF case)."""
    notice = date.fromordinal(date(2000, 7, 1).toordinal() + days)
    withdrew = act("Withdrew", notice.isoformat(), "RUS")
    events = bilateral(withdrew)
    events[0] = {**events[0], "final_clauses": {"withdrawal": {"months": months}}}
    ledger = Ledger.from_events(events)
    history = ledger.projection.instrument_history("t")
    ended = next(on for on, what, _ in history.milestones if what == "terminated")
    assert statuses(ledger, ended.isoformat()) == {"RUS": "withdrawn", "USA": "terminated"}
    assert ledger.signatories("t", as_of=ended).tally["parties"] == 0


# -- seeds, timeline and the command line --------------------------------------------------------


def test_the_inf_and_new_start_seeds_end_both_treaties_for_both_sides() -> None:
    ledger = Ledger.from_jsonl(ROOT / "seeds" / "bilateral-treaties.jsonl")
    assert statuses(ledger, "2019-08-02", "inf-treaty") == {"RUS": "terminated", "USA": "withdrawn"}
    assert statuses(ledger, "2023-03-01", "new-start") == {"RUS": "suspended", "USA": "party"}
    assert statuses(ledger, "2026-02-05", "new-start") == {"RUS": "terminated", "USA": "terminated"}
    assert all(
        line["sources"]
        for line in map(json.loads, (ROOT / "seeds" / "bilateral-treaties.jsonl").read_text().splitlines())
    )


def test_the_iccpr_seed_lists_real_reservations_and_the_objections_to_them() -> None:
    ledger = Ledger.from_jsonl(ROOT / "seeds" / "iccpr-reservations.jsonl")
    result = ledger.reservations("iccpr", as_of="2012-01-01")
    assert {(r.party, r.articles) for r in result} >= {("USA", ("6",)), ("USA", ("7",)), ("PAK", ("40",))}
    assert {o.party for r in result if r.party == "PAK" for o in r.objections} == {"USA"}
    assert ledger.reservations("iccpr", as_of="1992-06-07").counts == {"declaration": 1}  # France's
    lines = [
        json.loads(line) for line in (ROOT / "seeds" / "iccpr-reservations.jsonl").read_text().splitlines()
    ]
    assert all(any(source.get("url") for source in line["sources"]) for line in lines)


def test_the_timeline_says_what_each_new_act_does() -> None:
    ledger = Ledger.from_jsonl(*SEEDS)
    facts = {row.type: str(row.summary) for row in ledger.timeline("RUS")}
    text = str(ledger.timeline("RUS"))
    assert {"Suspended", "Terminated"} <= set(facts) or "Suspended" in text
    assert "for Russian Federation" in text
    falklands = str(ledger.timeline("FLK"))
    assert "applied to Falkland Islands (Malvinas)" in falklands
    iccpr = str(ledger.timeline("PAK"))
    assert "reservation by Pakistan on article 40, on consent" in iccpr
    assert "by United States to Pakistan's reservation" in iccpr


def test_the_timeline_names_a_captor_given_as_detained_by() -> None:
    """A detention naming its captor by `detained_by` (no `detaining_state`) reads in the timeline."""
    detained = {
        "type": "Detained",
        "case": "c",
        "person": "A. Person",
        "nationalities": ["CAN"],
        "detained_by": "CHN",
        "occurred_on": "2018-12-10",
        "recorded_at": REC,
    }
    assert "A. Person, of Canada, held by China" in str(Ledger.from_events([detained]).timeline("CAN"))


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "declaration_events", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_reservations_command_prints_a_table_json_and_csv() -> None:
    seed = "seeds/iccpr-reservations.jsonl"
    table = run("reservations", seed, "--instrument", "iccpr", "--as-of", "2012-01-01")
    assert table.returncode == 0, table.stderr
    assert "reservations and declarations" in table.stdout and "Pakistan" in table.stdout
    data = json.loads(run("reservations", seed, "--instrument", "iccpr", "--format", "json").stdout)
    assert list(data) == ["instrument", "as_of", "known_at", "reservations", "counts"]
    assert {"reservation", "party", "kind", "text", "articles", "made_on", "made", "objections"} <= set(
        data["reservations"][0]
    )
    csv = run("reservations", seed, "--instrument", "iccpr", "--format", "csv").stdout.splitlines()
    assert csv[0] == "reservation,party,name,kind,articles,made_on,made,since,objections,objected_by,text"
    wrong = run("reservations", seed, "--instrument", "icpr")
    assert wrong.returncode == 1 and "did you mean" in wrong.stderr


def test_the_relations_command_says_towards_whom_a_party_is_bound() -> None:
    result = run(
        "relations",
        "seeds/bilateral-treaties.jsonl",
        "--instrument",
        "new-start",
        "--party",
        "USA",
        "--as-of",
        "2024-01-01",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["relations"] == [
        {
            "party": "RUS",
            "name": "Russian Federation",
            "status": "suspended",
            "bound": False,
            "reason": "RUS is not bound",
            "uncertain": False,
        }
    ]


def test_a_bilateral_treaty_ended_before_its_derived_entry_into_force_never_enters_into_force() -> None:
    """Found by the state machine: the end came while the derived entry into force was pending."""
    events = [
        opened(
            "bilateral_treaty",
            between=["CAN", "CHN"],
            final_clauses={"consents_required": 1, "entry_into_force": {"days": 2}},
        ),
        act("Ratified", "2000-02-01", "CAN"),
        act("Withdrew", "2000-02-01", "CAN", effective_on="2000-02-02"),
    ]
    ledger = Ledger.from_events(events)
    assert ledger.projection.instrument_history("t").entered_into_force is None
    assert statuses(ledger, "2000-03-01") == {"CAN": "withdrawn"}


def test_both_parties_of_a_bilateral_treaty_find_its_opening_in_their_timeline() -> None:
    """Found by the bitemporal property: `between` is a list of parties in the index, not one text."""
    ledger = Ledger.from_events([opened("bilateral_treaty", between=["CHN", "CAN"])])
    assert [row.type for row in ledger.timeline("CAN")] == ["InstrumentOpened"]
    assert [row.type for row in ledger.timeline("CHN")] == ["InstrumentOpened"]


def test_a_suspended_row_and_the_row_after_it_keep_the_date_the_party_was_bound_from() -> None:
    """Found by the state machine against the reference model: the date of effect is the consent's."""
    ledger = Ledger.from_events(
        [
            *in_force("CAN", "UKR"),
            act("Suspended", "2003-01-01", "UKR"),
            act("SuspensionEnded", "2004-01-01", "UKR"),
        ]
    )
    during, after = (ledger.signatories("t", as_of=d)["UKR"] for d in ("2003-06-01", "2004-06-01"))
    assert (during.status, during.effective_on) == ("suspended", date(2001, 1, 1))
    assert (after.status, after.since, after.effective_on) == ("party", date(2004, 1, 1), date(2001, 1, 1))


def test_what_the_kind_allows_is_checked_before_who_may_act_and_the_end_before_all() -> None:
    """Found by the state machine: an endorsement of a bilateral treaty by a stranger breaks
    `endorse-declarations-only`; a second opening after the end breaks `after-termination`."""
    refused(bilateral(act("Endorsed", "2000-03-01", "EU")), "endorse-declarations-only")
    ended = [*in_force("USA"), act("Terminated", "2005-01-01")]
    refused([*ended, {**opened(), "occurred_on": "2006-01-01", "recorded_at": REC}], "after-termination")


def test_reservations_and_relations_show_as_html_and_dataframes_like_every_result() -> None:
    """Both new results describe themselves: HTML for Jupyter, typed DataFrames, text."""
    pytest.importorskip("pandas")
    events = [
        *in_force("USA", "SWE"),
        reserve("USA", "2000-12-01"),
        objection("SWE", "USA", "2001-06-18", precludes_entry_into_force=True),
    ]
    ledger = Ledger.from_events(events)
    reservations = ledger.reservations("t", as_of="2002-01-01")
    frame = reservations.to_dataframe()
    assert list(frame["party"]) == ["USA"] and list(frame["objections"]) == [1]
    assert str(frame["made"].dtype).startswith("datetime64") and frame.attrs["instrument"] == "t"
    assert "<table" in reservations._repr_html_() and "art. 6 does not apply" in reservations._repr_html_()
    assert "SWE (precludes)" in str(reservations)
    relations = ledger.relations("t", "USA", as_of="2002-01-01")
    assert list(relations.to_dataframe()["bound"]) == [False]
    assert "precluding entry into force" in relations._repr_html_()
    assert repr(relations).startswith("<Relations t for USA, as of 2002-01-01")


# -- found by a second reader --------------------------------------------------------------------


def test_a_withdrawal_in_effect_ends_the_party_s_reservations_and_territories() -> None:
    """A state that leaves and joins again makes its reservations and territorial acts again: the old
    ones lapse with its withdrawal (an objection to one is refused; FLK may be included again)."""
    events = [
        *in_force("GBR", "SWE"),
        reserve("GBR", "2000-12-01"),
        act("TerritoryIncluded", "2001-02-01", "GBR", territory="FLK"),
        act("Withdrew", "2003-01-01", "GBR"),
        act("Ratified", "2005-01-01", "GBR", mode="accession"),
    ]
    ledger = Ledger.from_events(events)
    assert [r.party for r in ledger.reservations("t", as_of="2002-01-01")] == ["GBR"]
    assert ledger.reservations("t", as_of="2006-01-01").rows == ()
    assert ledger.signatories("t", as_of="2006-01-01")["GBR"].territories == ()
    again = Ledger.from_events([*events, act("TerritoryIncluded", "2005-02-01", "GBR", territory="FLK")])
    assert again.signatories("t", as_of="2006-01-01")["GBR"].territories == ("FLK",)
    refused([*events, objection("SWE", "GBR", "2006-02-01", reservation=RES)], "object-to-reservation")


def test_an_objection_precludes_nothing_once_the_reservation_is_withdrawn() -> None:
    events = [
        *in_force("GBR", "SWE"),
        reserve("GBR", "2000-12-01"),
        objection("SWE", "GBR", "2001-02-01", reservation=RES, precludes_entry_into_force=True),
        act("ReservationWithdrawn", "2002-01-01", "GBR", reservation=RES),
    ]
    ledger = Ledger.from_events(events)
    assert ledger.relations("t", "GBR", as_of="2001-03-01").bound_towards() == ()
    assert ledger.relations("t", "GBR", as_of="2003-01-01").bound_towards() == ("SWE",)


@pytest.mark.parametrize("notice_first", [True, False])
def test_no_party_is_bound_while_the_whole_treaty_is_suspended_whatever_the_order(notice_first: bool) -> None:
    """A withdrawing party counts as a party until its withdrawal takes effect, except while the whole
    treaty is suspended: the tally is the same whether its notice came before or during the suspension."""
    notice = act("Withdrew", "2002-02-01", "USA", effective_on="2004-01-01")
    suspended = act("Suspended", "2002-01-01" if not notice_first else "2002-03-01")
    ended = act("SuspensionEnded", "2002-06-01")
    ledger = Ledger.from_events([*in_force("USA", "SWE"), notice, suspended, ended])
    assert ledger.signatories("t", as_of="2002-04-01").tally["parties"] == 0
    after = ledger.signatories("t", as_of="2002-07-01")
    assert after.tally["parties"] == 2 and after["USA"].status == "withdrawing"
    assert after["USA"].since == date(2002, 2, 1)  # still withdrawing since its notice
