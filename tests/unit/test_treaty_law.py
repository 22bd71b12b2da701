"""Treaty law from the final clauses: derived dates of effect, the consent vocabulary, withdrawals
as the law has them, continuations and counts as published."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import (
    Delay,
    InvalidEventError,
    InvalidTransitionError,
    Ledger,
    parse_event,
)
from helpers import ROOT

REC = "2026-01-01T00:00:00+00:00"
OTTAWA_CLAUSES = {
    "consents_required": 3,
    "entry_into_force": {"months": 6, "day": 1},
    "later_consents": {"months": 6, "day": 1},
    "withdrawal": {"months": 6},
    "signature_closes": "at_entry_into_force",
}


def opened(clauses: dict[str, Any] | None = OTTAWA_CLAUSES, on: str = "2000-01-10") -> dict[str, Any]:
    line: dict[str, Any] = {
        "type": "InstrumentOpened",
        "instrument": "t",
        "title": "A treaty",
        "kind": "treaty",
        "occurred_on": on,
        "recorded_at": REC,
    }
    if clauses is not None:
        line["final_clauses"] = clauses
    return line


def act(kind: str, party: str, on: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "instrument": "t", "party": party, "occurred_on": on, "recorded_at": REC, **fields}


def consent(party: str, on: str, **fields: Any) -> dict[str, Any]:
    return act("Ratified", party, on, **fields)


def row(ledger: Ledger, party: str, as_of: str) -> tuple[str, date | None, bool] | None:
    found = ledger.signatories("t", as_of=as_of).get(party)
    return None if found is None else (found.status, found.effective_on, found.effective_derived)


THREE = [consent("CAN", "2000-02-10"), consent("NOR", "2000-03-05"), consent("MEX", "2000-04-20")]


# -- delays -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delay", "start", "expected"),
    [
        ({"days": 90}, date(2013, 4, 2), date(2013, 7, 1)),
        ({"months": 6, "day": 1}, date(1998, 9, 16), date(1999, 3, 1)),
        ({"months": 6}, date(2025, 8, 31), date(2026, 2, 28)),
        ({"months": 1}, date(2024, 1, 31), date(2024, 2, 29)),
        ({"years": 1}, date(2024, 2, 29), date(2025, 2, 28)),
        ({"years": 1, "day": 1}, date(2024, 7, 15), date(2025, 7, 1)),
    ],
)
def test_a_delay_counts_days_months_or_years_as_final_clauses_word_them(
    delay: dict[str, int], start: date, expected: date
) -> None:
    """`days` is the Nth day after; months clamp to the month's end; `day` picks a day of the Nth month."""
    assert Delay(**delay).after(start) == expected


@pytest.mark.parametrize(
    "delay",
    [
        {},
        {"days": 1, "months": 1},
        {"days": 3, "day": 1},
        {"months": -1},
        {"months": 1, "day": 32},
        {"day": 1},
    ],
)
def test_a_delay_has_exactly_one_unit_and_a_day_only_with_months_or_years(delay: dict[str, int]) -> None:
    """Malformed delays are errors naming the field, not guesses."""
    with pytest.raises(InvalidEventError, match="final_clauses"):
        parse_event(opened({"entry_into_force": delay}))


def test_a_declaration_has_no_final_clauses() -> None:
    """Only treaties enter into force: clauses on a declaration are refused."""
    line = opened() | {"kind": "declaration"}
    with pytest.raises(InvalidEventError, match="final_clauses"):
        parse_event(line)


def test_logs_without_final_clauses_behave_as_before() -> None:
    """No clauses: a consent takes effect on its date (or at an explicit entry into force)."""
    ledger = Ledger.from_events([opened(None), consent("CAN", "2000-02-10")])
    assert row(ledger, "CAN", "2001-01-01") == ("ratified", None, False)  # no entry into force yet
    assert ledger.signatories("t", as_of="2001-01-01").tally["parties"] == 0


# -- entry into force and dates of effect --------------------------------------------------------------


