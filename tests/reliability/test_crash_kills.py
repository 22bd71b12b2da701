"""SIGKILL at random points of imports and of concurrent writers, on SQLite and PostgreSQL.

Every fact of a batch carries the batch's marker in its `note`. After each kill the
store is read directly (sqlite3 / psycopg, not the library) and every batch must be
there whole or not at all; the killed work is then run again until it completes, and
at the end every batch is whole, once, and every stream's versions run 1, 2, 3, ...

Kill times of an import: a third uniform over the run, a third inside its write (after it
prints that `EventStore.append` began, within the time a write took), a third just after its
commit (after it prints that `append` returned). Writers: each killed a random moment after a
random batch of its own.

Size: 8 kills per backend of a 3,000-fact import, and 3 rounds of kills of 4 writers
(20 batches each); DECLARATION_EVENTS_THOROUGH=1: 60 kills and 15 rounds (50 batches).
DECLARATION_EVENTS_RELIABILITY_SEED fixes the random kill times.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from declaration_events import Ledger
from declaration_events.storage.durable import EventStore
from helpers import WRITER_PREAMBLE

THOROUGH = os.environ.get("DECLARATION_EVENTS_THOROUGH") == "1"
IMPORT_KILLS = 60 if THOROUGH else 8
IMPORT_CASES = 1000  # x 3 facts: one batch per import
WRITERS = 4
WRITER_BATCHES = 50 if THOROUGH else 20
KILL_ROUNDS = 15 if THOROUGH else 3
BATCH_FACTS = 4  # per writer batch: a new case (2), an endorsement, a statement
SEED = int(os.environ.get("DECLARATION_EVENTS_RELIABILITY_SEED", str(random.SystemRandom().randrange(10**6))))
INSTRUMENT = "crash-declaration"
PARTIES = len(pycountry.countries)  # each writer batch endorses with another party


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


def stored_notes(url: str) -> Counter[str]:
    """How many stored facts carry each note, read from the database itself."""
    if url.startswith("postgresql://"):
        import psycopg  # here: the tests that need no server run without it

        with psycopg.connect(url) as conn:
            states = [bytes(row[0]) for row in conn.execute("SELECT state FROM declarationevents_events")]
    else:
        with sqlite3.connect(f"file:{url}?mode=ro", uri=True, timeout=60) as conn:
            states = [row[0] for row in conn.execute("SELECT state FROM stored_events")]
    return Counter(str(json.loads(state).get("note")) for state in states)


def check_streams(url: str) -> int:
    """Through the library: no event twice, every stream's versions 1..n; return the event count."""
    with Ledger.open(url) as ledger:
        store = ledger._store
        assert isinstance(store, EventStore)
        events = [record.decode() for _, record in store.read()]
        assert len({event.id for event in events}) == len(events)
        entities = {f"instrument:{s}" for s in ledger.instruments()} | {
            f"case:{s}" for s in ledger.case_slugs()
        }
        for entity in [*entities, "statements"]:
            versions = [version for version, _ in store.stream(entity)]
            assert versions == list(range(1, len(versions) + 1)), entity
        return len(events)


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store holding the instrument the writers endorse."""
    url: str = (
        str(tmp_path / "ledger.sqlite")
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    with Ledger.open(url) as ledger:
        ledger.record(
            {
                "type": "InstrumentOpened",
                "instrument": INSTRUMENT,
                "title": "Crash",
                "kind": "declaration",
                "occurred_on": "2021-02-15",
                "note": "setup",
            }
        )
    return url


def backend(url: str) -> str:
    return "postgres" if url.startswith("postgresql://") else "sqlite"


# -- killing imports --------------------------------------------------------------------------------

# The `import` command with `EventStore.append` timed (not paused): the write window of a run.
TIMED_IMPORT = """
import sys, time
from declaration_events.storage.durable import EventStore
append = EventStore.append
def timed(self, batch, expected):
    print("append", time.monotonic(), flush=True)
    append(self, batch, expected)
    print("appended", time.monotonic(), flush=True)
