"""Answers and reviews: one per member per prompt, edits, self-review refused, removal."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlmodel import col

from bot.db import Database
from bot.models import Answer, DailyPrompt, MemberStreak, OutboxItem, PeriodStat, Review, StreakDay
from bot.services import streaks
from bot.services.daily import answers, posts, removals, reviews
from bot.services.errors import Refused
from bot.services.questions.bank import QuestionBank

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
    """Store one answer as the Answer modal does; its refusal is raised."""
    submission = _submission(user, text, prompt_id=prompt_id)
    async with db.write() as session:
        (result,) = await answers.submit_answers(session=session, submissions=[submission])
    if isinstance(result, Refused):
        raise result
    return result


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

    async def review(reviewer: int, s: int, c: int, d: int) -> reviews.ReviewResult:
        async with database.write() as session:
            return await reviews.submit_review(
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
        await reviews.submit_review(
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


async def test_a_prompts_question_is_read_once_and_only_for_its_own_server(database: Database) -> None:
    """Every Answer submit looks up its prompt's question: the prompt is read once, then held."""
    bank = QuestionBank.load()
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    async def question_of(guild_id: int, prompt_id: int) -> str | None:
        async with database.read() as session:
            found = await answers.question_of_prompt(session=session, bank=bank, guild_id=guild_id,
                                                     prompt_id=prompt_id)  # fmt: skip
        return found.id if found else None

    assert await question_of(GUILD, 1) is None  # not posted yet
    prompt_id = await _prompt(database)  # the write drops what was held for the table
    event.listen(database.read_engine.sync_engine, "before_cursor_execute", count)
    try:
        assert [await question_of(GUILD, prompt_id) for _ in range(3)] == ["beh-001"] * 3
        assert await question_of(GUILD + 1, prompt_id) is None  # another server's prompt id
    finally:
        event.remove(database.read_engine.sync_engine, "before_cursor_execute", count)
    assert statements == 1


def _submission(user: int, text: str, *, prompt_id: int | None = None) -> answers.Submission:
    return answers.Submission(guild_id=GUILD, user_id=user, display_name=f"user{user}", text=text, now=NOW,
                              prompt_id=prompt_id)  # fmt: skip


async def _submit_together(db: Database, submissions: list[answers.Submission]) -> tuple[list[Any], int]:
    """Store submissions in one transaction; return their results and how many statements it ran."""
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(db.write_engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.write() as session:
            results = await answers.submit_answers(session=session, submissions=submissions)
    finally:
        event.remove(db.write_engine.sync_engine, "before_cursor_execute", count)
    return results, statements


async def test_a_burst_of_answers_is_stored_together_each_with_its_own_outcome(database: Database) -> None:
    """New answers, an edit, a member's repeat and a refusal in one transaction: each gets what it would alone."""
    await _prompt(database)
    await _answer(database, BOB, "Bob's earlier take")
    members = list(range(1000, 1030))
    batch = [_submission(m, f"take of {m}") for m in members]
    batch += [_submission(BOB, "Bob's better take"), _submission(ALICE, "   "), _submission(members[0], "second go")]
    results, _statements = await _submit_together(database, batch)

    assert [isinstance(r, answers.AnswerResult) and r.created for r in results[:30]] == [True] * 30
    edit, refused, repeat = results[30:]
    assert isinstance(edit, answers.AnswerResult) and not edit.created and edit.answer.text == "Bob's better take"
    assert isinstance(refused, Refused) and "empty" in str(refused)
    assert isinstance(repeat, answers.AnswerResult) and not repeat.created
    async with database.read() as session:
        stored = {a.user_id: a.text for a in await session.scalars(select(Answer))}
        posts = [(i.kind, i.ref_id) for i in await session.scalars(select(OutboxItem))]
        rows = {s.user_id: s for s in await session.scalars(select(MemberStreak))}
        tallies = list(await session.scalars(select(PeriodStat)))
        days = list(await session.scalars(select(StreakDay)))
    assert len(stored) == 31 and ALICE not in stored
    assert stored[members[0]] == "second go" and stored[BOB] == "Bob's better take"
    assert sorted(kind for kind, _ref in posts) == ["answer"] * 31  # the edits are folded into unposted posts
    assert all(rows[m].current == 1 and rows[m].total_answers == 1 for m in [*members, BOB])
    assert len(tallies) == 2 * 31 and all(t.answers == 1 for t in tallies)
    assert len(days) == 31


async def test_a_burst_of_new_answers_runs_the_statements_of_one(database: Database) -> None:
    """Thirty first answers cost the same statements as one: each row kind is one statement for all."""
    await _prompt(database)
    await _answer(database, BOB, "the server's streak settings are now held in memory")
    _one, alone = await _submit_together(database, [_submission(ALICE, "one")])
    _many, together = await _submit_together(database, [_submission(m, "take") for m in range(1000, 1030)])
    assert together == alone


async def test_streaks_counted_together_match_streaks_counted_one_by_one(database: Database) -> None:
    """Members with different histories (a gap kept by a freeze, a broken streak, none) count alike either way."""
    histories = {1: [1, 2, 3, 4, 5, 6, 7], 2: [1, 2], 3: [5, 7], 4: []}  # answered days of June, before the 9th
    results = {}
    for guild in (21, 22):
        async with database.write() as session:
            for day in range(1, 10):
                session.add(DailyPrompt(guild_id=guild, local_date=dt.date(2026, 6, day), question_id="beh-001",
                                        category="behavioral", state="threaded", nonce=f"g{guild}d{day}",
                                        channel_id=1, message_id=day, thread_id=day, due_at=NOW,
                                        posted_at=NOW))  # fmt: skip
        for day in range(1, 9):
            for user, answered in histories.items():
                if day in answered:
                    async with database.write() as session:
                        await streaks.record_answers(session=session, guild_id=guild, user_ids=[user],
                                                     prompt_date=dt.date(2026, 6, day))  # fmt: skip
        nine = dt.date(2026, 6, 9)
        async with database.write() as session:
            if guild == 21:
                counted = {}
                for u in histories:  # one member at a time, in one transaction
                    counted |= await streaks.record_answers(session=session, guild_id=guild, user_ids=[u],
                                                            prompt_date=nine)  # fmt: skip
            else:
                counted = await streaks.record_answers(session=session, guild_id=guild, user_ids=list(histories),
                                                       prompt_date=nine)  # fmt: skip
        async with database.read() as session:
            members = await session.scalars(select(MemberStreak).where(col(MemberStreak.guild_id) == guild))
            rows = {r.user_id: (r.current, r.best, r.freezes, r.frozen_in_streak, r.total_answers,
                                r.milestone_announced) for r in members}  # fmt: skip
            marked = await session.scalars(select(StreakDay).where(col(StreakDay.guild_id) == guild))
            days = sorted((d.user_id, d.local_date, d.status, d.streak_after) for d in marked)
        results[guild] = (counted, rows, days)
    assert results[21] == results[22]
    assert (1, dt.date(2026, 6, 8), "frozen", 7) in results[21][2]  # a freeze kept member 1's streak
    assert results[21][1][1][0] == 8 and results[21][1][2][0] == 1  # and member 2's broke
