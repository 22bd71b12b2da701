"""Personal data and SQL: redaction for sharing, encryption at rest down to the database's files,
and no SQL text built from input."""

from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from declaration_events import (
    Corrected,
    DeclarationEventsError,
    Detained,
    EventLogError,
    Ledger,
    RedactionError,
    Retracted,
    read_events,
    redact_events,
)
from declaration_events.cli import main
from declaration_events.redact import Redactor, normal, pseudonym
from declaration_events.storage.durable import generate_cipher_key
from helpers import ROOT, SEEDS

SEED_EVENTS = [event for path in SEEDS for event in read_events(path)]
PEOPLE = sorted({event.person for event in SEED_EVENTS if isinstance(event, Detained)})
KEY = "a test key that is long enough"
AS_OF = ("2018-12-15", "2021-03-01", "2022-01-01")
HOSTILE = ROOT / "tests" / "hostile" / "corpus"
STROKES = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "ı": "i", "æ": "ae", "œ": "oe"})


def record(area: str, **fields: object) -> None:
    """Add one observation to the reliability report's log, when scripts/reliability_report.py runs us."""
    log = os.environ.get("DECLARATION_EVENTS_RELIABILITY_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as out:
            out.write(json.dumps({"area": area, **fields}) + "\n")


def name_words() -> set[str]:
    """Every word (3 letters or more) of every detained person's name, and every case slug."""
    words = {word for person in PEOPLE for word in re.findall(r"\w+", person.casefold()) if len(word) >= 3}
    return words | {event.case for event in SEED_EVENTS if isinstance(event, Detained)}


def case_answers(ledger: Ledger, slugs: dict[str, str]) -> list[tuple[Any, ...]]:
    """What the cases query says, with slugs mapped through `slugs` and texts left out."""
    rows = []
    for as_of in AS_OF:
        for row in ledger.cases(as_of=as_of):
            rows.append(
                (
                    as_of,
                    slugs.get(row.case, row.case),
                    row.status,
                    row.days_detained,
                    row.detaining_state,
                    tuple(row.nationalities),
                    len(row.charges),
                    tuple(sorted(slugs.get(case, case) for case in row.linked_cases)),
                )
            )
    return sorted(rows)


# -- redaction ----------------------------------------------------------------------------------------


def test_redacted_seeds_name_nobody_and_answer_every_question_as_the_originals() -> None:
    """No word of a detained person's name, no case slug and no original id is left anywhere in the
    redacted log, which still passes the rules and gives the same statuses, days and links."""
    redacted = redact_events(SEED_EVENTS, KEY)
    text = "\n".join(event.to_json() for event in redacted).casefold()
    leaks = sorted(
        word for word in name_words() if re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", text)
    )
    assert leaks == []
    assert not any(str(event.id) in text for event in SEED_EVENTS)

    original, shared = Ledger.from_events(SEED_EVENTS), Ledger.from_events(redacted)
    redactor = Redactor(KEY)
    slugs = {slug: redactor.slug(slug) for slug in original.case_slugs()}
    assert case_answers(shared, {}) == case_answers(original, slugs)
    for instrument in original.instruments():
        for as_of in AS_OF:
            times = {"as_of": as_of, "known_at": "2030-01-01T00:00:00+00:00"}
            assert shared.signatories(instrument, **times).to_dict() == (
                original.signatories(instrument, **times).to_dict()
            )
    assert len(shared.condemnations()) == len(original.condemnations())
    record("redaction", events=len(redacted), names=len(PEOPLE), leaks=len(leaks))


def test_a_pseudonym_is_the_documented_keyed_hash_stable_per_key() -> None:
    """`person-` + 16 hex digits of HMAC-SHA256(key, "person\\0" + normalised name): the same for
    spelling variants of case and spacing, the same on every run, different under another key."""
    expected = hmac.new(KEY.encode(), b"person\x00michael kovrig", hashlib.sha256).hexdigest()[:16]
    assert pseudonym("Michael Kovrig", KEY) == f"person-{expected}"
    assert pseudonym("  michael   KOVRIG ", KEY) == pseudonym("Michael Kovrig", KEY)
    assert normal("Ｍichael\u00a0Kovrig") == "michael kovrig"  # compatibility forms unified
    assert pseudonym("Michael Kovrig", KEY + "!") != pseudonym("Michael Kovrig", KEY)
    assert pseudonym("Michael Kovrig", KEY) != pseudonym("Michael Spavor", KEY)

    again = redact_events(SEED_EVENTS, KEY)
    assert [e.to_json() for e in again] == [e.to_json() for e in redact_events(SEED_EVENTS, KEY)]
    other = redact_events(SEED_EVENTS, KEY + "!")
    assert {e.id for e in other}.isdisjoint({e.id for e in again})
    people = {event.person for event in again if isinstance(event, Detained)}
    assert people == {pseudonym(person, KEY) for person in PEOPLE}


def test_ids_are_rekeyed_and_corrections_still_point_at_their_facts() -> None:
    """A guessed name cannot be confirmed by recomputing a content-derived id, and every correction
    or retraction targets the redacted id of the fact it amended."""
    redacted = redact_events(SEED_EVENTS, KEY)
    ids = {event.id for event in redacted}
    amendments = [event for event in redacted if isinstance(event, Corrected | Retracted)]
    assert amendments
    assert all(amendment.target in ids for amendment in amendments)
    for event in SEED_EVENTS:
        if isinstance(event, Detained):  # the attacker's guess is right: it still matches nothing
            guess = event.model_copy(update={"id": uuid.UUID(int=0)})
            assert guess.derived_id() not in ids


def test_names_given_by_hand_and_urls_naming_someone_are_redacted() -> None:
    """`names=` covers people the logs do not detain; a URL that names a person keeps only its host."""
    source = {
        "title": "Interview with Ann Relative",
        "url": "https://news.example/2021/ann-relative-speaks?x=1",
    }
    event = {"type": "Condemned", "actor": "CAN", "subject": "the treatment of ann  relative's family",
             "occurred_on": "2021-02-16", "sources": [source]}  # fmt: skip
    [redacted] = redact_events([*SEED_EVENTS[:0], Ledger().record(event)], KEY, names=["Ann Relative"])
    assert "relative" not in redacted.to_json().casefold()
    assert redacted.sources[0].url == "https://news.example/"
    assert redacted.subject == f"the treatment of {pseudonym('Ann Relative', KEY)}'s family"


def readings(text: str) -> list[str]:
    """The forms a reader may see in `text`: as written and percent-decoded up to three times, each
    compatibility-decomposed, case folded, without marks or invisible characters, ø ł ... as o l ...,
    and each of those with only its letters and digits."""
    found = []
    for _ in range(4):
        plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
        plain = "".join(c for c in plain if unicodedata.category(c) not in ("Mn", "Cf")).translate(STROKES)
        found += [plain, "".join(c for c in plain if c.isalnum())]
        text = unquote(text)
    return found


def strings(value: Any) -> list[str]:
    """Every string in a JSON-like value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings(item)]
    return []


def test_names_hidden_in_the_hostile_corpus_leave_no_piece_after_redaction() -> None:
    """Each corpus case listing `redact_hides` (names as ß/ss, NFD, without accents, inside Chinese,
    percent-encoded, joined by `_`/`.`/nothing, in hashtags, URL user parts and hosts) redacts to a
    log that passes the rules, in which no field holds a word (3 letters or more) of those names or
    their parts run together, in any reading, and the ordinary text of `redact_keeps` ("Italian" and
    "brilliant" beside "Li An") is intact."""
    manifest = json.loads((HOSTILE / "MANIFEST.json").read_text(encoding="utf-8"))
    checked = [case for case in manifest["cases"] if case.get("redact_hides")]
    assert checked
    for case in checked:
        events = [event for name in case["files"] for event in read_events(HOSTILE / name)]
        redacted = redact_events(events, KEY)
        assert len(Ledger.from_events(redacted)) == len(events)
        values = [text for event in redacted for text in strings(event.model_dump(mode="json"))]
        aside = "|".join(map(re.escape, case["redact_keeps"]))  # ordinary words, checked below
        values = [
            re.sub(rf"person-[0-9a-f]{{16}}|case-[0-9a-f]{{16}}|\[name\]|{aside}", " ", text)
            for text in values
        ]
        for name in case["redact_hides"]:
            parts = [part for part in re.split(r"\W+", readings(name)[0]) if part]
            pieces = {part for part in parts if len(part) >= 3} | {"".join(parts)}
            leaks = sorted(
                {
                    (piece, text)
                    for text in values
                    for piece in pieces
                    if any(piece in r for r in readings(text))
                }
            )
            assert leaks == [], (case["name"], name)
        shared = "\n".join(event.to_json() for event in redacted)
        assert [phrase for phrase in case["redact_keeps"] if phrase not in shared] == []
        record("redaction", corpus_case=case["name"], names=len(case["redact_hides"]), leaks=0)


def test_a_key_that_is_too_short_is_refused() -> None:
    """A redaction key is a secret: fewer than 16 bytes is a clear error."""
    with pytest.raises(RedactionError, match="at least 16 bytes"):
        redact_events(SEED_EVENTS, "short")


def test_the_redact_command_writes_a_valid_log_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`redact LOG... --key-env VAR --out FILE`: a log that validates and names nobody; a missing key
    or a bad line: one line on stderr, exit 1, no output file."""
    out = tmp_path / "shared.jsonl"
    monkeypatch.setenv("SHARING_KEY", KEY)
    assert main(["redact", *map(str, SEEDS), "--key-env", "SHARING_KEY", "--out", str(out)]) == 0
    _, err = capsys.readouterr()
    assert err == f"{out}: {len(SEED_EVENTS)} events written, {len(PEOPLE)} names pseudonymised\n"
    assert [e.to_json() for e in read_events(out)] == [e.to_json() for e in redact_events(SEED_EVENTS, KEY)]
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(SEEDS[1].read_bytes() + b'{"type": "Detained", "person": 7}\n')
    for argv, message in (
        ([str(SEEDS[1]), "--key-env", "NO_SUCH_VARIABLE"], "declaration-events: error: --key-env NO_SUCH_"),
        (
            [str(SEEDS[1]), "--key", "short"],
            "declaration-events: error: the redaction key must be at least 16",
        ),
        (
            [str(SEEDS[1]), str(bad), "--key", KEY],
            f"declaration-events: error: {bad}:17: field 'occurred_on': required field is missing",
        ),
    ):
        target = tmp_path / "refused.jsonl"
        status = main(["redact", *argv, "--out", str(target)])
        _, err = capsys.readouterr()
        assert status == 1
        assert len(err.splitlines()) == 1 and err.startswith(message), err
        assert not target.exists()
        assert list(tmp_path.glob(".refused*")) == []  # no partial file left behind
    record("redaction", cli_runs=4)


# -- encryption at rest, down to the files -----------------------------------------------------------


def unique_person() -> str:
    """A name no other test writes, so that a scan of shared server files finds only ours."""
    return f"Zed {uuid.uuid4().hex[:12]} Example"


def detention_log(path: Path, person: str, cases: int = 300) -> Path:
    with path.open("w") as out:
        for n in range(cases):
            fact = {"type": "Detained", "case": f"secret-{n}", "person": f"{person} {n}",
                    "nationalities": ["CAN"], "detaining_state": "CHN", "occurred_on": "2019-01-01",
                    "note": f"about {person}"}  # fmt: skip
            out.write(json.dumps(fact) + "\n")
    return path


def files_holding(directory: Path, text: str) -> list[str]:
    """Names of the files under `directory` whose bytes contain `text`."""
    needle = text.encode()
    found = []
    for path in directory.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                found.append(str(path.relative_to(directory)))
        except OSError:
            continue  # a file the server is replacing right now
    return found


def test_an_encrypted_sqlite_store_killed_mid_import_leaves_no_name_in_any_file(tmp_path: Path) -> None:
    """Kill an encrypted import at a random moment, finish it, and look at every file of the store
    (database, write-ahead log, shared memory): no name; the same with no key: the name is there."""
    person = unique_person()
    key = generate_cipher_key()
    log = detention_log(tmp_path / "log.jsonl", person)
    scanned = 0
    for name, cipher in (("secret", key), ("plain", "")):
        directory = tmp_path / name
        directory.mkdir()
        command = [
            sys.executable,
            "-m",
            "declaration_events",
            "import",
            str(log),
            "--db",
            str(directory / "s.sqlite"),
        ]
        env = {**os.environ, "DECLARATION_EVENTS_CIPHER_KEY": cipher}
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.3 + 0.4 * (uuid.uuid4().int % 100) / 100)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        if cipher:  # killed before, during or after its write transaction
            assert files_holding(directory, person) == []
            scanned += sum(1 for path in directory.iterdir() if path.is_file())
        subprocess.run(command, env=env, check=True, capture_output=True)
        holding = files_holding(directory, person)
        assert holding == [] if cipher else holding, (name, holding)
    scanned += sum(1 for path in (tmp_path / "secret").iterdir() if path.is_file())
    record("encryption", backend="sqlite", files_scanned=scanned)


