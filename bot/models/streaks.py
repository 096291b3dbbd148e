"""Streaks: per-server streak settings, each member's running streak, their days, period tallies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, Text
from sqlmodel import Field, SQLModel, col

from bot.models.base import Word, now_column, utc_column


class DayStatus(StrEnum):
    """How a member got through a prompt day (a missed day has no row)."""

    ANSWERED = "answered"
    FROZEN = "frozen"


class StatPeriod(StrEnum):
    """The span of a period tally (weeks start on Monday in the guild's time)."""

    WEEK = "week"
    MONTH = "month"


DEFAULT_MILESTONES = [3, 7, 14, 30, 100]


class StreakSettings(SQLModel, table=True):
    """A server's streak rules: freezes, milestones and their roles, reminder lead time."""

    __tablename__ = "streak_settings"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    freezes_enabled: bool = Field(default=True)
    milestones: list[int] = Field(
        default_factory=lambda: list(DEFAULT_MILESTONES), sa_column=Column(JSON, nullable=False)
    )
    milestone_roles: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    heads_up_hours: int = Field(default=3)
    role_error: str | None = Field(default=None, sa_type=Text)
    role_error_at: dt.datetime | None = utc_column()
    updated_at: dt.datetime = now_column()


class MemberStreak(SQLModel, table=True):
    """A member's streak in one server, updated once per counted answer and once per closed prompt."""

    __tablename__ = "member_streak"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    current: int = Field(default=0)
    best: int = Field(default=0)
    freezes: int = Field(default=0)
    earn_progress: int = Field(default=0)
    frozen_in_streak: int = Field(default=0)
    total_answers: int = Field(default=0)
    reviews_given: int = Field(default=0)
    last_prompt_date: dt.date | None = Field(default=None, sa_type=Date)
    # The highest milestone announced during the current streak, so that an answer removed by a
    # moderator and given again does not announce it twice; 0 again once the streak breaks.
    milestone_announced: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    remind: bool = Field(default=False)
    reminded_prompt_id: int | None = Field(default=None, sa_type=Integer)
    dm_closed: bool = Field(default=False)
    updated_at: dt.datetime = now_column()


class StreakDay(SQLModel, table=True):
    """A prompt day a member answered or got through on a freeze (missed days have no row)."""

    __tablename__ = "streak_day"
    __table_args__ = (Index("ix_streak_day_guild_date", "guild_id", "local_date"),)

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    local_date: dt.date = Field(sa_column=Column(Date, primary_key=True))
    status: DayStatus = Field(sa_type=Word(DayStatus, 8))
    streak_after: int = Field(default=0)


class PeriodStat(SQLModel, table=True):
    """A member's tallies for one week or month (guild time): answers, reviews, best streak reached."""

    __tablename__ = "period_stat"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    period: StatPeriod = Field(sa_column=Column(Word(StatPeriod, 5), primary_key=True))
    start: dt.date = Field(sa_column=Column(Date, primary_key=True))
    answers: int = Field(default=0)
    reviews: int = Field(default=0)
    best: int = Field(default=0)


# Leaderboard indexes: a board lists value DESC, user_id ASC (ties by member id), so the value is
# stored descending and the index is read in exactly the board's order. With an ascending value,
# both back-ends read it backwards (value DESC, user_id DESC) and re-sort every tie group: a page
# at offset n then sorts n rows (SQLite "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY", PostgreSQL
# "Incremental Sort"). Range conditions (value > 0, value > x) use them as well as ascending ones.
for _name, _value in (
    ("current", MemberStreak.current),
    ("best", MemberStreak.best),
    ("answers", MemberStreak.total_answers),
    ("reviews", MemberStreak.reviews_given),
):
    Index(
        f"ix_member_streak_board_{_name}",
        col(MemberStreak.guild_id), col(_value).desc(), col(MemberStreak.user_id),
    )  # fmt: skip
for _name, _value in (("answers", PeriodStat.answers), ("reviews", PeriodStat.reviews), ("best", PeriodStat.best)):
    Index(
        f"ix_period_stat_board_{_name}",
        col(PeriodStat.guild_id), col(PeriodStat.period), col(PeriodStat.start), col(_value).desc(),
        col(PeriodStat.user_id),
    )  # fmt: skip

__all__ = ["DEFAULT_MILESTONES", "DayStatus", "MemberStreak", "PeriodStat", "StatPeriod", "StreakDay", "StreakSettings"]
