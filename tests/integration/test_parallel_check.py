"""A large batch is checked on two cores, and the check says exactly what it says on one: the same
plan, the same folds, the same backdated events in the same order, the same error (issue 17, item 2).
"""

from __future__ import annotations

import io
import pickle
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from declaration_events import (
    DeclarationEventsError,
    InvalidTransitionError,
    Ledger,
    checking,
    parallel_check,
    parse_event,
    second_process,
)
from declaration_events.events import EventBase
from declaration_events.parallel_check import _Done, _Job, _read_reply, _reply
from declaration_events.projections import Projection
from declaration_events.records import Recorded
from declaration_events.testing.strategies import Illegal, event_logs, illegal_events
from helpers import SEEDS

NOW = datetime(2026, 12, 1, tzinfo=UTC)


class _HereInstead:
    """The second process's part done in this process (the same code, without a process), its job
    and its answer pickled and unpickled as they would travel."""

    started = 0

    def __init__(self) -> None:
        self._done: _Done | None = None

    @classmethod
    def start(cls) -> _HereInstead:
        cls.started += 1
        return cls()

    def send(self, job: _Job, ids: list[UUID]) -> None:
        travelled = pickle.loads(pickle.dumps(job))  # noqa: S301 - made here
        reply = io.BytesIO()
        _reply(travelled, reply)
        reply.seek(0)
        self._done = _read_reply(reply, ids)

    def finish(self, own: float) -> _Done | None:
        return self._done

    def stop(self) -> None:
        self._done = None


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> type[_HereInstead]:
    """Every batch checked on two cores, the second one's part done here."""
    monkeypatch.setattr(parallel_check, "PARALLEL_EVENTS", 1)
    monkeypatch.setattr(second_process, "cores", lambda: 2)
    monkeypatch.setattr(parallel_check, "_Helper", _HereInstead)
    _HereInstead.started = 0
    return _HereInstead


def outcome(check: Any, projection: Projection, batch: list[Recorded]) -> Any:
    """What a check says of a batch: its plan, or its error."""
    try:
        plan = check(projection, {}, list(batch))
    except DeclarationEventsError as exc:
        return type(exc).__name__, str(exc), getattr(exc, "event_id", None), getattr(exc, "rule", None)
    return plan.records, plan.expected, plan.folded, plan.backdated


def stored_and_batch(events: list[EventBase], stored: int) -> tuple[Projection, list[Recorded]] | None:
    """A projection holding the first `stored` events and the rest as a prepared batch (None if the
    stored part alone is not legal, or the batch is refused before the rules)."""
    ledger = Ledger()
    try:
        ledger.record_many(events[:stored])
        batch, _ = checking.prepare(ledger._writer.projection, events[stored:], NOW)
    except DeclarationEventsError:
        return None
    return ledger._writer.projection, batch


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    log=event_logs(max_instruments=2, max_cases=4, max_amendments=3),
    offences=st.lists(illegal_events(), max_size=2),
    stored=st.integers(0, 30),
    by_valid_time=st.booleans(),
    share=st.floats(0.05, 0.95),
)
def test_any_batch_is_checked_on_two_cores_as_on_one(
    log: list[EventBase], offences: list[Illegal], stored: int, by_valid_time: bool, share: float
) -> None:
    """Legal logs with stored facts before the batch, amendments, links, statements and backdated
    facts, with or without facts that break rules, cut anywhere between the two processes.
    `by_valid_time`: the facts stored first are the earliest to happen, not the earliest recorded,
    so that the batch holds facts recorded before stored ones (backdated)."""
    if by_valid_time:
        log = sorted(log, key=lambda event: (event.occurred_on.first, event.recorded_at or NOW))
    events = log + [event for offence in offences for event in (*offence.history, offence.event)]
    events = [event if event.recorded_at else event.recorded(NOW) for event in events]
    prepared = stored_and_batch(events, min(stored, len(log)))
    if prepared is None:
        return
    projection, batch = prepared
    serial = outcome(checking.check, projection, batch)
    event("refused" if isinstance(serial[0], str) else "taken")
    event("facts stored before" if len(projection) else "nothing stored before")
    event("backdated" if not isinstance(serial[0], str) and serial[3] else "none backdated")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_check, "PARALLEL_EVENTS", 1)
        patch.setattr(second_process, "cores", lambda: 2)
        patch.setattr(parallel_check, "_Helper", _HereInstead)
        patch.setattr(parallel_check, "SHARE", share)
        assert outcome(parallel_check.check, projection, batch) == serial