def test_the_treaty_enters_into_force_after_the_nth_consent_without_an_event_saying_so() -> None:
    """Three consents required, six months and a day: in force 1 October 2000 for all three."""
    ledger = Ledger.from_events([opened(), *THREE])
    history = ledger.projection.instrument_history("t")
    assert str(history.entered_into_force) == "2000-10-01" and history.force_derived
    assert row(ledger, "CAN", "2000-09-30") == ("ratified", date(2000, 10, 1), True)
    assert ledger.signatories("t", as_of="2000-09-30").tally == {
        "signatories": 0,
        "contracting_states": 3,
        "parties": 0,
    }
    assert ledger.signatories("t", as_of="2000-10-01").tally["parties"] == 3


def test_a_later_consent_takes_effect_by_the_clauses_and_never_before_entry_into_force() -> None:
    """After the Nth consent: its own delay, but not before the treaty is in force."""
    ledger = Ledger.from_events(
        [opened(), *THREE, consent("ZAF", "2000-05-02"), consent("AUS", "2001-02-14")]
    )
    assert row(ledger, "ZAF", "2000-10-01") == ("ratified", date(2000, 11, 1), True)
    assert row(ledger, "ZAF", "2000-11-01") == ("party", date(2000, 11, 1), True)
    assert row(ledger, "AUS", "2001-07-31") == ("ratified", date(2001, 8, 1), True)
    assert row(ledger, "AUS", "2001-08-01") == ("party", date(2001, 8, 1), True)


def test_an_explicit_effective_date_and_entry_into_force_win_and_validate_warns_of_a_disagreement(
    tmp_path: Path,
) -> None:
    """The log's dates win; `validate` names the line where the clauses disagree, exit 0 unless --strict."""
    lines = [
        opened(),
        *THREE,
        {"type": "EnteredIntoForce", "instrument": "t", "occurred_on": "2000-09-01", "recorded_at": REC},
        consent("ZAF", "2000-12-01", effective_on="2001-01-15"),
    ]
    ledger = Ledger.from_events(lines)
    assert row(ledger, "CAN", "2000-09-01") == ("party", date(2000, 9, 1), True)
    assert row(ledger, "ZAF", "2001-01-15") == ("party", date(2001, 1, 15), False)
    [warning] = [w for w in ledger.warnings() if "entered into force" in w.message]
    assert "2000-10-01" in warning.message and "3th consent" in warning.message
    log = tmp_path / "t.jsonl"
    log.write_text("".join(parse_event(line).to_json() + "\n" for line in lines), encoding="utf-8")
    done = run_cli("validate", str(log))
    assert done.returncode == 0 and f"{log}:5: warning: entered into force on 2000-09-01" in done.stderr
    assert run_cli("validate", "--strict", str(log)).returncode == 1


def test_a_ratification_with_no_signature_is_accepted_with_a_warning() -> None:
    """Ratification, acceptance and approval follow a signature; without one, a warning (not accession)."""
    ledger = Ledger.from_events(
        [opened(), act("Signed", "CAN", "2000-02-01"), *THREE, consent("CHL", "2000-05-01", mode="accession")]
    )
    assert sorted(w.message for w in ledger.warnings()) == [
        "MEX: ratification with no signature recorded",
        "NOR: ratification with no signature recorded",
    ]


def test_a_formal_confirmation_does_not_count_towards_entry_into_force() -> None:
    """An organisation's consent is a consent, but not one of the N that bring the treaty into force."""
    events = [opened(), consent("EU", "2000-01-20", mode="formal_confirmation"), *THREE[:2]]
    ledger = Ledger.from_events(events)
    assert ledger.projection.instrument_history("t").entered_into_force is None
    assert ledger.signatories("t", as_of="2001-01-01").tally["contracting_states"] == 3


