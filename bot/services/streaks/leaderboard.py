"""Leaderboards: all-time from members' streak rows, weeks and months from period tallies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cache import cached
from bot.models import MemberStreak, PeriodStat
from bot.services import guild_time
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


@dataclass(frozen=True, slots=True)
class Boundary:
    """A place on a board, given by the member shown there: a page starts after it or ends before it."""

    value: int
    user_id: int


@dataclass(frozen=True, slots=True)
class View:
    """What /leaderboard shows: a page of a board, how many members it ranks, and the caller's own rank."""

    entries: list[Entry]
    total: int
    mine: Entry | None

    @property
    def number(self) -> int:
        """Return the index of the page shown (0 for the first; by its first rank)."""
        return (self.entries[0].rank - 1) // PAGE_SIZE if self.entries else 0

    @property
    def pages(self) -> int:
        """Return how many pages the board has (at least one)."""
        return max(1, -(-self.total // PAGE_SIZE))


_ALL_TIME_COLUMNS = {
    "streak": MemberStreak.current, "best": MemberStreak.best, "answers": MemberStreak.total_answers,
    "reviews": MemberStreak.reviews_given,
}  # fmt: skip
_PERIOD_COLUMNS = {"best": PeriodStat.best, "answers": PeriodStat.answers, "reviews": PeriodStat.reviews}


def _source(guild_id: int, board: Board, period: Period, today: dt.date) -> tuple[Any, Any, list[Any]]:
    """Return (value column, user column, the board's filters) for a board and period.

    ``streak`` is always the current streak; periods count answers and reviews inside them and
    the best streak reached inside them. Only members with a value above 0 are ranked.
    """
    if period == "all-time" or board == "streak":
        value = col(_ALL_TIME_COLUMNS[board])
        return value, col(MemberStreak.user_id), [col(MemberStreak.guild_id) == guild_id, value > 0]
    value = col(_PERIOD_COLUMNS[board])
    start = week_start(today) if period == "week" else month_start(today)
    scope = [col(PeriodStat.guild_id) == guild_id, col(PeriodStat.period) == period, col(PeriodStat.start) == start]
    return value, col(PeriodStat.user_id), [*scope, value > 0]


def _ahead_of(value: Any, user: Any, place: Any, user_id: Any) -> Any:
    """Return "ranked before the member ``user_id`` holding ``place``" (value desc, then member id)."""
    return or_(value > place, and_(value == place, user < user_id))


async def view(
    *,
    session: AsyncSession,
    guild_id: int,
    board: Board,
    period: Period,
    today: dt.date,
    user_id: int | None,
    after: Boundary | None = None,
    before: Boundary | None = None,
) -> View:
    """Return a page of a board, how many members it ranks, and ``user_id``'s rank.

    The page is the first one, or the one right after ``after`` or right before ``before`` (what
    the Next and Previous buttons carry): keyset paging over the board's index, so a page never
    skips nor repeats members when the board moved in between; a seek that finds no full page
    shows the first. The first page is the same for every member, so it is read once and held
    until the board's table is written (``cached``). One query counts the board, the members ahead
    of the page and the members ahead of the caller.
    """
    value, user, filters = _source(guild_id, board, period, today)
    page = select(user, value).where(*filters)
    if after is not None:
        behind = or_(value < after.value, and_(value == after.value, user > after.user_id))
        page = page.where(behind).order_by(value.desc(), user.asc())
    elif before is not None:
        page = page.where(_ahead_of(value, user, before.value, before.user_id)).order_by(value.asc(), user.desc())
    else:
        page = page.order_by(value.desc(), user.asc())

    async def read_page() -> tuple[tuple[int, int], ...]:
        return tuple((int(u), int(v)) for u, v in (await session.execute(page.limit(PAGE_SIZE))).all())

    if after is not None:
        rows = await read_page()
    elif before is not None:
        rows = (await read_page())[::-1]
    else:
        rows = await cached(session, value.table.name, (guild_id, board, period, today), read_page)
    if (after is not None and not rows) or (before is not None and len(rows) < PAGE_SIZE):
        # The board moved under the button (past its end, or the top is under a page away): the first page.
        return await view(session=session, guild_id=guild_id, board=board, period=period, today=today, user_id=user_id)
    counts: list[Any] = [func.count()]
    if rows:
        counts.append(func.count().filter(_ahead_of(value, user, rows[0][1], rows[0][0])))
    mine_value = None
    if user_id is not None:
        mine_value = select(value).where(*filters, user == user_id).scalar_subquery()
        counts += [mine_value, func.count().filter(_ahead_of(value, user, mine_value, user_id))]
    row = (await session.execute(select(*counts).where(*filters))).one()
    total = int(row[0])
    first_rank = int(row[1]) + 1 if rows else 1
    entries = [Entry(first_rank + i, u, v) for i, (u, v) in enumerate(rows)]
    mine = None
    if user_id is not None and row[-2] is not None:
        mine = Entry(int(row[-1]) + 1, user_id, int(row[-2]))
    return View(entries, total, mine)


async def board(
    *,
    session: AsyncSession,
    guild_id: int,
    board: Board,
    period: Period,
    now: dt.datetime,
    user_id: int,
    after: Boundary | None = None,
    before: Boundary | None = None,
) -> View:
    """Return what /leaderboard (or one of its buttons) shows ``user_id``: weeks and months in guild time."""
    today = await guild_time.local_day(session, guild_id, now)
    return await view(session=session, guild_id=guild_id, board=board, period=period, today=today, user_id=user_id,
                      after=after, before=before)  # fmt: skip
