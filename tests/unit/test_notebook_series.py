"""Counts over time come from change points, and equal the per-date queries they replace."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest

from declaration_events import Ledger, Projection
from declaration_events.counts import period_ends
from helpers import ROOT, SEEDS

DECLARATION = "arbitrary-detention-declaration"
#: Frequencies users type (tests/hostile/arguments.json): pandas aliases and their samples, and refusals.
FREQ = json.loads((ROOT / "tests" / "hostile" / "arguments.json").read_text(encoding="utf-8"))["freq"]


def days(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def fact(type_: str, on: str, recorded: str, **fields: Any) -> dict[str, Any]:
    return {"type": type_, "occurred_on": on, "recorded_at": f"{recorded}T12:00:00+00:00", **fields}


@pytest.fixture(scope="module")
def seeds() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


@pytest.fixture(scope="module")
def treaty() -> Ledger:
    """A treaty whose parties sign, ratify late or early, withdraw and rejoin, some on partial dates."""
    t = {"instrument": "t"}
    return Ledger.from_events(
        [
            fact("InstrumentOpened", "2000-01-10", "2000-01-10", title="T", kind="treaty", **t),
            fact("Signed", "2000-01-10", "2000-01-11", party="FRA", **t),
            fact("Ratified", "2000-06", "2000-07-02", party="FRA", **t),
            fact("Ratified", "2000-03-01", "2005-01-01", party="DEU", effective_on="2001-06-01", **t),
            fact("EnteredIntoForce", "2001-01-01", "2001-01-02", **t),
            fact("Signed", "2001-05-05", "2001-05-06", party="ITA", **t),
            fact("Withdrew", "2001-09-09", "2001-09-10", party="ITA", **t),
            fact("Signed", "2002-01-01", "2002-01-02", party="ITA", **t),
            fact("Signed", "2002", "2003-01-05", party="ESP", **t),
            fact("Withdrew", "2003-02-01", "2003-02-02", party="FRA", effective_on="2004-02-01", **t),
            fact("Ratified", "2004-05", "2004-06-01", party="FRA", mode="accession", **t),
        ]
    )


def per_date(ledger: Ledger, instrument: str, dates: list[date], known_at: str | None) -> pd.DataFrame:
    rows = [ledger.signatories(instrument, as_of=day, known_at=known_at).counts for day in dates]
    return pd.DataFrame(rows, index=pd.DatetimeIndex(dates)).fillna(0).astype("int64")


def same_counts(sweep: pd.DataFrame, naive: pd.DataFrame) -> None:
    columns = sorted(set(sweep.columns) | set(naive.columns))
    left = sweep.reindex(columns=columns, fill_value=0).set_axis(naive.index)
    right = naive.reindex(columns=columns, fill_value=0)
    pd.testing.assert_frame_equal(left, right, check_names=False, check_column_type=False)


@pytest.mark.parametrize("known_at", [None, "2001-06-01", "2003-01-04", "2004-12-31"])
def test_daily_counts_equal_signatories_on_every_day(treaty: Ledger, known_at: str | None) -> None:
    """Withdrawals, re-joining, entry into force and partial dates, at several record times."""
    dates = days("1999-12-01", "2005-12-31")
    sweep = treaty.signatory_counts("t", start=dates[0], end=dates[-1], known_at=known_at)
    assert sweep.index[0] == pd.Timestamp(dates[0]) and len(sweep) == len(dates)
    same_counts(sweep, per_date(treaty, "t", dates, known_at))


def test_the_declarations_counts_equal_signatories_through_kosovos_uncertain_month(seeds: Ledger) -> None:
    """59 from launch day, Kosovo uncertain (uncounted) through October 2022, then 60."""
    dates = days("2021-02-01", "2023-01-31")
    sweep = seeds.signatory_counts(DECLARATION, start="2021-02-01", end="2023-01-31")
    same_counts(sweep, per_date(seeds, DECLARATION, dates, None))
    assert sweep.loc["2021-02-14", "endorsed"] == 0 and sweep.loc["2021-02-15", "endorsed"] == 59
    assert sweep.loc["2022-10-30", "endorsed"] == 59 and sweep.loc["2022-10-31", "endorsed"] == 60


def test_counts_are_computed_without_querying_each_date(
    seeds: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The series is a sweep over change points: no per-date query runs."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("signatory_counts must not call signatories() per date")

    monkeypatch.setattr(Projection, "signatories", forbidden)
    monkeypatch.setattr(Projection, "cases", forbidden)
    assert seeds.signatory_counts(DECLARATION, freq="W").iloc[-1]["endorsed"] == 60
    assert seeds.cases_over_time(freq="M").iloc[-1]["released"] == 8


def test_periods_are_labelled_by_their_last_day_and_the_last_is_cut_at_end(seeds: Ledger) -> None:
    """Monthly rows are month ends; the last row is `end`; each equals the query on that day."""
    frame = seeds.signatory_counts(DECLARATION, start="2022-08-15", end="2022-12-10", freq="M")
    assert [d.date().isoformat() for d in frame.index] == [
        "2022-08-31",
        "2022-09-30",
        "2022-10-31",
        "2022-11-30",
        "2022-12-10",
    ]
    assert frame["endorsed"].tolist() == [59, 59, 60, 60, 60]
    assert frame.index.name == "date" and frame.columns.name == "status"
    assert str(frame["endorsed"].dtype) == "int64"


@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("D", ["2021-02-26", "2021-02-27", "2021-02-28", "2021-03-01"]),
        ("W", ["2021-02-28", "2021-03-01"]),
        ("M", ["2021-02-28", "2021-03-01"]),
        ("Y", ["2021-03-01"]),
    ],
)
def test_period_ends_for_each_frequency(freq: str, expected: list[str]) -> None:
    """Sunday week ends, month ends, year ends; always ending at `end`."""
    ends = period_ends(date(2021, 2, 26), date(2021, 3, 1), freq)  # type: ignore[arg-type]
    assert [d.isoformat() for d in ends] == expected


def test_period_ends_reject_a_bad_range() -> None:
    """An end before the start is a clear error."""
    with pytest.raises(ValueError, match="after end"):
        period_ends(date(2021, 2, 1), date(2021, 1, 1), "D")


@pytest.mark.parametrize(("freq", "expected"), sorted(FREQ["accept"].items()))
def test_pandas_offset_aliases_sample_on_their_own_dates_and_end_at_end(
    freq: str, expected: list[str]
) -> None:
    """`ME`, `QE`, `YE`, `MS`, `W-SUN`, `2M`...: pandas' dates within the range, then `end`."""
    start, end = date.fromisoformat(FREQ["start"]), date.fromisoformat(FREQ["end"])
    assert [d.isoformat() for d in period_ends(start, end, freq)] == expected