def test_the_seeds_load_on_two_cores_and_answer_as_on_one(two_cores: type[_HereInstead]) -> None:
    parallel = Ledger.from_jsonl(*SEEDS)
    assert two_cores.started == 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_check, "PARALLEL_EVENTS", 1 << 60)
        serial = Ledger.from_jsonl(*SEEDS)
    assert len(parallel) == len(serial)
    for slug in serial.instruments():
        for day in (date(1999, 3, 1), date(2024, 1, 1)):
            assert parallel.signatories(slug, as_of=day).rows == serial.signatories(slug, as_of=day).rows
    for day in (date(2019, 1, 1), date(2024, 1, 1)):
        assert parallel.cases(as_of=day).rows == serial.cases(as_of=day).rows


def _case_batch(
    count: int, *, illegal_at: int | None = None, unknown_link_at: int | None = None
) -> list[dict[str, Any]]:
    """Cases of two facts each; with `illegal_at`, that case is released twice; with
    `unknown_link_at`, that case is linked to a case nobody recorded."""
    facts: list[dict[str, Any]] = []
    for n in range(count):
        base = {"case": f"case-{n:05d}", "recorded_at": "2024-01-01T00:00:00Z"}
        facts.append(
            base
            | {"type": "Detained", "occurred_on": "2020-01-01", "person": f"P{n}"}
            | {"nationalities": ["CAN"], "detaining_state": "CHN"}
        )
        facts.append(base | {"type": "Released", "occurred_on": "2021-01-01", "mechanism": "exchange"})
        if n == illegal_at:
            facts.append(base | {"type": "Released", "occurred_on": "2022-01-01", "mechanism": "pardon"})
        if n == unknown_link_at:
            link = {
                "type": "CasesLinked",
                "occurred_on": "2020-06-01",
                "other_case": "nowhere",
                "relation": "same",
            }
            facts.append(base | link)
    return facts


@pytest.mark.parametrize(
    ("where", "offence"), [(10, "illegal_at"), (590, "illegal_at"), (590, "unknown_link_at")]
)
def test_a_broken_rule_is_reported_as_on_one_core_from_either_process(
    monkeypatch: pytest.MonkeyPatch, where: int, offence: str
) -> None:
    """A real second process: the case released twice is checked by this process (case 10) or by
    the second one (case 590), or the second one meets a link to a case nobody recorded (which this
    process finds unknown); the error is the serial check's."""
    facts = _case_batch(600, **{offence: where})
    with pytest.raises(InvalidTransitionError) as serial:
        Ledger().record_many(facts)
    monkeypatch.setattr(parallel_check, "PARALLEL_EVENTS", 100)
    monkeypatch.setattr(second_process, "cores", lambda: 2)
    started: list[object] = []
    start = parallel_check._Helper.start
    monkeypatch.setattr(parallel_check._Helper, "start", lambda: started.append(1) or start())
    with pytest.raises(InvalidTransitionError) as parallel:
        Ledger().record_many(facts)
    assert started
    assert str(parallel.value) == str(serial.value)
    assert parallel.value.event_id == serial.value.event_id
    assert parallel.value.rule == serial.value.rule


def test_a_large_batch_is_taken_whole_with_a_real_second_process(monkeypatch: pytest.MonkeyPatch) -> None:
    facts = _case_batch(600)
    monkeypatch.setattr(parallel_check, "PARALLEL_EVENTS", 100)
    monkeypatch.setattr(second_process, "cores", lambda: 2)
    sent: list[_Job] = []
    send = parallel_check._Helper.send
    monkeypatch.setattr(
        parallel_check._Helper, "send", lambda self, job, ids: sent.append(job) or send(self, job, ids)
    )
    ledger = Ledger()
    assert ledger.record_many(facts).added == 1200
    assert sent and 0 < len(sent[0].entities) < 600
    assert len(ledger.cases()) == 600
    assert {row.status for row in ledger.cases()} == {"released"}
    # A fold from the second process holds this process's id objects: one object an event.
    projection = ledger._writer.projection
    last = sent[0].entities[-1]
    released = projection._facts[last][-1]
    assert projection.case_history(last.removeprefix("case:")).states[-1].event_id is released


