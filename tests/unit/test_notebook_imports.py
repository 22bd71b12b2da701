"""pandas and matplotlib are optional: importing the package, printing and HTML displays need neither."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT

PROBE = """
import sys
import declaration_events as de

ledger = de.Ledger.from_jsonl(*sorted(__import__("pathlib").Path("seeds").glob("*.jsonl")))
result = ledger.signatories("arbitrary-detention-declaration", as_of="2021-02-15")
shown = [str(result), repr(result), result._repr_html_(), ledger._repr_html_(), str(ledger.cases())]
assert all(shown) and de.plot_cases and de.plot_signatories
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"pandas", "matplotlib", "numpy"})
print(",".join(heavy) or "none")
"""


def test_importing_and_displaying_results_loads_neither_pandas_nor_matplotlib() -> None:
    """A fresh interpreter imports the package, prints and renders HTML: no heavy module is loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "none"


def test_a_dataframe_is_what_loads_pandas() -> None:
    """`to_dataframe()` imports pandas on first use, and not matplotlib."""
    probe = PROBE.replace("heavy = ", "result.to_dataframe()\nheavy = ")
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.strip().split(","))
    assert "pandas" in loaded and "matplotlib" not in loaded
