"""Compact records: packed canonical lines round-trip exactly; ledgers keep lines, not models."""

from __future__ import annotations

import gc
import json
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import Ledger, StoreError, read_events
from declaration_events.events import EventBase
from declaration_events.records import Recorded, decode, pack, packed_strings, unpack
from declaration_events.storage import MemoryStore
from declaration_events.strategies import events
from helpers import SEEDS


@given(events())
def test_any_event_packs_and_unpacks_to_its_canonical_line_and_decodes_equal(event: EventBase) -> None:
    """For every valid event: unpack(pack(line)) is the line, and the record decodes to the event."""
    line = event.to_json().encode()
    record = Recorded.of(event)
    assert unpack(record.packed, event.id) == line
    assert record.line == line
    assert record.decode() == event
    assert record.type == event.type


@given(events())
def test_any_events_line_is_its_json_and_packs_alike_whether_its_id_is_compared(event: EventBase) -> None:
    """`json_line` is `to_json` in bytes; packing a line just written from its model (id not
    compared) gives the bytes that packing with the id compared gives."""
    line = event.json_line()
    assert line == event.to_json().encode()
    left_out = None if event.sources else {"sources"}
    assert line == event.model_dump_json(exclude_none=True, exclude=left_out).encode()
    assert pack(line, None) == pack(line, event.id) == Recorded.of(event).packed


def test_packing_a_seed_line_drops_its_id_and_keys() -> None:
    """Seed lines shrink by more than the id's text once packed, and that text is not in them."""
    for event in (e for path in SEEDS for e in read_events(path)):
        line = event.to_json().encode()
        packed = pack(line, event.id)
        assert str(event.id).encode() not in packed
        assert len(packed) < len(line) - 36 - 8 * 3, line  # the id, and at least three keys


@given(st.text(min_size=1).map(lambda t: t.encode()))
def test_any_line_that_is_not_canonical_in_shape_is_kept_as_it_is(text: bytes) -> None:
    """Arbitrary bytes (control bytes, no type, no id) round-trip unchanged."""
    event_id = uuid4()
    assert unpack(pack(text, event_id), event_id) == text


def test_a_line_whose_id_text_is_not_the_given_id_is_kept_whole() -> None:
    """Packing never drops an id it cannot put back."""
    event = read_events(SEEDS[0])[0]
    line = event.to_json().encode()
    assert pack(line, uuid4()) == line


def test_a_control_byte_escaped_in_a_string_survives_packing() -> None:
    """JSON escapes control characters, so a note with a tab or U+001F packs and unpacks exactly."""
    event = read_events(SEEDS[0])[0].model_copy(update={"note": "tab\there, unit\x1fsep"})
    line = event.to_json().encode()
    assert decode(unpack(pack(line, event.id), event.id)) == event


def test_a_loaded_ledger_keeps_no_model_per_event() -> None:
    """After an import, the ledger holds packed lines and change points, not pydantic events."""

    def models() -> int:
        gc.collect()
        return sum(1 for obj in gc.get_objects() if isinstance(obj, EventBase))

    before = models()  # other tests may leave some behind
    ledger = Ledger.from_jsonl(*SEEDS)
    ledger.signatories("arbitrary-detention-declaration", as_of="2021-03-01")
    ledger.cases(as_of="2021-03-01")
    kept = models() - before
    assert kept < 10, f"{kept} event models kept"
    seeded = {e.id for path in SEEDS for e in read_events(path)}
    assert len(ledger) == len(seeded) > 300  # every line of the seeds (the Ottawa record is most of them)
    assert {e.id for e in ledger.events()} == seeded


def test_the_in_memory_store_refuses_to_read_again_what_it_handed_over() -> None:
    """Its one reader is the ledger's projection: a second read from the start is an error, not a gap."""
    store = MemoryStore()
    event = read_events(SEEDS[0])[0]
    store.append([Recorded.of(event)], {event.entity(): 0})
    assert [record.id for _, record in store.read()] == [event.id]
    assert list(store.read(after=1)) == []
    with pytest.raises(StoreError, match="handed over"):
        list(store.read())


_READ = ("recorded_at", "party", "actor", "target", "detaining_state", "requested_by", "initiator")
_LISTED = ("nationalities", "case", "other_case", "instrument", "occurred_on")  # no free text: see docstring


@given(events())
def test_fields_read_from_a_packed_line_equal_those_of_the_parsed_line(event: EventBase) -> None:
    """The index reads codes, slugs and times straight from packed lines: the same values JSON holds."""
    line = event.to_json().encode()
    data = json.loads(line)
    names = (*_READ, *_LISTED)
    expected = {name: data[name] for name in names if name in data and isinstance(data[name], str | list)}
    assert packed_strings(pack(line, event.id), names) == expected
