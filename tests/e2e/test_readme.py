"""The README is the front door: its two commands work as written and its Python blocks run."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)
BLOCKS = [(lang, body) for lang, body in BLOCK.findall(README)]
VENV = "python3 -m venv .venv && . .venv/bin/activate && "
INSTALL = re.compile(r"^" + re.escape(VENV) + r"python -m pip install -e (\S+) && ")


def bash_blocks() -> list[str]:
    return [body.strip() for lang, body in BLOCKS if lang == "bash"]


def python_blocks() -> list[str]:
    return [body for lang, body in BLOCKS if lang == "python"]


def test_the_readme_has_exactly_two_commands_install_and_run_then_install_and_test() -> None:
    """Two bash blocks: the main job on the embedded default, then the tests."""
    main, tests = bash_blocks()[:2]
    assert INSTALL.match(main), main
    assert tests == 'python -m pip install -e ".[dev]" && python -m pytest'


def test_the_first_command_makes_and_activates_a_virtual_environment_before_installing() -> None:
    """Debian and Ubuntu refuse `pip install` outside a virtual environment: the command starts with one."""
    main = bash_blocks()[0]
    assert main.startswith(VENV + "python -m pip install -e . && declaration-events import")


def test_the_virtual_environment_steps_work_as_written(tmp_path: Path) -> None:
    """`python3 -m venv .venv && . .venv/bin/activate` gives a `python` inside .venv (no install here)."""
    command = VENV + 'python -c "import sys; print(sys.prefix)"'
    result = subprocess.run(
        ["bash", "-c", f"set -e; {command}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == tmp_path / ".venv"


def test_the_encryption_example_installs_the_crypto_extra_first() -> None:
    """`keygen` and an encrypted store need pycryptodome: the README installs `.[crypto]` before them."""
    blocks = [body for lang, body in BLOCKS if lang == "console" and "keygen" in body]
    assert blocks, "the README shows encryption at rest"
    for body in blocks:
        lines = body.splitlines()
        first_key = next(n for n, line in enumerate(lines) if "CIPHER_KEY" in line or "keygen" in line)
        assert any('pip install -e ".[crypto]"' in line for line in lines[:first_key]), body
    assert "`crypto` extra" in README


def test_ci_runs_the_same_test_command_as_the_readme() -> None:
    """.ci/run installs the dev extras and runs `python -m pytest`, as the README says."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -q -e ".[dev]"' in ci
    assert "python -m pytest" in ci


def test_the_main_command_runs_as_written_in_a_fresh_folder(tmp_path: Path) -> None:
    """The first command (after its install step, already done here) runs and prints the tables."""
    main = bash_blocks()[0]
    command = INSTALL.sub("", main)
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    bindir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        ["bash", "-c", f"set -e; {command}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "59 endorsers: endorsed 59" in result.stdout
    assert "kovrig" in result.stdout
    assert "798" in result.stdout
    assert "Traceback" not in result.stderr
    for word in shlex.split(command):
        if word.startswith("seeds/"):
            assert list(tmp_path.glob(word)), word


@pytest.mark.parametrize("index", range(len(python_blocks())))
def test_the_tour_runs(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Python block of the README runs, in order, in one namespace, from the repository root."""
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "readme"}
    for body in python_blocks()[: index + 1]:
        exec(compile(body, "README.md", "exec"), namespace)  # noqa: S102 - the README is ours
