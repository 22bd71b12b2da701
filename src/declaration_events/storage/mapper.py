"""How our pydantic events are stored in `eventsourcing`: streams, envelopes and the mapper.

`eventsourcing` 9.5 has no pydantic support, so this module is the small bridge:

- a stream per entity: the originator id of `instrument:ottawa-treaty` is
  `uuid5(STREAM_NAMESPACE, "instrument:ottawa-treaty")`, and its version is the
  number of events in it (1, 2, 3, ... with no gaps);
- an `Envelope` carries one of our events, as its compact `Recorded` form, with
  its stream and version (what `eventsourcing` calls a domain event);
- `EventMapper` stores the envelope as topic = the event class
  (`declaration_events.events:Signed`) and state = the event's canonical line of
  log format v1, compressed and encrypted when the application is configured so,
  and reads it back equal.

Upcasting: when an event class grows incompatibly, give it `class_version: ClassVar[int] = 2`
and a static method `upcast_v1_v2(state: dict) -> None` that edits an old state in
place; events written afterwards carry `"class_version": 2` in their state (the
`eventsourcing` convention) and old ones are upcast on the way in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any, cast
from uuid import UUID, uuid5

from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic
from pydantic import ValidationError

from ..errors import StoreError
from ..events import EVENT_TYPES, EventBase, describe_validation_error
from ..records import Recorded

__all__ = ["STREAM_NAMESPACE", "Envelope", "EventMapper", "stream_id"]

#: Namespace of stream ids (uuid5 of the entity string); fixed forever, like the event id namespace.
STREAM_NAMESPACE = UUID("0c6f5e0e-2f3b-5b8e-8d51-6a1f4c2d9b7a")


@cache
def stream_id(entity: str) -> UUID:
    """The originator id of an entity's stream, e.g. of `case:kovrig`."""
    return uuid5(STREAM_NAMESPACE, entity)


# Every plain state we write is a canonical log line, which starts with its type. A leading
# brace alone is no proof: 1 in 256 ciphertexts starts with `{` (seen as a flaky test).
_PLAIN_PREFIX = b'{"type":"'


def _is_json(state: bytes) -> bool:
    try:
        json.loads(state)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Envelope:
    """One of our events at a place in its entity's stream (an `eventsourcing` domain event)."""

    originator_id: UUID
    originator_version: int
    record: Recorded
    decoded: EventBase | None = None  # the model, when the mapper has just validated it

    @property
    def event(self) -> EventBase:
        """The event's model (decoded from its line unless the mapper kept it)."""
        return self.decoded if self.decoded is not None else self.record.decode()


@cache
def _class_version(cls: type[Any]) -> int:
    return int(getattr(cls, "class_version", 1))


class EventMapper(Mapper[UUID]):
    """Stores an `Envelope` as (stream, version, event class topic, canonical JSON), and back."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        """The stored form of an envelope: its state is the event's line of log format v1."""
        envelope = cast(Envelope, domain_event)
        return self.stored(envelope.record, envelope.originator_id, envelope.originator_version)

    def stored(self, record: Recorded, originator_id: UUID, version: int) -> StoredEvent:
        """The stored form of a record at a version of its stream (what `to_stored_event` writes)."""
        cls = EVENT_TYPES[record.type]
        class_version = _class_version(cls)
        if class_version > 1:
            data = json.loads(record.line)
            data["class_version"] = class_version
            state = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
        else:
            state = record.line
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        topic = get_topic(cls)
        return StoredEvent(originator_id=originator_id, originator_version=version, topic=topic, state=state)

    def to_domain_event(self, stored_event: StoredEvent) -> Envelope:
        """The envelope of a stored event, upcast to the current class version; `StoreError` if unreadable."""
        where = f"stream {stored_event.originator_id} version {stored_event.originator_version}"
        state = self._plain_state(stored_event.state, where)
        cls = _event_class(stored_event.topic, where)
        try:
            if _class_version(cls) == 1:
                event = cls.model_validate_json(state)
            else:
                event = cls.model_validate(_upcast(cls, json.loads(state), where))
        except ValidationError as exc:
            raise StoreError(
                f"stored event at {where} does not match {cls.__name__}: {describe_validation_error(exc)}"
            ) from None
        originator_id = stored_event.originator_id
        return Envelope(
            originator_id=originator_id if isinstance(originator_id, UUID) else UUID(originator_id),
            originator_version=stored_event.originator_version,
            # Written again, not taken as stored: a row another tool wrote may be valid
            # but not canonical ("Canada" for CAN), and indexes read packed lines as is.
            record=Recorded.of(event),
            decoded=event,
        )

    def _plain_state(self, state: bytes, where: str) -> bytes:
        if self.cipher:
            try:
                state = self.cipher.decrypt(state)
            except ValueError:
                raise StoreError(
                    "the cipher key is wrong, or the store is not encrypted "
                    f"(cannot decrypt the stored event at {where})"
                ) from None
        elif not self.compressor and not state.startswith(_PLAIN_PREFIX) and not _is_json(state):
            raise StoreError(
                "the store looks encrypted: open it with its cipher key (cipher_key=..., or "
                f"DECLARATION_EVENTS_CIPHER_KEY) (the stored event at {where} is not plain JSON)"
            )
        if self.compressor:
            state = self.compressor.decompress(state)
        return state


def _event_class(topic: str, where: str) -> type[EventBase]:
    cls = _resolve(topic)
    if cls is None:
        raise StoreError(f"stored event at {where} has topic {topic!r}, which is not an event class")
    return cls


@cache
def _resolve(topic: str) -> type[EventBase] | None:
    try:
        cls = resolve_topic(topic)
    except Exception:  # TopicError, ImportError, AttributeError: all mean "not an event class"
        return None
    return cls if isinstance(cls, type) and issubclass(cls, EventBase) else None


def _upcast(cls: type[EventBase], state: dict[str, Any], where: str) -> dict[str, Any]:
    current = _class_version(cls)
    stored = int(state.pop("class_version", 1))
    if stored > current:
        raise StoreError(
            f"stored event at {where} is {cls.__name__} version {stored}, newer than this "
            f"library's version {current}: upgrade declaration-events"
        )
    while stored < current:
        getattr(cls, f"upcast_v{stored}_v{stored + 1}")(state)
        stored += 1
    return state
