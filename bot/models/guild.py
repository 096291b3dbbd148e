"""Per-server settings shared by every feature."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, String
from sqlmodel import Field, SQLModel

from bot.models.base import now_column, snowflake


class GuildSettings(SQLModel, table=True):
    """One row per server: the settings every feature shares."""

    __tablename__ = "guild_settings"

    guild_id: int = snowflake(primary_key=True)
    admin_role_id: int | None = snowflake(nullable=True)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class AppSecret(SQLModel, table=True):
    """A secret the bot generates once and keeps (e.g. the key that hashes member ids in avoid lists)."""

    __tablename__ = "app_secret"

    name: str = Field(sa_column=Column(String(40), primary_key=True))
    value: str = Field(sa_type=String(128))
    created_at: dt.datetime = now_column()
