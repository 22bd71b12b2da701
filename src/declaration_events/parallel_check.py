"""The rules on two cores: a large batch's entities checked by this process and a second one.

Each entity a batch touches is checked on its own (`checking.check_entity`), so a batch of at
least `PARALLEL_EVENTS` events is cut in two: a second process (spawned, as for reading, so
that none of this process's threads is copied) checks a run of entities at the end of the
sorted order (before the statements, which stay here) holding about `SHARE` of the events,
while this process checks the others. The second process gets the packed records of its
entities and their stored facts, and sends back, pickled, the folds, the backdated events and
the entities its facts name (this process checks that the store or the batch knows them).

The result is the serial check's (tested): the same plan, the same folds, the backdated events
in the same order, and the same error. When the second process finds a rule broken, fails or
cannot start, this process checks its entities itself, so that the error raised is the one the
serial check raises first: errors are met in sorted entity order, and an error in an entity
after the second process's run waits until that run is known to be legal.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO
from uuid import UUID

from . import checking
from .checking import Plan, Routed
from .errors import DeclarationEventsError
from .events import STATEMENTS, Corrected, Retracted
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
    if len(batch) < PARALLEL_EVENTS or (os.cpu_count() or 1) < 2 or not sys.executable:
        return checking.check(projection, versions, batch, progress, knows=knows)
    known = knows or projection.knows
    helper = _Helper.start()  # first: it starts while the batch is sorted
    try:
        routed = checking.route(projection, batch)
        touched = routed.touched
        theirs = _their_share(routed, touched)
        if theirs and helper is not None:
            helper.send(_job(projection, routed, theirs))
    except BaseException:
        if helper is not None:
            helper.stop()
        raise
    if not theirs or helper is None:
        if helper is not None:
            helper.stop()
        return checking.check(projection, versions, batch, progress, knows=knows)
    new_entities = set(routed.facts)
    folded: dict[str, History | bytes] = {}
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
            backdated[entity] = found
            if history is not None:
                folded[entity] = history
        done = helper.finish()
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
    """Records in columns, cheap to pickle (the ids as numbers)."""

    ids: list[int]
    types: list[str]
    entities: list[str]
    packed: list[bytes]

    @classmethod
    def of(cls, records: Sequence[Recorded]) -> _Records:
        return cls(
            [record.id.int for record in records],
            [record.type for record in records],
            [record.entity for record in records],
            [record.packed for record in records],
        )

    def records(self) -> list[Recorded]:
        columns = zip(self.ids, self.types, self.entities, self.packed, strict=True)
        return [Recorded(UUID(int=number), kind, entity, packed) for number, kind, entity, packed in columns]


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
    folded: dict[str, History | bytes]  # from the second process: each fold pickled
    backdated: dict[str, list[UUID]]
    named: set[str]  # the entities their facts name, not in the run itself


def _job(projection: Projection, routed: Routed, theirs: list[str]) -> _Job:
    wanted = set(theirs)
    facts = [record for entity in theirs for record in routed.facts.get(entity, ())]
    count = sum(len(amendments) for amendments in routed.amendments.values())
    routed_amendments = routed.records[len(routed.records) - count :]  # after the facts (`checking.route`)
    amendments = [record for record in routed_amendments if record.entity in wanted]
    stored = list(projection.recorded_of(theirs))
    return _Job(theirs, _Records.of(facts), _Records.of(amendments), _Records.of(stored))


def _checked(
    projection: Projection,
    routed: Routed,
    entities: list[str],
    known: Callable[[str], bool],
    new_entities: set[str],
    *,
    pickled: bool = False,
) -> _Done:
    """Check a run of entities (raises on the first broken rule); `pickled`: keep each fold pickled
    (in the second process: this process takes them in as they are, and unpickles one when asked)."""
    done = _Done(True, {}, {}, set())
    for entity in entities:
        found, history = checking.check_entity(projection, entity, routed, known, new_entities)
        done.backdated[entity] = found
        if history is not None:
            done.folded[entity] = (
                pickle.dumps(history, protocol=pickle.HIGHEST_PROTOCOL) if pickled else history
            )
    return done


def _serve(job: _Job) -> _Done:
    """Check a job's entities (in the second process); a broken rule is reported as not legal."""
    projection = Projection()
    projection.add_recorded(job.stored.records())
    facts: dict[str, list[Recorded]] = {}
    for record in job.facts.records():
        facts.setdefault(record.entity, []).append(record)
    amendments: dict[str, list[Corrected | Retracted]] = {}
    for record in job.amendments.records():
        amendments.setdefault(record.entity, []).append(record.decode())  # type: ignore[arg-type]
    routed = Routed(facts, amendments, [])
    named: set[str] = set()

    def known(entity: str) -> bool:
        named.add(entity)  # this process asks the store or the batch
        return True

    try:
        done = _checked(projection, routed, job.entities, known, set(facts), pickled=True)
    except DeclarationEventsError:
        return _Done(False, {}, {}, set())
    done.named = named
    return done


def _main() -> None:
    """The second process: read a job on standard input, send what it found on standard output."""
    gc.disable()  # as `checking.bulk`: millions of long-lived objects and no cycles
    job = pickle.load(sys.stdin.buffer)  # noqa: S301 - our own parent's job
    pickle.dump(_serve(job), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


_CHILD = "from declaration_events.parallel_check import _main\n_main()\n"


class _Helper:
    """The second process, sent its job by a thread while this process checks its own entities."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._sender: threading.Thread | None = None

    @classmethod
    def start(cls) -> _Helper | None:
        """Start the second process (None if it cannot start: then this one checks everything)."""
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
        try:
            process = subprocess.Popen(  # noqa: S603 - this interpreter, this module
                [sys.executable, "-c", _CHILD],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a failure is checked here again, and reported as ours
                env=environment,
            )
        except OSError:
            return None
        return cls(process)

    def send(self, job: _Job) -> None:
        """Send the job, from a thread: the pipe takes it as the second process reads it."""
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        self._sender = threading.Thread(target=_send, args=(self._process.stdin, data), daemon=True)
        self._sender.start()

    def finish(self) -> _Done | None:
        """What the second process found (None if it failed)."""
        assert self._process.stdout is not None  # noqa: S101 - opened as a pipe
        try:
            done = pickle.load(self._process.stdout)  # noqa: S301 - our own child's output
        except (EOFError, pickle.UnpicklingError, OSError, ValueError, AttributeError, ImportError):
            done = None
        self._process.stdout.close()
        self._join()
        if self._process.wait() != 0 or not isinstance(done, _Done):
            return None
        return done

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
