"""Where the time and memory go: `python -m benchmarks.profile [--events N] load|stages|query|past|memory`.

- `load`: `Ledger.from_jsonl` under cProfile (figure 1);
- `stages`: the load's stages, each timed alone (reading and validating, preparing, the
  rules, storing, indexing), in µs per event, in memory and into a SQLite file (figures 1, 4);
- `query`: signatories as of random dates, warm (figure 2);
- `past`: the same known_at random past record times (figure 3);
- `memory`: tracemalloc after a load, top allocation sites and the retained object types (figure 7);
- `budget`: the stages no load can skip (validate once, pack once, fold once, index once), each
  timed alone on one core, and the load they would make split perfectly over two cores, against
  the targets of figures 1 and 1b (issue 17).

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


def _budget(path: Path, workdir: Path) -> None:
    """The least a load costs with these models and rules: each stage it cannot skip, on one core,
    as the load runs it (a line packed just after it is validated; an entity folded just after its
    models are made), the models dropped after each stage."""
    from datetime import UTC, datetime

    from declaration_events import Ledger, checking
    from declaration_events.events import EVENT_ADAPTER
    from declaration_events.projections import Projection
    from declaration_events.records import AMENDMENT_TYPES, Recorded

    from .baselines import minimal_adapter, raw_sqlite_import, stream_keys

    lines = path.read_bytes().splitlines()
    count = len(lines)

    def timed(work: Callable[[], object]) -> float:
        """µs an event, the best of three."""
        best = float("inf")
        for _ in range(3):
            gc.collect()
            started = time.perf_counter()
            work()
            best = min(best, time.perf_counter() - started)
        return best / count * 1e6

    def dropped(validate: Callable[[bytes], object]) -> None:
        for line in lines:
            validate(line)

    floor = timed(lambda: dropped(EVENT_ADAPTER.validate_json))
    minimal = timed(lambda: dropped(minimal_adapter().validate_json))
    with checking.bulk():  # as a load runs: the collector off while it makes objects it keeps
        records: list[Recorded] = []

        def read() -> None:
            records.clear()
            records.extend(Recorded.of(EVENT_ADAPTER.validate_json(line)) for line in lines)

        pack = timed(read) - floor
        if any(b'"recorded_at"' not in record.line for record in records[:1000]):
            raise SystemExit("budget: every line needs its recorded_at (the generated logs have it)")
        entity_of = {record.id: record.entity for record in records if record.type not in AMENDMENT_TYPES}
        facts: dict[str, list[Recorded]] = {}
        for record in records:
            entity = record.entity or entity_of[getattr(record.decode(), "target")]  # noqa: B009 - an amendment
            facts.setdefault(entity, []).append(record)

        def fold_all() -> None:
            for entity, held in facts.items():
                models = [record.decode() for record in held]  # made just before, as the rules do
                started = time.perf_counter()
                checking._fold(
                    entity,
                    [m for m in models if m.type not in AMENDMENT_TYPES],
                    [m for m in models if m.type in AMENDMENT_TYPES],  # type: ignore[misc]
                )
                spent[0] += time.perf_counter() - started

        spent = [0.0]
        fold_all()
        fold = spent[0] / count * 1e6
        index = timed(lambda: Projection().add_recorded(records))
        ledger = Ledger.open(workdir / "budget.sqlite")
        writer = ledger._writer
        batch, _ = checking.prepare(writer.projection, list(records), datetime.now(UTC))
        plan = checking.check(writer.projection, writer.versions, batch)
        gc.collect()
        started = time.perf_counter()
        writer.store.append(plan.records, plan.expected)
        store = (time.perf_counter() - started) / count * 1e6
        ledger.close()
    rows = stream_keys(path)
    gc.collect()
    started = time.perf_counter()
    raw_sqlite_import(rows, workdir / "budget-raw.sqlite")
    raw = (time.perf_counter() - started) / count * 1e6
    total = floor + pack + fold + index
    print(f"\n-- the stages a load cannot skip: {count:,} events, µs an event on one core --")
    print(f"{floor:7.2f}  validate each line (our models, derived ids): figure 1's floor")
    print(f"{minimal:7.2f}  validate each line with the minimal models: figure 1b's floor")
    print(f"{pack:7.2f}  write the model's canonical line and pack it")
    print(f"{fold:7.2f}  fold each entity's facts by the rules (strict)")
    print(f"{index:7.2f}  index the packed records")
    print(f"{total:7.2f}  in all: validate, pack, fold and index once each")
    print(f"{store:7.2f}  store them in a SQLite file (our mapper and recorder, the event-id index)")
    print(f"{raw:7.2f}  raw sqlite3 executemany of the lines: figure 4b's baseline")
    # µs an event are seconds at 1,000,000 events
    print(
        f"\nSplit perfectly over two cores with nothing to merge: {total / 2:.1f} s at 1,000,000 events;"
        f" figure 1's target (1.5 x its floor) {1.5 * floor:.1f} s, figure 1b's (4 x the minimal models)"
        f" {4 * minimal:.1f} s."
    )
    print(
        f"Figure 1 needs packing, folding and indexing ({pack + fold + index:.2f} µs) to cost no more than"
        f" two validations ({2 * floor:.2f} µs): validating faster lowers its floor too."
    )
    print(
        f"Figure 4b needs a durable import within 2 x raw ({2 * raw:.1f} s at 1,000,000 events); the stages"
        f" above split perfectly, then storing, take {total / 2 + store:.1f} s."
    )


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
    parser.add_argument("what", choices=("load", "stages", "query", "past", "memory", "budget"))
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
        if args.what == "budget":
            _budget(log.path, Path(workdir))
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
