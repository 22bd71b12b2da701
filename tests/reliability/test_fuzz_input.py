"""Fuzzing the reader, the rules, the queries and the command line with Hypothesis.

Inputs are junk bytes, random JSON, and seed lines mutated byte by byte or field by
field (fields dropped, added, retyped, or given values taken from other seed lines, so
that corrections point at real ids and facts name real instruments and cases). The
properties: only `DeclarationEventsError` subclasses escape the library; an accepted
line survives the canonical writer unchanged and every query on it answers; the command
exits 0, or 1 with one line per bad line and never a traceback, and a refused import
changes no row of the store.

Size: three times the Hypothesis profile's examples (HYPOTHESIS_PROFILE=ci: 450 per test, the
command line a third of that);
DECLARATION_EVENTS_THOROUGH=1: 5,000 per test.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import shutil
import sqlite3
import string
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declaration_events import DeclarationEventsError, Ledger, read_events
from declaration_events.cli import main
from declaration_events.eventlog import dumps_events
from declaration_events.events import EVENT_TYPES, EventBase
from declaration_events.rules import fold_case, fold_instrument
from helpers import SEEDS

SEED_LINES = [line for path in SEEDS for line in path.read_bytes().splitlines() if line.strip()]
SEED_EVENTS = [event for path in SEEDS for event in read_events(path)]
THOROUGH = os.environ.get("DECLARATION_EVENTS_THOROUGH") == "1"
PANDAS = importlib.util.find_spec("pandas") is not None
#: Examples per property: three times the Hypothesis profile's (ci: 450), or 5,000 when thorough.
FUZZ = settings(max_examples=5000 if THOROUGH else 3 * settings().max_examples)
CLI_FUZZ = settings(FUZZ, max_examples=FUZZ.max_examples // 3, suppress_health_check=[HealthCheck.too_slow])


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


def _values(data: Any) -> list[Any]:
    """Every value (at any depth) of a parsed seed line."""
    found = [data]
    if isinstance(data, dict):
        for value in data.values():
            found.extend(_values(value))
    elif isinstance(data, list):
        for value in data:
            found.extend(_values(value))
    return found


_SEEN: dict[str, Any] = {}
for _line in SEED_LINES:
    for _value in _values(json.loads(_line)):
        _SEEN.setdefault(json.dumps(_value, sort_keys=True), _value)
HOSTILE_VALUES: list[Any] = [
    "", " ", "\u0000", "\ud7ff", "x" * 5000, "2021-02-30", "2021-02-29", "0001-01-01", "9999-12-31", "9999",
    "2021-02", "0000", "2021-02-15T12:00:00", "2021-02-15T12:00:00+00:00", "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:59", "Atlantis", "EU", "eu", "CAN ", "00000000-0000-0000-0000-000000000000",
    -1, 0, 1, 2**31, 2**63, -(2**63), 1e308, -0.0, 0.5, True, False, None, [], {}, [None], {"": None},
    {"title": None}, [{"title": "t", "url": 5}],
]  # fmt: skip
POOL = list(_SEEN.values()) + HOSTILE_VALUES
FIELDS = sorted(
    {name for cls in EVENT_TYPES.values() for name in cls.model_fields} | {"class_version", "Type"}
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
values = st.sampled_from(POOL) | json_values


@st.composite
def field_mutants(draw: st.DrawFn, line: bytes | None = None) -> bytes:
    """A seed line with 1-4 fields dropped, added, retyped or given another line's value."""
    data: dict[str, Any] = json.loads(line or draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["drop", "set", "set", "add", "retype", "nested"]))
        keys = sorted(data)
        if operation == "drop" and keys:
            del data[draw(st.sampled_from(keys))]
        elif operation == "set" and keys:
            data[draw(st.sampled_from(keys))] = draw(values)
        elif operation == "add":
            data[draw(st.sampled_from(FIELDS) | st.text(max_size=10))] = draw(values)
        elif operation == "retype":
            data["type"] = draw(st.sampled_from(sorted(EVENT_TYPES)))
        elif operation == "nested":
            data[draw(st.sampled_from(["sources", "changes", "nationalities", "charges"]))] = draw(
                st.lists(values, max_size=3) | st.dictionaries(st.sampled_from(FIELDS), values, max_size=3)
            )
    return json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@st.composite
