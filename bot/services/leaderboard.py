"""Leaderboards: all-time from members' streak rows, weeks and months from period tallies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.models import MemberStreak, PeriodStat
from bot.services.streaks import month_start, week_start

Board = Literal["streak", "best", "answers", "reviews"]
Period = Literal["all-time", "month", "week"]
BOARDS: tuple[Board, ...] = ("streak", "best", "answers", "reviews")
PERIODS: tuple[Period, ...] = ("all-time", "month", "week")
PAGE_SIZE = 10


@dataclass(frozen=True, slots=True)
class Entry:
    """One ranked member."""

    rank: int
    user_id: int
    value: int


_ALL_TIME_COLUMNS = {"streak": "current", "best": "best", "answers": "total_answers", "reviews": "reviews_given"}


def _source(
    guild_id: int, board: Board, period: Period, today: dt.date, *, alias: bool = False
) -> tuple[Any, Any, list[Any]]:
    """Return (value column, user column, the board's scope) for a board and period, on an alias if asked.

    ``streak`` is always the current streak; periods count answers and reviews inside them and
    the best streak reached inside them. Only members with a value above 0 are ranked (callers
    add that filter). Ties are broken by user id, so ranks are stable.
    """
    if period == "all-time" or board == "streak":
        member: Any = aliased(MemberStreak) if alias else MemberStreak
        return col(getattr(member, _ALL_TIME_COLUMNS[board])), col(member.user_id), [col(member.guild_id) == guild_id]
    stat: Any = aliased(PeriodStat) if alias else PeriodStat
    start = week_start(today) if period == "week" else month_start(today)
    scope = [col(stat.guild_id) == guild_id, col(stat.period) == period, col(stat.start) == start]
    return col(getattr(stat, board)), col(stat.user_id), scope


async def page(
    *, session: AsyncSession, guild_id: int, board: Board, period: Period, today: dt.date, number: int
) -> tuple[list[Entry], int]:
    """Return one page (10 members) of a board and how many members it ranks."""
    value, user, scope = _source(guild_id, board, period, today)
    filters = [*scope, value > 0]
    # The board's size rides along with the page (one round trip); counted apart only for an empty page.
    total = select(func.count()).where(*filters).scalar_subquery()
    stmt = select(user, value, total).where(*filters).order_by(value.desc(), user.asc())
    rows = (await session.execute(stmt.offset(number * PAGE_SIZE).limit(PAGE_SIZE))).all()
    count = rows[0][2] if rows else (await session.execute(select(func.count()).where(*filters))).scalar_one()
    return [Entry(number * PAGE_SIZE + i + 1, int(u), int(v)) for i, (u, v, _) in enumerate(rows)], int(count)


async def rank_of(
    *, session: AsyncSession, guild_id: int, board: Board, period: Period, today: dt.date, user_id: int
) -> Entry | None:
    """Return a member's rank on a board (None when they are not on it)."""
    value, user, scope = _source(guild_id, board, period, today)
    mine, me, my_scope = _source(guild_id, board, period, today, alias=True)
    # One round trip: the member's value and how many rank ahead, counted as two tight ranges of
    # the board's index (a higher value; the same value and a smaller id). An OR of the two, or a
    # redundant "value > 0" next to them, makes SQLite scan every ranked member instead. The
    # member's own row is found by primary key: "value > 0" is checked on the result, because in
    # the WHERE clause it leads SQLite (no ANALYZE statistics) to scan the board's index for it.
    ahead = case(
        (
            mine > 0,
            select(func.count()).where(*scope, value > mine).scalar_subquery()
            + select(func.count()).where(*scope, value == mine, user < user_id).scalar_subquery(),
        )
    )
    row = (await session.execute(select(mine, ahead).where(*my_scope, me == user_id))).one_or_none()
    if row is None or row[0] <= 0:
        return None
    return Entry(int(row[1]) + 1, user_id, int(row[0]))
