"""Rich displays: compact HTML in Jupyter (counts first, long tables cut), readable text elsewhere."""

from __future__ import annotations

import csv
import io
import re

import pytest

from declaration_events import Ledger
from declaration_events.cli import main
from declaration_events.render import MAX_HTML_ROWS
from helpers import SEEDS

DECLARATION = "arbitrary-detention-declaration"


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


def body_rows(html: str) -> list[str]:
    return re.findall(r"<tr><td>(.*?)</td>", html)


def test_signatories_html_puts_title_and_counts_before_the_rows(ledger: Ledger) -> None:
    """Title, both times, then '59 endorsers: endorsed 59', then the table."""
    html = ledger.signatories(DECLARATION, as_of="2021-02-15")._repr_html_()
    assert html.startswith('<div class="declaration-events">')
    title = html.index("Declaration Against Arbitrary Detention in State-to-State Relations")
    counts = html.index("<strong>59 endorsers</strong>: endorsed 59")
    assert title < html.index("as of 2021-02-15, known at") < counts < html.index("<table>")
    assert "<th>code</th><th>party</th><th>status</th><th>since</th>" in html


def test_a_long_table_is_cut_with_a_note_and_keeps_its_last_rows(ledger: Ledger) -> None:
    """60 rows show as the first 15, an ellipsis row, the last 5, and a note naming `.to_dataframe()`."""
    html = ledger.signatories(DECLARATION, as_of="2022-10-14")._repr_html_()
    rows = body_rows(html)
    assert len(rows) == MAX_HTML_ROWS
    assert rows[0] == "ALB" and rows[-1] == "XKX"
    assert html.count("…</td></tr>") == 1
    assert "60 rows, 20 shown; <code>.to_dataframe()</code> has them all." in html
    assert "endorsed ?" in html and "(+1 uncertain, marked ?, not counted)" in html


def test_a_short_table_is_shown_whole(ledger: Ledger) -> None:
    """Three cases: three rows, no note; the counts line comes first."""
    html = ledger.cases(as_of="2021-02-15", only=["kovrig", "meng-wanzhou", "spavor"])._repr_html_()
    assert body_rows(html) == ["kovrig", "meng-wanzhou", "spavor"]
    assert "shown" not in html
    assert html.index("<strong>3 cases</strong>: charged 2, on_bail 1") < html.index("<table>")
    assert "<td>798</td>" in html and "<td>Canada</td><td>China</td>" in html


def test_html_escapes_text_from_the_log(ledger: Ledger) -> None:
    """Quotes and markup-like characters in sources are escaped, never injected."""
    html = ledger.condemnations()._repr_html_()
    assert "&quot;hostage diplomacy&quot;" in html and '"hostage diplomacy"' not in html
    assert "it’s also immoral" in html
    assert "<strong>5 condemnations</strong>: by Canada 2, China 1, United States 2" in html


