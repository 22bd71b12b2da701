"""JSON Lines in and out: streaming, line-numbered errors, all-or-nothing, canonical writing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from declaration_events import EventLogError, read_events, write_events
from declaration_events.eventlog import MAX_LINE_BYTES, iter_events

SIGNED = {"type": "Signed", "instrument": "t", "party": "CAN", "occurred_on": "2000-01-02"}
OPENED = {
    "type": "InstrumentOpened",
    "instrument": "t",
    "title": "T",
    "kind": "treaty",
    "occurred_on": "2000-01-01",
}


def line(data: dict[str, object]) -> str:
    return json.dumps(data) + "\n"


def test_a_file_with_several_bad_lines_reports_each_with_its_line_number(tmp_path: Path) -> None:
    """Every bad line is listed as FILE:LINE: message, and no event is returned."""
    log = tmp_path / "log.jsonl"
    log.write_text(line(OPENED) + "{not json\n" + line(SIGNED) + line({**SIGNED, "party": "Narnia"}))
    with pytest.raises(EventLogError) as caught:
        read_events(log)
    messages = [str(e) for e in caught.value.errors]
    assert messages[0].startswith(f"{log}:2: Invalid JSON")
    assert messages[1].startswith(f"{log}:4: field 'party': unknown party 'Narnia'")
    assert len(messages) == 2


def test_errors_are_capped_and_the_cap_is_said() -> None:
    """A file of junk lists the first errors and says there were more."""
    with pytest.raises(EventLogError) as caught:
        read_events(["junk\n"] * 200, max_errors=5)
    assert len(caught.value.errors) == 5
    assert caught.value.truncated
    assert "more errors not shown" in str(caught.value)


def test_crlf_endings_blank_lines_and_a_byte_order_mark_are_accepted() -> None:
    """Files from other editors read the same."""
    raw = (
        b"\xef\xbb\xbf" + line(OPENED).encode().replace(b"\n", b"\r\n") + b"\r\n   \n" + line(SIGNED).encode()
    )
    events = read_events(io.BytesIO(raw))
    assert [e.type for e in events] == ["InstrumentOpened", "Signed"]


def test_invalid_utf8_is_an_error_naming_the_line_and_byte() -> None:
    """Bytes that are not UTF-8 are reported, not decoded into garbage."""
    with pytest.raises(EventLogError, match=r"<lines>:2: invalid UTF-8 at byte 3"):
        read_events([line(OPENED).encode(), b'{"\xff\xfe": 1}\n'])


def test_an_overlong_line_is_rejected_without_parsing_it() -> None:
    """A line past the size limit is an error with its size."""
    huge = '{"note": "' + "x" * (MAX_LINE_BYTES + 10) + '"}\n'
    with pytest.raises(EventLogError, match="the limit is"):
        read_events([huge])


def test_the_same_line_twice_is_read_once_but_an_id_reused_for_other_content_is_an_error() -> None:
    """Duplicate lines are idempotent; conflicting ids are not."""
    assert len(read_events([line(OPENED), line(SIGNED), line(SIGNED)])) == 2
    fixed = "43a8e878-12ee-453f-9570-e19b662393d7"
    with pytest.raises(EventLogError, match="already used by line 1"):
        read_events([line({**SIGNED, "id": fixed}), line({**SIGNED, "party": "USA", "id": fixed})])


def test_a_missing_file_is_a_clear_error() -> None:
    """An unreadable file names itself."""
    with pytest.raises(EventLogError, match=r"nowhere\.jsonl:0: cannot read"):
        read_events("nowhere.jsonl")


def test_streaming_yields_good_events_before_reporting_bad_lines() -> None:
    """iter_events streams; the error comes at the end so callers can drop the batch."""
    seen = []
    with pytest.raises(EventLogError):
        for event in iter_events([line(OPENED), "bad\n", line(SIGNED)]):
            seen.append(event.type)
    assert seen == ["InstrumentOpened", "Signed"]


def test_written_lines_read_back_to_equal_events(tmp_path: Path) -> None:
    """The writer's canonical lines are read back to the same events."""
    events = read_events([line(OPENED), line({**SIGNED, "occurred_on": "2000-02", "note": "é"})])
    path = tmp_path / "out.jsonl"
    assert write_events(events, path) == 2
    assert read_events(path) == events
    assert path.read_text(encoding="utf-8").count("\n") == 2
