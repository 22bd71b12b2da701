"""The README's example of property-testing your own code runs and passes as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import ROOT

EXAMPLE = ROOT / "examples" / "property_testing.py"


def test_the_example_imports_only_the_two_public_testing_names() -> None:
    """A user needs `event_logs` and `LedgerStateMachine` from the library, nothing else."""
    imports = [
        line for line in EXAMPLE.read_text(encoding="utf-8").splitlines() if "declaration_events" in line
    ]
    assert [line for line in imports if line.startswith(("from ", "import "))] == [
        "from declaration_events.strategies import event_logs",
        "from declaration_events.testing import LedgerStateMachine",
    ]


def test_the_example_passes_under_pytest() -> None:
    """`pytest examples/property_testing.py` runs both of its tests and they pass."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS_"))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(EXAMPLE), "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
