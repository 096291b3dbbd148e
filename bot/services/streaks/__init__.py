"""Streaks in the database: one atomic update per counted answer, one bulk update per closed prompt."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cache import cached
from bot.db import insert_ignoring_conflicts, upsert, utcnow
from bot.models import Answer, DailyPrompt, MemberStreak, PeriodStat, Review, StreakDay, StreakSettings
from bot.models.streaks import DayStatus, StatPeriod
from bot.services.streaks.rules import StreakState, answered, missed, recompute


@dataclass(frozen=True, slots=True)
class Counted:
    """What counting an answer did: the new state, and a milestone reached (if any)."""

    state: StreakState
    milestone: int | None
    counted: bool


def week_start(day: dt.date) -> dt.date:
    """Return the Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def state_of(row: MemberStreak) -> StreakState:
    """Read the streak arithmetic's state out of a stored row."""
    return StreakState(row.current, row.best, row.freezes, row.earn_progress, row.frozen_in_streak, row.total_answers)


def _store(row: MemberStreak, state: StreakState) -> None:
    row.current, row.best, row.freezes = state.current, state.best, state.freezes
    row.earn_progress, row.frozen_in_streak, row.total_answers = (
        state.earn_progress, state.frozen_in_streak, state.total_answers,
    )  # fmt: skip
    row.updated_at = utcnow()


async def get_settings(*, session: AsyncSession, guild_id: int) -> StreakSettings:
    """Return a server's streak settings (the defaults when none are stored), held in memory until they change."""

    async def load() -> StreakSettings:
        row = await session.get(StreakSettings, guild_id)
        if row is None:
            return StreakSettings(guild_id=guild_id)
        # A copy in no session: the row itself expires when this session rolls back.
        return StreakSettings(**copy.deepcopy(row.model_dump()))

    return await cached(session, StreakSettings.__tablename__, guild_id, load)


async def get_member(*, session: AsyncSession, guild_id: int, user_id: int) -> MemberStreak | None:
    """Return a member's streak row, if they have one."""
    return await session.get(MemberStreak, (guild_id, user_id))


async def lock_member(*, session: AsyncSession, guild_id: int, user_id: int) -> MemberStreak:
    """Return a member's streak row, created if missing and locked for this transaction.

    The upsert's no-op update takes the row lock (as SELECT ... FOR UPDATE would), and RETURNING
    gives the row as it stands after any concurrent writer committed.
    """
    stmt = upsert(
        session, MemberStreak, {"guild_id": guild_id, "user_id": user_id, "updated_at": utcnow()},
        conflict=["guild_id", "user_id"], update={"updated_at": col(MemberStreak.updated_at)},
    ).returning(MemberStreak)  # fmt: skip
    return (await session.scalars(stmt, execution_options={"populate_existing": True})).one()


async def posted_dates(
    *, session: AsyncSession, guild_id: int, after: dt.date | None = None, before: dt.date | None = None
) -> list[dt.date]:
    """Return the guild's prompt days (prompts actually posted) strictly between two dates."""
    stmt = select(col(DailyPrompt.local_date)).where(
        col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.message_id).is_not(None)
    )
    if after is not None:
        stmt = stmt.where(col(DailyPrompt.local_date) > after)
    if before is not None:
        stmt = stmt.where(col(DailyPrompt.local_date) < before)
    return list(await session.scalars(stmt.order_by(col(DailyPrompt.local_date))))


async def _bump_period(
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    day: dt.date,
    *,
    answers: int = 0,
    reviews: int = 0,
    best: int = 0,
) -> None:
    """Add to the member's tallies of the week and the month of ``day`` (one statement, run for both rows)."""
    greatest = func.max if session.get_bind().dialect.name == "sqlite" else func.greatest
    rows = [
        {"guild_id": guild_id, "user_id": user_id, "period": period, "start": start, "answers": max(answers, 0),
         "reviews": max(reviews, 0), "best": best}
        for period, start in ((StatPeriod.WEEK, week_start(day)), (StatPeriod.MONTH, month_start(day)))
    ]  # fmt: skip
    await session.execute(
        upsert(
            session, PeriodStat, None, conflict=["guild_id", "user_id", "period", "start"],
            update={"answers": PeriodStat.answers + answers, "reviews": PeriodStat.reviews + reviews,
                    "best": greatest(PeriodStat.best, best)},
        ),
        rows,
    )  # fmt: skip


