"""The reference model alone on the law of treaty acts (issue 14), on histories written by hand."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from declaration_events.dates import PartialDate
from declaration_events.events import (
    EnteredIntoForce,
    EventBase,
    InstrumentOpened,
    Objected,
    Ratified,
    ReservationWithdrawn,
    Reserved,
    Signed,
    Suspended,
    SuspensionEnded,
    Terminated,
    TerritoryExcluded,
    TerritoryIncluded,
    WithdrawalRevoked,
    Withdrew,
)
from declaration_events.testing import Belief, Broken, ReferenceModel, replay_instrument

_STAMPS = itertools.count()


def fact(cls: type[EventBase], on: str, **fields: Any) -> Any:
    """A fact of the treaty `t` (unless told otherwise) on `on`, recorded in 2030 in the order made."""
    stamp = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(seconds=next(_STAMPS))
    return cls(**{"instrument": "t", **fields}, occurred_on=PartialDate.parse(on), recorded_at=stamp)


def treaty(*parties: str, on: str = "2000-01-01", kind: str = "treaty") -> list[EventBase]:
    """A treaty every one of `parties` ratifies on 2000-02-01, in force on 2000-03-01."""
    between = {"between": parties} if kind == "bilateral_treaty" else {}
    opened = fact(InstrumentOpened, on, title="T", kind=kind, **between)
    consents = [fact(Ratified, "2000-02-01", party=p) for p in parties]
    return [opened, *consents, fact(EnteredIntoForce, "2000-03-01")]


def broken(history: list[EventBase], event: EventBase) -> str | None:
    """The rule the model says `event` breaks after `history` (None: legal)."""
    model = ReferenceModel()
    fresh, rules = model.verdict(history)
    assert rules == set(), rules
    model.record(fresh)
    found = model.verdict([event])[1]
    assert len(found) <= 1
    return next(iter(found), None)


def statuses(history: list[EventBase], day: str) -> dict[str, str]:
    return {p: point.status for p, point in replay_instrument(history, date.fromisoformat(day)).items()}


def tally(history: list[EventBase], day: str) -> dict[str, int] | None:
    return Belief(history).signatories("t", date.fromisoformat(day)).tally


# -- bilateral treaties ------------------------------------------------------------------------


def test_a_bilateral_treaty_ends_for_both_when_one_withdrawal_takes_effect() -> None:
    """The INF Treaty: one side's withdrawal in effect, the other is `terminated` the same day."""
    history = [
        *treaty("USA", "RUS", kind="bilateral_treaty"),
        fact(Withdrew, "2019-02-02", party="USA", effective_on="2019-08-02"),
    ]
    assert statuses(history, "2019-08-01") == {"USA": "withdrawing", "RUS": "party"}
    assert statuses(history, "2019-08-02") == {"USA": "withdrawn", "RUS": "terminated"}
    assert tally(history, "2019-08-02") == {"signatories": 0, "contracting_states": 0, "parties": 0}
    assert broken(
        history, fact(Reserved, "2019-08-02", party="RUS", kind="declaration", text="x", made_on="later")
    ) == ("after-termination")
    assert broken(history, fact(Suspended, "2019-08-01", party="RUS")) is None


def test_a_bilateral_treaty_names_its_two_parties_in_every_fact() -> None:
    history = treaty("USA", "RUS", kind="bilateral_treaty")
    assert broken(history, fact(Signed, "2001-01-01", party="CAN")) == "bilateral-parties-only"
    assert broken(history, fact(Suspended, "2001-01-01", party="CAN")) == "bilateral-parties-only"
    assert broken(history, fact(Terminated, "2001-01-01")) is None
    assert broken(history, fact(Objected, "2001-01-01", party="USA", to="RUS", text="no")) == (
        "object-to-reservation"
    )


def test_signing_withdrawn_on_a_bilateral_treaty_ends_it_too() -> None:
    """(A choice: any withdrawal in effect ends a bilateral treaty, a signature's too.)"""
    opened = fact(InstrumentOpened, "2000-01-01", title="T", kind="bilateral_treaty", between=("USA", "CAN"))
    history = [opened, fact(Signed, "2000-01-02", party="USA"), fact(Withdrew, "2000-01-03", party="USA")]
    assert statuses(history, "2000-01-03") == {"USA": "withdrawn"}
    assert broken(history, fact(Signed, "2000-01-04", party="CAN")) == "after-termination"