def test_a_definitive_signature_is_a_consent_and_a_signature_can_be_succeeded_to() -> None:
    """UNTC's vocabulary: definitive signature binds; a new state takes over its predecessor's signature."""
    ledger = Ledger.from_events(
        [
            opened(),
            consent("CAN", "2000-02-10", mode="definitive_signature"),
            *THREE[1:],
            consent("IRL", "2000-04-21"),
            act("Signed", "SVK", "2001-01-05", mode="succession"),
        ]
    )
    assert row(ledger, "CAN", "2000-10-01") == ("party", date(2000, 10, 1), True)
    assert ledger.signatories("t", as_of="2001-02-01").get("SVK").status == "signed"  # type: ignore[union-attr]


# -- signature closing, successions ---------------------------------------------------------------------


def test_a_signature_after_signature_closes_breaks_the_rule_signature_closed() -> None:
    """Open until entry into force: a signature after that day is refused; a succession to one is not."""
    with pytest.raises(InvalidTransitionError) as caught:
        Ledger.from_events([opened(), *THREE, act("Signed", "GBR", "2000-10-02")])
    assert caught.value.rule == "signature-closed"
    Ledger.from_events([opened(), *THREE, act("Signed", "GBR", "2000-10-01")])  # signing comes first that day
    Ledger.from_events([opened(), *THREE, act("Signed", "SVK", "2001-01-05", mode="succession")])
    clauses = OTTAWA_CLAUSES | {"signature_closes": "2000-03-01"}
    with pytest.raises(InvalidTransitionError, match="signature-closed"):
        Ledger.from_events([opened(clauses), act("Signed", "GBR", "2000-03-01")])


def test_a_succession_may_take_effect_before_it_is_notified_and_no_other_consent_may() -> None:
    """Montenegro: notified in October, a party from the date of succession in June."""
    ledger = Ledger.from_events(
        [opened(), *THREE, consent("MNE", "2006-10-23", mode="succession", effective_on="2006-06-03")]
    )
    assert row(ledger, "MNE", "2006-07-01") == ("party", date(2006, 6, 3), False)
    with pytest.raises(InvalidEventError, match="effective_on 2006-06-03 is before occurred_on"):
        parse_event(consent("MNE", "2006-10-23", mode="accession", effective_on="2006-06-03"))


# -- withdrawals -----------------------------------------------------------------------------------------


def test_a_withdrawing_state_stays_bound_and_counts_as_a_party_until_the_withdrawal_takes_effect() -> None:
    """Six months after notice (derived): withdrawing and counted a party until then, withdrawn after."""
    ledger = Ledger.from_events([opened(), *THREE, act("Withdrew", "NOR", "2005-06-27")])
    assert row(ledger, "NOR", "2005-12-26") == ("withdrawing", date(2005, 12, 27), True)
    assert ledger.signatories("t", as_of="2005-12-26").tally["parties"] == 3
    assert row(ledger, "NOR", "2005-12-27") == ("withdrawn", None, False)
    assert ledger.signatories("t", as_of="2005-12-27").tally == {
        "signatories": 0,
        "contracting_states": 2,
        "parties": 2,
    }


def test_revoking_a_pending_withdrawal_restores_the_status_it_had() -> None:
    """VCLT article 68: the Gambia revoked its notice; it never stopped being a party."""
    events = [
        opened(),
        *THREE,
        act("Withdrew", "NOR", "2005-06-27"),
        act("WithdrawalRevoked", "NOR", "2005-09-01"),
    ]
    ledger = Ledger.from_events(events)
    assert row(ledger, "NOR", "2005-08-01") == ("withdrawing", date(2005, 12, 27), True)
    assert row(ledger, "NOR", "2006-06-01")[0] == "party"  # type: ignore[index]


@pytest.mark.parametrize("when", ["2005-05-01", "2006-01-01"])
def test_only_a_pending_withdrawal_can_be_revoked(when: str) -> None:
    """Before any notice, or once the withdrawal took effect: rule `revoke-pending-only`."""
    events = [opened(), *THREE]
    if when > "2005-06":
        events.append(act("Withdrew", "NOR", "2005-06-27"))
    with pytest.raises(InvalidTransitionError) as caught:
        Ledger.from_events([*events, act("WithdrawalRevoked", "NOR", when)])
    assert caught.value.rule == "revoke-pending-only"


