"""Event logs in JSON Lines: a streaming reader with line-numbered errors, and a writer."""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from typing import IO, TypeAlias, cast
from uuid import UUID

from pydantic import ValidationError

from .errors import EventLogError, LineError
from .events import EVENT_ADAPTER, Event, EventBase, describe_validation_error

__all__ = ["LogSource", "iter_events", "read_events", "write_events"]

LogSource: TypeAlias = str | os.PathLike[str] | IO[bytes] | IO[str] | Iterable[str | bytes]

#: Longest line the reader accepts; no legitimate event comes near it.
MAX_LINE_BYTES = 1 << 20
#: How many bad lines a reader reports before it stops listing them.
MAX_ERRORS = 50
_BOM = b"\xef\xbb\xbf"
_ID_KEY = b'"id"'
#: How much of a line a reader takes at once: a piece this long without its newline is over the
#: limit even if the line starts with a byte-order mark, so lines are never held past it.
_READ = MAX_LINE_BYTES + len(_BOM) + 1
#: How much of a stream is read at a time: a block, or a piece of an overlong text line.
_BLOCK = _SKIP = 1 << 16


def source_name(source: LogSource) -> str:
    """How errors name a log source: its path, or the stream's name."""
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "<lines>"))


class _Overlong(bytes):
    """The start of a line over the limit (longer than the limit), and the size of the whole line."""

    size: int

    @classmethod
    def of(cls, head: bytes, size: int) -> _Overlong:
        line = cls(head)
        line.size = size
        return line


def iter_lines(stream: IO[bytes] | IO[str]) -> Iterator[bytes]:
    """The lines of a binary or text stream as bytes, none held whole much past the line limit.

    A longer line is read in bounded pieces to measure it, and comes as its start (still
    longer than the limit) with its `size`: a file of 1 GB without a newline costs a few MiB.
    """
    if isinstance(stream.read(0), str):
        return _text_lines(cast("Callable[[int], str]", stream.readline))
    return _byte_lines(cast("Callable[[int], bytes]", stream.read))  # not a generator: one fewer a line


def _byte_lines(read: Callable[[int], bytes]) -> Iterator[bytes]:
    # The hot path of every load: blocks are split into lines in C (BytesIO splits at b"\n" only,
    # as iterating a file does), so a line costs little more than it did read from the file.
    pending = b""  # the start of a line whose newline is not read yet
    block = read(_BLOCK)
    while block:
        if b"\n" in block:
            lines = io.BytesIO(pending + block if pending else block).readlines()
            pending = b"" if lines[-1].endswith(b"\n") else lines.pop()
            yield from lines
        else:
            pending += block
        block = read(_BLOCK)
        if len(pending) >= _READ:  # over the limit with no newline yet: measure the rest, drop it
            size, head, pending = len(pending), pending[:_READ], b""
            while block:
                end = block.find(b"\n") + 1
                if end:
                    size += end
                    block = block[end:] or read(_BLOCK)  # the lines after it, split on the next turn
                    break
                size += len(block)
                block = read(_BLOCK)
            yield _Overlong.of(head, size)
    if pending:
        yield pending  # the last line, without a newline


def _text_lines(readline: Callable[[int], str]) -> Iterator[bytes]:
    # _READ characters are at least _READ bytes: a longer piece without its newline is over the limit.
    while text := readline(_READ):
        line = text.encode("utf-8")
        if len(text) == _READ and not text.endswith("\n"):
            size = len(line)
            while piece := readline(_SKIP):
                size += len(piece.encode("utf-8"))
                if piece.endswith("\n"):
                    break
            line = _Overlong.of(line[:_READ], size)
        yield line


def _raw_lines(source: LogSource) -> Iterator[bytes]:
    if isinstance(source, str | os.PathLike):
        with Path(source).open("rb") as handle:
            yield from iter_lines(handle)
        return
    if hasattr(source, "read"):  # a stream: read in bounded pieces too
        yield from iter_lines(source)  # type: ignore[arg-type]
        return
    for line in source:
        yield line.encode("utf-8") if isinstance(line, str) else line


