"""The stateful test base run against our own ledgers, and proof that it catches a broken rule."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from declaration_events import Corrected, Ledger, Retracted, rules
from declaration_events.events import EventBase
from declaration_events.testing import LedgerStateMachine

TestLedgerInMemory = LedgerStateMachine.TestCase


class LedgerOnSQLite(LedgerStateMachine):
    """The same machine on an SQLite file per example."""

    def make_ledger(self) -> Ledger:
        self.directory = tempfile.TemporaryDirectory()
        return Ledger.open(f"sqlite:///{Path(self.directory.name, f'{uuid.uuid4().hex}.sqlite')}")

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            self.directory.cleanup()


TestLedgerOnSQLite = LedgerOnSQLite.TestCase
# A third of the examples: each step commits to disk, the machine's checks stay the same.
TestLedgerOnSQLite.settings = settings(max_examples=max(10, settings.default.max_examples // 3))


class Journaled(LedgerStateMachine):
    """Keeps the journal of the last run, which after a failure is the shrunk example.

    A broken transition shows when the ledger and the model disagree on taking a fact, which
    `record` checks at every step; the hunt skips the costlier checks of every answer.
    """

    last_journal: ClassVar[list[str]] = []
    #: The journal of every run that failed a check of the ledger against the model (the shrunk
    #: example is the shortest; the last run is not always it: Hypothesis may replay others after).
    failing: ClassVar[list[list[str]]] = []
    max_entities = 1  # one instrument and one case: every step deepens their histories

    def record(self, events: Sequence[EventBase], *, one_by_one: bool = False) -> list[EventBase]:
        try:
            return super().record(events, one_by_one=one_by_one)
        except AssertionError:
            type(self).failing.append(list(self.journal))
            raise

    def _through_api(self, amendment: Corrected | Retracted) -> None:
        try:
            super()._through_api(amendment)
        except AssertionError:
            type(self).failing.append(list(self.journal))
            raise

    def agrees_with_the_model(self) -> None:  # no longer an invariant: not decorated
        """Skipped in the hunt."""

    def the_past_is_unchanged(self) -> None:  # no longer an invariant: not decorated
        """Skipped in the hunt."""

    def _snapshot(self) -> None:
        """Nothing to keep: the past is not checked in the hunt."""

    def teardown(self) -> None:
        type(self).last_journal = list(self.journal)
        self.ledger.close()


HUNT = settings(
    max_examples=1000,  # found within ~300 alone; other tests run first can shift the draws
    stateful_step_count=20,
    phases=[Phase.generate, Phase.shrink],  # no explain phase: it costs as much as the shrinking
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    suppress_health_check=[HealthCheck.too_slow],
)


def hunt(table: str, event: str, status: str, after: str | None) -> tuple[str, list[str]]:
    """Break one cell of a transition table (`after` None: remove it), run the hunt; return the
    failure's message and the shrunk example (the shortest journal of a failing run: after
    shrinking, Hypothesis may run other examples, so the last run is not always it)."""
    cells: dict[str, dict[str | None, str]] = getattr(rules, table)
    with pytest.MonkeyPatch.context() as patch:
        if after is None:
            patch.delitem(cells[event], status)
        else:
            patch.setitem(cells[event], status, after)
        Journaled.failing = []
        try:
            run_state_machine_as_test(Journaled, settings=HUNT)
        except AssertionError as exc:
            return str(exc), min(Journaled.failing, key=len)
    return "", []


#: The hunt in a process of its own: how far it shrinks depended on the tests run before it in the
#: same process (8 steps alone, 9 or more after the rest of the suite).
_HUNT_ALONE = (
    "import json, sys\n"
    "sys.path[:0] = sys.argv[2:]\n"
    "import test_ledger_state_machine as module\n"
    "print(json.dumps(module.hunt(*json.loads(sys.argv[1]))))\n"
)


@pytest.mark.parametrize(
    ("table", "event", "status", "after"),
    [
        # Too permissive: signing twice without withdrawing between (open, sign, sign again).
        ("PARTICIPATION_TRANSITIONS", "Signed", "signed", "signed"),
        # Too strict: ratifying a treaty one has signed (open, sign, ratify).
        ("PARTICIPATION_TRANSITIONS", "Ratified", "signed", None),
        # Too permissive, in a case: bail for someone already on bail (detain, bail, bail again).
        ("CASE_TRANSITIONS", "Released:bail", "on_bail", "on_bail"),
    ],
    ids=["sign-twice", "no-ratifying-after-signing", "bail-from-bail"],
)
def test_a_broken_transition_is_caught_and_shrunk_to_a_short_example(
    table: str, event: str, status: str, after: str | None
) -> None:
    """Break one cell of a transition table: the machine fails, and shrinks to the few facts that show it."""
    here = Path(__file__).parent
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _HUNT_ALONE,
            json.dumps([table, event, status, after]),
            str(here),
            str(here.parent),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    message, shrunk = json.loads(done.stdout.splitlines()[-1])
    assert re.search(r"the ledger (accepted|refused)", message), message
    # Short: a handful of recording attempts (a case may keep a correction or two the shrinker
    # could not drop once the detention rules made the machine larger).
    assert 2 <= len(shrunk) <= 8, shrunk


def test_the_machine_agrees_on_postgresql(postgres_url: str) -> None:
    """The same machine on PostgreSQL (a server the tests start), a fresh schema per example."""

    class LedgerOnPostgreSQL(LedgerStateMachine):
        def make_ledger(self) -> Ledger:
            return Ledger.open(f"{postgres_url}?schema=m{uuid.uuid4().hex[:16]}")

    # A sixth of the examples: every query also catches up with the server.
    few = settings(max_examples=max(5, settings.default.max_examples // 6), deadline=None)
    run_state_machine_as_test(LedgerOnPostgreSQL, settings=few)
