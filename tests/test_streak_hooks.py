"""Answers, reviews and posts keep streaks current: counted once, closed prompts settled, removals undone."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import select, update
from sqlmodel import col

from bot.db import Database
from bot.models import DailyPrompt, OutboxItem
from bot.models.daily import OutboxKind
from bot.services import streaks
from bot.services.daily import answers, prompts, removals, reviews

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
        (result,) = await answers.submit_answers(session=session, submissions=[
            answers.Submission(guild_id=GUILD, user_id=user, display_name="m", text="an answer", now=NOW)])  # fmt: skip
    assert isinstance(result, answers.AnswerResult), result
    return result


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
        review = await reviews.submit_review(session=session, answer_id=answer.id or 0, reviewer_id=BOB,
                                             structure=4, clarity=4, depth=4, comment="", now=NOW)  # fmt: skip
    assert (await _streak(database, BOB))[2] == 1
    async with database.write() as session:
        await removals.remove_review(session=session, guild_id=GUILD, review_id=review.review.id or 0)
    assert (await _streak(database, BOB))[2] == 0
    async with database.write() as session:
        await removals.remove_answer(session=session, guild_id=GUILD, answer_id=answer.id or 0)
    assert await _streak(database, ALICE) == (0, 0, 0)


async def _milestone_items(db: Database) -> list[tuple[str, dict[str, object]]]:
    async with db.read() as session:
        rows = await session.scalars(select(OutboxItem).where(col(OutboxItem.kind) == OutboxKind.MILESTONE))
        return [(item.state, item.payload) for item in rows]


async def _reach_three(db: Database) -> answers.AnswerResult:
    result = None
    for day in (1, 2, 3):
        await _post(db, day)
        result = await _answer(db, ALICE)
    assert result is not None and result.milestone == 3
    return result


async def test_a_milestone_is_queued_in_the_outbox_for_the_prompt_thread(database: Database) -> None:
    """Reaching a milestone queues one announcement in the prompt's thread, after the answer's post."""
    result = await _reach_three(database)
    async with database.read() as session:
        items = list(await session.scalars(select(OutboxItem).order_by(col(OutboxItem.id))))
    kinds = [(i.kind, i.channel_id) for i in items if i.channel_id == result.prompt.thread_id]
    assert kinds == [("answer", 2003), (OutboxKind.MILESTONE, 2003)]
    assert items[-1].payload == {"user_id": str(ALICE), "milestone": 3}


async def test_a_removed_and_resubmitted_answer_does_not_announce_the_milestone_again(database: Database) -> None:
    """A milestone already announced is not announced again when its answer is removed and given again."""
    answer = (await _reach_three(database)).answer
    async with database.write() as session:  # the announcement went out
        await session.execute(update(OutboxItem).values(state="done"))
    async with database.write() as session:
        await removals.remove_answer(session=session, guild_id=GUILD, answer_id=answer.id or 0)
    assert (await _streak(database, ALICE))[0] == 2
    again = await _answer(database, ALICE)
    assert again.created and again.milestone is None
    assert (await _streak(database, ALICE))[0] == 3
    assert await _milestone_items(database) == [("done", {"user_id": str(ALICE), "milestone": 3})]


async def test_a_milestone_whose_answer_was_removed_before_it_went_out_is_announced_on_the_next_answer(
    database: Database,
) -> None:
    """Removing an answer drops its pending announcement; answering again announces the milestone once."""
    answer = (await _reach_three(database)).answer
    async with database.write() as session:
        await removals.remove_answer(session=session, guild_id=GUILD, answer_id=answer.id or 0)
    assert await _milestone_items(database) == []
    again = await _answer(database, ALICE)
    assert again.milestone == 3
    assert await _milestone_items(database) == [("pending", {"user_id": str(ALICE), "milestone": 3})]


async def test_a_broken_streak_announces_its_milestones_afresh(database: Database) -> None:
    """After the streak breaks, reaching the milestone again in a new streak is announced."""
    await _reach_three(database)
    await _post(database, 4)
    await _post(database, 5)  # closes day 4, which alice missed: the streak breaks
    reached = []
    for day in (6, 7, 8):
        await _post(database, day)
        reached.append((await _answer(database, ALICE)).milestone)
    assert reached == [None, None, 3]