async def _mark_day(session: AsyncSession, guild_id: int, user_id: int, day: dt.date, status: str, after: int) -> None:
    """Record a member's streak day (kept if already there)."""
    values = {"guild_id": guild_id, "user_id": user_id, "local_date": day, "status": status, "streak_after": after}
    await session.execute(
        insert_ignoring_conflicts(session, StreakDay, values, conflict=["guild_id", "user_id", "local_date"])
    )


async def record_answer(*, session: AsyncSession, guild_id: int, user_id: int, prompt_date: dt.date) -> Counted:
    """Count a member's first answer to the prompt of ``prompt_date``; a repeat counts nothing."""
    row = await lock_member(session=session, guild_id=guild_id, user_id=user_id)
    state = state_of(row)
    if row.last_prompt_date is not None and row.last_prompt_date >= prompt_date:
        return Counted(state, None, counted=False)
    settings = await get_settings(session=session, guild_id=guild_id)
    if row.last_prompt_date is not None and state.current > 0:
        # Prompt days closed since the member's last one that were not settled yet.
        for day in await posted_dates(session=session, guild_id=guild_id, after=row.last_prompt_date,
                                      before=prompt_date):  # fmt: skip
            state, status = missed(state, freezes_enabled=settings.freezes_enabled)
            if status == DayStatus.FROZEN:
                await _mark_day(session, guild_id, user_id, day, DayStatus.FROZEN, state.current)
    if state.current == 0:
        row.milestone_announced = 0  # a new streak: its milestones are announced afresh
    before = state.current
    state = answered(state)
    milestone = None
    if state.current > before and state.current in settings.milestones and state.current > row.milestone_announced:
        milestone = row.milestone_announced = state.current
    _store(row, state)
    row.last_prompt_date = prompt_date
    await _mark_day(session, guild_id, user_id, prompt_date, DayStatus.ANSWERED, state.current)
    await _bump_period(session, guild_id, user_id, prompt_date, answers=1, best=state.current)
    return Counted(state, milestone, counted=True)


async def settle_closed_prompt(*, session: AsyncSession, guild_id: int, closed_date: dt.date) -> int:
    """Account the prompt day that just closed for every member with a streak who did not answer it.

    Safe to repeat: members already accounted up to that day are left alone. Returns how many
    members it touched.
    """
    settings = await get_settings(session=session, guild_id=guild_id)
    pending = (
        col(MemberStreak.guild_id) == guild_id,
        col(MemberStreak.current) > 0,
        col(MemberStreak.last_prompt_date) < closed_date,
    )
    touched = 0
    if settings.freezes_enabled:
        frozen = (
            await session.execute(
                update(MemberStreak)
                .where(*pending, col(MemberStreak.freezes) > 0)
                .values(freezes=MemberStreak.freezes - 1, frozen_in_streak=MemberStreak.frozen_in_streak + 1,
                        last_prompt_date=closed_date, updated_at=utcnow())
                .returning(col(MemberStreak.user_id), col(MemberStreak.current))
            )
        ).all()  # fmt: skip
        touched += len(frozen)
        if frozen:
            await session.execute(
                insert_ignoring_conflicts(
                    session, StreakDay,
                    [{"guild_id": guild_id, "user_id": u, "local_date": closed_date, "status": DayStatus.FROZEN,
                      "streak_after": c} for u, c in frozen],
                    conflict=["guild_id", "user_id", "local_date"],
                )
            )  # fmt: skip
    broken = await session.execute(
        update(MemberStreak)
        .where(*pending)
        .values(
            current=0,
            earn_progress=0,
            frozen_in_streak=0,
            milestone_announced=0,
            last_prompt_date=closed_date,
            updated_at=utcnow(),
        )
    )
    return touched + int(broken.rowcount or 0)  # type: ignore[attr-defined]


