"""`python -m benchmarks`: generate a log, measure issue 7's figures against their baselines, print a table.

Every figure is measured in this run next to its baseline; times are medians over
`--repeat` runs (latencies: medians over all queries of all runs); nothing here
asserts a timing. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from .child import WRITE_BATCH
from .generate import DEFAULT_SEED, GeneratedLog, generate

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
ROWS = (
    "1",
    "1b",
    "1c",
    "2",
    "3",
    "4a",
    "4b",
    "5",
    "6a",
    "6b",
    "7",
    "8a",
    "8b",
    "9a",
    "9b",
    "9c",
    "9d",
    "10a",
    "10b",
    "10c",
    "10d",
)
#: Issue 16's targets: a fresh process opens a 1,000,000-event ledger and answers in under 1 s.
OPEN_TARGET_SECONDS = 1.0
CSV = ("--format", "csv")
CLI_TARGET_SECONDS = 1.5
OPEN_RSS_TARGET_MB = 150
ONE_MILLION = 1_000_000
MEMORY_TARGET_MB = 800
NAIVE_QUERIES = 20  # a naive replay scans the whole log: a few are enough for a median
PANDAS_QUERIES = 20
WRITERS = 4
#: From this many events a run skips what only adds colour (figure 1's floor with models kept).
LARGE = 500_000


@dataclass
class Row:
    """One line of the table."""

    figure: str
    measure: str
    ours: str = ""
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""


@dataclass
class Results:
    """What a run measured: the table rows, notes, and raw numbers for `--json`."""

    rows: dict[str, Row] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, row: Row) -> None:
        self.rows[row.figure] = row

    def note(self, text: str) -> None:
        """A note on a figure; `text` starts with the figure, e.g. `4: ...`."""
        self.notes.append((text.split(":", 1)[0], text))


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def fresh_heap() -> None:
    """Free what the previous measurement left, so that it does not slow the next one."""
    gc.collect()


def rate(events: int, seconds: float) -> str:
    return f"{events / seconds:,.0f} ev/s ({seconds:.2f} s)" if seconds > 0 else "n/a"


def ms(seconds: float) -> str:
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def yes(condition: bool) -> str:
    return "yes" if condition else "NO"


# -- queries ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    instrument: str
    as_of: date
    known_at: datetime | None


def make_queries(log: GeneratedLog, count: int, seed: int, *, past: bool) -> list[Query]:
    """Random (instrument, date[, record time]) questions, the same for us and the baselines."""
    rng = random.Random(seed)
    first = date(1960, 1, 1).toordinal()
    last = date(2026, 11, 27).toordinal()
    queries = []
    for _ in range(count):
        as_of = date.fromordinal(rng.randint(first, last))
        known_at = None
        if past:
            day = date.fromordinal(rng.randint(date(1990, 1, 1).toordinal(), last - 1))
            known_at = datetime(day.year, day.month, day.day, rng.randrange(24), tzinfo=UTC)
        queries.append(Query(rng.choice(log.instruments), as_of, known_at))
    return queries


def ledger_answer(ledger: Any, query: Query) -> dict[str, str]:
    result = ledger.signatories(query.instrument, as_of=query.as_of, known_at=query.known_at)
    return {row.party: row.status for row in result.rows if not row.uncertain}


# -- the benchmark ------------------------------------------------------------------------------------


class Benchmark:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args = args
        self.events: int = args.events
        self.repeat: int = args.repeat
        self.only: set[str] = set(args.only)
        self.workdir = workdir
        self.results = Results()
        self.log: GeneratedLog
        self.load_seconds: float | None = None  # figure 1, ours: the median load
        self.first_query_seconds: float | None = None
        self.query_median: float | None = None  # figure 2, ours
        self.sqlite_file: Path | None = None

    def wants(self, figure: str) -> bool:
        return figure in self.only

    def say(self, text: str) -> None:
        if not self.args.quiet:
            sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {text}\n")
            sys.stderr.flush()

    # -- driving --------------------------------------------------------------------------------------

    def run(self) -> Results:
        self.say(f"generating {self.events:,} events (seed {self.args.seed})")
        path = self.workdir / f"log-{self.events}.jsonl"
        self.log = generate(path, self.events, seed=self.args.seed)
        self.results.raw["log"] = self.log.summary()
        self.say(f"generated in {self.log.seconds:.1f} s: {path.stat().st_size / 1e6:.1f} MB")
        if self.wants("8"):
            self.pandas_side()
        if self.wants("1") or self.wants("2") or self.wants("3") or self.wants("5") or self.wants("8"):
            ledger = self.figure_1()
            if self.wants("2") or self.wants("3") or self.wants("8"):
                self.figures_2_and_3(ledger)
            del ledger
            fresh_heap()
        if self.wants("8"):
            self.figure_8()
        if self.wants("4") or self.wants("5") or self.wants("9") or self.wants("10"):
            self.figure_4()
        if self.wants("5"):
            self.figure_5()
        if self.wants("6"):
            self.figure_6()
        if self.wants("7"):
            self.figure_7()
        if self.wants("10"):
            self.figure_10()  # before 9: on the store as an import leaves it, without history tables
        if self.wants("9"):
            self.figure_9()
        return self.results

    # -- figure 1 ---------------------------------------------------------------------------------------

    def figure_1(self) -> Any:
        from declaration_events import Ledger

        from .baselines import minimal_adapter, minimal_floor, validation_floor

        minimal_adapter()  # built before it is timed

        path, n = self.log.path, self.events
        ours: list[float] = []
        floor: list[float] = []
        minimal: list[float] = []
        kept: list[float] = []
        first: list[float] = []
        probe = make_queries(self.log, 1, self.args.seed + 7, past=False)[0]
        ledger = None
        for run in range(self.repeat):
            self.say(f"figure 1: run {run + 1}/{self.repeat}: validation floor")
            fresh_heap()
            floor.append(timed(lambda: validation_floor(path))[0])
            if self.wants("1"):
                self.say(f"figure 1b: run {run + 1}/{self.repeat}: minimal pydantic models of the format")
                fresh_heap()
                minimal.append(timed(lambda: minimal_floor(path))[0])
            if run == 0 and n < LARGE:  # at large sizes figure 7 keeps the models instead
                fresh_heap()
                kept.append(timed(lambda: validation_floor(path, keep=True))[0])
            self.say(f"figure 1: run {run + 1}/{self.repeat}: Ledger.from_jsonl")
            ledger = None
            fresh_heap()
            seconds, ledger = timed(lambda: Ledger.from_jsonl(path))
            ours.append(seconds)
            if len(ledger) != n:
                self.results.note(f"1: the ledger holds {len(ledger):,} events, not {n:,}")
            first.append(timed(lambda ledger=ledger: ledger_answer(ledger, probe))[0])
        self.load_seconds = median(ours)
        self.first_query_seconds = median(first)
        self.results.raw["figure_1"] = {
            "ours": ours,
            "floor": floor,
            "floor_kept": kept,
            "first_query": first,
        }
        if self.wants("1"):
            ratio = self.load_seconds / median(floor)
            self.results.add(
                Row(
                    "1",
                    "replay JSONL into in-memory Ledger",
                    rate(n, self.load_seconds),
                    rate(n, median(floor)),
                    f"{ratio:.2f}x time",
                    "<= 1.5x floor time",
                    yes(ratio <= 1.5),
                )
            )
            kept_text = (
                f"with the models kept it takes {rate(n, median(kept))}"
                if kept
                else "the models kept are measured by figure 7's baseline at this size"
            )
            self.results.note(
                f"1: floor = validate_json over every line, models dropped; {kept_text}; "
                f"first query after load {ms(self.first_query_seconds)}."
            )
            plain = median(minimal)
            self.results.add(
                Row(
                    "1b",
                    "replay JSONL vs minimal pydantic models",
                    rate(n, self.load_seconds),
                    rate(n, plain),
                    f"{self.load_seconds / plain:.2f}x time",
                    "<= 4x minimal time",
                    yes(self.load_seconds / plain <= 4),
                )
            )
            self.results.note(
                "1b: a discriminated union of one pydantic model per event type, the same field names, "
                "plain types (text, whole numbers, truth values, lists, anything), no validators; "
                "models dropped."
            )
            self.figure_1c()
        return ledger

    def figure_1c(self) -> None:
        """Figure 1 on a log of many short cases (about three facts each), generated at the same size."""
        from declaration_events import Ledger

        from .baselines import validation_floor

        path = self.workdir / f"log-short-{self.events}.jsonl"
        self.say(f"figure 1c: generating {self.events:,} events of short cases")
        short = generate(path, self.events, seed=self.args.seed, short_cases=True)
        ours: list[float] = []
        floor: list[float] = []
        for run in range(self.repeat):
            self.say(f"figure 1c: run {run + 1}/{self.repeat}: validation floor, Ledger.from_jsonl")
            fresh_heap()
            floor.append(timed(lambda: validation_floor(path))[0])
            fresh_heap()
            ours.append(timed(lambda: len(Ledger.from_jsonl(path)))[0])
        ratio = median(ours) / median(floor)
        self.results.add(
            Row(
                "1c",
                f"replay JSONL, short cases ({short.cases:,} cases)",
                rate(self.events, median(ours)),
                rate(self.events, median(floor)),
                f"{ratio:.2f}x time",
                "<= 1.5x floor time",
                yes(ratio <= 1.5),
            )
        )

    # -- figures 2 and 3 ----------------------------------------------------------------------------------

    def figures_2_and_3(self, ledger: Any) -> None:
        from .baselines import naive_signatories, parse_all

        self.say("figures 2-3: parsing the log for the naive replay")
        events = parse_all(self.log.path)
        gc.freeze()  # the harness's copy of the log stays out of the collector's way
        try:
            for figure, past in (("2", False), ("3", True)):
                if not self.wants(figure) and not (figure == "2" and self.wants("8")):
                    continue
                self.say(f"figure {figure}: queries")
                count = self.args.queries * self.repeat
                queries = make_queries(self.log, count, self.args.seed + int(figure), past=past)
                ours = [timed(lambda q=q: ledger_answer(ledger, q))[0] for q in queries]
                naive_times: list[float] = []
                agree = 0
                for query in queries[:NAIVE_QUERIES]:
                    seconds, expected = timed(
                        lambda q=query: naive_signatories(events, q.instrument, q.as_of, q.known_at)
                    )
                    naive_times.append(seconds)
                    agree += ledger_answer(ledger, query) == expected
                checked = min(NAIVE_QUERIES, len(queries))
                ours_median, naive_median = median(ours), median(naive_times)
                speedup = naive_median / ours_median
                self.results.raw[f"figure_{figure}"] = {"ours": ours, "naive": naive_times, "agree": agree}
                ordered = sorted(ours)
                spread = f"p90 {ms(ordered[int(len(ordered) * 0.9)])}, max {ms(ordered[-1])}"
                self.results.note(
                    f"{figure}: {len(ours)} queries ({spread}); naive replay on {checked}, "
                    f"answers agree on {agree}/{checked}."
                )
                if figure == "2":
                    self.query_median = ours_median
                    met = ours_median <= 0.001 and speedup >= 300 and agree == checked
                    target = "<= 1 ms and >= 300x"
                else:
                    met = ours_median <= 0.020 and agree == checked
                    target = "<= 20 ms"
                if self.wants(figure):
                    what = "signatories as of a random date" if figure == "2" else "... known_at a past time"
                    self.results.add(
                        Row(
                            figure,
                            what,
                            ms(ours_median),
                            f"{ms(naive_median)} naive replay",
                            f"{speedup:,.0f}x faster",
                            target,
                            yes(met) + ("" if agree == checked else " (answers differ)"),
                        )
                    )
        finally:
            gc.unfreeze()
            events.clear()
            fresh_heap()

    # -- figure 8 ------------------------------------------------------------------------------------------

    def pandas_side(self) -> None:
        """pandas' load and queries, measured first, while this process holds nothing else."""
        from .baselines import pandas_load, pandas_signatories

        loads: list[float] = []
        firsts: list[float] = []
        queries = make_queries(self.log, PANDAS_QUERIES, self.args.seed + 2, past=False)
        frame = None
        for run in range(self.repeat):
            self.say(f"figure 8: run {run + 1}/{self.repeat}: pandas read_json")
            frame = None
            fresh_heap()
            seconds, frame = timed(lambda: pandas_load(self.log.path))
            loads.append(seconds)
            firsts.append(
                timed(lambda f=frame, q=queries[0]: pandas_signatories(f, q.instrument, q.as_of))[0]
            )
        repeated = [
            timed(lambda q=q, f=frame: pandas_signatories(f, q.instrument, q.as_of))[0] for q in queries[1:]
        ]
        frame = None
        fresh_heap()
        self.results.raw["pandas"] = {"load": loads, "first": firsts, "repeated": repeated}

    def figure_8(self) -> None:
        pandas = self.results.raw["pandas"]
        assert self.load_seconds is not None
        assert self.first_query_seconds is not None
        ours_first = self.load_seconds + self.first_query_seconds
        theirs_first = median(pandas["load"]) + median(pandas["first"])
        self.results.add(
            Row(
                "8a",
                "load + first query vs pandas",
                f"{ours_first:.2f} s",
                f"{theirs_first:.2f} s pandas",
                f"{theirs_first / ours_first:.2f}x faster",
                "faster than pandas",
                yes(ours_first < theirs_first),
            )
        )
        if self.query_median is None:
            self.results.add(Row("8b", "repeated query vs pandas", "n/a (figure 2 not run)"))
            return
        theirs = median(pandas["repeated"])
        speedup = theirs / self.query_median
        self.results.add(
            Row(
                "8b",
                "repeated query vs pandas",
                ms(self.query_median),
                f"{ms(theirs)} pandas",
                f"{speedup:,.0f}x faster",
                ">= 100x faster",
                yes(speedup >= 100),
            )
        )
        self.results.note(
            "8: pandas = read_json(lines=True), then filter, sort by (occurred_on, recorded_at), "
            "group by party, last; it ignores the rules, amendments and effective dates."
        )

    # -- figures 4 and 5 --------------------------------------------------------------------------------

    def store_available(self) -> str | None:
        """None when `Ledger.open` can open a SQLite file, else why not."""
        from declaration_events import Ledger

        probe = self.workdir / "probe.sqlite"
        try:
            Ledger.open(str(probe)).close()
        except Exception as exc:  # any failure means "not available yet"
            return f"{type(exc).__name__}: {exc}"
        return None

    def figure_4(self) -> None:
        from declaration_events import Ledger

        from .baselines import peer_import, raw_sqlite_import, stream_keys

        path, n = self.log.path, self.events
        missing = self.store_available()
        if missing:
            self.results.note(f"4-5: the durable store is not available: {missing}")
        ours: list[float] = []
        peer: list[float] = []
        raw: list[float] = []
        rows = stream_keys(path) if self.wants("4") else []
        for run in range(self.repeat if self.wants("4") else 1):
            target = self.workdir / f"ours-{run}.sqlite"
            for suffix in ("", "-wal", "-shm"):  # a --workdir of an earlier run: import into a new store
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            if not missing:
                self.say(f"figure 4: run {run + 1}: Ledger.open(sqlite) + import_logs")
                fresh_heap()

                def import_ours(target: Path = target) -> None:
                    with Ledger.open(str(target)) as ledger:
                        ledger.import_logs(path)

                ours.append(timed(import_ours)[0])
                self.sqlite_file = target
            if not self.wants("4"):
                break
            self.say(f"figure 4: run {run + 1}: eventsourcing peer")
            fresh_heap()
            peer.append(timed(lambda run=run: peer_import(path, self.workdir / f"peer-{run}.sqlite"))[0])
            fresh_heap()
            raw.append(timed(lambda run=run: raw_sqlite_import(rows, self.workdir / f"raw-{run}.sqlite"))[0])
            for name in (f"peer-{run}.sqlite", f"raw-{run}.sqlite"):
                for suffix in ("", "-wal", "-shm"):
                    (self.workdir / (name + suffix)).unlink(missing_ok=True)
        self.results.raw["figure_4"] = {"ours": ours, "peer": peer, "raw": raw}
        if not self.wants("4"):
            return
        na = "n/a (store not available)"
        ours_rate = n / median(ours) if ours else 0.0
        peer_rate, raw_rate = n / median(peer), n / median(raw)
        self.results.add(
            Row(
                "4a",
                "durable import, SQLite file, vs peer",
                rate(n, median(ours)) if ours else na,
                f"{rate(n, median(peer))} peer",
                f"{ours_rate / peer_rate:.2f}x" if ours else "",
                ">= 2x peer",
                yes(ours_rate >= 2 * peer_rate) if ours else "",
            )
        )
        self.results.add(
            Row(
                "4b",
                "durable import, SQLite file, vs raw",
                rate(n, median(ours)) if ours else na,
                f"{rate(n, median(raw))} raw",
                f"{ours_rate / raw_rate:.2f}x" if ours else "",
                ">= 0.5x raw",
                yes(ours_rate * 2 >= raw_rate) if ours else "",
            )
        )
        self.results.note(
            "4: peer = eventsourcing Aggregate per entity, lines validated with the same pydantic adapter, "
            "one Application.save per aggregate; raw = sqlite3.executemany of the lines into one table "
            "keyed by (stream, version), one transaction (stream keys computed outside the timing)."
        )

    def figure_5(self) -> None:
        from declaration_events import Ledger

        if self.sqlite_file is None:
            self.results.add(Row("5", "open SQLite ledger + first query", "n/a (store not available)"))
            return
        assert self.load_seconds is not None
        probe = make_queries(self.log, 1, self.args.seed + 5, past=False)[0]
        times: list[float] = []
        for run in range(self.repeat):
            self.say(f"figure 5: run {run + 1}/{self.repeat}: open + first query")
            fresh_heap()

            def open_and_ask() -> int:
                assert self.sqlite_file is not None
                with Ledger.open(str(self.sqlite_file)) as ledger:
                    ledger_answer(ledger, probe)
                    return len(ledger)

            seconds, count = timed(open_and_ask)
            times.append(seconds)
            if count != self.events:
                self.results.note(f"5: the reopened ledger holds {count:,} events, not {self.events:,}")
        self.results.raw["figure_5"] = times
        seconds = median(times)
        ratio = seconds / self.load_seconds
        self.results.add(
            Row(
                "5",
                "open SQLite ledger + first query",
                f"{seconds:.2f} s",
                f"{self.load_seconds:.2f} s figure 1",
                f"{ratio:.2f}x time",
                "<= 2x figure 1",
                yes(ratio <= 2),
            )
        )

    # -- figure 6 ----------------------------------------------------------------------------------------

    @contextmanager
    def postgres(self) -> Iterator[str | None]:
        """A server URL: the one given, one started for this run, or None."""
        if self.args.postgres_url:
            yield self.args.postgres_url
            return
        if self.args.no_postgres:
            yield None
            return
        sys.path.insert(0, str(ROOT / "tests"))
        from pgserver import start_postgres  # type: ignore[import-not-found]

        self.say("figure 6: starting a throwaway PostgreSQL server")
        try:
            server = start_postgres("bench")
        except Exception as exc:  # no server binaries here, or not allowed to run one
            self.results.note(f"6: could not start a PostgreSQL server: {type(exc).__name__}: {exc}")
            yield None
            return
        try:
            yield server.url
        finally:
            server.stop()

    def figure_6(self) -> None:
        with self.postgres() as url:
            if url is None:
                for figure, what in (("6a", "PostgreSQL import"), ("6b", f"PostgreSQL, {WRITERS} writers")):
                    self.results.add(Row(figure, what, "n/a (no PostgreSQL server; see --postgres-url)"))
                return
            try:
                self._figure_6(url)
            except Exception as exc:  # report, and keep the other figures
                self.results.note(f"6: failed: {type(exc).__name__}: {exc}")
                for figure in ("6a", "6b"):
                    if figure not in self.results.rows:
                        self.results.add(Row(figure, "PostgreSQL", f"failed ({type(exc).__name__})"))

    def _schema_url(self, url: str) -> tuple[str, str]:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        separator = "&" if "?" in url else "?"
        return schema, f"{url}{separator}schema={schema}"

    def _drop_schema(self, url: str, schema: str) -> None:
        import psycopg
        from psycopg import sql

        base = url.split("?", 1)[0]
        with psycopg.connect(base, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))

    def _writers(self, url: str, logs: list[GeneratedLog], batch: int) -> tuple[float, list[str]]:
        """Run one writer process per log, started together; return the wall time and any failures."""
        timeout = 60 + sum(log.events for log in logs) / 500
        children = [
            subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "benchmarks.child", "write", url, str(log.path), str(batch)],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for log in logs
        ]
        failures: list[str] = []
        try:
            for child in children:  # every writer has imported its modules and read its log
                assert child.stdout is not None
                if child.stdout.readline().strip() != "ready":
                    _, err = child.communicate()
                    tail = err.strip().splitlines()[-1:] or ["?"]
                    return 0.0, [f"a writer failed before starting: {tail[0]}"]
            started = time.perf_counter()
            for child in children:
                assert child.stdin is not None
                child.stdin.write("go\n")
                child.stdin.flush()
            deadline = started + timeout
            outputs = [
                child.communicate(timeout=max(deadline - time.perf_counter(), 1)) for child in children
            ]
            wall = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            return timeout, [f"no answer after {timeout:.0f} s (a writer hangs)"]
        finally:
            for child in children:
                if child.poll() is None:
                    child.kill()
                    child.wait()
        for child, (out, err) in zip(children, outputs, strict=True):
            if child.returncode != 0:
                tail = err.strip().splitlines()[-1:] or ["?"]
                failures.append(f"a writer failed: {tail[0]}")
            else:
                self.results.raw.setdefault("figure_6_writers", []).append(json.loads(out.splitlines()[-1]))
        return wall, failures

    def _stored_types(self, url: str) -> Counter[str]:
        """Events in the store by type, counted by the database (not through the library)."""
        import psycopg
        from psycopg import sql

        from declaration_events.storage.durable import StoreApplication

        base, _, query = url.partition("?")
        schema = query.removeprefix("schema=")
        table = sql.Identifier(schema, f"{StoreApplication.name.lower()}_events")
        with psycopg.connect(base, autocommit=True) as connection:
            rows = connection.execute(
                sql.SQL("SELECT topic, count(*) FROM {} GROUP BY topic").format(table)
            ).fetchall()
        return Counter({topic.rpartition(":")[2]: count for topic, count in rows})

    def _figure_6(self, url: str) -> None:
        from declaration_events import Ledger

        n = self.events
        share = n // WRITERS
        seed = self.args.seed
        # Four independent logs (own instruments and cases, one shared statements stream).
        logs = [
            generate(self.workdir / f"writer-{k}.jsonl", share, seed=seed + 100 + k, prefix=f"w{k}-")
            for k in range(WRITERS)
        ]
        results: dict[str, list[float]] = {"6a": [], "6b": []}
        accounted = {"6a": True, "6b": True}
        for run in range(self.repeat):
            for figure, figure_logs, batch in (("6a", [self.log], 0), ("6b", logs, WRITE_BATCH)):
                expected: Counter[str] = Counter()
                for log in figure_logs:
                    expected.update(log.types)
                schema, schema_url = self._schema_url(url)
                self.say(f"figure {figure}: run {run + 1}/{self.repeat}: {len(figure_logs)} writer(s)")
                try:
                    Ledger.open(schema_url).close()  # create the tables before the race
                    wall, failures = self._writers(schema_url, figure_logs, batch)
                    results[figure].append(wall)
                    for failure in failures:
                        accounted[figure] = False
                        self.results.note(f"{figure}: {failure}")
                    if not failures:
                        stored = self._stored_types(schema_url)
                        if stored != expected:
                            accounted[figure] = False
                            self.results.note(
                                f"{figure}: stored {sum(stored.values()):,} events, "
                                f"expected {sum(expected.values()):,}"
                            )
                finally:
                    self._drop_schema(url, schema)
        self.results.raw["figure_6"] = results
        single, walls = median(results["6a"]), median(results["6b"])
        total = share * WRITERS
        self.results.add(
            Row(
                "6a",
                "PostgreSQL import, one writer",
                rate(n, single) if accounted["6a"] else f"failed ({rate(n, single)})",
                "",
                "",
                "every event accounted for",
                yes(accounted["6a"]),
            )
        )
        self.results.add(
            Row(
                "6b",
                f"PostgreSQL, {WRITERS} writer processes",
                rate(total, walls) if accounted["6b"] else f"failed ({rate(total, walls)})",
                f"{rate(n, single)} 1 writer",
                f"{(total / walls) / (n / single):.2f}x",
                "every event accounted for",
                yes(accounted["6b"]),
            )
        )
        self.results.note(
            f"6: fresh writer processes. 6a: the whole log as one batch (one import_logs), like figure 4. "
            f"6b: {WRITERS} logs of {share:,} events (own instruments and cases, one shared statements "
            f"stream), started together, each imported in ordered batches of {WRITE_BATCH:,} (instruments, "
            f"cases by number, statements; amendments with their targets); afterwards every event is "
            f"counted by type."
        )

    # -- figure 7 ----------------------------------------------------------------------------------------

    def child_memory(self, mode: str) -> dict[str, float]:
        completed = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "benchmarks.child", "memory", mode, str(self.log.path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise RuntimeError(f"memory child ({mode}) failed: {completed.stderr.strip()[-500:]}")
        result: dict[str, float] = json.loads(completed.stdout)
        result["peak_rss_mb"] = max(result["peak_rss_mb"], result["final_rss_mb"])
        return result

    def figure_7(self) -> None:
        self.say("figure 7: peak RSS of a fresh process holding the in-memory ledger")
        ours = self.child_memory("ledger")
        self.say("figure 7: peak RSS of a fresh process holding the validated models")
        models = self.child_memory("models")
        self.results.raw["figure_7"] = {"ours": ours, "models": models}
        peak, base = ours["peak_rss_mb"], ours["import_rss_mb"]
        theirs = models["peak_rss_mb"]
        if self.events >= ONE_MILLION:
            target, met = f"<= {MEMORY_TARGET_MB} MB", peak <= MEMORY_TARGET_MB
        else:
            budget = MEMORY_TARGET_MB * self.events / ONE_MILLION
            target, met = f"<= {budget:.0f} MB over imports (scaled)", peak - base <= budget
        self.results.add(
            Row(
                "7",
                "peak RSS, in-memory ledger + indexes",
                f"{peak:.0f} MB (+{peak - base:.0f})",
                f"{theirs:.0f} MB (+{theirs - models['import_rss_mb']:.0f}) models",
                f"{peak / theirs:.2f}x",
                target,
                yes(met),
            )
        )
        self.results.note(
            f"7: fresh processes; (+N) is the growth over the {base:.0f} MB after imports; the ledger "
            f"answered signatories on every instrument and cases() once, so its indexes are built: "
            f"{(peak - base) * 1024 * 1024 / max(ours['events'], 1):,.0f} bytes/event."
        )

    # -- figure 9: the history tables (issue 16) ----------------------------------------------------

    def figure_9(self) -> None:
        """Rebuild the history tables of figure 4's store, then ask the same questions in SQL and of a
        Ledger opened afresh."""
        import sqlite3

        from declaration_events import Ledger
        from declaration_events.storage.tables import known_text

        if self.sqlite_file is None:
            self.results.note("9: no SQLite store from figure 4")
            return
        url = str(self.sqlite_file)

        def cli_cases() -> tuple[float, bytes]:
            started = time.perf_counter()
            done = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "declaration_events", "cases", "--db", url, *CSV],  # as of today
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            return time.perf_counter() - started, done.stdout

        self.say("figure 9: CLI cases --format csv, indexing the store (no tables yet)")
        indexing, indexed_csv = cli_cases()
        self.say("figure 9: Ledger.open + rebuild_histories")
        fresh_heap()
        rebuild, rows = timed(lambda: _rebuild(url))
        self.say("figure 9: CLI cases --format csv, from the tables")
        from_tables, tables_csv = cli_cases()
        imported = median(self.results.raw.get("figure_4", {}).get("ours", [])) or float("nan")
        self.results.add(
            Row(
                "9a",
                "history tables: rebuild (open + all rows)",
                f"{ms(rebuild)} ({rows:,} rows)",
                f"{ms(imported)} import",
                f"{rebuild / imported:.2f}x",
                "(none)",
                "",
            )
        )
        queries = make_queries(self.log, min(self.args.queries, 50), self.args.seed + 9, past=True)
        status = (
            "SELECT party, status FROM signatory_history WHERE instrument = :instrument "
            "AND valid_from <= :as_of AND (valid_until IS NULL OR valid_until > :as_of) "
            "AND known_from <= :known_at "
            "AND (known_until IS NULL OR known_until > :known_at) AND NOT uncertain"
        )

        def params(query: Query) -> dict[str, object]:
            moment = query.known_at or datetime.now(UTC)
            return {
                "instrument": query.instrument,
                "as_of": query.as_of.isoformat(),
                "known_at": known_text(moment),
            }

        def first_sql() -> dict[str, str]:
            with sqlite3.connect(url) as db:
                return dict(db.execute(status, params(queries[0])).fetchall())

        def first_ledger() -> dict[str, str]:
            with Ledger.open(url, create=False) as ledger:
                return ledger_answer(ledger, queries[0])

        fresh_heap()
        sql_first, sql_answer = timed(first_sql)
        fresh_heap()
        ledger_first, ledger_answer_first = timed(first_ledger)
        self.results.add(
            Row(
                "9b",
                "open + first question: SQL on tables vs Ledger.open",
                ms(sql_first),
                f"{ms(ledger_first)} Ledger.open",
                f"{ledger_first / sql_first:,.0f}x faster",
                f"Ledger.open < {OPEN_TARGET_SECONDS:.0f} s at 1M",
                yes(ledger_first < OPEN_TARGET_SECONDS) if self.events >= ONE_MILLION else "(at 1M)",
            )
        )
        agree = sql_answer == ledger_answer_first
        with sqlite3.connect(url) as db, Ledger.open(url, create=False) as ledger:
            sql_times = [timed(lambda q=q: db.execute(status, params(q)).fetchall())[0] for q in queries]
            ledger_times = [timed(lambda q=q: ledger_answer(ledger, q))[0] for q in queries]
            agree = agree and all(
                dict(db.execute(status, params(q)).fetchall()) == ledger_answer(ledger, q) for q in queries
            )
        self.results.add(
            Row(
                "9c",
                "repeated question: SQL on tables vs Ledger",
                ms(median(sql_times)),
                f"{ms(median(ledger_times))} Ledger",
                f"{median(ledger_times) / median(sql_times):.2f}x",
                "answers agree",
                yes(agree),
            )
        )
        self.results.add(
            Row(
                "9d",
                "fresh process: CLI cases --format csv (today)",
                f"{from_tables:.2f} s from tables",
                f"{indexing:.2f} s indexing all",
                f"{indexing / from_tables:.1f}x faster",
                "the same CSV",
                yes(tables_csv == indexed_csv),
            )
        )
        self.results.note(
            f"9: the tables of figure 4's store, rebuilt; {len(queries)} questions as of a date, known at a "
            "past time, in SQL (the README's recipe) and of the Ledger; 9b opens each afresh (the Ledger "
            "reads the instrument's stream, see figure 10)."
        )

    # -- figure 10: open without replay (issue 16) ---------------------------------------------------

    def figure_10(self) -> None:
        """Fresh processes on figure 4's store: open + one signatories question (reading the instrument's
        stream) against opening by indexing the whole store; the CLI's status; their peak RSS."""
        if self.sqlite_file is None:
            self.results.note("10: no SQLite store from figure 4")
            return
        url = str(self.sqlite_file)
        probe = make_queries(self.log, 1, self.args.seed + 10, past=False)[0]
        as_of = probe.as_of.isoformat()

        def child(mode: str) -> tuple[float, dict[str, Any]]:
            started = time.perf_counter()
            completed = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "benchmarks.child", "open", url, probe.instrument, as_of, mode],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - started
            if completed.returncode != 0:
                raise RuntimeError(f"open child ({mode}) failed: {completed.stderr.strip()[-500:]}")
            return wall, json.loads(completed.stdout)

        def cli() -> float:
            started = time.perf_counter()
            command = ("status", "--db", url, "--as-of", as_of, "--instrument", probe.instrument)
            subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "declaration_events", *command, "--format", "csv"],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            return time.perf_counter() - started

        def write(run: int) -> float:
            line = {"type": "Condemned", "actor": "CAN", "subject": f"benchmark write {run}"}
            line |= {"instrument": probe.instrument, "occurred_on": as_of}
            written = self.workdir / f"write-{run}.jsonl"
            written.write_text(json.dumps(line) + "\n", encoding="utf-8")
            started = time.perf_counter()
            subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "declaration_events", "import", "--db", url, str(written)],
                cwd=ROOT,
                capture_output=True,
                check=True,
            )
            return time.perf_counter() - started

        opened: list[tuple[float, dict[str, Any]]] = []
        indexed: list[tuple[float, dict[str, Any]]] = []
        status: list[float] = []
        writes: list[float] = []
        for run in range(self.repeat):
            self.say(f"figure 10: run {run + 1}/{self.repeat}: fresh processes, open + first question")
            opened.append(child("opened"))
            indexed.append(child("indexed"))
            status.append(cli())
            writes.append(write(run))
        self.results.raw["figure_10"] = {
            "opened": [wall for wall, _ in opened],
            "indexed": [wall for wall, _ in indexed],
            "status": status,
            "write": writes,
            "opened_rss_mb": [got["peak_rss_mb"] for _, got in opened],
            "indexed_rss_mb": [got["peak_rss_mb"] for _, got in indexed],
        }
        ours, theirs = median([w for w, _ in opened]), median([w for w, _ in indexed])
        agree = all(got["answer"] == indexed[0][1]["answer"] for _, got in opened + indexed)
        at_scale = self.events >= ONE_MILLION
        self.results.add(
            Row(
                "10a",
                "fresh process: Ledger.open + first signatories",
                f"{ours:.2f} s",
                f"{theirs:.2f} s indexing all",
                f"{theirs / ours:.1f}x faster",
                f"< {OPEN_TARGET_SECONDS:.0f} s at 1M; answers agree",
                yes(agree and ours < OPEN_TARGET_SECONDS) if at_scale else f"(at 1M) {yes(agree)}",
            )
        )
        cli_seconds = median(status)
        self.results.add(
            Row(
                "10b",
                "fresh process: CLI status --db",
                f"{cli_seconds:.2f} s",
                f"{theirs:.2f} s indexing all",
                f"{theirs / cli_seconds:.1f}x faster",
                f"< {CLI_TARGET_SECONDS} s at 1M",
                yes(cli_seconds < CLI_TARGET_SECONDS) if at_scale else "(at 1M)",
            )
        )
        rss = max(got["peak_rss_mb"] for _, got in opened)
        rss_indexed = max(got["peak_rss_mb"] for _, got in indexed)
        self.results.add(
            Row(
                "10c",
                "peak RSS of 10a's process",
                f"{rss:.0f} MB",
                f"{rss_indexed:.0f} MB indexing all",
                f"{rss / rss_indexed:.2f}x",
                f"< {OPEN_RSS_TARGET_MB} MB at 1M",
                yes(rss < OPEN_RSS_TARGET_MB) if at_scale else "(at 1M)",
            )
        )
        write_seconds = median(writes)
        self.results.add(
            Row(
                "10d",
                "fresh process: CLI import --db of one statement",
                f"{write_seconds:.2f} s",
                f"{theirs:.2f} s indexing all",
                f"{theirs / write_seconds:.1f}x faster",
                "(no target: reads the streams it touches)",
                "-",
            )
        )
        self.results.note(
            "10: wall time of fresh processes (interpreter start and imports included) on figure 4's SQLite "
            "file; 'indexing all' opens and indexes every stored event first (what Ledger.open did before), "
            "then asks the same question."
        )


