"""The state machines: every legal path accepted, every illegal one rejected with its rule."""

from __future__ import annotations

import itertools
import json
from datetime import date
from typing import Any

import pytest

from declaration_events import InvalidTransitionError, parse_event
from declaration_events.events import EventBase
from declaration_events.rules import fold_case, fold_instrument

RECORDED = "2025-01-01T00:00:00+00:00"


def ev(event_type: str, on: str, **fields: Any) -> EventBase:
    """One event, recorded after everything in these tests."""
    return parse_event({"type": event_type, "occurred_on": on, "recorded_at": RECORDED, **fields})


def opened(kind: str = "treaty", on: str = "2000-01-01", slug: str = "t") -> EventBase:
    return ev("InstrumentOpened", on, instrument=slug, title="T", kind=kind)


def act(event_type: str, on: str, party: str = "CAN", slug: str = "t", **fields: Any) -> EventBase:
    return ev(event_type, on, instrument=slug, party=party, **fields)


def statuses(events: list[EventBase], party: str = "CAN", slug: str = "t") -> list[tuple[str, str | None]]:
    history = fold_instrument(slug, events)
    return [(c.on.isoformat(), c.status) for c in history.parties.get(party, ())]


def broken(rule: str) -> Any:
    return pytest.raises(InvalidTransitionError, match=f"Rule '{rule}'")


# -- participation ------------------------------------------------------------------------


def test_a_treaty_is_signed_ratified_and_bound_once_in_force() -> None:
    """signed -> ratified -> party when the treaty enters into force."""
    events = [
        opened(),
        act("Signed", "2000-01-02"),
        act("Ratified", "2000-02-01"),
        ev("EnteredIntoForce", "2000-06-01", instrument="t"),
    ]
    assert statuses(events) == [("2000-01-02", "signed"), ("2000-02-01", "ratified"), ("2000-06-01", "party")]


def test_a_ratification_after_entry_into_force_binds_from_its_effective_date() -> None:
    """party from the later of effective_on and entry into force."""
    events = [
        opened(),
        ev("EnteredIntoForce", "2000-06-01", instrument="t"),
        act("Ratified", "2001-01-10", mode="accession", effective_on="2001-07-01"),
    ]
    assert statuses(events) == [("2001-01-10", "ratified"), ("2001-07-01", "party")]


def test_a_ratification_before_entry_into_force_waits_for_it() -> None:
    """Consent given but the treaty not in force: ratified until it is."""
    events = [opened(), act("Ratified", "2000-02-01")]
    assert statuses(events) == [("2000-02-01", "ratified")]


def test_a_withdrawal_with_a_future_effective_date_is_pending_until_then() -> None:
    """withdrawing from the notice, withdrawn from effective_on."""
    events = [
        opened(),
        ev("EnteredIntoForce", "2000-01-01", instrument="t"),
        act("Ratified", "2000-01-01"),
        act("Withdrew", "2005-01-10", effective_on="2005-07-10"),
    ]
    assert statuses(events)[-2:] == [("2005-01-10", "withdrawing"), ("2005-07-10", "withdrawn")]


def test_a_withdrawal_cancels_a_ratification_not_yet_in_effect() -> None:
    """A party that withdraws before its consent takes effect never becomes a party."""
    events = [
        opened(),
        ev("EnteredIntoForce", "2000-01-01", instrument="t"),
        act("Ratified", "2001-01-01", effective_on="2001-07-01"),
        act("Withdrew", "2001-03-01"),
    ]
    assert statuses(events) == [("2001-01-01", "ratified"), ("2001-03-01", "withdrawn")]


def test_a_withdrawn_party_may_join_again() -> None:
    """Signing after a withdrawal took effect is legal."""
    events = [
        opened("declaration"),
        act("Endorsed", "2000-01-02"),
        act("Withdrew", "2001-01-01"),
        act("Signed", "2002-01-01"),
    ]
    assert statuses(events)[-1] == ("2002-01-01", "signed")


