"""Servers that removed the bot: their data is kept for a grace period, then purged from every table."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from bot.db import insert_ignoring_conflicts, upsert
from bot.models import (
    GuildDeparture,
    GuildSettings,
    MockProfile,
    PairingConfig,
    PromptSchedule,
    RetiredQuestion,
    ServerQuestion,
    StreakSettings,
)

# Every server with data has a row in one of these (answers need a schedule, feedback a pairing, ...).
ROOT_TABLES = (
    GuildSettings,
    PromptSchedule,
    PairingConfig,
    StreakSettings,
    MockProfile,
    ServerQuestion,
    RetiredQuestion,
)


async def record_departure(
    *, session: AsyncSession, guild_id: int, now: dt.datetime, grace_days: int
) -> GuildDeparture:
    """Note that the bot left a server: its data goes after ``grace_days`` unless the bot returns."""
    values = {"left_at": now, "purge_after": now + dt.timedelta(days=grace_days)}
    await session.execute(
        upsert(session, GuildDeparture, {"guild_id": guild_id, **values}, conflict=["guild_id"], update=values)
    )
    row = await session.get(GuildDeparture, guild_id, populate_existing=True)
    assert row is not None
    return row


async def servers_with_data(*, session: AsyncSession) -> set[int]:
    """Return every server that has data here (for start-up: which of them has the bot left meanwhile?)."""
    found: set[int] = set()
    for model in ROOT_TABLES:
        found.update(await session.scalars(select(col(model.guild_id)).distinct()))
    return found


async def note_missing(*, session: AsyncSession, guild_ids: list[int], now: dt.datetime, grace_days: int) -> int:
    """Start the grace period for servers found gone at start-up, keeping any departure already recorded."""
    if not guild_ids:
        return 0
    purge_after = now + dt.timedelta(days=grace_days)
    rows = [{"guild_id": g, "left_at": now, "purge_after": purge_after} for g in guild_ids]
    result = await session.execute(insert_ignoring_conflicts(session, GuildDeparture, rows, conflict=["guild_id"]))
    return max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]


async def cancel_departure(*, session: AsyncSession, guild_id: int) -> bool:
    """Forget a departure (the bot is back); return whether one was pending."""
    result = await session.execute(delete(GuildDeparture).where(col(GuildDeparture.guild_id) == guild_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def departure(*, session: AsyncSession, guild_id: int) -> GuildDeparture | None:
    """Return a server's pending departure, if any."""
    return await session.get(GuildDeparture, guild_id)


async def due_departures(*, session: AsyncSession, now: dt.datetime) -> list[int]:
    """Return the servers whose grace period is over."""
    stmt = select(col(GuildDeparture.guild_id)).where(col(GuildDeparture.purge_after) <= now)
    return list(await session.scalars(stmt.order_by(col(GuildDeparture.purge_after))))


def guild_tables() -> list[Table]:
    """Return every table holding server data (a guild_id column), children before their parents."""
    return [t for t in reversed(SQLModel.metadata.sorted_tables) if "guild_id" in t.c]


async def purge_guild(*, session: AsyncSession, guild_id: int, now: dt.datetime) -> dict[str, int] | None:
    """Delete every row of a server whose departure is due, in every table; None if it is not due (or came back).

    The departure row is checked inside the same transaction, so a server the bot rejoined meanwhile
    is left alone. Returns the rows deleted per table.
    """
    departure = await session.get(GuildDeparture, guild_id, with_for_update=True, populate_existing=True)
    if departure is None or departure.purge_after > now:
        return None
    counts: dict[str, int] = {}
    for table in guild_tables():
        result = await session.execute(delete(table).where(table.c.guild_id == guild_id))
        if result.rowcount:  # type: ignore[attr-defined]
            counts[table.name] = int(result.rowcount)  # type: ignore[attr-defined]
    return counts
