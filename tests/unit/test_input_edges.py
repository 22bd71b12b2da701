"""Inputs at the ends of the calendar, values that would be changed silently, and lines without end.

Issue 18, items 4, 9 and 10: each such input is read as written, or is an error naming its
line and field; none ends in a traceback, and none is quietly turned into something else.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from declaration_events import EventLogError, InvalidEventError, Ledger, eventlog, parse_event, read_events
from declaration_events.cli import main
from declaration_events.eventlog import MAX_LINE_BYTES

RECORDED = "2021-03-01T12:00:00+00:00"
OPENED = {
    "type": "InstrumentOpened",
    "instrument": "decl",
    "title": "A declaration",
    "kind": "declaration",
    "occurred_on": "2021-02-15",
    "recorded_at": RECORDED,
}
ENDORSED = {
    "type": "Endorsed",
    "instrument": "decl",
    "party": "CAN",
    "occurred_on": "2021-02-16",
    "recorded_at": RECORDED,
}
WITHDREW = {**ENDORSED, "type": "Withdrew", "occurred_on": "2021-02-17"}


def condemned(occurred_on: str, recorded_at: str) -> dict[str, Any]:
    """A statement: a fact with no rule about its dates but their order."""
    return {
        "type": "Condemned",
        "actor": "CAN",
        "subject": "the calendar",
        "occurred_on": occurred_on,
        "recorded_at": recorded_at,
    }


def log(*items: dict[str, Any]) -> list[str]:
    """Log lines of these objects, non-ASCII text kept as it is."""
    return [json.dumps(item, ensure_ascii=False) + "\n" for item in items]


def rejected(*items: dict[str, Any]) -> str:
    """The error of reading these lines (the last is the bad one)."""
    with pytest.raises(EventLogError) as caught:
        read_events(log(*items))
    assert len(caught.value.errors) == 1, caught.value
    return str(caught.value.errors[0])


# Item 4: the ends of the calendar.


@pytest.mark.parametrize(
    "stamp",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T13:59:59+14:00",
        "9999-12-31T23:59:59-01:00",
        "9999-12-31T10:00:00-14:00",
    ],
)
def test_a_record_time_whose_utc_instant_falls_outside_years_1_to_9999_is_a_line_error(stamp: str) -> None:
    """An offset that carries the record time past an end of the calendar is an error naming recorded_at."""
    message = rejected(condemned(stamp[:4], stamp))
    assert message.startswith(f"<lines>:1: recorded_at {stamp} is out of range: in UTC it falls outside")


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00"])
def test_a_fact_recorded_at_the_first_instants_of_the_calendar_is_recorded(stamp: str) -> None:
    """A record time in year 1 that exists in UTC is taken as written; the clock check does not overflow."""
    ledger = Ledger()
    ledger.record_many([condemned("0001-01-01", stamp)])
    [event] = ledger.events()
    assert event.recorded_at is not None
    assert event.recorded_at.isoformat().startswith("0001-01-01T00:00:00")
    assert len(ledger.condemnations(as_of="0001-01-01", known_at="0001-01-02")) == 1


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59+14:00", "9999-12-31T09:59:59-14:00"]
)
def test_a_record_time_at_the_last_instants_of_the_calendar_is_in_the_future(stamp: str) -> None:
    """Year 9999 reads (it exists in UTC) and the ledger then says it is in the future, naming the fact."""
    ledger = Ledger()
    with pytest.raises(InvalidEventError, match=re.escape(f"recorded_at {stamp} is in the future")):
        ledger.record_many([condemned("9999", stamp)])
    assert len(ledger) == 0


@pytest.mark.parametrize("effective_on", ["9999-12-31", "9999-12", "9999"])
def test_a_withdrawal_in_effect_at_the_end_of_the_calendar_leaves_the_party_withdrawing(
    effective_on: str,
) -> None:
    """effective_on on the last day (or in the last period) of year 9999 is a date like any other."""
    ledger = Ledger()
    ledger.record_many([OPENED, ENDORSED, {**WITHDREW, "effective_on": effective_on}])
    assert ledger.signatories("decl", as_of="9998-12-31").counts == {"withdrawing": 1}
    assert ledger.signatories("decl", as_of="9999-12-31").counts == {"withdrawn": 1}


# Item 10: values that would be changed silently.


@pytest.mark.parametrize(
    ("stamp", "problem"),
    [
        ("2021-03-01T12:00:00.123456789+00:00", "has 9 fractional digits"),
        ("2021-03-01T12:00:00.1234567Z", "has 7 fractional digits"),
        ("1614600000", "is not an RFC 3339 date-time"),
        ("2021-03-01T12:00Z", "is not an RFC 3339 date-time"),
        ("2021-03-01T12:00:00+0100", "is not an RFC 3339 date-time"),
        ("2021-03-01T12:00:00,5Z", "is not an RFC 3339 date-time"),
        ("2021-03-01_12:00:00Z", "is not an RFC 3339 date-time"),
        ("２０２１-03-01T12:00:00Z", "is not an RFC 3339 date-time"),
    ],
)
def test_a_record_time_that_is_not_rfc_3339_to_the_microsecond_is_a_line_error(
    stamp: str, problem: str
) -> None:
    """No record time is truncated, reinterpreted as a Unix time or read from a sloppy form, from a log
    line or from Python."""
    message = rejected(condemned("2021-02-16", stamp))
    assert message.startswith("<lines>:1: field 'recorded_at': ")
    assert f"{stamp!r} {problem}" in message
    with pytest.raises(InvalidEventError, match=re.escape(f"field 'recorded_at': {stamp!r} {problem}")):
        parse_event(condemned("2021-02-16", stamp))


@pytest.mark.parametrize("stamp", [1614600000, 1614600000.5, True, [RECORDED], {"at": RECORDED}])
def test_a_record_time_that_is_not_a_string_is_a_line_error(stamp: object) -> None:
    """A number (a Unix time), a boolean, a list or an object is not a record time."""
    message = rejected({**condemned("2021-02-16", RECORDED), "recorded_at": stamp})
    assert message.startswith("<lines>:1: field 'recorded_at': expected an RFC 3339 date-time string, got ")


@pytest.mark.parametrize(
    "stamp",
    [
        "2021-03-01T12:00:00Z",
        "2021-03-01t12:00:00z",
        "2021-03-01 12:00:00+05:30",
        "2021-03-01T12:00:00.5-03:00",
        "2021-03-01T12:00:00.123456+00:00",
    ],
)
def test_rfc_3339_record_times_are_read_as_written(stamp: str) -> None:
    """Either case of T and Z, a space (RFC 3339 5.6) and 1 to 6 fractional digits are accepted."""
    [event] = read_events(log(condemned("2021-02-16", stamp)))
    assert event.recorded_at == datetime.fromisoformat(stamp.upper())


NON_ASCII_DATES = ["２０２１-02-16", "٢٠٢١-٠٢-١٦", "۲۰۲۱", "२०२१-02", "2021-02-1６", "2021-02-16\n", "2021\n"]


@pytest.mark.parametrize("text", NON_ASCII_DATES)
@pytest.mark.parametrize("field", ["occurred_on", "effective_on", "sources.0.published_on"])
def test_a_date_with_other_than_ascii_digits_is_a_line_error(field: str, text: str) -> None:
    """Full-width, Arabic-Indic and other digits, or a trailing newline, are not YYYY[-MM[-DD]]."""
    item: dict[str, Any] = {**WITHDREW, "effective_on": "2021-02-20"}
    if field == "sources.0.published_on":
        item["sources"] = [{"title": "t", "published_on": text}]
    else:
        item[field] = text
    message = rejected(item)
    assert message.startswith(f"<lines>:1: field {field!r}: {text!r} is not a date of the form"), message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[("occurred_on", value) for value in (True, 2021, 2021.0, None, ["2021"])],
        *[("effective_on", value) for value in (False, 2021, 2021.5, ["2021"])],  # null: not given
    ],
)
def test_a_date_that_is_not_a_string_is_a_line_error(field: str, value: object) -> None:
    """Booleans, numbers and lists are not dates, and a required date cannot be null."""
    message = rejected({**WITHDREW, field: value})
    assert message.startswith(f"<lines>:1: field {field!r}: "), message


@pytest.mark.parametrize("value", [True, 12.0, "12", None])
def test_a_number_of_days_that_is_not_an_integer_is_a_line_error(value: object) -> None:
    """term_days takes JSON integers only: no boolean, float or text is converted."""
    sentenced = {
        "type": "Sentenced",
        "case": "k",
        "sentence": "a year",
        "term_days": value,
        "occurred_on": "2021-02-16",
        "recorded_at": RECORDED,
    }
    if value is None:
        assert read_events(log(sentenced))[0].term_days is None  # null is "not given"
        return
    assert rejected(sentenced).startswith("<lines>:1: field 'term_days': Input should be a valid integer")


def test_a_record_time_given_to_the_python_api_is_not_truncated_nor_shifted_either() -> None:
    """Record times passed to `correct` keep every digit or are refused; an offset in seconds is refused."""
    ledger = Ledger()
    fact = ledger.record(OPENED)
    with pytest.raises(InvalidEventError, match=r"recorded_at: .* has more than 6 fractional digits"):
        ledger.correct(fact, {"title": "B"}, "typo", recorded_at="2021-03-02T12:00:00.123456789Z")
    shifted = datetime(2021, 3, 2, 12, tzinfo=timezone(timedelta(seconds=30)))
    with pytest.raises(InvalidEventError, match=r"field 'recorded_at': .* has an offset in seconds"):
        ledger.correct(fact, {"title": "B"}, "typo", recorded_at=shifted)
    assert len(ledger) == 1


@pytest.mark.parametrize("nil", ["00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000"])
def test_an_all_zero_id_is_a_line_error_not_a_missing_id(nil: str) -> None:
    """The nil UUID names no event: it is refused rather than read as "derive the id"."""
    message = rejected({**ENDORSED, "id": nil})
    assert message.startswith("<lines>:1: id 00000000-0000-0000-0000-000000000000 is the nil UUID")


def test_the_python_api_refuses_an_all_zero_id_and_an_out_of_range_record_time_too() -> None:
    """Models built in Python are held to the same rules as log lines."""
    with pytest.raises(InvalidEventError, match=r"id 0{8}-0{4}-0{4}-0{4}-0{12} is the nil UUID"):
        parse_event({**ENDORSED, "id": "00000000-0000-0000-0000-000000000000"})
    with pytest.raises(InvalidEventError, match=r"recorded_at 0001-01-01T00:30:00\+01:00 is out of range"):
        parse_event(condemned("0001", "0001-01-01T00:30:00+01:00"))


# Item 9: a line without end.


def test_a_long_file_without_a_newline_is_refused_in_memory_bounded_by_the_line_limit(tmp_path: Path) -> None:
    """50 MB with no newline: the reader holds about one line limit at a time, not the whole line."""
    path = tmp_path / "no-newline.jsonl"
    size = 50 * 1024 * 1024
    with path.open("wb") as out:
        out.write(log(OPENED)[0].encode())
        out.write(b'{"type": "Endorsed", "note": "')
        out.write(b"x" * (size - 30))
    tracemalloc.start()
    try:
        with pytest.raises(EventLogError) as caught:
            read_events(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [str(e) for e in caught.value.errors] == [
        f"{path}:2: line is {size:,} bytes; the limit is 1,048,576"
    ]
    assert peak < 4 * MAX_LINE_BYTES, f"peak {peak:,} bytes"


def test_an_overlong_line_from_a_stream_is_measured_in_bounded_chunks_and_reading_goes_on() -> None:
    """A binary or text stream is read in bounded chunks too; the lines after an overlong one are read."""
    huge = '{"note": "' + "é" * MAX_LINE_BYTES + '"}\n'
    size = len(huge.encode())
    tail = log(ENDORSED)[0]
    for stream in (
        io.BytesIO((log(OPENED)[0] + huge + tail).encode()),
        io.StringIO(log(OPENED)[0] + huge + tail),
    ):
        stream.name = "stream.jsonl"
        with pytest.raises(EventLogError) as caught:
            read_events(stream)
        assert [str(e) for e in caught.value.errors] == [
            f"stream.jsonl:2: line is {size:,} bytes; the limit is 1,048,576"
        ]


@pytest.mark.parametrize("extra", [-1, 0, 1])
def test_a_line_at_the_limit_is_read_and_one_byte_more_is_refused(extra: int) -> None:
    """The limit counts the line's bytes with its newline, wherever the chunks of the reader fall."""
    head = json.dumps({**ENDORSED, "note": ""})[:-2]  # up to the note's closing quote and brace
    padding = MAX_LINE_BYTES + extra - len(head) - len('"}\n')
    raw = (log(OPENED)[0] + head + "x" * padding + '"}\n').encode()
    if extra <= 0:
        assert len(read_events(io.BytesIO(raw))) == 2
    else:
        with pytest.raises(EventLogError, match=f":2: line is {MAX_LINE_BYTES + 1:,} bytes"):
            read_events(io.BytesIO(raw))


