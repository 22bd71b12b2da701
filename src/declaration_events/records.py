"""Recorded events held compactly: packed canonical lines, decoded to models only when needed.

A pydantic model costs about 1.4 KB in memory; its canonical line of log format v1
about 230 bytes, and packed (below) about half that. Stores and indexes keep packed
lines, and decode the models of one entity at a time when the rules or a query need
them. A canonical line was written by this library from a validated model (its id
and record time are in it, its parties are codes), so it decodes back equal, in
about a third of the time its original line took.

Packing: the id's text is dropped (the id is kept as a `UUID` beside the line), and
the keys of format v1 are replaced by single control bytes, which JSON text never
holds raw (they must be escaped in strings), so the replacement is undone exactly.
A line that is not canonical in shape is kept as it is (behind a zero byte if it
starts with a byte a packed line could start with).
"""

from __future__ import annotations

import re
import sys
from typing import NamedTuple
from uuid import UUID

from .events import EVENT_ADAPTER, Corrected, Event, EventBase, Retracted

__all__ = ["AMENDMENT_TYPES", "Recorded", "decode", "pack", "unpack"]

#: Types of the events that amend others (their entity is their target's).
AMENDMENT_TYPES = frozenset({"Corrected", "Retracted"})

_START = b'{"type":"'  # every canonical line starts so, then its type
_ID_KEY = b'","id":"'
_ID_LENGTH = 36
_AFTER_ID = b'","occurred_on":"'
# Longest first where one contains another; each gets a control byte JSON never holds raw.
_KEYS = (
    _START,
    _ID_KEY + _AFTER_ID,  # the id's text is taken out between these two
    b'","recorded_at":"',
    b',"sources":[{"url":"https://',
    b',"sources":[{"title":"',
    b',"sources":[{"',
    b'"},{"url":"https://',
    b'"}],"',
    b',"instrument":"',
    b',"party":"',
    b',"case":"',
    b',"person":"',
    b',"nationalities":["',
    b',"detaining_state":"',
    b',"location":"',
    b',"charges":["',
    b',"mechanism":"',
    b',"actor":"',
    b',"subject":"',
    b',"target":"',
    b',"speaker":"',
    b',"note":"',
    b',"publisher":"',
    b',"published_on":"',
    b',"title":"',
    b',"url":"https://',
    b',"other_case":"',
    b',"effective_on":"',
)
_CODES = [bytes([c]) for c in (*range(1, 9), 11, 12, *range(14, 32))]
_TOKENS = tuple(zip(_KEYS, _CODES, strict=False))
assert len(_TOKENS) == len(_KEYS)  # noqa: S101 - enough codes for the keys
_START_CODE = _TOKENS[0][1]
_ID_CODE = _TOKENS[1][1]
_KEPT = b"\x00"  # before a line kept whole that starts with a byte packed lines start with
_CONTROL = re.compile(rb"[\x00-\x1f]")


def _kept(line: bytes) -> bytes:
    return _KEPT + line if line[:1] in (_KEPT, _START_CODE) else line


def pack(line: bytes, event_id: UUID) -> bytes:
    """A canonical line without its id's text and with its keys as single bytes."""
    if not line.startswith(_START) or _CONTROL.search(line):
        return _kept(line)
    at = line.find(_ID_KEY)
    end = at + len(_ID_KEY) + _ID_LENGTH
    if (
        at < 0
        or line[end : end + len(_AFTER_ID)] != _AFTER_ID
        or line[at + len(_ID_KEY) : end] != str(event_id).encode("ascii")
    ):
        return _kept(line)
    packed = line[: at + len(_ID_KEY)] + line[end:]
    for key, code in _TOKENS:
        packed = packed.replace(key, code)
    return packed


def unpack(packed: bytes, event_id: UUID) -> bytes:
    """The canonical line `pack` was given."""
    if not packed.startswith(_START_CODE):
        return packed[1:] if packed.startswith(_KEPT) else packed  # kept as it was
    line = packed.replace(_ID_CODE, b"%s%s%s" % (_ID_KEY, str(event_id).encode("ascii"), _AFTER_ID))
    for key, code in _TOKENS:
        line = line.replace(code, key)
    return line


class Recorded(NamedTuple):
    """One recorded event as stores and indexes pass it: id, type, entity and packed line.

    `entity` is the stream the event belongs to (`instrument:…`, `case:…`, `statements`);
    for a correction or retraction it is its target's, and empty until that is known.
    """

    id: UUID
    type: str
    entity: str
    packed: bytes

    @classmethod
    def of(cls, event: EventBase, entity: str = "") -> Recorded:
        """The compact form of a recorded event (one with its record time)."""
        if not entity and not isinstance(event, Corrected | Retracted):
            entity = event.entity()
        return cls(event.id, event.type, entity, pack(event.to_json().encode(), event.id))

    @classmethod
    def from_line(cls, line: bytes, entity: str, event_id: UUID) -> Recorded:
        """The record of a canonical line whose entity and id are known (its type is read from it)."""
        end = line.index(b'"', len(_START))
        return cls(event_id, sys.intern(line[len(_START) : end].decode()), entity, pack(line, event_id))

    @classmethod
    def from_packed(cls, packed: bytes, entity: str, event_id: UUID) -> Recorded:
        """The record of a packed line whose entity and id are known."""
        if not packed.startswith(_START_CODE):
            return cls.from_line(unpack(packed, event_id), entity, event_id)
        end = packed.index(_ID_CODE)
        return cls(event_id, sys.intern(packed[1:end].decode()), entity, packed)

    @property
    def line(self) -> bytes:
        """The canonical line of log format v1 (no newline)."""
        return unpack(self.packed, self.id)

    def decode(self) -> Event:
        """The event's model."""
        return decode(self.line, self.id)


def decode(line: bytes, event_id: UUID | None = None) -> Event:
    """The model of a canonical line, sharing the given id object (one UUID per event in memory)."""
    event = EVENT_ADAPTER.validate_json(line)
    if event_id is not None and event.id == event_id:
        object.__setattr__(event, "id", event_id)  # the same value; one object instead of two
    return event
