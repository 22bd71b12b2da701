"""Export for other engines: the events and both history tables as Parquet files (the `parquet` extra).

`write_parquet(ledger, directory)` writes `events.parquet` (one row per recorded event: its
id, type, entity, dates and canonical line), `signatory_history.parquet` and
`case_history.parquet` (the tables of `storage.tables`, with `date` and UTC `timestamp`
columns), each file replaced only once complete. DuckDB, pandas, Polars or Spark read them
as they are; the README shows the status question in DuckDB.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError, UsageError

if TYPE_CHECKING:
    from .ledger import Ledger

__all__ = ["PARQUET_FILES", "write_parquet"]

#: The files `write_parquet` writes, in order.
PARQUET_FILES = ("events.parquet", "signatory_history.parquet", "case_history.parquet")


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("Parquet export needs pyarrow: pip install 'declaration-events[parquet]'") from None
    return pa, pq


def write_parquet(ledger: Ledger, directory: str | os.PathLike[str]) -> dict[str, int]:
    """Write the events and both history tables as Parquet files in `directory`; return rows per file."""
    pa, pq = _pyarrow()
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: {exc.strerror or exc}") from None
    events = list(ledger.events())
    entity_of = ledger.projection.entity_of
    tables = {
        "events.parquet": pa.table(
            {
                "id": pa.array([str(e.id) for e in events], pa.string()),
                "type": pa.array([e.type for e in events], pa.string()),
                "entity": pa.array([entity_of(e.id) or e.entity() for e in events], pa.string()),
                "occurred_on": pa.array([str(e.occurred_on) for e in events], pa.string()),
                "occurred_first": pa.array([e.occurred_on.first for e in events], pa.date32()),
                "occurred_last": pa.array([e.occurred_on.last for e in events], pa.date32()),
                "recorded_at": pa.array([e.recorded_at for e in events], pa.timestamp("us", tz="UTC")),
                "line": pa.array([e.to_json() for e in events], pa.string()),
            }
        )
    }
    histories = ledger.history_rows()
    signatories, cases = histories.signatories, histories.cases
    common = {
        "valid_from": pa.date32(),
        "valid_until": pa.date32(),
        "known_from": pa.timestamp("us", tz="UTC"),
        "known_until": pa.timestamp("us", tz="UTC"),
    }
    tables["signatory_history.parquet"] = pa.table(
        {
            "instrument": pa.array([r.instrument for r in signatories], pa.string()),
            "party": pa.array([r.party for r in signatories], pa.string()),
            "status": pa.array([r.status for r in signatories], pa.string()),
            **{
                name: pa.array([getattr(r, name) for r in signatories], kind) for name, kind in common.items()
            },
            "uncertain": pa.array([r.uncertain for r in signatories], pa.bool_()),
            "event_id": pa.array([str(r.event_id) for r in signatories], pa.string()),
        }
    )
    tables["case_history.parquet"] = pa.table(
        {
            "case_slug": pa.array([r.case_slug for r in cases], pa.string()),
            "status": pa.array([r.status for r in cases], pa.string()),
            **{name: pa.array([getattr(r, name) for r in cases], t) for name, t in common.items()},
            "days_detained_before": pa.array([r.days_detained_before for r in cases], pa.int64()),
            "in_custody": pa.array([r.in_custody for r in cases], pa.bool_()),
            "uncertain": pa.array([r.uncertain for r in cases], pa.bool_()),
            "event_id": pa.array([str(r.event_id) for r in cases], pa.string()),
            "days_restricted_before": pa.array([r.days_restricted_before for r in cases], pa.int64()),
            "restricted": pa.array([r.restricted for r in cases], pa.bool_()),
            "days_deprived_before": pa.array([r.days_deprived_before for r in cases], pa.int64()),
            "deprived": pa.array([r.deprived for r in cases], pa.bool_()),
            "details": pa.array([r.details for r in cases], pa.string()),
        }
    )
    written: dict[str, int] = {}
    for name in PARQUET_FILES:
        target = out / name
        partial = out / f".{name}.partial"
        try:
            pq.write_table(tables[name], partial)
            partial.replace(target)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise OutputError(f"{target}: {exc.strerror or exc}") from None
        written[name] = tables[name].num_rows
    return written
