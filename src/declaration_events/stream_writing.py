"""The write side of a ledger that has not indexed its whole store: a batch checked against its streams.

A ledger opened on a SQLite or PostgreSQL store (`Ledger.open`) answers questions about one
instrument from that instrument's stream (`stream_view`). A batch written to it is checked
the same way: against the streams it touches, read from the store, rather than against an
index of every stored event. What the rules read of the store is:

- the streams the batch adds to, and those of the events its corrections and retractions
  amend;
- every stored event that has an id of the batch (a fact recorded again, or an id used by
  another fact): the store indexes each event's id with its stream (`EventStore.entities_of`),
  and the index's key refuses an id stored twice, even by two writers at once;
- whether an entity that a fact names (an instrument, a case, an actor) has facts stored.

The batch is then checked, appended and read back exactly as on an indexed ledger
(`writing.Writer`), so the same batch is accepted or refused with the same error.

The whole store is indexed instead (`StreamWriter.try_record` returns None) when the store
does not index the ids of every event (written by an earlier version: the first whole-store
write indexes them), when the batch is large or touches many streams, or when the store keeps
history tables and the batch changes rows that depend on other entities (a case's rows show
the cases linking to it and its captor's name; a continuation changes the rows of every
instrument).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from .errors import StoreError
from .events import STATEMENTS, Corrected, EventBase, Retracted
from .progress import OFF, Progress
from .records import AMENDMENT_TYPES, Recorded, packed_strings
from .storage.base import StreamReader
from .stream_view import StreamView
from .writing import RecordResult, Writer

__all__ = ["STREAM_BATCH_LIMIT", "STREAM_LIMIT", "StreamWriter"]

#: The largest batch checked against its streams, and the most streams it may touch; beyond, the
#: whole store is indexed (many streams read one query each cost more than the notification log).
STREAM_BATCH_LIMIT = 10_000
STREAM_LIMIT = 1_000


class StreamWriter(Writer):
    """A `Writer` whose projection holds only the streams its batches touch (see the module)."""

    def __init__(self, store: StreamReader, view: StreamView) -> None:
        super().__init__(store, view.whole)  # type: ignore[arg-type]  # a durable store: both protocols
        self._reader = store
        self._view = view
        self._streams: set[str] = set()  # the streams the batch at hand touches, read whole
        self._probed: set[str] = set()  # and those it only adds to, whose version is enough
        self._known: set[str] = set()  # entities the store was found to hold facts of
        self._whole = False  # whether it has read the whole store (see `_refresh`)
        self._fresh = False  # whether the streams were just read for the batch at hand

    def try_record(
        self,
        items: Sequence[Recorded | EventBase],
        locations: Mapping[UUID, str] | None,
        now: datetime,
        progress: Progress = OFF,
        *,
        backdate: bool = True,
    ) -> RecordResult | None:
        """`Writer.record`, once the streams the batch touches are read; None (nothing done, the
        items untouched) where this writer cannot check the batch (see the module)."""
        if self._whole or len(items) > STREAM_BATCH_LIMIT:  # (whole: see `_refresh`)
            return None
        touched = self._touched(items)
        if touched is None or len(touched[0]) > STREAM_LIMIT:
            return None
        self._read(*touched)
        self._fresh = True  # the first attempt needs no second reading
        return self.record(items, locations, now, progress, backdate=backdate)

    def _refresh(self, batch: Sequence[Recorded]) -> int:
        """Read every stream the batch touches (and what those read before gained); how many events.

        A rebuild that made the history tables since the batch was first looked at may leave
        it needing rows that depend on other entities: then the whole store is read, and this
        writer finishes the batch as a whole-store `Writer` (the ledger writes no other with it).
        """
        if self._fresh:
            self._fresh = False
            return 0
        touched = None if self._whole else self._touched(batch)
        if touched is None:
            if not self._whole:
                self._whole = True
                self.versions.clear()  # counted again, event by event, from the start
                self.position = 0
            return super()._refresh(batch)
        return self._read(*touched)

    def _read(self, whole: set[str], probed: set[str]) -> int:
        """Read what the streams the batch touches (`whole`) gained since last read into the projection,
        and the version of those it only adds to (`probed`); how many events were read. Streams
        read for earlier batches are not read again: a loop of small writes costs each what it
        touches."""
        self._streams, self._probed = whole, probed
        count = self._read_whole()
        if STATEMENTS not in self._streams | self._probed:
            # read by type for an instrument's rows: the version that read reached, not that of an
            # earlier whole reading (a history row's check of the continuations compares it)
            self.versions[STATEMENTS] = self._view.version(STATEMENTS, whole=False)
        for entity in self._probed:
            held, self.versions[entity] = self._reader.stream_extent(entity)
            if held != self.versions[entity]:
                self._damaged(entity)
        return count

    def _read_whole(self) -> int:
        """Read what the streams read whole gained since into the projection, and take their versions;
        how many events. A version missing from one is the store's damage (`_damaged`)."""
        count = self._view.read(self._streams)
        for entity in self._streams:
            self.versions[entity] = self._view.version(entity)
            if self.versions[entity] != self.projection.stream_size(entity):
                self._damaged(entity)
        return count

    def _damaged(self, entity: str) -> None:
        """Raise `StoreError` if a version is missing from the entity's stream (a partial restore):
        as the whole store's writer does, naming the store, the stream and the version."""
        damage = self._reader.stream_damage(entity)
        if damage:
            raise StoreError(damage)

    def _touched(self, batch: Sequence[Recorded | EventBase]) -> tuple[set[str], set[str]] | None:
        """The streams the batch touches (its facts', its amendment targets', its ids' if stored
        already), to read whole, and those whose version is enough (the statements, when the batch
        only adds to them: no rule folds them); None where this writer cannot check the batch."""
        ids: set[UUID] = set()
        targets: dict[UUID, UUID] = {}  # amendment -> target
        entities: dict[UUID, str] = {}  # the batch's facts' entities
        for item in batch:
            ids.add(item.id)
            if item.type in AMENDMENT_TYPES:
                target = _target(item)
                if target is not None:
                    targets[item.id] = target
                    ids.add(target)
            else:
                entities[item.id] = item.entity if isinstance(item, Recorded) else item.entity()
        stored = self._reader.entities_of(ids)
        if stored is None:  # the store does not index the ids of every event yet
            return None
        touched = set(entities.values()) | set(stored.values())
        if getattr(self.store, "keeps_histories", False):
            for item in batch:
                target = targets.get(item.id)
                entity = entities.get(item.id, "")
                if target is not None:
                    entity = stored.get(target) or entities.get(target, "")
                condemnation = entity == STATEMENTS and item.type == "Condemned"
                if not (entity.startswith("instrument:") or condemnation):
                    # a case's rows show its relatives; a continuation changes every instrument's rows
                    return None
        probed = {STATEMENTS} if STATEMENTS in touched and STATEMENTS not in stored.values() else set()
        return touched - probed - {""}, probed

    def catch_up(self, progress: Progress = OFF, total: int | None = None) -> int:
        """Read what the batch's streams gained (this writer's batch, or other writers')."""
        if self._whole:
            return super().catch_up(progress, total)
        forget = getattr(self.store, "forget_written", None)
        if forget is not None:
            forget()  # the streams are read from the store: it need not keep what it appended
        with progress.stage("indexing", total=total) as bar:
            count = self._read_whole()
            for entity in self._probed:  # read only what was added since the version probed
                added = self._reader.stream_records(entity, self.versions[entity])
                self.projection.add_recorded(record for _, record in added)
                self.versions[entity] = added[-1][0] if added else self.versions[entity]
                count += len(added)
            if bar is not None:
                bar.update(count)
        return count

    def _knows(self, entity: str) -> bool:
        if self.projection.knows(entity) or entity in self._known:
            return True
        if self._reader.knows(entity):
            self._known.add(entity)  # facts are never removed from a store
            return True
        return False


def _target(item: Recorded | EventBase) -> UUID | None:
    """The id an amendment amends (None if it cannot be read: the rules say what is wrong)."""
    if isinstance(item, Corrected | Retracted):
        return item.target
    if isinstance(item, Recorded):
        found = packed_strings(item.packed, ("target",)).get("target")
        try:
            return UUID(found) if isinstance(found, str) else None
        except ValueError:
            return None
    return None
