#!/usr/bin/env python3
"""Generate the hostile-input corpus: `corpus/*.jsonl` and `corpus/MANIFEST.json`.

Every case is a small event log (or a few) that a careless or hostile writer could
produce. The manifest says, for each case, what must happen when it is read:

- `"expect": "accept"`: read, validated and imported without complaint, with
  `events` facts and `parties` rows in `status --instrument hostile-declaration`;
- `"expect": "reject"`: every interface (library, `validate`, `import`, `status`)
  fails with an error naming each `[line, pattern]` of `errors` (the line is
  `FILE:LINE:`, the pattern a regular expression of the problem), and stores nothing.
  `"level": "format"` errors are found by the reader alone (`read_events`);
  `"level": "rules"` ones only when the facts are checked against the rules.

An accepted case may also list `redact_hides`: names that `redact` must leave no piece of
(each word of 3 letters or more, and the parts run together, however written), and
`redact_keeps`: ordinary words of the case that it must leave as they are
(tests/reliability/test_privacy_and_sql.py).

Cycles, decided: amendments cannot amend amendments, so corrections or retractions
pointing at each other (or at themselves) are rejected; a case linked to itself is
rejected; cases linked in a loop (a -> b -> c -> a) are legal, since a link is a
relation between cases, not a hierarchy.

The 10 MB lines are not committed: tests write them with `WRITTEN_AT_TEST_TIME`.

Hostile stores (the manifest's `stores`): a `--db` a careless or hostile user could give,
each with what the query commands and `import` must make of it: `"answer"` / `"add"`, or
the pattern of the one error line. Their files are made at test time (`write_store_file`:
SQLite files of other programs; the damaged ledger needs the library, the test builds it),
and every PostgreSQL URL carries `STORE_PASSWORD`, which no output may show.

    python tests/hostile/make_corpus.py            # (re)write tests/hostile/corpus/
    python tests/hostile/make_corpus.py --check    # exit 1 if the committed corpus is stale
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = "MANIFEST.json"
INSTRUMENT = "hostile-declaration"
CASE = "hostile-case"
RECORDED = "2021-03-01T12:00:00+00:00"
#: Size of the overlong line written at test time (the reader's limit is 1 MiB).
HUGE_LINE_BYTES = 10 * 1024 * 1024
BOM = b"\xef\xbb\xbf"


def fact(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An event with the corpus's fixed record time (so ids and files are reproducible)."""
    return {**data, "recorded_at": RECORDED, **changes}


OPENED = fact(
    {
        "type": "InstrumentOpened",
        "instrument": INSTRUMENT,
        "title": "Hostile Declaration",
        "kind": "declaration",
        "initiator": "CAN",
        "occurred_on": "2021-02-15",
        "id": "00000000-0000-4000-8000-000000000001",
    }
)
ENDORSED_CAN = fact(
    {
        "type": "Endorsed",
        "instrument": INSTRUMENT,
        "party": "CAN",
        "occurred_on": "2021-02-15",
        "id": "00000000-0000-4000-8000-000000000002",
    }
)
DETAINED = fact(
    {
        "type": "Detained",
        "case": CASE,
        "person": "Pat Example",
        "nationalities": ["CAN"],
        "detaining_state": "CHN",
        "occurred_on": "2019-01-01",
        "id": "00000000-0000-4000-8000-000000000003",
    }
)
#: Lines 1-3 of most cases: an instrument with one endorsement, and one detention case.
CONTEXT = [OPENED, ENDORSED_CAN, DETAINED]


def endorsed(who: str, **changes: Any) -> dict[str, Any]:
    return fact(
        {"type": "Endorsed", "instrument": INSTRUMENT, "party": who, "occurred_on": "2021-02-16"}, **changes
    )


def detained(case: str, person: str) -> dict[str, Any]:
    data = {
        "type": "Detained",
        "case": case,
        "person": person,
        "nationalities": ["CAN"],
        "detaining_state": "CHN",
    }
    return fact({**data, "occurred_on": "2019-06-01"})


def linked(case: str, other: str) -> dict[str, Any]:
    return fact(
        {
            "type": "CasesLinked",
            "case": case,
            "other_case": other,
            "relation": "retaliation",
            "occurred_on": "2019-07-01",
        }
    )


def condemned(occurred_on: str, **changes: Any) -> dict[str, Any]:
    """A statement: a fact no rule orders against others, for dates at the ends of the calendar."""
    data = {"type": "Condemned", "actor": "CAN", "subject": "the calendar", "occurred_on": occurred_on}
    return fact(data, **changes)


def amendment(kind: str, target: str, **more: Any) -> dict[str, Any]:
    data = {"type": kind, "target": target, "reason": "hostile corpus", "occurred_on": "2021-03-02"}
    return {**data, "recorded_at": "2021-03-02T12:00:00+00:00", **more}


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def lines(*items: dict[str, Any] | bytes, end: bytes = b"\n") -> bytes:
    """Log bytes: dicts as JSON, bytes verbatim, each line ended by `end`."""
    return b"".join((item if isinstance(item, bytes) else dumps(item)) + end for item in items)


