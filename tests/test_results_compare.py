"""The result comparison: each rule, with a case that must pass and one that must fail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services.questions.results import compare, values_equal

UTC = dt.UTC
HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, 1.0),
        (1, Decimal("1.000")),
        (0.1 + 0.2, 0.3),
        (1_000_000.0, 1_000_000.5),  # relative 5e-7
        (Decimal("2.50"), 2.5000001),
        (dt.date(2024, 3, 15), dt.datetime(2024, 3, 15)),  # noqa: DTZ001 - a timestamp without a zone
        (dt.date(2024, 3, 15), dt.datetime(2024, 3, 15, tzinfo=UTC)),
        (dt.datetime(2024, 3, 15, 12, tzinfo=UTC), dt.datetime(2024, 3, 15, 14, tzinfo=HELSINKI)),
        (True, 1),
        (False, 0),
        (None, None),
        (float("nan"), float("nan")),
        ("abc", "abc"),
    ],
)
def test_equal_values(expected: object, actual: object) -> None:
    """Numbers within 1e-6, dates as midnight, instants in UTC, booleans as 1/0, NULL and NaN alike."""
    assert values_equal(expected, actual) and values_equal(actual, expected)


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        (1, 1.00001),
        (0.0, 1e-5),
        (1_000_000.0, 1_000_002.0),
        (dt.date(2024, 3, 15), dt.datetime(2024, 3, 15, 0, 0, 1)),  # noqa: DTZ001
        (dt.datetime(2024, 3, 15, 12, tzinfo=UTC), dt.datetime(2024, 3, 15, 12, tzinfo=HELSINKI)),
        (True, 0),
        (None, 0),
        (None, ""),
        (float("nan"), 0.0),
        ("abc", "ABC"),
        ("abc", "abc "),
        ("1", 1),
    ],
)
def test_different_values(expected: object, actual: object) -> None:
    """Text is exact, NULL is only NULL, and numbers or instants further apart differ."""
    assert not values_equal(expected, actual) and not values_equal(actual, expected)


def test_rows_are_a_multiset_unless_ordered() -> None:
    """Order does not matter unless asked; duplicates count."""
    rows = [(1, "a"), (2, "b"), (2, "b")]
    assert compare(rows, list(reversed(rows))) is None
    assert compare(rows, [(1, "a"), (2, "b")]) is not None
    assert compare(rows, [*rows, (3, "c")]) is not None
    assert compare(rows, list(reversed(rows)), ordered=True) is not None
    assert compare(rows, rows, ordered=True) is None


def test_columns_match_by_position_and_names_are_ignored() -> None:
    """Two columns in the other order differ; the width must match."""
    assert compare([(1, "a")], [("a", 1)]) is not None
    difference = compare([(1, "a")], [(1, "a", None)])
    assert difference is not None and difference.summary == "expected 2 column(s), got 3"


def test_a_difference_names_counts_and_up_to_three_rows_each_way() -> None:
    """Counts, then at most three missing and three unexpected rows."""
    expected = [(i,) for i in range(10)]
    actual = [(i,) for i in range(5)] + [(100 + i,) for i in range(6)]
    difference = compare(expected, actual)
    assert difference is not None
    assert difference.summary == "expected 10 row(s), got 11"
    assert difference.missing == [(5,), (6,), (7,)]
    assert difference.unexpected == [(100,), (101,), (102,)]
    text = difference.describe()
    assert "missing: (5)" in text and "unexpected: (100)" in text


def test_the_wrong_order_is_named_as_such() -> None:
    """Right rows, wrong order: said so, with the first row that differs."""
    difference = compare([(1,), (2,), (3,)], [(1,), (3,), (2,)], ordered=True)
    assert difference is not None and "wrong order" in difference.summary and "row 2" in difference.summary


def test_near_equal_numbers_pair_up_in_a_multiset() -> None:
    """Rows pair within the tolerance even when rounding puts them apart."""
    expected = [(0.1 + 0.2, "x"), (1 / 3, "y")]
    actual = [(0.3333333334, "y"), (0.3, "x")]
    assert compare(expected, actual) is None


def test_a_large_result_is_compared_quickly_and_correctly() -> None:
    """Ten thousand rows each way, one changed: found, named."""
    expected = [(i, f"user{i}") for i in range(10_000)]
    actual = [*expected[:-1], (9_999, "someone else")]
    difference = compare(expected, actual)
    assert difference is not None
    assert difference.missing == [(9_999, "user9999")] and difference.unexpected == [(9_999, "someone else")]
