"""The command line's third time: `stamps`, `--stored-by`, and backdated imports counted or refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from declaration_events import read_events
from declaration_events.cli import main
from helpers import ROOT, SEED_ARGS, SEEDS

ATTACK = json.loads((ROOT / "tests" / "hostile" / "backdated_retraction.json").read_text(encoding="utf-8"))
KOVRIG = [*ATTACK["question"], "--format", "json"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command in this process; return its exit status, stdout and stderr."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def backdated_retraction(tmp_path: Path) -> Path:
    """The hostile log of one line (tests/hostile/backdated_retraction.json), aimed at its seed fact."""
    aim = ATTACK["target"]
    seed = next(path for path in SEEDS if path.name == aim["seed"])
    target = next(
        e for e in read_events(seed) if e.type == aim["type"] and getattr(e, "case", "") == aim["case"]
    )
    path = tmp_path / "backdated.jsonl"
    path.write_text(json.dumps({**ATTACK["line"], "target": str(target.id)}) + "\n", encoding="utf-8")
    return path


def kovrig(capsys: pytest.CaptureFixture[str], db: str, *more: str) -> str:
    status, out, err = run(capsys, "cases", "--db", db, *KOVRIG, *more)
    assert status == 0, err
    return str(json.loads(out)["cases"][0]["status"])


def test_a_backdated_import_is_counted_and_stored_by_still_answers_what_the_store_held(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Issue 18's Kovrig example through the CLI: known_at changes, --stored-by does not."""
    db = str(tmp_path / "diplomacy.sqlite")
    assert run(capsys, "import", *SEED_ARGS, "--db", db)[0] == 0
    status, out, _ = run(capsys, "stamps", "--db", db, "--format", "json")
    assert status == 0
    (stamp,) = json.loads(out)
    assert kovrig(capsys, db) == ATTACK["before"]
    log = backdated_retraction(tmp_path)
    status, out, err = run(capsys, "import", str(log), "--db", db, "--no-backdate")
    assert status == 1
    assert f"{log}:1: event" in err and "recorded before facts already stored" in err
    assert kovrig(capsys, db) == "charged"  # nothing was written
    status, out, _ = run(capsys, "import", str(log), "--db", db)
    assert status == 0
    assert "1 event added, 1 of them backdated" in out
    assert kovrig(capsys, db) == "detained"
    assert kovrig(capsys, db, "--stored-by", stamp["stored_at"]) == "charged"
    status, out, _ = run(capsys, "stamps", "--db", db)
    assert status == 0 and out.startswith("2 batches stored")


def test_stored_by_needs_a_store_and_a_past_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """With logs, or a time to come, --stored-by is an error in one line."""
    status, _, err = run(capsys, "cases", *SEED_ARGS, "--stored-by", "2021-01-01")
    assert status == 1 and "--stored-by asks what a store held" in err
    db = str(tmp_path / "diplomacy.sqlite")
    run(capsys, "import", *SEED_ARGS, "--db", db)
    status, _, err = run(capsys, "cases", "--db", db, "--stored-by", "2999-01-01")
    assert status == 1 and "stored_by: 2999-01-01T23:59:59.999999+00:00 is in the future" in err


def test_export_stored_by_writes_only_what_the_store_held_then(tmp_path: Path) -> None:
    """`export --stored-by` run as a user would: the log of the first import, not the later line."""
    db = str(tmp_path / "diplomacy.sqlite")
    cli = [sys.executable, "-m", "declaration_events"]
    subprocess.run([*cli, "import", *SEED_ARGS, "--db", db], check=True, capture_output=True)
    stamps = subprocess.run([*cli, "stamps", "--db", db, "--format", "csv"], check=True, capture_output=True)
    first = stamps.stdout.decode().splitlines()[1].split(",")[0]
    subprocess.run(
        [*cli, "import", str(backdated_retraction(tmp_path)), "--db", db], check=True, capture_output=True
    )
    now = subprocess.run([*cli, "export", "--db", db], check=True, capture_output=True).stdout
    then = subprocess.run(
        [*cli, "export", "--db", db, "--stored-by", first], check=True, capture_output=True
    ).stdout
    assert len(now.splitlines()) == len(then.splitlines()) + 1
    assert now.startswith(then)
