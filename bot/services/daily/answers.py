"""Answers: one per member per prompt, stored alone or a burst together, edited, and posted in the thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cache import cached
from bot.db import insert_ignoring_conflicts
from bot.models import Answer, DailyPrompt, ModelAnswerView, OutboxItem, Review
from bot.models.daily import AnswerSource, OutboxKind, Verdict
from bot.services import streaks
from bot.services.daily import prompts
from bot.services.errors import Refused
from bot.services.questions import question_of
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question
from bot.text import visible

ANSWER_MAX = 4000


async def _store_answer(session: AsyncSession, values: dict[str, Any]) -> tuple[Answer, bool]:
    """Insert a member's first answer to a prompt; return it and True, or their earlier answer and False."""
    created = await _insert_answers(session, [values])
    if values["user_id"] in created:
        return created[values["user_id"]], True
    return (await _earlier_answers(session, values["prompt_id"], [values["user_id"]]))[values["user_id"]], False


async def _insert_answers(session: AsyncSession, rows: list[dict[str, Any]]) -> dict[int, Answer]:
    """Insert first answers to a prompt (one statement for all); return those inserted by user id.

    A member who already answered (a concurrent submit, an earlier one) is skipped: not returned.
    """
    insert = insert_ignoring_conflicts(session, Answer, None, conflict=["prompt_id", "user_id"]).returning(Answer)
    return {answer.user_id: answer for answer in await session.scalars(insert, rows)}


async def _earlier_answers(session: AsyncSession, prompt_id: int, user_ids: list[int]) -> dict[int, Answer]:
    """Return members' stored answers to a prompt by user id, as they stand in the database now."""
    earlier = select(Answer).where(col(Answer.prompt_id) == prompt_id, col(Answer.user_id).in_(user_ids))
    found = await session.scalars(earlier.execution_options(populate_existing=True))
    return {answer.user_id: answer for answer in found}


def edit_version(previous: dt.datetime, now: dt.datetime) -> dt.datetime:
    """Return an edited answer's updated_at: now, or just after ``previous`` when the clock has not moved on.

    updated_at is the version an answer's post compares to catch an edit made while the post was in
    flight, so every edit must move it (a manual clock, or two edits within one microsecond).
    """
    return max(now, previous + dt.timedelta(microseconds=1))


@dataclass(frozen=True, slots=True)
class AnswerResult:
    """The stored answer and whether it is new (counted) or an edit."""

    answer: Answer
    prompt: DailyPrompt
    created: bool
    milestone: int | None = None


@dataclass(frozen=True, slots=True)
class CheckedParts:
    """What an answer's check looked at, and its verdict (None: nothing checked)."""

    final_answer: str | None = None
    query: str | None = None
    verdict: Verdict | None = None


def clean_notes(text: str) -> str:
    """Return a SQL answer's notes trimmed (they may be empty), or refuse them when too long."""
    cleaned = visible(text)
    if len(cleaned) > ANSWER_MAX:
        raise Refused(f"Notes are limited to {ANSWER_MAX} characters (yours have {len(cleaned)}); nothing was stored.")
    return cleaned


async def model_answer_opened(*, session: AsyncSession, guild_id: int, user_id: int, question_id: str) -> bool:
    """Tell whether a member has opened a question's model answer."""
    return await session.get(ModelAnswerView, (guild_id, user_id, question_id)) is not None


async def open_model_answer(
    *, session: AsyncSession, guild_id: int, user_id: int, prompt_id: int, now: dt.datetime
) -> DailyPrompt:
    """Record that a member opens a daily prompt's model answer; refused before they answered it."""
    prompt = await session.get(DailyPrompt, prompt_id)
    if prompt is None or prompt.guild_id != guild_id:
        raise Refused("That prompt is gone from this server.")
    if await my_answer(session=session, prompt_id=prompt_id, user_id=user_id) is None:
        raise Refused("The model answer opens once you have answered: give your own answer first, then compare.")
    await session.execute(
        insert_ignoring_conflicts(
            session, ModelAnswerView, {"guild_id": guild_id, "user_id": user_id, "question_id": prompt.question_id,
                                       "opened_at": now}, conflict=["guild_id", "user_id", "question_id"],
        )
    )  # fmt: skip
    return prompt


