"""What /drill today shows a member: the open prompt, whether they answered it, and a practice suggestion."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import DailyPrompt
from bot.services.daily import prompts
from bot.services.errors import Refused
from bot.services.feedback import stats
from bot.services.questions import question_of
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question


@dataclass(frozen=True, slots=True)
class Today:
    """The open prompt and its question, whether the member answered it, and a past prompt to practise."""

    prompt: DailyPrompt
    question: Question
    answered: bool
    practice: tuple[DailyPrompt, Question] | None


async def today(*, session: AsyncSession, bank: QuestionBank, guild_id: int, user_id: int) -> Today:
    """Return what /drill today shows ``user_id``; refused when no prompt was posted or its question is gone."""
    prompt, mine = await prompts.current_prompt_and_answer(session=session, guild_id=guild_id, user_id=user_id)
    if prompt is None:
        raise Refused("No prompt has been posted on this server yet.")
    question = await question_of(session=session, bank=bank, guild_id=guild_id, question_id=prompt.question_id)
    if question is None:
        raise Refused("Today's question was removed from this server's bank.")
    practice = None
    past = await stats.practice_suggestion(session=session, guild_id=guild_id, user_id=user_id,
                                           exclude_prompt_id=prompt.id)  # fmt: skip
    if past is not None:
        suggested = await question_of(session=session, bank=bank, guild_id=guild_id, question_id=past.question_id)
        practice = (past, suggested) if suggested else None
    return Today(prompt, question, mine is not None, practice)