def byte_mutants(draw: st.DrawFn, original: bytes | None = None) -> bytes:
    """A seed line with bytes deleted, inserted, replaced, duplicated or cut off."""
    line = bytearray(original or draw(st.sampled_from(SEED_LINES)))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(line)))
        end = draw(st.integers(at, min(len(line), at + 40)))
        operation = draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "truncate"]))
        if operation == "delete":
            del line[at:end]
        elif operation == "insert":
            line[at:at] = draw(
                st.binary(min_size=1, max_size=8) | st.sampled_from([b'"', b"{", b"}", b",", b"\\"])
            )
        elif operation == "replace" and at < len(line):
            line[at] = draw(st.integers(0, 255))
        elif operation == "duplicate":
            line[at:at] = line[at:end]
        elif operation == "truncate":
            del line[at:]
    return bytes(line).replace(b"\n", b" ")


def mutants_of(line: bytes) -> st.SearchStrategy[tuple[bytes, bytes]]:
    """(the seed line, a mutant of it)."""
    return st.tuples(st.just(line), field_mutants(line) | byte_mutants(line))


junk_lines = st.binary(max_size=200) | st.text(max_size=200).map(
    lambda text: text.encode("utf-8", "surrogatepass")
)
json_lines = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values, max_size=8).map(
    lambda data: json.dumps(data).encode()
)
any_line = field_mutants() | byte_mutants() | json_lines | junk_lines


_TARGETS = {str(getattr(event, "target", "")) for event in SEED_EVENTS}
#: Seed facts nothing else depends on: a mutant of one of them meets a ledger without it.
_WITHDRAWING = {
    (event.entity(), getattr(event, "party", "")) for event in SEED_EVENTS if event.type == "Withdrew"
}
_FACTS: dict[str, list[EventBase]] = {}
for _event in SEED_EVENTS:
    if _event.entity().startswith(("case:", "instrument:")):
        _FACTS.setdefault(_event.entity(), []).append(_event)


def _stands_without(event: EventBase) -> bool:
    """Whether the rest of its case or instrument is still a legal path (a restriction lifted later
    needs the restriction, a reservation its consent, an objection the reservation, ...)."""
    facts = _FACTS.get(event.entity())
    if facts is None:
        return True
    kind, _, slug = event.entity().partition(":")
    fold = fold_case if kind == "case" else fold_instrument
    try:
        fold(slug, [fact for fact in facts if fact.id != event.id])
    except DeclarationEventsError:
        return False
    return True


LEAVES = {
    event.id
    for event in SEED_EVENTS
    if event.type not in ("InstrumentOpened", "Detained", "ActorRegistered")  # captors name actors
    and str(event.id) not in _TARGETS
    and (event.entity(), getattr(event, "party", None)) not in _WITHDRAWING  # a withdrawal needs them
    and _stands_without(event)
}


def seeded_ledger(without: bytes = b"") -> Ledger:
    """An in-memory ledger holding the seeds, so that mutants meet real instruments, cases and ids;
    `without` the seed line a mutant came from, if no other fact depends on it."""
    try:
        original = read_events([without]) if without else []
    except DeclarationEventsError:
        original = []
    left_out = {event.id for event in original} & LEAVES
    return Ledger.from_events(event for event in SEED_EVENTS if event.id not in left_out)


def exercise_queries(ledger: Ledger) -> None:
    """Every kind of query on whatever the ledger now holds; only the library's errors may escape."""
    for instrument in ledger.instruments():
        ledger.signatories(instrument, as_of="2021-03-01")
        ledger.signatories(instrument, as_of="2030-01-01", known_at="2021-02-16T13:00:00+00:00")
    cases = ledger.cases(as_of="2021-03-01")
    ledger.condemnations()
    timeline = ledger.timeline("CAN")
    if PANDAS:  # the notebook views convert numbers and dates to pandas' 64-bit types
        cases.to_dataframe()
        timeline.to_dataframe()
        ledger.events_frame()
    for event in ledger.events():
        assert read_events([event.to_json()]) == [event]  # the canonical line reads back equal


def run_fuzz(
    name: str, strategy: st.SearchStrategy[Any], check: Callable[[Any], str], config: settings
) -> None:
    """Run `check` on generated inputs; it returns an outcome to count. Record the counts."""
    outcomes: Counter[str] = Counter()

    @config
    @given(strategy)
    def property_holds(data: Any) -> None:
        outcomes[check(data)] += 1

    property_holds()
    record("fuzz", target=name, examples=sum(outcomes.values()), **outcomes)


def test_the_reader_raises_only_library_errors_on_any_lines() -> None:
    """`read_events` on 1-4 lines of anything: events, or an `EventLogError` (a `DeclarationEventsError`)."""

    def check(lines: list[bytes]) -> str:
        try:
            events = read_events(io.BytesIO(b"\n".join(lines)))
        except DeclarationEventsError:
            return "rejected"
        assert read_events(io.StringIO(dumps_events(events))) == events
        return "accepted"

    run_fuzz("read_events", st.lists(any_line, min_size=1, max_size=4), check, FUZZ)


