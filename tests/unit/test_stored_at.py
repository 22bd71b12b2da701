"""The third time: when the store itself took each batch (`stored_at`), and answers as stored by then."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from declaration_events import (
    BackdatedError,
    InvalidEventError,
    Ledger,
    RecordResult,
    StoreError,
)
from declaration_events.events import Condemned, Corrected, Detained
from declaration_events.storage import Stamp
from declaration_events.storage.stamps import next_stamp
from helpers import KOVRIG_BACKDATED, KOVRIG_CHARGED, KOVRIG_DETAINED, KOVRIG_RELEASED

DETAINED, CHARGED, RELEASED, BACKDATED = KOVRIG_DETAINED, KOVRIG_CHARGED, KOVRIG_RELEASED, KOVRIG_BACKDATED


def kovrig(ledger: Ledger, **times: str | datetime) -> str:
    """Kovrig's status at the end of 2020, as known on 2021-01-01 (and stored by a time, if given)."""
    row = ledger.case("kovrig", as_of="2020-12-31", known_at="2021-01-01", **times)  # type: ignore[arg-type]
    assert row is not None
    return row.status


def test_each_batch_is_stamped_by_the_store_and_stamps_never_go_back() -> None:
    """One stamp per batch, counting the events held; stored_at strictly increases."""
    ledger = Ledger()
    ledger.record_many([DETAINED])
    ledger.record_many([CHARGED])
    first, second = ledger.stamps()
    assert (first.events, first.added, second.events, second.added) == (1, 1, 2, 1)
    assert first.stored_at < second.stored_at <= datetime.now(UTC)


def test_a_stamp_is_a_microsecond_after_the_last_when_the_clock_stands_still_or_goes_back() -> None:
    """A clock that is set back never makes a stamp earlier than the one before."""
    last = Stamp(10, datetime(2030, 1, 1, tzinfo=UTC), 10, 10)
    behind = next_stamp(last, 0, 2, 12, datetime(2020, 1, 1, tzinfo=UTC))
    assert behind == Stamp(12, last.stored_at + timedelta(microseconds=1), 2, 12)


def test_a_backdated_retraction_changes_known_at_answers_but_not_what_was_stored_by_a_time() -> None:
    """Issue 18's Kovrig attack: the record time is the log's; the stored time is the store's."""
    ledger = Ledger()
    ledger.record_many([DETAINED, CHARGED, RELEASED])
    before = ledger.stamps()[-1].stored_at
    assert kovrig(ledger) == "charged"
    result = ledger.record_many([BACKDATED])
    assert result == RecordResult(added=1, duplicates=0, backdated=1)
    assert kovrig(ledger) == "detained"  # known_at means what had been reported by then
    assert kovrig(ledger, stored_by=before) == "charged"  # what the ledger said then, for good
    assert kovrig(ledger, stored_by=ledger.stamps()[-1].stored_at) == "detained"


def test_refusing_backdating_writes_nothing_and_names_the_event() -> None:
    """backdate=False: BackdatedError naming the first backdated event, with the count; nothing changes."""
    ledger = Ledger()
    ledger.record_many([DETAINED, CHARGED, RELEASED])
    with pytest.raises(BackdatedError, match=str(BACKDATED.id)) as caught:
        ledger.record_many([BACKDATED], backdate=False)
    assert caught.value.count == 1
    assert len(ledger) == 3
    assert len(ledger.stamps()) == 1
    assert kovrig(ledger) == "charged"


def test_refusing_backdating_names_the_log_line(tmp_path: object) -> None:
    """From a log, the error starts with FILE:LINE of the backdated line."""
    ledger = Ledger()
    ledger.record_many([DETAINED, CHARGED, RELEASED])
    log = io.BytesIO((BACKDATED.to_json() + "\n").encode())
    with pytest.raises(BackdatedError, match=r"^<stream>:1: |:1: "):
        ledger.import_logs(log, backdate=False)