def test_signing_a_declaration_then_endorsing_it_is_legal() -> None:
    """A declaration's signatory may later endorse it."""
    events = [opened("declaration"), act("Signed", "2000-01-02"), act("Endorsed", "2000-02-02")]
    assert statuses(events) == [("2000-01-02", "signed"), ("2000-02-02", "endorsed")]


def test_endorsing_a_treaty_is_rejected() -> None:
    """Treaties are signed and ratified, not endorsed."""
    with broken("endorse-declarations-only"):
        fold_instrument("t", [opened("treaty"), act("Endorsed", "2000-01-02")])


def test_ratifying_a_declaration_is_rejected() -> None:
    """Declarations are not ratified."""
    with broken("ratify-treaties-only"):
        fold_instrument("t", [opened("declaration"), act("Ratified", "2000-01-02")])


def test_signing_twice_without_a_withdrawal_between_is_rejected() -> None:
    """A second signature needs a withdrawal in between."""
    with broken("already-participating") as caught:
        fold_instrument("t", [opened(), act("Signed", "2000-01-02"), act("Signed", "2000-03-02")])
    assert caught.value.status == "signed"
    assert caught.value.event_type == "Signed"


def test_withdrawing_without_participating_is_rejected() -> None:
    """Only a participating party can withdraw."""
    with broken("withdraw-participating"):
        fold_instrument("t", [opened(), act("Withdrew", "2000-01-02")])


def test_acting_while_a_withdrawal_is_pending_is_rejected() -> None:
    """Between notice and effect a party cannot sign again."""
    events = [opened(), act("Signed", "2000-01-02"), act("Withdrew", "2000-02-01", effective_on="2000-08-01")]
    with broken("withdrawal-pending"):
        fold_instrument("t", [*events, act("Signed", "2000-03-01")])
    assert statuses([*events, act("Signed", "2000-08-01")])[-1] == ("2000-08-01", "signed")


def test_acting_before_the_instrument_opened_is_rejected() -> None:
    """Nothing happens to an instrument before it is opened."""
    with broken("before-opening"):
        fold_instrument("t", [opened(on="2000-01-01"), act("Signed", "1999-12-31")])


def test_facts_about_an_instrument_never_opened_are_rejected() -> None:
    """An instrument must be opened to be known."""
    with broken("unknown-instrument"):
        fold_instrument("t", [act("Signed", "2000-01-02")])


def test_only_treaties_enter_into_force_and_only_once() -> None:
    """Entry into force is a treaty's, and happens once."""
    with broken("force-treaties-only"):
        fold_instrument("t", [opened("declaration"), ev("EnteredIntoForce", "2000-02-01", instrument="t")])
    with broken("force-once"):
        fold_instrument(
            "t",
            [
                opened(),
                ev("EnteredIntoForce", "2000-02-01", instrument="t"),
                ev("EnteredIntoForce", "2000-03-01", instrument="t"),
            ],
        )


def test_a_late_fact_is_checked_where_it_lands_in_valid_time() -> None:
    """A signature found in an archive is inserted into the past and can break a later fact."""
    history = [opened(), act("Signed", "2001-01-01")]
    # An earlier signature inserted before the known one makes the known one a second signature.
    with broken("already-participating"):
        fold_instrument("t", [*history, act("Signed", "2000-06-01")])
    # An earlier withdrawal-and-effect between them is legal.
    legal = [*history, act("Signed", "2000-06-01"), act("Withdrew", "2000-07-01")]
    assert [s for _, s in statuses(legal)] == ["signed", "withdrawn", "signed"]


def test_the_same_day_tie_rule_puts_opening_before_signing_before_ratifying() -> None:
    """Opened, signed and ratified on one day is legal in any recording order."""
    day = "1997-12-03"
    events = [opened(on=day), act("Signed", day), act("Ratified", day)]
    for order in itertools.permutations(events):
        assert statuses(list(order)) == [(day, "signed"), (day, "ratified")]


def test_partial_dates_count_from_the_end_of_their_period() -> None:
    """An endorsement dated 2022-10 holds from 2022-10-31; its change starts on 2022-10-01."""
    history = fold_instrument(
        "d", [opened("declaration", slug="d"), act("Endorsed", "2022-10", party="XKX", slug="d")]
    )
    change = history.parties["XKX"][0]
    assert (change.start, change.on) == (date(2022, 10, 1), date(2022, 10, 31))