def clean_answer(text: str) -> str:
    """Return the answer text trimmed, or refuse it when empty or too long."""
    cleaned = visible(text)
    if not cleaned:
        raise Refused("An empty answer is not stored: write something visible first.")
    if len(cleaned) > ANSWER_MAX:
        raise Refused(f"Answers are limited to {ANSWER_MAX} characters (yours has {len(cleaned)}); it was not stored.")
    return cleaned


def _still_open(current: DailyPrompt | None, prompt_id: int | None) -> DailyPrompt:
    """Return the open prompt, refusing an answer to a closed one (``prompt_id``) or before its thread exists."""
    if current is None:
        raise Refused("There is no prompt to answer yet on this server.")
    if prompt_id is not None and current.id != prompt_id:
        raise Refused("That prompt is closed: a newer one has been posted. Answer today's with /drill answer.")
    if current.thread_id is None:
        raise Refused("Today's prompt is still being posted; try again in a moment.")
    return current


@dataclass(frozen=True, slots=True)
class Submission:
    """A member's answer as submitted, for ``submit_answers``.

    ``checked`` carries what the answer's check looked at (its final number or its query) and the
    verdict; a SQL answer's text is its notes, which may be empty.
    """

    guild_id: int
    user_id: int
    display_name: str
    text: str
    now: dt.datetime
    prompt_id: int | None = None
    source: AnswerSource = AnswerSource.MODAL
    source_message_id: int | None = None
    checked: CheckedParts = CheckedParts()

    def parts(self) -> dict[str, Any]:
        """Return the checked parts as Answer columns."""
        return {"final_answer": self.checked.final_answer, "query": self.checked.query,
                "verdict": self.checked.verdict}  # fmt: skip

    def body(self) -> str:
        """Return the stored text, or refuse it (a SQL answer's notes may be empty)."""
        return clean_answer(self.text) if self.checked.query is None else clean_notes(self.text)


async def submit_answers(*, session: AsyncSession, submissions: Sequence[Submission]) -> list[AnswerResult | Refused]:
    """Store members' answers (or update them) and queue their posts; per submission, in order, its result or refusal.

    A burst of first answers costs the statements of one: the answers, their posts, the streaks and
    the tallies each go in one statement for the whole burst. Edits, rarer, go one by one. A
    member's second submission in the same burst is an edit of their first.
    """
    results: dict[int, AnswerResult | Refused] = {}
    bodies: dict[int, str] = {}  # the stored text of each accepted submission
    by_guild: dict[int, list[int]] = {}
    for index, submission in enumerate(submissions):
        by_guild.setdefault(submission.guild_id, []).append(index)
    for guild_id, indexes in by_guild.items():
        current = await prompts.current_prompt(session=session, guild_id=guild_id)
        first: dict[int, int] = {}  # user id -> index of the member's first submission
        repeats: list[int] = []
        for index in indexes:
            submission = submissions[index]
            try:
                bodies[index] = submission.body()
                _still_open(current, submission.prompt_id)
            except Refused as refused:
                results[index] = refused
                continue
            if submission.user_id in first:
                repeats.append(index)
            else:
                first[submission.user_id] = index
        if not first:
            continue
        assert current is not None and current.id is not None and current.thread_id is not None
        created = await _insert_answers(
            session, [_answer_row(current, submissions[i], bodies[i]) for i in first.values()]
        )
        await _queue_posts(session, current, list(created.values()))
        milestones = await _count_new_answers(session, current, list(created.values()))
        for user_id, answer in created.items():
            results[first[user_id]] = AnswerResult(answer, current, True, milestones.get(user_id))
        earlier = [user_id for user_id in first if user_id not in created]
        stored = await _earlier_answers(session, current.id, earlier) if earlier else {}
        for index in [first[user_id] for user_id in earlier] + repeats:
            submission = submissions[index]
            answer = stored.get(submission.user_id) or created[submission.user_id]
            await _edit_answer(session, current, answer, submission, bodies[index])
            results[index] = AnswerResult(answer, current, False)
    await session.flush()
    return [results[index] for index in range(len(submissions))]


