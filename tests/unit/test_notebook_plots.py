"""Charts: what they draw (series, bars, markers, milestones, labels) and the PNG files they make."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from declaration_events import Ledger, plot_cases, plot_signatories
from declaration_events.cli import main
from declaration_events.plots import save_figure
from helpers import SEEDS

matplotlib.use("Agg")  # no window, the same pixels on every machine

DECLARATION = "arbitrary-detention-declaration"


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def series(ax: Axes) -> dict[str, list[float]]:
    return {
        str(line.get_label()): [float(y) for y in line.get_ydata()]  # type: ignore[union-attr]
        for line in ax.get_lines()
        if not str(line.get_label()).startswith("_")
    }


def milestones(ax: Axes) -> list[str]:
    return [text.get_text() for text in ax.texts if text.get_gid() == "milestone"]


def bars(ax: Axes) -> dict[str, Rectangle]:
    return {str(p.get_gid()): p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid()}


def test_signatories_chart_steps_to_59_on_launch_day_and_60_with_kosovo(ledger: Ledger) -> None:
    """One series (endorsed), the opening milestone, titled and labelled, with a legend below."""
    fig = plot_signatories(ledger, DECLARATION, start="2021-01-01", end="2023-12-31")
    ax = fig.axes[0]
    lines = series(ax)
    assert list(lines) == ["endorsed, 60 on 31 Dec 2023"]
    values = lines["endorsed, 60 on 31 Dec 2023"]
    assert values[0] == 0 and max(values) == 60 and 59 in values
    assert milestones(ax) == ["opened 15 Feb 2021"]
    assert ax.get_xlabel() == "date" and ax.get_ylabel() == "parties (states and organisations)"
    assert "Declaration Against Arbitrary Detention" in ax.get_title(loc="left")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["endorsed, 60 on 31 Dec 2023"]
    assert ax.get_ylim()[1] > 60  # room above the line for the milestone label


def test_a_treaty_chart_shows_ratified_then_party_and_entry_into_force(ledger: Ledger) -> None:
    """The Ottawa Treaty: signatories, then consents, then parties from entry into force in 1999."""
    fig = plot_signatories(
        ledger, "ottawa-treaty", start="1997-01-01", end="2001-01-01", known_at="2022-01-01"
    )
    ax = fig.axes[0]
    assert [label.split(",")[0] for label in series(ax)] == ["signed", "ratified", "party"]
    assert milestones(ax) == ["opened 3 Dec 1997", "entered into force 1 Mar 1999"]
    assert "as known on 1 Jan 2022" in " ".join(t.get_text() for t in ax.texts)


def test_a_bilateral_treaty_chart_shows_suspension_and_termination(ledger: Ledger) -> None:
    """New START: both parties, Russia's suspension (2023), the end of the treaty (2026)."""
    fig = plot_signatories(ledger, "new-start", start="2010-01-01", end="2026-06-01")
    ax = fig.axes[0]
    assert [label.split(",")[0] for label in series(ax)] == [
        "signed",
        "ratified",
        "party",
        "suspended",
        "terminated",
    ]
    assert "terminated 5 Feb 2026" in milestones(ax)


def test_several_instruments_share_one_chart_with_named_series(ledger: Ledger) -> None:
    """Each series and milestone names its instrument; linestyles tell instruments apart."""
    fig = plot_signatories(ledger, [DECLARATION, "ottawa-treaty"], start="1997-01-01", end="2023-01-01")
    ax = fig.axes[0]
    labels = list(series(ax))
    assert len(labels) == 4
    assert labels[0].startswith("Declaration Against Arbitrary Detention: endorsed")
    assert {label.split(":")[0] for label in labels[1:]} == {"Ottawa treaty"}
    assert len(milestones(ax)) == 3 and ax.get_title(loc="left") == "Parties by status"


