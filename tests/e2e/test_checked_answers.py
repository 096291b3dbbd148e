"""Checked answers through the fake Discord: a final number checked, model answers after answering."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, ModelAnswerView
from bot.models.daily import Verdict
from bot.services.questions.bank import QuestionBank
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.daily_support import answer_posts, at, configure, daily_posts, drain, rows, thread_of, tick_at

NUMERIC = "stat-024"  # P(B > A), answer 0.97 within 0.005
FINAL = "Final answer (optional, checked)"


@pytest.fixture
def bank(shipped: QuestionBank) -> QuestionBank:
    """A bank of one numeric statistics question and one behavioral question, so the day's question is known."""
    chosen = [shipped.get(NUMERIC), shipped.get("beh-001")]
    assert all(q is not None for q in chosen)
    return QuestionBank([q for q in chosen if q is not None])


async def post(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, day: int) -> Message:
    """Post June ``day``'s prompt (daily 09:00 UTC, statistics first) and return it."""
    if day == 1:
        await configure(fake.default.dana, fake.default.prompts, time="09:00", timezone="UTC", days="daily",
                        rotation="mon=statistics-probability,tue=behavioral")  # fmt: skip
    assert await tick_at(bot, clock, at(2026, 6, day, 9, 0)) == 1
    return daily_posts(fake, fake.default.prompts)[-1]


async def answer(actor: Actor, post: Message, text: str, final: str | None = None) -> Reply:
    """Answer through the post's button, with a final number when given."""
    modal = await actor.press(post, "Answer")
    assert modal.kind == "modal", modal.content
    values = {"Answer": text, **({FINAL: final} if final is not None else {})}
    return await actor.submit_modal(modal, values)


async def test_a_final_number_is_checked_and_badged(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """0.97 and 97% are right, 0.5 is wrong (privately, then a public badge); words are saved without a badge."""
    world = fake_discord.default
    day1 = await post(fake_discord, drillbot, clock, 1)
    modal = await world.alice.press(day1, "Answer")
    assert modal.modal is not None and FINAL in [name for name, _ in modal.modal.inputs()]
    said = {
        "alice": await world.alice.submit_modal(modal, {"Answer": "Beta posteriors, sample.", FINAL: "0.97"}),
        "bob": await answer(world.bob, day1, "Simulate both posteriors.", "97%"),
        "carol": await answer(world.carol, day1, "Compare the means.", "0.5"),
        "dana": await answer(world.dana, day1, "It is likely.", "about 0.97"),
    }
    assert "✅" in said["alice"].text() and "✅" in said["bob"].text()
    assert "❌" in said["carol"].text() and "not the expected number" in said["carol"].text()
    assert "could not read a number" in said["dana"].text() and "✅" not in said["dana"].text()
    assert all(r.ephemeral for r in said.values())
    stored = {a.user_id: a for a in await rows(drillbot, Answer)}
    assert stored[world.alice.id].verdict == Verdict.RIGHT and stored[world.alice.id].final_answer == "0.97"
    assert stored[world.carol.id].verdict == Verdict.WRONG
    assert stored[world.dana.id].verdict is None and stored[world.dana.id].final_answer == "about 0.97"
    await drain(drillbot)
    authors = [m.embeds[0]["author"]["name"] for m in answer_posts(fake_discord, thread_of(fake_discord, day1))]
    assert sorted(authors) == sorted(["alice's answer ✅", "bob's answer ✅", "carol's answer ❌", "dana's answer"])


async def test_the_model_answer_opens_only_after_answering_and_marks_later_edits(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """No Model answer button before answering; after, it shows the solution; an edit then is marked."""
    world = fake_discord.default
    day1 = await post(fake_discord, drillbot, clock, 1)
    before = await world.alice.slash("drill today")
    assert "Model answer" not in before.labels()
    done = await answer(world.alice, day1, "Beta posteriors; P(B > A) by simulation.", "0.5")
    assert "Model answer" in done.labels() and "❌" in done.text()
    today = await world.alice.slash("drill today")
    assert "Model answer" in today.labels()
    shown = await world.alice.press(done.message or today.message, "Model answer")
    assert shown.ephemeral and shown.embed is not None and shown.embed["title"] == f"Model answer · {NUMERIC}"
    assert "**Answer:**" in shown.embed["description"]
    async with drillbot.db.read() as session:
        opened = list(await session.scalars(select(ModelAnswerView)))
    assert [(v.user_id, v.question_id) for v in opened] == [(world.alice.id, NUMERIC)]
    again = await answer(world.alice, day1, "Beta posteriors; P(B > A) by simulation.", "0.97")
    assert "✅" in again.text()
    [mine] = await rows(drillbot, Answer)
    assert mine.verdict == Verdict.RIGHT and mine.after_model_answer
    await drain(drillbot)
    [posted] = answer_posts(fake_discord, thread_of(fake_discord, day1))
    assert posted.embeds[0]["author"]["name"] == "alice's answer ✅ after model answer"


async def test_the_closed_prompts_model_answer_is_posted_in_its_thread(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """When the next prompt is posted, the closed prompt's thread gets its model answer, once."""
    day1 = await post(fake_discord, drillbot, clock, 1)
    thread = thread_of(fake_discord, day1)
    await drain(drillbot)
    assert not any(
        m.embeds and m.embeds[0].get("title", "").startswith("Model answer") for m in fake_discord.messages(thread)
    )
    await post(fake_discord, drillbot, clock, 2)
    await drain(drillbot)
    await drain(drillbot)
    posted = [
        m for m in fake_discord.messages(thread) if m.embeds and m.embeds[0].get("title", "").startswith("Model answer")
    ]
    assert len(posted) == 1 and posted[0].embeds[0]["title"] == f"Model answer · {NUMERIC}"