EventStore.append = timed
from declaration_events.cli import main
sys.exit(main(["import", *sys.argv[1:]]))
"""


def write_import_batch(path: Path, number: int) -> str:
    """A log of `IMPORT_CASES` detention cases (3 facts each) and a statement; return its marker."""
    marker = f"import batch {number}"
    with path.open("w") as out:
        for n in range(IMPORT_CASES):
            common = {"case": f"imp{number}-{n}", "recorded_at": "2020-01-01T00:00:00+00:00", "note": marker}
            for line in (
                {"type": "Detained", "occurred_on": "2019-01-01", "person": f"Person {number}.{n}"}
                | {"nationalities": ["CAN"], "detaining_state": "CHN"},
                {"type": "Charged", "occurred_on": "2019-02-01", "charges": ["espionage"]},
                {"type": "Released", "occurred_on": "2019-03-01", "mechanism": "exchange"},
            ):
                out.write(json.dumps(line | common) + "\n")
        out.write(
            json.dumps(
                {"type": "Condemned", "actor": "CAN", "subject": f"batch {number}", "note": marker}
                | {"occurred_on": "2019-04-01", "recorded_at": "2020-01-01T00:00:00+00:00"}
            )
            + "\n"
        )
    return marker


def write_phase(stdout: str) -> str:
    """Where a kill landed, from the timed import's marks: before its write began, inside it (until
    `append` returned, its commit included), or after."""
    marks = dict(line.split() for line in stdout.splitlines() if line.startswith("append"))
    if "append" not in marks:
        return "killed_before_write"
    if "appended" not in marks:
        return "killed_inside_write"
    return "killed_after_write"


def test_sigkill_at_random_points_of_imports_leaves_each_batch_whole_or_absent(
    store_url: str, tmp_path: Path
) -> None:
    """Import after import killed at random moments: each batch is always all there or not at all,
    and running the killed import again completes it."""
    rng = random.Random(SEED)
    size = 3 * IMPORT_CASES + 1
    script = tmp_path / "timed_import.py"
    script.write_text(TIMED_IMPORT)
    command = [sys.executable, str(script)]  # the `import` command, printing when it writes

    def run(batch: int, kill_at: float | None, after: str = "") -> tuple[int, str, float]:
        """Run the import of a batch; SIGKILL it `kill_at` seconds after launch, or after it prints the
        mark `after` (`append`: its write began; `appended`: it committed); return its status, what it
        printed and when it was launched."""
        launched = time.monotonic()
        process = subprocess.Popen(
            [*command, str(tmp_path / f"batch{batch}.jsonl"), "--db", store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        printed = ""
        if kill_at is not None and after:
            assert process.stdout is not None
            for line in process.stdout:  # ends early if the process dies first
                printed += line
                if line.startswith(f"{after} "):
                    break
            time.sleep(kill_at)
            process.send_signal(signal.SIGKILL)
        elif kill_at is not None:
            time.sleep(max(0.0, launched + kill_at - time.monotonic()))
            process.send_signal(signal.SIGKILL)  # a no-op if it has just finished
        out, err = process.communicate(timeout=120)
        assert process.returncode in (0, -signal.SIGKILL), err
        return process.returncode, printed + out, launched

    # A run left alone (batch 0): how long an import takes, and how long its write.
    write_import_batch(tmp_path / "batch0.jsonl", 0)
    _, out, launched = run(0, None)
    duration = time.monotonic() - launched
    marks = dict(line.split() for line in out.splitlines() if line.startswith("append"))
    writing = float(marks["appended"]) - float(marks["append"])

    outcomes: Counter[str] = Counter()
    batch, marker = 1, write_import_batch(tmp_path / "batch1.jsonl", 1)
    complete = 1
    while outcomes["killed"] < IMPORT_KILLS and not outcomes["batch_in_part"]:
        # A third anywhere in the run; a third inside the write; a third just after its commit.
        aim = rng.choice(["anywhere", "write", "commit"])
        if aim == "anywhere":
            status, out, _ = run(batch, rng.uniform(0, duration * 1.1))
        elif aim == "write":
            status, out, _ = run(batch, rng.uniform(0, writing), after="append")
        else:
            status, out, _ = run(batch, rng.uniform(0, 0.02), after="appended")
        notes = stored_notes(store_url)
        if notes[marker] not in (0, size) or sum(notes.values()) != 1 + size * (
            complete + (notes[marker] > 0)
        ):
            outcomes["batch_in_part"] += 1
        if status:
            outcomes["killed"] += 1
            outcomes[write_phase(out)] += 1
            outcomes["store_before_batch" if notes[marker] == 0 else "store_after_batch"] += 1
        else:
            outcomes["completed"] += 1
        marks = dict(line.split() for line in out.splitlines() if line.startswith("append"))
        if len(marks) == 2:
            writing = float(marks["appended"]) - float(marks["append"])
        if notes[marker] == size:
            complete += 1
            batch += 1
            marker = write_import_batch(tmp_path / f"batch{batch}.jsonl", batch)
    record(
        "crash-import",
        backend=backend(store_url),
        seed=SEED,
        facts_per_batch=size,
        batches=batch + 1,
        processes=outcomes["killed"] + outcomes["completed"] + 3,
        **outcomes,
    )
    assert outcomes["batch_in_part"] == 0, f"batch {batch}: {notes[marker]} of {size} facts stored"

    # Finish the last batch, then import everything again: all of it is already there, once.
    logs = [str(tmp_path / f"batch{n}.jsonl") for n in range(batch + 1)]
    run(batch, None)
    plain = [sys.executable, "-m", "declaration_events", "import"]
    again = subprocess.run([*plain, *logs, "--db", store_url], check=True, capture_output=True, text=True)
    assert f"0 events added, {size * (batch + 1):,} already recorded" in again.stdout
    assert check_streams(store_url) == 1 + size * (batch + 1)
    assert all(count == size for note, count in stored_notes(store_url).items() if note != "setup")


# -- killing concurrent writers ---------------------------------------------------------------------

# One writer: records its batches in order (re-recording one already stored is a no-op), printing
# each batch number once it is stored; retries when other writers keep it from getting through.
WRITER = (
    WRITER_PREAMBLE
    + """for k in range(batches):
    marker = f"writer {writer} batch {k}"
    common = {"note": marker, "occurred_on": "2021-02-16", "recorded_at": "2021-02-17T00:00:00+00:00"}
    case = f"w{writer}-b{k}"
    batch = [
        {"type": "Detained", "case": case, "person": f"Person {writer}.{k}", "nationalities": ["CAN"],
         "detaining_state": "CHN"} | common,
        {"type": "Charged", "case": case, "charges": ["espionage"]} | common,
        {"type": "Endorsed", "instrument": "crash-declaration", "party": parties[k * writers + writer]}
        | common,
        {"type": "Condemned", "actor": "CAN", "subject": f"case {case}", "case": case} | common,
    ]
    while True:
        try:
            ledger.record_many(batch)
            break
        except ConcurrencyError:
            print("gave-up", flush=True)
    print("stored", k, flush=True)
