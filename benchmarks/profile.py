"""Where the time and memory go: `python -m benchmarks.profile [--events N] load|stages|query|past|memory`.

- `load`: `Ledger.from_jsonl` under cProfile (figure 1);
- `stages`: the load's stages, each timed alone (reading and validating, preparing, the
  rules, storing, indexing), in µs per event, in memory and into a SQLite file (figures 1, 4);
- `query`: signatories as of random dates, warm (figure 2);
- `past`: the same known_at random past record times (figure 3);
- `memory`: tracemalloc after a load, top allocation sites and the retained object types (figure 7).

Prints functions by own time and by cumulative time, as shares of the total.
With pyinstrument installed, `--pyinstrument` prints its call tree instead.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .generate import DEFAULT_SEED, generate
from .run import ledger_answer, make_queries


def _report(profile: cProfile.Profile, total: float, top: int) -> None:
    stats = pstats.Stats(profile)
    entries: list[tuple[float, float, int, str]] = []
    for (filename, line, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{Path(filename).name}:{line}({name})" if line else name
        entries.append((own, cumulative, calls, where))
    for title, key in (("own time", 0), ("cumulative time", 1)):
        print(f"\n-- top {top} by {title} (total {total:.2f} s) --")
        for own, cumulative, calls, where in sorted(entries, key=lambda e: e[key], reverse=True)[:top]:
            seconds = own if key == 0 else cumulative
            print(f"{seconds / total * 100:5.1f}%  {seconds:7.2f} s  {calls:>10,} calls  {where}")


def _profiled(function: Callable[[], Any], top: int, use_pyinstrument: bool) -> Any:
    if use_pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        result = function()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return result
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    result = function()
    profile.disable()
    _report(profile, time.perf_counter() - started, top)
    return result


def _memory(path: Path, top: int) -> None:
    from declaration_events import Ledger

    tracemalloc.start(1)
    ledger = Ledger.from_jsonl(path)
    for slug in ledger.instruments():
        ledger.signatories(slug)
    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    total = sum(stat.size for stat in snapshot.statistics("filename"))
    print(f"\n-- retained after load: {total / 2**20:.1f} MB traced, {total / len(ledger):,.0f} B/event --")
    for stat in snapshot.statistics("lineno")[:top]:
        frame = stat.traceback[0]
        print(
            f"{stat.size / total * 100:5.1f}%  {stat.size / 2**20:7.1f} MB  {stat.count:>10,} blocks  "
            f"{Path(frame.filename).name}:{frame.lineno}"
        )
    tracemalloc.stop()
    kinds: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for item in gc.get_objects():
        name = type(item).__name__
        kinds[name] += 1
        sizes[name] += sys.getsizeof(item)
    print("\n-- objects the collector tracks, by type (shallow sizes) --")
    for name, size in sizes.most_common(top):
        print(f"{size / 2**20:7.1f} MB  {kinds[name]:>10,}  {name}")
    del ledger


def _stages(path: Path, events: int, workdir: Path) -> None:
    """Time the stages of a load as the write side runs them (`writing.Writer._commit`), one by one."""
    from datetime import UTC, datetime

    from declaration_events import Ledger, checking, parallel_check, reading

    for label, open_ledger in (
        ("in memory (Ledger.from_jsonl)", Ledger),
        ("into a SQLite file (import)", lambda: Ledger.open(workdir / "stages.sqlite")),
    ):
        ledger = open_ledger()
        writer = ledger._writer
        now = datetime.now(UTC)
        times: list[tuple[str, float]] = []
        gc.collect()
        with checking.bulk():
            started = time.perf_counter()
            items, _ = reading.read_logs([path], now)
            times.append(("read and validate each line, pack it (read_logs)", time.perf_counter() - started))
            started = time.perf_counter()
            batch, _ = checking.prepare(writer.projection, items, now)
            times.append(("stamp, drop duplicates (prepare)", time.perf_counter() - started))
            started = time.perf_counter()
            plan = parallel_check.check(writer.projection, writer.versions, batch)
            times.append(
                (
                    "decode each entity again, run the rules, a large batch on two cores (check)",
                    time.perf_counter() - started,
                )
            )
            started = time.perf_counter()
            writer.store.append(plan.records, plan.expected)
            times.append(("store (append)", time.perf_counter() - started))
            started = time.perf_counter()
            writer.catch_up()
            times.append(("index (catch_up)", time.perf_counter() - started))
        total = sum(seconds for _, seconds in times)
        print(f"\n-- {label}: {events:,} events, {total:.2f} s, {total / events * 1e6:.1f} µs/event --")
        for name, seconds in times:
            print(f"{seconds / events * 1e6:7.1f} µs/event  {seconds / total * 100:5.1f}%  {name}")
        ledger.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("load", "stages", "query", "past", "memory"))
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--pyinstrument", action="store_true")
    args = parser.parse_args(argv)
    from declaration_events import Ledger

    with tempfile.TemporaryDirectory(prefix="declaration-events-profile-") as workdir:
        log = generate(Path(workdir) / "log.jsonl", args.events, seed=args.seed)
        if args.what == "memory":
            _memory(log.path, args.top)
            return 0
        if args.what == "load":
            _profiled(lambda: Ledger.from_jsonl(log.path), args.top, args.pyinstrument)
            return 0
        if args.what == "stages":
            _stages(log.path, args.events, Path(workdir))
            return 0
        ledger = Ledger.from_jsonl(log.path)
        queries = make_queries(log, args.queries, args.seed + 11, past=args.what == "past")
        if args.what == "query":
            for query in queries:  # warm: fold every instrument once
                ledger_answer(ledger, query)
        _profiled(lambda: [ledger_answer(ledger, q) for q in queries], args.top, args.pyinstrument)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