# -- termination -----------------------------------------------------------------------------------


def test_termination_ends_every_participation_and_nothing_but_amendments_follows() -> None:
    history = [
        *treaty("CAN", "FRA"),
        fact(Signed, "2000-04-01", party="DEU"),
        fact(Ratified, "2000-04-01", party="GBR"),
        fact(Withdrew, "2000-05-01", party="FRA"),
        fact(Withdrew, "2000-06-01", party="CAN", effective_on="2001-06-01"),
        fact(Terminated, "2000-07-01"),
    ]
    assert statuses(history, "2000-07-01") == {
        "CAN": "terminated",
        "FRA": "withdrawn",
        "DEU": "terminated",
        "GBR": "terminated",
    }
    assert tally(history, "2000-07-01") == {"signatories": 0, "contracting_states": 0, "parties": 0}
    assert tally(history, "2000-06-30") == {"signatories": 1, "contracting_states": 2, "parties": 2}
    assert statuses(history, "2001-07-01")["CAN"] == "terminated"  # the pending withdrawal is dropped
    assert broken(history, fact(Terminated, "2000-07-01", note="again")) == "after-termination"
    assert broken(history, fact(Signed, "2000-07-02", party="ITA")) == "after-termination"
    # Earlier that day, it is folded before the termination.
    assert broken(history, fact(Signed, "2000-07-01", party="ITA")) is None
    assert broken(history, fact(Terminated, "2000-01-01", instrument="t")) is not None


def test_termination_applies_to_treaties_only() -> None:
    opened = fact(InstrumentOpened, "2000-01-01", title="D", kind="declaration")
    assert broken([opened], fact(Terminated, "2000-02-01")) == "treaty-acts-only"
    assert broken([opened], fact(Suspended, "2000-02-01")) == "treaty-acts-only"
    signed = fact(Signed, "2000-01-02", party="CAN")
    reserved = fact(Reserved, "2000-02-01", party="CAN", kind="declaration", text="x", made_on="later")
    assert broken([opened, signed], reserved) == "treaty-acts-only"


# -- suspension ------------------------------------------------------------------------------------


def test_a_whole_treaty_suspended_counts_its_parties_as_contracting_states_only() -> None:
    history = [*treaty("CAN", "FRA", "DEU"), fact(Suspended, "2005-01-01")]
    assert tally(history, "2004-12-31") == {"signatories": 0, "contracting_states": 3, "parties": 3}
    assert tally(history, "2005-01-01") == {"signatories": 0, "contracting_states": 3, "parties": 0}
    assert set(statuses(history, "2005-01-01").values()) == {"suspended"}
    assert broken(history, fact(Suspended, "2005-02-01")) == "suspend-in-force"
    assert broken(history, fact(SuspensionEnded, "2005-02-01", party="CAN")) == "end-suspension"
    # A party bound meanwhile is suspended from the start.
    joined = [*history, fact(Ratified, "2005-02-01", party="GBR")]
    assert statuses(joined, "2005-02-01")["GBR"] == "suspended"
    ended = [*joined, fact(SuspensionEnded, "2006-01-01")]
    assert set(statuses(ended, "2006-01-01").values()) == {"party"}
    assert tally(ended, "2006-01-01") == {"signatories": 0, "contracting_states": 4, "parties": 4}


def test_a_whole_treaty_is_suspended_only_in_force() -> None:
    opened = fact(InstrumentOpened, "2000-01-01", title="T", kind="treaty")
    assert broken([opened], fact(Suspended, "2000-02-01")) == "suspend-in-force"
    assert broken(treaty("CAN"), fact(SuspensionEnded, "2001-01-01")) == "end-suspension"


