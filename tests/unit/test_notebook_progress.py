"""Progress of long work (issue 18, item 14): tqdm bars per stage on a terminal and in Jupyter,
nothing when nobody watches, and nothing paid on the hot path when off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from declaration_events import Ledger
from declaration_events.progress import AUTO_MIN_BYTES, OFF, Progress
from helpers import ROOT, SEED_ARGS, SEED_EVENTS, SEEDS

STAGES = ("reading", "checking", "storing", "indexing")


def test_asked_for_progress_shows_every_stage_of_a_load(capsys: pytest.CaptureFixture[str]) -> None:
    """`from_jsonl(..., progress=True)` draws a bar for reading, checking, storing and indexing."""
    ledger = Ledger.from_jsonl(*SEEDS, progress=True)
    assert len(ledger) == SEED_EVENTS
    err = capsys.readouterr().err
    assert [stage for stage in STAGES if f"{stage}:" in err] == list(STAGES)
    assert "B/s" in err  # reading counts bytes


def test_nobody_watching_means_no_progress_and_the_same_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    """Under pytest standard error is no terminal and no notebook runs: not a character is drawn."""
    ledger = Ledger.from_jsonl(*SEEDS)
    with Ledger.open("memory:") as stored:
        stored.import_logs(*SEEDS)
    assert capsys.readouterr().err == ""
    assert len(ledger) == SEED_EVENTS


def test_off_is_free_the_very_iterable_and_no_bar() -> None:
    """When off, a stage hands back the iterable it was given and no bar is made."""
    items = [1, 2, 3]
    assert OFF.iterate(items, "checking") is items
    with OFF.stage("storing", total=3) as bar:
        assert bar is None
    assert not Progress.auto(False, 10**9).enabled


def test_auto_shows_progress_for_large_work_only_when_someone_watches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Watched: on from 1 MiB of logs, or after half a second for work of unknown size."""
    import declaration_events.progress as progress

    assert not Progress.auto(None, AUTO_MIN_BYTES * 10).enabled  # pytest: nobody watches
    monkeypatch.setattr(progress, "watched", lambda: True)
    assert Progress.auto(None, AUTO_MIN_BYTES).enabled
    assert not Progress.auto(None, AUTO_MIN_BYTES - 1).enabled
    unknown = Progress.auto(None, None)
    assert unknown.enabled and unknown.delay == progress.AUTO_DELAY


def test_tqdm_disable_in_the_environment_silences_every_bar() -> None:
    """`TQDM_DISABLE=1` (tqdm's own switch) turns the bars off even when progress is asked for."""
    code = (
        "import sys; from declaration_events import Ledger; Ledger.from_jsonl(*sys.argv[1:], progress=True)"
    )
    env = {**os.environ, "TQDM_DISABLE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", code, *SEED_ARGS], capture_output=True, text=True, env=env, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_in_jupyter_a_load_shows_tqdm_widgets(tmp_path: Path) -> None:
    """In a kernel the bars are ipywidgets (tqdm.notebook), not text on stderr; small auto loads show none."""
    seeds = json.dumps([str(path) for path in SEEDS])
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from declaration_events import Ledger\n"
            "from declaration_events.progress import in_jupyter, watched\n"
            f"print(in_jupyter(), watched())\nSEEDS = {seeds}"
        ),
        nbformat.v4.new_code_cell("ledger = Ledger.from_jsonl(*SEEDS, progress=True)\nprint(len(ledger))"),
        nbformat.v4.new_code_cell("quiet = Ledger.from_jsonl(*SEEDS)\nprint(len(quiet))"),
    ]
    NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    assert nb.cells[0].outputs[0]["text"] == "True True\n"
    shown = nb.cells[1].outputs
    widgets = [out for out in shown if "application/vnd.jupyter.widget-view+json" in out.get("data", {})]
    assert len(widgets) == len(STAGES)
    assert not [out for out in shown if out.get("name") == "stderr"]
    assert [out["text"] for out in nb.cells[2].outputs] == [f"{SEED_EVENTS}\n"]
