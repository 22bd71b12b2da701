"""The package's layers, as docs/ARCHITECTURE.md draws them: no import cycle, light to import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import declaration_events
from helpers import ROOT

PACKAGE = Path(declaration_events.__file__).parent
#: Modules that may use the optional outputs and the command line: the front door and the outputs.
OUTER = {"cli", "__main__", "ledger", "notebook", "plots", "results", "redact", "strategies", "testing"}
#: What the core (everything else) must never import.
FORBIDDEN_IN_CORE = {"cli", "notebook", "plots"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every module of the package that `path` imports anywhere (lazily, or only for type checking)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".") if package else []
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            for alias in node.names:
                found.add(f"{target}.{alias.name}".lstrip(".") if not node.module else target)
        elif (
            isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("declaration_events")
        ):
            found.add(node.module.removeprefix("declaration_events").lstrip("."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("declaration_events."):
                    found.add(alias.name.removeprefix("declaration_events."))
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    return {m for m in found if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_the_package_has_no_import_cycle_even_through_lazy_imports() -> None:
    """Every import counts, at the top, inside a function or under TYPE_CHECKING: none goes round."""
    edges = graph()
    assert len(edges) > 20
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    """A loop of three modules is reported with its path (the finder itself works)."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_core_never_imports_the_cli_notebook_or_plots() -> None:
    """Rules, storage, projections and the rest depend on no output and no command line."""
    edges = graph()
    for module, imported in edges.items():
        top = module.split(".")[0]
        if top in OUTER or module == "":
            continue
        assert not {m.split(".")[0] for m in imported} & FORBIDDEN_IN_CORE, (module, imported)
    assert "cli" not in {
        m.split(".")[0] for name, imp in edges.items() if name not in ("__main__",) for m in imp
    }


def test_importing_the_package_loads_no_optional_or_heavy_module() -> None:
    """`import declaration_events` loads no notebook, plots, pandas, matplotlib, hypothesis, eventsourcing,
    nor the Parquet export and pyarrow."""
    probe = (
        "import sys, declaration_events as de\n"
        "assert de.__version__ and de.Ledger and de.ConcurrencyConflict is de.ConcurrencyError\n"
        "heavy = {'declaration_events.notebook', 'declaration_events.plots', 'pandas', 'matplotlib',"
        " 'hypothesis', 'eventsourcing', 'declaration_events.parquet', 'pyarrow', 'duckdb'}\n"
        "print(sorted(m for m in sys.modules if m in heavy or m.split('.')[0] in heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_every_public_name_is_still_exported_and_charts_load_on_first_use() -> None:
    """No public name of 0.1 is lost; the chart functions are imported when first asked for."""
    names_of_0_1 = {
        "CaseRow",
        "Cases",
        "CasesLinked",
        "Charged",
        "ConcurrencyConflict",
        "CondemnationRow",
        "Condemnations",
        "Condemned",
        "Corrected",
        "DeclarationEventsError",
        "Detained",
        "Endorsed",
        "EnteredIntoForce",
        "Event",
        "EventLogError",
        "InstrumentOpened",
        "InvalidEventError",
        "InvalidTransitionError",
        "Ledger",
        "LineError",
        "PartialDate",
        "Projection",
        "Ratified",
        "RecordResult",
        "RedactionError",
        "Redactor",
        "Released",
        "Retracted",
        "Sentenced",
        "Signatories",
        "SignatoryRow",
        "Signed",
        "Source",
        "StoreError",
        "Timeline",
        "TimelineRow",
        "UnknownEntityError",
        "UnknownPartyError",
        "Withdrew",
        "__version__",
        "event_json_schema",
        "iter_events",
        "parse_event",
        "party_name",
        "plot_cases",
        "plot_signatories",
        "read_events",
        "redact_events",
        "redact_log",
        "resolve_party",
        "write_events",
    }
    assert names_of_0_1 <= set(declaration_events.__all__)
    for name in declaration_events.__all__:
        assert getattr(declaration_events, name) is not None, name


def test_the_version_is_the_installed_distribution_s() -> None:
    """`__version__` is read from the package metadata, not written a second time in the code."""
    from importlib.metadata import version

    assert declaration_events.__version__ == version("declaration-events")


def test_every_error_class_lives_in_errors_and_ends_in_error() -> None:
    """One module holds every exception; each name ends in `Error` (the old conflict name is an alias)."""
    for path in PACKAGE.rglob("*.py"):
        if path.name == "errors.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                assert (
                    not any(b.endswith(("Error", "Exception")) for b in bases) or path.parts[-2] == "testing"
                ), (
                    path.name,
                    node.name,
                )
    from declaration_events import errors

    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert name.endswith("Error") or name == "ConcurrencyConflict", name


def test_the_tests_collect_and_run_without_psycopg() -> None:
    """With psycopg missing, the suite still collects; PostgreSQL tests skip saying why, the rest run."""
    probe = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-rs', 'tests/integration/test_pgserver.py',"
        " 'tests/unit/test_parties.py']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "psycopg is not installed" in done.stdout and " passed" in done.stdout
