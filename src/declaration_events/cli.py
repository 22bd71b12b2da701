"""The `declaration-events` command, for people who never open Python."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import DeclarationEventsError, EventLogError, UnknownEntityError
from .eventlog import iter_events
from .events import event_json_schema
from .ledger import Ledger
from .tables import (
    cases_csv,
    cases_table,
    condemnations_table,
    signatories_csv,
    signatories_table,
    timeline_table,
)

__all__ = ["main"]

PROG = "declaration-events"


class UsageError(DeclarationEventsError):
    """The command line asks for something impossible."""


def _ledger(args: argparse.Namespace) -> Ledger:
    db = getattr(args, "db", None)
    if db and args.logs:
        raise UsageError("give either LOG files or --db, not both")
    if db:
        return Ledger.open(db)
    if not args.logs:
        raise UsageError("give at least one LOG file (or --db URL)")
    return Ledger.from_jsonl(*args.logs)


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
    _emit(args, result.to_dict(), signatories_table(result), signatories_csv(result))
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    """Print detention cases."""
    ledger = _ledger(args)
    result = ledger.cases(as_of=args.as_of, known_at=args.known_at)
    if args.case:
        known = ledger.case_slugs()
        if args.case not in known:
            raise _suggest("case", args.case, known)
        result = type(result)(
            rows=tuple(r for r in result if r.case == args.case),
            as_of=result.as_of,
            known_at=result.known_at,
            counts={r.status: 1 for r in result if r.case == args.case and not r.uncertain},
        )
    _emit(args, result.to_dict(), cases_table(result), cases_csv(result))
    return 0


def cmd_timeline(args: argparse.Namespace) -> int:
    """Print every fact about one party."""
    result = _ledger(args).timeline(args.party, known_at=args.known_at)
    _emit(args, result.to_dict(), timeline_table(result), None)
    return 0


def cmd_condemnations(args: argparse.Namespace) -> int:
    """Print condemnations."""
    result = _ledger(args).condemnations(
        as_of=args.as_of, known_at=args.known_at, actor=args.actor, target=args.target
    )
    _emit(args, result.to_dict(), condemnations_table(result), None)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of one line of log format v1."""
    print(json.dumps(event_json_schema(), indent=2, sort_keys=True, ensure_ascii=False))
    return 0


def _add_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("logs", nargs="*", metavar="LOG", help="event logs (JSON Lines), read as one batch")


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
    _add_times(cases)
    _add_format(cases, ["table", "json", "csv"])
    cases.set_defaults(run=cmd_cases)

    timeline = sub.add_parser("timeline", help="every fact about one party")
    _add_source(timeline)
    timeline.add_argument("--party", required=True, help="code or English name")
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
