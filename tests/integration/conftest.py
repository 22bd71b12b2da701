"""Fixtures of the integration tests: a durable store holding the seeds."""

from __future__ import annotations

import pytest

from declaration_events import Ledger
from helpers import SEEDS


@pytest.fixture
def seeded(durable_url: str) -> str:
    """A store (SQLite, PostgreSQL) holding the seeds."""
    with Ledger.open(durable_url) as ledger:
        ledger.import_logs(*SEEDS)
    return durable_url