def _rebuild(url: str) -> int:
    from declaration_events import Ledger

    with Ledger.open(url, create=False) as ledger:
        histories = ledger.rebuild_histories()
    return len(histories.signatories) + len(histories.cases)


# -- output -------------------------------------------------------------------------------------------


def render(results: Results, header: str) -> str:
    """The table, one row per figure, with its notes."""
    columns = ("fig", "measure", "ours", "baseline", "ratio", "target", "met")
    table = [columns]
    for key in ROWS:
        row = results.rows.get(key)
        if row is not None:
            table.append((row.figure, row.measure, row.ours, row.baseline, row.ratio, row.target, row.met))
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    lines = [header, ""]
    for index, line in enumerate(table):
        lines.append(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            lines.append("-+-".join("-" * width for width in widths))
    if results.notes:
        lines.append("")
        lines.extend(f"  {text}" for _, text in sorted(results.notes, key=lambda note: note[0]))
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="size of the generated log")
    parser.add_argument(
        "--repeat",
        type=int,
        help="runs per measurement, median reported (default: 3; 1 from 500,000 events, for time)",
    )
    parser.add_argument(
        "--only", default=",".join(FIGURES), help="comma-separated figures to run, e.g. 1,2,7 (default: all)"
    )
    parser.add_argument("--queries", type=int, default=200, help="queries per run for figures 2 and 3")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--postgres-url", help="a PostgreSQL database for figure 6 (schemas are made and dropped)"
    )
    parser.add_argument(
        "--start-postgres",
        action="store_true",
        help="start a throwaway server for figure 6 (tests/pgserver.py); the default without --postgres-url",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip figure 6's server (prints n/a)")
    parser.add_argument("--workdir", type=Path, help="where logs and databases go (default: a temporary dir)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = parser.parse_args(argv)
    args.only = [part.strip() for part in args.only.split(",") if part.strip()]
    if args.repeat is None:
        args.repeat = 3 if args.events < LARGE else 1
    unknown = sorted(set(args.only) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figures {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    if args.events < 200 or args.repeat < 1 or args.queries < 1:
        parser.error("--events must be >= 200, --repeat and --queries >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="declaration-events-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        benchmark = Benchmark(args, workdir)
        results = benchmark.run()
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    import declaration_events

    header = (
        f"declaration_events {declaration_events.__version__} benchmarks: {args.events:,} events, "
        f"seed {args.seed}, {args.repeat} run(s) each, {os.cpu_count()} CPUs, Python "
        f"{sys.version.split()[0]}; {elapsed:.0f} s in all"
    )
    print(render(results, header))
    if args.json:
        payload = {"header": header, "rows": [asdict(r) for r in results.rows.values()], **results.raw}
        args.json.write_text(json.dumps(payload, indent=2, default=str))
    return 0