def test_lenient_folds_skip_illegal_facts_instead_of_raising() -> None:
    """The read side keeps going past a fact that would be rejected on write."""
    history = fold_instrument(
        "t", [opened(), act("Signed", "2000-01-02"), act("Signed", "2000-03-02")], strict=False
    )
    assert len(history.skipped) == 1
    assert [c.status for c in history.parties["CAN"]] == ["signed"]


# -- detention cases -------------------------------------------------------------------------


def case_ev(event_type: str, on: str, **fields: Any) -> EventBase:
    return ev(event_type, on, case="k", **fields)


DETAINED = {"person": "P", "nationalities": ["CAN"], "detaining_state": "CHN"}


def case_statuses(events: list[EventBase]) -> list[tuple[str, str]]:
    return [(s.on.isoformat(), s.status) for s in fold_case("k", events).states]


def test_a_case_moves_from_custody_through_charge_and_sentence_to_release() -> None:
    """detained -> charged -> sentenced -> released, with days counted in custody."""
    events = [
        case_ev("Detained", "2018-12-10", **DETAINED),
        case_ev("Charged", "2020-06-19", charges=["spying"]),
        case_ev("Sentenced", "2021-08-11", sentence="11 years"),
        case_ev("Released", "2021-09-24", mechanism="agreement"),
    ]
    states = fold_case("k", events).states
    assert [s.status for s in states] == ["detained", "charged", "sentenced", "released"]
    assert states[1].days_detained(date(2021, 2, 15)) == 798
    assert states[-1].days_detained(date(2030, 1, 1)) == 1019


def test_bail_stops_the_custody_clock_and_charges_on_bail_keep_the_person_on_bail() -> None:
    """on_bail is where the person is; charges are listed but the status stays on_bail."""
    events = [
        case_ev("Detained", "2018-12-01", **DETAINED),
        case_ev("Released", "2018-12-11", mechanism="bail"),
        case_ev("Charged", "2019-01-28", charges=["fraud"]),
        case_ev("Released", "2021-09-24", mechanism="agreement"),
    ]
    states = fold_case("k", events).states
    assert [s.status for s in states] == ["detained", "on_bail", "on_bail", "released"]
    assert states[2].charges == ("fraud",)
    assert states[2].days_detained(date(2019, 6, 1)) == 10


def test_re_detention_after_bail_returns_to_custody_at_the_stage_reached() -> None:
    """Bail revoked after a charge: back in custody as charged, the clock running again."""
    events = [
        case_ev("Detained", "2020-01-01", **DETAINED),
        case_ev("Charged", "2020-01-05", charges=["x"]),
        case_ev("Released", "2020-01-11", mechanism="bail"),
        case_ev("Detained", "2020-02-01", **DETAINED),
    ]
    states = fold_case("k", events).states
    assert states[-1].status == "charged"
    assert states[-1].days_detained(date(2020, 2, 11)) == 10 + 10


def test_re_detention_after_release_opens_a_new_custody_period() -> None:
    """A released person detained again is detained, and earlier days still count."""
    events = [
        case_ev("Detained", "2020-01-01", **DETAINED),
        case_ev("Released", "2020-01-11", mechanism="deportation"),
        case_ev("Detained", "2021-01-01", **DETAINED),
    ]
    states = fold_case("k", events).states
    assert states[-1].status == "detained"
    assert states[-1].days_detained(date(2021, 1, 6)) == 15


