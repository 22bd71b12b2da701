"""DataFrames of query results and of the event log: columns, dtypes and values match the projections."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.api.types import (
    is_bool_dtype,
    is_datetime64_any_dtype,
    is_integer_dtype,
    is_string_dtype,
)

from declaration_events import Ledger
from declaration_events.rules import CASE_STATUSES, PARTICIPATION_STATUSES
from helpers import SEEDS

DECLARATION = "arbitrary-detention-declaration"


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_jsonl(*SEEDS)


def is_category(series: pd.Series, categories: tuple[str, ...] | None = None) -> bool:
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return False
    return categories is None or tuple(series.cat.categories) == categories


def test_signatories_frame_has_one_typed_row_per_party_with_names_beside_codes(ledger: Ledger) -> None:
    """Codes and statuses are categoricals (statuses in lifecycle order), `since` is datetime64."""
    result = ledger.signatories(DECLARATION, as_of="2022-10-14")
    frame = result.to_dataframe()
    assert list(frame.columns) == [
        "party",
        "name",
        "status",
        "since",
        "uncertain",
        "event_id",
        "effective_on",
        "effective_derived",
        "continued_from",
        "territories",
    ]
    assert is_category(frame["party"])
    assert is_category(frame["status"], PARTICIPATION_STATUSES) and frame["status"].cat.ordered
    assert is_string_dtype(frame["name"]) and is_datetime64_any_dtype(frame["since"])
    assert is_bool_dtype(frame["uncertain"])
    assert len(frame) == len(result) == 60
    for row, record in zip(result, frame.itertuples(index=False), strict=True):
        assert (record.party, record.name, record.status) == (row.party, row.name, row.status)
        assert record.since == pd.Timestamp(row.since) and record.uncertain == row.uncertain
    kosovo = frame.set_index("party").loc["XKX"]
    assert kosovo["name"] == "Kosovo" and kosovo["uncertain"]
    assert frame.attrs["instrument"] == DECLARATION and frame.attrs["as_of"] == "2022-10-14"


def test_cases_frame_matches_the_cases_rows(ledger: Ledger) -> None:
    """Days detained, joined charges, nullable term, detaining state as a categorical with its name."""
    result = ledger.cases(as_of="2021-08-15")
    frame = result.to_dataframe().set_index("case")
    assert is_category(frame["status"], CASE_STATUSES)
    assert is_category(frame["detaining_state"]) and is_integer_dtype(frame["days_detained"])
    assert str(frame["term_days"].dtype) == "Int64" and is_datetime64_any_dtype(frame["since"])
    for row in result:
        record = frame.loc[row.case]
        assert record["person"] == row.person and record["status"] == row.status
        assert record["days_detained"] == row.days_detained
        assert record["detaining_state"] == row.detaining_state
        assert record["charges"] == "; ".join(row.charges)
    spavor = frame.loc["spavor"]
    assert (spavor["status"], spavor["term_days"], spavor["detaining_state_name"]) == (
        "sentenced",
        4018,
        "China",
    )
    assert pd.isna(frame.loc["kovrig", "term_days"])
    assert frame.loc["meng-wanzhou", "requested_by_name"] == "United States"
    assert frame.loc["kovrig", "nationality_names"] == "Canada"


def test_condemnations_frame_shows_the_speaker_as_believed_at_the_record_time(ledger: Ledger) -> None:
    """The same query known before and after the correction differs only where corrected."""
    before = ledger.condemnations(known_at="2021-03-01").to_dataframe()
    after = ledger.condemnations().to_dataframe()
    assert list(before.columns) == list(after.columns)
    assert is_datetime64_any_dtype(before["on"]) and is_category(before["precision"])
    assert is_category(before["actor"]) and is_string_dtype(before["actor_name"])
    changed = before.merge(after, on="event_id").query("speaker_x != speaker_y")
    assert changed[["speaker_x", "speaker_y"]].values.tolist() == [["John Blinken", "Antony Blinken"]]
    assert (before["sources"] >= 1).all()


def test_timeline_frame_lists_a_partys_facts_oldest_first(ledger: Ledger) -> None:
    """Types are categoricals over every event type; dates ascend."""
    result = ledger.timeline("Kosovo")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["on", "precision", "type", "entity", "fact", "summary", "event_id"]
    assert frame["type"].tolist() == [row.type for row in result] == ["Endorsed"]
    assert frame.loc[0, "on"] == pd.Timestamp("2022-10-01") and frame.loc[0, "precision"] == "month"
    assert "Corrected" in frame["type"].cat.categories


def test_an_empty_result_still_has_its_columns_and_dtypes(ledger: Ledger) -> None:
    """Before anything happened the frame is empty but typed."""
    frame = ledger.cases(as_of="2000-01-01").to_dataframe()
    assert frame.empty and "days_detained" in frame.columns
    assert is_datetime64_any_dtype(frame["since"]) and is_category(frame["status"], CASE_STATUSES)


def test_events_frame_has_every_event_with_codes_categories_and_both_times(ledger: Ledger) -> None:
    """One row per recorded event, in record order; amendments name the entity of their target."""
    frame = ledger.events_frame()
    events = list(ledger.events())
    assert len(frame) == len(events) == len(ledger)
    assert frame["id"].tolist() == [str(e.id) for e in events]
    assert list(frame.columns) == [
        "id",
        "type",
        "occurred_on",
        "precision",
        "recorded_at",
        "entity",
        "party",
        "party_name",
        "cameo",
        "plover",
        "plover_mode",
        "sources",
        "target",
    ]
    assert is_category(frame["type"]) and is_category(frame["plover"]) and is_category(frame["party"])
    assert is_datetime64_any_dtype(frame["occurred_on"])
    assert str(frame["recorded_at"].dt.tz) == "UTC"
    assert frame["sources"].tolist() == [len(e.sources) for e in events]
    by_type = frame.drop_duplicates("type").set_index("type")
    assert by_type.loc["Detained", "cameo"] == "173" and by_type.loc["Detained", "plover"] == "COERCE"
    assert by_type.loc["Endorsed", "plover"] == "SUPPORT" and by_type.loc["Released", "cameo"] == "0841"
    assert pd.isna(by_type.loc["CasesLinked", "cameo"])
    corrections = frame[frame["type"] == "Corrected"]
    assert set(corrections["entity"]) == {"statements", "instrument:ottawa-treaty"}
    assert corrections["target"].notna().all() and frame["target"].notna().sum() == 2
    kovrig = frame[(frame["type"] == "Detained") & (frame["entity"] == "case:kovrig")].iloc[0]
    assert (kovrig["party"], kovrig["party_name"]) == ("CHN", "China")
    kosovo = frame[frame["party"] == "XKX"].iloc[0]
    assert kosovo["precision"] == "month" and kosovo["occurred_on"] == pd.Timestamp("2022-10-01")
