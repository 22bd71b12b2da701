"""Event ids made fast: `uuid.UUID` objects built without `UUID.__init__`'s Python-level checks.

A load makes one id object an event (derived from its content, or sent back by a second
process); `UUID(bytes=...)` spends a microsecond on arguments it does not need. The objects
built here are ordinary `UUID`s, equal to and indistinguishable from the slow path's.
"""

from __future__ import annotations

from uuid import UUID, SafeUUID

__all__ = ["uuid5_from_digest", "uuid_from_bytes", "uuid_from_int"]

_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown
_VERSION_5_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_VERSION_5_SET = (0x8000 << 48) | (5 << 76)  # RFC 4122 variant, version 5
_MAX = (1 << 128) - 1


def uuid_from_int(number: int) -> UUID:
    """`UUID(int=number)` for a number known to fit in 128 bits (checked only that it does)."""
    if not 0 <= number <= _MAX:
        raise ValueError("int is out of range (need a 128-bit value)")
    made = _new(UUID)
    _set(made, "int", number)
    _set(made, "is_safe", _UNKNOWN)
    return made


def uuid_from_bytes(data: bytes) -> UUID:
    """`UUID(bytes=data)` for 16 bytes."""
    if len(data) != 16:
        raise ValueError("bytes is not a 16-char string")
    made = _new(UUID)
    _set(made, "int", int.from_bytes(data))
    _set(made, "is_safe", _UNKNOWN)
    return made


def uuid5_from_digest(digest: bytes) -> UUID:
    """`UUID(bytes=digest[:16], version=5)`: the uuid5 of a SHA-1 digest (what `uuid.uuid5` returns)."""
    made = _new(UUID)
    _set(made, "int", int.from_bytes(digest[:16]) & _VERSION_5_CLEAR | _VERSION_5_SET)
    _set(made, "is_safe", _UNKNOWN)
    return made
