"""Bad content and races through the fake Discord: reviews sent twice, invisible text, deep YAML, post-now and
question adds at once, a guild's bad row in a job, and the error id a real bug still gets."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, Review
from bot.services import questions as svc
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from tests.e2e.daily_support import (
    answer_posts,
    configure,
    daily_posts,
    drain,
    notices,
    rows,
)
from tests.e2e.input_support import INVISIBLE, SCORES, clear, open_day

# --- 3. one notice per review --------------------------------------------------------------------


async def test_a_review_sent_many_times_gives_one_notice(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Bob sends two review forms, Carol twenty at once: two reviews, two notices; an edit adds none."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    form = await world.alice.press(post, "Answer")
    await world.alice.submit_modal(form, {"Answer": "I would size it bottom-up from stores and visits."})
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)

    async def reviews(actor: Actor, count: int, comment: str) -> list[Reply]:
        forms = [await actor.press(shown, "Review") for _ in range(count)]
        return list(await asyncio.gather(*(actor.submit_modal(f, {**SCORES, "Comment": comment}) for f in forms)))

    done = [*await reviews(world.bob, 2, "Good structure."), *await reviews(world.carol, 20, "Add numbers.")]
    assert all(r.ephemeral and "error id" not in r.text() for r in done)
    await drain(drillbot)
    assert len(await rows(drillbot, Review)) == 2
    sent = notices(fake_discord, thread)
    assert len(sent) == 2, [m.content for m in sent]
    await reviews(world.bob, 1, "Good structure; now quantify the impact.")
    await drain(drillbot)
    assert len(notices(fake_discord, thread)) == 2


# --- 4. invisible text -----------------------------------------------------------------------


async def test_an_invisible_answer_is_refused_everywhere(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Answers made of invisible characters are refused, by button and by command; nothing is posted."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    for index, text in enumerate(INVISIBLE):
        actor = (world.alice, world.bob, world.carol)[index % 3]
        form = await (actor.press(post, "Answer") if index % 2 else actor.slash("drill answer"))
        clear(await actor.submit_modal(form, {"Answer": text}), "empty answer")
    await drain(drillbot)
    assert await rows(drillbot, Answer) == []
    assert answer_posts(fake_discord, thread) == []


async def test_an_invisible_review_comment_is_no_comment(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A review comment of zero-width characters is stored as no comment at all."""
    world = fake_discord.default
    post, thread = await open_day(fake_discord, drillbot, clock)
    form = await world.alice.press(post, "Answer")
    await world.alice.submit_modal(form, {"Answer": "Clarify the goal, then pick a north-star metric."})
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    form = await world.bob.press(shown, "Review")
    clear(await world.bob.submit_modal(form, {**SCORES, "Comment": "\u200b\u2060 \u200b"}), "saved")
    [review] = await rows(drillbot, Review)
    assert review.comment == ""


@pytest.mark.parametrize("text", INVISIBLE)
async def test_an_invisible_question_is_not_added(fake_discord: FakeDiscord, drillbot: DrillBot, text: str) -> None:
    """/question add refuses a question (or a rubric) with nothing visible in it."""
    dana = fake_discord.default.dana
    modal = await dana.slash("question add", category="case", difficulty="easy")
    reply = await dana.submit_modal(
        modal,
        {
            "Tracks": ["business-analyst"],
            "Question": text * 10,
            "Rubric: what a strong answer covers": f"{text}\n{text}\nStates the assumptions",
        },
    )
    clear(reply, "not saved")
    async with drillbot.db.read() as session:
        assert await svc.server_questions(session=session, guild_id=fake_discord.guild.id) == []


# --- 7. deeply nested YAML -------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "questions: " + "[" * 50_000,
        "questions: " + "{a: " * 5_000,
        "questions:\n" + "".join("  " * i + "-\n" for i in range(200)),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
async def test_a_deeply_nested_import_is_refused(fake_discord: FakeDiscord, drillbot: DrillBot, body: str) -> None:
    """Too-deep documents are refused with the reason and a line; nothing is imported."""
    dana = fake_discord.default.dana
    reply = await dana.slash("question import", file=("deep.yaml", body.encode()), timeout=15)
    clear(reply, "nested more than", "Nothing was imported")


# --- 8. post-now pressed by many ---------------------------------------------------------------


async def test_twenty_post_now_make_one_post_and_twenty_links(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Twenty /drill post-now at once: one post; every caller gets its link, nobody is told it failed."""
    world = fake_discord.default
    await configure(world.dana, world.prompts, time="09:00", timezone="UTC", days="daily")
    replies = await asyncio.gather(*(world.dana.slash("drill post-now", timeout=15) for _ in range(20)))
    [post] = daily_posts(fake_discord, world.prompts)
    link = f"https://discord.com/channels/{world.guild.id}/{world.prompts.id}/{post.id}"
    for reply in replies:
        text = reply.followups[-1].content if reply.followups else reply.text()
        assert "failed" not in text.lower() and link in text, text
    assert sum("Posted:" in (r.followups[-1].content if r.followups else r.text()) for r in replies) == 1


# --- 12. the same question added twice ---------------------------------------------------------

SAME = {
    "Tracks": ["business-analyst"],
    "Question": "How would you size the market for electric scooters in Lisbon?",
    "Rubric: what a strong answer covers": "States the assumptions\nChecks the number against a second method",
}


async def test_twenty_identical_adds_store_one_question(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """Twenty identical /question add submits at once: one question; the others are told it exists."""
    dana = fake_discord.default.dana
    forms = [await dana.slash("question add", category="case", difficulty="easy") for _ in range(20)]
    replies = await asyncio.gather(*(dana.submit_modal(f, SAME) for f in forms))
    async with drillbot.db.read() as session:
        stored = await svc.server_questions(session=session, guild_id=fake_discord.guild.id)
    assert [q.id for q in stored] == ["case-s1"]
    assert sum("Added" in r.text() for r in replies) == 1
    for reply in replies:
        if "Added" not in reply.text():
            clear(reply, "already", "case-s1")
    same_spaced = {**SAME, "Question": "  how would you SIZE the market for electric scooters   in Lisbon?\u200b"}
    clear(await dana.submit_modal(await dana.slash("question add", category="case", difficulty="hard"), same_spaced),
          "already")  # fmt: skip


async def test_a_shipped_question_cannot_be_added_again(fake_discord: FakeDiscord, drillbot: DrillBot) -> None:
    """A prompt the shipped bank already asks is refused with its id."""
    dana = fake_discord.default.dana
    shipped = drillbot.bank.all()[0]
    modal = await dana.slash("question add", category="case", difficulty="easy")
    clear(await dana.submit_modal(modal, {**SAME, "Question": shipped.prompt}), "already", shipped.id)


# --- the error handler still catches real bugs ---------------------------------------------------


async def test_a_real_bug_still_gets_an_error_id(
    fake_discord: FakeDiscord, drillbot: DrillBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception inside a command is logged and answered with an error id, ephemerally."""
    from cogs import daily

    async def broken(**_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(daily.daily_today, "today", broken)
    reply = await fake_discord.default.alice.slash("drill today")
    assert reply.ephemeral and "error id" in reply.text()
