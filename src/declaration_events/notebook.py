"""pandas for notebooks: DataFrames of results, of the event log and of counts over time.

pandas is an optional extra (`pip install declaration-events[notebook]`), imported
only inside these functions. Results describe their columns (`render.Column`);
counts over time come from `counts`; this module only turns them into DataFrames.

Dates in DataFrames are `datetime64`; a partial valid date (`2022-10`) shows as
the first day of its period beside a `precision` column (`day`, `month`, `year`).
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from .dates import PRECISIONS
from .events import EVENT_TYPES, Corrected, EventBase, Retracted
from .parties import party_name
from .render import Column

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["counts_frame", "events_frame", "frame", "require_extra"]


def require_extra(module: str) -> None:
    """Raise an ImportError naming the extra to install when an optional module is missing."""
    if importlib.util.find_spec(module) is None:
        raise ImportError(f"this needs {module}: pip install 'declaration-events[notebook]'")


def _dates(values: Iterable[date]) -> pd.Series:
    import pandas as pd

    return pd.Series(pd.to_datetime(list(values)), dtype="datetime64[s]")


def _category(
    values: Iterable[object], categories: Sequence[str] | None = None, *, ordered: bool = False
) -> pd.Series:
    """A categorical over the given categories (default: the values seen, sorted)."""
    import pandas as pd

    values = list(values)
    known = list(categories) if categories is not None else sorted({str(v) for v in values if v is not None})
    return pd.Series(pd.Categorical(values, categories=known, ordered=ordered))


def _text(values: Iterable[object]) -> pd.Series:
    import pandas as pd

    return pd.Series(list(values), dtype="string")


def _series(column: Column) -> pd.Series:
    import pandas as pd

    kind = column.kind
    if kind == "text":
        return _text(column.values)
    if kind in ("category", "ordered"):
        return _category(column.values, column.categories, ordered=kind == "ordered")
    if kind == "date":
        return _dates(column.values)  # type: ignore[arg-type]
    if kind == "datetime":
        return pd.Series(list(column.values), dtype="datetime64[us, UTC]")
    dtypes = {"bool": "bool", "boolean": "boolean", "int": "int64", "Int64": "Int64"}
    return pd.Series(list(column.values), dtype=dtypes[kind])


def frame(columns: Sequence[Column], attrs: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A DataFrame of described columns, typed as they say, with `attrs` (what the rows are about)."""
    require_extra("pandas")
    import pandas as pd

    result = pd.DataFrame({column.name: _series(column) for column in columns})
    result.attrs.update(attrs or {})
    return result


def _acting_party(event: EventBase) -> str | None:
    """The party that acts in the event: signer, speaker, captor, charging state, designator, initiator."""
    if event.type == "ActorRegistered":
        return event.parties()[0]  # actor:SLUG, not the bare slug in its `actor` field
    for field in ("party", "actor", "detained_by", "detaining_state", "charging_state", "by", "initiator"):
        value = getattr(event, field, None)
        if isinstance(value, str):
            return value
    return None


def events_frame(
    events: Iterable[EventBase], entity_of: Callable[[Any], str | None] | None = None
) -> pd.DataFrame:
    """Every event as recorded, one row each, with its CAMEO code and PLOVER category.

    `entity_of` maps an event id to its entity; amendments need it to name theirs.
    """
    events = list(events)
    lookup = entity_of or (lambda _id: None)
    entities = [
        (lookup(e.id) if isinstance(e, Corrected | Retracted) else None) or e.entity() for e in events
    ]
    parties = [_acting_party(e) for e in events]
    return frame(
        [
            Column("id", "text", [str(e.id) for e in events]),
            Column("type", "category", [e.type for e in events], list(EVENT_TYPES)),
            Column("occurred_on", "date", [e.occurred_on.first for e in events]),
            Column("precision", "ordered", [e.occurred_on.precision for e in events], PRECISIONS),
            Column("recorded_at", "datetime", [e.recorded_at for e in events]),
            Column("entity", "category", entities),
            Column("party", "category", parties),
            Column("party_name", "text", [party_name(p) if p else None for p in parties]),
            Column("cameo", "text", [e.cameo for e in events]),
            Column("plover", "category", [e.plover for e in events]),
            Column("plover_mode", "category", [e.plover_mode for e in events]),
            Column("sources", "int", [len(e.sources) for e in events]),
            Column(
                "target",
                "text",
                [str(e.target) if isinstance(e, Corrected | Retracted) else None for e in events],
            ),
        ]
    )


def counts_frame(
    samples: Sequence[date],
    columns: Sequence[str],
    counts: Sequence[Counter[str]],
    about: Mapping[str, str],
) -> pd.DataFrame:
    """Counts over time (see `counts.Counts`) as a DataFrame: a `date` index, one int column per status."""
    require_extra("pandas")
    import pandas as pd

    index = pd.DatetimeIndex(pd.to_datetime(list(samples)), name="date").astype("datetime64[s]")
    result = pd.DataFrame(
        {status: [c[status] for c in counts] for status in columns}, index=index, dtype="int64"
    )
    result.columns.name = "status"
    result.attrs.update(about)
    return result
