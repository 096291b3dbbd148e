"""Streaks in the database: one atomic update per counted answer, one bulk update per closed prompt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts, upsert, utcnow
from bot.models import Answer, DailyPrompt, MemberStreak, PeriodStat, Review, StreakDay, StreakSettings
from bot.models.streaks import DEFAULT_MILESTONES
from bot.prepared import Prepared
from bot.services.streak_rules import StreakState, answered, missed, recompute


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
    """Return a server's streak settings (the defaults when none are stored)."""
    row = await session.get(StreakSettings, guild_id)
    return row if row is not None else StreakSettings(guild_id=guild_id)


async def get_member(*, session: AsyncSession, guild_id: int, user_id: int) -> MemberStreak | None:
    """Return a member's streak row, if they have one."""
    return await session.get(MemberStreak, (guild_id, user_id))


def _lock_statement(session: AsyncSession, guild_id: int, user_id: int) -> Any:
    """Build the upsert that creates a member's row if missing and locks it (returning nothing yet).

    Its no-op update takes the row lock, as SELECT ... FOR UPDATE would, and RETURNING then gives
    the row as it stands after any concurrent writer committed: one statement instead of two.
    """
    return upsert(
        session, MemberStreak, {"guild_id": guild_id, "user_id": user_id, "updated_at": utcnow()},
        conflict=["guild_id", "user_id"], update={"updated_at": col(MemberStreak.updated_at)},
    )  # fmt: skip


async def lock_member(*, session: AsyncSession, guild_id: int, user_id: int) -> MemberStreak:
    """Return a member's streak row, created if missing and locked for this transaction."""
    stmt = _lock_statement(session, guild_id, user_id).returning(MemberStreak)
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


_PERIOD_COLUMNS = ("guild_id", "user_id", "period", "start", "answers", "reviews", "best")


def _build_period_upsert(session: AsyncSession) -> Any:
    """Build the upsert adding to one period tally (every value a bound parameter)."""
    table = PeriodStat.metadata.tables["period_stat"]
    greatest = func.max if session.get_bind().dialect.name == "sqlite" else func.greatest
    return upsert(
        session, table, {name: bindparam(name) for name in _PERIOD_COLUMNS},
        conflict=["guild_id", "user_id", "period", "start"],
        update={"answers": table.c.answers + bindparam("add_answers"),
                "reviews": table.c.reviews + bindparam("add_reviews"),
                "best": greatest(table.c.best, bindparam("best"))},
    )  # fmt: skip


_PERIOD_UPSERT = Prepared(_build_period_upsert)


def _period_rows(
    guild_id: int, user_id: int, day: dt.date, *, answers: int = 0, reviews: int = 0, best: int = 0
) -> list[dict[str, Any]]:
    """Return the parameters adding to the member's tallies of the week and the month of ``day``."""
    return [
        {"guild_id": guild_id, "user_id": user_id, "period": period, "start": start, "answers": max(answers, 0),
         "reviews": max(reviews, 0), "best": best, "add_answers": answers, "add_reviews": reviews}
        for period, start in (("week", week_start(day)), ("month", month_start(day)))
    ]  # fmt: skip


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
    """Add to the member's tallies of the week and the month of ``day`` (one executemany: one round trip)."""
    rows = _period_rows(guild_id, user_id, day, answers=answers, reviews=reviews, best=best)
    await _PERIOD_UPSERT.execute_many(session, rows)


_STATE_COLUMNS = ("current", "best", "freezes", "earn_progress", "frozen_in_streak", "total_answers")
_TABLES = MemberStreak.metadata.tables


def _build_lock(session: AsyncSession) -> Any:
    """Build the upsert that creates the member's row if missing, locks it and returns it with the guild's context.

    A no-op update takes the row lock (as SELECT ... FOR UPDATE would); RETURNING gives the row as
    it stands after any concurrent writer committed, with the guild's last prompt day before this
    one and its settings (NULL when none are stored).
    """
    member, prompt, settings = _TABLES["member_streak"], _TABLES["daily_prompt"], _TABLES["streak_settings"]
    previous = (
        select(func.max(prompt.c.local_date))
        .where(prompt.c.guild_id == bindparam("guild_id"), prompt.c.message_id.is_not(None),
               prompt.c.local_date < bindparam("prompt_date"))
        .scalar_subquery()
    )  # fmt: skip
    guild_settings = [
        select(column).where(settings.c.guild_id == bindparam("guild_id")).scalar_subquery()
        for column in (settings.c.freezes_enabled, settings.c.milestones)
    ]
    return upsert(
        session, member,
        {"guild_id": bindparam("guild_id"), "user_id": bindparam("user_id"), "updated_at": bindparam("now")},
        conflict=["guild_id", "user_id"], update={"updated_at": member.c.updated_at},
    ).returning(*(member.c[name] for name in _STATE_COLUMNS), member.c.last_prompt_date,
                member.c.milestone_announced, previous, *guild_settings)  # fmt: skip


