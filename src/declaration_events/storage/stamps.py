"""Storage times: each batch a store takes is stamped by the store, in the batch's own transaction.

A log's `recorded_at` says when a fact was reported, and anyone writing a log can set
it to any past time. A stamp is what the store itself says: the batch that brought the
ledger to `events` events (its last `added` of them, the last at notification
`position`) was stored at `stored_at`. Stamps are taken while the batch holds the
store's write lock (SQLite's one writer; the EXCLUSIVE table lock eventsourcing takes on
PostgreSQL), from the store's clock (PostgreSQL's `clock_timestamp()`, the writer's clock
on SQLite and in memory), and never go back: a stamp is at least a microsecond after the
one before. So the events stored by a time T are the first `events` of the notification
log for the last stamp at or before T, and no later write can change that set.

Kept in a table beside eventsourcing's (`stored_batches` in SQLite,
`declarationevents_stored` on PostgreSQL), created on the first write by this version; a
store written by an earlier version has events stored before its first stamp, at times
it cannot tell (`Stamp.added` says how many came with the first stamped batch).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

__all__ = ["Stamp", "next_stamp", "stamp_text"]

_TICK = timedelta(microseconds=1)


class Stamp(NamedTuple):
    """One stored batch: the ledger held `events` events once it was stored at `stored_at`."""

    events: int
    stored_at: datetime
    added: int
    position: int


def next_stamp(last: Stamp | None, stored: int, added: int, position: int, now: datetime) -> Stamp:
    """The stamp of a batch of `added` events ending at `position`, stored `now` after `last`.

    `stored`: how many events the store holds with this batch (read only when there is no
    stamp before it, on a store written by an earlier version).
    """
    if last is None:
        return Stamp(stored, now, added, position)
    return Stamp(last.events + added, max(now, last.stored_at + _TICK), added, position)


def stamp_text(moment: datetime) -> str:
    """UTC to the microsecond, in one fixed width (so that text order is time order)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