async def record_review(
    *, session: AsyncSession, guild_id: int, reviewer_id: int, local_day: dt.date, delta: int = 1
) -> None:
    """Count (or, with delta -1, uncount) a review a member gave."""
    row = await lock_member(session=session, guild_id=guild_id, user_id=reviewer_id)
    row.reviews_given = max(0, row.reviews_given + delta)
    await _bump_period(session, guild_id, reviewer_id, local_day, reviews=delta)


async def unannounce_milestone(*, session: AsyncSession, guild_id: int, user_id: int, milestone: int) -> None:
    """Forget that ``milestone`` was announced (its announcement was dropped before it went out)."""
    row = await lock_member(session=session, guild_id=guild_id, user_id=user_id)
    if row.milestone_announced >= milestone:
        settings = await get_settings(session=session, guild_id=guild_id)
        row.milestone_announced = max((m for m in settings.milestones if m < milestone and m <= row.current), default=0)


async def answered_dates(*, session: AsyncSession, guild_id: int, user_id: int) -> set[dt.date]:
    """Return the prompt days a member answered."""
    stmt = (
        select(col(DailyPrompt.local_date))
        .join(Answer, col(Answer.prompt_id) == col(DailyPrompt.id))
        .where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id)
    )
    return set(await session.scalars(stmt))


async def rebuild_member(*, session: AsyncSession, guild_id: int, user_id: int, zone_name: str = "UTC") -> StreakState:
    """Recompute a member's streak, days and period tallies from scratch from their answer history."""
    from zoneinfo import ZoneInfo

    settings = await get_settings(session=session, guild_id=guild_id)
    row = await lock_member(session=session, guild_id=guild_id, user_id=user_id)
    days = await posted_dates(session=session, guild_id=guild_id)
    mine = await answered_dates(session=session, guild_id=guild_id, user_id=user_id)
    closed, open_day = (days[:-1], days[-1]) if days else ([], None)
    flags = [d in mine for d in closed] + ([True] if open_day is not None and open_day in mine else [])
    accounted = closed + ([open_day] if open_day is not None and open_day in mine else [])
    state, statuses = recompute(flags, freezes_enabled=settings.freezes_enabled)
    _store(row, state)
    row.last_prompt_date = accounted[-1] if accounted else None
    if state.current == 0:
        row.milestone_announced = 0  # what is announced stays announced while the streak runs
    await session.execute(
        delete(StreakDay).where(col(StreakDay.guild_id) == guild_id, col(StreakDay.user_id) == user_id)
    )
    await session.execute(
        delete(PeriodStat).where(col(PeriodStat.guild_id) == guild_id, col(PeriodStat.user_id) == user_id)
    )
    running = StreakState()
    for day, status, flag in zip(accounted, statuses, flags, strict=True):
        running = answered(running) if flag else missed(running, freezes_enabled=settings.freezes_enabled)[0]
        if status != "missed":
            session.add(StreakDay(guild_id=guild_id, user_id=user_id, local_date=day, status=DayStatus(status),
                                  streak_after=running.current))  # fmt: skip
        if flag:
            await _bump_period(session, guild_id, user_id, day, answers=1, best=running.current)
    zone = ZoneInfo(zone_name)
    reviews = await session.scalars(
        select(col(Review.created_at)).where(col(Review.guild_id) == guild_id, col(Review.reviewer_id) == user_id)
    )
    count = 0
    for created in reviews:
        count += 1
        await _bump_period(session, guild_id, user_id, created.astimezone(zone).date(), reviews=1)
    row.reviews_given = count
    await session.flush()
    return state