@pytest.mark.parametrize(
    ("events", "rule"),
    [
        ([("Released", "2020-01-01", {"mechanism": "pardon"})], "unknown-case"),
        ([("Detained", "2020-01-01", DETAINED), ("Detained", "2020-02-01", DETAINED)], "detain-free"),
        (
            [
                ("Detained", "2020-01-01", DETAINED),
                ("Released", "2020-01-02", {"mechanism": "pardon"}),
                ("Released", "2020-02-01", {"mechanism": "pardon"}),
            ],
            "release-in-custody",
        ),
        (
            [
                ("Detained", "2020-01-01", DETAINED),
                ("Released", "2020-01-02", {"mechanism": "bail"}),
                ("Released", "2020-02-01", {"mechanism": "bail"}),
            ],
            "bail-from-custody",
        ),
    ],
)
def test_illegal_case_paths_are_rejected_with_their_rule(
    events: list[tuple[str, str, dict[str, Any]]], rule: str
) -> None:
    """Releasing someone not held, bailing someone not in custody, or detaining someone held, is illegal."""
    with broken(rule):
        fold_case("k", [case_ev(kind, on, **fields) for kind, on, fields in events])


def test_releasing_someone_never_detained_is_rejected() -> None:
    """A release with no detention before it breaks the rules."""
    with broken("before-detention") as caught:
        fold_case(
            "k",
            [
                case_ev("Detained", "2020-02-01", **DETAINED),
                case_ev("Released", "2020-01-01", mechanism="bail"),
            ],
        )
    assert caught.value.entity == "case:k"


def test_a_case_with_no_detention_is_unknown() -> None:
    """A case is opened by a detention (or a charge naming the person): a bare charge opens nothing."""
    with broken("unknown-case"):
        fold_case("k", [case_ev("Charged", "2020-01-01", charges=["x"])])
    assert fold_case("k", []).states == ()  # every fact retracted: an empty, legal history


def test_linking_cases_does_not_move_the_status_date() -> None:
    """A link is listed; `since` stays at the status change."""
    events = [
        case_ev("Detained", "2020-01-01", **DETAINED),
        case_ev("CasesLinked", "2020-03-01", other_case="m", relation="retaliation"),
    ]
    last = fold_case("k", events).states[-1]
    assert last.links == (("m", "retaliation"),)
    assert last.since == date(2020, 1, 1)


# -- cases as they really unfold (issue 15) ----------------------------------------------------

CHARGE_AT_LARGE = {"charges": ["fraud"], "person": "P", "nationalities": ["CHN"], "charging_state": "USA"}


def fold(*events: tuple[str, str, dict[str, Any]]) -> list[Any]:
    """The case's states after these (kind, date, fields) facts."""
    return list(fold_case("k", [case_ev(kind, on, **fields) for kind, on, fields in events]).states)


def test_a_charge_naming_the_person_opens_a_case_at_large_until_a_detention() -> None:
    """An indictment before the arrest: charged_at_large, then charged (in custody) from the arrest."""
    states = fold(
        ("Charged", "2018-08-22", CHARGE_AT_LARGE),
        ("Detained", "2018-12-01", {**DETAINED, "detaining_state": "CAN"}),
    )
    assert [(s.status, s.detained_by) for s in states] == [("charged_at_large", None), ("charged", "CAN")]
    assert (states[0].person, states[0].charging_state) == ("P", "USA")
    assert states[0].days_detained(date(2018, 11, 30)) == 0
    assert states[1].days_detained(date(2018, 12, 11)) == 10


def test_charges_and_sentences_are_legal_in_absentia_and_the_status_says_so() -> None:
    """Charged after release: charged_at_large; sentenced then: sentenced_in_absentia; a new arrest holds."""
    states = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Released", "2020-01-11", {"mechanism": "deportation"}),
        ("Charged", "2020-03-01", {"charges": ["espionage"]}),
        ("Sentenced", "2020-06-01", {"sentence": "10 years"}),
        ("Charged", "2020-07-01", {"charges": ["more"]}),
        ("Detained", "2021-01-01", DETAINED),
    )
    assert [s.status for s in states] == [
        "detained",
        "released",
        "charged_at_large",
        "sentenced_in_absentia",
        "sentenced_in_absentia",
        "sentenced",
    ]
    assert states[-1].days_detained(date(2021, 1, 11)) == 10 + 10


