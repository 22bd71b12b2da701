"""A large log file is read on two cores, and says exactly what a reading on one core says: the same
records in the same order, the same line of every event, the same errors (issue 17, item 2)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from declaration_events import EventLogError, Ledger, reading
from declaration_events.reading import read_logs

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def detained(n: int, **more: Any) -> str:
    fact = {"type": "Detained", "case": f"case-{n}", "person": f"Person {n}", "nationalities": ["CAN"]}
    fact |= {
        "detaining_state": "CHN",
        "occurred_on": "2019-01-01",
        "recorded_at": "2020-01-01T00:00:00+00:00",
    }
    return json.dumps(fact | more)


def answer(path: Path, *, split: bool, monkeypatch: pytest.MonkeyPatch, child: bool = False) -> Any:
    """What `read_logs` says of a file: its records and lines, or its errors (asserting that a split
    reading did read it in two parts)."""
    with monkeypatch.context() as patch:
        patch.setattr(reading, "SPLIT_BYTES", 1 if split else 1 << 60)
        patch.setattr(reading, "_HEAD_START", 0)
        if split and not child:  # the second part read here: the same code, without a process
            patch.setattr(reading, "_start_part", lambda *args: None)
        if split and reading._cut(path) is None:
            return None  # no newline after the middle: nothing to compare
        joined = reading._join
        parts: list[int] = []
        patch.setattr(reading, "_join", lambda *args: parts.append(1) or joined(*args))
        try:
            items, locations = read_logs([path], NOW)
        except EventLogError as exc:
            return [(error.line, error.message) for error in exc.errors]
        finally:
            assert bool(parts) == split
        return items, {str(event_id): locations[event_id] for event_id in locations}


LINES = {
    "good": lambda n: detained(n),
    "bad json": lambda n: '{"type": "Detained",',
    "unknown type": lambda n: json.dumps({"type": "Nope", "occurred_on": "2020-01-01"}),
    "blank": lambda n: "   ",
    "crlf": lambda n: detained(n) + "\r",
    "explicit id": lambda n: detained(n, id=f"00000000-0000-4000-8000-{n % 7:012d}"),
    "same as first": lambda n: detained(0),
    "reused id": lambda n: detained(n + 10_000, id="00000000-0000-4000-8000-000000000003"),
    "future": lambda n: detained(n, recorded_at="2999-01-01T00:00:00+00:00"),
}


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(sorted(LINES)), min_size=2, max_size=40), newline_at_end=st.booleans())
def test_any_file_cut_anywhere_reads_as_on_one_core(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    kinds: list[str],
    newline_at_end: bool,
) -> None:
    """Good and bad lines, blank lines, CRLF, explicit and reused ids, a line repeated across the cut,
    record times in the future: records, lines and errors equal one reading's."""
    path = tmp_path_factory.mktemp("split") / "log.jsonl"
    text = "\n".join(LINES[kind](n) for n, kind in enumerate(kinds))
    path.write_bytes(text.encode() + (b"\n" if newline_at_end else b""))
    split = answer(path, split=True, monkeypatch=monkeypatch)
    assert split is None or split == answer(path, split=False, monkeypatch=monkeypatch)


def test_a_file_read_by_a_second_process_reads_as_on_one_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second part read in another process: the same records, lines and (with bad lines) errors."""
    path = tmp_path / "log.jsonl"
    lines = [detained(n) for n in range(3000)]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    one = answer(path, split=False, monkeypatch=monkeypatch)
    assert answer(path, split=True, monkeypatch=monkeypatch, child=True) == one
    assert len(one[0]) == 3000
    lines[10] = lines[2999] = "not json"
    lines[2000] = detained(2001)  # the same line as 2002, across the cut
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = answer(path, split=True, monkeypatch=monkeypatch, child=True)
    assert errors == answer(path, split=False, monkeypatch=monkeypatch)
    assert [line for line, _ in errors] == [11, 3000]


def test_more_bad_lines_than_listed_are_cut_at_the_same_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join("bad" if n % 3 else detained(n) for n in range(400)) + "\n", encoding="utf-8")
    errors = answer(path, split=True, monkeypatch=monkeypatch, child=True)
    assert errors == answer(path, split=False, monkeypatch=monkeypatch)
    assert len(errors) == 50


def test_a_second_process_that_cannot_start_leaves_the_reading_to_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(500)) + "\n", encoding="utf-8")
    one = answer(path, split=False, monkeypatch=monkeypatch)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    assert answer(path, split=True, monkeypatch=monkeypatch, child=True) == one


def test_a_script_without_a_main_guard_imports_a_large_log(tmp_path: Path) -> None:
    """The second process is a plain interpreter: a user's script is not run again (as `multiprocessing`
    would, and fail, without `if __name__ == "__main__"`)."""
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(detained(n, note="x" * 200) for n in range(80_000)) + "\n", encoding="utf-8")
    assert path.stat().st_size >= reading.SPLIT_BYTES
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from declaration_events import Ledger
            ledger = Ledger.from_jsonl({str(path)!r})
            print(len(ledger), len(ledger.cases(as_of="2020-01-01")))
            """
        )
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=300
    )
    assert done.stdout.split() == ["80000", "80000"]


def test_a_ledger_loaded_on_two_cores_answers_as_one_loaded_on_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(2000)) + "\n", encoding="utf-8")
    monkeypatch.setattr(reading, "SPLIT_BYTES", 1)
    split = Ledger.from_jsonl(path)
    monkeypatch.setattr(reading, "SPLIT_BYTES", 1 << 60)
    one = Ledger.from_jsonl(path)
    assert list(split.projection.lines()) == list(one.projection.lines())


def test_errors_the_join_judges_again_do_not_hide_later_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An id of the first part reused with other content in the second, then its first line repeated
    60 times (the same line twice: no error), then a bad line: the bad line is listed, as on one core."""
    reused = "00000000-0000-4000-8000-0000000000aa"
    lines = [detained(n) for n in range(100)]
    lines[1] = detained(1, id=reused)
    lines += [detained(101, id=reused)] + [lines[1]] * 60 + ["not json"]
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    one = answer(path, split=False, monkeypatch=monkeypatch)
    assert [line for line, _ in one] == [101, 162]
    assert answer(path, split=True, monkeypatch=monkeypatch, child=True) == one


def test_an_interrupted_reading_leaves_no_second_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(3000)) + "\n", encoding="utf-8")
    monkeypatch.setattr(reading, "SPLIT_BYTES", 1)
    started: list[subprocess.Popen[bytes]] = []
    start = reading._start_part
    monkeypatch.setattr(reading, "_start_part", lambda *args: started.append(start(*args)) or started[-1])

    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("declaration_events.checking.compact", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_logs([path], NOW)
    assert started and started[0].poll() is not None
