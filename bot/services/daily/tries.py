"""Trying a query on a SQL question's data (Try a query, /drill run): which question, and the last query tried.

Nothing here is an answer: a try is never submitted, counted or shown to anyone else.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import upsert
from bot.models import SqlScratch
from bot.services.daily import prompts
from bot.services.errors import Refused
from bot.services.questions import active_questions, question_of
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question

SUGGESTIONS = 25  # an autocomplete answers with at most 25 choices


async def sql_questions(*, session: AsyncSession, bank: QuestionBank, guild_id: int, typed: str = "") -> list[Question]:
    """Return the server's SQL questions that carry data, matching what was typed (id or words of the prompt)."""
    needle = typed.strip().lower()
    found = [f.question for f in await active_questions(session=session, bank=bank, guild_id=guild_id, category="sql")]
    with_data = [q for q in found if q.dataset is not None]
    return [q for q in with_data if needle in q.id or needle in q.prompt.lower()][:SUGGESTIONS]


async def question_to_try(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, user_id: int, question_id: str | None
) -> Question:
    """Return the question named, or the one the member tried last, or the open prompt when it is SQL with data."""
    if question_id is None:
        last = await session.get(SqlScratch, (guild_id, user_id))
        if last is not None:
            question_id = last.question_id
        else:
            current = await prompts.current_prompt(session=session, guild_id=guild_id)
            question_id = current.question_id if current is not None else None
    question = None
    if question_id is not None:
        question = await question_of(session=session, bank=bank, guild_id=guild_id, question_id=question_id.strip())
    if question is None or question.dataset is None:
        named = f"`{question_id[:40]}` is not" if question_id else "There is no"
        raise Refused(f"{named} a SQL question with data to run a query on: pick one in `question` (start typing).")
    return question


async def last_query(*, session: AsyncSession, guild_id: int, user_id: int) -> str | None:
    """Return the query the member tried last, if any."""
    last = await session.get(SqlScratch, (guild_id, user_id))
    return last.query if last is not None and last.query else None


async def remember(
    *, session: AsyncSession, guild_id: int, user_id: int, question_id: str, now: dt.datetime, query: str | None = None
) -> None:
    """Keep the member's latest SQL question (the default of /drill run) and, when given, their latest query."""
    values = {"guild_id": guild_id, "user_id": user_id, "question_id": question_id, "query": query or "",
              "updated_at": now}  # fmt: skip
    update = {"question_id": question_id, "updated_at": now, **({"query": query} if query is not None else {})}
    await session.execute(upsert(session, SqlScratch, values, conflict=["guild_id", "user_id"], update=update))
