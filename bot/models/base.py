"""Shared column helpers and the metadata naming convention every table uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from bot.db import UTCDateTime, utcnow

# Named constraints let batch migrations on SQLite find and alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def snowflake(*, primary_key: bool = False, nullable: bool = False, index: bool = False) -> Any:
    """Declare a column holding a Discord id (64-bit)."""
    if primary_key:
        return Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    return Field(default=None if nullable else ..., sa_type=BigInteger, nullable=nullable, index=index)


def now_column() -> Any:
    """Declare a creation timestamp in UTC."""
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def utc_column(*, nullable: bool = True) -> Any:
    """Declare an optional UTC timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


__all__ = ["SQLModel", "now_column", "snowflake", "utc_column"]
