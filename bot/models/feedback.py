"""Peer feedback after a mock, its half-finished drafts, and servers the bot has left."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import Word, now_column, utc_column


class Signal(StrEnum):
    """The overall signal of a feedback, as an interviewer would give it."""

    STRONG_NO = "strong-no"
    NO = "no"
    YES = "yes"
    STRONG_YES = "strong-yes"


class MockFeedback(SQLModel, table=True):
    """One member's feedback to one other member of their pairing: one per direction, editable for a window."""

    __tablename__ = "mock_feedback"
    __table_args__ = (
        UniqueConstraint("group_id", "giver_id", "recipient_id"),
        Index("ix_mock_feedback_recipient", "guild_id", "recipient_id", "created_at"),
        Index("ix_mock_feedback_giver", "guild_id", "giver_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(sa_column=Column(Integer, ForeignKey("mock_group.id", ondelete="CASCADE"), nullable=False))
    guild_id: int = Field(sa_type=BigInteger)
    giver_id: int = Field(sa_type=BigInteger)
    recipient_id: int = Field(sa_type=BigInteger)
    communication: int
    structure: int
    technical_depth: int
    problem_solving: int
    culture: int
    signal: Signal = Field(sa_type=Word(Signal, 12))
    strengths: str = Field(default="", sa_type=Text)
    improve: str = Field(default="", sa_type=Text)
    reported_at: dt.datetime | None = utc_column()  # the recipient reported it as abusive: admins may read it
    report_note: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class FeedbackDraft(SQLModel, table=True):
    """A half-finished feedback form (the scores step done, the texts not yet sent)."""

    __tablename__ = "feedback_draft"

    group_id: int = Field(sa_column=Column(Integer, ForeignKey("mock_group.id", ondelete="CASCADE"), primary_key=True))
    giver_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    recipient_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    guild_id: int = Field(sa_type=BigInteger, index=True)
    scores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    signal: Signal | None = Field(default=None, sa_type=Word(Signal, 12))
    strengths: str = Field(default="", sa_type=Text)
    improve: str = Field(default="", sa_type=Text)
    updated_at: dt.datetime = now_column()


class GuildDeparture(SQLModel, table=True):
    """A server that removed the bot: its data is purged after the grace period unless the bot returns."""

    __tablename__ = "guild_departure"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    left_at: dt.datetime = now_column()
    purge_after: dt.datetime = utc_column(nullable=False)
