"""What members see of streaks: the heat-map days, and who gets a reminder before a prompt closes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import Answer, DailyPrompt, MemberStreak, StreakDay
from bot.services import guild_time
from bot.services.streaks import get_member, get_settings, lock_member

REMINDER_MIN_STREAK = 3


async def heatmap_days(
    *, session: AsyncSession, guild_id: int, user_id: int, end: dt.date, weeks: int = 12
) -> dict[dt.date, str]:
    """Return each prompt day's status for a member: answered, frozen, missed, or open (still answerable)."""
    start = end - dt.timedelta(days=end.weekday()) - dt.timedelta(weeks=weeks - 1)
    # Every posted prompt from the map's first day on, with no upper bound: the last one is the
    # guild's latest prompt (the open one), so that needs no query of its own.
    prompts = list(
        await session.scalars(
            select(DailyPrompt).where(
                col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.message_id).is_not(None),
                col(DailyPrompt.local_date) >= start,
            ).order_by(col(DailyPrompt.local_date))
        )
    )  # fmt: skip
    latest = prompts[-1].local_date if prompts else None
    marks = dict(
        (
            await session.execute(
                select(col(StreakDay.local_date), col(StreakDay.status)).where(
                    col(StreakDay.guild_id) == guild_id,
                    col(StreakDay.user_id) == user_id,
                    col(StreakDay.local_date) >= start,
                )
            )
        ).all()
    )
    days: dict[dt.date, str] = {}
    for prompt in prompts:
        if prompt.local_date > end:
            break
        status = marks.get(prompt.local_date)
        days[prompt.local_date] = status or ("open" if prompt.local_date == latest else "missed")
    return days


@dataclass(frozen=True, slots=True)
class StreakCard:
    """What /streak shows: the member's streak row (None before their first answer), the rules, the map's days."""

    row: MemberStreak | None
    freezes_enabled: bool
    days: dict[dt.date, str]
    today: dt.date


async def streak_card(*, session: AsyncSession, guild_id: int, user_id: int, now: dt.datetime) -> StreakCard:
    """Return a member's streak, the server's freeze rule and the heat map's days up to today (guild time)."""
    today = await guild_time.local_day(session, guild_id, now)
    row = await get_member(session=session, guild_id=guild_id, user_id=user_id)
    settings = await get_settings(session=session, guild_id=guild_id)
    days = await heatmap_days(session=session, guild_id=guild_id, user_id=user_id, end=today)
    return StreakCard(row, settings.freezes_enabled, days, today)


async def set_reminders(*, session: AsyncSession, guild_id: int, user_id: int, on: bool) -> None:
    """Opt a member in or out of the heads-up before their streak would break."""
    row = await lock_member(session=session, guild_id=guild_id, user_id=user_id)
    row.remind = on
    if on:
        row.dm_closed = False  # they may have opened their DMs since


async def members_to_remind(*, session: AsyncSession, guild_id: int, prompt_id: int, limit: int) -> list[MemberStreak]:
    """Return opted-in members with a streak of 3+ who have not answered the open prompt nor been reminded."""
    answered = select(col(Answer.user_id)).where(col(Answer.prompt_id) == prompt_id)
    stmt = (
        select(MemberStreak)
        .where(
            col(MemberStreak.guild_id) == guild_id,
            col(MemberStreak.remind).is_(True),
            col(MemberStreak.dm_closed).is_(False),
            col(MemberStreak.current) >= REMINDER_MIN_STREAK,
            or_(col(MemberStreak.reminded_prompt_id).is_(None), col(MemberStreak.reminded_prompt_id) != prompt_id),
            col(MemberStreak.user_id).not_in(answered),
        )
        .order_by(col(MemberStreak.current).desc(), col(MemberStreak.user_id))
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def mark_reminded(
    *, session: AsyncSession, guild_id: int, user_id: int, prompt_id: int, dm_closed: bool = False
) -> None:
    """Record that a member was reminded for a prompt (or that their DMs are closed)."""
    values: dict[str, object] = {"reminded_prompt_id": prompt_id}
    if dm_closed:
        values["dm_closed"] = True
    await session.execute(
        update(MemberStreak)
        .where(col(MemberStreak.guild_id) == guild_id, col(MemberStreak.user_id) == user_id)
        .values(**values)
    )
