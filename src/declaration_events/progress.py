"""Progress of long work, stage by stage, drawn by tqdm: on a terminal and in Jupyter, off elsewhere.

The write path (reading the logs, checking the rules, storing, indexing) takes a `Progress`
and shows each stage as a tqdm bar: a widget in Jupyter (with ipywidgets, the `notebook`
extra), a line on standard error on a terminal. When off, a stage is nothing at all:
iterables pass through unwrapped and no bar exists, so the hot path pays nothing.

`Progress.auto` decides for a caller that did not say: on when someone is watching (standard
error is a terminal, or the code runs in a Jupyter kernel) and the work is large (logs of
`AUTO_MIN_BYTES` or more); when its size is not known beforehand (a store being indexed),
stages appear only once they have lasted `AUTO_DELAY` seconds. `TQDM_DISABLE=1` in the
environment turns every bar off (tqdm reads it).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from tqdm import tqdm

__all__ = ["AUTO_DELAY", "AUTO_MIN_BYTES", "OFF", "Progress", "in_jupyter", "watched"]

#: Logs smaller than this load without progress unless it is asked for (a second or so).
AUTO_MIN_BYTES = 1 << 20
#: Work of unknown size shows a stage only once it has lasted this long (seconds).
AUTO_DELAY = 0.5

T = TypeVar("T")


def in_jupyter() -> bool:
    """Whether this runs in a Jupyter kernel (IPython is imported only if the kernel already did)."""
    ipython = sys.modules.get("IPython")
    shell = getattr(ipython, "get_ipython", lambda: None)() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def watched() -> bool:
    """Whether someone can see progress: standard error is a terminal, or this is a notebook."""
    try:
        terminal = sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced by an object without a terminal, or closed
        terminal = False
    return terminal or in_jupyter()


def _bar_class() -> type[tqdm[Any]]:
    """tqdm's notebook widget in Jupyter when ipywidgets is installed, else its text bar."""
    if in_jupyter() and importlib.util.find_spec("ipywidgets") is not None:  # the widget draws with it
        from tqdm.notebook import tqdm as notebook_bar

        return notebook_bar
    from tqdm.std import tqdm as text_bar

    return text_bar


def _terminal_size() -> dict[str, Any]:
    """tqdm's size arguments: its own (following the terminal) unless the terminal reports a size
    of 0 (a bare pty, a serial console), where tqdm would hide every bar: then 80 by 24."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
    except (AttributeError, ValueError, OSError):
        return {"dynamic_ncols": True}
    if size.columns and size.lines:
        return {"dynamic_ncols": True}
    return {"ncols": size.columns or 80, "nrows": size.lines or 24}


class Progress:
    """Whether and how long work shows its stages (see the module's documentation)."""

    def __init__(self, enabled: bool, *, delay: float = 0.0) -> None:
        self.enabled = enabled
        self.delay = delay

    @classmethod
    def auto(cls, progress: bool | None, size: int | None) -> Progress:
        """What a caller asked for (`progress` True or False), or, for None, what suits work of `size`
        bytes (None: not known beforehand) and whoever is watching."""
        if progress is not None:
            return cls(progress)
        if not watched():
            return OFF
        if size is None:
            return cls(True, delay=AUTO_DELAY)
        return cls(size >= AUTO_MIN_BYTES)

    @contextmanager
    def stage(
        self, name: str, *, total: int | None = None, unit: str = "event", scale: bool = False
    ) -> Iterator[tqdm[Any] | None]:
        """A bar for one stage while it runs (None when off); it disappears when the stage ends."""
        if not self.enabled:
            yield None
            return
        kind = _bar_class()
        size = _terminal_size() if kind.__module__ == "tqdm.std" else {}  # a widget sizes itself
        bar = kind(
            total=total,
            desc=name,
            unit=unit,
            unit_scale=scale,
            unit_divisor=1024 if scale else 1000,
            leave=False,
            delay=self.delay,
            **size,
        )
        try:
            yield bar
        finally:
            bar.close()

    def iterate(
        self, items: Iterable[T], name: str, *, total: int | None = None, unit: str = "event"
    ) -> Iterable[T]:
        """The items, counted by a bar for the stage when on; the very same iterable when off."""
        if not self.enabled:
            return items
        return self._counted(items, name, total, unit)

    def _counted(self, items: Iterable[T], name: str, total: int | None, unit: str) -> Iterator[T]:
        with self.stage(name, total=total, unit=unit) as bar:
            assert bar is not None  # noqa: S101 - on, so there is a bar
            for item in items:
                yield item
                bar.update()


#: No progress: what the write path uses unless told otherwise.
OFF = Progress(False)
