"""Practice on demand: the questions a member drew for themselves, and their attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import now_column, utc_column, word
from bot.models.daily import Verdict


class PracticeAttempt(SQLModel, table=True):
    """A question drawn with /drill practice, and the member's attempt at it once made (edits update it).

    Only its member sees it; it never counts for streaks, boards, milestones or reminders.
    """

    __tablename__ = "practice_attempt"
    __table_args__ = (UniqueConstraint("guild_id", "user_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    user_id: int = Field(sa_type=BigInteger, index=True)
    question_id: str = Field(sa_type=String(40))
    text: str | None = Field(default=None, sa_type=Text)  # None until attempted
    final_answer: str | None = Field(default=None, sa_type=String(100))
    query: str | None = Field(default=None, sa_type=Text)
    verdict: Verdict | None = word(Verdict, 8, default=None, nullable=True)
    model_answer_opened_at: dt.datetime | None = utc_column()
    after_model_answer: bool = Field(default=False)
    shown_at: dt.datetime = now_column()
    attempted_at: dt.datetime | None = utc_column()
