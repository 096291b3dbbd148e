"""SQL drills through the fake Discord: answers run in the sandbox and checked, Try a query, /drill run, practice.

The bot's sandbox workers are real processes running DuckDB; one bot per test starts them at first use.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, MemberStreak, PracticeAttempt, SqlScratch
from bot.models.daily import Verdict
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.daily_support import answer_posts, at, configure, daily_posts, drain, rows, thread_of, tick_at

SQL_ID = "sql-005"  # month-over-month growth: the reference is right, its first pitfall drops the empty month
QUERY = "Your query"


@pytest.fixture
def sql_question(shipped: QuestionBank) -> Question:
    """The SQL question every test here uses."""
    question = shipped.get(SQL_ID)
    assert question is not None and question.reference and question.pitfalls
    return question


@pytest.fixture
def bank(shipped: QuestionBank, sql_question: Question) -> QuestionBank:
    """One SQL question with data and two behavioral ones (for practice)."""
    others = [shipped.get("beh-001"), shipped.get("beh-002")]
    return QuestionBank([sql_question, *(q for q in others if q is not None)])


async def post_sql_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock) -> Message:
    """Post June 1st's prompt: the SQL question."""
    await configure(fake.default.dana, fake.default.prompts, time="09:00", timezone="UTC", days="daily",
                    rotation="mon=sql,tue=behavioral")  # fmt: skip
    assert await tick_at(bot, clock, at(2026, 6, 1, 9, 0)) == 1
    return daily_posts(fake, fake.default.prompts)[-1]


async def answer_sql(actor: Actor, post: Message, query: str, notes: str = "") -> Reply:
    """Answer the SQL prompt with a query (and notes)."""
    modal = await actor.press(post, "Answer")
    assert modal.kind == "modal" and modal.modal is not None
    assert [name for name, _ in modal.modal.inputs()] == [QUERY, "Notes (optional)"]
    return await actor.submit_modal(modal, {QUERY: query, "Notes (optional)": notes}, timeout=20)


async def test_a_sql_answer_is_run_checked_and_badged(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, sql_question: Question
) -> None:
    """Right and wrong queries get private verdicts and a public badge; the query stays out of the post."""
    world = fake_discord.default
    post = await post_sql_day(fake_discord, drillbot, clock)
    assert "Try a query" in [c.get("label") for row in post.components for c in row.get("components", [])]
    assert sql_question.reference is not None
    right = await answer_sql(world.alice, post, sql_question.reference, "A calendar of months, then LAG.")
    wrong = await answer_sql(world.bob, post, sql_question.pitfalls[0].query)
    broken = await answer_sql(world.carol, post, "SELECT no_such_column FROM subscriptions")
    refused = await answer_sql(world.dana, post, "DROP TABLE subscriptions")
    assert right.ephemeral and "✅" in right.text(), right.text()
    assert "❌" in wrong.text() and "expected 12 row(s)" in wrong.text(), wrong.text()
    assert "❌" in broken.text() and "did not run" in broken.text() and "no_such_column" in broken.text()
    assert "❌" in refused.text() and "did not run" in refused.text()
    verdicts = {a.user_id: a.verdict for a in await rows(drillbot, Answer)}
    assert verdicts == {world.alice.id: Verdict.RIGHT, world.bob.id: Verdict.WRONG, world.carol.id: Verdict.WRONG,
                        world.dana.id: Verdict.WRONG}  # fmt: skip
    await drain(drillbot)
    posts = {m.embeds[0]["author"]["name"]: m for m in answer_posts(fake_discord, thread_of(fake_discord, post))}
    assert set(posts) == {"alice's answer ✅", "bob's answer ❌", "carol's answer ❌", "dana's answer ❌"}
    alice_post = posts["alice's answer ✅"]
    assert "LAG(new_subs)" not in str(alice_post.embeds) and "calendar of months" in alice_post.embeds[0]["description"]
    shown = await world.carol.press(alice_post, "Show query")
    assert shown.ephemeral and "LAG(new_subs)" in shown.content and shown.content.startswith("```sql")
    # answering again edits the answer and checks again
    fixed = await answer_sql(world.bob, post, sql_question.reference)
    assert "✅" in fixed.text() and "Answer updated" in fixed.text()
    bob = next(a for a in await rows(drillbot, Answer) if a.user_id == world.bob.id)
    assert bob.verdict == Verdict.RIGHT


