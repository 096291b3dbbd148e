"""Shared column helpers and the metadata naming convention every table uses."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
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


class Word(TypeDecorator[Any]):
    """A column holding one of a StrEnum's words, stored as plain VARCHAR (no ENUM type, no CHECK).

    A new word therefore needs no migration; a stored word this version does not know comes back as
    the plain string it is, so one unknown row never stops a query.
    """

    impl = String
    cache_ok = True

    def __init__(self, words: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.words = words

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        """Store the word's text."""
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        """Return the enum member for a known word, the text itself otherwise."""
        if value is None:
            return None
        try:
            return self.words(value)
        except ValueError:
            return value


def word(words: type[StrEnum], length: int, *, default: Any = ..., nullable: bool = False) -> Any:
    """Declare a column holding one of ``words``."""
    return Field(default=default, sa_type=Word(words, length), nullable=nullable)


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


__all__ = ["SQLModel", "Word", "now_column", "snowflake", "utc_column", "word"]
