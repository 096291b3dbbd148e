"""Comparing two query results the way a reviewer would: same rows, values equal within reason.

A pure function over plain Python values (what a database driver returns), shared by the bank's
check of its reference queries and by the checking of members' queries:

- rows are a multiset, compared in order only when the question asks for an order;
- columns are matched by position (their names are ignored);
- int, float and Decimal are equal within 1e-6, absolute or relative;
- a date equals midnight of that date as a timestamp; timestamps with a time zone are compared as
  UTC instants (one without a zone is taken as UTC);
- booleans equal 1 and 0; NULL equals NULL; NaN equals NaN; text is compared exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

TOLERANCE = 1e-6
SHOWN = 3  # missing and unexpected rows named in a difference
MATCH_LIMIT = 300  # past this many unpaired rows a side, rows are paired by rounded value only

Row = Sequence[Any]


@dataclass(frozen=True, slots=True)
class Difference:
    """How a result differs from the expected one, in words and with example rows."""

    summary: str
    missing: list[tuple[Any, ...]]
    unexpected: list[tuple[Any, ...]]

    def describe(self) -> str:
        """Return the difference as a few lines of text."""
        lines = [self.summary]
        lines += [f"missing: {format_row(row)}" for row in self.missing]
        lines += [f"unexpected: {format_row(row)}" for row in self.unexpected]
        return "\n".join(lines)


def format_row(row: Row) -> str:
    """Render a row as the reader would write it: (1, 'a', NULL)."""
    return "(" + ", ".join(_format_value(v) for v in row) + ")"


def _format_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _instant(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return None


def values_equal(expected: Any, actual: Any) -> bool:
    """Tell whether two cells are equal under the rules above."""
    if expected is None or actual is None:
        return expected is None and actual is None
    a, b = _number(expected), _number(actual)
    if a is not None and b is not None:
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b or abs(a - b) <= TOLERANCE or abs(a - b) <= TOLERANCE * max(abs(a), abs(b))
    x, y = _instant(expected), _instant(actual)
    if x is not None and y is not None:
        return x == y
    if isinstance(expected, str) or isinstance(actual, str):
        return isinstance(expected, str) and isinstance(actual, str) and expected == actual
    return bool(expected == actual)


def rows_equal(expected: Row, actual: Row) -> bool:
    """Tell whether two rows of the same width are equal cell by cell."""
    return all(values_equal(e, a) for e, a in zip(expected, actual, strict=True))


def _sort_key(row: Row) -> tuple[tuple[int, Any], ...]:
    """Order rows so that equal rows line up: by kind of value, then value (numbers as floats, instants in UTC)."""
    key: list[tuple[int, Any]] = []
    for value in row:
        number, instant = _number(value), _instant(value)
        if value is None:
            key.append((0, 0))
        elif number is not None:
            key.append((1, -math.inf if math.isnan(number) else number))
        elif instant is not None:
            key.append((2, instant))
        elif isinstance(value, str):
            key.append((3, value))
        else:
            key.append((4, repr(value)))
    return tuple(key)


def compare(expected: Sequence[Row], actual: Sequence[Row], *, ordered: bool = False) -> Difference | None:
    """Return None when ``actual`` is the expected result, else how it differs."""
    widths_e = {len(r) for r in expected}
    widths_a = {len(r) for r in actual}
    if expected and actual and widths_e != widths_a:
        return Difference(f"expected {_width(widths_e)} column(s), got {_width(widths_a)}", [], [])
    if ordered:
        if len(expected) == len(actual) and all(rows_equal(e, a) for e, a in zip(expected, actual, strict=True)):
            return None
    else:
        left, right = sorted(expected, key=_sort_key), sorted(actual, key=_sort_key)
        if len(left) == len(right) and all(rows_equal(e, a) for e, a in zip(left, right, strict=True)):
            return None
    missing, unexpected = _unmatched(expected, actual)
    counts = f"expected {len(expected)} row(s), got {len(actual)}"
    if ordered and not missing and not unexpected:
        first = next(i for i, (e, a) in enumerate(zip(expected, actual, strict=True)) if not rows_equal(e, a))
        return Difference(f"the right rows in the wrong order (first difference at row {first + 1})", [], [])
    return Difference(counts, [tuple(r) for r in missing[:SHOWN]], [tuple(r) for r in unexpected[:SHOWN]])


def _width(widths: set[int]) -> str:
    return "/".join(str(w) for w in sorted(widths))


def _unmatched(expected: Sequence[Row], actual: Sequence[Row]) -> tuple[list[Row], list[Row]]:
    """Pair equal rows (as a multiset); return the expected rows left over and the actual ones.

    Rows pair by a rounded key first (fast), then what is left pairs one by one within the tolerance.
    """
    pool: dict[tuple[Any, ...], list[Row]] = {}
    for row in actual:
        pool.setdefault(_bucket(row), []).append(row)
    leftover: list[Row] = []
    for row in expected:
        same = pool.get(_bucket(row))
        if same and rows_equal(row, same[-1]):
            same.pop()
        else:
            leftover.append(row)
    remaining = [row for rows in pool.values() for row in rows]
    if len(leftover) * len(remaining) > MATCH_LIMIT**2:
        return leftover, remaining
    missing: list[Row] = []
    for row in leftover:
        index = next((i for i, other in enumerate(remaining) if rows_equal(row, other)), None)
        if index is None:
            missing.append(row)
        else:
            del remaining[index]
    return missing, remaining


def _bucket(row: Row) -> tuple[Any, ...]:
    key: list[Any] = []
    for value in row:
        number, instant = _number(value), _instant(value)
        if value is None:
            key.append(None)
        elif number is not None:
            key.append("nan" if math.isnan(number) else float(f"{number:.9g}"))
        elif instant is not None:
            key.append(instant)
        else:
            key.append(value if isinstance(value, str) else repr(value))
    return tuple(key)