@dataclass
class Case:
    """One hostile input and what every interface must make of it."""

    name: str
    description: str
    files: dict[str, bytes]
    expect: str = "reject"
    level: str = "format"
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line in the last file, pattern)
    events: int = 0
    parties: int = 0
    hidden: list[str] = field(default_factory=list)  # names `redact` must hide (accepted cases)
    kept: list[str] = field(default_factory=list)  # words `redact` must keep (accepted cases)

    def manifest(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "name": self.name,
            "description": self.description,
            "files": list(self.files),
            "expect": self.expect,
        }
        if self.expect == "reject":
            entry |= {"level": self.level, "errors": [list(error) for error in self.errors]}
        else:
            entry |= {"events": self.events, "parties": self.parties}
        if self.hidden:
            entry |= {"redact_hides": self.hidden, "redact_keeps": self.kept}
        return entry


def accepted(name: str, description: str, data: bytes, events: int, parties: int) -> Case:
    return Case(name, description, {f"{name}.jsonl": data}, "accept", events=events, parties=parties)


def rejected(
    name: str, description: str, data: bytes, errors: list[tuple[int, str]], level: str = "format"
) -> Case:
    return Case(name, description, {f"{name}.jsonl": data}, "reject", level, errors)


HOSTILE_TEXT = (
    "'); DROP TABLE declarationevents_events; -- "
    '" OR 1=1 -- %s %(x)s {0} {x} $1 ? :name '
    "<script>alert(1)</script> \\ \\\\ \u0000 NUL, \u202e RTL override, \u200d ZWJ, "
    "\U0001f30d emoji, \ufeff BOM inside, \r carriage return, \t tab, \x1b[31m escape"
)


#: People whose names the texts of `accept_names_in_hiding` write in the ways that once kept
#: them from `redact` (issue 18): ß as ss, decomposed Unicode, no accents, inside Chinese text,
#: percent-encoded (also twice) in URL paths and queries, `_`, `.` or nothing between the parts,
#: glued to a hashtag, broken by a soft hyphen, in the user part or the host of a URL.
HIDING = {
    "h1": "Hans Strauß",
    "h2": "Zoe\u0308 Mu\u0308ller",  # the log itself spells her decomposed (NFD)
    "h3": "李明",
    "h4": "Michael Kovrig",
    "h5": "Li An",
}
HIDING_TEXTS: dict[str, dict[str, Any]] = {
    "h1": {
        "note": "Strauss was taken from his hotel; STRAUẞ's family asks for news",
        "sources": [{"title": "HANS STRAUSS DETAINED", "url": "https://news.test/de/hans-strau%C3%9F"}],
    },
    "h2": {
        "note": "Zoë Müller (composed), Zoe Muller (no accents), ZOE_MULLER (joined)",
        "sources": [
            {"title": "Zoë Müller", "url": "https://news.test/2021/zo%C3%AB-m%C3%BCller?ref=zo%25C3%25AB"}
        ],
    },
    "h3": {
        "note": "李明被拘留",
        "sources": [
            {
                "title": "据报道，李明已被拘留。",
                "url": "https://news.test/%E6%9D%8E%E6%98%8E%E8%A2%AB%E6%8B%98%E7%95%99",
            }
        ],
    },
    "h4": {
        "note": "Michael_Kovrig, MichaelKovrig, michael.kovrig, #FreeKovrig, Ko\u00advrig",
        "sources": [
            {"title": "#freemichaelkovrig", "url": "https://michael.kovrig@mail.test/?q=Michael+Kovrig"}
        ],
    },
    "h5": {
        "note": "Li-An, LiAn and li_an; Italian and brilliant are ordinary words",
        "sources": [{"url": "https://li-an.test/"}],
    },
}


