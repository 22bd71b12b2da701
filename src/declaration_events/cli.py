"""The `declaration-events` command, for people who never open Python."""

from __future__ import annotations

import argparse
import difflib
import io
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any

from . import render
from .dates import query_date, today
from .errors import (
    DeclarationEventsError,
    EventLogError,
    LineError,
    OutputError,
    UnknownEntityError,
    UsageError,
)
from .eventlog import iter_events
from .events import DESIGNATIONS, event_json_schema
from .ledger import Ledger

__all__ = ["main"]

PROG = "declaration-events"
#: How errors name standard output (and how `main` knows that it, not a file, failed).
STDOUT = "standard output"
#: The environment variable holding the key of an encrypted store.
CIPHER_KEY_VARIABLE = "DECLARATION_EVENTS_CIPHER_KEY"


def _ledger(args: argparse.Namespace) -> Ledger:
    db = getattr(args, "db", None)
    stored_by = getattr(args, "stored_by", None)
    if db and getattr(args, "logs", None):
        raise UsageError("give either LOG files or --db, not both")
    if stored_by and not db:
        raise UsageError("--stored-by asks what a store held at a time: give --db URL")
    if db:
        ledger = _open(db)
        return ledger.as_stored(stored_by) if stored_by else ledger
    if not args.logs:
        raise UsageError("give at least one LOG file (or --db URL)")
    return Ledger.from_jsonl(*args.logs)


def _open(db: str, *, create: bool = False) -> Ledger:
    """The ledger at a store URL, with the cipher key from the environment if one is set.

    Only `import` creates a store: a query on a path where no ledger is says so.
    """
    return Ledger.open(db, cipher_key=os.environ.get(CIPHER_KEY_VARIABLE) or None, create=create)


def _suggest(kind: str, key: str, known: Sequence[str]) -> UnknownEntityError:
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
    error = UnknownEntityError(kind, key)
    hint = f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(known) or 'none'}"
    error.args = (f"{error.args[0]}; {hint}",)
    return error


def _error(message: str) -> None:
    """One line on standard error, prefixed as every error of the command is."""
    print(f"{PROG}: error: {' '.join(message.split())}", file=sys.stderr)


def _warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _located(error: LineError) -> str:
    """`FILE:LINE: message`, or `FILE: message` when the whole file is at fault (it cannot be read)."""
    where = f"{error.source}:{error.line}" if error.line else error.source
    return f"{where}: {error.message}"


def _report(exc: EventLogError) -> None:
    for error in exc.errors:
        _error(_located(error))
    if exc.truncated:
        _error("more bad lines not shown; fix these first")


def _print(text: str) -> None:
    """A line on standard output; a full disk or a closed pipe becomes one clear error."""
    try:
        sys.stdout.write(text + "\n")
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"{STDOUT}: cannot write: {exc.strerror or exc}") from None


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"{STDOUT}: cannot write: {exc.strerror or exc}") from None


def _discard_stdout() -> None:
    """After standard output failed, send what is still buffered to /dev/null: no second error at exit."""
    stream = sys.__stdout__
    if stream is None or sys.stdout is not stream:
        return  # captured (tests, a caller's redirect): theirs to handle
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _passes_through_fds(path: str) -> bool:
    """Whether a path is, or links through, `/proc/` or `/dev/fd/` (`/dev/stdout`, another descriptor)."""
    current = os.path.abspath(path)
    for _ in range(40):  # the kernel's own limit on a chain of links
        if current.startswith(("/proc/", "/dev/fd/")):
            return True
        try:
            link = os.readlink(current)
        except OSError:
            return False
        current = os.path.normpath(os.path.join(os.path.dirname(current), link))
    return False


def _target(path: str, option: str) -> tuple[Path, bool]:
    """The file `--out PATH` writes, and whether to replace it atomically (a regular file, new or
    existing, through links) or write through it (a device, a pipe, standard output by another name)."""
    if _passes_through_fds(path):
        return Path(path), False
    real = Path(os.path.realpath(path))
    try:
        mode = real.stat().st_mode
    except NotADirectoryError:
        raise OutputError(f"{option} {path}: {real.parent} is not a directory") from None
    except FileNotFoundError:
        if not real.parent.exists():
            raise OutputError(f"{option} {path}: no such directory {real.parent}") from None
        if not real.parent.is_dir():
            raise OutputError(f"{option} {path}: {real.parent} is not a directory") from None
        return real, True
    except OSError as exc:
        raise OutputError(f"{option} {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{option} {path}: is a directory; give a file name")
    return real, stat.S_ISREG(mode)


