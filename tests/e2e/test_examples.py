"""The examples run as a user runs them: the notebook on a real kernel, the scripts as processes."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import ROOT, SEED_EVENTS

EXAMPLES = ROOT / "examples"
NOTEBOOK = EXAMPLES / "replay_the_declaration.ipynb"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture(scope="module")
def notebook() -> nbformat.NotebookNode:
    """The notebook executed top to bottom (any cell error fails), with a probe cell first."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys\nprint(sys.executable)")
    nb.cells.insert(0, probe)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute()
    return nb


def outputs(nb: nbformat.NotebookNode, needle: str) -> list[dict[str, object]]:
    """The outputs of the first code cell whose source contains `needle`."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and needle in c.source)
    return list(cell.outputs)


def text(nb: nbformat.NotebookNode, needle: str, mime: str = "text/html") -> str:
    parts = []
    for output in outputs(nb, needle):
        if output.get("output_type") == "stream":
            parts.append(str(output["text"]))
        else:
            parts.append(str(output.get("data", {}).get(mime, "")))  # type: ignore[union-attr]
    return "".join(parts)


@pytest.mark.slow
def test_the_notebook_runs_on_a_kernel_with_the_tests_interpreter(notebook: nbformat.NotebookNode) -> None:
    """The kernel is this virtual environment's Python, and no cell wrote an error or a warning."""
    kernel_python = notebook.cells[0].outputs[0]["text"].strip()
    assert Path(kernel_python).resolve() == Path(sys.executable).resolve()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            assert output.get("name") != "stderr", output["text"]


@pytest.mark.slow
def test_the_notebook_answers_the_articles_questions(notebook: nbformat.NotebookNode) -> None:
    """Launch day and today, the known-at-launch view, the correction, the charts and the export."""
    assert f"<strong>Ledger</strong>: {SEED_EVENTS} events" in text(notebook, "Ledger.from_jsonl")
    assert "<strong>59 endorsers</strong>: endorsed 59" in text(notebook, "launch = ")
    assert text(notebook, "evening = ", "text/plain") == "(0, 59)"
    assert "joined since the launch: ['Kosovo']" in text(notebook, "today = ")
    assert "<strong>11 cases</strong>: charged 2, detained 1, died 2, escaped 1, exit_ban 1" in text(
        notebook, 'ledger.cases(as_of="2021-02-15")'
    )
    correction = text(notebook, "side_by_side")
    assert "John Blinken" in correction and "Antony Blinken" in correction
    for needle in ("plot_signatories(ledger", "plot_cases(ledger"):
        images = [o for o in outputs(notebook, needle) if "image/png" in o.get("data", {})]  # type: ignore[operator]
        assert len(images) == 1  # shown once, not twice
    assert text(notebook, "to_csv(out").startswith("case,person,nationalities")


@pytest.mark.slow
def test_the_quickstart_script_runs_from_anywhere(tmp_path: Path) -> None:
    """`python examples/quickstart.py` prints the launch-day counts and the corrected speaker."""
    done = run(str(EXAMPLES / "quickstart.py"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Launch day: {'endorsed': 59}; today: {'endorsed': 60}" in done.stdout
    assert "US speakers as known 2021-03-01: ['John Blinken']" in done.stdout
    assert "US speakers as known now: ['Antony Blinken']" in done.stdout
    assert "Endorsements at the end of each year:" in done.stdout
    assert done.stderr == ""


@pytest.mark.slow
def test_the_readme_chart_script_draws_the_committed_image(tmp_path: Path) -> None:
    """The script writes a PNG the size of docs/cases.png (which must be committed)."""
    out = tmp_path / "cases.png"
    done = run(str(EXAMPLES / "make_readme_plot.py"), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    drawn = out.read_bytes()
    committed = (ROOT / "docs" / "cases.png").read_bytes()
    assert len(drawn) > 30_000
    assert png_size(drawn) == png_size(committed)
