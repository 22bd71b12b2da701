"""Fast ids: the UUIDs `ids` builds are the ones `uuid` builds, for every input."""

from __future__ import annotations

import hashlib
import pickle
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events.events import ID_NAMESPACE
from declaration_events.ids import uuid5_from_digest, uuid_from_bytes, uuid_from_int


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_any_128_bit_number_makes_the_uuid_the_standard_library_makes(number: int) -> None:
    """Equal, same hash, same text, same fields, and pickled alike."""
    made, expected = uuid_from_int(number), uuid.UUID(int=number)
    assert made == expected and hash(made) == hash(expected)
    assert str(made) == str(expected) and made.version == expected.version
    assert made.is_safe is expected.is_safe
    assert pickle.loads(pickle.dumps(made)) == expected  # noqa: S301 - our own bytes


@given(st.binary(min_size=16, max_size=16))
def test_any_16_bytes_make_the_uuid_the_standard_library_makes(data: bytes) -> None:
    """`uuid_from_bytes` is `UUID(bytes=...)`."""
    assert uuid_from_bytes(data) == uuid.UUID(bytes=data)
    assert uuid_from_bytes(data).bytes == data


@given(st.binary(max_size=300))
def test_a_digest_makes_the_uuid5_the_standard_library_derives(content: bytes) -> None:
    """`uuid5_from_digest` of SHA-1(namespace + name) is `uuid.uuid5(namespace, name)`."""
    name = content.decode("latin-1")
    digest = hashlib.sha1(ID_NAMESPACE.bytes + name.encode("utf-8"), usedforsecurity=False).digest()
    made = uuid5_from_digest(digest)
    assert made == uuid.uuid5(ID_NAMESPACE, name)
    assert made.version == 5 and made.variant == uuid.RFC_4122


def test_numbers_and_bytes_that_cannot_be_uuids_are_refused_as_the_standard_library_refuses_them() -> None:
    """Out of range, or not 16 bytes: a ValueError, as `uuid.UUID` raises."""
    for number in (-1, 1 << 128):
        with pytest.raises(ValueError, match="out of range"):
            uuid_from_int(number)
    for data in (b"", b"x" * 15, b"x" * 17):
        with pytest.raises(ValueError, match="16-char"):
            uuid_from_bytes(data)
