"""What many tests share: where the repository and its seeds are, and the start of a writer script."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from declaration_events.events import Charged, Detained, Released, Retracted

#: The repository's root (where README.md, seeds/ and pyproject.toml are).
ROOT = Path(__file__).resolve().parents[1]
#: The logs tests name by position (`SEEDS[1]` is the article's three cases), in this order.
_FIRST = ("arbitrary-detention-declaration", "detention-cases", "ottawa-treaty", "statements")
#: The event logs the project ships, in a stable order: `_FIRST`, then the others by name.
SEEDS = sorted(
    (ROOT / "seeds").glob("*.jsonl"),
    key=lambda path: (_FIRST.index(path.stem) if path.stem in _FIRST else len(_FIRST), path.name),
)
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


# Kovrig's case in three facts, and the backdated retraction of issue 18 (the stamps' tests).
KOVRIG_DETAINED = Detained(
    case="kovrig",
    person="Michael Kovrig",
    nationalities=["CAN"],
    detaining_state="CHN",
    occurred_on="2018-12-10",
    recorded_at="2018-12-12T00:00:00Z",
)
KOVRIG_CHARGED = Charged(
    case="kovrig", charges=["spying"], occurred_on="2020-06-19", recorded_at="2020-06-20T04:00:00Z"
)
KOVRIG_RELEASED = Released(
    case="kovrig", mechanism="other", occurred_on="2021-09-24", recorded_at="2021-09-25T00:00:00Z"
)
#: A retraction of the charge whose log says it was recorded the moment the charge was.
KOVRIG_BACKDATED = Retracted(
    target=KOVRIG_CHARGED.id,
    reason="rewrite the past",
    occurred_on="2020-06-20",
    recorded_at="2020-06-20T04:00:00Z",
)


def never(*args: object, **kwargs: object) -> Any:
    """Stands in for a store's `read`: fails if anything reads the whole notification log."""
    raise AssertionError("the whole notification log was read")


#: The United States accedes to the Ottawa treaty (a fact the seeds do not hold).
USA_ACCEDES = {
    "type": "Ratified",
    "instrument": "ottawa-treaty",
    "party": "USA",
    "mode": "accession",
    "occurred_on": "2026-11-01",
}
