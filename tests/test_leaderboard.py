"""Leaderboards and streak views over the database: boards, periods, ties, ranks, heat-map days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import event, update
from sqlmodel import col

from bot.db import Database
from bot.models import DailyPrompt, MemberStreak
from bot.services import streaks
from bot.services.streaks import leaderboard
from bot.services.streaks.views import heatmap_days, mark_reminded, members_to_remind, set_reminders

GUILD = 5
TODAY = dt.date(2026, 6, 17)  # a Wednesday


async def _members(db: Database, rows: list[tuple[int, int, int, int, int]]) -> None:
    async with db.write() as session:
        for user, current, best, answers, reviews in rows:
            session.add(MemberStreak(guild_id=GUILD, user_id=user, current=current, best=best,
                                     total_answers=answers, reviews_given=reviews))  # fmt: skip


async def _page(
    db: Database, board: leaderboard.Board, period: leaderboard.Period = "all-time", **where: object
) -> tuple[list[leaderboard.Entry], int]:
    async with db.read() as session:
        shown = await leaderboard.view(session=session, guild_id=GUILD, board=board, period=period, today=TODAY,
                                       user_id=None, **where)  # type: ignore[arg-type]  # fmt: skip
    return shown.entries, shown.total


async def test_all_time_boards_order_ties_by_id_and_page(database: Database) -> None:
    """Ten per page, highest first, ties broken by member id; zero values are left out."""
    await _members(database, [(u, u % 4, 10 + u % 3, u, 0) for u in range(1, 24)])
    first, total = await _page(database, "streak")
    second, _ = await _page(database, "streak", after=_after(first[-1]))
    reviews, none = await _page(database, "reviews")
    assert total == 18  # users with current 0 (4, 8, ...) are not ranked
    values = [e.value for e in first + second]
    assert values == sorted(values, reverse=True)
    threes = [e.user_id for e in first if e.value == 3]
    assert threes == sorted(threes) and [e.rank for e in first] == list(range(1, 11))
    assert reviews == [] and none == 0


async def test_rank_of_a_member_off_the_page(database: Database) -> None:
    await _members(database, [(u, 0, 0, 100 - u, 0) for u in range(1, 40)])
    async with database.read() as session:
        entry = (await leaderboard.view(session=session, guild_id=GUILD, board="answers", period="all-time",
                                        today=TODAY, user_id=33)).mine  # fmt: skip
        absent = (await leaderboard.view(session=session, guild_id=GUILD, board="best", period="all-time",
                                         today=TODAY, user_id=33)).mine  # fmt: skip
    assert entry is not None and (entry.rank, entry.value) == (33, 67)
    assert absent is None


async def _view(db: Database, **where: object) -> leaderboard.View:
    async with db.read() as session:
        return await leaderboard.view(session=session, guild_id=GUILD, board="answers", period="all-time",
                                      today=TODAY, user_id=None, **where)  # type: ignore[arg-type]  # fmt: skip


def _after(entry: leaderboard.Entry) -> leaderboard.Boundary:
    return leaderboard.Boundary(entry.value, entry.user_id)


async def test_paging_walks_the_whole_board_both_ways(database: Database) -> None:
    """Next from a page's last member and Previous from its first walk the board in order, ranks included, ties too."""
    await _members(database, [(u, 0, 0, 1 + u % 3, 0) for u in range(1, 36)])  # 35 members in three tie groups
    expected = sorted(((1 + u % 3, u) for u in range(1, 36)), key=lambda vu: (-vu[0], vu[1]))
    walked = [(await _view(database)).entries]
    while len(walked) < 4:
        walked.append((await _view(database, after=_after(walked[-1][-1]))).entries)
    assert [len(p) for p in walked] == [10, 10, 10, 5]
    assert [(e.value, e.user_id) for p in walked for e in p] == expected
    assert [e.rank for p in walked for e in p] == list(range(1, 36))
    back = [walked[3]]
    for _ in range(3):
        back.append((await _view(database, before=_after(back[-1][0]))).entries)
    assert back[::-1][:3] == walked[:3]


async def test_seeking_after_the_board_moved_neither_skips_nor_repeats(database: Database) -> None:
    """A member climbing above the page shown shifts the next page's ranks, not its members."""
    await _members(database, [(u, 0, 0, 100 - u, 0) for u in range(1, 26)])  # user 1 first, ..., user 25 last
    first = (await _view(database)).entries
    async with database.write() as session:
        row = await session.get(MemberStreak, (GUILD, 20))
        assert row is not None
        row.total_answers = 1000  # user 20 climbs to the top
    shown = await _view(database, after=_after(first[-1]))
    assert [e.user_id for e in shown.entries] == [11, 12, 13, 14, 15, 16, 17, 18, 19, 21]
    assert [e.rank for e in shown.entries] == list(range(12, 22))  # one more member ahead of them now
    assert shown.number == 1 and shown.pages == 3


async def test_a_seek_that_finds_no_full_page_shows_the_first(database: Database) -> None:
    """Past the end, or less than a page below the top: the board moved under the button, so the first page."""
    await _members(database, [(u, 0, 0, 100 - u, 0) for u in range(1, 16)])
    last = leaderboard.Boundary(85, 15)
    assert [e.rank for e in (await _view(database, after=last)).entries] == list(range(1, 11))
    near_top = leaderboard.Boundary(95, 5)
    assert [e.rank for e in (await _view(database, before=near_top)).entries] == list(range(1, 11))


async def test_the_first_page_is_read_once_until_the_board_changes(database: Database) -> None:
    """Every member's /leaderboard opens on the same first page: read once, held until the board's table is written."""
    await _members(database, [(u, 0, 0, 100 - u, 0) for u in range(1, 16)])
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    async def shown(user_id: int) -> leaderboard.View:
        async with database.read() as session:
            return await leaderboard.view(session=session, guild_id=GUILD, board="answers", period="all-time",
                                          today=TODAY, user_id=user_id)  # fmt: skip

    event.listen(database.read_engine.sync_engine, "before_cursor_execute", count)
    try:
        views = [await shown(user) for user in (3, 12, 15)]
    finally:
        event.remove(database.read_engine.sync_engine, "before_cursor_execute", count)
    assert statements == 1 + 3  # the page once, then each member's counts
    assert all([e.user_id for e in v.entries] == list(range(1, 11)) for v in views)
    assert [(v.mine.rank, v.mine.value) for v in views if v.mine] == [(3, 97), (12, 88), (15, 85)]
    async with database.write() as session:
        await session.execute(update(MemberStreak).where(col(MemberStreak.user_id) == 15).values(total_answers=200))
    moved = await shown(15)
    assert moved.entries[0] == leaderboard.Entry(1, 15, 200) and moved.mine == moved.entries[0]


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
                await streaks.record_answers(session=session, guild_id=GUILD, user_ids=[user], prompt_date=day)
    week, _ = await _page(database, "answers", "week")
    month, _ = await _page(database, "answers", "month")
    alltime, _ = await _page(database, "answers", "all-time")
    best_week, _ = await _page(database, "best", "week")
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
                await streaks.record_answers(session=session, guild_id=GUILD, user_ids=[1], prompt_date=day)
                if day.day != 13:
                    await streaks.record_answers(session=session, guild_id=GUILD, user_ids=[2], prompt_date=day)
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