def cases() -> list[Case]:
    """Every committed case, in the order of the manifest."""
    base = lines(*CONTEXT)
    out = [
        accepted(
            "accept_bom",
            "a UTF-8 byte-order mark before the first line is accepted",
            BOM + lines(*CONTEXT, endorsed("FRA")),
            events=4,
            parties=2,
        ),
        accepted(
            "accept_crlf_and_blank_lines",
            "CRLF endings, blank and whitespace-only lines, and no newline at the end are accepted",
            b"\r\n"
            + lines(OPENED, end=b"\r\n")
            + b"\r\n  \t \r\n\n"
            + lines(ENDORSED_CAN, DETAINED, end=b"\r\n")
            + b"\n\n"
            + dumps(endorsed("FRA")),
            events=4,
            parties=2,
        ),
        accepted(
            "accept_case_links_in_a_loop",
            "cases linked in a loop (a -> b -> c -> a) are legal: a link is a relation, not a hierarchy",
            lines(
                *CONTEXT,
                detained("loop-b", "Bo Example"),
                detained("loop-c", "Cy Example"),
                linked(CASE, "loop-b"),
                linked("loop-b", "loop-c"),
                linked("loop-c", CASE),
            ),
            events=8,
            parties=1,
        ),
        accepted(
            "accept_hostile_text",
            "SQL, format strings, markup, NUL, bidi and escape characters in text are stored verbatim",
            lines(
                *CONTEXT,
                endorsed("FRA", note=HOSTILE_TEXT),
                fact(
                    {
                        "type": "Condemned",
                        "actor": "CAN",
                        "subject": HOSTILE_TEXT,
                        "quote": HOSTILE_TEXT,
                        "speaker": "Robert'); DROP TABLE students;--",
                        "occurred_on": "2021-02-16",
                        "sources": [{"title": HOSTILE_TEXT, "url": "javascript:alert(1)"}],
                    }
                ),
            ),
            events=5,
            parties=2,
        ),
        accepted(
            "accept_same_line_twice",
            "the same line twice is one fact (importing is idempotent)",
            lines(*CONTEXT, endorsed("FRA"), endorsed("FRA")),
            events=4,
            parties=2,
        ),
        accepted(
            "accept_duplicate_json_keys_last_wins",
            "a key given twice in one object: the last value wins, as in Python's json (pinned behaviour)",
            base
            + b'{"type": "Endorsed", "party": "Narnia", "party": "FRA", "instrument": "hostile-declaration",'
            b' "occurred_on": "2021-02-16", "recorded_at": "2021-03-01T12:00:00+00:00"}\n',
            events=4,
            parties=2,
        ),
        Case(
            "accept_names_in_hiding",
            "names written as ß/ss, decomposed, without accents, inside Chinese text, percent-encoded,"
            " joined by `_`, `.` or nothing, in hashtags, in a URL's user part or host: accepted, and"
            " `redact` hides them",
            {
                "accept_names_in_hiding.jsonl": lines(
                    *CONTEXT,
                    *(
                        fact({**detained(case, person), **HIDING_TEXTS[case]})
                        for case, person in HIDING.items()
                    ),
                    fact(
                        {
                            "type": "Condemned",
                            "actor": "CAN",
                            "subject": "the detention of 李明 and MICHAEL KOVRIG",
                            "quote": "Free Zoë Müller and Hans Strauß",
                            "occurred_on": "2019-07-01",
                            "sources": [
                                {"url": "https://news.test/statement?names=Zo%C3%AB+M%C3%BCller,li.an"}
                            ],
                        }
                    ),
                ),
            },
            "accept",
            events=9,
            parties=1,
            hidden=list(HIDING.values()),
            kept=["taken from his hotel", "被拘留", "Italian and brilliant are ordinary words"],
        ),
        accepted(
            "accept_the_ends_of_the_calendar",
            "record times at the first instants of year 1 (Z and -14:00; they ended in OverflowError)"
            " and a withdrawal in effect on 9999-12-31",
            lines(
                *CONTEXT,
                condemned("0001-01-01", recorded_at="0001-01-01T00:00:00Z"),
                condemned("0001", recorded_at="0001-01-01T00:00:00-14:00"),
                fact(
                    {
                        "type": "Withdrew",
                        "instrument": INSTRUMENT,
                        "party": "CAN",
                        "occurred_on": "2021-02-20",
                        "effective_on": "9999-12-31",
                    }
                ),
            ),
            events=6,
            parties=1,
        ),
        rejected(
            "malformed_json",
            "missing comma, single quotes, trailing comma, bare text",
            base + b'{"type": "Endorsed" "party": "FRA"}\n'
            b"{'type': 'Endorsed', 'party': 'FRA'}\n"
            b'{"type": "Endorsed", "party": "FRA",}\n'
            b"Endorsed FRA 2021-02-16\n",
            [
                (4, "Invalid JSON"),
                (5, "Invalid JSON"),
                (6, "Invalid JSON: trailing comma"),
                (7, "Invalid JSON"),
            ],
        ),
        rejected(
            "not_an_object",
            "valid JSON that is not an object",
            base + b'[]\n"Endorsed"\nnull\n42\ntrue\n{}\n',
            [
                (4, "should be an object"),
                (5, "should be an object"),
                (6, "should be an object"),
                (7, "should be an object"),
                (8, "should be an object"),
                (9, "missing field 'type'"),
            ],
        ),
        rejected(
            "truncated_last_line",
            "the last line is cut off mid-object (an interrupted write)",
            base + dumps(endorsed("FRA"))[:41],
            [(4, "Invalid JSON: EOF while parsing")],
        ),
        rejected(
            "invalid_utf8",
            "a stray byte, an overlong encoding, a UTF-8-encoded surrogate, a cut multi-byte character",
            base + b'{"type": "Endorsed", "note": "caf\xe9"}\n'
            b'{"type": "Endorsed", "note": "\xc0\xaf"}\n'
            b'{"type": "Endorsed", "note": "\xed\xa0\x80"}\n'
            b'{"type": "Endorsed", "note": "\xe2\x82"}\n',
            [
                (4, "invalid UTF-8 at byte 34"),
                (5, "invalid UTF-8 at byte 31"),
                (6, "invalid UTF-8 at byte 31"),
                (7, "invalid UTF-8 at byte 31"),
            ],
        ),
        rejected(
            "bom_not_at_start",
            "a byte-order mark is accepted only before the first line",
            lines(OPENED) + BOM + lines(ENDORSED_CAN, DETAINED),
            [(2, "Invalid JSON")],
        ),
        rejected(
            "deep_nesting",
            "arrays and objects nested 20,000 and 5,000 deep",
            base
            + b'{"type": "Endorsed", "note": '
            + b"[" * 20_000
            + b"]" * 20_000
            + b"}\n"
            + b'{"type": "Endorsed", "sources": '
            + b'{"a": ' * 5_000
            + b"1"
            + b"}" * 5_000
            + b"}\n",
            [(4, "recursion limit exceeded"), (5, "recursion limit exceeded")],
        ),
        rejected(
            "wrong_types",
            "numbers for text, text for lists, objects for lists, floats and strings for integers, bad enums,"
            " a sentence of 10**21 days (past what JSON readers and pandas agree on)",
            base
            + lines(
                endorsed("FRA", party=250),
                fact({"type": "Charged", "case": CASE, "charges": "espionage", "occurred_on": "2019-02-01"}),
                endorsed("FRA", occurred_on=20210216),
                fact(
                    {
                        "type": "Sentenced",
                        "case": CASE,
                        "sentence": "11 years",
                        "term_days": "4017",
                        "occurred_on": "2019-03-01",
                    }
                ),
                fact(
                    {
                        "type": "Sentenced",
                        "case": CASE,
                        "sentence": "11 years",
                        "term_days": 4017.5,
                        "occurred_on": "2019-03-01",
                    }
                ),
                fact(
                    {
                        "type": "Sentenced",
                        "case": CASE,
                        "sentence": "11 years",
                        "term_days": -1,
                        "occurred_on": "2019-03-01",
                    }
                ),
                fact({**DETAINED, "nationalities": "CAN", "id": "00000000-0000-4000-8000-000000000033"}),
                endorsed("FRA", sources={"title": "a source"}),
                endorsed("FRA", note=["a", "list"]),
                endorsed("FRA", id="not-a-uuid"),
                fact({**OPENED, "kind": "convention", "id": "00000000-0000-4000-8000-000000000011"}),
                fact({"type": "Released", "case": CASE, "mechanism": "escape", "occurred_on": "2019-04-01"}),
                fact({"type": "Charged", "case": CASE, "charges": ["  "], "occurred_on": "2019-02-01"}),
                endorsed("FRA", instrument="Hostile Declaration"),
                fact(
                    {
                        "type": "Sentenced",
                        "case": CASE,
                        "sentence": "for ever",
                        "term_days": 10**21,
                        "occurred_on": "2019-03-01",
                    }
                ),
            ),
            [
                (4, "'party': Input should be a valid string"),
                (5, "'charges': Input should be a valid array"),
                (6, "'occurred_on': expected a date string"),
                (7, "'term_days': Input should be a valid integer"),
                (8, "'term_days': Input should be a valid integer"),
                (9, "'term_days': .*greater than or equal to 0"),
                (10, "'nationalities': Input should be a valid array"),
                (11, "'sources': Input should be a valid array"),
                (12, "'note': Input should be a valid string"),
                (13, "'id': Input should be a valid UUID"),
                (14, "'kind': Input should be 'declaration', 'treaty' or 'bilateral_treaty'"),
                (15, "'mechanism': Input should be"),
                (16, "'charges.0': String should have at least 1 character"),
                (17, "'instrument': String should match"),
                (18, "'term_days': Input should be less than or equal to 9007199254740991"),
            ],
        ),
        rejected(
            "unknown_types",
            "an unknown event type, a lower-case type, a null type, a numeric type, no type",
            base
            + lines(
                endorsed("FRA", type="Annexed"),
                endorsed("FRA", type="endorsed"),
                endorsed("FRA", type=None),
                endorsed("FRA", type=7),
                {k: v for k, v in endorsed("FRA").items() if k != "type"},
            ),
            [
                (4, "unknown event type 'Annexed'; expected one of"),
                (5, "unknown event type 'endorsed'"),
                (6, "unknown event type 'None'"),
                (7, "unknown event type '7'"),
                (8, "missing field 'type'"),
            ],
        ),
        rejected(
            "unknown_fields",
            "a field the format does not have, in an event and in a source; a field with the wrong case",
            base
            + lines(
                endorsed("FRA", colour="red"),
                endorsed("FRA", sources=[{"titel": "typo"}]),
                {**{k: v for k, v in endorsed("FRA").items() if k != "party"}, "Party": "FRA"},
            ),
            [
                (4, "field 'colour': unknown field"),
                (5, "field 'sources.0.titel': unknown field"),
                (6, "field 'party': required field is missing; field 'Party': unknown field"),
            ],
        ),
        rejected(
            "unknown_parties",
            "parties that are no state or organisation, with suggestions for near misses",
            base
            + lines(
                endorsed("Atlantis"),
                endorsed("Cnada"),
                endorsed(""),
                endorsed("XX"),
                fact({**DETAINED, "detaining_state": "Narnia", "id": "00000000-0000-4000-8000-000000000031"}),
            ),
            [
                (4, "unknown party 'Atlantis'"),
                (5, "unknown party 'Cnada'; did you mean Canada \\(CAN\\)"),
                (6, "unknown party ''"),
                (7, "unknown party 'XX'"),
                (8, "'detaining_state': unknown party 'Narnia'"),
            ],
        ),
        rejected(
            "impossible_dates",
            "30 February, month 13, 29 February of a common year, year 0, sloppy formats, naive and"
            " impossible record times, an effective date before the fact",
            base
            + lines(
                endorsed("FRA", occurred_on="2021-02-30"),
                endorsed("FRA", occurred_on="2021-13"),
                endorsed("FRA", occurred_on="2021-02-29"),
                endorsed("FRA", occurred_on="0000"),
                endorsed("FRA", occurred_on="2021-2-16"),
                endorsed("FRA", occurred_on="16/02/2021"),
                endorsed("FRA", occurred_on="2021-02-16T00:00:00"),
                endorsed("FRA", recorded_at="2021-02-30T12:00:00+00:00"),
                endorsed("FRA", recorded_at="2021-03-01T12:00:00"),
                fact(
                    {
                        "type": "Withdrew",
                        "instrument": INSTRUMENT,
                        "party": "CAN",
                        "occurred_on": "2021-02-20",
                        "effective_on": "2021-02-19",
                    }
                ),
            ),
            [
                (4, "'2021-02-30' is not a real date"),
                (5, "'2021-13' is not a real date: month 13"),
                (6, "'2021-02-29' is not a real date"),
                (7, "'0000' is not a real date"),
                (8, "'2021-2-16' is not a date of the form"),
                (9, "'16/02/2021' is not a date of the form"),
                (10, "'2021-02-16T00:00:00' is not a date of the form"),
                (11, "'recorded_at': "),
                (12, "'recorded_at': Input should have timezone info"),
                (13, "effective_on 2021-02-19 is before occurred_on 2021-02-20"),
            ],
        ),
        rejected(
            "record_time_out_of_range",
            "record times whose offset carries them before year 1 or past 9999 in UTC (they ended in"
            " OverflowError)",
            base
            + lines(
                condemned("0001", recorded_at="0001-01-01T00:00:00+01:00"),
                condemned("0001", recorded_at="0001-01-01T00:00:00+14:00"),
                condemned("2021", recorded_at="9999-12-31T23:59:59-01:00"),
                condemned("2021", recorded_at="9999-12-31T23:59:59-14:00"),
            ),
            [
                (4, "recorded_at 0001-01-01T00:00:00\\+01:00 is out of range"),
                (5, "recorded_at 0001-01-01T00:00:00\\+14:00 is out of range"),
                (6, "recorded_at 9999-12-31T23:59:59-01:00 is out of range"),
                (7, "recorded_at 9999-12-31T23:59:59-14:00 is out of range"),
            ],
        ),
        rejected(
            "silent_changes",
            "values that were read as something else: nanoseconds cut to microseconds, Unix times,"
            " full-width and Arabic-Indic digits, a newline inside a date, an all-zero id (read as no id)",
            base
            + lines(
                endorsed("FRA", recorded_at="2021-03-01T12:00:00.123456789+00:00"),
                endorsed("FRA", recorded_at=1614600000),
                endorsed("FRA", recorded_at="1614600000"),
                endorsed("FRA", occurred_on="\uff12\uff10\uff12\uff11-02-16"),
                endorsed("FRA", occurred_on="\u0662\u0660\u0662\u0661-\u0660\u0662-\u0661\u0666"),
                endorsed("FRA", occurred_on="2021-02-16\n"),
                fact(
                    {
                        "type": "Withdrew",
                        "instrument": INSTRUMENT,
                        "party": "CAN",
                        "occurred_on": "2021-02-20",
                        "effective_on": "\u0662\u0660\u0662\u0661-\u0660\u0663",
                    }
                ),
                endorsed("FRA", sources=[{"title": "a source", "published_on": "\uff12\uff10\uff12\uff11"}]),
                endorsed("FRA", id="00000000-0000-0000-0000-000000000000"),
                endorsed("FRA", recorded_at=True),
            ),
            [
                (4, "'recorded_at': '2021-03-01T12:00:00.123456789\\+00:00' has 9 fractional digits"),
                (5, "'recorded_at': expected an RFC 3339 date-time string, got number"),
                (6, "'recorded_at': '1614600000' is not an RFC 3339 date-time"),
                (7, "'occurred_on': '\uff12\uff10\uff12\uff11-02-16' is not a date .* in ASCII digits"),
                (8, "'occurred_on': '\u0662\u0660\u0662\u0661-\u0660\u0662-\u0661\u0666' is not a date"),
                (9, "'occurred_on': '2021-02-16\\\\n' is not a date of the form"),
                (10, "'effective_on': '\u0662\u0660\u0662\u0661-\u0660\u0663' is not a date"),
                (11, "'sources.0.published_on': '\uff12\uff10\uff12\uff11' is not a date"),
                (12, "id 00000000-0000-0000-0000-000000000000 is the nil UUID, which names no event"),
                (13, "'recorded_at': expected an RFC 3339 date-time string, got boolean"),
            ],
        ),
        rejected(
            "recorded_before_it_happened",
            "a fact whose record time is before its valid time",
            base + lines(endorsed("FRA", occurred_on="2021-03-05")),
            [(4, "occurred_on 2021-03-05 is after recorded_at 2021-03-01T12:00:00\\+00:00")],
        ),
        rejected(
            "duplicate_id_other_content",
            "one id for two different facts in one file",
            base
            + lines(
                endorsed("FRA", id="00000000-0000-4000-8000-0000000000d1"),
                endorsed("DEU", id="00000000-0000-4000-8000-0000000000d1"),
            ),
            [(5, "id 00000000-0000-4000-8000-0000000000d1 is already used by line 4 for other content")],
        ),
        rejected(
            "case_linked_to_itself",
            "the shortest cycle: a case linked to itself",
            base + lines(linked(CASE, CASE)),
            [(4, "a case cannot link to itself")],
        ),
        rejected(
            "future_fact_unrecorded",
            "a fact dated in the future, with no record time (it would be recorded now)",
            base
            + lines(
                {k: v for k, v in endorsed("FRA", occurred_on="2999-01-01").items() if k != "recorded_at"}
            ),
            [(4, "occurred_on 2999-01-01 is after recorded_at")],
            level="rules",
        ),
        rejected(
            "recorded_in_the_future",
            "a record time far ahead of the clock",
            base + lines(endorsed("FRA", recorded_at="2999-01-01T00:00:00+00:00")),
            [(4, "recorded_at 2999-01-01T00:00:00\\+00:00 is in the future")],
            level="rules",
        ),
        rejected(
            "correction_of_unknown_id",
            "a correction and a retraction of an event that does not exist",
            base
            + lines(amendment("Corrected", "00000000-0000-4000-8000-00000000dead", changes={"note": "x"})),
            [(4, "no event 00000000-0000-4000-8000-00000000dead is recorded. Rule 'unknown-target'")],
            level="rules",
        ),
        rejected(
            "retraction_of_a_retraction",
            "retracting a retraction (to reinstate a fact, record it again)",
            base
            + lines(
                amendment("Retracted", ENDORSED_CAN["id"], id="00000000-0000-4000-8000-0000000000a1"),
                amendment("Retracted", "00000000-0000-4000-8000-0000000000a1", reason="undo"),
            ),
            [(5, "its target 00000000-0000-4000-8000-0000000000a1 is a Retracted. Rule 'amend-amendment'")],
            level="rules",
        ),
        rejected(
            "corrections_in_a_cycle",
            "two corrections pointing at each other",
            base
            + lines(
                amendment(
                    "Corrected",
                    "00000000-0000-4000-8000-0000000000c2",
                    changes={"note": "x"},
                    id="00000000-0000-4000-8000-0000000000c1",
                ),
                amendment(
                    "Corrected",
                    "00000000-0000-4000-8000-0000000000c1",
                    changes={"note": "y"},
                    id="00000000-0000-4000-8000-0000000000c2",
                ),
            ),
            [(4, "Rule 'amend-amendment'")],
            level="rules",
        ),
        rejected(
            "retraction_of_itself",
            "a retraction whose target is its own id",
            base
            + lines(
                amendment(
                    "Retracted",
                    "00000000-0000-4000-8000-0000000000b1",
                    id="00000000-0000-4000-8000-0000000000b1",
                )
            ),
            [(4, "Rule 'amend-amendment'")],
            level="rules",
        ),
        rejected(
            "amending_a_retracted_fact",
            "correcting a fact after it was retracted",
            base
            + lines(
                amendment("Retracted", ENDORSED_CAN["id"]),
                amendment(
                    "Corrected",
                    ENDORSED_CAN["id"],
                    changes={"note": "x"},
                    recorded_at="2021-03-03T12:00:00+00:00",
                ),
            ),
            [(5, "its target is retracted. Rule 'amend-retracted'")],
            level="rules",
        ),
        rejected(
            "correction_makes_fact_invalid",
            "a correction whose new value is not a party",
            base + lines(amendment("Corrected", ENDORSED_CAN["id"], changes={"party": "Atlantis"})),
            [
                (
                    4,
                    "makes Endorsed 0+-0+-4000-8000-0+2 invalid: field 'party': unknown party",
                )
            ],
            level="rules",
        ),
        rejected(
            "correction_moves_fact",
            "a correction that would move a fact to another case",
            base
            + lines(
                detained("other-case", "Oz Example"),
                amendment("Corrected", DETAINED["id"], changes={"case": "other-case"}),
            ),
            [(5, "it would move case:hostile-case to case:other-case. Rule 'amend-entity'")],
            level="rules",
        ),
        rejected(
            "retraction_leaves_illegal_path",
            "retracting a detention that a charge depends on",
            base
            + lines(
                fact({"type": "Charged", "case": CASE, "charges": ["spying"], "occurred_on": "2019-02-01"}),
                amendment("Retracted", DETAINED["id"]),
            ),
            [
                (
                    5,
                    "Retracted .* would make the history of case:hostile-case illegal: unknown case",
                )
            ],
            level="rules",
        ),
        rejected(
            "unknown_instrument",
            "a signature of an instrument never opened",
            base
            + lines(
                fact(
                    {
                        "type": "Signed",
                        "instrument": "nowhere-treaty",
                        "party": "FRA",
                        "occurred_on": "2021-02-16",
                    }
                )
            ),
            [
                (
                    4,
                    "unknown instrument 'nowhere-treaty': no InstrumentOpened .*Rule 'unknown-instrument'",
                )
            ],
            level="rules",
        ),
        rejected(
            "unknown_case_reference",
            "a link to a case that has no detention",
            base + lines(linked(CASE, "ghost-case")),
            [(4, "names unknown 'case ghost-case'. Rule 'unknown-reference'")],
            level="rules",
        ),
        rejected(
            "illegal_path",
            "endorsing twice without withdrawing",
            base + lines(endorsed("CAN")),
            [(4, "Rule 'already-participating'")],
            level="rules",
        ),
        Case(
            "duplicate_id_across_files",
            "one id for two different facts in two files of one import",
            {
                "duplicate_id_across_files.1.jsonl": base
                + lines(endorsed("FRA", id="00000000-0000-4000-8000-0000000000e1")),
                "duplicate_id_across_files.2.jsonl": lines(
                    endorsed("DEU", id="00000000-0000-4000-8000-0000000000e1")
                ),
            },
            "reject",
            "rules",
            [(1, "the id is already used by another fact .*Rule 'duplicate-id'")],
        ),
    ]
    names = [case.name for case in out]
    assert len(names) == len(set(names)), "case names must be unique"
    return out


