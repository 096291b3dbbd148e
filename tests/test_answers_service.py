"""Answers and reviews: one per member per prompt, edits, self-review refused, removal."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import Answer, DailyPrompt, OutboxItem, Review
from bot.services.daily import answers, posts, removals
from bot.services.errors import Refused

GUILD, ALICE, BOB = 9, 100, 200
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


async def _prompt(db: Database, day: int = 1, thread: int | None = 555) -> int:
    async with db.write() as session:
        prompt = DailyPrompt(
            guild_id=GUILD,
            local_date=dt.date(2026, 6, day),
            question_id="beh-001",
            category="behavioral",
            state="threaded",
            nonce=f"n{day}",
            channel_id=1,
            message_id=1000 + day,
            thread_id=thread,
            due_at=NOW,
            posted_at=NOW,
        )
        session.add(prompt)
        await session.flush()
        assert prompt.id is not None
        return prompt.id


async def _answer(db: Database, user: int, text: str, prompt_id: int | None = None) -> answers.AnswerResult:
    async with db.write() as session:
        return await answers.submit_answer(
            session=session,
            guild_id=GUILD,
            user_id=user,
            display_name=f"user{user}",
            text=text,
            now=NOW,
            prompt_id=prompt_id,
        )


async def _count(db: Database, model: type) -> int:
    async with db.read() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_answer_then_edit_keeps_one_counted_answer(database: Database) -> None:
    """Answering again edits the answer; it is counted once and posted once."""
    await _prompt(database)
    first = await _answer(database, ALICE, "  My first take  ")
    second = await _answer(database, ALICE, "A better take")
    assert first.created and not second.created
    assert await _count(database, Answer) == 1
    async with database.read() as session:
        stored = (await session.scalars(select(Answer))).one()
        kinds = [i.kind for i in await session.scalars(select(OutboxItem))]
    assert stored.text == "A better take"
    assert kinds == ["answer"]  # not yet posted, so the pending post shows the edit


async def test_an_edit_in_the_same_instant_still_moves_the_answers_version(database: Database) -> None:
    """A post in flight compares updated_at to catch an edit: an edit must move it even when the clock has not."""
    await _prompt(database)
    drawn = (await _answer(database, ALICE, "First take")).answer.updated_at  # what a post in flight drew
    await _answer(database, ALICE, "Edited at the same instant")
    async with database.write() as session:
        answer_id = (await session.scalars(select(Answer.id))).one()
        now = await posts.attach_answers(session=session, answer_ids=[answer_id], message_id=777)
    assert now[answer_id] > drawn


async def test_concurrent_duplicate_answers_count_once(database: Database) -> None:
    """Two concurrent submissions of the same member's answer store one row, one created."""
    await _prompt(database)
    results = await asyncio.gather(*(_answer(database, ALICE, f"take {i}") for i in range(5)))
    assert sum(r.created for r in results) == 1
    assert await _count(database, Answer) == 1


async def test_answers_go_to_the_latest_prompt_only(database: Database) -> None:
    """A button for an older prompt is refused once a newer prompt is posted."""
    old = await _prompt(database, day=1)
    await _prompt(database, day=2)
    with pytest.raises(Refused, match="closed"):
        await _answer(database, ALICE, "late", prompt_id=old)
    result = await _answer(database, ALICE, "on time")
    assert result.prompt.local_date == dt.date(2026, 6, 2)


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001])
async def test_bad_answers_are_refused_and_nothing_is_stored(database: Database, text: str) -> None:
    await _prompt(database)
    with pytest.raises(Refused):
        await _answer(database, ALICE, text)
    assert await _count(database, Answer) == 0


async def test_review_rules(database: Database) -> None:
    """Self-review and bad scores are refused; a second review by the same peer edits the first."""
    await _prompt(database)
    answer = (await _answer(database, ALICE, "answer")).answer
    assert answer.id is not None

    async def review(reviewer: int, s: int, c: int, d: int) -> answers.ReviewResult:
        async with database.write() as session:
            return await answers.submit_review(
                session=session,
                answer_id=answer.id or 0,
                reviewer_id=reviewer,
                structure=s,
                clarity=c,
                depth=d,
                comment="ok",
                now=NOW,
            )

    with pytest.raises(Refused, match="own"):
        await review(ALICE, 5, 5, 5)
    with pytest.raises(Refused, match="1 to 5"):
        await review(BOB, 6, 1, 1)
    assert (await review(BOB, 3, 4, 5)).created
    again = await review(BOB, 4, 4, 4)
    assert not again.created and (again.review.structure, again.review.depth) == (4, 4)
    assert await _count(database, Review) == 1


async def test_removing_an_answer_removes_its_reviews_and_history(database: Database) -> None:
    await _prompt(database)
    answer = (await _answer(database, ALICE, "answer")).answer
    async with database.write() as session:
        await answers.submit_review(
            session=session,
            answer_id=answer.id or 0,
            reviewer_id=BOB,
            structure=3,
            clarity=3,
            depth=3,
            comment="",
            now=NOW,
        )
        await posts.attach_answers(session=session, answer_ids=[answer.id or 0], message_id=777)
    async with database.read() as session:
        posted = await posts.content_of_message(session=session, guild_id=GUILD, message_id=777)
        page, total = await answers.history(session=session, guild_id=GUILD, user_id=ALICE, offset=0, limit=10)
    assert [a.id for a in posted.answers] == [answer.id]
    assert total == 1 and page[0].reviews == 1 and page[0].average == 3.0
    async with database.write() as session:
        assert await removals.remove_answer(session=session, guild_id=GUILD, answer_id=answer.id or 0) is not None
    assert await _count(database, Answer) == 0 and await _count(database, Review) == 0
    async with database.read() as session:
        assert (await answers.history(session=session, guild_id=GUILD, user_id=ALICE, offset=0, limit=10))[1] == 0
