"""Load: 8 writer processes on PostgreSQL (4 on SQLite) with readers querying meanwhile.

Each writer records a fixed number of 4-fact batches, rotating between a new detention
case (plus a statement about it), a new treaty taken from opening to entry into force, and
a batch touching shared and earlier entities (a release on bail of its own earlier case, a
link between two of its cases, an endorsement of the one shared declaration, a statement).
Every fact's `note` names its batch. Two reader processes poll all the while, through the
library (an open `Ledger` catching up) and straight from the database (one SELECT), and
check that they only ever see whole batches, never fewer events than before, and no event
twice. At the end every fact is accounted for, once.

Size: 60 batches (240 facts) per writer; DECLARATION_EVENTS_THOROUGH=1: 240 (960 facts).
Loopback only (the test server listens on 127.0.0.1), and bounded: every process has a
timeout and the whole run must end within LOAD_SECONDS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pycountry
import pytest

from declaration_events import Ledger
from declaration_events.storage.durable import EventStore
from helpers import WRITER_PREAMBLE

THOROUGH = os.environ.get("DECLARATION_EVENTS_THOROUGH") == "1"
BATCHES = 240 if THOROUGH else 60  # a multiple of 3: as many cases, treaties and shared batches
BATCH_FACTS = 4
WRITERS = {"postgres": 8, "sqlite": 4}
READERS = 2
LOAD_SECONDS = 900 if THOROUGH else 120
#: Shared declarations, endorsed by one party per batch each (so up to 4 x 249 endorsements).
DECLARATIONS = [f"load-declaration-{n}" for n in range(4)]
ANCHOR = "load-anchor"
SETUP = len(DECLARATIONS) + 1  # facts recorded before the writers start


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


# A writer: its batches in order, one `record_many` each; retries a batch the ledger gave up on
# after its own retries (other writers kept changing the same entities). Prints a JSON report.
WRITER = (
    WRITER_PREAMBLE
    + """started, gave_up, added = time.monotonic(), 0, 0