def huge_line_case() -> dict[str, Any]:
    """The manifest entry of the overlong-line case, whose file `write_huge_line_case` writes."""
    return {
        "name": "huge_line",
        "description": "a 10 MB line (a runaway writer); the reader's limit is 1 MiB",
        "files": ["huge_line.jsonl"],
        "expect": "reject",
        "level": "format",
        "errors": [[4, f"line is {HUGE_LINE_BYTES + 1:,} bytes; the limit is 1,048,576"]],
    }


def write_huge_line_case(directory: Path) -> Path:
    """Write the 10 MB-line case into `directory` (at test time: it is not committed)."""
    path = directory / "huge_line.jsonl"
    head = b'{"type": "Endorsed", "instrument": "hostile-declaration", "party": "FRA", "note": "'
    tail = b'", "occurred_on": "2021-02-16"}'
    with path.open("wb") as out:
        out.write(lines(*CONTEXT))
        out.write(head + b"x" * (HUGE_LINE_BYTES - len(head) - len(tail)) + tail + b"\n")
    return path


#: The password of every PostgreSQL URL of the store cases: no output may show it.
STORE_PASSWORD = "hostile-Pa55word"  # noqa: S105 - the test server trusts local users and ignores it
#: What `import` records into each store case: one statement (the `statements` stream).
STORE_LOG = fact(
    {"type": "Condemned", "actor": "CAN", "subject": "a hostile store", "occurred_on": "2021-02-20"}
)