def test_facts_recorded_after_everything_stored_about_their_entity_are_not_backdated() -> None:
    """A later fact, a first fact of a new entity and a new statement are not counted."""
    ledger = Ledger()
    ledger.record_many([DETAINED])
    other = Detained(
        case="spavor",
        person="Michael Spavor",
        nationalities=["CAN"],
        detaining_state="CHN",
        occurred_on="2018-12-10",
        recorded_at="2018-12-11T00:00:00Z",
    )
    said = Condemned(
        actor="CAN", subject="case:kovrig", occurred_on="2018-12-11", recorded_at="2018-12-11T00:00:00Z"
    )
    assert ledger.record_many([CHARGED, other, said]).backdated == 0


def test_an_amendment_of_a_statement_recorded_before_an_earlier_amendment_of_it_is_backdated() -> None:
    """Statements are facts of their own: an amendment compares with its target and its amendments."""
    said = Condemned(
        actor="CAN", subject="case:kovrig", occurred_on="2018-12-20", recorded_at="2019-01-01T00:00:00Z"
    )
    fixed = Corrected(
        target=said.id,
        changes={"occurred_on": "2018-12-21"},
        reason="the day",
        occurred_on="2019-06-01",
        recorded_at="2019-06-01T00:00:00Z",
    )
    ledger = Ledger()
    ledger.record_many([DETAINED, said, fixed])
    early = Corrected(
        target=said.id,
        changes={"occurred_on": "2018-12-22"},
        reason="another day",
        occurred_on="2019-03-01",
        recorded_at="2019-03-01T00:00:00Z",
    )
    assert ledger.record_many([early]).backdated == 1


def test_every_query_answers_as_stored_by_a_time() -> None:
    """signatories, cases, case, condemnations, timeline, events, to_jsonl all take stored_by."""
    ledger = Ledger()
    ledger.record_many([DETAINED, CHARGED, RELEASED])
    before = ledger.stamps()[-1].stored_at
    ledger.record_many([BACKDATED])
    snapshot = ledger.as_stored(before)
    held = [DETAINED.id, CHARGED.id, RELEASED.id]
    assert len(snapshot) == 3
    assert [e.id for e in ledger.events(stored_by=before)] == held
    at = {"known_at": "2022-01-01", "as_of": "2020-12-31"}
    cases = ledger.cases(stored_by=before, **at)
    assert cases.to_dict() == snapshot.cases(**at).to_dict()
    assert cases.to_dict() != ledger.cases(**at).to_dict()
    timeline = ledger.timeline("CAN", stored_by=before, known_at="2022-01-01")
    assert timeline.to_dict() == snapshot.timeline("CAN", known_at="2022-01-01").to_dict()
    assert ledger.condemnations(stored_by=before, **at).to_dict() == snapshot.condemnations(**at).to_dict()
    out = io.BytesIO()
    assert ledger.to_jsonl(out, stored_by=before) == 3
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [str(i) for i in held]


def test_before_the_first_batch_the_ledger_held_nothing() -> None:
    """A time before anything was stored answers with an empty ledger."""
    ledger = Ledger()
    ledger.record_many([DETAINED])
    assert len(ledger.as_stored("2000-01-01")) == 0
    assert ledger.cases(stored_by="2000-01-01").rows == ()


def test_a_stored_by_time_in_the_future_is_refused() -> None:
    """What the store holds by a future time may still change: refused, naming the argument."""
    with pytest.raises(InvalidEventError, match=r"stored_by: .* is in the future"):
        Ledger().as_stored(datetime.now(UTC) + timedelta(hours=1))
    with pytest.raises(InvalidEventError, match="stored_by"):
        Ledger().cases(stored_by="not a time")


def test_a_ledger_as_stored_is_read_only() -> None:
    """Recording into an answer about the past is refused."""
    ledger = Ledger()
    ledger.record_many([DETAINED])
    snapshot = ledger.as_stored(ledger.stamps()[-1].stored_at)
    with pytest.raises(StoreError, match="read-only"):
        snapshot.record_many([CHARGED])
    assert len(snapshot) == 1