@pytest.mark.parametrize(("extra", "accepted"), [(0, True), (1, False), (MAX_LINE_BYTES, False)])
def test_a_byte_order_mark_does_not_count_against_the_limit_of_the_first_line(
    extra: int, accepted: bool
) -> None:
    """The first line may be the limit plus a byte-order mark; past that, its size is given without it."""
    head = json.dumps({**OPENED, "note": ""})[:-2]
    padding = MAX_LINE_BYTES + extra - len(head) - len('"}\n')
    raw = b"\xef\xbb\xbf" + (head + "x" * padding + '"}\n').encode() + log(ENDORSED)[0].encode()
    if accepted:
        assert len(read_events(io.BytesIO(raw))) == 2
    else:
        with pytest.raises(EventLogError, match=f":1: line is {MAX_LINE_BYTES + extra:,} bytes"):
            read_events(io.BytesIO(raw))


def test_an_import_showing_progress_reads_a_line_without_end_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import` on a terminal reads through its progress wrapper, which is bounded too."""
    path = tmp_path / "no-newline.jsonl"
    size = 20 * 1024 * 1024
    path.write_bytes(b'{"note": "' + b"x" * (size - 10))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    db = tmp_path / "ledger.sqlite"
    assert main(["import", str(log_file(tmp_path)), "--db", str(db)]) == 0  # imports what a store needs
    capsys.readouterr()
    tracemalloc.start()
    try:
        status = main(["import", str(path), "--db", str(db)])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 1
    assert f"{path}:1: line is {size:,} bytes; the limit is 1,048,576" in capsys.readouterr().err
    assert peak < 4 * MAX_LINE_BYTES, f"peak {peak:,} bytes"


def log_file(directory: Path) -> Path:
    """A small good log."""
    path = directory / "good.jsonl"
    path.write_text("".join(log(OPENED, ENDORSED)), encoding="utf-8")
    return path


@given(
    parts=st.lists(st.tuples(st.integers(0, 60), st.sampled_from([b"\n", b"\r\n", b"\r", b""])), max_size=12),
    block=st.integers(1, 9),
)
def test_the_block_reader_gives_the_lines_a_file_gives_holding_none_past_its_bounds(
    parts: list[tuple[int, bytes]], block: int
) -> None:
    """Each line is the file's line, or the start of an overlong one with its exact size (small limits)."""
    data = b"".join(bytes([65 + i % 26]) * size + end for i, (size, end) in enumerate(parts))
    read_limit = 20
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(eventlog, "_BLOCK", block)
        patch.setattr(eventlog, "_READ", read_limit)
        got = list(eventlog.iter_lines(io.BytesIO(data)))
    expected = list(io.BytesIO(data))
    assert len(got) == len(expected)
    for line, whole in zip(got, expected, strict=True):
        assert len(line) < read_limit + block or isinstance(line, eventlog._Overlong)
        if isinstance(line, eventlog._Overlong):
            assert (line, line.size) == (whole[:read_limit], len(whole))
            assert len(whole) >= read_limit
        else:
            assert line == whole