def batch(k):
    common = {"note": f"load w{writer} b{k}", "recorded_at": "2021-03-01T00:00:00+00:00"}
    case = f"lw{writer}-{k}"
    if k % 3 == 0:  # a new case, and a statement about it
        facts = [
            {"type": "Detained", "case": case, "person": f"Person {writer}.{k}", "nationalities": ["CAN"],
             "detaining_state": "CHN", "occurred_on": "2019-01-01"},
            {"type": "Charged", "case": case, "charges": ["espionage"], "occurred_on": "2019-02-01"},
            {"type": "Sentenced", "case": case, "sentence": "11 years", "term_days": 4017,
             "occurred_on": "2019-03-01"},
            {"type": "Condemned", "actor": "CAN", "subject": f"the detention in {case}", "case": case,
             "occurred_on": "2019-03-02"},
        ]
    elif k % 3 == 1:  # a new treaty, opened, signed, ratified, in force
        treaty = f"lw{writer}-treaty-{k}"
        facts = [
            {"type": "InstrumentOpened", "instrument": treaty, "title": f"Treaty {writer}.{k}",
             "kind": "treaty", "occurred_on": "2020-01-01"},
            {"type": "Signed", "instrument": treaty, "party": "CAN", "occurred_on": "2020-01-02"},
            {"type": "Ratified", "instrument": treaty, "party": "CAN", "occurred_on": "2020-01-03"},
            {"type": "EnteredIntoForce", "instrument": treaty, "occurred_on": "2020-02-01"},
        ]
    else:  # earlier and shared entities: bail, a link, the shared declaration, a statement
        earlier, other = f"lw{writer}-{k - 2}", f"lw{writer}-{k - 5}" if k >= 5 else "load-anchor"
        shared = writer + writers * (k // 3)  # a party and declaration no other batch endorses with
        facts = [
            {"type": "Released", "case": earlier, "mechanism": "bail", "occurred_on": "2019-04-01"},
            {"type": "CasesLinked", "case": earlier, "other_case": other, "relation": "same network",
             "occurred_on": "2019-05-01"},
            {"type": "Endorsed", "instrument": f"load-declaration-{shared // len(parties)}",
             "party": parties[shared % len(parties)], "occurred_on": "2021-02-16"},
            {"type": "Condemned", "actor": "USA", "subject": f"the bail terms in {earlier}", "target": "CHN",
             "occurred_on": "2019-04-02"},
        ]
    return [fact | common for fact in facts]

for k in range(batches):
    while True:
        try:
            added += ledger.record_many(batch(k)).added
            break
        except ConcurrencyError:
            gave_up += 1
ledger.close()
print(json.dumps({"added": added, "gave_up": gave_up, "seconds": time.monotonic() - started}), flush=True)
"""
)

# A reader: until the stop file appears (and once more after), alternately catches up an open
# Ledger (and queries it) and reads the table in one SELECT; checks what it sees. JSON report.
READER = """
import json, sqlite3, sys, time
from collections import Counter
from pathlib import Path
from declaration_events import Ledger

url, stop = sys.argv[1], Path(sys.argv[2])
report = Counter()
problems = []

def raw_notes():
    if url.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(url) as conn:
            states = [bytes(row[0]) for row in conn.execute("SELECT state FROM declarationevents_events")]
    else:
        with sqlite3.connect(f"file:{url}?mode=ro", uri=True, timeout=60) as conn:
            states = [row[0] for row in conn.execute("SELECT state FROM stored_events")]
    return [json.loads(state).get("note") for state in states]

def check(notes, how):
    counts = Counter(note for note in notes if note and note.startswith("load w"))
    partial = {note: n for note, n in counts.items() if n != 4}
    if partial:
        problems.append(f"{how}: partial batches {partial}")
        report["partial_snapshots"] += 1
    report[f"{how}_snapshots"] += 1
    report[f"{how}_batches_seen"] += len(counts)
    return len(notes)

ledger = Ledger.open(url)
last = {"library": 0, "raw": 0}
finishing = False
while True:
    finishing = stop.exists()
    events = list(ledger.events())
    if len({event.id for event in events}) != len(events):
        problems.append("library: an event seen twice")
    seen = check([event.note for event in events], "library")
    cases = ledger.cases(as_of="2021-03-01")  # catches up again: compare with what it caught up to
    if len(cases) != sum(1 for event in ledger.projection.events() if event.type == "Detained"):
        problems.append("library: the cases query disagrees with the events")
    ledger.signatories("load-declaration-0", as_of="2021-03-01")
    for how, count in (("library", seen), ("raw", check(raw_notes(), "raw"))):
        if count < last[how]:
            problems.append(f"{how}: saw {count} events after {last[how]}")
        last[how] = count
    if finishing:
        break
    time.sleep(0.01)
ledger.close()
report["events_at_end"] = last["library"]
print(json.dumps({"report": report, "problems": problems[:10]}), flush=True)
"""


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(backend, URL) of a new store holding the shared declaration and the anchor case."""
    url: str = (
        str(tmp_path / "ledger.sqlite")
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    with Ledger.open(url) as ledger:
        ledger.record_many(
            [
                {"type": "InstrumentOpened", "instrument": declaration, "title": "Load",
                 "kind": "declaration", "occurred_on": "2021-02-15"}
                for declaration in DECLARATIONS
            ]
            + [
                {"type": "Detained", "case": ANCHOR, "person": "Anchor Example", "nationalities": ["CAN"],
                 "detaining_state": "CHN", "occurred_on": "2018-12-10"},
            ]
        )  # fmt: skip
    return request.param, url


def spawn(script: Path, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], deadline: float) -> dict[str, Any]:
    """The JSON report a process prints last; it must exit 0 before the deadline."""
    out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
    assert process.returncode == 0, err
    report: dict[str, Any] = json.loads(out.splitlines()[-1])
    return report


def test_writers_and_readers_under_load_lose_nothing_and_see_whole_batches(
    store: tuple[str, str], tmp_path: Path
) -> None:
    """Every writer's fixed count of facts lands exactly once; every reader snapshot holds whole
    batches only; the final ledger answers with every case, treaty and endorsement."""
    backend, url = store
    writers = WRITERS[backend]
    assert writers * BATCHES // 3 <= len(DECLARATIONS) * len(pycountry.countries)
    (tmp_path / "writer.py").write_text(WRITER)
    (tmp_path / "reader.py").write_text(READER)
    go, stop = tmp_path / "go", tmp_path / "stop"
    started = time.monotonic()
    deadline = started + LOAD_SECONDS
    writer_processes = [spawn(tmp_path / "writer.py", url, w, writers, BATCHES, go) for w in range(writers)]
    reader_processes = [spawn(tmp_path / "reader.py", url, stop) for _ in range(READERS)]
    try:
        for process in writer_processes:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n", process.stderr.read() if process.stderr else ""
        go.touch()
        writing = time.monotonic()
        written = [finish(process, deadline) for process in writer_processes]
        writing = time.monotonic() - writing
        stop.touch()
        read = [finish(process, deadline) for process in reader_processes]
    finally:
        for process in writer_processes + reader_processes:
            process.kill()
            process.communicate()
    elapsed = time.monotonic() - started
    assert elapsed < LOAD_SECONDS

    facts = writers * BATCHES * BATCH_FACTS
    assert [report["added"] for report in written] == [BATCHES * BATCH_FACTS] * writers

    with Ledger.open(url) as ledger:
        ledger_store = ledger._store
        assert isinstance(ledger_store, EventStore)
        events = [record.decode() for _, record in ledger_store.read()]
        snapshots = Counter[str]()
        for report in read:
            snapshots.update(report["report"])
        record(
            "load",
            backend=backend,
            writers=writers,
            readers=READERS,
            facts_per_writer=BATCHES * BATCH_FACTS,
            facts=facts,
            stored=len(events) - SETUP,
            duplicates=len(events) - len({event.id for event in events}),
            gave_up_and_retried=sum(report["gave_up"] for report in written),
            writing_seconds=round(writing, 1),
            facts_per_second=round(facts / writing),
            library_snapshots=snapshots["library_snapshots"],
            raw_snapshots=snapshots["raw_snapshots"],
            partial_batches_seen=snapshots["partial_snapshots"],
        )
        assert len(events) == len({event.id for event in events}) == SETUP + facts
        notes = Counter(event.note for event in events)
        assert sorted(notes[f"load w{w} b{k}"] for w in range(writers) for k in range(BATCHES)) == [
            BATCH_FACTS
        ] * (writers * BATCHES)
        cases = ledger.cases(as_of="2021-03-01")
        assert len(cases) == 1 + writers * BATCHES // 3
        endorsed = [ledger.signatories(slug, as_of="2021-03-01") for slug in DECLARATIONS]
        assert sum(len(rows) for rows in endorsed) == writers * BATCHES // 3
        treaties = [slug for slug in ledger.instruments() if "-treaty-" in slug]
        assert len(treaties) == writers * BATCHES // 3
        for entity in [
            *(f"case:{c.case}" for c in cases),
            *(f"instrument:{slug}" for slug in ledger.instruments()),
            "statements",
        ]:
            versions = [version for version, _ in ledger_store.stream(entity)]
            assert versions == list(range(1, len(versions) + 1)), entity

    for report in read:
        assert report["problems"] == [], report["problems"]
        assert report["report"]["events_at_end"] == SETUP + facts