def test_a_mutated_seed_line_is_refused_by_a_library_error_or_recorded_whole() -> None:
    """One mutant line imported on top of the seeds: a `DeclarationEventsError`, or facts that query."""

    def check(mutant: tuple[bytes, bytes]) -> str:
        original, line = mutant
        ledger = seeded_ledger(without=original)
        before = len(ledger)
        try:
            result = ledger.import_logs([line + b"\n"])
        except DeclarationEventsError:
            assert len(ledger) == before
            return "rejected"
        assert len(ledger) == before + result.added
        exercise_queries(ledger)
        return "accepted" if result.added else "duplicate"

    run_fuzz("import_logs", st.sampled_from(SEED_LINES).flatmap(mutants_of), check, FUZZ)


dates_or_junk = st.one_of(
    st.dates().map(str),
    st.dates(date(2018, 1, 1), date(2023, 1, 1)).map(str),
    st.sampled_from(["", "2021-02-30", "today", "2021-02-15T00:00:00"]),
)
offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda minutes: timezone(timedelta(minutes=minutes)))
times_or_junk = (
    st.datetimes(timezones=st.none() | offsets).map(datetime.isoformat)
    | st.dates().map(date.isoformat)
    | st.sampled_from(["", "now", "2021-02-30T00:00:00+00:00", "2021-02-16T13:00:00"])
)


def test_queries_at_any_date_and_record_time_answer_or_raise_a_library_error() -> None:
    """`as_of` from year 1 to 9999 and `known_at` at any offset: an answer, never an overflow."""
    ledger = seeded_ledger()
    instruments = ledger.instruments()

    def check(args: tuple[str, str, str, str]) -> str:
        as_of, known_at, instrument, party = args
        try:
            ledger.signatories(instrument, as_of=as_of, known_at=known_at)
            ledger.cases(as_of=as_of, known_at=known_at)
            ledger.condemnations(as_of=as_of, known_at=known_at, actor=party)
            ledger.timeline(party, known_at=known_at)
        except DeclarationEventsError:
            return "rejected"
        return "answered"

    parties = st.sampled_from(["CAN", "China", "EU", "US", "European Union"]) | st.sampled_from(
        ["", "Narnia"]
    )
    names = st.sampled_from(instruments) | st.text(alphabet=string.ascii_lowercase + "-", max_size=12)
    run_fuzz("queries", st.tuples(dates_or_junk, times_or_junk, names, parties), check, FUZZ)


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed SQLite store holding the seeds, copied for each import."""
    path = tmp_path_factory.mktemp("fuzz-store") / "ledger.sqlite"
    with Ledger.open(path) as ledger:
        ledger.import_logs(*SEEDS)
    return path


def row_count(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM stored_events").fetchone()[0])


def assert_clean_failure(stderr: str, logs: list[str]) -> None:
    """One line and no traceback: `declaration-events: error:` and the bad line of the mutant log
    (format error) or the log line of the fact that breaks a rule (the mutant's, or a seed line it
    conflicts with)."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert re.match("declaration-events: error: (" + "|".join(map(re.escape, logs)) + r"):\d+: ", lines[0]), (
        stderr
    )


def test_the_cli_exits_zero_or_one_with_a_single_line_error(
    seeded_store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`validate SEEDS... LOG` and `import LOG --db` on one mutant line: 0, or 1 and one line; a refused
    import leaves the store's rows as they were."""
    store = tmp_path / "store.sqlite"
    log = tmp_path / "mutant.jsonl"
    seeds = [str(path) for path in SEEDS]

    def check(line: bytes) -> str:
        log.write_bytes(line + b"\n")
        for stale in tmp_path.glob("store.sqlite*"):
            stale.unlink()
        shutil.copy(seeded_store, store)
        validated = main(["validate", *seeds, str(log)])
        _, err = capsys.readouterr()
        if validated:
            assert validated == 1
            assert_clean_failure(err, [*seeds, str(log)])
        imported = main(["import", str(log), "--db", str(store)])
        _, err = capsys.readouterr()
        assert imported == validated  # the same verdict on the same facts
        if imported:
            assert_clean_failure(err, [*seeds, str(log)])
            assert row_count(store) == len(SEED_EVENTS)
            return "rejected"
        assert row_count(store) >= len(SEED_EVENTS)
        return "accepted"

    one_line = (field_mutants() | byte_mutants() | junk_lines).map(lambda line: line.replace(b"\n", b" "))
    run_fuzz("cli", one_line, check, CLI_FUZZ)