@dataclass
class StoreCase:
    """A store named by a careless or hostile `--db`, and what every command must make of it."""

    name: str
    description: str
    backend: str  # "sqlite": `db` is a file name; "postgres": `db` is added to a new database's URL
    db: str
    file: str  # what is there first: see `write_store_file`, or "ledger-missing-a-row" (built by the test)
    queries: str  # "answer", or a pattern of the one error line of every query command
    imports: str  # "add", or a pattern of the one error line of `import`


def store_cases() -> list[StoreCase]:
    """Every hostile store, in the order of the manifest."""
    no_ledger = "no ledger at .* \\(create one with `declaration-events import`\\)"
    other = "is a SQLite database of another program \\(tables notes, users\\), not a declaration-events"
    not_sqlite = "the file is not a SQLite database"
    damaged = "is damaged: the stream of statements has no version 2 \\(it goes on at version 3\\)"
    mixed = "schema 'Ledger2' has capital letters, which PostgreSQL folds to lowercase: write schema=ledger2"
    reserved = "schema 'select' is a reserved word of PostgreSQL"
    system = "is a system schema of PostgreSQL"
    lost_a_row = "a ledger whose events table lost version 2 of a stream (a partial restore)"
    return [
        StoreCase(
            "sqlite_typo",
            "a mistyped path, where no file is",
            "sqlite",
            "diplomacy.db",
            "none",
            no_ledger,
            "add",
        ),
        StoreCase(
            "sqlite_empty_file",
            "an empty file (0 bytes)",
            "sqlite",
            "diplomacy.db",
            "empty",
            no_ledger,
            "add",
        ),
        StoreCase(
            "sqlite_other_program",
            "another program's SQLite file, in WAL mode, with two tables",
            "sqlite",
            "app.db",
            "other-program",
            queries=other,
            imports=other,
        ),
        StoreCase(
            "sqlite_not_sqlite",
            "a text file named like a database",
            "sqlite",
            "notes.db",
            "text",
            queries=not_sqlite,
            imports=not_sqlite,
        ),
        StoreCase(
            "sqlite_missing_a_row",
            lost_a_row,
            "sqlite",
            "ledger.sqlite",
            "ledger-missing-a-row",
            "answer",
            damaged,
        ),
        StoreCase(
            "postgres_no_such_schema",
            "a mistyped schema, which does not exist",
            "postgres",
            "?schema=ledgr",
            "none",
            no_ledger,
            "add",
        ),
        StoreCase(
            "postgres_mixed_case",
            "a schema with capital letters (it was created, and then writes failed)",
            "postgres",
            "?schema=Ledger2",
            "none",
            queries=mixed,
            imports=mixed,
        ),
        StoreCase(
            "postgres_reserved_word",
            "a schema named by a reserved word (a raw SQL error)",
            "postgres",
            "?schema=select",
            "none",
            queries=reserved,
            imports=reserved,
        ),
        StoreCase(
            "postgres_information_schema",
            "PostgreSQL's own information_schema (it was accepted)",
            "postgres",
            "?schema=information_schema",
            "none",
            queries=system,
            imports=system,
        ),
        StoreCase(
            "postgres_pg_prefix",
            "a schema with the prefix pg_, which PostgreSQL keeps for itself",
            "postgres",
            "?schema=pg_ledger",
            "none",
            queries=system,
            imports=system,
        ),
        StoreCase(
            "postgres_missing_a_row",
            lost_a_row,
            "postgres",
            "?schema=ledger",
            "ledger-missing-a-row",
            "answer",
            damaged,
        ),
    ]


