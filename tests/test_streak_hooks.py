"""Answers, reviews and posts keep streaks current: counted once, closed prompts settled, removals undone."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.db import Database
from bot.models import DailyPrompt
from bot.services import answers, prompts, streaks

GUILD, ALICE, BOB = 31, 1, 2
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


async def _post(db: Database, day: int) -> int:
    async with db.write() as session:
        prompt = DailyPrompt(guild_id=GUILD, local_date=dt.date(2026, 6, day), question_id="q", category="c",
                             state="claimed", nonce=f"n{day}", channel_id=1, due_at=NOW)  # fmt: skip
        session.add(prompt)
        await session.flush()
        assert prompt.id is not None
        await prompts.mark_sent(session=session, prompt_id=prompt.id, message_id=1000 + day, now=NOW)
        await prompts.mark_threaded(session=session, prompt_id=prompt.id, thread_id=2000 + day)
        return prompt.id


async def _answer(db: Database, user: int) -> answers.AnswerResult:
    async with db.write() as session:
        return await answers.submit_answer(session=session, guild_id=GUILD, user_id=user, display_name="m",
                                           text="an answer", now=NOW)  # fmt: skip


async def _streak(db: Database, user: int) -> tuple[int, int, int]:
    async with db.read() as session:
        row = await streaks.get_member(session=session, guild_id=GUILD, user_id=user)
    return (row.current, row.total_answers, row.reviews_given) if row else (0, 0, 0)


async def test_concurrent_duplicate_answers_count_once_in_the_streak(database: Database) -> None:
    await _post(database, 1)
    await asyncio.gather(*(_answer(database, ALICE) for _ in range(6)))
    assert await _streak(database, ALICE) == (1, 1, 0)


async def test_posting_the_next_prompt_settles_the_previous_one(database: Database) -> None:
    """A member who skipped a prompt loses the streak when the next prompt is posted; milestones are reported."""
    results = []
    for day in (1, 2, 3):
        await _post(database, day)
        results.append(await _answer(database, ALICE))
        if day < 3:
            await _answer(database, BOB)
    assert [r.milestone for r in results] == [None, None, 3]
    await _post(database, 4)
    await _post(database, 5)  # closes day 4, which nobody answered
    assert (await _streak(database, ALICE))[0] == 0
    assert (await _streak(database, BOB))[0] == 0


async def test_reviews_count_and_removal_uncounts(database: Database) -> None:
    await _post(database, 1)
    answer = (await _answer(database, ALICE)).answer
    async with database.write() as session:
        review = await answers.submit_review(session=session, answer_id=answer.id or 0, reviewer_id=BOB,
                                             structure=4, clarity=4, depth=4, comment="", now=NOW)  # fmt: skip
    assert (await _streak(database, BOB))[2] == 1
    async with database.write() as session:
        await answers.remove_review(session=session, guild_id=GUILD, review_id=review.review.id or 0)
    assert (await _streak(database, BOB))[2] == 0
    async with database.write() as session:
        await answers.remove_answer(session=session, guild_id=GUILD, answer_id=answer.id or 0)
    assert await _streak(database, ALICE) == (0, 0, 0)
