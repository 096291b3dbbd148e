"""The daily loop: each server's prompt schedule, the prompts posted, answers, reviews, outbox."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.models.base import Word, now_column, utc_column, word


class PromptState(StrEnum):
    """How far a day's prompt got: claimed, its message sent, its answer thread opened."""

    CLAIMED = "claimed"
    SENT = "sent"
    THREADED = "threaded"


class AnswerSource(StrEnum):
    """Where an answer came from: the Answer modal, or a plain message in the prompt's thread."""

    MODAL = "modal"
    MESSAGE = "message"


class Verdict(StrEnum):
    """What checking an answer found: its SQL's result or its final number is right, or not."""

    RIGHT = "right"
    WRONG = "wrong"


class OutboxKind(StrEnum):
    """What an outbox item does in its channel; each feature registers a handler for its kinds."""

    ANSWER = "answer"
    ANSWER_EDIT = "answer_edit"
    REVIEW_NOTICE = "review_notice"
    REVIEW_NOTICE_EDIT = "review_notice_edit"
    MILESTONE = "milestone"  # payload: user_id, milestone
    MESSAGE_DELETE = "message_delete"  # delete the post (message_id) of a member who erased their data
    MODEL_ANSWER = "model_answer"  # post a closed prompt's model answer in its thread (ref_id: the prompt)


class OutboxState(StrEnum):
    """An outbox item's state."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class PromptSchedule(SQLModel, table=True):
    """When and where a server's daily prompt is posted; None/empty means "not configured"."""

    __tablename__ = "prompt_schedule"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    channel_id: int | None = Field(default=None, sa_type=BigInteger)
    post_time: str = Field(default="09:00", sa_type=String(5))
    timezone: str = Field(default="UTC", sa_type=String(64))
    days: str = Field(default="mon-fri", sa_type=String(40))
    rotation: str = Field(default="round-robin", sa_type=String(200))
    tracks: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    ping_role_id: int | None = Field(default=None, sa_type=BigInteger)
    archive_minutes: int = Field(default=1440)
    pause_until: dt.date | None = Field(default=None, sa_type=Date)
    enabled: bool = Field(default=False)
    rotation_index: int = Field(default=0)
    next_post_at: dt.datetime | None = utc_column()
    last_error: str | None = Field(default=None, sa_type=Text)
    last_error_at: dt.datetime | None = utc_column()
    low_pool_warned: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = now_column()


class DailyPrompt(SQLModel, table=True):
    """One server's prompt for one local date: claimed, then sent, then given its thread."""

    __tablename__ = "daily_prompt"
    __table_args__ = (UniqueConstraint("guild_id", "local_date"),)

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    local_date: dt.date = Field(sa_type=Date)
    question_id: str = Field(sa_type=String(40))
    category: str = Field(sa_type=String(40))
    state: PromptState = word(PromptState, 16, default=PromptState.CLAIMED)
    nonce: str = Field(sa_type=String(25))
    channel_id: int = Field(sa_type=BigInteger)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    thread_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    due_at: dt.datetime = utc_column(nullable=False)
    claimed_at: dt.datetime = now_column()
    posted_at: dt.datetime | None = utc_column()


class Answer(SQLModel, table=True):
    """A member's answer to a prompt: one per member per prompt, edits update it."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("prompt_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int = Field(sa_column=Column(Integer, ForeignKey("daily_prompt.id", ondelete="CASCADE"), nullable=False))
    guild_id: int = Field(sa_type=BigInteger, index=True)
    user_id: int = Field(sa_type=BigInteger, index=True)
    display_name: str = Field(default="", sa_type=String(100))
    text: str = Field(sa_type=Text)
    source: AnswerSource = word(AnswerSource, 16, default=AnswerSource.MODAL)
    source_message_id: int | None = Field(default=None, sa_type=BigInteger)
    post_message_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    final_answer: str | None = Field(default=None, sa_type=String(100))  # the number typed, as typed
    query: str | None = Field(default=None, sa_type=Text)  # a SQL answer's query (shown only on request)
    verdict: Verdict | None = word(Verdict, 8, default=None, nullable=True)
    after_model_answer: bool = Field(default=False)  # checked again after its author opened the model answer
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class ModelAnswerView(SQLModel, table=True):
    """A member opened a question's model answer (first time kept): later edits of their answer are marked."""

    __tablename__ = "model_answer_view"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    question_id: str = Field(sa_column=Column(String(40), primary_key=True))
    opened_at: dt.datetime = now_column()


class SqlScratch(SQLModel, table=True):
    """A member's last tried query (Try a query, /drill run) and the SQL question it was for."""

    __tablename__ = "sql_scratch"

    guild_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    question_id: str = Field(sa_type=String(40))
    query: str = Field(default="", sa_type=Text)
    updated_at: dt.datetime = now_column()


class Review(SQLModel, table=True):
    """A peer's review of an answer: one per reviewer per answer, editable."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("answer_id", "reviewer_id"),)

    id: int | None = Field(default=None, primary_key=True)
    answer_id: int = Field(sa_column=Column(Integer, ForeignKey("answer.id", ondelete="CASCADE"), nullable=False))
    guild_id: int = Field(sa_type=BigInteger, index=True)
    reviewer_id: int = Field(sa_type=BigInteger, index=True)
    reviewer_name: str = Field(default="", sa_type=String(100))
    structure: int
    clarity: int
    depth: int
    comment: str = Field(default="", sa_type=Text)
    notice_message_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    created_at: dt.datetime = now_column()
    updated_at: dt.datetime = now_column()


class OutboxItem(SQLModel, table=True):
    """A message the bot still has to post or edit, paced per channel; survives restarts."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    guild_id: int = Field(sa_type=BigInteger, index=True)
    channel_id: int = Field(sa_type=BigInteger, index=True)
    kind: OutboxKind = word(OutboxKind, 24)
    ref_id: int | None = Field(default=None)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=Word(OutboxState, 12), index=True)
    attempts: int = Field(default=0)
    message_id: int | None = Field(default=None, sa_type=BigInteger)  # the message it posted, or the one to delete
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = now_column()
    done_at: dt.datetime | None = utc_column()
