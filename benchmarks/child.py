"""Work the benchmark runs in fresh processes: peak memory (figure 7) and concurrent writers (figure 6).

`python -m benchmarks.child memory ledger LOG` loads LOG into an in-memory `Ledger`,
builds its indexes (a query on every instrument and on every case) and prints, as
JSON, the RSS after imports and the peak RSS. `memory models LOG` does the same for
the baseline: every line validated and the pydantic models kept in a list.

`python -m benchmarks.child open URL INSTRUMENT AS_OF opened|indexed` opens the ledger at
URL and answers `signatories(INSTRUMENT, as_of=AS_OF)`, either as `Ledger.open` does
(reading the instrument's stream) or after indexing the whole store first (what opening
did before issue 16), and prints the rows' statuses, the seconds and the peak RSS (figure 10).

`python -m benchmarks.child write URL LOG [BATCH]` imports LOG into the ledger at URL
in batches of about BATCH events that are legal in order (instruments, then cases by
number, then statements; each amendment with its target), or as one batch when BATCH
is 0, and prints the count and the seconds it took.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

#: Events per batch of a concurrent writer.
WRITE_BATCH = 5000


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_mb() -> float:
    """This process's peak RSS.

    `VmHWM`, not `getrusage().ru_maxrss`: a child started with vfork/exec inherits the
    parent's high-water mark in `ru_maxrss`, so a big parent would inflate the figure.
    """
    return _status_mb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory(mode: str, path: Path) -> dict[str, float]:
    """Load the log one way and report memory in MB."""
    from declaration_events import Ledger
    from declaration_events.events import EVENT_ADAPTER

    base = _rss_mb()
    started = time.perf_counter()
    if mode == "ledger":
        ledger = Ledger.from_jsonl(path)
        loaded = _rss_mb()
        for slug in ledger.instruments():
            ledger.signatories(slug, as_of=date(2020, 1, 1))
        ledger.cases(as_of=date(2020, 1, 1))
        count = len(ledger)
    elif mode == "models":
        validate = EVENT_ADAPTER.validate_json
        with path.open("rb") as handle:
            models = [validate(line) for line in handle]
        loaded = _rss_mb()
        count = len(models)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return {
        "events": count,
        "import_rss_mb": base,
        "loaded_rss_mb": loaded,
        "final_rss_mb": _rss_mb(),
        "peak_rss_mb": _peak_mb(),
        "seconds": time.perf_counter() - started,
    }


def ordered_batches(path: Path, size: int = WRITE_BATCH) -> list[list[str]]:
    """The log's lines in batches that are each legal given the batches before them."""
    groups: dict[tuple[int, int], list[str]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        lines = [(line, json.loads(line)) for line in handle]
    group_of_id: dict[str, tuple[int, int]] = {}
    amendments: list[tuple[str, str]] = []
    for line, data in lines:
        kind = data["type"]
        if kind in ("Corrected", "Retracted"):
            amendments.append((line, data["target"]))
            continue
        if kind == "Condemned":
            key = (2, 0)
        elif "instrument" in data:
            key = (0, 0)
        else:
            key = (1, int(data["case"].rsplit("-", 1)[1]))
        if "id" in data:
            group_of_id[data["id"]] = key
        groups[key].append(line)
    for line, target in amendments:  # after every fact: a target may come later in the file
        groups[group_of_id[target]].append(line)
    batches: list[list[str]] = []
    current: list[str] = []
    current_kind = 0
    for key in sorted(groups):
        if current and (len(current) >= size or key[0] != current_kind):
            batches.append(current)
            current = []
        current_kind = key[0]
        current.extend(groups[key])  # a group (an entity with its amendments) is never split
    if current:
        batches.append(current)
    return batches


def write(url: str, path: Path, batch: int = WRITE_BATCH) -> dict[str, float]:
    """Import a log into the ledger at `url` in ordered batches (0: the whole log as one); report.

    Says `ready` on stdout once prepared, and starts when a line arrives on stdin, so
    that the parent can start every writer at the same moment.
    """
    from declaration_events import Ledger

    if batch > 0:
        batches = ordered_batches(path, batch)
    else:
        with path.open(encoding="utf-8") as handle:
            batches = [handle.readlines()]
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    started = time.perf_counter()
    added = duplicates = 0
    with Ledger.open(url) as ledger:
        for batch in batches:
            result = ledger.import_logs(batch)
            added += result.added
            duplicates += result.duplicates
    return {
        "events": sum(len(b) for b in batches),
        "added": added,
        "duplicates": duplicates,
        "batches": len(batches),
        "seconds": time.perf_counter() - started,
    }


def open_and_ask(url: str, instrument: str, as_of: str, mode: str) -> dict[str, object]:
    """Open the ledger at `url` and answer one signatories question; report the answer and the cost."""
    from declaration_events import Ledger

    started = time.perf_counter()
    with Ledger.open(url, create=False) as ledger:
        if mode == "indexed":
            ledger.catch_up()
        elif mode != "opened":
            raise SystemExit(f"unknown mode {mode!r}")
        result = ledger.signatories(instrument, as_of=date.fromisoformat(as_of))
    return {
        "answer": {row.party: row.status for row in result.rows if not row.uncertain},
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": _peak_mb(),
    }


def main(argv: list[str] | None = None) -> int:
    """`memory ledger|models LOG`, `open URL INSTRUMENT AS_OF MODE` or `write URL LOG`; prints one
    JSON object."""
    args = sys.argv[1:] if argv is None else argv
    result: dict[str, object] | dict[str, float]
    if len(args) == 3 and args[0] == "memory":
        result = memory(args[1], Path(args[2]))
    elif len(args) == 5 and args[0] == "open":
        result = open_and_ask(*args[1:])
    elif len(args) in (3, 4) and args[0] == "write":
        result = write(args[1], Path(args[2]), int(args[3]) if len(args) == 4 else WRITE_BATCH)
    else:
        sys.stderr.write(
            "usage: python -m benchmarks.child memory ledger|models LOG | write URL LOG [BATCH]"
            " | open URL INSTRUMENT AS_OF opened|indexed\n"
        )
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
