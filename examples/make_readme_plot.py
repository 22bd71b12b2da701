"""Draw the README's chart, docs/cases.png: every seed case, custody, restrictions and outcomes.

Usage: `python examples/make_readme_plot.py [--out FILE]`. The dates are fixed
(as of and as known at the end of 2024), so the image is the same on every run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

from declaration_events import Ledger, plot_cases
from declaration_events.plots import save_figure

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Write the chart and print where."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "cases.png", help="image file")
    args = parser.parse_args()
    matplotlib.use("Agg")  # a file, never a window
    ledger = Ledger.from_jsonl(*sorted((ROOT / "seeds").glob("*.jsonl")))
    figure = plot_cases(
        ledger,
        as_of="2024-12-31",
        known_at="2024-12-31",
        instruments=["arbitrary-detention-declaration"],
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(save_figure(figure, args.out))


if __name__ == "__main__":
    main()