def _build_save(session: AsyncSession) -> Any:
    """Build the update writing a member's new state."""
    member = _TABLES["member_streak"]
    names = (*_STATE_COLUMNS, "last_prompt_date", "milestone_announced", "updated_at")
    return (
        update(member)
        .where(member.c.guild_id == bindparam("g"), member.c.user_id == bindparam("u"))
        .values({name: bindparam(name) for name in names})
    )


def _build_day(session: AsyncSession) -> Any:
    """Build the insert of a member's streak day (kept if already there)."""
    return insert_ignoring_conflicts(
        session, _TABLES["streak_day"],
        {name: bindparam(name) for name in ("guild_id", "user_id", "local_date", "status", "streak_after")},
        conflict=["guild_id", "user_id", "local_date"],
    )  # fmt: skip


_LOCK, _SAVE, _DAY = Prepared(_build_lock), Prepared(_build_save), Prepared(_build_day)


async def record_answer(*, session: AsyncSession, guild_id: int, user_id: int, prompt_date: dt.date) -> Counted:
    """Count a member's first answer to the prompt of ``prompt_date``; a repeat counts nothing.

    Four statements on the usual path: lock the member's row (bringing back the guild's settings
    and its previous prompt day too), write the new state, the day, and the period tallies.
    """
    now = utcnow()
    (row,) = await _LOCK.fetch(session, {"guild_id": guild_id, "user_id": user_id, "prompt_date": prompt_date,
                                         "now": now})  # fmt: skip
    state = StreakState(*row[: len(_STATE_COLUMNS)])
    last_date, announced, last_posted, stored_freezes, stored_milestones = row[len(_STATE_COLUMNS) :]
    if stored_freezes is None:  # no settings stored: the defaults, as get_settings gives them
        freezes_on, milestone_list = True, DEFAULT_MILESTONES
    else:
        freezes_on, milestone_list = bool(stored_freezes), list(stored_milestones)
    if last_date is not None and last_date >= prompt_date:
        return Counted(state, None, counted=False)
    if last_date is not None and state.current > 0 and last_posted is not None and last_posted > last_date:
        # Prompt days closed since the member's last one that were not settled yet.
        for day in await posted_dates(session=session, guild_id=guild_id, after=last_date, before=prompt_date):
            state, status = missed(state, freezes_enabled=freezes_on)
            if status == "frozen":
                await _DAY.execute(session, {"guild_id": guild_id, "user_id": user_id, "local_date": day,
                                             "status": "frozen", "streak_after": state.current})  # fmt: skip
    if state.current == 0:
        announced = 0  # a new streak: its milestones are announced afresh
    before = state.current
    state = answered(state)
    milestone = None
    if state.current > before and state.current in milestone_list and state.current > announced:
        milestone = announced = state.current
    await _SAVE.execute(
        session,
        {"g": guild_id, "u": user_id, **{name: getattr(state, name) for name in _STATE_COLUMNS},
         "last_prompt_date": prompt_date, "milestone_announced": announced, "updated_at": now},
    )  # fmt: skip
    await _DAY.execute(session, {"guild_id": guild_id, "user_id": user_id, "local_date": prompt_date,
                                 "status": "answered", "streak_after": state.current})  # fmt: skip
    await _PERIOD_UPSERT.execute_many(session, _period_rows(guild_id, user_id, prompt_date, answers=1,
                                                            best=state.current))  # fmt: skip
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
                    [{"guild_id": guild_id, "user_id": u, "local_date": closed_date, "status": "frozen",
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
            session.add(StreakDay(guild_id=guild_id, user_id=user_id, local_date=day, status=status,
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