ledger.close()
print("done", flush=True)
"""
)


def start_writers(url: str, tmp_path: Path, go: Path) -> list[subprocess.Popen[str]]:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    go.unlink(missing_ok=True)
    processes = [
        subprocess.Popen(
            [sys.executable, str(script), url, str(w), str(WRITERS), str(WRITER_BATCHES), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    for process in processes:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line == "ready\n", line + (process.stderr.read() if process.stderr else "")
    return processes


def kill_during_batch(process: subprocess.Popen[str], target: int, delay: float, lines: list[str]) -> None:
    """Follow a writer's progress; once it has stored batch `target - 1`, wait `delay` (a moment inside
    batch `target`, or a few later) and SIGKILL it. Keep the lines it printed."""
    assert process.stdout is not None
    if target == 0:
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
    for line in process.stdout:
        lines.append(line)
        if target and line == f"stored {target - 1}\n":
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)  # a no-op if it has just finished


def test_sigkill_of_concurrent_writers_leaves_each_batch_whole_or_absent(
    store_url: str, tmp_path: Path
) -> None:
    """Writers recording multi-entity batches at once, each killed at a random moment of a random
    batch, round after round: every batch is always whole or absent; restarted, they finish with
    every batch once."""
    assert WRITERS * WRITER_BATCHES <= PARTIES
    rng = random.Random(SEED + 1)
    go = tmp_path / "go"
    outcomes: Counter[str] = Counter()
    for round_number in range(KILL_ROUNDS + 1):
        notes = stored_notes(store_url)
        processes = start_writers(store_url, tmp_path, go)
        printed: list[list[str]] = [[] for _ in processes]
        followers = []
        for writer, process in enumerate(processes):
            if round_number == KILL_ROUNDS:
                break  # the last round runs to the end
            stored = [k for k in range(WRITER_BATCHES) if notes[f"writer {writer} batch {k}"]]
            first_missing = next((k for k in range(WRITER_BATCHES) if k not in stored), WRITER_BATCHES)
            target = rng.randrange(first_missing, WRITER_BATCHES + 1)
            follower = threading.Thread(
                target=kill_during_batch, args=(process, target, rng.uniform(0, 0.1), printed[writer])
            )
            follower.start()
            followers.append(follower)
        go.touch()
        for follower in followers:
            follower.join(timeout=300)
        for writer, process in enumerate(processes):
            out, err = process.communicate(timeout=300)
            out = "".join(printed[writer]) + out
            killed = process.returncode == -signal.SIGKILL
            assert killed or (process.returncode == 0 and out.endswith("done\n")), err
            outcomes["killed" if killed else "finished"] += 1
            outcomes["gave_up_and_retried"] += out.count("gave-up")
        notes = stored_notes(store_url)
        partial = {note: n for note, n in notes.items() if note.startswith("writer") and n != BATCH_FACTS}
        outcomes["batch_in_part"] += len(partial)
        outcomes["batch_checks"] += WRITERS * WRITER_BATCHES
        if partial:
            break
    total = WRITERS * WRITER_BATCHES
    record(
        "crash-writers",
        backend=backend(store_url),
        seed=SEED,
        writers=WRITERS,
        rounds=KILL_ROUNDS + 1,
        batches=total,
        facts=total * BATCH_FACTS,
        **outcomes,
    )
    assert outcomes["batch_in_part"] == 0, f"round {round_number}: batches stored in part: {partial}"
    notes = stored_notes(store_url)
    assert sorted(n for note, n in notes.items() if note.startswith("writer")) == [BATCH_FACTS] * total
    assert check_streams(store_url) == 1 + total * BATCH_FACTS
    with Ledger.open(store_url) as ledger:
        assert len(ledger.signatories(INSTRUMENT, as_of="2021-03-01")) == total
        assert len(ledger.cases(as_of="2021-03-01")) == total
