"""What many tests share: where the repository and its seeds are, and the start of a writer script."""

from __future__ import annotations

from pathlib import Path

#: The repository's root (where README.md, seeds/ and pyproject.toml are).
ROOT = Path(__file__).resolve().parents[1]
#: The event logs the project ships, in a stable order.
SEEDS = sorted((ROOT / "seeds").glob("*.jsonl"))
#: The same, as command-line arguments.
SEED_ARGS = [str(path) for path in SEEDS]
#: How many events the seeds hold (one per line).
SEED_EVENTS = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in SEEDS)
#: How many events the article's three cases hold (`SEEDS[1]`, seeds/detention-cases.jsonl).
CASE_SEED_EVENTS = len(SEEDS[1].read_text(encoding="utf-8").splitlines())

#: The start of a writer process of the concurrency tests: its arguments are
#: `URL WRITER WRITERS BATCHES GO_FILE`; it opens the ledger, prints "ready" and waits
#: until GO_FILE exists, so that every writer starts at once. The test appends the loop.
WRITER_PREAMBLE = """
import json, sys, time
from pathlib import Path
import pycountry
from declaration_events import Ledger
from declaration_events.errors import ConcurrencyError

url, go = sys.argv[1], Path(sys.argv[5])
writer, writers, batches = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
parties = sorted(country.alpha_3 for country in pycountry.countries)
ledger = Ledger.open(url)
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
"""
