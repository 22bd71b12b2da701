"""The command line as a user runs it: real processes, real files, exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, SEED_EVENTS
from helpers import SEED_ARGS as SEEDS

DECLARATION = "arbitrary-detention-declaration"
PREFIX = "declaration-events: error"


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
    events = sum(len(Path(seed).read_text(encoding="utf-8").splitlines()) for seed in SEEDS)
    assert lines[-1].startswith(f"ok: {events} events")


def test_validate_reports_every_bad_line_as_file_line_message(tmp_path: Path) -> None:
    """Bad lines go to stderr as `declaration-events: error: FILE:LINE: message`, exit 1, no traceback."""
    log = tmp_path / "bad.jsonl"
    log.write_text(
        '{"type": "Signed"}\nnot json\n{"type": "Endorsed", "instrument": "x", '
        '"party": "Cnada", "occurred_on": "2021-02-15"}\n'
    )
    result = run("validate", str(log))
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert [e.split(": ")[:3] for e in errors] == [[*PREFIX.split(": "), f"{log}:{n}"] for n in (1, 2, 3)]
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
    assert result.stdout.rstrip().endswith("59 endorsers: endorsed 59")


def test_status_json_is_the_documented_contract() -> None:
    """`--format json` gives instrument, as_of, known_at, parties, counts and tally."""
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
    assert data["tally"] == {"endorsers": 59, "signatories": 0}
    assert data["known_at"] == "2026-01-01T00:00:00+00:00"
    assert data["parties"][0] == {
        "party": "ALB",
        "name": "Albania",
        "status": "endorsed",
        "since": "2021-02-15",
        "uncertain": False,
        "effective_on": None,
        "effective_derived": False,
        "continued_from": None,
        "territories": [],
    }


def test_status_csv_has_a_header_and_one_row_per_party() -> None:
    """`--format csv` is one row per party."""
    result = run("status", *SEEDS, "--instrument", DECLARATION, "--as-of", "2021-02-15", "--format", "csv")
    rows = result.stdout.splitlines()
    assert (
        rows[0]
        == "party,name,status,since,uncertain,effective_on,effective_derived,continued_from,territories"
    )
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
    """A missing file names itself, as `FILE:` (no line 0: the whole file is at fault)."""
    missing = tmp_path / "missing.jsonl"
    result = run("status", str(missing), "--instrument", "x")
    assert result.returncode == 1
    assert result.stderr == f"{PREFIX}: {missing}: cannot read: No such file or directory\n"


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


# -- issue 18, item 15: --version, help, list, plurals, --as-of in the future, one error prefix ----


def test_version_prints_the_installed_version() -> None:
    """`--version` prints the program's name and the installed distribution's version."""
    from importlib.metadata import version

    result = run("--version")
    assert (result.returncode, result.stdout) == (0, f"declaration-events {version('declaration-events')}\n")


def test_every_option_of_every_command_has_help_text() -> None:
    """No argument of any command or chart is left without a help line in `--help`."""
    import argparse

    from declaration_events.cli import build_parser

    def undocumented(parser: argparse.ArgumentParser, path: str) -> list[str]:
        missing = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    missing += undocumented(child, f"{path} {name}")
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{path}: {'/'.join(action.option_strings) or action.dest}")
        return missing

    assert undocumented(build_parser(), "declaration-events") == []


def test_list_names_instruments_and_cases_with_their_event_counts() -> None:
    """`list` shows each instrument (kind, title), case (person, holder) and non-state actor with its
    events, then totals."""
    result = run("list", *SEEDS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "5 instruments"
    assert any(line.split()[:3] == [DECLARATION, "declaration", "61"] for line in lines)
    assert any(line.split()[:3] == ["ottawa-treaty", "treaty", "322"] for line in lines)
    assert any(line.split()[:3] == ["inf-treaty", "bilateral_treaty", "9"] for line in lines)
    assert "12 cases" in lines and "2 actors" in lines
    assert any(line.split() == ["spavor", "Michael", "Spavor", "China", "6"] for line in lines)
    assert any(line.split() == ["frerichs", "Mark", "Frerichs", "Haqqani", "network", "2"] for line in lines)
    assert any(line.split() == ["actor:haqqani-network", "Haqqani", "network", "1"] for line in lines)
    assert lines[-1] == f"{SEED_EVENTS} events: 5 instruments, 12 cases, 2 actors, 7 statements"
    data = json.loads(run("list", *SEEDS, "--format", "json").stdout)
    assert data["events"] == SEED_EVENTS and data["statements"] == 7
    counts = {c["case"]: c["events"] for c in data["cases"]}
    assert {case: counts[case] for case in ("kovrig", "meng-wanzhou", "spavor")} == {
        "kovrig": 5,  # detained, formally arrested, charged, released, linked
        "meng-wanzhou": 5,  # indicted at large, detained, bailed, charged, released
        "spavor": 6,  # the same as Kovrig, and sentenced
    }
    assert [(a["actor"], a["events"]) for a in data["actors"]] == [
        ("actor:haqqani-network", 1),
        ("actor:islamic-state", 1),
    ]
    assert sum(i["events"] for i in data["instruments"]) + sum(counts.values()) + 2 + 7 == SEED_EVENTS


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["cases", "--case", "kovrig", "--as-of", "2021-02-15"], "1 case: charged 1"),
        (["condemnations", "--actor", "China"], "1 condemnation"),
        (["timeline", "--party", "Kosovo"], "1 fact: Endorsed 1"),
    ],
)
def test_one_of_anything_is_singular(args: list[str], line: str) -> None:
    """'1 party', '1 case', '1 condemnation', '1 fact': never '1 parties'."""
    result = run(*args[:1], *SEEDS, *args[1:])
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().splitlines()[-1] == line


def test_validate_counts_one_file_and_one_event_in_the_singular(tmp_path: Path) -> None:
    """`validate` of a one-line log says '1 event', '1 instrument', '1 file'."""
    log = tmp_path / "one.jsonl"
    log.write_text(Path(SEEDS[0]).read_text().splitlines()[0] + "\n")
    result = run("validate", str(log))
    assert result.returncode == 0, result.stderr
    assert "1 event, 1 instrument, 0 cases" in result.stdout
    assert result.stdout.splitlines()[-1] == "ok: 1 event in 1 file follow the format and the rules"


def test_an_as_of_date_in_the_future_answers_with_a_warning() -> None:
    """`--as-of` after today still answers (exit 0), and says on stderr that it is no forecast."""
    result = run("status", *SEEDS, "--instrument", DECLARATION, "--as-of", "2999-01-01")
    assert result.returncode == 0
    assert result.stdout.rstrip().endswith("60 endorsers: endorsed 60")
    assert result.stderr.startswith("declaration-events: warning: --as-of 2999-01-01 is in the future")
    assert len(result.stderr.splitlines()) == 1
    assert run("status", *SEEDS, "--instrument", DECLARATION, "--as-of", "2021-02-15").stderr == ""


@pytest.mark.parametrize(
    "problem",
    ["format", "missing file", "rule", "unknown instrument", "bad date", "bad key", "directory out"],
)
def test_every_error_has_the_same_prefix(problem: str, tmp_path: Path) -> None:
    """Bad lines, unreadable files, broken rules, bad arguments: each starts `declaration-events: error:`."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Released", "case": "x", "mechanism": "bail", "occurred_on": "2020-01-01"}\n')
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    args = {
        "format": ["validate", str(junk)],
        "missing file": ["validate", str(tmp_path / "none.jsonl")],
        "rule": ["validate", str(bad)],
        "unknown instrument": ["status", *SEEDS, "--instrument", "nope"],
        "bad date": ["cases", *SEEDS, "--as-of", "2021-02-30"],
        "bad key": ["redact", *SEEDS, "--key-env", "NO_SUCH_VARIABLE_X"],
        "directory out": ["redact", *SEEDS, "--key", "k" * 32, "--out", str(tmp_path)],
    }[problem]
    result = run(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(f"{PREFIX}: "), result.stderr
    assert len(result.stderr.splitlines()) == 1 and ":0:" not in result.stderr
    assert "Traceback" not in result.stderr
