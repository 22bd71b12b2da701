"""The pydantic mapper: our events stored in eventsourcing and read back equal, upcast when old."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
from eventsourcing.persistence import JSONTranscoder, StoredEvent
from eventsourcing.utils import get_topic

from declaration_events import Ledger, Signed, StoreError, read_events
from declaration_events.events import EVENT_TYPES
from declaration_events.records import Recorded
from declaration_events.storage.durable import StoreApplication, generate_cipher_key, store_environment
from declaration_events.storage.mapper import Envelope, EventMapper, stream_id
from helpers import SEEDS


class SignedV2(Signed):
    """A later version of `Signed` whose notes always say where they came from."""

    class_version: ClassVar[int] = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """Version 1 notes had no origin."""
        state["note"] = f"(v1) {state.get('note', '')}".strip()


def mapper(url: str = "memory:", **options: Any) -> EventMapper:
    """The mapper a store opened on `url` uses."""
    app = StoreApplication(env=store_environment(url, **options))
    assert isinstance(app.mapper, EventMapper)
    return app.mapper


@pytest.mark.parametrize("cipher_key", [None, generate_cipher_key()], ids=["plain", "encrypted"])
def test_every_seed_event_is_read_back_equal(cipher_key: str | None) -> None:
    """Each seed event, stored and loaded, equals the original (fields, types and id)."""
    events = [event for path in SEEDS for event in read_events(path)]
    m = mapper(cipher_key=cipher_key)
    for version, event in enumerate(events, start=1):
        stored = m.to_stored_event(Envelope(stream_id(event.entity()), version, Recorded.of(event)))
        assert stored.topic == f"declaration_events.events:{event.type}"
        back = m.to_domain_event(stored)
        assert back.event == event
        assert type(back.event) is type(event)
        assert (back.originator_id, back.originator_version) == (stream_id(event.entity()), version)


def test_plain_state_is_the_event_s_line_of_log_format_v1() -> None:
    """Without a cipher the stored state is exactly the canonical JSON line of the event."""
    event = read_events(SEEDS[2])[1]
    stored = mapper().to_stored_event(Envelope(stream_id(event.entity()), 2, Recorded.of(event)))
    assert stored.state == event.to_json().encode()


def test_an_old_event_is_upcast_to_the_current_class_version() -> None:
    """A version-1 state of a version-2 class passes through upcast_v1_v2 on the way in."""
    event = next(e for e in read_events(SEEDS[2]) if e.type == "Signed" and e.parties() == ("CAN",))
    old = StoredEvent(stream_id(event.entity()), 2, get_topic(SignedV2), event.to_json().encode())
    back = mapper().to_domain_event(old).event
    assert isinstance(back, SignedV2)
    assert back.note == "(v1)"
    assert back.party == "CAN"


def test_a_new_event_records_its_class_version_and_reads_back_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    """Events of a version-2 class carry class_version 2 in their state and need no upcast."""
    monkeypatch.setitem(EVENT_TYPES, "Signed", SignedV2)  # as if the library's Signed were version 2
    event = SignedV2.model_validate({**read_events(SEEDS[2])[1].model_dump(), "note": "fresh"})
    m = mapper()
    stored = m.to_stored_event(Envelope(stream_id(event.entity()), 2, Recorded.of(event)))
    assert json.loads(stored.state)["class_version"] == 2
    assert m.to_domain_event(stored).event == event


def test_state_from_a_newer_library_or_an_unknown_class_is_a_clear_error() -> None:
    """A state newer than the code, or a topic that is no event class, raises StoreError."""
    event = read_events(SEEDS[2])[1]
    newer = json.dumps({**json.loads(event.to_json()), "class_version": 3}).encode()
    m = mapper()
    with pytest.raises(StoreError, match="newer than this library"):
        m.to_domain_event(StoredEvent(stream_id("x"), 1, get_topic(SignedV2), newer))
    with pytest.raises(StoreError, match="not an event class"):
        m.to_domain_event(StoredEvent(stream_id("x"), 1, "json:JSONDecoder", b"{}"))
    with pytest.raises(StoreError, match="does not match Signed"):
        m.to_domain_event(StoredEvent(stream_id("x"), 1, get_topic(Signed), b'{"type": "Signed"}'))


def test_streams_are_named_by_a_fixed_uuid5_of_the_entity() -> None:
    """A stream id depends on the entity string only (pinned: existing stores rely on it)."""
    assert stream_id("case:kovrig") == stream_id("case:kovrig")
    assert str(stream_id("statements")) == "91dd8cc9-efce-5767-8fd8-4b4250caf632"
    assert len({stream_id(f"case:{n}") for n in range(1000)}) == 1000


def test_the_process_environment_cannot_redirect_a_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """eventsourcing settings in os.environ are ignored: only the URL and the key decide."""
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.sqlite")
    monkeypatch.setenv("SQLITE_DBNAME", str(tmp_path / "elsewhere.sqlite"))
    monkeypatch.setenv("DECLARATIONEVENTS_CIPHER_KEY", generate_cipher_key())
    with Ledger.open(tmp_path / "here.sqlite") as ledger:
        ledger.import_logs(SEEDS[2])
    assert not (tmp_path / "elsewhere.sqlite").exists()
    with Ledger.open(tmp_path / "here.sqlite") as ledger:
        assert len(ledger) == len(read_events(SEEDS[2]))


def test_the_mapper_keeps_the_json_transcoder_for_eventsourcing_tools() -> None:
    """The mapper is a regular eventsourcing Mapper (JSON transcoder), usable by its tools."""
    assert isinstance(mapper().transcoder, JSONTranscoder)