@contextmanager
def _output(path: str | None, option: str = "--out") -> Iterator[IO[bytes]]:
    """Where `--out` writes, as a binary stream: every failure one clear line, nothing partial left.

    None or `-` is standard output. A regular file, new or existing, also through a symbolic
    link (which stays a link), is written beside itself and renamed over the old one only when
    complete, keeping its permissions. Anything else (a terminal, a pipe, a device such as
    `/dev/full`, `/dev/stdout`, `/proc/self/fd/1`) is written through, never replaced.
    """
    if path is None or path == "-":
        _flush_stdout()
        try:
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(f"{STDOUT}: cannot write: {exc.strerror or exc}") from None
        return
    real, atomic = _target(path, option)
    try:
        if not atomic:
            with real.open("wb") as handle:
                yield handle
            return
        try:
            keep = stat.S_IMODE(real.stat().st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            keep = 0o666 & ~umask
        descriptor, partial = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".partial")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(partial, keep)
            os.replace(partial, real)  # readers see the old file or the new one, never half of one
        finally:
            Path(partial).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot write: {exc.strerror or exc}") from None


@contextmanager
def _text_output(path: str | None) -> Iterator[IO[str]]:
    """`_output` as UTF-8 text with `\\n` line ends."""
    with _output(path) as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # the binary stream is `_output`'s to close


def _emit(args: argparse.Namespace, result: Any, *, csv: bool = True) -> None:
    """Print a result (`to_dict`, `to_csv`, `str`) in the format asked, computing that one only."""
    if args.format == "json":
        _print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    elif args.format == "csv" and csv:
        _print(result.to_csv().removesuffix("\n"))
    else:
        _print(str(result))


def _plural(count: int, noun: str) -> str:
    return render.plural(count, noun)