def test_an_encrypted_postgres_store_leaves_no_name_in_the_server_files(
    postgres_server: Any,
    postgres_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an encrypted import and a checkpoint, no file of the server's data directory (tables,
    indexes, write-ahead log) holds the name; a plain import's name is found there. A wrong key in
    the environment is one clear line."""
    datadir = getattr(getattr(postgres_server, "_cluster", None), "datadir", None)
    if datadir is None or not os.access(datadir, os.R_OK):
        pytest.skip("the server's data directory is not readable here")
    secret, plain = unique_person(), unique_person()
    monkeypatch.setenv("DECLARATION_EVENTS_CIPHER_KEY", generate_cipher_key())
    secret_log = detention_log(tmp_path / "secret.jsonl", secret)
    assert main(["import", str(secret_log), "--db", postgres_url + "?schema=secret"]) == 0
    monkeypatch.setenv("DECLARATION_EVENTS_CIPHER_KEY", generate_cipher_key())
    assert main(["cases", "--db", postgres_url + "?schema=secret"]) == 1
    _, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and "cipher key is wrong" in err, err
    monkeypatch.delenv("DECLARATION_EVENTS_CIPHER_KEY")
    plain_log = detention_log(tmp_path / "plain.jsonl", plain)
    assert main(["import", str(plain_log), "--db", postgres_url + "?schema=plain"]) == 0
    import psycopg  # here: the tests that need no server run without it

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
    assert files_holding(datadir, secret) == []
    assert files_holding(datadir, plain) != []
    record("encryption", backend="postgres", files_scanned=sum(1 for p in datadir.rglob("*") if p.is_file()))


# -- no SQL built from input ---------------------------------------------------------------------------


def sql_calls(path: Path) -> list[tuple[int, str]]:
    """(line, source) of every execute-like call: `"safe"` if its SQL is a plain literal or a
    psycopg.sql composition, else the call's source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in {"execute", "executemany", "executescript"} or not node.args:
            continue
        query = node.args[0]
        literal = isinstance(query, ast.Constant) and isinstance(query.value, str)
        composed = "sql.SQL(" in ast.unparse(query) or "sql.Identifier(" in ast.unparse(query)
        found.append((node.lineno, "safe" if literal or composed else ast.unparse(node)))
    return found