def test_a_chart_draws_on_a_given_axes_and_returns_its_figure(ledger: Ledger) -> None:
    """`ax=` puts the chart in the caller's layout, with the legend inside the axes."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 4))
    assert plot_signatories(ledger, DECLARATION, ax=left) is fig
    assert plot_cases(ledger, as_of="2021-12-31", ax=right) is fig
    assert series(left) and bars(right)
    assert left.get_legend() is not None and right.get_legend() is not None and not fig.legends


def test_cases_chart_has_one_bar_per_case_coloured_by_status_with_a_legend_entry_each(ledger: Ledger) -> None:
    """Custody, restrictions and time missing are coloured by status; labels name person and captor."""
    fig = plot_cases(ledger, as_of="2021-12-31", known_at="2021-12-31")
    ax = fig.axes[0]
    drawn = bars(ax)
    assert {
        "kovrig:detained",
        "kovrig:charged",
        "meng-wanzhou:charged_at_large",
        "meng-wanzhou:on_bail",
    } <= set(drawn)
    assert {"zaghari-ratcliffe:furlough", "zaghari-ratcliffe:exit_ban", "baquer-namazi:house_arrest"} <= set(
        drawn
    )
    assert "tice:missing" in drawn and drawn["tice:missing"].get_hatch() == "xx"
    assert not any(gid.startswith("gershkovich") for gid in drawn)  # detained in 2023: not yet
    colour = {gid: tuple(patch.get_facecolor()[:3]) for gid, patch in drawn.items()}
    assert colour["kovrig:charged"] == colour["spavor:charged"] != colour["kovrig:detained"]
    assert (
        colour["meng-wanzhou:on_bail"]
        != colour["zaghari-ratcliffe:furlough"]
        != colour["baquer-namazi:house_arrest"]
    )
    # Deprivation of liberty (custody, house arrest) is drawn full height, other restrictions thinner.
    assert drawn["baquer-namazi:house_arrest"].get_height() == pytest.approx(
        drawn["kovrig:charged"].get_height()
    )
    assert drawn["meng-wanzhou:on_bail"].get_height() < drawn["kovrig:charged"].get_height()
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "Austin Tice\nof United States, held by Syria"
    assert (
        "Mark Frerichs\nof United States, held by Haqqani network" in ticks
    )  # an actor, by its registered name
    assert "Michael Kovrig\nof Canada, held by China" in ticks
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "detained", "charged", "sentenced", "house arrest", "furlough", "on bail", "exit ban",
        "charged at large", "missing", "charge", "sentence", "release", "escape", "death",
    ]  # fmt: skip
    assert ax.get_xlabel() == "date" and ax.get_title(loc="left").startswith("Detention cases")


def test_cases_chart_marks_charges_sentences_outcomes_and_days(ledger: Ledger) -> None:
    """Markers where they happened; a note per bar with the days `cases()` counts, then the outcome."""
    ax = plot_cases(ledger, as_of="2021-12-31").axes[0]
    marks = sorted(str(line.get_gid()) for line in ax.get_lines() if line.get_gid())
    assert {"kovrig:charged", "kovrig:released", "spavor:sentenced", "ghosn:escaped", "foley:died"} <= set(
        marks
    )
    assert marks.count("meng-wanzhou:charged") == 2  # the indictment, then the unsealed charges
    notes = {t.get_text().split(" ·")[0]: t.get_text() for t in ax.texts if t.get_gid() == "days"}
    assert (
        notes["10 days in custody, 1,018 on bail"]
        == "10 days in custody, 1,018 on bail · released 24 Sep 2021"
    )
    assert notes["635 days in custody"] == "635 days in custody · died in custody 19 Aug 2014"
    assert notes["0 days in custody"] == "0 days in custody · missing since 14 Aug 2012"
    assert notes["128 days in custody, 277 on bail"].endswith("escaped 29 Dec 2019")
    long = "1,019 days in custody\nsentenced to 11 years in prison · released 24 Sep 2021"
    assert long in notes.values()  # a long note breaks after the day counts


def test_cases_chart_stops_at_as_of_and_can_mark_an_instrument(ledger: Ledger) -> None:
    """On launch day the Michaels are held and charged; the declaration's opening is a labelled line."""
    ax = plot_cases(ledger, as_of="2021-02-15", instruments=[DECLARATION]).axes[0]
    assert not [
        line for line in ax.get_lines() if str(line.get_gid()) in ("kovrig:released", "spavor:released")
    ]
    notes = [t.get_text() for t in ax.texts if t.get_gid() == "days"]
    assert notes.count("798 days in custody · charged") == 2
    assert milestones(ax) == ["Declaration Against Arbitrary Detention\nopened 15 Feb 2021"]


def test_charts_render_to_non_trivial_png_files(ledger: Ledger, tmp_path: Path) -> None:
    """Saved at 150 dpi: real PNGs, several hundred pixels each way and tens of kilobytes."""
    cases = save_figure(plot_cases(ledger, as_of="2021-12-31", instruments=[DECLARATION]), tmp_path / "c.png")
    signatories = save_figure(plot_signatories(ledger, DECLARATION), tmp_path / "s.png")
    for path in (cases, signatories):
        width, height = png_size(path)
        assert width > 1000 and height > 500 and path.stat().st_size > 20_000
    assert not plt.get_fignums()  # save_figure closed them


