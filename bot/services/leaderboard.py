"""Leaderboards: all-time from members' streak rows, weeks and months from period tallies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
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


def _source(guild_id: int, board: Board, period: Period, today: dt.date) -> tuple[Any, Any, list[Any]]:
    """Return (value column, user column, filters) for a board and period.

    ``streak`` is always the current streak; periods count answers and reviews inside them and
    the best streak reached inside them. Ties are broken by user id, so ranks are stable.
    """
    if period == "all-time" or board == "streak":
        column = {
            "streak": MemberStreak.current, "best": MemberStreak.best,
            "answers": MemberStreak.total_answers, "reviews": MemberStreak.reviews_given,
        }[board]  # fmt: skip
        return col(column), col(MemberStreak.user_id), [col(MemberStreak.guild_id) == guild_id, col(column) > 0]
    start = week_start(today) if period == "week" else month_start(today)
    column = {"best": PeriodStat.best, "answers": PeriodStat.answers, "reviews": PeriodStat.reviews}[board]
    filters = [
        col(PeriodStat.guild_id) == guild_id,
        col(PeriodStat.period) == period,
        col(PeriodStat.start) == start,
        col(column) > 0,
    ]
    return col(column), col(PeriodStat.user_id), filters


async def page(
    *, session: AsyncSession, guild_id: int, board: Board, period: Period, today: dt.date, number: int
) -> tuple[list[Entry], int]:
    """Return one page (10 members) of a board and how many members it ranks."""
    value, user, filters = _source(guild_id, board, period, today)
    total = (await session.execute(select(func.count()).where(*filters))).scalar_one()
    stmt = select(user, value).where(*filters).order_by(value.desc(), user.asc())
    rows = (await session.execute(stmt.offset(number * PAGE_SIZE).limit(PAGE_SIZE))).all()
    return [Entry(number * PAGE_SIZE + i + 1, int(u), int(v)) for i, (u, v) in enumerate(rows)], int(total)


async def rank_of(
    *, session: AsyncSession, guild_id: int, board: Board, period: Period, today: dt.date, user_id: int
) -> Entry | None:
    """Return a member's rank on a board (None when they are not on it)."""
    value, user, filters = _source(guild_id, board, period, today)
    mine = (await session.execute(select(value).where(*filters, user == user_id))).scalar_one_or_none()
    if mine is None:
        return None
    ahead = (
        await session.execute(
            select(func.count()).where(*filters, or_(value > mine, and_(value == mine, user < user_id)))
        )
    ).scalar_one()
    return Entry(int(ahead) + 1, user_id, int(mine))
