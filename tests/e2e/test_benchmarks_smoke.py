"""The benchmark suite runs end to end at a small size and prints every figure's row (no timings asserted)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

COMMAND = ("--events", "2000", "--repeat", "1", "--queries", "20", "--quiet")
ROWS = (
    "1",
    "1b",
    "1c",
    "2",
    "3",
    "4a",
    "4b",
    "5",
    "6a",
    "6b",
    "7",
    "8a",
    "8b",
    "9a",
    "9b",
    "9c",
    "9d",
    "10a",
    "10b",
    "10c",
    "10d",
)

pytest.importorskip("pandas")


def test_benchmarks_print_every_figure_at_a_small_size() -> None:
    """`python -m benchmarks --events 2000 --repeat 1` completes and prints one row per figure."""
    env = {**os.environ, "PYTHONWARNINGS": "error", "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", *COMMAND],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    assert "2,000 events" in lines[0]
    header = next(i for i, line in enumerate(lines) if line.startswith("fig "))
    rows = [line.split("|")[0].strip() for line in lines[header + 2 :] if "|" in line]
    assert rows == list(ROWS)
    for line in lines[header + 2 : header + 2 + len(ROWS)]:
        cells = [cell.strip() for cell in line.split("|")]
        assert cells[2], f"no value in row {line!r}"
    # The harness checks the library's answers against the naive replay.
    assert "answers agree on 20/20" in result.stdout


def test_generated_log_is_legal_deterministic_and_shaped_as_specified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated log loads whole into a Ledger, is the same for the same seed, and keeps its shape."""
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.generate import generate

    from declaration_events import Ledger

    first = generate(tmp_path / "a.jsonl", 5000, seed=7)
    again = generate(tmp_path / "b.jsonl", 5000, seed=7)
    assert first.path.read_bytes() == again.path.read_bytes()
    ledger = Ledger.from_jsonl(first.path)
    assert len(ledger) == 5000
    assert set(first.types) == {
        "InstrumentOpened",
        "EnteredIntoForce",
        "Signed",
        "Endorsed",
        "Ratified",
        "Withdrew",
        "Condemned",
        "Detained",
        "Charged",
        "Sentenced",
        "Released",
        "CasesLinked",
        "Corrected",
        "Retracted",
    }
    assert len(first.instruments) == 50 and first.cases == 500
    assert first.min_line >= 150
    assert first.max_line <= 250
    assert 0.03 <= first.late / 5000 <= 0.07
    amendments = first.types["Corrected"] + first.types["Retracted"]
    assert 0.005 <= amendments / 5000 <= 0.015
    lines = [json.loads(line) for line in first.path.read_text().splitlines()]
    stamps = [line["recorded_at"] for line in lines]
    assert stamps == sorted(stamps) and stamps[-1] < "2026-11-28"
    assert all(line["occurred_on"] <= line["recorded_at"][:10] for line in lines)


def profile(what: str) -> str:
    """What `python -m benchmarks.profile WHAT --events 2000` prints (it must end well)."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.profile", what, "--events", "2000"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_stage_profile_times_every_stage_of_a_load() -> None:
    """`python -m benchmarks.profile stages` prints each stage's µs per event, in memory and into SQLite."""
    stages = [line for line in profile("stages").splitlines() if "µs/event " in line and "--" not in line]
    assert len(stages) == 10  # five stages, twice
    assert sum("(check)" in line for line in stages) == 2


def test_the_budget_times_each_stage_a_load_cannot_skip_and_sets_them_against_the_targets() -> None:
    """`python -m benchmarks.profile budget` prints validation (ours and the minimal models), packing,
    folding, indexing and storing in µs an event, their sum, and what they make of figures 1, 1b, 4b."""
    out = profile("budget")
    figures = [float(found[1]) for found in re.finditer(r"^ *(-?\d+\.\d\d)  ", out, re.MULTILINE)]
    # (packing is the read's time less validation's: only it could come out negative, on a tiny log)
    assert len(figures) == 8 and all(value > 0 for i, value in enumerate(figures) if i != 2), out
    floor, _, pack, fold, index, total = figures[:6]
    assert abs(floor + pack + fold + index - total) < 0.02, out
    assert "figure 1's target" in out and "figure 1b's" in out and "Figure 4b needs" in out
