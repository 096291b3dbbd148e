"""Per-server settings shared by every feature."""

from __future__ import annotations

import datetime as dt

from sqlmodel import SQLModel

from bot.models.base import now_column, snowflake


class GuildSettings(SQLModel, table=True):
    """One row per server: the settings every feature shares."""

    __tablename__ = "guild_settings"

    guild_id: int = snowflake(primary_key=True)
    admin_role_id: int | None = snowflake(nullable=True)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()
