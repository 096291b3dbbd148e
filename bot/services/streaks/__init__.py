"""Streaks in the database: a few statements per group of counted answers, one bulk update per closed prompt."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
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
    """Return a member's streak row, created if missing and locked for this transaction."""
    return (await lock_members(session=session, guild_id=guild_id, user_ids=[user_id]))[user_id]


async def lock_members(*, session: AsyncSession, guild_id: int, user_ids: Sequence[int]) -> dict[int, MemberStreak]:
    """Return members' streak rows by user id, each created if missing and locked for this transaction.

    The upsert's no-op update takes the row lock (as SELECT ... FOR UPDATE would), and RETURNING
    gives the row as it stands after any concurrent writer committed. One statement for any number.
    """
    stmt = upsert(
        session, MemberStreak, None, conflict=["guild_id", "user_id"],
        update={"updated_at": col(MemberStreak.updated_at)},
    ).returning(MemberStreak)  # fmt: skip
    now = utcnow()
    rows = [{"guild_id": guild_id, "user_id": user_id, "updated_at": now} for user_id in user_ids]
    found = await session.scalars(stmt, rows, execution_options={"populate_existing": True})
    return {row.user_id: row for row in found}


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


async def _bump_periods(
    session: AsyncSession,
    guild_id: int,
    entries: Sequence[tuple[int, dt.date, int]],
    *,
    answers: int = 0,
    reviews: int = 0,
) -> None:
    """Add ``answers`` and ``reviews`` to members' tallies of the week and the month of a day.

    ``entries`` are (user id, day, best streak that day): one statement run for all their rows.
    """
    greatest = func.max if session.get_bind().dialect.name == "sqlite" else func.greatest
    rows = [
        {"guild_id": guild_id, "user_id": user_id, "period": period, "start": start, "answers": max(answers, 0),
         "reviews": max(reviews, 0), "best": best}
        for user_id, day, best in entries
        for period, start in ((StatPeriod.WEEK, week_start(day)), (StatPeriod.MONTH, month_start(day)))
    ]  # fmt: skip
    if not rows:
        return
    await session.execute(
        upsert(
            session, PeriodStat, None, conflict=["guild_id", "user_id", "period", "start"],
            update=lambda new: {"answers": PeriodStat.answers + answers, "reviews": PeriodStat.reviews + reviews,
                                "best": greatest(PeriodStat.best, new.best)},
        ),
        rows,
    )  # fmt: skip


async def _mark_days(session: AsyncSession, guild_id: int, days: Sequence[tuple[int, dt.date, str, int]]) -> None:
    """Record members' streak days, (user id, day, status, streak after) each; a day already there is kept."""
    if not days:
        return
    rows = [{"guild_id": guild_id, "user_id": user_id, "local_date": day, "status": status, "streak_after": after}
            for user_id, day, status, after in days]  # fmt: skip
    await session.execute(
        insert_ignoring_conflicts(session, StreakDay, None, conflict=["guild_id", "user_id", "local_date"]), rows
    )


async def record_answers(
    *, session: AsyncSession, guild_id: int, user_ids: Sequence[int], prompt_date: dt.date
) -> dict[int, Counted]:
    """Count members' first answers to the prompt of ``prompt_date`` (a repeat counts nothing), by user id.

    The same few statements for one member or a burst of them (``user_ids`` distinct).
    """
    rows = await lock_members(session=session, guild_id=guild_id, user_ids=user_ids)
    settings = await get_settings(session=session, guild_id=guild_id)
    # Prompt days closed since a member's last one that were not settled yet (read once for all).
    unsettled = [row.last_prompt_date for row in rows.values() if row.current > 0 and row.last_prompt_date is not None
                 and row.last_prompt_date < prompt_date]  # fmt: skip
    closed = await posted_dates(session=session, guild_id=guild_id, after=min(unsettled),
                                before=prompt_date) if unsettled else []  # fmt: skip
    counted: dict[int, Counted] = {}
    days: list[tuple[int, dt.date, str, int]] = []
    periods: list[tuple[int, dt.date, int]] = []
    for user_id in user_ids:
        row = rows[user_id]
        state = state_of(row)
        last = row.last_prompt_date
        if last is not None and last >= prompt_date:
            counted[user_id] = Counted(state, None, counted=False)
            continue
        if last is not None and state.current > 0:
            for day in (d for d in closed if d > last):
                state, status = missed(state, freezes_enabled=settings.freezes_enabled)
                if status == DayStatus.FROZEN:
                    days.append((user_id, day, DayStatus.FROZEN, state.current))
        if state.current == 0:
            row.milestone_announced = 0  # a new streak: its milestones are announced afresh
        before = state.current
        state = answered(state)
        milestone = None
        if state.current > before and state.current in settings.milestones and state.current > row.milestone_announced:
            milestone = row.milestone_announced = state.current
        _store(row, state)
        row.last_prompt_date = prompt_date
        days.append((user_id, prompt_date, DayStatus.ANSWERED, state.current))
        periods.append((user_id, prompt_date, state.current))
        counted[user_id] = Counted(state, milestone, counted=True)
    await _mark_days(session, guild_id, days)
    await _bump_periods(session, guild_id, periods, answers=1)
    return counted


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
    await _bump_periods(session, guild_id, [(reviewer_id, local_day, 0)], reviews=delta)


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
            await _bump_periods(session, guild_id, [(user_id, day, running.current)], answers=1)
    zone = ZoneInfo(zone_name)
    reviews = await session.scalars(
        select(col(Review.created_at)).where(col(Review.guild_id) == guild_id, col(Review.reviewer_id) == user_id)
    )
    count = 0
    for created in reviews:
        count += 1
        await _bump_periods(session, guild_id, [(user_id, created.astimezone(zone).date(), 0)], reviews=1)
    row.reviews_given = count
    await session.flush()
    return state
