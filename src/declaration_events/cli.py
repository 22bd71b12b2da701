"""The `declaration-events` command, for people who never open Python."""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .errors import DeclarationEventsError, EventLogError, UnknownEntityError, UsageError
from .eventlog import iter_events, write_events
from .events import DESIGNATIONS, event_json_schema
from .ledger import Ledger

__all__ = ["main"]

PROG = "declaration-events"
#: The environment variable holding the key of an encrypted store.
CIPHER_KEY_VARIABLE = "DECLARATION_EVENTS_CIPHER_KEY"
#: Logs smaller than this import without a progress line.
PROGRESS_MIN_BYTES = 1 << 20


def _ledger(args: argparse.Namespace) -> Ledger:
    db = getattr(args, "db", None)
    if db and args.logs:
        raise UsageError("give either LOG files or --db, not both")
    if db:
        return _open(db)
    if not args.logs:
        raise UsageError("give at least one LOG file (or --db URL)")
    return Ledger.from_jsonl(*args.logs)


def _open(db: str) -> Ledger:
    """The ledger at a store URL, with the cipher key from the environment if one is set."""
    return Ledger.open(db, cipher_key=os.environ.get(CIPHER_KEY_VARIABLE) or None)


class _Progress:
    """A one-line progress indicator on stderr, redrawn at most a few times a second."""

    def __init__(self, total_bytes: int) -> None:
        self.total = max(total_bytes, 1)
        self.done = 0
        self.lines = 0
        self._drawn = 0.0

    def advance(self, size: int) -> None:
        self.done += size
        self.lines += 1
        now = time.monotonic()
        if now - self._drawn >= 0.2:
            self._drawn = now
            self.show(f"reading {self.done / self.total:4.0%} ({self.lines:,} lines)")

    def show(self, text: str) -> None:
        sys.stderr.write(f"\r\x1b[K{PROG}: {text}")
        sys.stderr.flush()

    def clear(self) -> None:
        sys.stderr.write("\r\x1b[K")
        sys.stderr.flush()


class _ProgressLog:
    """A log file read line by line (named like the file, for error locations), feeding a `_Progress`."""

    def __init__(self, path: str, progress: _Progress, *, last: bool) -> None:
        self.name = path
        self._progress = progress
        self._last = last

    def __iter__(self) -> Iterator[bytes]:
        with Path(self.name).open("rb") as handle:
            for line in handle:
                self._progress.advance(len(line))
                yield line
        if self._last:
            self._progress.show(f"checking the rules and writing {self._progress.lines:,} lines")


def _with_progress(paths: Sequence[str]) -> tuple[list[Any], _Progress | None]:
    """The logs wrapped to show progress, when stderr is a terminal and the logs are large."""
    try:
        total = sum(Path(path).stat().st_size for path in paths)
    except OSError:
        return list(paths), None  # the import reports the unreadable file with its name
    if total < PROGRESS_MIN_BYTES or not sys.stderr.isatty():
        return list(paths), None
    progress = _Progress(total)
    logs = [_ProgressLog(path, progress, last=i == len(paths) - 1) for i, path in enumerate(paths)]
    return logs, progress


def _suggest(kind: str, key: str, known: Sequence[str]) -> UnknownEntityError:
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    error = UnknownEntityError(kind, key)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known) or 'none'}"
    error.args = (f"{error.args[0]}; {hint}",)
    return error


