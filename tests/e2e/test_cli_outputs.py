"""Where `--out` points (issue 18, items 5 and 6): files are replaced whole, anything else is written
through, and every failure is one line with nothing partial left.

The targets and what each must do are in tests/hostile/arguments.json (`out`); each runs the real
command in its own process. As root (CI), a careless writer replaces /dev/full, /dev/null and the
/dev/stdout link with regular files, for every process of the machine: so as root the devices and
links are made in the test's own folder (the same kinds of file), and only elsewhere the real ones.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import ROOT, SEED_ARGS, SEED_EVENTS

OUT: dict[str, Any] = json.loads((ROOT / "tests" / "hostile" / "arguments.json").read_text(encoding="utf-8"))[
    "out"
]
KEY = "k" * 32
OLD = b"the old content\n"
#: A file size limit the seeds' redacted log and any chart outgrow (the old file is smaller).
SIZE_LIMIT = 8192
CASES = [
    pytest.param(target, command, id=f"{command}: {target['make']}")
    for target in OUT["targets"]
    for command in target["commands"]
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite ledger holding the seeds, for `export`."""
    path = tmp_path_factory.mktemp("store") / "ledger.sqlite"
    done = run(["import", *SEED_ARGS, "--db", str(path)])
    assert done.returncode == 0, done.stderr
    return path


def run(
    args: list[str], *, stdout: Any = subprocess.PIPE, size_limit: int | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The command in its own process; its output as bytes."""

    def limit() -> None:  # pragma: no cover - runs in the child
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size_limit, size_limit))

    env = {**os.environ, "PYTHONWARNINGS": "error", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "declaration_events", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
        preexec_fn=limit if size_limit else None,
    )


def command_line(command: str, out: str, store: Path) -> list[str]:
    if command == "export":
        return ["export", "--db", str(store), "--out", out]
    if command == "redact":
        return ["redact", *SEED_ARGS, "--key", KEY, "--out", out]
    return ["plot", "cases", *SEED_ARGS, "--as-of", "2021-12-31", "--out", out]


#: Character devices by name: (major, minor), as Linux numbers them.
DEVICES = {"null": (1, 3), "full": (1, 7)}


def device(tmp: Path, name: str) -> Path:
    """A device to write to: the real /dev/NAME, or as root a node of the same device in `tmp`."""
    if os.geteuid() != 0:
        return Path("/dev") / name  # not ours to replace: a careless writer fails, the machine is safe
    node = tmp / name
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(*DEVICES[name]))
    except PermissionError:
        pytest.skip("this container may not make device nodes, and /dev is not the test's to risk")
    return node


def stdout_link(tmp: Path) -> Path:
    """/dev/stdout, or as root a link like it (to /proc/self/fd/1) in `tmp`."""
    if os.geteuid() != 0:
        return Path("/dev/stdout")
    (tmp / "stdout").symlink_to("/proc/self/fd/1")
    return tmp / "stdout"


def make(kind: str, tmp: Path, command: str) -> tuple[str, Path | None]:
    """The `--out` argument for a kind of target, and the regular file it should end up writing."""
    name = "out.png" if command == "plot" else "out.jsonl"
    if kind in ("/dev/null", "/dev/full"):
        return str(device(tmp, kind.removeprefix("/dev/"))), None
    if kind == "/dev/stdout":
        return str(stdout_link(tmp)), None
    if kind == "directory":
        return str(tmp), None
    if kind == "file in a missing directory":
        return str(tmp / "no" / "such" / name), None
    if kind == "file under a regular file":
        (tmp / "plain").write_bytes(OLD)
        return str(tmp / "plain" / name), None
    if kind == "new file":
        return str(tmp / name), tmp / name
    if kind in ("existing file with mode 600", "existing file outgrowing the file size limit"):
        (tmp / name).write_bytes(OLD)
        (tmp / name).chmod(0o600)
        return str(tmp / name), tmp / name
    if kind == "link to a file":
        (tmp / f"real-{name}").write_bytes(OLD)
        (tmp / name).symlink_to(tmp / f"real-{name}")
        return str(tmp / name), tmp / f"real-{name}"
    if kind == "dangling link":
        (tmp / name).symlink_to(tmp / f"later-{name}")
        return str(tmp / name), tmp / f"later-{name}"
    if kind == "link to /dev/full":
        (tmp / name).symlink_to(device(tmp, "full"))
        return str(tmp / name), None
    if kind == "link to /proc/self/fd/1":
        (tmp / name).symlink_to("/proc/self/fd/1")
        return str(tmp / name), None
    return kind, None  # -


def looks_written(command: str, data: bytes) -> bool:
    if command == "plot":
        return data.startswith(b"\x89PNG")
    lines = data.decode("utf-8").splitlines()
    return len(lines) == SEED_EVENTS and all(json.loads(line)["type"] for line in lines)


@pytest.mark.parametrize(("target", "command"), CASES)
def test_out_replaces_files_whole_writes_through_anything_else_and_fails_in_one_line(
    target: dict[str, Any], command: str, tmp_path: Path, store: Path
) -> None:
    """Each hostile `--out` target does what the corpus says, for `export`, `redact` and `plot`."""
    kind, expect = target["make"], target["expect"]
    out, written = make(kind, tmp_path, command)
    before = sorted(p.name for p in tmp_path.iterdir())
    nodes = {path: path.lstat() for path in tmp_path.iterdir() if not path.is_dir()}
    limit = SIZE_LIMIT if "size limit" in kind else None
    done = run(command_line(command, out, store), size_limit=limit)
    stderr = done.stderr.decode()
    assert "Traceback" not in stderr
    if expect == "error":
        assert done.returncode == 1
        assert stderr == f"declaration-events: error: --out {out}: {stderr.split(': ', 3)[-1]}"
        assert target["message"] in stderr and len(stderr.splitlines()) == 1, stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing partial left
        if written is not None:
            assert written.read_bytes() == OLD
    else:
        assert done.returncode == 0, stderr
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    if expect == "replaced":
        assert written is not None and looks_written(command, written.read_bytes())
        if kind.startswith("existing"):
            assert stat.S_IMODE(written.stat().st_mode) == 0o600
        if "link" in kind:
            assert Path(out).is_symlink()
    if expect == "stdout":
        assert looks_written(command, done.stdout)
    for path, info in nodes.items():  # a device or a link is never replaced by a regular file
        now = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            assert (now.st_mode, now.st_rdev) == (info.st_mode, info.st_rdev), path


@pytest.mark.parametrize("command", OUT["stdout_full"]["commands"])
def test_a_full_standard_output_is_one_clear_line_and_exit_status_one(command: str, store: Path) -> None:
    """`> /dev/full`: 'standard output: cannot write: No space left on device', and nothing more."""
    args = {
        "export": ["export", "--db", str(store)],
        "redact": ["redact", *SEED_ARGS, "--key", KEY],
        "status": ["status", *SEED_ARGS, "--instrument", "arbitrary-detention-declaration"],
        "schema": ["schema"],
    }[command]
    with open("/dev/full", "wb") as full:
        done = run(args, stdout=full)
    assert done.returncode == 1
    assert done.stderr.decode() == f"declaration-events: error: {OUT['stdout_full']['message']}\n"
