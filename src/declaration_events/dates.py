"""Valid-time dates that may be partial (`YYYY-MM`, `YYYY`) and keep their precision."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import attrgetter
from typing import Any, Literal, get_args

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from .errors import InvalidEventError

__all__ = [
    "PRECISIONS",
    "DateLike",
    "PartialDate",
    "parse_date",
    "parse_datetime",
    "query_date",
    "query_time",
    "today",
]

PARTIAL_DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
# ASCII digits only, as in JSON Schema (Python's \d is any Unicode digit, and int() reads them all),
# and the whole text (Python's $ also matches before a final newline).
_PARTIAL = re.compile(PARTIAL_DATE_PATTERN, re.ASCII)

_LONG_FRACTION = re.compile(r"[.,][0-9]{7}")

Precision = Literal["day", "month", "year"]
#: Precisions of partial dates, finest first (the categories of `precision` columns).
PRECISIONS: tuple[str, ...] = get_args(Precision)
#: What a query accepts for a date or a record time.
DateLike = date | datetime | str


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A calendar date known to the day, the month or only the year."""

    year: int
    month: int | None = None
    day: int | None = None
    _first: date = field(init=False, repr=False, compare=False, hash=False)
    _last: date = field(init=False, repr=False, compare=False, hash=False)
    _text: str = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not in 1..12")
        if self.day is not None and self.day < 1:
            raise ValueError(f"day {self.day} is not a day of the month")
        # Constructing the period's bounds validates the calendar (no 2021-02-30).
        first = date(self.year, self.month or 1, self.day or 1)
        if self.day is not None:
            last = first
        elif self.month is not None:
            last = date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        else:
            last = date(self.year, 12, 31)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)
        # Written once: every dump of an event writes its dates (the id's content, its line).
        if self.month is None:
            text = f"{self.year:04d}"
        elif self.day is None:
            text = f"{self.year:04d}-{self.month:02d}"
        else:
            text = f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        object.__setattr__(self, "_text", text)

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse `YYYY-MM-DD`, `YYYY-MM` or `YYYY`."""
        return _parse(text)

    @classmethod
    def _parse(cls, text: str) -> PartialDate:
        if not _PARTIAL.fullmatch(text):
            digits = "" if text.isascii() else " in ASCII digits"
            raise ValueError(f"{text!r} is not a date of the form YYYY-MM-DD, YYYY-MM or YYYY{digits}")
        parts = [int(p) for p in text.split("-")]
        try:
            made = cls(*parts)
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a real date: {exc}") from None
        # The same text (the pattern is exact), kept once: it is also the parse cache's key.
        object.__setattr__(made, "_text", text)
        return made

    @classmethod
    def of(cls, value: PartialDate | date | str) -> PartialDate:
        """Coerce a `date`, an ISO string or a `PartialDate`."""
        if type(value) is str:  # every line's dates: first
            return _parse(value)
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, datetime):
            raise ValueError("a valid-time date must be a date, not a datetime")
        if isinstance(value, date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, str):
            return _parse(value)
        raise ValueError(f"expected a date string, got {type(value).__name__}")

    @property
    def precision(self) -> Precision:
        """How precisely the date is known."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    @property
    def is_exact(self) -> bool:
        """True when the date is known to the day."""
        return self.day is not None

    @property
    def first(self) -> date:
        """The first day of the period."""
        return self._first

    @property
    def last(self) -> date:
        """The last day of the period: the day from which the fact counts as happened."""
        return self._last

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"PartialDate({str(self)!r})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.of,
            # A C-level getter: no Python call per date written.
            serialization=core_schema.plain_serializer_function_ser_schema(attrgetter("_text")),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": PARTIAL_DATE_PATTERN,
            "description": "A date YYYY-MM-DD, or a partial date YYYY-MM or YYYY.",
        }


# Log dates repeat a lot (every endorser of a declaration on its launch day): parse each once.
_parse = lru_cache(maxsize=1 << 16)(PartialDate._parse)


def parse_date(value: date | datetime | str) -> date:
    """Coerce a query's valid date from a `date`, a `datetime` or an ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_datetime(value: date | datetime | str) -> datetime:
    """Coerce a record time; naive values and bare dates are taken as UTC (end of day for dates)."""
    if isinstance(value, str):
        if _LONG_FRACTION.search(value):  # fromisoformat would drop the digits past the sixth
            raise ValueError(
                f"{value!r} has more than 6 fractional digits; record times are kept to the microsecond"
            )
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not an RFC 3339 date-time") from None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, 23, 59, 59, 999999)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def today() -> date:
    """Today's date in UTC, the default `as_of` of every query."""
    return datetime.now(UTC).date()


def query_date(value: DateLike | None, name: str) -> date | None:
    """A query's valid date (None stays None); a bad value is an `InvalidEventError` naming the argument."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise InvalidEventError(f"{name}: {exc}") from None


def query_time(value: DateLike | None, name: str) -> datetime | None:
    """A query's record time (None stays None); a bad value is an `InvalidEventError` naming the argument."""
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidEventError(f"{name}: {exc}") from None
