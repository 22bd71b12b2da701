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
from functools import cache
from typing import NamedTuple
from uuid import UUID

import orjson

from .events import EVENT_ADAPTER, EVENT_TYPES, Corrected, Event, EventBase, Retracted

__all__ = ["AMENDMENT_TYPES", "Recorded", "decode", "pack", "packed_strings", "unpack"]

#: Types of the events that amend others (their entity is their target's).
AMENDMENT_TYPES = frozenset({"Corrected", "Retracted"})

_START = b'{"type":"'  # every canonical line starts so, then its type
_ID_KEY = b'","id":"'
_ID_LENGTH = 36
_AFTER_ID = b'","occurred_on":"'
_START_CODE = b"\x01"  # for _START
_ID_CODE = b"\x02"  # for _ID_KEY + the id's text + _AFTER_ID
_KEPT = b"\x00"  # before a line kept whole that starts with a byte packed lines start with
# The other keys, longest first where one contains another, each with a control byte of its
# own; a line is packed with the keys its type can hold (fewer passes over it).
# No key starts with a quote: every text value keeps its closing quote (`packed_strings`).
_KEYS = (  # (key as it appears, the field it belongs to)
    (b',"recorded_at":"', "recorded_at"),
    (b',"sources":[{"url":"https://', "sources"),
    (b',"sources":[{"title":"', "sources"),
    (b',"sources":[{"', "sources"),
    (b'},{"url":"https://', "sources"),
    (b"}]", "sources"),
    (b',"instrument":"', "instrument"),
    (b',"party":"', "party"),
    (b',"case":"', "case"),
    (b',"person":"', "person"),
    (b',"nationalities":["', "nationalities"),
    (b',"detaining_state":"', "detaining_state"),
    (b',"location":"', "location"),
    (b',"charges":["', "charges"),
    (b',"mechanism":"', "mechanism"),
    (b',"actor":"', "actor"),
    (b',"subject":"', "subject"),
    (b',"target":"', "target"),
    (b',"speaker":"', "speaker"),
    (b',"note":"', "note"),
    (b',"publisher":"', "sources"),
    (b',"published_on":"', "sources"),
    (b',"title":"', "sources"),  # and InstrumentOpened's title
    (b',"url":"https://', "sources"),
    (b',"other_case":"', "other_case"),
    (b',"effective_on":"', "effective_on"),
)
_CODES = [bytes([c]) for c in (*range(3, 9), 11, 12, *range(14, 32))]
assert len(_CODES) >= len(_KEYS)  # noqa: S101 - a control byte for every key
_TOKENS: dict[bytes, tuple[tuple[bytes, bytes], ...]] = {
    name.encode(): tuple(
        (key, code) for (key, field), code in zip(_KEYS, _CODES, strict=False) if field in cls.model_fields
    )
    for name, cls in EVENT_TYPES.items()
}
_LISTS = frozenset({"nationalities", "charges", "between"})
# Where a field's value starts in a packed line of each type: its key's code, or its key's text.
_MARKERS: dict[bytes, dict[str, bytes]] = {
    kind: {
        **{
            name: b',"%s":%s' % (name.encode(), b'["' if name in _LISTS else b'"')
            for name in EVENT_TYPES[kind.decode()].model_fields
        },
        **{
            field: code
            for (key, field), code in zip(_KEYS, _CODES, strict=False)
            if (key, code) in tokens and key.endswith(b'"') and field != "sources"
        },
        "recorded_at": _CODES[0],
        "occurred_on": _ID_CODE,  # it follows the id, whose key and text are packed together
    }
    for kind, tokens in _TOKENS.items()
}
_CONTROL_BYTE = re.compile(b"[\\x00-\\x1f]")  # JSON text holds none of these raw


def _kept(line: bytes) -> bytes:
    return _KEPT + line if line[:1] in (_KEPT, _START_CODE) else line


def pack(line: bytes, event_id: UUID | None) -> bytes:
    """A canonical line without its id's text and with its keys as single bytes.

    `event_id` None: the line was just written from its event's model, so the id's text is its
    id (not compared: writing the id's text costs as much as the rest of packing).
    """
    if not line.startswith(_START) or _CONTROL_BYTE.search(line):
        return _kept(line)
    at = line.find(_ID_KEY)
    tokens = _TOKENS.get(line[len(_START) : at])
    end = at + len(_ID_KEY) + _ID_LENGTH
    if (
        tokens is None
        or line[end : end + len(_AFTER_ID)] != _AFTER_ID
        or (event_id is not None and line[at + len(_ID_KEY) : end] != str(event_id).encode("ascii"))
    ):
        return _kept(line)
    rest = line[end + len(_AFTER_ID) :]
    for key, code in tokens:
        rest = rest.replace(key, code)
    return b"%s%s%s%s" % (_START_CODE, line[len(_START) : at], _ID_CODE, rest)


def unpack(packed: bytes, event_id: UUID) -> bytes:
    """The canonical line `pack` was given."""
    if not packed.startswith(_START_CODE):
        return packed[1:] if packed.startswith(_KEPT) else packed  # kept as it was
    at = packed.index(_ID_CODE)
    kind = packed[1:at]
    rest = packed[at + 1 :]
    for key, code in _TOKENS[kind]:
        rest = rest.replace(code, key)
    return b"%s%s%s%s%s%s" % (_START, kind, _ID_KEY, str(event_id).encode("ascii"), _AFTER_ID, rest)


def packed_strings(packed: bytes, names: tuple[str, ...]) -> dict[str, str | list[str]]:
    """The values of some top-level text fields (or lists of texts) of a packed line, without unpacking.

    Only for fields whose values hold no quote or backslash (codes, slugs, dates, record
    times): a value is read up to the next quote. A key cannot occur inside a value (its
    quotes would be escaped there), so the first occurrence of a marker is the field.
    """
    if not packed.startswith(_START_CODE):
        data = orjson.loads(unpack(packed, UUID(int=0)) if packed.startswith(_KEPT) else packed)
        return {name: data[name] for name in names if name in data}
    found: dict[str, str | list[str]] = {}
    for name, marker, listed in _lookups(packed[1 : packed.index(_ID_CODE)], names):
        at = packed.find(marker)
        if at < 0:
            continue
        start = at + len(marker)
        if listed:
            found[name] = packed[start : packed.index(b'"]', start)].decode().split('","')
        else:
            found[name] = packed[start : packed.index(b'"', start)].decode()
    return found


@cache
def _lookups(kind: bytes, names: tuple[str, ...]) -> tuple[tuple[str, bytes, bool], ...]:
    """The fields of `names` a line of this type can hold: name, marker, whether a list."""
    markers = _MARKERS[kind]
    return tuple((name, markers[name], name in _LISTS) for name in names if name in markers)


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
        return cls(event.id, event.type, entity, pack(event.json_line(), None))

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
    if event_id is not None and event.id.int == event_id.int:  # (UUID.__eq__ is a Python call)
        object.__setattr__(event, "id", event_id)  # the same value; one object instead of two
    return event
