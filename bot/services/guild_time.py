"""A server's time: its prompt time zone, and the date an instant falls on there (weeks, months, today)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.cache import cached
from bot.models import PromptSchedule


async def zone_name(session: AsyncSession, guild_id: int) -> str:
    """Return the guild's time zone: its prompt schedule's (UTC when it has no schedule)."""

    async def load() -> str:
        schedule = await session.get(PromptSchedule, guild_id)
        return schedule.timezone if schedule else "UTC"

    return await cached(session, PromptSchedule.__tablename__, guild_id, load)


async def local_day(session: AsyncSession, guild_id: int, when: dt.datetime) -> dt.date:
    """Return the guild-time date of an instant (today, and the weeks and months tallies count in it)."""
    return when.astimezone(ZoneInfo(await zone_name(session, guild_id))).date()