def test_every_result_prints_as_the_cli_table(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> None:
    """`str()` of a result is the plain-text table the command line prints."""
    known = "2026-11-02T00:00:00+00:00"
    seeds = [str(path) for path in SEEDS]
    asked = {
        "status": (
            ledger.signatories(DECLARATION, as_of="2021-02-15", known_at=known),
            ["--instrument", DECLARATION, "--as-of", "2021-02-15"],
        ),
        "cases": (ledger.cases(as_of="2021-02-15", known_at=known), ["--as-of", "2021-02-15"]),
        "condemnations": (ledger.condemnations(known_at=known), []),
        "timeline": (ledger.timeline("Canada", known_at=known), ["--party", "Canada"]),
    }
    for command, (result, options) in asked.items():
        assert main([command, *seeds, *options, "--known-at", known]) == 0
        assert capsys.readouterr().out == str(result) + "\n", command
    assert "59 endorsers: endorsed 59" in str(asked["status"][0])


def test_repr_is_one_line_saying_what_when_and_how_many(ledger: Ledger) -> None:
    """A terminal shows a summary, not sixty dataclass rows."""
    text = repr(ledger.signatories(DECLARATION, as_of="2022-10-14", known_at="2026-11-02T00:00:00Z"))
    assert text == (
        "<Signatories arbitrary-detention-declaration, as of 2022-10-14, known at "
        "2026-11-02T00:00:00+00:00: 60 participants (endorsed 59; 1 uncertain, not counted)>"
    )
    assert "\n" not in repr(ledger.cases()) and repr(ledger.timeline("XKX")).startswith("<Timeline Kosovo")


def test_every_result_kind_has_an_html_table(ledger: Ledger) -> None:
    """Timelines and condemnations render too."""
    assert "<strong>Kosovo</strong> (XKX)" in ledger.timeline("XKX")._repr_html_()
    assert "<th>speaker</th>" in ledger.condemnations()._repr_html_()


def test_the_ledger_html_summarises_events_instruments_and_cases(ledger: Ledger) -> None:
    """Event count and record span, then instruments with their parties, then cases with days."""
    html = ledger._repr_html_()
    assert f"<strong>Ledger</strong>: {len(ledger)} events, recorded 2012-10-03 to 2026-12-01" in html
    assert html.index("events") < html.index("5 instruments") < html.index("12 cases")
    assert "<td>arbitrary-detention-declaration</td>" in html and "endorsed 60" in html
    assert "<td>kovrig</td><td>Michael Kovrig</td><td>China</td><td>released</td><td>1,019</td>" in html


# -- issue 18, item 16: tables styled outside Jupyter, a case shows itself, facts in words -------------


def test_every_html_table_carries_its_own_scoped_style(ledger: Ledger) -> None:
    """Outside Jupyter (an HTML export, a web page) tables still have borders and padding, scoped."""
    pages = [
        ledger.signatories(DECLARATION)._repr_html_(),
        ledger.cases()._repr_html_(),
        ledger.condemnations()._repr_html_(),
        ledger.timeline("CAN")._repr_html_(),
        ledger._repr_html_(),
    ]
    for page in pages:
        assert page.startswith('<div class="declaration-events"><style>')
        style = page[page.index("<style>") : page.index("</style>")]
        rules = [rule for rule in style.removeprefix("<style>").split("}") if rule]
        assert rules and all(rule.startswith(".declaration-events ") for rule in rules), rules
        assert "border-collapse:collapse" in style and "padding" in style


def test_a_single_case_row_shows_as_html_text_and_a_dataframe(ledger: Ledger) -> None:
    """`ledger.case(...)` in a notebook: a titled field table, readable text, a one-row DataFrame."""
    spavor = ledger.case("spavor", as_of="2021-12-31")
    assert spavor is not None
    page = spavor._repr_html_()
    assert page.startswith('<div class="declaration-events"><style>')
    assert "<strong>Michael Spavor</strong> (spavor): released" in page
    assert "<tr><th>days detained</th><td>1,019</td></tr>" in page
    assert "<tr><th>sentence</th><td>11 years in prison</td></tr>" in page
    assert "requested by" not in page  # empty fields are left out
    text = str(spavor)
    assert text.splitlines()[0].split() == ["case", "spavor"] and "days detained  1,019" in text
    frame = spavor.to_dataframe()
    assert list(frame.columns) == list(ledger.cases().to_dataframe().columns)
    assert frame.loc[0, "days_detained"] == 1019 and frame.loc[0, "status"] == "released"


def test_the_timeline_says_each_fact_in_words_without_repeating_its_type(ledger: Ledger) -> None:
    """The 'fact' column reads 'by Canada' or 'Michael Kovrig, of Canada, held by China': no type, no k=v."""
    timeline = ledger.timeline("Canada")
    rows = list(csv.DictReader(io.StringIO(timeline.to_csv())))
    # 11 facts name Canada; 13 more are the other facts of the cases that name it (issue 15).
    assert len(rows) == len(timeline) == 24
    for row in rows:
        assert not row["fact"].startswith(row["type"]) and "=" not in row["fact"], row
    facts = {(row["type"], row["entity"]): row["fact"] for row in rows}
    assert facts["Signed", "instrument:ottawa-treaty"] == "by Canada"
    assert facts["Detained", "case:kovrig"] == "Michael Kovrig, of Canada, held by China, in Beijing"
    assert "  by Canada" in str(timeline)
    meng = "Meng Wanzhou, of China, held by Canada at the request of United States, in Vancouver"
    assert f"<td>{meng}</td>" in timeline._repr_html_()