def test_plot_command_writes_both_charts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`declaration-events plot signatories|cases LOG... --out FILE` writes the image and says so."""
    logs = [str(path) for path in SEEDS]
    out = tmp_path / "signatories.png"
    assert main(["plot", "signatories", *logs, "--instrument", DECLARATION, "--out", str(out)]) == 0
    assert main(["plot", "cases", *logs, "--as-of", "2021-12-31", "--out", str(tmp_path / "c.svg")]) == 0
    assert png_size(out)[0] > 1000 and (tmp_path / "c.svg").read_text().startswith("<?xml")
    assert f"{out}: signatories chart written" in capsys.readouterr().err  # stdout may carry the image


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["signatories", "--instrument", "arbitrary-detention", "--out", "x.png"], "did you mean"),
        (["cases", "--out", "x.gif"], "give a file ending in .png"),
        (["cases", "--as-of", "2021-02-30", "--out", "x.png"], "as_of"),
    ],
)
def test_plot_command_errors_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unknown instruments, unsupported formats and bad dates: exit 1 with a one-line message."""
    chart, *rest = args
    rest = [str(tmp_path / a) if a.startswith("x.") else a for a in rest]
    assert main(["plot", chart, *map(str, SEEDS), *rest]) == 1
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_figures_are_matplotlib_figures(ledger: Ledger) -> None:
    """The return type is the Figure, ready for `savefig` or a notebook."""
    assert isinstance(plot_cases(ledger), Figure)


# -- issue 18, item 16: the axis ends with the story, labels stay legible, legends list what is drawn ---


@pytest.fixture(scope="module")
def three() -> Ledger:
    """The article's three cases (Meng, Kovrig, Spavor), every one closed in 2021."""
    return Ledger.from_jsonl(*(path for path in SEEDS if path.name == "detention-cases.jsonl"))


def test_the_cases_axis_ends_at_the_last_event_once_every_case_is_closed(three: Ledger) -> None:
    """As of today all three were released in 2021: the axis stops a margin after 24 Sep 2021."""
    ax = plot_cases(three).axes[0]
    _, right = ax.get_xlim()
    assert mdates.num2date(right).date() < date(2021, 12, 1)
    assert mdates.num2date(right).date() > date(2021, 9, 24)


def test_the_cases_axis_reaches_as_of_while_a_case_is_open(ledger: Ledger) -> None:
    """On launch day the cases are open: the bars and the axis run to 15 February 2021."""
    ax = plot_cases(ledger, as_of="2021-02-15").axes[0]
    assert mdates.num2date(ax.get_xlim()[1]).date() > date(2021, 2, 15)


@pytest.mark.parametrize("chart", ["cases", "signatories"])
def test_labels_sit_on_a_white_ground_above_the_dashed_milestone_lines(ledger: Ledger, chart: str) -> None:
    """Case notes and milestone labels have an opaque white box drawn above every dashed line."""
    if chart == "cases":
        ax = plot_cases(ledger, as_of="2026-01-01", instruments=[DECLARATION]).axes[0]
    else:
        ax = plot_signatories(ledger, "ottawa-treaty").axes[0]
    labels = [t for t in ax.texts if t.get_gid() in ("days", "milestone")]
    dashed = [line for line in ax.get_lines() if line.get_gid() == "milestone-line"]
    assert labels and dashed
    for label in labels:
        ground = label.get_bbox_patch()
        assert ground is not None and ground.get_facecolor()[:3] == (1.0, 1.0, 1.0), label.get_text()
        assert ground.get_facecolor()[3] >= 0.85
        assert label.get_zorder() > max(line.get_zorder() for line in dashed)


def test_the_cases_legend_lists_only_what_the_chart_shows(three: Ledger) -> None:
    """In mid-2019 nobody was sentenced or released: the legend names neither (statuses, then markers,
    which name the event: a `charged` bar is the status, a `charge` marker the day of the charge)."""
    fig = plot_cases(three, as_of="2019-06-01")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["detained", "charged", "on bail", "charged at large", "charge"]
    fig = plot_cases(three, as_of="2018-12-05")  # only Meng: indicted at large, then held
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["charged", "charged at large", "charge"]


def test_a_status_with_nobody_left_is_not_labelled_with_a_count_of_zero(ledger: Ledger) -> None:
    """The Ottawa Treaty's 'ratified' line fell to none by 2020: its label says so, not '0 on'."""
    labels = list(series(plot_signatories(ledger, "ottawa-treaty", end="2020-01-01").axes[0]))
    assert labels == [
        "signed, 1 on 1 Jan 2020",
        "ratified, none on 1 Jan 2020, 67 at most",
        "party, 164 on 1 Jan 2020",
    ]
    assert not [label for label in labels if " 0 on" in label]
