"""The command line as a user runs it: real processes, real files, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from helpers import SEED_ARGS as SEEDS

DECLARATION = "arbitrary-detention-declaration"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run `python -m declaration_events ARGS` and capture its output."""
    env = {**os.environ, "PYTHONWARNINGS": "error", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "declaration_events", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_validate_summarises_each_seed_file_and_exits_zero() -> None:
    """`validate seeds/*.jsonl` prints one summary line per file and an ok line."""
    result = run("validate", *SEEDS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(SEEDS) + 1
    assert any("61 events, 1 instrument, 0 cases, 2021-02-15 .. 2022-10" in line for line in lines)
    assert lines[-1].startswith("ok: 142 events")


def test_validate_reports_every_bad_line_as_file_line_message(tmp_path: Path) -> None:
    """Bad lines go to stderr as FILE:LINE: message, with a non-zero exit and no traceback."""
    log = tmp_path / "bad.jsonl"
    log.write_text(
        '{"type": "Signed"}\nnot json\n{"type": "Endorsed", "instrument": "x", '
        '"party": "Cnada", "occurred_on": "2021-02-15"}\n'
    )
    result = run("validate", str(log))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert [e.split(": ")[0] for e in errors] == [f"{log}:1", f"{log}:2", f"{log}:3"]
    assert "did you mean Canada (CAN)" in errors[2]
    assert "Traceback" not in result.stderr


def test_validate_reports_a_broken_rule_at_its_line(tmp_path: Path) -> None:
    """A release of someone never detained is reported with its file and line."""
    log = tmp_path / "case.jsonl"
    log.write_text('{"type": "Released", "case": "x", "mechanism": "bail", "occurred_on": "2020-01-01"}\n')
    result = run("validate", str(log))
    assert result.returncode == 1
    assert result.stderr.startswith(f"declaration-events: error: {log}:1: unknown case 'x'")
    assert "unknown-case" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_status_prints_a_table_with_names_and_a_count_line() -> None:
    """The table lists party names beside codes and ends with the counts."""
    result = run("status", *SEEDS, "--instrument", DECLARATION, "--as-of", "2021-02-15")
    assert result.returncode == 0, result.stderr
    assert "CAN   Canada" in result.stdout
    assert "European Union" in result.stdout
    assert result.stdout.rstrip().endswith("59 parties: endorsed 59")


def test_status_json_is_the_documented_contract() -> None:
    """`--format json` gives instrument, as_of, known_at, parties and counts."""
    result = run(
        "status",
        *SEEDS,
        "--instrument",
        DECLARATION,
        "--as-of",
        "2021-02-15",
        "--known-at",
        "2026-01-01T00:00:00Z",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert data["counts"] == {"endorsed": 59}
    assert data["known_at"] == "2026-01-01T00:00:00+00:00"
    assert data["parties"][0] == {
        "party": "ALB",
        "name": "Albania",
        "status": "endorsed",
        "since": "2021-02-15",
        "uncertain": False,
    }


def test_status_csv_has_a_header_and_one_row_per_party() -> None:
    """`--format csv` is one row per party."""
    result = run("status", *SEEDS, "--instrument", DECLARATION, "--as-of", "2021-02-15", "--format", "csv")
    rows = result.stdout.splitlines()
    assert rows[0] == "party,name,status,since,uncertain"
    assert len(rows) == 60


def test_cases_json_answers_the_launch_day_question() -> None:
    """Kovrig: charged, 798 days on 2021-02-15."""
    result = run("cases", *SEEDS, "--as-of", "2021-02-15", "--format", "json")
    cases = {c["case"]: c for c in json.loads(result.stdout)["cases"]}
    assert cases["kovrig"]["status"] == "charged"
    assert cases["kovrig"]["days_detained"] == 798
    assert cases["meng-wanzhou"]["status"] == "on_bail"


def test_cases_for_one_case_and_as_known_earlier() -> None:
    """`--case` filters, `--known-at` goes back in record time."""
    result = run(
        "cases",
        *SEEDS,
        "--case",
        "spavor",
        "--as-of",
        "2021-08-15",
        "--known-at",
        "2021-08-10",
        "--format",
        "json",
    )
    data = json.loads(result.stdout)
    assert [c["status"] for c in data["cases"]] == ["charged"]


def test_timeline_lists_facts_about_a_party_by_name() -> None:
    """`timeline --party Canada` shows Canada's facts in date order."""
    result = run("timeline", *SEEDS, "--party", "Canada")
    assert result.returncode == 0, result.stderr
    assert "1997-12-03  InstrumentOpened" in result.stdout
    assert "Detained" in result.stdout


def test_condemnations_show_the_corrected_speaker_only_after_the_correction() -> None:
    """The article's misnamed Secretary of State, then the correction."""
    then = run("condemnations", *SEEDS, "--known-at", "2021-03-01")
    now = run("condemnations", *SEEDS)
    assert "John Blinken" in then.stdout and "Antony Blinken" not in then.stdout
    assert "Antony Blinken" in now.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--instrument", "ottawa"], "unknown instrument 'ottawa'; did you mean ottawa-treaty?"),
        (["cases", "--case", "kovrik"], "unknown case 'kovrik'; did you mean kovrig?"),
        (
            ["status", "--instrument", DECLARATION, "--as-of", "15/02/2021"],
            "as_of: '15/02/2021' is not a date",
        ),
        (["cases", "--known-at", "soon"], "known_at: 'soon' is not an RFC 3339 date-time"),
        (["timeline", "--party", "Narnia"], "unknown party 'Narnia'"),
    ],
)
def test_bad_input_gives_a_one_line_error_and_a_non_zero_exit(args: list[str], message: str) -> None:
    """Unknown instruments, cases, parties and bad dates: one line on stderr, no traceback."""
    result = run(*args[:1], *SEEDS, *args[1:])
    assert result.returncode == 1
    assert result.stderr.strip() == f"declaration-events: error: {message}" or message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_unreadable_log_is_a_clear_error(tmp_path: Path) -> None:
    """A missing file names itself."""
    result = run("status", str(tmp_path / "missing.jsonl"), "--instrument", "x")
    assert result.returncode == 1
    assert "missing.jsonl:0: cannot read: No such file or directory" in result.stderr


def test_the_schema_command_prints_the_committed_schema() -> None:
    """`schema` prints what schema/event-log-v1.json holds."""
    result = run("schema")
    committed = (ROOT / "schema" / "event-log-v1.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout) == json.loads(committed)


def test_every_command_is_documented_in_the_readme() -> None:
    """Each subcommand appears in the README."""
    from declaration_events.cli import build_parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    missing = [name for name in commands if f"declaration-events {name}" not in readme]
    assert not missing, f"undocumented commands: {missing}"