def test_a_same_day_denunciation_and_re_accession_is_legal_when_the_new_consent_binds_no_earlier() -> None:
    """Trinidad and Tobago, 1998: the withdrawal comes first; bound again when it takes effect."""
    clauses = OTTAWA_CLAUSES | {"withdrawal": {"months": 3}, "later_consents": {"months": 3}}
    events = [
        opened(clauses),
        *THREE,
        consent("TTO", "2001-05-26", mode="accession"),
        act("Withdrew", "TTO", "2003-05-26"),
        consent("TTO", "2003-05-26", mode="accession"),
    ]
    ledger = Ledger.from_events(list(reversed(events)))  # the order of the lines does not matter
    assert row(ledger, "TTO", "2003-08-25") == ("withdrawing", date(2003, 8, 26), True)
    assert row(ledger, "TTO", "2003-08-26")[0] == "party"  # type: ignore[index]
    assert ledger.signatories("t", as_of="2003-08-26").tally["parties"] == 4


def test_a_new_consent_taking_effect_before_a_pending_withdrawal_breaks_withdrawal_pending() -> None:
    """A consent while withdrawing that would bind before the withdrawal takes effect is refused."""
    events = [
        opened(OTTAWA_CLAUSES | {"withdrawal": {"years": 1}}),
        *THREE,
        act("Withdrew", "NOR", "2005-06-27"),
        consent("NOR", "2005-07-01", mode="accession"),
    ]
    with pytest.raises(InvalidTransitionError) as caught:
        Ledger.from_events(events)
    assert caught.value.rule == "withdrawal-pending" and "before the withdrawal does" in str(caught.value)


# -- continuations and counts -------------------------------------------------------------------------------


def test_a_continuing_state_shows_its_predecessor_s_status_from_the_date_of_continuation() -> None:
    """Serbia continues Serbia and Montenegro: before 3 June 2006 the row is SCG's, from then Serbia's."""
    events = [
        opened(),
        *THREE,
        consent("Serbia and Montenegro", "2003-09-18", mode="accession"),
        {
            "type": "Continued",
            "party": "SRB",
            "predecessor": "SCG",
            "occurred_on": "2006-06-03",
            "recorded_at": REC,
        },
    ]
    ledger = Ledger.from_events(events)
    before = ledger.signatories("t", as_of="2006-06-02")
    assert before.get("SCG") is not None and before.get("SRB") is None
    after = ledger.signatories("t", as_of="2006-06-03")
    serbia = after.get("SRB")
    assert after.get("SCG") is None and serbia is not None
    assert (serbia.status, serbia.continued_from) == ("party", "SCG")
    assert after.tally == before.tally


def test_a_continuation_of_a_continuation_dated_by_its_year_is_uncertain_and_still_counted() -> None:
    """Yugoslavia to Serbia and Montenegro (2003) to Serbia (some day of 2006): within 2006 the row is
    Serbia's, uncertain, counted as the party it is whichever way the date falls (found by the state
    machine: the tally looked for Serbia and Montenegro's own facts, and it has none)."""
    events = [
        opened(),
        *THREE,
        consent("YUG", "2001-09-18", mode="accession"),
        {
            "type": "Continued",
            "party": "SCG",
            "predecessor": "YUG",
            "occurred_on": "2003-02-04",
            "recorded_at": REC,
        },
        {
            "type": "Continued",
            "party": "SRB",
            "predecessor": "SCG",
            "occurred_on": "2006",
            "recorded_at": REC,
        },
    ]
    ledger = Ledger.from_events(events)
    during = ledger.signatories("t", as_of="2006-06-03")
    serbia = during.get("SRB")
    assert serbia is not None and (serbia.status, serbia.continued_from, serbia.uncertain) == (
        "party",
        "SCG",
        True,
    )
    assert during.tally["parties"] == 4 == ledger.signatories("t", as_of="2007-01-01").tally["parties"]