def _answer_row(prompt: DailyPrompt, submission: Submission, body: str) -> dict[str, Any]:
    return {"prompt_id": prompt.id, "guild_id": submission.guild_id, "user_id": submission.user_id,
            "display_name": submission.display_name[:100], "text": body, "source": submission.source,
            "source_message_id": submission.source_message_id, "created_at": submission.now,
            "updated_at": submission.now, **submission.parts()}  # fmt: skip


async def _queue_posts(session: AsyncSession, prompt: DailyPrompt, answers: list[Answer]) -> None:
    """Queue new answers' posts in the prompt's thread (one statement: no object needs its id back)."""
    if answers:
        posts: list[dict[str, Any]] = [
            {"guild_id": answer.guild_id, "channel_id": prompt.thread_id, "kind": OutboxKind.ANSWER,
             "ref_id": answer.id, "payload": {}} for answer in answers
        ]  # fmt: skip
        await session.execute(insert(OutboxItem), posts)


async def _count_new_answers(session: AsyncSession, prompt: DailyPrompt, answers: list[Answer]) -> dict[int, int]:
    """Count new answers in their authors' streaks and queue milestone notes; return the milestones by user id."""
    if not answers:
        return {}
    counted = await streaks.record_answers(session=session, guild_id=prompt.guild_id,
                                           user_ids=[answer.user_id for answer in answers],
                                           prompt_date=prompt.local_date)  # fmt: skip
    milestones = {}
    for answer in answers:
        milestone = counted[answer.user_id].milestone
        queue_milestone(session, prompt, answer, milestone)
        if milestone is not None:
            milestones[answer.user_id] = milestone
    return milestones


async def _edit_answer(
    session: AsyncSession, prompt: DailyPrompt, answer: Answer, submission: Submission, body: str
) -> None:
    """Replace a stored answer with a new submission, and queue the edit of its post when it was posted."""
    answer.text = body
    answer.display_name = submission.display_name[:100]
    answer.updated_at = edit_version(answer.updated_at, submission.now)
    for name, value in submission.parts().items():
        setattr(answer, name, value)
    answer.after_model_answer = await model_answer_opened(
        session=session, guild_id=answer.guild_id, user_id=answer.user_id, question_id=prompt.question_id
    )
    if answer.post_message_id is not None:
        session.add(OutboxItem(guild_id=answer.guild_id, channel_id=prompt.thread_id or 0,
                               kind=OutboxKind.ANSWER_EDIT, ref_id=answer.id))  # fmt: skip


def queue_milestone(session: AsyncSession, prompt: DailyPrompt, answer: Answer, milestone: int | None) -> None:
    """Queue a milestone's announcement in the prompt's thread, after the answer's post, at the thread's pace."""
    if milestone is None or prompt.thread_id is None:
        return
    session.add(
        OutboxItem(guild_id=answer.guild_id, channel_id=prompt.thread_id, kind=OutboxKind.MILESTONE, ref_id=answer.id,
                   payload={"user_id": str(answer.user_id), "milestone": milestone})
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One answered prompt in a member's history."""

    prompt: DailyPrompt
    answer: Answer
    reviews: int
    average: float | None


async def history(
    *, session: AsyncSession, guild_id: int, user_id: int, offset: int, limit: int
) -> tuple[list[HistoryEntry], int]:
    """Return a page of the prompts a member answered, newest first, and the total count."""
    total = (
        await session.execute(
            select(func.count())
            .select_from(Answer)
            .where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id)
        )
    ).scalar_one()
    avg = (func.avg(Review.structure) + func.avg(Review.clarity) + func.avg(Review.depth)) / 3
    stmt = (
        select(DailyPrompt, Answer, func.count(col(Review.id)), avg)
        .join(Answer, col(Answer.prompt_id) == col(DailyPrompt.id))
        .outerjoin(Review, col(Review.answer_id) == col(Answer.id))
        .where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id)
        .group_by(col(DailyPrompt.id), col(Answer.id))
        .order_by(col(DailyPrompt.local_date).desc())
        .offset(offset)
        .limit(limit)
    )
    rows = (await session.execute(stmt)).all()
    return [HistoryEntry(p, a, int(n), float(m) if m is not None else None) for p, a, n, m in rows], int(total)