@pytest.mark.parametrize("failure", ["cannot start", "dies", "answers garbage", "answers half"])
def test_without_a_working_second_process_this_one_checks_everything(
    monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    facts = _case_batch(300, illegal_at=290)
    monkeypatch.setattr(parallel_check, "PARALLEL_EVENTS", 100)
    monkeypatch.setattr(second_process, "cores", lambda: 2)
    children = {
        "dies": "import sys; sys.exit(3)",
        "answers garbage": "import sys; sys.stdout.buffer.write(b'not a pickle' * 1000)",
        # One part of a reply, then nothing: the rest is never sent, and the process ends well.
        "answers half": "import pickle, sys; pickle.dump({'case:x': None}, sys.stdout.buffer)",
    }
    if failure == "cannot start":
        monkeypatch.setattr(second_process.subprocess, "Popen", _refuse)
    else:
        monkeypatch.setattr(parallel_check, "_CHILD", children[failure])
    with pytest.raises(InvalidTransitionError, match="case-00290"):
        Ledger().record_many(facts)
    ledger = Ledger()
    assert ledger.record_many(_case_batch(300)).added == 600


def _refuse(*args: object, **kwargs: object) -> Any:
    raise OSError("no processes left")


def test_backdated_events_come_in_the_serial_order_from_both_processes(two_cores: type[_HereInstead]) -> None:
    """Facts recorded before stored ones, in cases checked by either process, and a correction of a
    statement recorded before its stored correction: listed in sorted entity order, as on one core."""
    stored = [
        parse_event(fact | {"recorded_at": "2024-01-01T00:00:00Z"})
        for fact in _case_batch(8)
        if fact["type"] == "Detained"
    ]
    condemned = parse_event(
        {"type": "Condemned", "occurred_on": "2020-01-01", "recorded_at": "2020-01-02T00:00:00Z"}
        | {"actor": "CAN", "subject": "arbitrary detention", "target": "CHN"}
    )

    def correction(subject: str, recorded_at: str) -> EventBase:
        return parse_event(
            {"type": "Corrected", "target": str(condemned.id), "changes": {"subject": subject}}
            | {"reason": "reworded", "occurred_on": recorded_at[:10], "recorded_at": recorded_at}
        )

    ledger = Ledger()
    ledger.record_many([*stored, condemned, correction("detention", "2024-01-01T00:00:00Z")])
    released = [
        parse_event(fact | {"recorded_at": "2023-06-01T00:00:00Z"})
        for fact in _case_batch(8)
        if fact["type"] == "Released"
    ]
    batch, _ = checking.prepare(
        ledger._writer.projection,
        [*released[::-1], correction("hostage taking", "2023-01-01T00:00:00Z")],
        NOW,
    )
    serial = outcome(checking.check, ledger._writer.projection, batch)
    assert len(serial[3]) == 9  # every release, and the correction
    two_cores.started = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel_check, "SHARE", 0.5)
        assert outcome(parallel_check.check, ledger._writer.projection, batch) == serial
    assert two_cores.started == 1


def test_a_reply_gives_back_the_records_own_ids_and_one_object_a_day_across_its_parts(
    two_cores: type[_HereInstead], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folds sent in several pickles come back equal to the serial check's, holding this process's id
    objects and one date object per day, however many parts the reply has."""
    monkeypatch.setattr(parallel_check, "_CHUNK", 7)  # many parts
    facts = [parse_event(fact) for fact in _case_batch(60)]
    projection, batch = stored_and_batch(facts, 0) or pytest.fail("the cases are legal")
    assert outcome(parallel_check.check, projection, batch) == outcome(checking.check, projection, batch)
    theirs: list[str] = []
    send = _HereInstead.send
    monkeypatch.setattr(
        _HereInstead, "send", lambda self, job, ids: theirs.extend(job.entities) or send(self, job, ids)
    )
    folded = parallel_check.check(projection, {}, list(batch)).folded
    assert len(theirs) > 3 * 7
    ids = {record.id: record.id for record in batch}
    days: dict[date, date] = {}
    for entity in theirs:
        for state in folded[entity].states:  # type: ignore[union-attr]
            assert state.event_id is ids[state.event_id]
            for day in (state.on, state.start, state.since):
                assert days.setdefault(day, day) is day
    assert len(days) == 2  # the detentions' day and the releases'