def test_a_declaration_is_tallied_by_endorsers_and_signatories() -> None:
    """A declaration has no parties: its tally counts endorsers and signatories, never parties."""
    ledger = Ledger.from_jsonl(ROOT / "seeds" / "arbitrary-detention-declaration.jsonl")
    result = ledger.signatories("arbitrary-detention-declaration", as_of="2021-02-15")
    assert result.tally == {"endorsers": 59, "signatories": 0}
    assert str(result).endswith("59 endorsers: endorsed 59")


def test_the_treaty_summary_says_signatories_contracting_states_and_parties() -> None:
    """The table's summary line gives the published figures and never calls a signatory a party."""
    ledger = Ledger.from_events([opened(), act("Signed", "GBR", "2000-01-20"), *THREE])
    text = str(ledger.signatories("t", as_of="2000-06-01"))
    assert text.splitlines()[-1] == "1 signatory, 3 contracting states, 0 parties: ratified 3, signed 1"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "declaration_events", *args], capture_output=True, text=True, check=False
    )


# -- the law computed by hand, for any treaty ----------------------------------------------------------------


@st.composite
def treaties(draw: st.DrawFn) -> tuple[int, Delay, Delay, list[date]]:
    """A number of consents required, two delays and consent dates (one per state)."""
    required = draw(st.integers(1, 6))
    delays = st.one_of(
        st.builds(Delay, days=st.integers(0, 400)),
        st.builds(Delay, months=st.integers(0, 24)),
        st.builds(Delay, months=st.integers(1, 24), day=st.integers(1, 28)),
        st.builds(Delay, years=st.integers(1, 3)),
    )
    first = date(2000, 1, 1)
    days = draw(st.lists(st.integers(0, 3000), min_size=1, max_size=12, unique=True))
    return required, draw(delays), draw(delays), [first + timedelta(days=d) for d in days]


@given(treaties())
def test_dates_of_effect_derived_by_the_ledger_are_those_the_law_computes(
    treaty: tuple[int, Delay, Delay, list[date]],
) -> None:
    """With final clauses and no effective_on anywhere, each state is bound when the clauses say."""
    required, in_force, later, dates = treaty
    clauses = {
        "consents_required": required,
        "entry_into_force": in_force.model_dump(exclude_none=True),
        "later_consents": later.model_dump(exclude_none=True),
    }
    states = ["AUT", "BEL", "CHL", "DNK", "EST", "FIN", "GHA", "HUN", "IND", "JAM", "KEN", "LVA"]
    events = [opened(clauses, on="1999-12-31")]
    events += [consent(state, day.isoformat()) for state, day in zip(states, dates, strict=False)]
    ledger = Ledger.from_events(events)
    order = sorted(zip(dates, states, strict=False))
    expected: dict[str, date] = {}
    if len(order) >= required:
        force = in_force.after(order[required - 1][0])
        for index, (day, state) in enumerate(order):
            expected[state] = force if index < required else max(force, later.after(day))
    far = date(2020, 1, 1)
    rows = ledger.signatories("t", as_of=far)
    bound = {r.party: r.effective_on for r in rows if r.status == "party"}
    assert bound == {state: on for state, on in expected.items() if on <= far}
    deposited = {state: day for day, state in order}
    for state, on in expected.items():
        if on > deposited[state]:
            just_before = ledger.signatories("t", as_of=on - timedelta(days=1)).get(state)
            assert just_before is not None and just_before.status == "ratified", (state, on)


# -- found by a second reader -------------------------------------------------------------------