def test_a_charge_on_bail_keeps_the_person_on_bail_and_is_not_in_absentia() -> None:
    """Where the person is comes first: on bail, charged, then free of bail is simply released."""
    states = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Released", "2020-01-11", {"mechanism": "bail"}),
        ("Charged", "2020-02-01", {"charges": ["x"]}),
        ("RestrictionLifted", "2020-03-01", {"restriction": "bail"}),
    )
    assert [s.status for s in states] == ["detained", "on_bail", "on_bail", "released"]


def test_a_change_of_custody_basis_keeps_the_status_and_its_date_and_ends_with_custody() -> None:
    """A formal arrest of someone held: same status and `since`, the row's basis set; bail clears it."""
    states = fold(
        ("Detained", "2018-12-10", DETAINED),
        ("CustodyChanged", "2019-05-16", {"basis": "formal arrest", "location": "Beijing"}),
        ("Charged", "2020-06-19", {"charges": ["spying"]}),
        ("Released", "2020-07-01", {"mechanism": "bail"}),
    )
    assert [(s.status, s.since.isoformat(), s.basis) for s in states] == [
        ("detained", "2018-12-10", None),
        ("detained", "2018-12-10", "formal arrest"),
        ("charged", "2020-06-19", "formal arrest"),
        ("on_bail", "2020-07-01", None),
    ]
    assert states[1].location == "Beijing"
    with broken("basis-in-custody"):
        fold(
            ("Detained", "2020-01-01", DETAINED),
            ("Released", "2020-01-02", {"mechanism": "bail"}),
            ("CustodyChanged", "2020-02-01", {"basis": "formal arrest"}),
        )


def test_days_are_counted_across_custody_restrictions_and_release() -> None:
    """Custody, furlough, exit ban, house arrest: each day counts where it belongs, none after release."""
    states = fold(
        ("Detained", "2016-04-03", DETAINED),  # 1,444 days in custody to 2020-03-17
        ("Restricted", "2020-03-17", {"restriction": "furlough", "conditions": "ankle tag"}),  # 355
        ("Released", "2021-03-07", {"mechanism": "sentence_served"}),
        ("Restricted", "2021-03-07", {"restriction": "exit_ban"}),  # 374
        ("Released", "2022-03-16", {"mechanism": "agreement"}),
    )
    assert [s.status for s in states] == ["detained", "furlough", "released", "exit_ban", "released"]
    last = states[-1]
    later = date(2030, 1, 1)
    assert (last.days_detained(later), last.days_restricted(later), last.days_deprived(later)) == (
        1444,
        355 + 374,
        1444,
    )
    house = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Restricted", "2020-01-11", {"restriction": "house_arrest"}),
        ("Released", "2020-02-10", {"mechanism": "pardon"}),
    )[-1]
    assert (house.days_detained(later), house.days_restricted(later), house.days_deprived(later)) == (
        10,
        30,
        40,
    )


def test_released_on_bail_and_restricted_bail_are_the_same_fact() -> None:
    """Both put the person on bail from custody, with the same days; neither is legal twice."""
    for fact in (
        ("Released", "2020-01-11", {"mechanism": "bail"}),
        ("Restricted", "2020-01-11", {"restriction": "bail"}),
    ):
        states = fold(("Detained", "2020-01-01", DETAINED), fact)
        assert (states[-1].status, states[-1].restrictions[0][0]) == ("on_bail", "bail")
        assert states[-1].days_restricted(date(2020, 1, 21)) == 10
        with broken("bail-from-custody"):
            fold(
                ("Detained", "2020-01-01", DETAINED),
                fact,
                ("Restricted", "2020-02-01", {"restriction": "bail"}),
            )


def test_the_status_shows_the_most_severe_restriction_in_force() -> None:
    """Bail outranks an exit ban, an exit ban a travel ban; lifting one shows the next, then release."""
    states = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Restricted", "2020-01-02", {"restriction": "travel_ban"}),  # in custody: still detained
        ("Released", "2020-01-03", {"mechanism": "bail"}),
        ("Restricted", "2020-01-04", {"restriction": "exit_ban"}),
        ("RestrictionLifted", "2020-01-05", {"restriction": "bail"}),
        ("RestrictionLifted", "2020-01-06", {"restriction": "exit_ban"}),
        ("RestrictionLifted", "2020-01-07", {"restriction": "travel_ban"}),
    )
    assert [s.status for s in states] == [
        "detained",
        "detained",
        "on_bail",
        "on_bail",
        "exit_ban",
        "travel_ban",
        "released",
    ]
    assert [r for r, _ in states[3].restrictions] == ["bail", "exit_ban", "travel_ban"]