def cmd_validate(args: argparse.Namespace) -> int:
    """Check logs against the format and the rules; print a summary per file."""
    summaries: list[str] = []
    errors: list[LineError] = []
    events = []
    locations: dict[Any, str] = {}
    for path in args.logs:
        file_events = []
        try:
            file_events = list(iter_events(path, locations=locations))
        except EventLogError as exc:
            errors.extend(exc.errors)
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
        for error in errors:
            _error(_located(error))
        return 1
    ledger = Ledger()
    ledger.record_many(events, locations=locations)
    warnings = ledger.warnings()
    for warning in warnings:
        where = locations.get(warning.event_id, warning.entity)
        print(f"{where}: warning: {warning.message}", file=sys.stderr)
    for line in summaries:
        _print(line)
    if warnings and args.strict:
        print(f"{_plural(len(warnings), 'warning')}: --strict makes them errors", file=sys.stderr)
        return 1
    noted = f" ({_plural(len(warnings), 'warning')})" if warnings else ""
    files = _plural(len(args.logs), "file")
    _print(f"ok: {_plural(len(events), 'event')} in {files} follow the format and the rules{noted}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Name every instrument, case and non-state actor the ledger knows, with how many events each holds."""
    data = _ledger(args).inventory()
    instruments: list[dict[str, Any]] = data["instruments"]
    cases: list[dict[str, Any]] = data["cases"]
    actors: list[dict[str, Any]] = data["actors"]
    total, statements = data["events"], data["statements"]
    if args.format == "json":
        _print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    parts = [
        f"{_plural(len(instruments), 'instrument')}",
        render.aligned(
            ["instrument", "kind", "events", "title"],
            [[i["instrument"], i["kind"], f"{i['events']:,}", i["title"]] for i in instruments],
        ),
        "",
        f"{_plural(len(cases), 'case')}",
        render.aligned(
            ["case", "person", "held by", "events"],
            [[c["case"], c["person"], c["held_by_name"] or "", f"{c['events']:,}"] for c in cases],
        ),
        "",
    ]
    if actors:  # registered non-state captors (actor:SLUG), only when the logs have any
        table = [[str(a["actor"]), str(a["name"]), f"{a['events']:,}"] for a in actors]
        parts += [_plural(len(actors), "actor"), render.aligned(["actor", "name", "events"], table), ""]
    named = [_plural(len(instruments), "instrument"), _plural(len(cases), "case")]
    named += [_plural(len(actors), "actor")] if actors else []
    parts.append(f"{_plural(total, 'event')}: {', '.join([*named, _plural(statements, 'statement')])}")
    _print("\n".join(parts))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print each party's status in one instrument."""
    ledger = _ledger(args)
    try:
        result = ledger.signatories(args.instrument, as_of=args.as_of, known_at=args.known_at)
    except UnknownEntityError:
        raise _suggest("instrument", args.instrument, ledger.instruments()) from None
    _emit(args, result)
    return 0


def _instrument(ledger: Ledger, slug: str) -> str:
    """The slug of an instrument the ledger knows, or an error suggesting one."""
    known = ledger.instruments()
    if slug not in known:
        raise _suggest("instrument", slug, known)
    return slug


def cmd_reservations(args: argparse.Namespace) -> int:
    """Print the reservations and declarations in force to one treaty, with their objections."""
    ledger = _ledger(args)
    result = ledger.reservations(
        _instrument(ledger, args.instrument), as_of=args.as_of, known_at=args.known_at
    )
    _emit(args, result)
    return 0


def cmd_relations(args: argparse.Namespace) -> int:
    """Print towards which other participants one treaty binds a party."""
    ledger = _ledger(args)
    instrument = _instrument(ledger, args.instrument)
    result = ledger.relations(instrument, args.party, as_of=args.as_of, known_at=args.known_at)
    _emit(args, result)
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Print detention cases."""
    ledger = _ledger(args)
    try:  # asked first: listing every case may read the whole store
        result = ledger.cases(
            as_of=args.as_of,
            known_at=args.known_at,
            only=[args.case] if args.case else None,
            designation=args.designation,
        )
    except UnknownEntityError:
        raise _suggest("case", args.case, ledger.case_slugs()) from None
    _emit(args, result)
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """Print every fact about one party."""
    result = _ledger(args).timeline(args.party, known_at=args.known_at)
    _emit(args, result, csv=False)
    return 0


def cmd_condemnations(args: argparse.Namespace) -> int:
    """Print condemnations."""
    result = _ledger(args).condemnations(
        as_of=args.as_of, known_at=args.known_at, actor=args.actor, target=args.target
    )
    _emit(args, result, csv=False)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of one line of log format v1."""
    _print(json.dumps(event_json_schema(), indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Record logs into a store, all or nothing; importing the same lines again adds nothing."""
    with _open(args.db, create=True) as ledger:
        # stages shown on a terminal for large logs
        result = ledger.import_logs(*args.logs, backdate=not args.no_backdate)
        total = len(ledger)
    from .storage.durable import describe_url  # loaded already, by `Ledger.open`

    backdated = (
        f", {result.backdated:,} of them backdated (recorded before facts already stored about "
        "the same case or instrument)"
        if result.backdated
        else ""
    )
    _print(
        f"{describe_url(args.db)}: {_plural(result.added, 'event')} added{backdated}, "
        f"{result.duplicates:,} already recorded; "
        f"{_plural(total, 'event')} in the ledger"
    )
    return 0


def cmd_stamps(args: argparse.Namespace) -> int:
    """Print when each batch was stored, by the store's own clock: the ledger's audit trail."""
    with _open(args.db) as ledger:
        stamps = ledger.stamps()
    rows = [
        {"stored_at": s.stored_at.isoformat(), "events": s.events, "added": s.added, "position": s.position}
        for s in stamps
    ]
    header = ["stored_at", "events", "added", "position"]
    if args.format == "json":
        _print(json.dumps(rows, indent=2))
    elif args.format == "csv":
        _print("\n".join([",".join(header), *(",".join(str(r[k]) for k in header) for r in rows)]))
    else:
        table = [[s.stored_at.isoformat(), f"{s.events:,}", f"{s.added:,}", str(s.position)] for s in stamps]
        _print(f"{render.plural(len(rows), 'batch', 'batches')} stored\n" + render.aligned(header, table))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write every recorded event as log format v1 (in the order recorded), or as Parquet files."""
    if args.format == "parquet":
        if not args.out or args.out == "-":
            raise UsageError("--format parquet writes files: give --out DIRECTORY")
        from .parquet import write_parquet  # pyarrow, only here

        with _open(args.db) as ledger:
            source = ledger.as_stored(args.stored_by) if args.stored_by else ledger
            written = write_parquet(source, args.out)
        for name, rows in written.items():
            print(f"{Path(args.out) / name}: {_plural(rows, 'row')}", file=sys.stderr)
        return 0
    with _open(args.db) as ledger, _output(args.out) as out:
        count = ledger.to_jsonl(out, stored_by=args.stored_by)
    if args.out and args.out != "-":
        print(f"{args.out}: {_plural(count, 'event')} exported", file=sys.stderr)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Write a store's history tables afresh from its events."""
    with _open(args.db) as ledger:
        histories = ledger.rebuild_histories()
    _print(
        f"{args.db}: {_plural(len(histories.signatories), 'signatory_history row')}, "
        f"{_plural(len(histories.cases), 'case_history row')}"
    )
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    """Print a new random key for encrypting a store at rest."""
    from .storage.durable import generate_cipher_key  # here: the other commands need not import it

    _print(generate_cipher_key())
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    """Write logs with detained people's names pseudonymised by a keyed hash, for sharing."""
    from .redact import redact_log  # here: the other commands need not import it

    key = os.environ.get(args.key_env, "") if args.key_env else args.key
    if args.key_env and not key:
        raise UsageError(f"--key-env {args.key_env}: that environment variable is not set")
    with _text_output(args.out) as out:
        result = redact_log(args.logs, out, key, names=args.names)
    where = STDOUT if not args.out or args.out == "-" else args.out
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

    suffix = Path(args.out).suffix.lower().lstrip(".")
    through = args.out == "-" or not _target(args.out, "--out")[1]
    if suffix not in IMAGE_FORMATS and not through:
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
    with _output(args.out) as out:
        save_figure(figure, out, format=suffix if suffix in IMAGE_FORMATS else "png")
    if not (args.out == "-" or through):
        print(f"{args.out}: {args.chart} chart written", file=sys.stderr)
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
    _add_stored_by(parser)


def _add_stored_by(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stored-by",
        metavar="DATETIME",
        help="answer as the store (--db) held the ledger then, by its own clock (see `stamps`); "
        "no later import changes that answer",
    )


def _add_format(parser: argparse.ArgumentParser, choices: Sequence[str]) -> None:
    parser.add_argument(
        "--format",
        choices=choices,
        default="table",
        help=f"output: {', '.join(choices)} (default: %(default)s)",
    )


def _add_out(parser: argparse.ArgumentParser, what: str, *, required: bool = False) -> None:
    parser.add_argument(
        "--out",
        required=required,
        metavar="FILE",
        help=f"write {what} to FILE (replaced only once complete; a device or a pipe is written through)"
        + ("" if required else "; - or none: standard output"),
    )


def _version() -> str:
    try:
        return version("declaration-events")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Replay diplomatic event logs: statuses of signatories and detention cases at any time.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", help="what to do")

    validate = sub.add_parser("validate", help="check logs against the format and the rules")
    validate.add_argument(
        "logs", nargs="+", metavar="LOG", help="event logs (JSON Lines), checked as one batch"
    )
    validate.add_argument(
        "--strict", action="store_true", help="treat warnings (legal but doubtful facts) as errors: exit 1"
    )
    validate.set_defaults(run=cmd_validate)

    schema = sub.add_parser("schema", help="print the JSON Schema of log format v1")
    schema.set_defaults(run=cmd_schema)

    listing = sub.add_parser(
        "list", help="the instruments, cases and actors a ledger knows, with their event counts"
    )
    _add_source(listing)
    _add_stored_by(listing)
    _add_format(listing, ["table", "json"])
    listing.set_defaults(run=cmd_list)

    status = sub.add_parser("status", help="each party's status in an instrument")
    _add_source(status)
    status.add_argument("--instrument", required=True, metavar="SLUG", help="the instrument (see `list`)")
    _add_times(status)
    _add_format(status, ["table", "json", "csv"])
    status.set_defaults(run=cmd_status)

    reservations = sub.add_parser(
        "reservations", help="reservations and declarations in force to a treaty, with objections"
    )
    _add_source(reservations)
    reservations.add_argument("--instrument", required=True, metavar="SLUG", help="the treaty (see `list`)")
    _add_times(reservations)
    _add_format(reservations, ["table", "json", "csv"])
    reservations.set_defaults(run=cmd_reservations)

    relations = sub.add_parser(
        "relations", help="towards which other parties a treaty binds a party (objections included)"
    )
    _add_source(relations)
    relations.add_argument("--instrument", required=True, metavar="SLUG", help="the treaty (see `list`)")
    relations.add_argument("--party", required=True, help="code or English name (CAN, CA, Canada)")
    _add_times(relations)
    _add_format(relations, ["table", "json", "csv"])
    relations.set_defaults(run=cmd_relations)

    cases = sub.add_parser("cases", help="detention cases and days detained")
    _add_source(cases)
    cases.add_argument("--case", metavar="SLUG", help="only this case (see `list`)")
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
    timeline.add_argument(
        "--party", required=True, help="code or English name (CAN, CA, Canada), or actor:SLUG"
    )
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
    importer.add_argument(
        "--no-backdate",
        action="store_true",
        help="refuse the logs (nothing written) if a line is recorded before facts already stored "
        "about the same case or instrument",
    )
    importer.set_defaults(run=cmd_import)

    export = sub.add_parser("export", help="write a store's events as log format v1, or as Parquet files")
    _add_db(export, required=True)
    _add_out(export, "the log (with --format parquet: a directory)")
    _add_stored_by(export)
    export.add_argument(
        "--format",
        choices=["jsonl", "parquet"],
        default="jsonl",
        help="jsonl (log format v1, the default) or parquet: events and both history tables",
    )
    export.set_defaults(run=cmd_export)

    rebuild = sub.add_parser("rebuild", help="write a store's history tables afresh from its events")
    _add_db(rebuild, required=True)
    rebuild.set_defaults(run=cmd_rebuild)

    stamps = sub.add_parser("stamps", help="when each batch was stored, by the store's own clock (audit)")
    _add_db(stamps, required=True)
    _add_format(stamps, ["table", "csv", "json"])
    stamps.set_defaults(run=cmd_stamps)

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
    _add_out(redact, "the redacted log")
    redact.set_defaults(run=cmd_redact)

    plot = sub.add_parser("plot", help="draw signatories or cases over time to an image file")
    charts = plot.add_subparsers(dest="chart", required=True, metavar="CHART", help="which chart")
    signatories = charts.add_parser("signatories", help="parties by status over time, as a step chart")
    _add_source(signatories)
    signatories.add_argument("--instrument", required=True, metavar="SLUG", help="the instrument to draw")
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
        chart.add_argument(
            "--out",
            required=True,
            metavar="FILE",
            help="the image: FILE.png, .svg or .pdf, replaced only once complete; "
            "- writes PNG to standard output, as does a device or a pipe",
        )
        chart.set_defaults(run=cmd_plot)
    return parser


def _check_times(args: argparse.Namespace) -> None:
    """Warn when `--as-of` lies in the future: the answer is what is recorded now, not a forecast."""
    as_of = query_date(getattr(args, "as_of", None), "as_of")
    if as_of is not None and as_of > today():
        _warn(
            f"--as-of {as_of} is in the future: this shows what is recorded now "
            "as if nothing changed until then, not a forecast"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        _check_times(args)
        status = run(args)
        _flush_stdout()
        return status
    except EventLogError as exc:
        _report(exc)
        return 1
    except OutputError as exc:
        _error(str(exc))
        if str(exc).startswith(STDOUT):
            _discard_stdout()
        return 1
    except DeclarationEventsError as exc:
        _error(str(exc))
        return 1
    except BrokenPipeError:
        _discard_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
