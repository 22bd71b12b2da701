"""Quickstart: load the seed logs, ask what was true when, and see what the ledger believed.

Run from anywhere: `python examples/quickstart.py`. The last part needs the
notebook extra (`pip install 'declaration-events[notebook]'`) and is skipped without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from declaration_events import Ledger

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
DECLARATION = "arbitrary-detention-declaration"

ledger = Ledger.from_jsonl(*sorted(SEEDS.glob("*.jsonl")))
print(repr(ledger), end="\n\n")

# Who had endorsed the declaration on its launch day, and who has today?
launch = ledger.signatories(DECLARATION, as_of="2021-02-15")
today = ledger.signatories(DECLARATION)
print(f"Launch day: {launch.counts}; today: {today.counts}")
print(f"Joined since launch: {sorted({r.name for r in today} - {r.name for r in launch})}\n")

# Where did the detention cases stand on launch day? (`print` shows the same table as the CLI.)
print(ledger.cases(as_of="2021-02-15"), end="\n\n")

# Two times on every fact: the article misnamed the US Secretary of State; a correction
# was recorded in November 2026. Ask what was believed before, and what is believed now.
for known_at in ("2021-03-01", None):
    rows = ledger.condemnations(actor="United States", known_at=known_at)
    print(f"US speakers as known {known_at or 'now'}: {sorted(r.speaker for r in rows if r.speaker)}")

if importlib.util.find_spec("pandas") is not None:
    counts = ledger.signatory_counts(DECLARATION, start="2021-01-01", end="2023-12-31", freq="Y")
    print("\nEndorsements at the end of each year:")
    print(counts.to_string())
    events = ledger.events_frame()
    print("\nEvents by PLOVER category:")
    print(events["plover"].value_counts().to_string())
