"""Schedule parsing and DST-correct post times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.services.daily.schedule import (
    PostRule,
    category_for,
    format_days,
    format_rotation,
    local_instant,
    parse_date,
    parse_days,
    parse_rotation,
    parse_time,
    parse_timezone,
    parse_tracks,
)
from bot.services.errors import Refused

NY, HEL, LHI = ZoneInfo("America/New_York"), ZoneInfo("Europe/Helsinki"), ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        (NY, dt.date(2026, 3, 8), dt.time(2, 30), utc(2026, 3, 8, 7, 0)),  # gap 02:00-03:00 -> 03:00 EDT
        (NY, dt.date(2026, 11, 1), dt.time(1, 30), utc(2026, 11, 1, 5, 30)),  # ambiguous -> first (EDT)
        (HEL, dt.date(2026, 3, 29), dt.time(3, 15), utc(2026, 3, 29, 1, 0)),  # gap 03:00-04:00 -> 04:00 EEST
        (HEL, dt.date(2026, 10, 25), dt.time(3, 30), utc(2026, 10, 25, 0, 30)),  # ambiguous -> EEST
        (LHI, dt.date(2026, 10, 4), dt.time(2, 10), utc(2026, 10, 3, 15, 30)),  # 30-minute gap -> 02:30 (+11)
        (LHI, dt.date(2026, 4, 5), dt.time(1, 45), utc(2026, 4, 4, 14, 45)),  # ambiguous -> first (+11)
        (HEL, dt.date(2026, 6, 1), dt.time(9, 0), utc(2026, 6, 1, 6, 0)),  # ordinary day
    ],
)
def test_local_instant_handles_dst(zone: ZoneInfo, day: dt.date, at: dt.time, expected: dt.datetime) -> None:
    """A missing wall time moves to the end of the gap; an ambiguous one takes the first."""
    assert local_instant(day, at, zone) == expected


def test_next_due_skips_non_prompt_days_and_pauses() -> None:
    """Only configured weekdays on or after pause_until are prompt days."""
    rule = PostRule(dt.time(9, 0), HEL, parse_days("mon-fri"), pause_until=dt.date(2026, 6, 10))
    day, due = rule.next_due(utc(2026, 6, 5, 12, 0))  # a Friday, before the pause ends
    assert day == dt.date(2026, 6, 10) and due == utc(2026, 6, 10, 6, 0)
    weekend = PostRule(dt.time(9, 0), HEL, parse_days("mon-fri"))
    assert weekend.next_due(utc(2026, 6, 12, 7, 0))[0] == dt.date(2026, 6, 15)  # Fri after 9:00 -> Mon


def test_next_due_can_include_a_missed_post_today_only() -> None:
    """After downtime, today's missed post is still due; yesterday's is not."""
    rule = PostRule(dt.time(9, 0), NY, parse_days("daily"))
    late = utc(2026, 6, 1, 20, 0)  # 16:00 in New York
    assert rule.next_due(late, include_today_if_missed=True)[0] == dt.date(2026, 6, 1)
    assert rule.next_due(late)[0] == dt.date(2026, 6, 2)


@pytest.mark.parametrize("bad", ["25:00", "9", "12:60", "noon", ""])
def test_impossible_times_are_refused(bad: str) -> None:
    with pytest.raises(Refused):
        parse_time(bad)


def test_inputs_parse_and_render_back() -> None:
    assert parse_time("9:05") == dt.time(9, 5)
    assert format_days(parse_days("mon-fri")) == "mon-fri"
    assert format_days(parse_days("mon,wed,fri")) == "mon,wed,fri"
    assert parse_days("sat-mon") == frozenset({5, 6, 0})
    rotation = parse_rotation("mon=sql,tue=behavioral")
    assert rotation == {0: "sql", 1: "behavioral"} and format_rotation(rotation) == "mon=sql,tue=behavioral"
    assert parse_rotation("round-robin") is None
    assert parse_tracks("ml-engineer, data-analyst") == ["data-analyst", "ml-engineer"]
    assert parse_date("2026-12-24") == dt.date(2026, 12, 24)


@pytest.mark.parametrize(
    ("parser", "bad"),
    [
        (parse_timezone, "Mars/Olympus"),
        (parse_timezone, "../etc/passwd"),
        (parse_days, "someday"),
        (parse_days, "mo"),
        (parse_rotation, "mon=cooking"),
        (parse_rotation, "sql"),
        (parse_tracks, "astronaut"),
        (parse_date, "24/12/2026"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(parser: object, bad: str) -> None:
    with pytest.raises(Refused) as info:
        parser(bad)  # type: ignore[operator]
    assert str(info.value)


def test_category_follows_rotation() -> None:
    monday = dt.date(2026, 6, 1)
    assert category_for(monday, {0: "sql"}, 5) == "sql"
    assert category_for(monday + dt.timedelta(days=1), {0: "sql", 2: "case"}, 1) == "case"
    assert [category_for(monday, None, i) for i in range(2)] == ["behavioral", "culture"]