def test_a_re_detention_ends_bail_furlough_and_house_arrest_but_not_bans() -> None:
    """Back in custody at the stage reached; an exit ban stays in force for after."""
    states = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Sentenced", "2020-01-05", {"sentence": "5 years"}),
        ("Restricted", "2020-01-06", {"restriction": "exit_ban"}),
        ("Restricted", "2020-01-07", {"restriction": "furlough"}),
        ("Detained", "2020-02-01", DETAINED),
    )
    assert (states[-1].status, states[-1].restrictions) == ("sentenced", (("exit_ban", None),))


@pytest.mark.parametrize(
    ("events", "rule"),
    [
        (
            [
                ("Released", "2020-01-02", {"mechanism": "pardon"}),
                ("Restricted", "2020-02-01", {"restriction": "furlough"}),
            ],
            "restrict-from-custody",
        ),
        (
            [
                ("Released", "2020-01-02", {"mechanism": "pardon"}),
                ("Restricted", "2020-02-01", {"restriction": "house_arrest"}),
            ],
            "restrict-from-custody",
        ),
        (
            [
                ("Restricted", "2020-01-02", {"restriction": "exit_ban"}),
                ("Restricted", "2020-02-01", {"restriction": "exit_ban"}),
            ],
            "restricted-already",
        ),
        ([("RestrictionLifted", "2020-01-02", {"restriction": "travel_ban"})], "lift-in-force"),
        ([("RestrictionLifted", "2020-01-02", {"restriction": "bail"})], "lift-in-force"),
        ([("Released", "2020-01-02", {"mechanism": "pardon"}), ("Escaped", "2020-02-01", {})], "escape-held"),
        (
            [("Released", "2020-01-02", {"mechanism": "bail"}), ("Disappeared", "2020-02-01", {})],
            "disappear-held",
        ),
        ([("Died", "2020-01-02", {"in_custody": False})], "death-where-held"),
        (
            [
                ("Released", "2020-01-02", {"mechanism": "pardon"}),
                ("Died", "2020-02-01", {"in_custody": True}),
            ],
            "death-where-held",
        ),
        (
            [("Died", "2020-01-02", {"in_custody": True}), ("Charged", "2020-02-01", {"charges": ["x"]})],
            "after-death",
        ),
        (
            [
                ("Died", "2020-01-02", {"in_custody": True}),
                ("CasesLinked", "2020-02-01", {"other_case": "m", "relation": "r"}),
            ],
            "after-death",
        ),
        (
            [
                ("Designated", "2020-01-02", {"designation": "wrongful_detention", "by": "USA"}),
                ("Designated", "2020-02-01", {"designation": "wrongful_detention", "by": "USA"}),
            ],
            "designate-once",
        ),
    ],
)
def test_illegal_steps_of_a_held_case_are_rejected_with_their_rule(
    events: list[tuple[str, str, dict[str, Any]]], rule: str
) -> None:
    """Each rule of restrictions, outcomes and designations refuses the step that breaks it."""
    with broken(rule):
        fold(("Detained", "2020-01-01", DETAINED), *events)


