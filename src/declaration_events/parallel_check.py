"""The rules on two cores: a large batch's entities checked by this process and a second one.

Each entity a batch touches is checked on its own (`checking.check_entity`), so a batch of at
least `PARALLEL_EVENTS` events is cut in two: a second process (`second_process`, as for
reading) checks a run of entities at the end of the
sorted order (before the statements, which stay here) costing about `SHARE` of the work,
while this process checks the others. The second process gets the packed records of its
entities and their stored facts, and sends back, pickled, the folds, the backdated events and
the entities its facts name (this process checks that the store or the batch knows them). The
folds are read as they come down the pipe, and each event id in them is this process's own
id object (`_IdPickler`): the ledger holds what a check on one core leaves.

The result is the serial check's (tested): the same plan, the same folds, the backdated events
in the same order, and the same error. When the second process finds a rule broken, fails or
cannot start, this process checks its entities itself, so that the error raised is the one the
serial check raises first: errors are met in sorted entity order, and an error in an entity
after the second process's run waits until that run is known to be legal.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO
from uuid import UUID

from . import checking, second_process
from .checking import Plan, Routed
from .errors import DeclarationEventsError
from .events import STATEMENTS, Corrected, Retracted
from .ids import uuid_from_int
from .progress import OFF, Progress
from .projections import Projection
from .records import Recorded
from .rules import CaseHistory, InstrumentHistory

__all__ = ["PARALLEL_EVENTS", "SHARE", "check"]

#: The smallest batch checked on two cores: below it, starting the second process (an interpreter
#: and this package: about half a second) costs more than it saves.
PARALLEL_EVENTS = 50_000
#: About what share of a batch's events the second process checks: it also starts, reads its part
#: and sends its folds back, while this process sends the part and takes the folds in.
SHARE = 0.45
#: What checking a statement costs, against a fact that is folded (measured: 3 µs and 18 µs).
_STATEMENT_COST = 0.15

History = InstrumentHistory | CaseHistory


def check(
    projection: Projection,
    versions: Mapping[str, int],
    batch: Sequence[Recorded],
    progress: Progress = OFF,
    *,
    knows: Callable[[str], bool] | None = None,
) -> Plan:
    """`checking.check`, on two cores for a batch of at least `PARALLEL_EVENTS` events."""
    began = time.monotonic()
    helper = _Helper.start() if len(batch) >= PARALLEL_EVENTS and second_process.cores() > 1 else None
    if helper is None:
        return checking.check(projection, versions, batch, progress, knows=knows)
    known = knows or projection.knows
    try:  # the second process starts while the batch is sorted
        routed = checking.route(projection, batch)
        touched = routed.touched
        theirs = _their_share(routed, touched)
        if theirs:
            helper.send(*_job(projection, routed, theirs))
    except BaseException:
        helper.stop()
        raise
    if not theirs:  # one entity holds most of the work: nothing to share
        helper.stop()
        return checking.check(projection, versions, batch, progress, knows=knows)
    new_entities = set(routed.facts)
    folded: dict[str, History] = {}
    backdated: dict[str, list[UUID]] = {}
    later: DeclarationEventsError | None = None  # the first error after their run
    first, last = touched.index(theirs[0]), touched.index(theirs[-1])
    ours = touched[:first] + touched[last + 1 :]
    try:
        for entity in progress.iterate(ours, "checking", total=len(ours), unit="entity"):
            try:
                found, history = checking.check_entity(projection, entity, routed, known, new_entities)
            except DeclarationEventsError as exc:
                if touched.index(entity) < first:
                    raise
                later = exc
                break
            if found:
                backdated[entity] = found
            if history is not None:
                folded[entity] = history
        done = helper.finish(time.monotonic() - began)
    except BaseException:
        helper.stop()
        raise
    if (
        done is None
        or not done.legal
        or any(name not in new_entities and not known(name) for name in done.named)
    ):
        # A rule broken there, a reference unknown, or no second process: check them here, to
        # raise the error the serial check raises (an error of ours after their run waits).
        done = _checked(projection, routed, theirs, known, new_entities)
    folded.update(done.folded)
    backdated.update(done.backdated)
    if later is not None:
        raise later
    in_order = [found for entity in touched for found in backdated.get(entity, ())]
    return checking.plan_of(routed, versions, folded, in_order)


def _their_share(routed: Routed, touched: list[str]) -> list[str]:
    """The run of entities at the end of the sorted order (the statements excepted) whose checking
    costs closest to `SHARE` of the batch's (empty when that is none of them)."""
    costs = {entity: float(len(routed.facts.get(entity, ()))) for entity in touched}
    for entity, amendments in routed.amendments.items():
        costs[entity] += len(amendments)
    if STATEMENTS in costs:  # a statement is only looked up, not folded: a seventh of a fact's cost
        costs[STATEMENTS] = costs[STATEMENTS] * _STATEMENT_COST
    wanted = SHARE * sum(costs.values())
    end = len(touched) - 1 if touched and touched[-1] == STATEMENTS else len(touched)
    taken, start = 0.0, end
    while start > 0 and abs(taken + costs[touched[start - 1]] - wanted) < abs(taken - wanted):
        start -= 1
        taken += costs[touched[start]]
    return touched[start:end]


