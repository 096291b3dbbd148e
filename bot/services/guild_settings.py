"""Per-server settings shared by every feature: read with defaults, written atomically."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert, utcnow
from bot.models import GuildSettings


async def get_settings(*, session: AsyncSession, guild_id: int) -> GuildSettings:
    """Return the server's settings, or the defaults if it has none stored yet."""
    row = await session.get(GuildSettings, guild_id)
    return row if row is not None else GuildSettings(guild_id=guild_id)


async def set_admin_role(*, session: AsyncSession, guild_id: int, role_id: int | None) -> GuildSettings:
    """Set (or clear, with None) the role whose holders may run admin commands, in one atomic upsert."""
    now = utcnow()
    await session.execute(
        upsert(
            session,
            GuildSettings,
            {"guild_id": guild_id, "admin_role_id": role_id, "created_at": now, "updated_at": now},
            conflict=["guild_id"],
            update={"admin_role_id": role_id, "updated_at": now},
        )
    )
    row = await session.get(GuildSettings, guild_id, populate_existing=True)
    assert row is not None
    return row


async def admin_role_id(*, session: AsyncSession, guild_id: int) -> int | None:
    """Return the configured admin role of a server, if any."""
    row = await session.get(GuildSettings, guild_id)
    return row.admin_role_id if row else None