def write_store_file(kind: str, path: Path) -> None:
    """Write what a SQLite store case finds at its path: `empty` (0 bytes), `other-program` (a SQLite
    database in WAL mode with tables `users` and `notes`) or `text`; nothing for `none`."""
    if kind == "empty":
        path.touch()
    elif kind == "text":
        path.write_text("These are my notes, not a database.\n" * 40)
    elif kind == "other-program":
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
            conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER, text TEXT)")
            conn.execute("INSERT INTO users (name) VALUES ('ada')")
    elif kind != "none":
        raise ValueError(f"no file of kind {kind!r}")


def write_store_log(directory: Path) -> Path:
    """The log `import` records into each store case."""
    path = directory / "store.jsonl"
    path.write_bytes(lines(STORE_LOG))
    return path


def endless_line_case() -> dict[str, Any]:
    """The manifest entry of the line without end, whose file `write_endless_line_case` writes."""
    return {
        "name": "endless_line",
        "description": "a last line of 10 MB with no newline (a file cut or never ended); read in bounded"
        " pieces, it costs about the 1 MiB limit in memory, not its size",
        "files": ["endless_line.jsonl"],
        "expect": "reject",
        "level": "format",
        "errors": [[4, f"line is {HUGE_LINE_BYTES:,} bytes; the limit is 1,048,576"]],
    }


