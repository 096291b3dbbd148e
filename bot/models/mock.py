"""Mock-interview pairing: member profiles, private avoid lists, per-server rounds and their groups."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import Word, now_column, utc_column


class Level(StrEnum):
    """A member's level, as they gave it in /mock join."""

    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class InactiveReason(StrEnum):
    """Why a member's mock profile is inactive."""

    LEFT = "left"
    NO_RESPONSE = "no-response"
    LEFT_SERVER = "left-server"


class Cadence(StrEnum):
    """How often a server's pairing rounds run."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class RoundState(StrEnum):
    """A round's progress: matched and stored, its groups set up (open), then done."""

    MATCHED = "matched"
    OPEN = "open"
    DONE = "done"


class GroupState(StrEnum):
    """Where a pair (or trio) meets: not yet set up, its thread being made, a thread, DMs, or neither."""

    PENDING = "pending"
    CREATING = "creating"
    THREADED = "threaded"
    DM = "dm"
    FAILED = "failed"
    DISSOLVED = "dissolved"


class Outcome(StrEnum):
    """A group's answer to the follow-up."""

    MET = "met"
    NOT_MET = "not-met"
    RESCHEDULE = "reschedule"


class MockProfile(SQLModel, table=True):
    """A member who opted in to mock interviews on one server."""

    __tablename__ = "mock_profile"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    track: str = Field(sa_type=String(40))
    level: Level = Field(sa_type=Word(Level, 10))
    timezone: str = Field(sa_type=String(64))
    availability_text: str = Field(default="", sa_type=String(300))
    slots: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # UTC hours of the week
    active: bool = Field(default=True)
    paused_until: dt.datetime | None = utc_column()
    inactive_reason: InactiveReason | None = Field(default=None, sa_type=Word(InactiveReason, 40))
    missed_followups: int = Field(default=0)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class MockAvoid(SQLModel, table=True):
    """One entry of a member's private "never pair me with" list."""

    __tablename__ = "mock_avoid"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    avoided_key: str = Field(sa_column=Column(String(64), primary_key=True))  # keyed hash of the avoided member
    created_at: dt.datetime = now_column()


class PairingConfig(SQLModel, table=True):
    """When and where a server's pairing rounds run."""

    __tablename__ = "pairing_config"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    channel_id: int | None = Field(default=None, sa_type=BigInteger)
    cadence: Cadence = Field(default=Cadence.WEEKLY, sa_type=Word(Cadence, 10))
    weekday: int = Field(default=0)
    post_time: str = Field(default="18:00", sa_type=String(5))
    timezone: str = Field(default="UTC", sa_type=String(64))
    heads_up_hours: int = Field(default=24)
    enabled: bool = Field(default=False)
    next_round_at: dt.datetime | None = utc_column()
    heads_up_for: dt.datetime | None = utc_column()
    last_error: str | None = Field(default=None, sa_type=Text)
    last_error_at: dt.datetime | None = utc_column()
    updated_at: dt.datetime = now_column()


class MockRound(SQLModel, table=True):
    """One pairing round of a server; the (guild, period) key makes a round idempotent."""

    __tablename__ = "mock_round"
    __table_args__ = (UniqueConstraint("guild_id", "period_key"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    period_key: str = Field(sa_type=String(20))
    seed: int = Field(sa_type=BigInteger)
    state: RoundState = Field(default=RoundState.MATCHED, sa_type=Word(RoundState, 12))
    channel_id: int | None = Field(default=None, sa_type=BigInteger)
    repeats: int = Field(default=0)
    unpaired: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    followup_at: dt.datetime | None = utc_column()
    notes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = now_column()
    completed_at: dt.datetime | None = utc_column()


class MockGroup(SQLModel, table=True):
    """A pair (or the round's trio): where they meet and how it went."""

    __tablename__ = "mock_group"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(sa_column=Column(Integer, ForeignKey("mock_round.id", ondelete="CASCADE"), nullable=False,
                                           index=True))  # fmt: skip
    guild_id: int = Field(sa_type=BigInteger, index=True)
    state: GroupState = Field(default=GroupState.PENDING, sa_type=Word(GroupState, 12))
    thread_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=Text)
    followup_message_id: int | None = Field(default=None, sa_type=BigInteger)
    outcome: Outcome | None = Field(default=None, sa_type=Word(Outcome, 12))
    outcome_by: int | None = Field(default=None, sa_type=BigInteger)
    outcome_at: dt.datetime | None = utc_column()
    created_at: dt.datetime = now_column()


class MockGroupMember(SQLModel, table=True):
    """A member of a group; ``position`` orders who interviews whom (A→B, and in a trio A→B→C→A)."""

    __tablename__ = "mock_group_member"
    __table_args__ = (Index("ix_mock_group_member_guild_user", "guild_id", "user_id"),)

    group_id: int = Field(sa_column=Column(Integer, ForeignKey("mock_group.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    guild_id: int = Field(sa_type=BigInteger)
    position: int = Field(default=0)
    pack: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # questions for this member
    responded: bool = Field(default=False)