def _emit(args: argparse.Namespace, data: dict[str, Any], table: str, csv_text: str | None) -> None:
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
    elif args.format == "csv" and csv_text is not None:
        sys.stdout.write(csv_text)
    else:
        print(table)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def cmd_validate(args: argparse.Namespace) -> int:
    """Check logs against the format and the rules; print a summary per file."""
    summaries: list[str] = []
    errors: list[str] = []
    events = []
    locations: dict[Any, str] = {}
    for path in args.logs:
        file_events = []
        try:
            file_events = list(iter_events(path, locations=locations))
        except EventLogError as exc:
            errors.extend(str(e) for e in exc.errors)
            continue
        events.extend(file_events)
        instruments = {e.entity() for e in file_events if e.entity().startswith("instrument:")}
        cases = {e.entity() for e in file_events if e.entity().startswith("case:")}
        dates = sorted((e.occurred_on.first, str(e.occurred_on)) for e in file_events)
        span = f"{dates[0][1]} .. {dates[-1][1]}" if dates else "no dates"
        summaries.append(
            f"{path}: {_plural(len(file_events), 'event')}, "
            f"{_plural(len(instruments), 'instrument')}, {_plural(len(cases), 'case')}, {span}"
        )
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        return 1
    Ledger().record_many(events, locations=locations)
    for line in summaries:
        print(line)
    print(f"ok: {len(events)} events in {len(args.logs)} files follow the format and the rules")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print each party's status in one instrument."""
    ledger = _ledger(args)
    known = ledger.instruments()
    if args.instrument not in known:
        raise _suggest("instrument", args.instrument, known)
    result = ledger.signatories(args.instrument, as_of=args.as_of, known_at=args.known_at)
    _emit(args, result.to_dict(), str(result), result.to_csv())
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Print detention cases."""
    ledger = _ledger(args)
    if args.case and args.case not in (known := ledger.case_slugs()):
        raise _suggest("case", args.case, known)
    result = ledger.cases(
        as_of=args.as_of,
        known_at=args.known_at,
        only=[args.case] if args.case else None,
        designation=args.designation,
    )
    _emit(args, result.to_dict(), str(result), result.to_csv())
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """Print every fact about one party."""
    result = _ledger(args).timeline(args.party, known_at=args.known_at)
    _emit(args, result.to_dict(), str(result), None)
    return 0


def cmd_condemnations(args: argparse.Namespace) -> int:
    """Print condemnations."""
    result = _ledger(args).condemnations(
        as_of=args.as_of, known_at=args.known_at, actor=args.actor, target=args.target
    )
    _emit(args, result.to_dict(), str(result), None)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of one line of log format v1."""
    print(json.dumps(event_json_schema(), indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Record logs into a store, all or nothing; importing the same lines again adds nothing."""
    logs, progress = _with_progress(args.logs)
    with _open(args.db) as ledger:
        try:
            result = ledger.import_logs(*logs)
        finally:
            if progress is not None:
                progress.clear()
        total = len(ledger)
    print(
        f"{args.db}: {_plural(result.added, 'event')} added, {result.duplicates:,} already recorded; "
        f"{_plural(total, 'event')} in the ledger"
    )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write every recorded event as log format v1, in the order recorded."""
    with _open(args.db) as ledger:
        if not args.out or args.out == "-":
            write_events(ledger.events(), sys.stdout)
            return 0
        out = Path(args.out)
        partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
        try:
            count = ledger.to_jsonl(partial)
            os.replace(partial, out)  # readers never see half a file
        finally:
            partial.unlink(missing_ok=True)
    print(f"{out}: {_plural(count, 'event')} exported", file=sys.stderr)
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    """Print a new random key for encrypting a store at rest."""
    from .storage.durable import generate_cipher_key  # here: the other commands need not import it

    print(generate_cipher_key())
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    """Write logs with detained people's names pseudonymised by a keyed hash, for sharing."""
    from .redact import redact_log  # here: the other commands need not import it

    key = os.environ.get(args.key_env, "") if args.key_env else args.key
    if args.key_env and not key:
        raise UsageError(f"--key-env {args.key_env}: that environment variable is not set")
    to_stdout = not args.out or args.out == "-"
    result = redact_log(args.logs, sys.stdout if to_stdout else args.out, key, names=args.names)
    where = "standard output" if to_stdout else args.out
    names = _plural(result.names, "name")
    print(f"{where}: {_plural(result.events, 'event')} written, {names} pseudonymised", file=sys.stderr)
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw signatories or detention cases over time to an image file."""
    try:
        import matplotlib
    except ImportError:
        raise UsageError("plot needs matplotlib: pip install 'declaration-events[notebook]'") from None
    matplotlib.use("Agg")  # files only: never open a window
    from .plots import IMAGE_FORMATS, plot_cases, plot_signatories, save_figure

    if Path(args.out).suffix.lower().lstrip(".") not in IMAGE_FORMATS:
        raise UsageError(f"--out {args.out}: give a file ending in .{', .'.join(IMAGE_FORMATS)}")
    ledger = _ledger(args)
    known = ledger.instruments()
    for slug in [args.instrument] if args.chart == "signatories" else args.instruments:
        if slug not in known:
            raise _suggest("instrument", slug, known)
    if args.chart == "signatories":
        figure = plot_signatories(
            ledger, args.instrument, start=args.start, end=args.end, known_at=args.known_at
        )
    else:
        figure = plot_cases(ledger, as_of=args.as_of, known_at=args.known_at, instruments=args.instruments)
    print(f"{save_figure(figure, args.out)}: {args.chart} chart written")
    return 0


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("logs", nargs="*", metavar="LOG", help="event logs (JSON Lines), read as one batch")
    _add_db(parser, required=False)


def _add_db(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        required=required,
        help="a ledger store: FILE.sqlite, sqlite:///PATH, postgresql://USER:PASS@HOST:PORT/DB[?schema=NAME]"
        f" (encrypted stores take their key from ${CIPHER_KEY_VARIABLE})",
    )


def _add_times(parser: argparse.ArgumentParser, *, as_of: bool = True) -> None:
    if as_of:
        parser.add_argument("--as-of", metavar="DATE", help="valid date YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--known-at", metavar="DATETIME", help="record time, RFC 3339 or a date (default: now)"
    )


def _add_format(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    parser.add_argument("--format", choices=choices, default="table", help="output format")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Replay diplomatic event logs: statuses of signatories and detention cases at any time.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = sub.add_parser("validate", help="check logs against the format and the rules")
    validate.add_argument("logs", nargs="+", metavar="LOG")
    validate.set_defaults(run=cmd_validate)

    schema = sub.add_parser("schema", help="print the JSON Schema of log format v1")
    schema.set_defaults(run=cmd_schema)

    status = sub.add_parser("status", help="each party's status in an instrument")
    _add_source(status)
    status.add_argument("--instrument", required=True, metavar="SLUG")
    _add_times(status)
    _add_format(status, ["table", "json", "csv"])
    status.set_defaults(run=cmd_status)

    cases = sub.add_parser("cases", help="detention cases and days detained")
    _add_source(cases)
    cases.add_argument("--case", metavar="SLUG", help="only this case")
    cases.add_argument(
        "--designation",
        choices=DESIGNATIONS,
        help="only cases with this designation in force (e.g. wrongful_detention)",
    )
    _add_times(cases)
    _add_format(cases, ["table", "json", "csv"])
    cases.set_defaults(run=cmd_cases)

    timeline = sub.add_parser("timeline", help="every fact about one party")
    _add_source(timeline)
    timeline.add_argument("--party", required=True, help="code or English name, or actor:SLUG")
    _add_times(timeline, as_of=False)
    _add_format(timeline, ["table", "json"])
    timeline.set_defaults(run=cmd_timeline)

    condemnations = sub.add_parser("condemnations", help="who condemned whom or what, and when")
    _add_source(condemnations)
    condemnations.add_argument("--actor", help="only condemnations by this party")
    condemnations.add_argument("--target", help="only condemnations of this party")
    _add_times(condemnations)
    _add_format(condemnations, ["table", "json"])
    condemnations.set_defaults(run=cmd_condemnations)

    importer = sub.add_parser("import", help="record logs into a store, all or nothing")
    importer.add_argument("logs", nargs="+", metavar="LOG", help="event logs (JSON Lines), one batch")
    _add_db(importer, required=True)
    importer.set_defaults(run=cmd_import)

    export = sub.add_parser("export", help="write a store's events as log format v1")
    _add_db(export, required=True)
    export.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    export.set_defaults(run=cmd_export)

    keygen = sub.add_parser("keygen", help=f"print a new encryption key (for ${CIPHER_KEY_VARIABLE})")
    keygen.set_defaults(run=cmd_keygen)

    redact = sub.add_parser("redact", help="pseudonymise detained people's names in logs, for sharing")
    redact.add_argument("logs", nargs="+", metavar="LOG", help="event logs (JSON Lines), e.g. from export")
    keys = redact.add_mutually_exclusive_group(required=True)
    keys.add_argument("--key-env", metavar="VAR", help="take the secret key from this environment variable")
    keys.add_argument("--key", help="the secret key itself (other users can see it in the process list)")
    redact.add_argument(
        "--name",
        action="append",
        default=[],
        dest="names",
        metavar="NAME",
        help="also pseudonymise this name wherever it appears (repeatable)",
    )
    redact.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    redact.set_defaults(run=cmd_redact)

    plot = sub.add_parser("plot", help="draw signatories or cases over time to an image file")
    charts = plot.add_subparsers(dest="chart", required=True, metavar="CHART")
    signatories = charts.add_parser("signatories", help="parties by status over time, as a step chart")
    _add_source(signatories)
    signatories.add_argument("--instrument", required=True, metavar="SLUG")
    signatories.add_argument("--start", metavar="DATE", help="first date (default: just before opening)")
    signatories.add_argument("--end", metavar="DATE", help="last date (default: today)")
    cases_chart = charts.add_parser(
        "cases", help="one bar per detention case: custody, restrictions, release and other outcomes"
    )
    _add_source(cases_chart)
    cases_chart.add_argument(
        "--instrument",
        action="append",
        default=[],
        dest="instruments",
        metavar="SLUG",
        help="also mark this instrument's opening and entry into force (repeatable)",
    )
    for chart in (signatories, cases_chart):
        _add_times(chart, as_of=chart is cases_chart)
        chart.add_argument("--out", required=True, metavar="FILE", help="image file: .png, .svg or .pdf")
        chart.set_defaults(run=cmd_plot)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except EventLogError as exc:
        for error in exc.errors:
            print(str(error), file=sys.stderr)
        return 1
    except DeclarationEventsError as exc:
        message = " ".join(str(exc).split())
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130
