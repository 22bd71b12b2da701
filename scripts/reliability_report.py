#!/usr/bin/env python3
"""Run the reliability suite and write docs/RELIABILITY.md from what the run counted.

    python scripts/reliability_report.py              # the CI size (a few minutes)
    python scripts/reliability_report.py --thorough   # DECLARATION_EVENTS_THOROUGH=1 (much longer)

The tests under tests/reliability/ append one JSON line per observation (cases checked,
examples generated, kills and their outcome, facts written and found, snapshots read) to
the file named by DECLARATION_EVENTS_RELIABILITY_LOG; this script sets it, runs pytest,
and turns the lines into tables. Every figure in the page comes from that run. The exit
status is pytest's: the page is written either way and says when tests failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SUITE = "tests/reliability"
FILES = {
    "test_hostile_corpus.py": "Hostile input corpus",
    "test_fuzz_input.py": "Fuzzing",
    "test_crash_kills.py": "Crashes (SIGKILL)",
    "test_load_writers.py": "Load",
    "test_privacy_and_sql.py": "Personal data and SQL",
}


def run_suite(thorough: bool, seed: int, log: Path, junit: Path, extra: list[str]) -> tuple[int, float]:
    """Run pytest on the suite; return its exit status and the wall time."""
    env = {
        **os.environ,
        "DECLARATION_EVENTS_RELIABILITY_LOG": str(log),
        "DECLARATION_EVENTS_RELIABILITY_SEED": str(seed),
        "HYPOTHESIS_PROFILE": "ci",
    }
    env.pop("DECLARATION_EVENTS_THOROUGH", None)
    if thorough:
        env["DECLARATION_EVENTS_THOROUGH"] = "1"
    command = [
        sys.executable,
        "-m",
        "pytest",
        SUITE,
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        *extra,
    ]
    print("$", " ".join(command), file=sys.stderr)
    started = time.monotonic()
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603 - our own argv
    return status, time.monotonic() - started


def ruff_security_findings() -> str:
    """How many findings ruff's security rules (S, including S608 string-built SQL) report on src/."""
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--select", "S", "--output-format", "json", "src"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        findings = json.loads(result.stdout or "[]")
    except (OSError, ValueError):
        return "not run (ruff unavailable)"
    sql = sum(1 for finding in findings if finding.get("code") == "S608")
    return f"{len(findings)} (S608, SQL built from strings: {sql})"


def test_results(junit: Path) -> dict[str, Counter[str]]:
    """Per test file: passed / failed / skipped counts and seconds, from pytest's JUnit XML."""
    results: dict[str, Counter[str]] = defaultdict(Counter)
    if not junit.exists():
        return results
    for case in ElementTree.parse(junit).getroot().iter("testcase"):  # noqa: S314 - our own file
        name = case.get("classname", "").rsplit(".", 1)[-1] + ".py"
        outcome = "passed"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        results[name][outcome] += 1
        results[name]["centiseconds"] += round(float(case.get("time", "0")) * 100)
    return results