def test_one_party_suspended_stays_a_contracting_state_and_may_withdraw() -> None:
    history = [
        *treaty("CAN", "UKR"),
        fact(Signed, "2000-04-01", party="FRA"),
        fact(Suspended, "2025-07-01", party="UKR"),
    ]
    assert statuses(history, "2025-07-01")["UKR"] == "suspended"
    assert tally(history, "2025-07-01") == {"signatories": 1, "contracting_states": 2, "parties": 1}
    assert broken(history, fact(Suspended, "2025-08-01", party="FRA")) == "suspend-bound"
    assert broken(history, fact(Suspended, "2025-08-01", party="UKR")) == "suspend-bound"
    assert broken(history, fact(SuspensionEnded, "2025-08-01", party="CAN")) == "end-suspension"
    assert broken(history, fact(Ratified, "2025-08-01", party="UKR")) == "already-participating"
    leaving = [*history, fact(Withdrew, "2025-08-01", party="UKR", effective_on="2026-02-01")]
    assert statuses(leaving, "2025-08-01")["UKR"] == "withdrawing"
    assert broken(leaving, fact(SuspensionEnded, "2025-09-01", party="UKR")) == "withdrawal-pending"
    assert broken(leaving, fact(Suspended, "2025-09-01", party="UKR")) == "withdrawal-pending"
    revoked = [*leaving, fact(WithdrawalRevoked, "2025-09-01", party="UKR")]
    assert statuses(revoked, "2025-09-01")["UKR"] == "suspended"  # its own suspension is still in force
    resumed = [*revoked, fact(SuspensionEnded, "2025-10-01", party="UKR")]
    assert statuses(resumed, "2025-10-01")["UKR"] == "party"
    assert tally(resumed, "2025-10-01") == {"signatories": 1, "contracting_states": 2, "parties": 2}


def test_a_revocation_restores_party_once_no_suspension_is_in_force() -> None:
    history = [
        *treaty("CAN"),
        fact(Suspended, "2001-01-01"),
        fact(Withdrew, "2001-02-01", party="CAN", effective_on="2002-01-01"),
        fact(SuspensionEnded, "2001-03-01"),
        fact(WithdrawalRevoked, "2001-04-01", party="CAN"),
    ]
    assert statuses(history, "2001-03-01")["CAN"] == "withdrawing"
    assert statuses(history, "2001-04-01")["CAN"] == "party"


def test_own_and_whole_suspension_overlap() -> None:
    history = [
        *treaty("CAN", "FRA"),
        fact(Suspended, "2001-01-01", party="CAN"),
        fact(Suspended, "2001-02-01"),
        fact(SuspensionEnded, "2001-03-01"),
    ]
    assert statuses(history, "2001-03-01") == {"CAN": "suspended", "FRA": "party"}
    assert broken(history, fact(SuspensionEnded, "2001-04-01", party="FRA")) == "end-suspension"
    assert (
        statuses([*history, fact(SuspensionEnded, "2001-04-01", party="CAN")], "2001-04-01")["CAN"] == "party"
    )


# -- reservations and objections -----------------------------------------------------------------


def reservation(party: str, on: str, made_on: str = "later", text: str = "art. 6 does not apply") -> Reserved:
    return fact(Reserved, on, party=party, kind="reservation", text=text, articles=("6",), made_on=made_on)


def test_a_reservation_needs_a_participant_and_what_it_was_made_with() -> None:
    opened = fact(InstrumentOpened, "2000-01-01", title="T", kind="treaty")
    signed = fact(Signed, "2000-01-02", party="CAN")
    acceded = fact(Ratified, "2000-01-02", party="FRA", mode="accession")
    history = [opened, signed, acceded]
    assert broken(history, reservation("DEU", "2000-02-01")) == "reserve-participating"
    assert broken(history, reservation("CAN", "2000-02-01", "consent")) == "reserve-participating"
    assert broken(history, reservation("CAN", "2000-02-01", "signature")) is None
    assert broken(history, reservation("FRA", "2000-02-01", "signature")) == "reserve-participating"
    assert broken(history, reservation("FRA", "2000-02-01", "consent")) is None
    leaving = [*history, fact(Withdrew, "2000-03-01", party="FRA", effective_on="2000-06-01")]
    assert broken(leaving, reservation("FRA", "2000-04-01", "consent")) is None  # withdrawing still acts
    assert broken(leaving, reservation("FRA", "2000-06-01")) == "reserve-participating"