# -- what goes to the second process, and what comes back -------------------------------------------


@dataclass
class _Records:
    """Records in columns, cheap to pickle, and cheap to build here: the ids in one string of 16
    bytes each (a list of numbers would leave this process's heap full of holes once freed)."""

    ids: bytes
    types: list[str]
    entities: list[str]
    packed: list[bytes]

    @classmethod
    def of(cls, records: Sequence[Recorded]) -> _Records:
        return cls(
            b"".join(record.id.int.to_bytes(16) for record in records),  # (`UUID.bytes`, without its call)
            [record.type for record in records],
            [record.entity for record in records],
            [record.packed for record in records],
        )

    def numbers(self) -> Iterator[int]:
        """The ids as numbers, in order."""
        for at in range(0, len(self.ids), 16):
            yield int.from_bytes(self.ids[at : at + 16])

    def records(self) -> list[Recorded]:
        columns = zip(self.numbers(), self.types, self.entities, self.packed, strict=True)
        return [Recorded(uuid_from_int(number), kind, entity, line) for number, kind, entity, line in columns]


@dataclass
class _Job:
    """The second process's part: its entities, their new facts and amendments, their stored facts."""

    entities: list[str]
    facts: _Records
    amendments: _Records
    stored: _Records


@dataclass
class _Done:
    """What checking a run of entities found."""

    legal: bool
    folded: dict[str, History]
    backdated: dict[str, list[UUID]]
    named: set[str]  # the entities their facts name, not in the run itself


def _job(projection: Projection, routed: Routed, theirs: list[str]) -> tuple[_Job, list[UUID]]:
    """The second process's job, and the ids of its records in the order sent (see `_IdPickler`)."""
    wanted = set(theirs)
    facts = [record for entity in theirs for record in routed.facts.get(entity, ())]
    count = sum(len(amendments) for amendments in routed.amendments.values())
    routed_amendments = routed.records[len(routed.records) - count :]  # after the facts (`checking.route`)
    amendments = [record for record in routed_amendments if record.entity in wanted]
    stored = list(projection.recorded_of(theirs))
    job = _Job(theirs, _Records.of(facts), _Records.of(amendments), _Records.of(stored))
    return job, [record.id for record in itertools.chain(facts, amendments, stored)]


def _checked(
    projection: Projection,
    routed: Routed,
    entities: list[str],
    known: Callable[[str], bool],
    new_entities: set[str],
) -> _Done:
    """Check a run of entities (raises on the first broken rule)."""
    done = _Done(True, {}, {}, set())
    for entity in entities:
        found, history = checking.check_entity(projection, entity, routed, known, new_entities)
        if found:
            done.backdated[entity] = found
        if history is not None:
            done.folded[entity] = history
    return done


def _serve(job: _Job, records: tuple[list[Recorded], list[Recorded], list[Recorded]]) -> _Done:
    """Check a job's entities (in the second process), given its facts', amendments' and stored
    facts' records; a broken rule is reported as not legal."""
    new, amended, stored = records
    projection = Projection()
    projection.add_recorded(stored)
    facts: dict[str, list[Recorded]] = {}
    for record in new:
        facts.setdefault(record.entity, []).append(record)
    amendments: dict[str, list[Corrected | Retracted]] = {}
    for record in amended:
        amendments.setdefault(record.entity, []).append(record.decode())  # type: ignore[arg-type]
    routed = Routed(facts, amendments, [])
    named: set[str] = set()

    def known(entity: str) -> bool:
        named.add(entity)  # this process asks the store or the batch
        return True

    try:
        done = _checked(projection, routed, job.entities, known, set(facts))
    except DeclarationEventsError:
        return _Done(False, {}, {}, set())
    done.named = named
    return done


def _main() -> None:
    """The second process: read a job on standard input, send what it found on standard output."""
    gc.disable()  # as `checking.bulk`: millions of long-lived objects and no cycles
    job: _Job = pickle.load(sys.stdin.buffer)  # noqa: S301 - our own parent's job
    _reply(job, sys.stdout.buffer)


