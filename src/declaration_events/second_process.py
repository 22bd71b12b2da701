"""A second Python process for work that divides in two: reading a large log, checking a large batch.

It is this interpreter, started on a snippet of this package's code (`start`), not
`multiprocessing`: the user's `__main__` is not run again and none of this process's threads is
copied. It imports this package as this process found it: this process's import path, and not
the working directory first (`-P`), where another copy of the package, or a module named like
one of the standard library's, could be. Its errors are not read (standard error is discarded):
whoever started it does its part itself when it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys

__all__ = ["cores", "start"]


def cores() -> int:
    """The cores this process may run on (its affinity, where the system tells it)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def start(code: str, *args: str, stdin: bool = False) -> subprocess.Popen[bytes] | None:
    """This interpreter running `code` with `args`, its standard output a pipe (and its standard
    input, with `stdin`); None if it cannot start (no interpreter to start: a frozen application)."""
    if not sys.executable or getattr(sys, "frozen", False):
        return None
    try:
        path = os.pathsep.join(entry for entry in sys.path if isinstance(entry, str) and entry)
        return subprocess.Popen(  # noqa: S603 - this interpreter, this package's code
            [sys.executable, "-P", "-c", code, *args],
            stdin=subprocess.PIPE if stdin else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": path},
        )
    except (OSError, ValueError, TypeError):
        return None
