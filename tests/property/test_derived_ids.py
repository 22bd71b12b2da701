"""Derived ids (format v1): the fast canonical bytes are the standard library's, for every event."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from declaration_events.events import _ID_EXCLUDED, Event, canonical_json
from declaration_events.strategies import event_logs, events

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # no lone surrogates: not JSON text
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)


def standard(content: object) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@given(st.one_of(events(), event_logs(max_amendments=6).flatmap(lambda log: st.sampled_from(log or [None]))))
def test_every_events_id_is_derived_from_the_bytes_the_standard_library_writes(event: Event | None) -> None:
    """The content an id hashes is written, fast, as `json.dumps` (sorted, compact, UTF-8) writes it."""
    if event is None:
        return
    content = event.model_dump(mode="json", exclude=_ID_EXCLUDED, exclude_none=True)
    assert canonical_json(content, floats=event.type == "Corrected") == standard(content)


@given(st.dictionaries(TEXT, JSON, max_size=4))
def test_any_json_content_without_floats_is_written_as_the_standard_library_writes_it(content: dict) -> None:  # type: ignore[type-arg]
    """Whatever a correction's `changes` could hold: written by the standard library when it may hold
    floats, and, without floats, as the standard library writes it (big integers included)."""
    assert canonical_json(content) == standard(content)
    if not any(isinstance(leaf, float) for leaf in _leaves(content)):
        assert canonical_json(content, floats=False) == standard(content)


def _leaves(value: object) -> list[object]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]