def _reply(job: _Job, out: IO[bytes]) -> None:
    """Check a job's entities and write what was found to `out` (read back with `_read_reply`).

    The folds go first, `_CHUNK` entities to a pickle, then the rest of `_Done` without them. An
    unpickler keeps every object a pickle names until its end (among them the arguments each
    change point is built from): one pickle of every fold would leave this process's heap full
    of holes once read (a tenth of a large ledger's memory, measured).
    """
    records = job.facts.records(), job.amendments.records(), job.stored.records()
    positions = {record.id.int: at for at, record in enumerate(itertools.chain(*records))}
    done = _serve(job, records)
    entities = list(done.folded)
    for start in range(0, len(entities), _CHUNK):
        chunk = {entity: done.folded[entity] for entity in entities[start : start + _CHUNK]}
        _IdPickler(out, positions).dump(chunk)
    _IdPickler(out, positions).dump(_Done(done.legal, {}, done.backdated, done.named))


def _read_reply(stream: IO[bytes], ids: Sequence[UUID]) -> _Done:
    """What `_reply` wrote: folds in chunks, then the rest (raises on a reply cut short)."""
    folded: dict[str, History] = {}
    table = _Persistent(ids)
    while True:
        part = _IdUnpickler(stream, table).load()
        if isinstance(part, _Done):
            part.folded = folded
            return part
        if not isinstance(part, dict):
            raise pickle.UnpicklingError(f"unexpected part of a reply: {type(part).__name__}")
        folded.update(part)


#: Entities whose folds go in one pickle of a reply (see `_reply`).
_CHUNK = 1000


class _IdPickler(pickle.Pickler):
    """Sends each id of a record the job holds as its place in the job, so that the parent takes its
    own id object (one object an event, as a check on one core keeps), and each date as its day
    number, so that the parts of a reply share one object a day (each part's memo is its own)."""

    def __init__(self, file: IO[bytes], positions: Mapping[int, int]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._positions = positions

    def persistent_id(self, obj: object) -> int | None:
        """A record's id: its place in the job (0 on); a date: minus its day number; else None."""
        if isinstance(obj, UUID):
            return self._positions.get(obj.int)
        if type(obj) is date:  # (not a datetime)
            return -obj.toordinal()
        return None


class _Persistent(dict[int, date]):
    """What `_IdPickler`'s numbers stand for: a day met before is found without a Python call (three
    of every four numbers a case's change point sends are days); a record's id, or a new day, is
    looked up by `__missing__`."""

    def __init__(self, ids: Sequence[UUID]) -> None:
        super().__init__()
        self._ids = ids

    def __missing__(self, pid: object) -> UUID | date:
        """The id at a place in the job, or the day of a (negative) day number, kept."""
        if not isinstance(pid, int):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        if pid >= 0:
            return self._ids[pid]
        day = self[pid] = date.fromordinal(-pid)
        return day


class _IdUnpickler(pickle.Unpickler):
    """Takes back what `_IdPickler` sent as numbers: the records' own ids, and one object a day."""

    def __init__(self, file: IO[bytes], table: _Persistent) -> None:
        super().__init__(file)
        self.persistent_load = table.__getitem__  # type: ignore[method-assign] # (a C-level lookup)


_CHILD = "from declaration_events.parallel_check import _main\n_main()\n"


class _Helper:
    """The second process, sent its job by a thread while this process checks its own entities."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._sender: threading.Thread | None = None
        self._ids: list[UUID] = []

    @classmethod
    def start(cls) -> _Helper | None:
        """Start the second process (None if it cannot start: then this one checks everything)."""
        process = second_process.start(_CHILD, stdin=True)
        return None if process is None else cls(process)

    def send(self, job: _Job, ids: list[UUID]) -> None:
        """Send the job, from a thread (the pipe takes it as the second process reads it); `ids`: its
        records' ids, in the order sent."""
        self._ids = ids
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=_send, args=(self._process.stdin, data), daemon=True)
        self._sender.start()

    def finish(self, own: float) -> _Done | None:
        """What the second process found (None if it failed, or took too long: `own` is how many
        seconds this process's part took, see `second_process.deadline`)."""
        assert self._process.stdout is not None  # noqa: S101 - opened as a pipe
        with second_process.deadline(self._process, own):
            try:
                done: _Done | None = _read_reply(self._process.stdout, self._ids)  # our own child's output
            except Exception:  # whatever went wrong there, this process checks its part itself
                done = None
            if done is None:
                self.stop()  # without waiting for the rest of a reply it cannot read
                return None
            self._process.stdout.close()
            self._join()
            ended = self._process.wait()
        return done if ended == 0 else None

    def stop(self) -> None:
        """Stop the second process (not needed, or this one failed or was interrupted)."""
        if self._process.poll() is None:
            self._process.kill()
        self._join()  # the sender meets the broken pipe, and closes it
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError, ValueError):
                    pipe.close()
        self._process.wait()

    def _join(self) -> None:
        if self._sender is not None:
            self._sender.join()


def _send(pipe: IO[bytes] | None, job: bytes) -> None:
    """Write the job to the second process and close its input (a dead process is seen by `finish`)."""
    if pipe is None:
        return
    with contextlib.suppress(OSError):
        try:
            pipe.write(job)
        finally:
            pipe.close()