@pytest.mark.parametrize(("freq", "message"), sorted(FREQ["reject"].items()))
def test_a_frequency_pandas_does_not_know_or_finer_than_a_day_is_a_clear_error(
    freq: str, message: str
) -> None:
    """Unknown aliases, zero or negative multiples and hours name the frequency and what to give instead."""
    with pytest.raises(ValueError, match=f"freq {re.escape(repr(freq))}: .*{message}"):
        period_ends(date(2021, 1, 1), date(2021, 2, 1), freq)


def test_ledger_counts_take_pandas_aliases_and_date_offsets(seeds: Ledger) -> None:
    """`signatory_counts(freq="QE")` and a `pd.offsets.MonthBegin()` pass through to pandas' offsets."""
    quarters = seeds.signatory_counts(DECLARATION, start="2022-07-01", end="2023-01-15", freq="QE")
    assert [d.date().isoformat() for d in quarters.index] == ["2022-09-30", "2022-12-31", "2023-01-15"]
    assert quarters["endorsed"].tolist() == [59, 60, 60]
    starts = seeds.cases_over_time(start="2021-08-15", end="2021-10-02", freq=pd.offsets.MonthBegin())
    assert [d.date().isoformat() for d in starts.index] == ["2021-09-01", "2021-10-01", "2021-10-02"]
    assert starts.loc["2021-10-01", "released"] == 3


def test_cases_over_time_equal_cases_on_every_day(seeds: Ledger) -> None:
    """Custody, restrictions, charges, sentences and outcomes, day by day, as known now and in mid-2021."""
    dates = days("2018-11-25", "2021-10-10")
    for known_at in (None, "2021-08-10"):
        sweep = seeds.cases_over_time(start=dates[0], end=dates[-1], known_at=known_at)
        rows = [seeds.cases(as_of=day, known_at=known_at).counts for day in dates]
        naive = pd.DataFrame(rows, index=pd.DatetimeIndex(dates)).fillna(0).astype("int64")
        same_counts(sweep, naive)
    sweep = seeds.cases_over_time(start=dates[0], end=dates[-1])
    # One column per status that occurs, in the order of CASE_STATUSES.
    assert list(sweep.columns) == [
        "detained",
        "charged",
        "sentenced",
        "house_arrest",
        "furlough",
        "on_bail",
        "exit_ban",
        "charged_at_large",
        "released",
        "escaped",
        "missing",
        "died",
    ]
    assert sweep.loc["2021-02-15"].to_dict() == {
        "detained": 1,
        "charged": 2,
        "sentenced": 1,
        "house_arrest": 0,
        "furlough": 1,
        "on_bail": 1,
        "exit_ban": 1,
        "charged_at_large": 0,
        "released": 0,
        "escaped": 1,
        "missing": 1,
        "died": 2,
    }


def test_unknown_instruments_and_bad_dates_are_clear_errors(seeds: Ledger) -> None:
    """The same errors as the point-in-time queries."""
    from declaration_events import InvalidEventError, UnknownEntityError

    with pytest.raises(UnknownEntityError, match="nope"):
        seeds.signatory_counts("nope")
    with pytest.raises(InvalidEventError, match="start"):
        seeds.signatory_counts(DECLARATION, start="2021-02-30")