def write_endless_line_case(directory: Path) -> Path:
    """Write the line-without-end case into `directory` (at test time: it is not committed)."""
    path = directory / "endless_line.jsonl"
    head = b'{"type": "Endorsed", "instrument": "hostile-declaration", "party": "FRA", "note": "'
    with path.open("wb") as out:
        out.write(lines(*CONTEXT))
        out.write(head + b"x" * (HUGE_LINE_BYTES - len(head)))
    return path


#: The cases whose files tests write (too large to commit): name -> writer.
WRITTEN_AT_TEST_TIME = {"huge_line": write_huge_line_case, "endless_line": write_endless_line_case}


def manifest() -> dict[str, Any]:
    """The manifest: every case, committed or generated at test time, and the hostile stores."""
    return {
        "about": "Hostile inputs and their expected outcome; generated by tests/hostile/make_corpus.py.",
        "instrument": INSTRUMENT,
        "cases": [case.manifest() for case in cases()] + [huge_line_case(), endless_line_case()],
        "stores": [asdict(case) for case in store_cases()],
    }


def write_corpus(directory: Path) -> list[Path]:
    """Write every committed case and the manifest into `directory`; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases():
        for name, data in case.files.items():
            path = directory / name
            path.write_bytes(data)
            written.append(path)
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    written.append(path)
    return written


def stale_files(directory: Path = CORPUS) -> list[str]:
    """Names of files in `directory` that differ from what the generator writes (or are missing/extra)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = {path.name: path.read_bytes() for path in write_corpus(Path(scratch))}
    present = {path.name: path.read_bytes() for path in directory.glob("*")} if directory.is_dir() else {}
    return sorted(name for name in fresh.keys() | present.keys() if fresh.get(name) != present.get(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=CORPUS, help="directory to write (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="only check that the corpus is up to date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.out)
        for name in stale:
            print(f"stale: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    for stale in set(args.out.glob("*")) - set(write_corpus(args.out)):
        stale.unlink()
    committed, written = len(cases()), len(WRITTEN_AT_TEST_TIME)
    print(
        f"{args.out}: {committed + written} cases ({committed} committed, {written} written at test time), "
        f"{len(store_cases())} hostile stores (made at test time)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