def test_every_outcome_has_its_status_and_ends_custody_and_restrictions() -> None:
    """Escape (recapture is legal), disappearance (fate unknown), death in and out of custody."""
    escaped = fold(
        ("Detained", "2019-01-01", DETAINED),
        ("Released", "2019-03-06", {"mechanism": "bail"}),
        ("Escaped", "2019-12-29", {}),
        ("Detained", "2020-06-01", DETAINED),
    )
    assert [s.status for s in escaped] == ["detained", "on_bail", "escaped", "detained"]
    missing = fold(("Detained", "2012-08-14", DETAINED), ("Disappeared", "2012-08-14", {}))[-1]
    assert (missing.status, missing.since, missing.days_detained(date(2020, 1, 1))) == (
        "missing",
        date(2012, 8, 14),
        0,
    )
    found_dead = fold(
        ("Detained", "2012-01-01", DETAINED),
        ("Disappeared", "2012-02-01", {}),
        ("Died", "2014-08-19", {"in_custody": True, "cause": "killed by captors"}),
    )[-1]
    assert (found_dead.status, found_dead.died_in_custody, found_dead.cause_of_death) == (
        "died",
        True,
        "killed by captors",
    )
    after_release = fold(
        ("Detained", "2016-01-02", DETAINED),
        ("Released", "2017-06-13", {"mechanism": "other"}),
        ("Died", "2017-06-19", {"in_custody": False}),
    )[-1]
    assert (after_release.status, after_release.days_detained(date(2030, 1, 1))) == ("died", 528)


def test_designations_accumulate_once_each_whatever_the_status() -> None:
    """Made in custody, after release or while missing; a second opinion needs another reference."""
    states = fold(
        ("Detained", "2020-01-01", DETAINED),
        ("Designated", "2020-02-01", {"designation": "wrongful_detention", "by": "USA"}),
        ("Released", "2020-03-01", {"mechanism": "exchange"}),
        (
            "Designated",
            "2020-08",
            {
                "designation": "arbitrary_detention_opinion",
                "by": "un-wgad",
                "reference": "Opinion No. 1/2020",
                "categories": ["V", "I"],
            },
        ),
        (
            "Designated",
            "2021-08",
            {
                "designation": "arbitrary_detention_opinion",
                "by": "un-wgad",
                "reference": "Opinion No. 2/2021",
            },
        ),
    )
    assert [(d.designation, d.by, d.categories) for d in states[-1].designations] == [
        ("wrongful_detention", "USA", ()),
        ("arbitrary_detention_opinion", "un-wgad", ("I", "V")),
        ("arbitrary_detention_opinion", "un-wgad", ()),
    ]
    assert {s.status for s in states} == {"detained", "released"}


def test_the_same_day_tie_rule_orders_every_case_fact() -> None:
    """Detention, charge, sentence, release, restriction, its lifting, death: one day, any order."""
    day = "2020-05-05"
    events = [
        case_ev("Detained", day, **DETAINED),
        case_ev("Charged", day, charges=["x"]),
        case_ev("Sentenced", day, sentence="y"),
        case_ev("Released", day, mechanism="sentence_served"),
        case_ev("Restricted", day, restriction="exit_ban"),
        case_ev("RestrictionLifted", day, restriction="exit_ban"),
        case_ev("Died", day, in_custody=False),
    ]
    for order in (events, events[::-1], events[3:] + events[:3]):
        assert [s.status for s in fold_case("k", order).states][-1] == "died"


def test_change_points_of_different_cases_share_equal_places_charges_and_restrictions() -> None:
    def case(slug: str) -> list[EventBase]:
        lines = [
            {"type": "Detained", "occurred_on": "2020-01-02", "case": slug, "person": f"P {slug}",
             "nationalities": ["CAN", "GBR"], "detaining_state": "CHN", "location": "Detention Centre"},
            {"type": "Charged", "occurred_on": "2020-02-03", "case": slug,
             "charges": ["espionage", "espionage"]},
            {"type": "Sentenced", "occurred_on": "2020-03-04", "case": slug, "sentence": "11 years"},
            {"type": "Restricted", "occurred_on": "2020-04-05", "case": slug, "restriction": "exit_ban",
             "conditions": "surrender of passport"},
        ]  # fmt: skip
        # Each event parsed from its own text: equal values are distinct objects in the models.
        return [parse_event(json.dumps(line)) for line in lines]

    first, second = (fold_case(slug, case(slug)).states for slug in ("first", "second"))
    for name in ("location", "nationalities", "charges", "sentence", "restrictions"):
        assert getattr(first[-1], name) == getattr(second[-1], name)
        assert getattr(first[-1], name) is getattr(second[-1], name), name
    assert first[-1].charges == ("espionage",)
    assert first[-1].charges[0] is second[-1].charges[0]
