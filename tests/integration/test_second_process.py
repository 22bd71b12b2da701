"""A second process runs only the code this process runs: when the package's files changed since
this process imported it, the second process exits at once and the work is done here, with the
same answer (reading a large log, checking a large batch)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from declaration_events import Ledger, parallel_check, reading, second_process


def detained(n: int) -> str:
    return json.dumps(
        {"type": "Detained", "case": f"case-{n}", "person": f"P{n}", "nationalities": ["CAN"]}
        | {"detaining_state": "CHN", "occurred_on": "2019-01-01", "recorded_at": "2020-01-01T00:00:00Z"}
    )


def started(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every second process started from now on (to read how each one ended)."""
    processes: list[subprocess.Popen[bytes]] = []
    start = second_process.start

    def noted(code: str, *args: str, stdin: bool = False) -> Any:
        process = start(code, *args, stdin=stdin)
        if process is not None:
            processes.append(process)
        return process

    monkeypatch.setattr(second_process, "start", noted)
    return processes


def load(path: Path, monkeypatch: pytest.MonkeyPatch, *, code: str | None = None) -> tuple[Any, list[int]]:
    """A ledger of the log, read and checked with real second processes; what it holds and how each
    second process ended."""
    with monkeypatch.context() as patch:
        patch.setattr(reading, "SPLIT_BYTES", 1)
        patch.setattr(parallel_check, "PARALLEL_EVENTS", 100)
        patch.setattr(second_process, "cores", lambda: 2)
        if code is not None:
            patch.setattr(second_process, "CODE", code)
        processes = started(patch)
        ledger = Ledger.from_jsonl(path)
        answer = list(ledger.projection.lines()), [row.status for row in ledger.cases()]
    return answer, [process.wait() for process in processes]


def test_second_processes_of_the_same_code_do_their_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package as imported: both second processes (reading, checking) run and end well."""
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(1500)) + "\n", encoding="utf-8")
    _, ended = load(path, monkeypatch)
    assert ended == [0, 0]


def test_a_second_process_finding_other_code_exits_and_the_work_is_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files changed since this process imported the package: each second process exits with
    `STALE` before doing anything, and the ledger holds what it holds when they do their part."""
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(1500)) + "\n", encoding="utf-8")
    expected, _ = load(path, monkeypatch)
    answer, ended = load(path, monkeypatch, code="files changed since")
    assert ended == [second_process.STALE, second_process.STALE]
    assert answer == expected
    assert len(answer[0]) == 1500


def test_the_code_is_the_package_files_as_found() -> None:
    """`CODE` is what this process found when it imported the package, and the files still say so."""
    assert second_process._code() == second_process.CODE
    assert len(second_process.CODE) == 40


def test_a_second_process_that_hangs_is_stopped_and_the_work_is_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process that neither answers nor ends (here: it sleeps first) is killed once its
    starter has waited `GRACE` plus `PATIENCE` times its own part's time, and the ledger holds what
    it holds when second processes do their part. (Without the deadline the load would wait out the
    sleeps, and the second processes would then end well.)"""
    path = tmp_path / "log.jsonl"
    path.write_text("\n".join(detained(n) for n in range(1500)) + "\n", encoding="utf-8")
    expected, _ = load(path, monkeypatch)
    monkeypatch.setattr(second_process, "GRACE", 0.5)
    monkeypatch.setattr(second_process, "PATIENCE", 1.0)
    asleep = "import time\ntime.sleep(60)\n" + second_process._SAME_CODE
    monkeypatch.setattr(second_process, "_SAME_CODE", asleep)
    answer, ended = load(path, monkeypatch)
    assert ended == [-signal.SIGKILL, -signal.SIGKILL]
    assert answer == expected
    assert len(answer[0]) == 1500


def test_the_deadline_leaves_a_process_that_ends_in_time_alone() -> None:
    """A second process that ends before its deadline ends as it would have (no kill, its own status)."""
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(7)"], stdout=subprocess.PIPE)
    with second_process.deadline(process, 0.0):
        assert process.communicate() == (b"", None)
    assert process.returncode == 7