def test_no_sql_text_is_assembled_in_the_library() -> None:
    """Every query the library runs is a literal with parameters or a psycopg.sql composition
    (ruff's S608 checks string-built SQL too: `ruff check --select S608 src`)."""
    sources = sorted((ROOT / "src" / "declaration_events").rglob("*.py"))
    calls = {str(path.relative_to(ROOT)): sql_calls(path) for path in sources}
    assembled = {name: [c for c in found if c[1] != "safe"] for name, found in calls.items()}
    assert {name: found for name, found in assembled.items() if found} == {}
    queries = sum(len(found) for found in calls.values())
    assert queries >= 3  # the scan sees the store's own queries (PostgreSQL setup)
    record("sql", modules_scanned=len(sources), queries=queries)


def test_sql_and_markup_in_facts_reach_postgres_as_data(postgres_url: str) -> None:
    """The corpus's hostile text (SQL, quotes, NUL, escapes) is stored and read back verbatim, and
    the table is still there."""
    log = ROOT / "tests" / "hostile" / "corpus" / "accept_hostile_text.jsonl"
    with Ledger.open(postgres_url) as ledger:
        ledger.import_logs(log)
    with Ledger.open(postgres_url) as again:
        assert {event.id: event for event in again.events()} == {
            event.id: event for event in read_events(log)
        }
    import psycopg  # here: the tests that need no server run without it

    with psycopg.connect(postgres_url) as conn:
        assert conn.execute("SELECT count(*) FROM declarationevents_events").fetchone() == (5,)


def test_library_errors_are_the_only_ones_a_bad_redaction_input_raises(tmp_path: Path) -> None:
    """A malformed log given to the redaction is an `EventLogError` naming the line, like everywhere."""
    from declaration_events import redact_log

    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"{not json\n")
    with pytest.raises(EventLogError, match=r"bad\.jsonl:1: Invalid JSON"):
        redact_log([bad], tmp_path / "out.jsonl", KEY)
    with pytest.raises(DeclarationEventsError):
        redact_log([tmp_path / "missing.jsonl"], tmp_path / "out.jsonl", KEY)
    assert not (tmp_path / "out.jsonl").exists()
