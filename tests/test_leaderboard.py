"""Leaderboards and streak views over the database: boards, periods, ties, ranks, heat-map days."""

from __future__ import annotations

import datetime as dt

from bot.db import Database
from bot.models import DailyPrompt, MemberStreak
from bot.services import leaderboard, streaks
from bot.services.streak_views import heatmap_days, mark_reminded, members_to_remind, set_reminders

GUILD = 5
TODAY = dt.date(2026, 6, 17)  # a Wednesday


async def _members(db: Database, rows: list[tuple[int, int, int, int, int]]) -> None:
    async with db.write() as session:
        for user, current, best, answers, reviews in rows:
            session.add(MemberStreak(guild_id=GUILD, user_id=user, current=current, best=best,
                                     total_answers=answers, reviews_given=reviews))  # fmt: skip


async def test_all_time_boards_order_ties_by_id_and_page(database: Database) -> None:
    """Ten per page, highest first, ties broken by member id; zero values are left out."""
    await _members(database, [(u, u % 4, 10 + u % 3, u, 0) for u in range(1, 24)])
    async with database.read() as session:
        first, total = await leaderboard.page(session=session, guild_id=GUILD, board="streak", period="all-time",
                                              today=TODAY, number=0)  # fmt: skip
        second, _ = await leaderboard.page(session=session, guild_id=GUILD, board="streak", period="all-time",
                                           today=TODAY, number=1)  # fmt: skip
        reviews, none = await leaderboard.page(session=session, guild_id=GUILD, board="reviews", period="all-time",
                                               today=TODAY, number=0)  # fmt: skip
    assert total == 18  # users with current 0 (4, 8, ...) are not ranked
    values = [e.value for e in first + second]
    assert values == sorted(values, reverse=True)
    threes = [e.user_id for e in first if e.value == 3]
    assert threes == sorted(threes) and [e.rank for e in first] == list(range(1, 11))
    assert reviews == [] and none == 0


async def test_rank_of_a_member_off_the_page(database: Database) -> None:
    await _members(database, [(u, 0, 0, 100 - u, 0) for u in range(1, 40)])
    async with database.read() as session:
        entry = await leaderboard.rank_of(session=session, guild_id=GUILD, board="answers", period="all-time",
                                          today=TODAY, user_id=33)  # fmt: skip
        absent = await leaderboard.rank_of(session=session, guild_id=GUILD, board="best", period="all-time",
                                           today=TODAY, user_id=33)  # fmt: skip
    assert entry is not None and (entry.rank, entry.value) == (33, 67)
    assert absent is None


async def _prompt(db: Database, day: dt.date, pid: int) -> None:
    async with db.write() as session:
        session.add(DailyPrompt(id=pid, guild_id=GUILD, local_date=day, question_id="q", category="c",
                                state="threaded", nonce=f"n{pid}", channel_id=1, message_id=pid,
                                due_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))  # fmt: skip


async def test_week_and_month_boards_count_inside_the_period(database: Database) -> None:
    """Answers this week count on the week board; last month's do not count on this month's."""
    days = [dt.date(2026, 5, 30), dt.date(2026, 6, 15), dt.date(2026, 6, 16), dt.date(2026, 6, 17)]
    for pid, day in enumerate(days, start=1):
        await _prompt(database, day, pid)
        async with database.write() as session:
            for user in (1, 2) if day.month == 6 else (3,):
                if user == 2 and day == days[1]:
                    continue
                await streaks.record_answer(session=session, guild_id=GUILD, user_id=user, prompt_date=day)
    async with database.read() as session:
        week, _ = await leaderboard.page(session=session, guild_id=GUILD, board="answers", period="week",
                                         today=TODAY, number=0)  # fmt: skip
        month, _ = await leaderboard.page(session=session, guild_id=GUILD, board="answers", period="month",
                                          today=TODAY, number=0)  # fmt: skip
        alltime, _ = await leaderboard.page(session=session, guild_id=GUILD, board="answers", period="all-time",
                                            today=TODAY, number=0)  # fmt: skip
        best_week, _ = await leaderboard.page(session=session, guild_id=GUILD, board="best", period="week",
                                              today=TODAY, number=0)  # fmt: skip
    assert [(e.user_id, e.value) for e in week] == [(1, 3), (2, 2)]
    assert 3 not in {e.user_id for e in month}
    assert {e.user_id for e in alltime} == {1, 2, 3}
    assert [(e.user_id, e.value) for e in best_week] == [(1, 3), (2, 2)]


async def test_heatmap_days_and_reminders(database: Database) -> None:
    """Answered, missed and open days are told apart; only opted-in 3+ streaks are reminded, once."""
    for pid, day in enumerate([dt.date(2026, 6, d) for d in (12, 13, 14, 15, 16)], start=1):
        await _prompt(database, day, pid)
        if day.day < 16:
            async with database.write() as session:
                await streaks.record_answer(session=session, guild_id=GUILD, user_id=1, prompt_date=day)
                if day.day != 13:
                    await streaks.record_answer(session=session, guild_id=GUILD, user_id=2, prompt_date=day)
    async with database.write() as session:
        await streaks.settle_closed_prompt(session=session, guild_id=GUILD, closed_date=dt.date(2026, 6, 13))
        await set_reminders(session=session, guild_id=GUILD, user_id=1, on=True)
        await set_reminders(session=session, guild_id=GUILD, user_id=2, on=True)
    async with database.read() as session:
        days = await heatmap_days(session=session, guild_id=GUILD, user_id=2, end=dt.date(2026, 6, 16))
        due = await members_to_remind(session=session, guild_id=GUILD, prompt_id=5, limit=10)
    assert days[dt.date(2026, 6, 12)] == "answered" and days[dt.date(2026, 6, 13)] == "missed"
    assert days[dt.date(2026, 6, 16)] == "open"
    assert [m.user_id for m in due] == [1]  # user 2's streak broke on the 13th
    async with database.write() as session:
        await mark_reminded(session=session, guild_id=GUILD, user_id=1, prompt_id=5)
    async with database.read() as session:
        assert await members_to_remind(session=session, guild_id=GUILD, prompt_id=5, limit=10) == []
