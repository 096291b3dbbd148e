"""A server's own questions, and the questions it retired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String
from sqlmodel import Field, SQLModel

from bot.models.base import now_column


class ServerQuestion(SQLModel, table=True):
    """A question a server added on top of the shipped bank (visible to that server only)."""

    __tablename__ = "server_question"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    question_id: str = Field(sa_column=Column(String(40), primary_key=True))
    category: str = Field(sa_type=String(40), index=True)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_by: int = Field(sa_type=BigInteger, index=True)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class RetiredQuestion(SQLModel, table=True):
    """A question (shipped or the server's) that a server no longer uses."""

    __tablename__ = "retired_question"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    question_id: str = Field(sa_column=Column(String(40), primary_key=True))
    retired_by: int = Field(sa_type=BigInteger, index=True)
    retired_at: dt.datetime = now_column()
