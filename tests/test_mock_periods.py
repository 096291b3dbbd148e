"""Round periods: the week (or two-week block) a pairing round belongs to, in the server's own zone."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from bot.db import Database
from bot.models import PairingConfig
from bot.services import mock
from bot.services.mock import rounds

GUILD = 77
UTC, HELSINKI, NEW_YORK = ZoneInfo("UTC"), ZoneInfo("Europe/Helsinki"), ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)  # a Monday


def local(zone: ZoneInfo, year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """Return a wall-clock time in ``zone``."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def test_a_week_runs_from_the_local_monday_to_the_local_sunday() -> None:
    """Monday 00:00 to Sunday 23:59 local is one key; the same UTC instant can be another week elsewhere."""
    assert mock.period_key(local(HELSINKI, 2026, 6, 1, 0, 0), HELSINKI, "weekly") == "2026-W23"
    assert mock.period_key(local(HELSINKI, 2026, 6, 7, 23, 59), HELSINKI, "weekly") == "2026-W23"
    assert mock.period_key(local(HELSINKI, 2026, 6, 8, 0, 0), HELSINKI, "weekly") == "2026-W24"
    sunday_night_utc = dt.datetime(2026, 6, 7, 22, 30, tzinfo=dt.UTC)  # already Monday 01:30 in Helsinki
    assert mock.period_key(sunday_night_utc, UTC, "weekly") == "2026-W23"
    assert mock.period_key(sunday_night_utc, HELSINKI, "weekly") == "2026-W24"


@pytest.mark.parametrize(
    ("day", "weekly", "biweekly"),
    [
        ((2026, 12, 28), "2026-W53", "2026-W53+2"),  # 2026 has an ISO week 53
        ((2027, 1, 1), "2026-W53", "2026-W53+2"),  # New Year's Day still in last year's week 53
        ((2027, 1, 4), "2027-W01", "2026-W53+2"),  # a block may straddle the year
        ((2027, 1, 11), "2027-W02", "2027-W02+2"),
        ((2024, 12, 30), "2025-W01", "2025-W01+2"),  # week 1 starting in December
        ((2023, 12, 31), "2023-W52", "2023-W51+2"),  # before the anchor Monday too
        ((2024, 1, 1), "2024-W01", "2024-W01+2"),  # the anchor Monday
    ],
)
def test_year_boundaries_follow_iso_weeks(day: tuple[int, int, int], weekly: str, biweekly: str) -> None:
    """ISO week 53 and week 1 across a year boundary; two-week blocks run on regardless of the year."""
    at = local(UTC, *day, 12, 0)
    assert mock.period_key(at, UTC, "weekly") == weekly
    assert mock.period_key(at, UTC, "biweekly") == biweekly


@pytest.mark.parametrize("zone", [HELSINKI, NEW_YORK])
def test_weekly_rounds_across_dst_changes_have_one_key_each(zone: ZoneInfo) -> None:
    """A year of Sunday 23:30 rounds (DST changes on a Sunday in both zones): consecutive, distinct weeks."""
    config = PairingConfig(guild_id=GUILD, channel_id=5, cadence="weekly", weekday=6, post_time="23:30",
                           timezone=zone.key, enabled=True)  # fmt: skip
    due, keys = local(zone, 2026, 1, 4, 23, 30), []
    for _ in range(60):
        assert due.astimezone(zone).hour == 23, due
        keys.append(mock.round_period(config, due))
        due = mock.next_round(config, due)  # type: ignore[assignment]
    mondays = [dt.date.fromisocalendar(int(k[:4]), int(k[6:8]), 1) for k in keys]
    assert all(b - a == dt.timedelta(weeks=1) for a, b in itertools.pairwise(mondays))


def test_dst_night_stays_in_its_local_week() -> None:
    """The Sunday the clocks change (New York, 1 Nov 2026) ends at local midnight, not at a shifted UTC hour."""
    assert mock.period_key(local(NEW_YORK, 2026, 11, 1, 1, 30), NEW_YORK, "weekly") == "2026-W44"
    assert mock.period_key(local(NEW_YORK, 2026, 11, 1, 23, 59), NEW_YORK, "weekly") == "2026-W44"
    assert mock.period_key(local(NEW_YORK, 2026, 11, 2, 0, 0), NEW_YORK, "weekly") == "2026-W45"
    assert mock.period_key(local(HELSINKI, 2026, 3, 29, 3, 30), HELSINKI, "weekly") == "2026-W13"


def test_biweekly_rounds_fall_one_in_each_block() -> None:
    """Rounds two weeks apart, wherever they start, land in consecutive blocks: one round per block."""
    for start in (local(UTC, 2026, 6, 3, 18, 0), local(UTC, 2026, 6, 10, 18, 0)):
        config = PairingConfig(guild_id=GUILD, channel_id=5, cadence="biweekly", weekday=2, post_time="18:00",
                               timezone="UTC", enabled=True, next_round_at=start)  # fmt: skip
        due, keys = start, []
        for _ in range(30):
            keys.append(mock.round_period(config, due))
            config.next_round_at = mock.next_round(config, due)
            due = config.next_round_at  # type: ignore[assignment]
        assert len(set(keys)) == len(keys) and all(k.endswith("+2") for k in keys)
        firsts = [dt.date.fromisocalendar(int(k[:4]), int(k[6:8]), 1) for k in keys]
        assert all(b - a == dt.timedelta(weeks=2) for a, b in itertools.pairwise(firsts))


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("2026-W23", "week of 1 Jun 2026"),
        ("2026-W53+2", "2 weeks from 28 Dec 2026"),
        ("2025-W01", "week of 30 Dec 2024"),
        ("2026-06-03", "2026-06-03"),  # a day key from before weekly periods
        ("2025-W53", "2025-W53"),  # not a week: shown as stored
    ],
)
def test_period_labels_are_short_and_readable(key: str, label: str) -> None:
    """A week key reads as the week's Monday; anything else is shown as stored."""
    assert mock.period_label(key) == label


async def test_configuring_skips_a_period_whose_round_already_ran(database: Database) -> None:
    """After this week's round ran early, (re)configuring the schedule names next week's round, not this one's."""
    async with database.write() as session:
        await rounds.create_round(session=session, guild_id=GUILD, period_key="2026-W23", now=NOW, channel_id=5,
                                  followup_at=None)  # fmt: skip
        changes = mock.PairingChanges(channel_id=5, weekday=2, post_time="18:00", timezone="UTC")
        row = await mock.configure(session=session, guild_id=GUILD, changes=changes, now=NOW)
        assert row.next_round_at == local(UTC, 2026, 6, 10, 18, 0)
        row = await mock.configure(session=session, guild_id=GUILD, changes=mock.PairingChanges(weekday=0), now=NOW)
        assert row.next_round_at == local(UTC, 2026, 6, 8, 18, 0)  # Monday 18:00 today is in this week too
