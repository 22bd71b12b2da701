"""A status line's lookup (the bisect, the scan for partial-dated facts, and the shortcut for lines
without them) answers as the plain definition does, on lines short and long."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from declaration_events.projections import _SCAN, _Points
from declaration_events.rules import Change

EPOCH = date(2000, 1, 1)


@st.composite
def lines(draw: st.DrawFn) -> list[Change]:
    """Change points in `on` order, some starting before their `on` (a partial-dated fact), or none."""
    partial = draw(st.booleans())
    days = sorted(draw(st.lists(st.integers(0, 400), max_size=2 * _SCAN + 4)))
    points = []
    for day in days:
        early = draw(st.integers(0, 40)) if partial else 0
        on = EPOCH + timedelta(days=day)
        points.append(Change(on, on - timedelta(days=early), "signed", uuid.uuid4()))
    return points


def plainly(points: list[Change], as_of: date) -> tuple[Change | None, bool]:
    """The definition: the last point on or before `as_of`, unless a later one's fact may already
    have happened (its start on or before `as_of`): then the last such one, uncertain."""
    shown = max((i for i, p in enumerate(points) if p.on <= as_of), default=-1)
    later = [i for i, p in enumerate(points) if i > shown and p.start <= as_of]
    if later:
        return points[later[-1]], True
    return (points[shown] if shown >= 0 else None), False


@given(lines(), st.integers(-50, 450))
def test_a_line_shows_the_point_the_definition_shows(points: list[Change], day: int) -> None:
    """`at` and `shown` agree with the plain definition for every line and date."""
    line = _Points.of(points)
    as_of = EPOCH + timedelta(days=day)
    expected = plainly(points, as_of)
    assert line.at(as_of) == expected
    index, uncertain = line.shown(as_of)
    assert ((points[index] if index >= 0 else None), uncertain) == expected


@given(lines())
def test_a_line_without_partial_dated_facts_is_never_scanned(points: list[Change]) -> None:
    """A line whose every point starts on its day keeps nothing for the scan (None), and one with a
    point starting earlier keeps what the scan needs."""
    line = _Points.of(points)
    exact = all(p.start == p.on for p in points)
    assert (line.later_min_start is None) == exact
