"""Reading logs for an import: every line validated, stamped and packed, on one core or two.

`read_logs` reads each log with `eventlog.iter_events` and keeps each event only as its
compact record (`checking.compact`): a log of millions of events is not held as models.

A log file of at least `SPLIT_BYTES` is read on two cores. It is cut at the first newline
after its middle; another process (spawned, so that none of this process's threads is
copied) reads the second part as `iter_events` would, numbering its lines from where that
part starts, and stamps and packs its events, while this process reads the first part. The
parts are then joined as one reading would join them: the second part's events follow the
first's; an id used in both parts is the same line twice (taken once) or, with other
content, an error naming the later line; and the errors of both parts come in line order, at
most `eventlog.MAX_ERRORS`. The records, the line numbers and the errors are those of a
reading on one core (tested).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import time
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from uuid import UUID

from . import checking, second_process
from .checking import Locations
from .errors import EventLogError, LineError
from .eventlog import MAX_ERRORS, LogSource, iter_events, source_name
from .events import EVENT_ADAPTER, EventBase
from .ids import uuid_from_bytes
from .progress import OFF, Progress
from .records import Recorded

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["SPLIT_BYTES", "log_bytes", "read_logs"]

#: The smallest log file read on two cores (about 80,000 lines): below it, starting the second
#: process (about half a second) costs more than it saves.
SPLIT_BYTES = 16 << 20
#: How much more of a file this process reads than the second one: about what it reads while the
#: second process starts (an interpreter, and this package's models: about 0.8 s).
_HEAD_START = 4 << 20
#: How many events the reading stage lets pass between two looks at the file's position.
_MEASURE_EVERY = 1024


def log_bytes(sources: Iterable[LogSource]) -> int | None:
    """The logs' size in bytes, if every one is a file path (None for streams and unreadable files)."""
    total = 0
    for source in sources:
        if not isinstance(source, str | os.PathLike):
            return None
        try:
            total += os.stat(source).st_size
        except OSError:
            return None  # the reader reports it, with its name
    return total


def read_logs(
    sources: Iterable[LogSource], now: datetime, progress: Progress = OFF
) -> tuple[list[Recorded | EventBase], Locations]:
    """Every event of the logs as its compact record (stamped with `now` if it has no record time).

    Each line is validated, then kept only as its canonical line (see `records`): a log of
    millions of events is not held in memory as models. Every bad line of every log is
    reported at once, as `FILE:LINE` (an `EventLogError`). `progress` shows the bytes read
    (or the events, when a log is a stream).
    """
    sources = list(sources)
    locations = Locations()
    items: list[Recorded | EventBase] = []
    errors: list[LineError] = []
    size = log_bytes(sources) if progress.enabled else None
    unit, scale = ("B", True) if size is not None else ("event", False)
    with progress.stage("reading", total=size, unit=unit, scale=scale) as bar:
        for source in sources:
            label = source_name(source)
            cut = _cut(source)
            if cut is not None:
                errors += _read_in_two(source, label, cut, now, locations.file(label), items, bar, errors)
                continue
            handle = _opened(source) if bar is not None and size is not None else None
            try:
                events: Iterable[EventBase] = iter_events(
                    handle or source, name=label, line_numbers=locations.file(label)
                )
                if bar is not None:
                    events = _measured(events, bar, handle)
                for event in events:
                    if not errors:
                        items.append(checking.compact(event, now))
            except EventLogError as exc:
                errors.extend(exc.errors)
            finally:
                if handle is not None:
                    handle.close()
    if errors:
        raise EventLogError(errors)
    locations.pack()
    return items, locations


# -- two cores --------------------------------------------------------------------------------