def test_a_reservation_is_withdrawn_in_part_then_whole_by_its_party() -> None:
    made = reservation("CAN", "2001-01-01")
    history = [*treaty("CAN", "FRA"), made]
    partly = fact(ReservationWithdrawn, "2002-01-01", party="CAN", reservation=made.id, text="art. 6(5) only")
    assert broken(history, fact(ReservationWithdrawn, "2002-01-01", party="FRA", reservation=made.id)) == (
        "withdraw-reservation-made"
    )
    assert broken(history, fact(ReservationWithdrawn, "2000-12-31", party="CAN", reservation=made.id)) == (
        "withdraw-reservation-made"
    )
    history.append(partly)
    whole = fact(ReservationWithdrawn, "2003-01-01", party="CAN", reservation=made.id)
    assert broken(history, whole) is None
    history.append(whole)
    assert broken(history, fact(ReservationWithdrawn, "2004-01-01", party="CAN", reservation=made.id)) == (
        "withdraw-reservation-made"
    )
    belief = Belief(history)
    assert belief.acts("t", date(2000, 12, 31)).reservations == {}
    assert belief.acts("t", date(2001, 6, 1)).reservations[made.id].text == "art. 6 does not apply"
    assert belief.acts("t", date(2002, 6, 1)).reservations[made.id].text == "art. 6(5) only"
    assert belief.acts("t", date(2003, 1, 1)).reservations == {}


def test_objections_name_a_reservation_in_force_and_may_preclude_the_treaty_between_the_two() -> None:
    made = reservation("CAN", "2001-01-01")
    history = [*treaty("CAN", "FRA", "DEU"), fact(Signed, "2000-04-01", party="ITA")]
    assert broken(history, fact(Objected, "2001-02-01", party="FRA", to="CAN", text="no")) == (
        "object-to-reservation"
    )
    history.append(made)
    assert broken(history, fact(Objected, "2001-02-01", party="GBR", to="CAN", text="no")) == (
        "object-participating"
    )
    assert broken(history, fact(Objected, "2001-02-01", party="CAN", to="FRA", text="no")) == (
        "object-to-reservation"
    )
    elsewhere = fact(
        Reserved, "2001-01-01", instrument="u", party="CAN", kind="reservation", text="x", made_on="later"
    )
    assert broken(
        history, fact(Objected, "2001-02-01", party="FRA", to="CAN", reservation=elsewhere.id, text="n")
    ) == ("object-to-reservation")
    general = fact(Objected, "2001-02-01", party="ITA", to="CAN", text="incompatible")
    precluding = fact(
        Objected,
        "2001-03-01",
        party="FRA",
        to="CAN",
        reservation=made.id,
        text="no",
        precludes_entry_into_force=True,
    )
    history += [general, precluding]
    belief = Belief(history)
    acts = belief.acts("t", date(2001, 2, 15))
    assert acts.reservations[made.id].objections == {(general.id, "ITA", False)}
    assert acts.relations["FRA"] == {"CAN", "DEU"}
    acts = belief.acts("t", date(2001, 3, 1))
    assert acts.reservations[made.id].objections == {(general.id, "ITA", False), (precluding.id, "FRA", True)}
    assert acts.relations == {
        "CAN": {"DEU"},
        "FRA": {"DEU"},
        "DEU": {"CAN", "FRA"},
        "ITA": frozenset(),
    }
    # The reserving party gone, its reservation lapses: nothing left to object to.
    gone = [*history, fact(Withdrew, "2002-01-01", party="CAN")]
    assert Belief(gone).acts("t", date(2002, 1, 1)).reservations == {}
    assert (
        broken(gone, fact(Objected, "2002-02-01", party="DEU", to="CAN", text="late"))
        == "object-to-reservation"
    )