def test_a_consent_skipped_in_a_past_belief_does_not_count_towards_entry_into_force() -> None:
    """Known before CAN's revocation, its re-consent is illegal and skipped: EST is the second consent."""
    clauses = {"consents_required": 2, "entry_into_force": {"months": 6, "day": 1}}
    early, late = "2002-01-01T00:00:00+00:00", "2002-06-01T00:00:00+00:00"
    events = [
        opened(clauses) | {"recorded_at": early},
        consent("DEU", "2000-06-01") | {"recorded_at": early},
        act("Signed", "CAN", "2000-02-01") | {"recorded_at": early},
        act("Withdrew", "CAN", "2001-01-01", effective_on="2001-12-01") | {"recorded_at": early},
        consent("CAN", "2001-03-01") | {"recorded_at": early},
        consent("EST", "2001-06-01") | {"recorded_at": early},
        act("WithdrawalRevoked", "CAN", "2001-02-01") | {"recorded_at": late},
    ]
    ledger = Ledger.from_events(events)
    then = ledger.signatories("t", as_of="2003-06-01", known_at="2002-03-01")
    assert then.tally["parties"] == 2 and then.get("EST").effective_on == date(2001, 12, 1)  # type: ignore[union-attr]


def test_a_first_consent_given_after_an_explicit_entry_into_force_takes_the_later_delay() -> None:
    """In force by the log before the Nth consent: a consent deposited afterwards waits its own delay."""
    events = [
        opened(),
        *THREE[:2],
        {"type": "EnteredIntoForce", "instrument": "t", "occurred_on": "2000-06-01", "recorded_at": REC},
        consent("DEU", "2000-08-10"),
    ]
    assert row(Ledger.from_events(events), "DEU", "2000-09-01") == ("ratified", date(2001, 2, 1), True)


def test_a_consent_waiting_for_entry_into_force_shows_no_date_of_effect_yet() -> None:
    """One consent of the three required: when it binds is not known."""
    assert row(Ledger.from_events([opened(), THREE[0]]), "CAN", "2001-01-01") == ("ratified", None, True)


def test_a_delay_with_a_day_counts_at_least_one_month() -> None:
    """`{"months": 0, "day": 1}` would date an effect before its cause: refused."""
    with pytest.raises(InvalidEventError, match="day goes with at least one month"):
        parse_event(opened({"entry_into_force": {"months": 0, "day": 1}}))


def test_a_continuation_shows_in_both_states_timelines_and_in_past_beliefs() -> None:
    """Known only from its record time; the predecessor's timeline lists it too."""
    late = "2026-06-01T00:00:00+00:00"
    continued = {"type": "Continued", "party": "SRB", "predecessor": "SCG", "occurred_on": "2006-06-03"}
    ledger = Ledger.from_events(
        [opened(), *THREE, consent("SCG", "2003-09-18", mode="accession"), continued | {"recorded_at": late}]
    )
    assert "Continued" in [r.type for r in ledger.timeline("SCG")]
    assert ledger.signatories("t", as_of="2010-01-01", known_at="2026-02-01").get("SCG") is not None
    assert ledger.signatories("t", as_of="2010-01-01", known_at=late).get("SRB") is not None


def test_a_row_left_uncertain_by_a_partial_date_still_counts_what_holds_either_way() -> None:
    """Signed on a known day, ratified some day in May: in May it is a signatory whichever day it
    was, so the tally counts it among signatories, not yet among contracting states."""
    ledger = Ledger.from_events(
        [
            opened(None),
            {"type": "EnteredIntoForce", "instrument": "t", "occurred_on": "2000-02-01", "recorded_at": REC},
            act("Signed", "CAN", "2000-03-01"),
            consent("CAN", "2000-05"),
        ]
    )
    may = ledger.signatories("t", as_of="2000-05-15")
    assert may["CAN"].uncertain
    assert may.counts == {}
    assert may.tally == {"signatories": 1, "contracting_states": 0, "parties": 0}
    june = ledger.signatories("t", as_of="2000-06-01")
    assert june.tally == {"signatories": 1, "contracting_states": 1, "parties": 1}