def _cut(source: LogSource) -> int | None:
    """Where to cut a log file read on two cores: just after the first newline from a little past its
    middle (`_HEAD_START`; None: a stream, a small file, one core, or no newline there)."""
    if not isinstance(source, str | os.PathLike) or second_process.cores() < 2:
        return None
    try:
        with Path(source).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < SPLIT_BYTES:
                return None
            handle.seek(min(size // 2 + _HEAD_START, size * 3 // 4))
            while block := handle.read(1 << 16):
                newline = block.find(b"\n")
                if newline >= 0:
                    cut = handle.tell() - len(block) + newline + 1
                    return cut if cut < size else None
    except OSError:
        return None  # the reader reports it, with its name
    return None


@dataclass
class _Part:
    """What the second process read of a file's second part: plain data in columns, cheap to send
    back and to take apart (the records' ids in one string of 16 bytes each)."""

    ids: bytes
    types: list[str]
    entities: list[str]
    packed: list[bytes]
    bad: dict[int, EventBase]  # by position: the events whose record time is wrong (`checking.compact`)
    lines: list[int]  # the line of each record
    errors: list[tuple[int, str]]
    digests: dict[bytes, bytes]  # as `iter_events(digests=)`, by the id's bytes
    repeated: list[tuple[int, bytes]]  # as `iter_events(repeated=)`


def _read_part(path: str, start: int, label: str, now: datetime) -> _Part:
    """Read the part of a log file from `start` on (in the second process)."""
    first_line = 1
    part = _Part(b"", [], [], [], {}, [], [], {}, [])
    ids = bytearray()
    with Path(path).open("rb") as handle:
        left = start
        while left:
            block = handle.read(min(left, 1 << 20))
            if not block:
                break
            first_line += block.count(b"\n")
            left -= len(block)
        numbers: dict[UUID, int] = {}
        digests: dict[UUID, bytes] = {}
        repeated: list[tuple[int, UUID]] = []
        try:
            for event in iter_events(
                handle,
                name=label,
                line_numbers=numbers,
                first_line=first_line,
                digests=digests,
                repeated=repeated,  # their errors are not capped: `_join` may judge them again
            ):
                item = checking.compact(event, now)
                if isinstance(item, EventBase):
                    part.bad[len(part.lines)] = item
                    item = Recorded(item.id, item.type, "", b"")
                ids += item.id.bytes
                part.types.append(item.type)
                part.entities.append(item.entity)
                part.packed.append(item.packed)
                part.lines.append(numbers[event.id])
        except EventLogError as exc:
            part.errors = [(error.line, error.message) for error in exc.errors]
    part.ids = bytes(ids)
    part.digests = {key.bytes: value for key, value in digests.items()}
    part.repeated = [(line, key.bytes) for line, key in repeated]
    return part


def _read_in_two(
    source: LogSource,
    label: str,
    cut: int,
    now: datetime,
    numbers: MutableMapping[UUID, int],
    items: list[Recorded | EventBase],
    bar: tqdm[Any] | None,
    earlier: list[LineError],
) -> list[LineError]:
    """Read a log file on two cores (see the module); add its records to `items` (unless there are
    errors, in it or `earlier`) and its lines to `numbers`; return its errors."""
    path = os.fspath(source)  # type: ignore[arg-type]  # `_cut` said it is a path
    began = time.monotonic()
    second = _start_part(path, cut, label, now)
    try:
        digests: dict[UUID, bytes] = {}
        errors: list[LineError] = []
        first: list[Recorded | EventBase] = []
        with Path(path).open("rb") as handle:
            try:
                part = _Limited(handle, cut)
                limited = cast("IO[bytes]", part)
                events = iter_events(limited, name=label, line_numbers=numbers, digests=digests)
                for event in _measured(events, bar, part) if bar is not None else events:
                    if not errors and not earlier:
                        first.append(checking.compact(event, now))
            except EventLogError as exc:
                errors = list(exc.errors)
        rest = _finish_part(second, path, cut, label, now, time.monotonic() - began)
    except BaseException:  # an interrupt, no memory: the second process is not left waiting on its pipe
        if second is not None and second.poll() is None:
            second.kill()
            second.communicate()
        raise
    if bar is not None:
        bar.update(os.path.getsize(path) - cut)
    taken = _join(path, label, numbers, digests, rest, errors)
    errors.sort(key=lambda error: error.line)
    del errors[MAX_ERRORS:]  # the first ones, as one reading lists them
    if not errors and not earlier:
        items += first
        items += taken
    return errors


def _start_part(path: str, cut: int, label: str, now: datetime) -> subprocess.Popen[bytes] | None:
    """Start the second process on the file's second part (None if it cannot start: then this one
    reads it)."""
    return second_process.start(_CHILD, path, str(cut), label, now.isoformat())


def _finish_part(
    process: subprocess.Popen[bytes] | None, path: str, cut: int, label: str, now: datetime, own: float
) -> _Part:
    """What the second process read (unpickled as it comes down the pipe: never held twice); or, if
    it could not start, failed or took too long (`second_process.deadline`, `own`: the seconds this
    process's part took), that part read here."""
    if process is not None:
        assert process.stdout is not None  # noqa: S101 - opened as a pipe
        with second_process.deadline(process, own):
            try:
                part = pickle.load(process.stdout)  # noqa: S301 - our own child's output
            except (EOFError, pickle.UnpicklingError, OSError, ValueError):
                part = None
            process.stdout.close()
            ended = process.wait()
        if ended == 0 and isinstance(part, _Part):
            return part
    return _read_part(path, cut, label, now)


#: The second process: read the part, send it back pickled on standard output.
_CHILD = (
    "import pickle, sys\n"
    "from datetime import datetime\n"
    "from declaration_events.reading import _read_part\n"
    "part = _read_part(sys.argv[1], int(sys.argv[2]), sys.argv[3], datetime.fromisoformat(sys.argv[4]))\n"
    "pickle.dump(part, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)\n"
)


def _join(
    path: str,
    label: str,
    numbers: MutableMapping[UUID, int],
    digests: dict[UUID, bytes],
    rest: _Part,
    errors: list[LineError],
) -> list[Recorded | EventBase]:
    """The second part's records after the first's, and its errors added to `errors`. A line of the
    second part whose id the first part has (`numbers`) is judged again against the first line
    with that id, as `iter_events` would: the same line twice (dropped) or an error."""
    again: dict[int, UUID] = {}  # line -> an id the first part has
    for line, key in rest.repeated:
        repeated = uuid_from_bytes(key)
        if repeated in numbers:
            again[line] = repeated
    errors += [LineError(label, line, message) for line, message in rest.errors if line not in again]
    taken: list[Recorded | EventBase] = []
    columns = zip(rest.types, rest.entities, rest.packed, rest.lines, strict=True)
    for index, (kind, entity, packed, line) in enumerate(columns):
        event_id = uuid_from_bytes(rest.ids[16 * index : 16 * index + 16])
        if event_id in numbers:  # the first part's (the second part's own repeats are not records)
            again[line] = event_id
            continue
        numbers[event_id] = line
        taken.append(rest.bad[index] if index in rest.bad else Recorded(event_id, kind, entity, packed))
    if again:  # rare: read those lines again, and judge them as one reading would
        for line, event in _lines_again(path, set(again)):
            first = digests.get(event.id)
            same = event.fact_digest() == first if first is not None else event.derived_id() == event.id
            if not same:
                message = f"id {event.id} is already used by line {numbers[event.id]} for other content"
                errors.append(LineError(label, line, message))
    return taken


def _lines_again(path: str, wanted: set[int]) -> Iterator[tuple[int, EventBase]]:
    """The events of some lines of a log file, read again."""
    with Path(path).open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number in wanted:
                yield number, EVENT_ADAPTER.validate_json(raw)


class _Limited:
    """A binary file read up to a position (the first part of a log read on two cores)."""

    def __init__(self, handle: IO[bytes], end: int) -> None:
        self._handle = handle
        self._left = end
        self.name = handle.name

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (all that is left if negative), never past the end."""
        if size < 0 or size > self._left:
            size = self._left
        block = self._handle.read(size)
        self._left -= len(block)
        return block

    def tell(self) -> int:
        """The position in the file."""
        return self._handle.tell()

    @property
    def closed(self) -> bool:
        """Whether the file is closed."""
        return self._handle.closed


# -- progress ----------------------------------------------------------------------------------


def _opened(source: LogSource) -> IO[bytes] | None:
    """The log file opened for reading, so that its position measures progress (None: let the
    reader open it, and report why it cannot)."""
    try:
        return Path(source).open("rb")  # type: ignore[arg-type]  # a path: `log_bytes` said so
    except OSError:
        return None


def _measured(
    events: Iterable[EventBase], bar: tqdm[Any], handle: IO[bytes] | _Limited | None
) -> Iterator[EventBase]:
    """The events, moving the bar by the bytes read (or by events, for a stream)."""
    start = bar.n
    count = 0
    for event in events:
        yield event
        count += 1
        if count % _MEASURE_EVERY == 0:
            bar.update(handle.tell() + start - bar.n if handle is not None else _MEASURE_EVERY)
    if handle is not None and not handle.closed:
        bar.update(handle.tell() + start - bar.n)
    else:
        bar.update(count % _MEASURE_EVERY)