async def test_try_a_query_and_drill_run_show_rows_only_to_the_caller(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Try a query opens a modal; /drill run runs at once, defaults to the last question, prefills the last query."""
    world = fake_discord.default
    post = await post_sql_day(fake_discord, drillbot, clock)
    modal = await world.alice.press(post, "Try a query")
    assert modal.kind == "modal"
    shown = await world.alice.submit_modal(modal, {"Query": "SELECT COUNT(*) AS n FROM subscriptions"}, timeout=20)
    table = shown.text().split("```")[1].strip().splitlines()
    assert shown.ephemeral and "nothing was submitted" in shown.text()
    assert table[0].strip() == "n" and table[2].strip().isdigit()
    many = await world.alice.slash("drill run", query="SELECT * FROM range(5000) t(i)", timeout=20)
    assert many.ephemeral and "+" in many.text() and "rows" in many.text() and len(many.text()) <= 2000
    bad = await world.alice.slash("drill run", query="SELECT * FROM read_csv('/etc/passwd')", timeout=20)
    assert "❌" in bad.text() and "root:" not in bad.text()
    again = await world.alice.slash("drill run")  # no query: the modal, prefilled with the last one
    assert again.kind == "modal" and again.modal is not None
    [(_, field)] = list(again.modal.inputs())
    assert field.get("value") == "SELECT * FROM read_csv('/etc/passwd')"
    choices = await world.alice.autocomplete("drill run", "question", "sql")
    assert [c["value"] for c in choices] == [SQL_ID]
    async with drillbot.db.read() as session:
        scratch = list(await session.scalars(select(SqlScratch)))
    assert [(s.user_id, s.question_id) for s in scratch] == [(world.alice.id, SQL_ID)]
    assert await rows(drillbot, Answer) == []  # nothing was submitted


async def test_practice_is_private_and_counts_nowhere(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A drawn question is never the open prompt; attempts are checked and stored; no streak moves."""
    world = fake_discord.default
    await post_sql_day(fake_discord, drillbot, clock)  # the open prompt is the SQL question
    first = await world.alice.slash("drill practice")
    second = await world.alice.slash("drill practice")
    drawn = [r.embed["title"].rsplit(" · ", 1)[-1] for r in (first, second) if r.embed]
    assert first.ephemeral and sorted(drawn) == ["beh-001", "beh-002"]  # new ones first, never sql-005
    third = await world.alice.slash("drill practice", category="behavioral")
    assert third.embed is not None and "met longest ago" in third.embed["footer"]["text"]
    model = await world.alice.press(first, "Model answer")  # before an attempt: confirm first
    assert "not tried this one yet" in model.text()
    confirmed = await world.alice.press(model, "Show the model answer")
    assert confirmed.embed is not None and confirmed.embed["title"].startswith("Model answer · ")
    form = await world.alice.press(first, "Answer")
    done = await world.alice.submit_modal(form, {"Answer": "I asked for the feedback in writing, then changed."})
    assert "Practice attempt saved" in done.text()
    async with drillbot.db.read() as session:
        attempts = list(await session.scalars(select(PracticeAttempt).where(PracticeAttempt.text.is_not(None))))  # type: ignore[union-attr]
        streaks = list(await session.scalars(select(MemberStreak)))
    assert len(attempts) == 1 and attempts[0].after_model_answer and attempts[0].user_id == world.alice.id
    assert streaks == []
    mine = await world.alice.slash("drill history")
    assert "Practice (only you see this)" in mine.text() and attempts[0].question_id in mine.text()
    seen_by_bob = await world.bob.slash("drill history", member=world.alice.user)
    assert "Practice" not in seen_by_bob.text()
    exported = await world.alice.slash("privacy export", timeout=15)
    assert any(b'"practice"' in data and attempts[0].question_id.encode() in data for _, data in exported.files)
    erase = await world.alice.slash("privacy delete")
    done = await world.alice.press(erase, "Erase my data", timeout=20)
    assert "Erased" in done.content, done.content
    async with drillbot.db.read() as session:
        assert list(await session.scalars(select(PracticeAttempt))) == []
        assert list(await session.scalars(select(SqlScratch))) == []


async def test_practice_of_a_sql_question_runs_its_query_and_becomes_the_run_default(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, sql_question: Question
) -> None:
    """A SQL practice question has Try a query; its attempt is checked; /drill run then defaults to it."""
    world = fake_discord.default
    drawn = await world.bob.slash("drill practice", category="sql")
    assert drawn.embed is not None and drawn.embed["title"].endswith(SQL_ID)
    assert drawn.labels() == ["Answer", "Try a query", "Model answer"]
    form = await world.bob.press(drawn, "Answer")
    assert sql_question.reference is not None
    done = await world.bob.submit_modal(form, {QUERY: sql_question.reference, "Notes (optional)": ""}, timeout=20)
    assert "Practice attempt saved" in done.text() and "✅" in done.text(), done.text()
    run = await world.bob.slash("drill run", query="SELECT COUNT(*) AS n FROM subscriptions", timeout=20)
    assert f"`{SQL_ID}`" in run.text() and "nothing was submitted" in run.text()
    async with drillbot.db.read() as session:
        [attempt] = list(await session.scalars(select(PracticeAttempt)))
    assert attempt.verdict == Verdict.RIGHT and attempt.query == sql_question.reference
    assert await rows(drillbot, Answer) == []  # practice is not a daily answer