def test_relations_need_both_bound_and_not_suspended() -> None:
    history = [*treaty("CAN", "FRA"), fact(Ratified, "2000-04-01", party="DEU", effective_on="2000-09-01")]
    acts = Belief(history).acts("t", date(2000, 5, 1))
    assert acts.relations == {"CAN": {"FRA"}, "FRA": {"CAN"}, "DEU": frozenset()}
    suspended = [*history, fact(Suspended, "2000-06-01", party="FRA")]
    assert Belief(suspended).acts("t", date(2000, 6, 1)).relations["CAN"] == frozenset()


# -- territories -----------------------------------------------------------------------------------


def test_territories_are_included_and_excluded_once_each_way() -> None:
    history = [*treaty("GBR", "NLD"), fact(Signed, "2000-04-01", party="DNK")]
    assert broken(history, fact(TerritoryIncluded, "2001-01-01", party="FRA", territory="GLP")) == (
        "territory-participating"
    )
    history.append(
        fact(TerritoryIncluded, "2001-01-01", party="GBR", territory="FLK", effective_on="2001-03-01")
    )
    assert (
        broken(history, fact(TerritoryIncluded, "2001-02-01", party="GBR", territory="FLK"))
        == "territory-once"
    )
    assert broken(history, fact(TerritoryExcluded, "2001-02-01", party="DNK", territory="GRL")) is None
    history += [
        fact(TerritoryIncluded, "2001-02-01", party="GBR", territory="GIB"),
        fact(TerritoryExcluded, "2001-02-01", party="NLD", territory="ABW"),
        fact(TerritoryExcluded, "2002-01-01", party="GBR", territory="GIB"),
    ]
    assert (
        broken(history, fact(TerritoryExcluded, "2002-02-01", party="NLD", territory="ABW"))
        == "territory-once"
    )
    belief = Belief(history)
    assert belief.acts("t", date(2001, 2, 1)).territories == {
        "GBR": {"GIB"},
        "NLD": frozenset(),
        "DNK": frozenset(),
    }
    assert belief.acts("t", date(2001, 3, 1)).territories["GBR"] == {"GIB", "FLK"}
    assert belief.acts("t", date(2002, 1, 1)).territories["GBR"] == {"FLK"}
    gone = [*history, fact(Withdrew, "2003-01-01", party="GBR")]
    assert Belief(gone).acts("t", date(2003, 1, 1)).territories["GBR"] == frozenset()


def test_a_partial_date_leaves_the_acts_unsettled() -> None:
    history = [*treaty("GBR"), fact(TerritoryIncluded, "2001-05", party="GBR", territory="FLK")]
    assert Belief(history).acts("t", date(2001, 5, 10)).unsettled
    assert not Belief(history).acts("t", date(2001, 6, 1)).unsettled


@pytest.mark.parametrize(
    "late",
    [
        lambda: fact(Reserved, "2000-01-01", party="CAN", kind="declaration", text="x", made_on="later"),
        lambda: fact(TerritoryIncluded, "2000-01-01", party="CAN", territory="GRL"),
    ],
)
def test_treaty_acts_come_before_the_same_day_entry_into_force(late: Any) -> None:
    """Same day: a consent (2), then its reservation or territory (3), then entry into force (6)."""
    history = [
        fact(InstrumentOpened, "2000-01-01", title="T", kind="treaty"),
        fact(Ratified, "2000-01-01", party="CAN"),
        fact(EnteredIntoForce, "2000-01-01"),
    ]
    assert broken(history, late()) is None


def test_the_models_ranks_are_the_specs() -> None:
    from declaration_events.testing.model import _SAME_DAY

    spec = {
        "InstrumentOpened": 0,
        "Signed": 1,
        "Endorsed": 1,
        "Ratified": 2,
        "Reserved": 3,
        "TerritoryIncluded": 3,
        "TerritoryExcluded": 3,
        "Objected": 4,
        "ReservationWithdrawn": 5,
        "EnteredIntoForce": 6,
        "Suspended": 7,
        "SuspensionEnded": 8,
        "Withdrew": 9,
        "WithdrawalRevoked": 10,
        "Terminated": 11,
    }
    assert {key: _SAME_DAY[key] for key in spec} == spec


def test_broken_names_the_rule() -> None:
    with pytest.raises(Broken):
        replay_instrument([fact(Signed, "2000-01-01", party="CAN")])
