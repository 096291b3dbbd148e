"""Practice on demand: a question the member has not met, their attempt, and its model answer.

Practice is for learning and private: it never touches streaks, leaderboards, milestones or
reminders, and only its member sees it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts
from bot.models import Answer, DailyPrompt, PracticeAttempt
from bot.services.daily import prompts, tries
from bot.services.daily.answers import CheckedParts, clean_answer, clean_notes
from bot.services.errors import Refused
from bot.services.questions import active_questions, question_of
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question


class ConfirmFirst(Refused):
    """The model answer of a question not attempted yet: shown only after the member confirms."""


@dataclass(frozen=True, slots=True)
class Drawn:
    """A practice question and whether the member had met it before (the pool of new ones was spent)."""

    question: Question
    met_before: bool


async def met_questions(*, session: AsyncSession, guild_id: int, user_id: int) -> dict[str, dt.datetime]:
    """Return when the member last met each question: answered as a daily prompt, or drawn for practice."""
    met: dict[str, dt.datetime] = {}
    answered = await session.execute(
        select(col(DailyPrompt.question_id), col(Answer.updated_at))
        .join(Answer, col(Answer.prompt_id) == col(DailyPrompt.id))
        .where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id)
    )
    drawn = await session.execute(
        select(col(PracticeAttempt.question_id), col(PracticeAttempt.shown_at))
        .where(col(PracticeAttempt.guild_id) == guild_id, col(PracticeAttempt.user_id) == user_id)
    )  # fmt: skip
    for question_id, when in [*answered.all(), *drawn.all()]:
        met[question_id] = max(when, met.get(question_id, when))
    return met


async def draw(
    *,
    session: AsyncSession,
    bank: QuestionBank,
    guild_id: int,
    user_id: int,
    category: str | None,
    difficulty: str | None,
    now: dt.datetime,
) -> Drawn:
    """Draw a question the member has not met (never the open prompt's), else the one they met longest ago."""
    found = await active_questions(session=session, bank=bank, guild_id=guild_id, category=category)
    pool = [f.question for f in found if difficulty is None or f.question.difficulty.value == difficulty]
    current = await prompts.current_prompt(session=session, guild_id=guild_id)
    pool = [q for q in pool if current is None or q.id != current.question_id]
    if not pool:
        raise Refused("No question matches that category and difficulty on this server.")
    met = await met_questions(session=session, guild_id=guild_id, user_id=user_id)
    new = [q for q in pool if q.id not in met]
    if new:
        question = random.Random(f"{guild_id}:{user_id}:{now.isoformat()}").choice(new)
    else:
        question = min(pool, key=lambda q: (met[q.id], q.id))
    await session.execute(
        insert_ignoring_conflicts(
            session, PracticeAttempt, {"guild_id": guild_id, "user_id": user_id, "question_id": question.id,
                                       "shown_at": now, "after_model_answer": False},
            conflict=["guild_id", "user_id", "question_id"],
        )
    )  # fmt: skip
    row = await _attempt(session, guild_id, user_id, question.id)
    assert row is not None
    row.shown_at = now
    if question.dataset is not None:
        await tries.remember(session=session, guild_id=guild_id, user_id=user_id, question_id=question.id, now=now)
    return Drawn(question, met_before=not new)


async def _attempt(session: AsyncSession, guild_id: int, user_id: int, question_id: str) -> PracticeAttempt | None:
    stmt = select(PracticeAttempt).where(
        col(PracticeAttempt.guild_id) == guild_id,
        col(PracticeAttempt.user_id) == user_id,
        col(PracticeAttempt.question_id) == question_id,
    )
    return (await session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()


async def practice_question(*, session: AsyncSession, bank: QuestionBank, guild_id: int, question_id: str) -> Question:
    """Return a practice question by id (refused when it is gone from the server's bank)."""
    question = await question_of(session=session, bank=bank, guild_id=guild_id, question_id=question_id)
    if question is None:
        raise Refused("That question is gone from this server's bank: draw another with /drill practice.")
    return question


async def attempt(
    *,
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    question_id: str,
    text: str,
    checked: CheckedParts,
    now: dt.datetime,
) -> PracticeAttempt:
    """Store (or update) the member's attempt at a drawn question; a SQL attempt's text is its notes."""
    body = clean_answer(text) if checked.query is None else clean_notes(text)
    row = await _attempt(session, guild_id, user_id, question_id)
    if row is None:
        raise Refused("Draw this question with /drill practice first.")
    row.text, row.final_answer, row.query, row.verdict = body, checked.final_answer, checked.query, checked.verdict
    row.after_model_answer = row.model_answer_opened_at is not None
    row.attempted_at = now
    await session.flush()
    return row


async def open_model_answer(
    *, session: AsyncSession, guild_id: int, user_id: int, question_id: str, confirmed: bool, now: dt.datetime
) -> PracticeAttempt:
    """Record that the member opens a practice question's model answer: after an attempt, or once they confirm."""
    row = await _attempt(session, guild_id, user_id, question_id)
    if row is None:
        raise Refused("Draw this question with /drill practice first.")
    if row.attempted_at is None and not confirmed:
        raise ConfirmFirst("You have not tried this one yet. Seeing the model answer first is fine for learning: "
                           "confirm to see it.")  # fmt: skip
    if row.model_answer_opened_at is None:
        row.model_answer_opened_at = now
    return row


async def recent_attempts(*, session: AsyncSession, guild_id: int, user_id: int, limit: int) -> list[PracticeAttempt]:
    """Return the member's latest practice attempts, newest first."""
    stmt = (
        select(PracticeAttempt)
        .where(col(PracticeAttempt.guild_id) == guild_id, col(PracticeAttempt.user_id) == user_id,
               col(PracticeAttempt.attempted_at).is_not(None))
        .order_by(col(PracticeAttempt.attempted_at).desc())
        .limit(limit)
    )  # fmt: skip
    return list(await session.scalars(stmt))