def iter_events(
    source: LogSource,
    *,
    name: str | None = None,
    locations: MutableMapping[UUID, str] | None = None,
    max_errors: int = MAX_ERRORS,
    line_numbers: MutableMapping[UUID, int] | None = None,
    first_line: int = 1,
    digests: MutableMapping[UUID, bytes] | None = None,
    repeated: list[tuple[int, UUID]] | None = None,
) -> Iterator[Event]:
    """Yield the events of a log as they are read; raise `EventLogError` at the end if any line was bad.

    Consumers that must take a file whole or not at all collect the events and
    drop them when the error comes (`read_events` does). The same line twice (the
    same id and content) is yielded once; the same id with other content is an error.
    Blank lines, CRLF endings and a leading byte-order mark are accepted.
    `locations` receives `"FILE:LINE"` for each event's id, `line_numbers` just the line.
    `first_line`: the number of the source's first line (a part of a file; see `reading`);
    `digests` receives the `fact_digest` of each event whose line names its id, and `repeated`
    the (line, id) of each line whose id an earlier line has (their errors are listed beyond
    `max_errors`).
    """
    label = name or source_name(source)
    errors: list[LineError] = []
    # The line of each id seen, and a digest of the content of lines that give their id (a
    # derived id is itself a hash of the content: a second line with that id says the same
    # if its content derives it too). No model is kept: a large log is not held twice.
    seen: MutableMapping[UUID, int] = line_numbers if line_numbers is not None else {}
    explicit: MutableMapping[UUID, bytes] = digests if digests is not None else {}
    truncated = False
    uncapped = 0  # errors listed beyond the cap (see `repeated`)

    def fail(line: int, message: str, *, capped: bool = True) -> None:
        nonlocal truncated
        if len(errors) < max_errors + uncapped or not capped:
            errors.append(LineError(label, line, message))
        else:
            truncated = True

    try:
        for number, raw in enumerate(_raw_lines(source), start=first_line):
            if number == 1 and raw.startswith(_BOM):
                raw = (
                    _Overlong.of(raw, raw.size - len(_BOM))
                    if isinstance(raw, _Overlong)
                    else raw[len(_BOM) :]
                )
            if len(raw) > MAX_LINE_BYTES:
                size = raw.size if isinstance(raw, _Overlong) else len(raw)
                fail(number, f"line is {size:,} bytes; the limit is {MAX_LINE_BYTES:,}")
                continue
            if not raw.strip():
                continue
            try:
                event = EVENT_ADAPTER.validate_json(raw)
            except ValidationError as exc:
                try:
                    raw.decode("utf-8")  # only now: a clearer message than the JSON parser's
                except UnicodeDecodeError as bad:
                    fail(number, f"invalid UTF-8 at byte {bad.start + 1}")
                else:
                    fail(number, describe_validation_error(exc))
                continue
            earlier = seen.get(event.id)
            if earlier is not None:
                if repeated is not None:
                    repeated.append((number, event.id))
                first = explicit.get(event.id)
                same = event.fact_digest() == first if first is not None else event.derived_id() == event.id
                if not same:
                    # with `repeated`, a reader of part of a file may judge the line again: not capped
                    message = f"id {event.id} is already used by line {earlier} for other content"
                    fail(number, message, capped=repeated is None)
                    uncapped += repeated is not None
                continue
            seen[event.id] = number
            if _ID_KEY in raw or b"\\u" in raw:  # the line may name its id (perhaps escaped)
                explicit[event.id] = event.fact_digest()
            if locations is not None:
                locations[event.id] = f"{label}:{number}"
            yield event
    except OSError as exc:
        raise EventLogError([LineError(label, 0, f"cannot read: {exc.strerror or exc}")]) from None
    if errors:
        raise EventLogError(errors, truncated=truncated)


def read_events(
    source: LogSource,
    *,
    name: str | None = None,
    locations: MutableMapping[UUID, str] | None = None,
    max_errors: int = MAX_ERRORS,
) -> list[Event]:
    """Read a whole log: every event, or `EventLogError` listing the bad lines and nothing else."""
    return list(iter_events(source, name=name, locations=locations, max_errors=max_errors))


def write_events(events: Iterable[EventBase], destination: str | os.PathLike[str] | IO[str]) -> int:
    """Write events as canonical log lines; return how many were written."""
    if isinstance(destination, str | os.PathLike):
        with Path(destination).open("w", encoding="utf-8", newline="\n") as handle:
            return write_events(events, handle)
    count = 0
    for event in events:
        destination.write(event.to_json())
        destination.write("\n")
        count += 1
    return count


def dumps_events(events: Iterable[EventBase]) -> str:
    """The events as one string of canonical log lines."""
    buffer = io.StringIO()
    write_events(events, buffer)
    return buffer.getvalue()
