"""A second Python process for work that divides in two: reading a large log, checking a large batch.

It is this interpreter, started on a snippet of this package's code (`start`), not
`multiprocessing`: the user's `__main__` is not run again and none of this process's threads is
copied. It imports this package as this process found it: this process's import path, and not
the working directory first (`-P`), where another copy of the package, or a module named like
one of the standard library's, could be. Its errors are not read (standard error is discarded):
whoever started it does its part itself when it fails.

It runs only the code this process runs: it compares this package's files as it finds them with
what this process found when it imported the package (`CODE`), and exits at once if they differ
(the package upgraded or edited since: a job or a reply in another shape). Its starter then does
that part itself.

Its starter never waits on it for ever: once it has done its own part it gives the second
process `GRACE` seconds and `PATIENCE` times as long as its own part took (`deadline`), then stops
it (hung, or starved of a core) and does that part itself too.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["CODE", "GRACE", "PATIENCE", "STALE", "cores", "deadline", "start"]

#: The exit status of a second process whose package's files are not those this process imported.
STALE = 3
#: Seconds a starter waits for its second process once its own part is done, at least (`deadline`).
GRACE = 30.0
#: And this many times as long as its own part took (the two parts are about as large).
PATIENCE = 3.0


def _code() -> str:
    """A digest of this package's files as found now: each module's path, size and modification time."""
    package = Path(__file__).parent
    digest = hashlib.sha1(usedforsecurity=False)
    try:
        for path in sorted(package.rglob("*.py")):
            found = path.stat()
            digest.update(f"{path.relative_to(package)}:{found.st_size}:{found.st_mtime_ns}\n".encode())
    except OSError:
        return ""  # not in files (a zip, say): nothing to compare
    return digest.hexdigest()


#: What this package's files were when this process imported it (see the module).
CODE = _code()
#: What a second process runs first: the package as it finds it must be this process's.
_SAME_CODE = (
    "import sys\n"
    "from declaration_events import second_process\n"
    "if sys.argv[1] != second_process.CODE:\n"
    f"    sys.exit({STALE})\n"
    "del sys.argv[1]\n"
)


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def start(code: str, *args: str, stdin: bool = False) -> subprocess.Popen[bytes] | None:
    """This interpreter running `code` with `args` (`sys.argv[1:]`), its standard output a pipe (and
    its standard input, with `stdin`), once it found this package's code as this process did
    (otherwise it exits with `STALE`); None if it cannot start (no interpreter to start: a frozen
    application)."""
    if not sys.executable or getattr(sys, "frozen", False):
        return None
    try:
        path = os.pathsep.join(entry for entry in sys.path if isinstance(entry, str) and entry)
        return subprocess.Popen(  # noqa: S603 - this interpreter, this package's code
            [sys.executable, "-P", "-c", _SAME_CODE + code, CODE, *args],
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
    except (OSError, ValueError, TypeError):
        return None


@contextlib.contextmanager
def deadline(process: subprocess.Popen[bytes], own: float) -> Iterator[None]:
    """Within this block, stop `process` if it still runs `GRACE + PATIENCE * own` seconds from now
    (`own`: how long its starter's own part took): whoever reads its output meets its end, and
    does its part itself."""
    timer = threading.Timer(GRACE + PATIENCE * own, _stop, args=(process,))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill a second process still running (its pipes then end)."""
    with contextlib.suppress(OSError):
        if process.poll() is None:
            process.kill()