def test_an_entry_into_force_derived_from_a_consent_dated_to_a_year_is_uncertain_until_its_last_day() -> None:
    """The third consent is dated only "2001": the treaty enters into force between 1 July 2001 (six
    months after 1 January, first day) and 1 June 2002 (after 31 December). Rows bound by it are
    uncertain in between and left out of counts; the milestone keeps the last day."""
    ledger = Ledger.from_events([opened(), *THREE[:2], consent("MEX", "2001")])
    history = ledger.projection.instrument_history("t")
    assert str(history.entered_into_force) == "2002-06-01" and history.force_derived
    before = ledger.signatories("t", as_of="2001-06-30")
    assert not before["CAN"].uncertain and before["CAN"].status == "ratified"
    during = ledger.signatories("t", as_of="2001-07-01")
    assert during["CAN"].uncertain and during["NOR"].uncertain
    assert during.counts.get("party", 0) == 0 and during.counts.get("ratified", 0) == 0
    # MEX may not have consented yet either: two contracting states for certain, no party.
    assert during.tally == {"signatories": 0, "contracting_states": 2, "parties": 0}
    after = ledger.signatories("t", as_of="2002-06-01")
    assert not after["CAN"].uncertain and after["CAN"].status == "party"
    assert after.tally["parties"] == 3


def test_a_withdrawal_notified_before_the_consent_takes_effect_leaves_the_state_bound_in_between() -> None:
    """Consent on 10 January 2005 takes effect on 1 July; withdrawal notified on 1 March takes effect a
    year later. VCLT articles 24 and 70: the treaty binds the state from 1 July 2005 until 1 March
    2006, so it counts as a party then; its row stays `withdrawing` since the notice."""
    clauses = OTTAWA_CLAUSES | {"withdrawal": {"months": 12}}
    ledger = Ledger.from_events(
        [opened(clauses), *THREE, consent("BEL", "2005-01-10"), act("Withdrew", "BEL", "2005-03-01")]
    )
    assert ledger.signatories("t", as_of="2005-06-30").tally["parties"] == 3
    bound = ledger.signatories("t", as_of="2005-07-01")
    assert bound.tally == {"signatories": 0, "contracting_states": 4, "parties": 4}
    belgium = bound["BEL"]
    assert (belgium.status, belgium.since, belgium.effective_on) == (
        "withdrawing",
        date(2005, 3, 1),
        date(2006, 3, 1),
    )
    assert ledger.signatories("t", as_of="2006-02-28").tally["parties"] == 4
    assert row(ledger, "BEL", "2006-03-01") == ("withdrawn", None, False)
    assert ledger.signatories("t", as_of="2006-03-01").tally["parties"] == 3
    revoked = Ledger.from_events(
        [
            opened(clauses),
            *THREE,
            consent("BEL", "2005-01-10"),
            act("Withdrew", "BEL", "2005-03-01"),
            act("WithdrawalRevoked", "BEL", "2005-09-01"),
        ]
    )
    assert row(revoked, "BEL", "2005-09-01") == ("party", date(2005, 7, 1), True)


def test_a_consent_given_while_withdrawing_lapses_with_a_revocation_in_the_same_day_order() -> None:
    """Found by the coverage walk: after a revocation the party is back to its signature, so a consent
    and a new withdrawal on one later day are taken consent first (it was not bound)."""
    clauses = {"withdrawal": {"days": 2}}
    events = [
        opened(clauses, on="1990-01-01"),
        act("Signed", "CAN", "1990-01-01"),
        act("Withdrew", "CAN", "1990-01-01"),
        consent("CAN", "1990-01-02", effective_on="1990-01-03"),
        act("WithdrawalRevoked", "CAN", "1990-01-02"),
        consent("CAN", "1990-01-03"),
        act("Withdrew", "CAN", "1990-01-03"),
    ]
    ledger = Ledger.from_events(events)
    assert row(ledger, "CAN", "1990-01-03")[0] == "withdrawing"
    assert row(ledger, "CAN", "1990-01-05")[0] == "withdrawn"
