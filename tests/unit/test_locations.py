"""The line numbers of an import: kept compactly once the logs are read, still answering every lookup."""

from __future__ import annotations

from uuid import uuid4

from declaration_events.checking import Locations


def test_line_numbers_answer_the_same_once_packed() -> None:
    locations = Locations()
    first, second = locations.file("a.jsonl"), locations.file("b.jsonl")
    ids = [uuid4() for _ in range(5)]
    first.update({ids[0]: 1, ids[1]: 2, ids[2]: 3})
    second.update({ids[2]: 7, ids[3]: 8})  # ids[2] in both files: the later one is at fault
    before = {event_id: locations.get(event_id) for event_id in ids}
    locations.pack()
    assert locations._files == []  # the dicts are gone until a lookup needs them
    assert len(locations) == 5
    assert {event_id: locations.get(event_id) for event_id in ids} == before
    assert before == {
        ids[0]: "a.jsonl:1",
        ids[1]: "a.jsonl:2",
        ids[2]: "b.jsonl:7",
        ids[3]: "b.jsonl:8",
        ids[4]: None,
    }
    assert sorted(locations, key=str) == sorted([*ids[:3], ids[2], ids[3]], key=str)


def test_a_file_added_after_packing_keeps_the_earlier_lines() -> None:
    locations = Locations()
    early = uuid4()
    locations.file("a.jsonl")[early] = 4
    locations.pack()
    later = uuid4()
    locations.file("b.jsonl")[later] = 9
    assert (locations[early], locations[later]) == ("a.jsonl:4", "b.jsonl:9")
    locations.release()
    assert len(locations) == 0 and locations.get(early) is None


def test_nothing_to_pack_is_left_as_it_is() -> None:
    locations = Locations()
    locations.file("<stream>")
    locations.pack()
    assert len(locations) == 0