async def query_of(*, session: AsyncSession, answer_id: int) -> str:
    """Return a SQL answer's query (refused when the answer is gone or has none)."""
    answer = await session.get(Answer, answer_id)
    if answer is None or answer.query is None:
        raise Refused("That answer was removed, or has no query.")
    return answer.query


async def my_answer(*, session: AsyncSession, prompt_id: int, user_id: int) -> Answer | None:
    """Return a member's answer to a prompt, if any."""
    stmt = select(Answer).where(col(Answer.prompt_id) == prompt_id, col(Answer.user_id) == user_id)
    return (await session.scalars(stmt)).first()


async def question_of_prompt(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, prompt_id: int
) -> Question | None:
    """Return the question a prompt of this server asked (None when the prompt or its question is gone).

    A prompt's server and question never change, so every Answer submit of a burst after the first
    finds them in memory (``cached``); a shipped question needs no query at all.
    """

    async def load() -> tuple[int, str] | None:
        prompt = await session.get(DailyPrompt, prompt_id)
        return (prompt.guild_id, prompt.question_id) if prompt else None

    asked = await cached(session, DailyPrompt.__tablename__, prompt_id, load)
    if asked is None or asked[0] != guild_id:
        return None
    return await question_of(session=session, bank=bank, guild_id=guild_id, question_id=asked[1])


@dataclass(frozen=True, slots=True)
class AnswerForm:
    """What the Answer modal opens with: the prompt, its question (None if removed), the member's earlier answer."""

    prompt: DailyPrompt
    question: Question | None
    earlier: Answer | None


async def answer_form(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, user_id: int, prompt_id: int | None
) -> AnswerForm:
    """Return the open prompt a member would answer (refused when closed or not posted yet) and their answer."""
    current, earlier = await prompts.current_prompt_and_answer(session=session, guild_id=guild_id, user_id=user_id)
    prompt = _still_open(current, prompt_id)
    question = await question_of(session=session, bank=bank, guild_id=guild_id, question_id=prompt.question_id)
    return AnswerForm(prompt, question, earlier)


async def submit_thread_message(
    *,
    session: AsyncSession,
    guild_id: int,
    thread_id: int,
    user_id: int,
    display_name: str,
    text: str,
    message_id: int,
    now: dt.datetime,
) -> AnswerResult | None:
    """Count a plain message in the open prompt's thread as the member's answer (first one only).

    The message itself is the visible answer, so nothing is reposted. None when the thread is not
    the open prompt's, or the member already answered another way.
    """
    prompt = await prompts.current_prompt(session=session, guild_id=guild_id)
    if prompt is None or prompt.thread_id != thread_id or prompt.id is None:
        return None
    body = clean_answer(text)
    existing = await my_answer(session=session, prompt_id=prompt.id, user_id=user_id)
    if existing is not None:
        if existing.source == AnswerSource.MESSAGE and existing.source_message_id == message_id:
            existing.text = body
            existing.updated_at = edit_version(existing.updated_at, now)
            return AnswerResult(existing, prompt, created=False)
        return None
    answer, created = await _store_answer(
        session,
        {"prompt_id": prompt.id, "guild_id": guild_id, "user_id": user_id, "display_name": display_name[:100],
         "text": body, "source": AnswerSource.MESSAGE, "source_message_id": message_id, "created_at": now,
         "updated_at": now},
    )  # fmt: skip
    milestones = await _count_new_answers(session, prompt, [answer] if created else [])
    return AnswerResult(answer, prompt, created=created, milestone=milestones.get(user_id))