def read_log(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def by(records: list[dict[str, Any]], area: str) -> list[dict[str, Any]]:
    return [entry for entry in records if entry.get("area") == area]


def total(records: list[dict[str, Any]], key: str) -> int:
    return sum(int(entry.get(key, 0)) for entry in records)


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, as a developer runs it
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607 - as above
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + (" with uncommitted changes" if dirty else "")


def postgres_version() -> str:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return f"PostgreSQL {found[-1].parts[-3]}" if found else "no PostgreSQL server found"


def render(
    records: list[dict[str, Any]],
    results: dict[str, Counter[str]],
    *,
    status: int,
    seconds: float,
    thorough: bool,
    seed: int,
    ruff: str,
) -> str:
    corpus = by(records, "corpus")
    cases = sorted({entry["case"] for entry in corpus})
    accepted = sorted({entry["case"] for entry in corpus if entry["outcome"] == "accepted"})
    bad_lines = sum(entry.get("bad_lines", 0) for entry in corpus if entry["via"] == "library")
    fuzz = by(records, "fuzz")
    imports, writers, load = by(records, "crash-import"), by(records, "crash-writers"), by(records, "load")
    passed = sum(counts["passed"] for counts in results.values())
    failed = sum(counts["failed"] for counts in results.values())
    skipped = sum(counts["skipped"] for counts in results.values())
    in_part = total(imports, "batch_in_part") + total(writers, "batch_in_part")
    per_import = imports[0]["facts_per_batch"] if imports else "?"
    verdict = "all passed" if status == 0 else f"**FAILED** (pytest exit status {status})"
    scanned = Counter[str]()
    for entry in by(records, "encryption"):
        scanned[entry["backend"]] += int(entry["files_scanned"])

    out = [
        "# Reliability: what is tried, how often, and what came out",
        "",
        "<!-- Generated by scripts/reliability_report.py from an actual run; do not edit by hand. -->",
        "",
        f"Run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit {git_commit()}: "
        f"{'thorough' if thorough else 'CI'} size, kill-time seed {seed}, "
        f"{os.cpu_count()} CPU cores, Python {platform.python_version()}, {postgres_version()}. "
        f"{passed} tests passed, {failed} failed, {skipped} skipped in {seconds:.0f} s: {verdict}.",
        "",
        "## Summary",
        "",
        table(
            ["area", "what is tried", "how much", "what came out"],
            [
                [
                    "hostile input",
                    "corpus cases through the library, `validate`, `status`, `import --db` (SQLite), "
                    "and a real `import` process",
                    f"{len(cases)} cases ({len(accepted)} to accept), {bad_lines} bad lines, "
                    f"{len(corpus)} checks",
                    "each bad line named with its problem, no traceback, store rows unchanged",
                ],
                [
                    "fuzzing",
                    "junk and mutated lines (Hypothesis) into the reader, the rules, the queries, the CLI",
                    f"{total(fuzz, 'examples')} inputs",
                    "only `DeclarationEventsError` escaped; CLI exit 0 or 1 with one line",
                ],
                [
                    "crashes",
                    "SIGKILL of `import` and of concurrent writers at random moments",
                    f"{total(imports, 'killed') + total(writers, 'killed')} kills, "
                    f"{total(imports, 'processes') + total(writers, 'killed') + total(writers, 'finished')} "
                    "processes",
                    f"batches found in part: {in_part}; every batch whole after re-running",
                ],
                [
                    "load",
                    "writers (8 PostgreSQL, 4 SQLite) with readers polling",
                    f"{total(load, 'facts')} facts by {total(load, 'writers')} writers, "
                    f"{total(load, 'library_snapshots') + total(load, 'raw_snapshots')} reader snapshots",
                    f"stored {total(load, 'stored')}, duplicates {total(load, 'duplicates')}, "
                    f"partial batches seen {total(load, 'partial_batches_seen')}",
                ],
                [
                    "personal data",
                    "redaction, encryption down to the database files, SQL built from input",
                    f"{total(by(records, 'redaction'), 'events')} events redacted, "
                    f"{len(by(records, 'encryption'))} backends scanned",
                    f"names left: {total(by(records, 'redaction'), 'leaks')}; ruff security findings: {ruff}",
                ],
            ],
        ),
        "",
        "## How to run it",
        "",
        "```sh",
        "python -m pytest tests/reliability                     # the CI size (part of .ci/run)",
        "DECLARATION_EVENTS_THOROUGH=1 python -m pytest tests/reliability  # more kills, inputs, facts",
        "python scripts/reliability_report.py [--thorough]      # run it and rewrite this page",
        "python tests/hostile/make_corpus.py                    # regenerate the corpus after editing cases",
        "```",
        "",
        "`DECLARATION_EVENTS_RELIABILITY_SEED=N` repeats the same kill times. The PostgreSQL server is",
        "a throwaway one the tests start on 127.0.0.1 (tests/pgserver.py); nothing leaves the machine.",
        "",
        "## Time per part",
        "",
        table(
            ["part", "tests passed", "failed", "skipped", "seconds"],
            [
                [
                    FILES.get(name, name),
                    counts["passed"],
                    counts["failed"],
                    counts["skipped"],
                    f"{counts['centiseconds'] / 100:.1f}",
                ]
                for name, counts in sorted(results.items())
            ],
        ),
        "",
        "## Hostile input",
        "",
        "The corpus is tests/hostile/corpus (its MANIFEST.json says what each case must do), written by",
        "tests/hostile/make_corpus.py; the 10 MB line is written at test time. Accepted as stated: a",
        "byte-order mark, CRLF endings and blank lines, the same line twice, cases linked in a loop, and",
        "text full of SQL and control characters (stored verbatim). Rejected: everything else, each bad",
        "line named. Cycles: an amendment of an amendment (so corrections pointing at each other, or at",
        "themselves) and a case linked to itself are rejected; a loop of case links is legal. A key",
        "given twice in one JSON object is read as its last value (pinned, as Python's json does).",
        "",
        table(
            ["checked through", "cases", "accepted", "rejected"],
            [
                [
                    via,
                    len({e["case"] for e in corpus if e["via"] == via}),
                    sum(1 for e in corpus if e["via"] == via and e["outcome"] == "accepted"),
                    sum(1 for e in corpus if e["via"] == via and e["outcome"] == "rejected"),
                ]
                for via in ("library", "validate+status", "import", "process")
            ],
        ),
        "",
        "## Fuzzing",
        "",
        "Inputs: junk bytes and text, random JSON objects, and seed lines mutated byte by byte or field by",
        "field (dropped, added, retyped, given another line's value, so that corrections hit real ids). An",
        "accepted line must read back equal from its canonical form and every query (and the pandas views)",
        "must answer. A target's row is written only once all its inputs passed: an exception other than",
        "a `DeclarationEventsError` fails the run, and this page then says FAILED above.",
        "",
        table(
            ["target", "inputs", "accepted", "rejected with a library error", "other exceptions"],
            [
                [
                    entry["target"],
                    entry["examples"],
                    entry.get("accepted", 0) + entry.get("answered", 0) + entry.get("duplicate", 0),
                    entry.get("rejected", 0),
                    0,
                ]
                for entry in fuzz
            ],
        ),
        "",
        "## Crashes",
        "",
        f"Imports of {per_import} facts each (one batch), killed with SIGKILL",
        "at random moments: a third anywhere in the run, a third inside its write, a third just after its",
        "commit. The import prints when `EventStore.append` begins and returns, which aims the kills and",
        "tells where each landed. Each killed import is run again until it completes; the store is read",
        "with sqlite3 / psycopg after every run.",
        "",
        table(
            [
                "backend",
                "kills",
                "before the write",
                "inside the write",
                "after the commit",
                "store before batch",
                "store after batch",
                "batch in part",
                "runs not killed",
                "batches",
            ],
            [
                [
                    e["backend"],
                    e["killed"],
                    e.get("killed_before_write", 0),
                    e.get("killed_inside_write", 0),
                    e.get("killed_after_write", 0),
                    e.get("store_before_batch", 0),
                    e.get("store_after_batch", 0),
                    e.get("batch_in_part", 0),
                    e.get("completed", 0),
                    e["batches"],
                ]
                for e in imports
            ],
        ),
        "",
        "Concurrent writers recording 4-fact batches over a new case, a shared declaration and the",
        "shared statements stream, each killed at a random moment of a random batch, round after round,",
        "then left to finish:",
        "",
        table(
            [
                "backend",
                "writers",
                "rounds",
                "kills",
                "runs finished",
                "batch checks",
                "batch in part",
                "batches",
                "facts",
            ],
            [
                [
                    e["backend"],
                    e["writers"],
                    e["rounds"],
                    e["killed"],
                    e.get("finished", 0),
                    e["batch_checks"],
                    e.get("batch_in_part", 0),
                    e["batches"],
                    e["facts"],
                ]
                for e in writers
            ],
        ),
        "",
        "## Load",
        "",
        table(
            [
                "backend",
                "writers",
                "facts each",
                "facts",
                "stored",
                "duplicates",
                "readers",
                "snapshots (library + SQL)",
                "partial batches seen",
                "ledger retries exhausted",
                "facts/s",
            ],
            [
                [
                    e["backend"],
                    e["writers"],
                    e["facts_per_writer"],
                    e["facts"],
                    e["stored"],
                    e["duplicates"],
                    e["readers"],
                    e["library_snapshots"] + e["raw_snapshots"],
                    e["partial_batches_seen"],
                    e["gave_up_and_retried"],
                    e["facts_per_second"],
                ]
                for e in load
            ],
        ),
        "",
        '"Ledger retries exhausted" counts batches for which the ledger gave up after its own retries',
        "(`ConcurrencyError`: other writers kept changing the same entities) and the writer",
        "recorded the batch again; none of those were lost or duplicated.",
        "",
        "## Found and fixed while building this suite",
        "",
        "- Errors without a line: a fact dated in the future with no record time, a record time in the",
        "  future, an id reused across files of one import, and a correction that makes its fact invalid",
        "  were reported without `FILE:LINE`; so was any batch that made an already stored fact illegal",
        "  (e.g. a retraction of the detention a stored charge depends on), whose error named only the",
        "  stored fact. The error now names the new line and says which history it would break.",
        "- An escape: `term_days` of 10**21 was accepted and made `Cases.to_dataframe()` raise",
        "  `OverflowError`; `term_days` is now at most 2**53 - 1 (I-JSON, RFC 7493), which fits int64.",
        "",
        "## Personal data",
        "",
        "- Redaction (`declaration-events redact`, `declaration_events.redact`): detained people's names",
        "  become `person-` + 16 hex digits of HMAC-SHA256(key, normalised name), case slugs",
        "  `case-` + 16 hex digits, event ids are re-keyed, names are replaced in every text field and",
        "  URLs naming someone are cut to their host. Same key, same pseudonyms: cases stay linkable.",
        f"  On the seeds: {total(by(records, 'redaction'), 'events')} events, "
        f"{total(by(records, 'redaction'), 'names')} names, "
        f"{total(by(records, 'redaction'), 'leaks')} name words or slugs left.",
        "- Encryption at rest: no name in any file of an encrypted SQLite store killed mid-import"
        f" ({scanned['sqlite']} files), nor in any file of the PostgreSQL data directory, write-ahead"
        f" log included, after a checkpoint ({scanned['postgres']} files); a wrong key is one clear line.",
        f"- SQL: {total(by(records, 'sql'), 'queries')} queries in "
        f"{total(by(records, 'sql'), 'modules_scanned')} modules are literals with parameters or"
        f" psycopg.sql compositions; ruff security findings on src/: {ruff}.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--thorough", action="store_true", help="the long run (DECLARATION_EVENTS_THOROUGH=1)"
    )
    parser.add_argument("--seed", type=int, help="kill-time seed (default: random, printed in the page)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "RELIABILITY.md", help="page to write")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(3), "big")
    with tempfile.TemporaryDirectory() as scratch:
        log, junit = Path(scratch) / "observations.jsonl", Path(scratch) / "junit.xml"
        status, seconds = run_suite(args.thorough, seed, log, junit, args.pytest_args)
        records, results = read_log(log), test_results(junit)
    page = render(
        records,
        results,
        status=status,
        seconds=seconds,
        thorough=args.thorough,
        seed=seed,
        ruff=ruff_security_findings(),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(page, encoding="utf-8")
    print(
        f"{args.out}: written from {len(records)} observations; pytest exit status {status}", file=sys.stderr
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
