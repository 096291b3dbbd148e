"""Answers, reviews, moderation and history through the fake Discord."""

from __future__ import annotations

import pytest

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.services.daily.answers import ANSWER_MAX
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Message
from tests.e2e.conftest import BotFactory
from tests.e2e.daily_support import (
    answer_posts,
    answer_values,
    answers_of,
    at,
    configure,
    daily_posts,
    drain,
    notices,
    pending_outbox,
    prompts_of,
    reviews_of,
    thread_of,
    tick_at,
)
from tests.eventually import eventually

SCORES = {"Structure": ["4"], "Clarity": ["5"], "Depth": ["3"]}


async def post_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, day: int = 1) -> tuple[Message, Channel]:
    """Post the daily prompt of June ``day`` (configuring daily 09:00 UTC first); return the post and thread."""
    if not await prompts_of(bot, fake.guild.id):
        await configure(fake.default.dana, fake.default.prompts, time="09:00", timezone="UTC", days="daily")
    assert await tick_at(bot, clock, at(2026, 6, day, 9, 0)) == 1
    post = daily_posts(fake, fake.default.prompts)[-1]
    return post, thread_of(fake, post)


async def answer(actor: Actor, post: Message | None, text: str) -> Reply:
    """Answer with the post's Answer button (or /drill answer when ``post`` is None)."""
    modal = await (actor.press(post, "Answer") if post is not None else actor.slash("drill answer"))
    assert modal.kind == "modal", modal.content
    return await actor.submit_modal(modal, answer_values(modal, text))


async def review(actor: Actor, message: Message, comment: str = "", key: str = "Review", **scores: str) -> Reply:
    """Review the answer behind ``key`` on an answer message."""
    modal = await actor.press(message, key)
    assert modal.kind == "modal", modal.content
    values = {**SCORES, **{k.title(): [v] for k, v in scores.items()}, "Comment": comment}
    return await actor.submit_modal(modal, values)


def modal_value(reply: Reply, label: str) -> object:
    """Return the pre-filled value (text) or default option (select) of a modal field."""
    assert reply.modal is not None
    component = next(c for name, c in reply.modal.inputs() if name == label)
    if component["type"] == 4:
        return component.get("value")
    return [o["value"] for o in component["options"] if o.get("default")]


async def test_the_answer_button_stores_and_posts_the_answer(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Answer → modal → an immediate ephemeral reply; the thread then shows the answer with a Review button."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    done = await answer(world.alice, post, "  @everyone I led the churn model rebuild; retention rose 3%.  ")
    assert done.ephemeral and done.callback_type == 4 and f"<#{thread.id}>" in done.content
    [row] = await answers_of(drillbot)
    assert (row.user_id, row.source) == (world.alice.id, "modal")
    assert row.text == "@everyone I led the churn model rebuild; retention rose 3%."  # trimmed
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    assert shown.author.bot and shown.allowed_mentions == {"parse": []} and shown.content == ""
    assert shown.embeds[0]["author"]["name"].startswith("alice")
    assert "retention rose 3%" in shown.embeds[0]["description"]
    assert [c["custom_id"] for c in shown.components[0]["components"]] == [f"drill:review:{row.id}"]
    [stored] = await answers_of(drillbot)
    assert stored.post_message_id == shown.id


async def test_answering_again_prefills_and_edits_in_place(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/drill answer a second time shows the earlier text and edits the same row and thread message."""
    world = fake_discord.default
    _post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.bob, None, "First draft.")
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    modal = await world.bob.slash("drill answer")
    assert modal_value(modal, "Answer") == "First draft."
    updated = await world.bob.submit_modal(modal, answer_values(modal, "Second, better draft."))
    assert updated.ephemeral and "updated" in updated.content
    await drain(drillbot)
    [row] = await answers_of(drillbot)
    assert row.text == "Second, better draft." and row.post_message_id == shown.id
    assert answer_posts(fake_discord, thread) == [shown]
    assert shown.edited_timestamp is not None and shown.embeds[0]["description"] == "Second, better draft."


async def test_blank_and_too_long_answers_are_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A blank answer gets a clear error and stores nothing; the field itself stops text over 4,000 chars."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    blank = await answer(world.alice, post, "    \n  ")
    assert blank.ephemeral and "empty" in blank.content and "not stored" in blank.content
    modal = await world.alice.press(post, "Answer")
    assert modal.modal is not None and modal.modal.inputs()[0][1]["max_length"] == ANSWER_MAX
    with pytest.raises(AssertionError, match="length"):
        await world.alice.submit_modal(modal, answer_values(modal, "x" * (ANSWER_MAX + 1)))
    await drain(drillbot)
    assert await answers_of(drillbot) == [] and answer_posts(fake_discord, thread) == []


async def test_an_old_prompts_answer_is_refused_after_the_next_prompt(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Once Tuesday's prompt is out, Monday's Answer button and a Monday modal are refused."""
    world = fake_discord.default
    monday, _ = await post_day(fake_discord, drillbot, clock, day=1)
    stale_modal = await world.carol.press(monday, "Answer")
    await post_day(fake_discord, drillbot, clock, day=2)
    pressed = await world.alice.press(monday, "Answer")
    assert pressed.kind == "message" and pressed.ephemeral and "closed" in pressed.content
    submitted = await world.carol.submit_modal(stale_modal, answer_values(stale_modal, "Too late"))
    assert submitted.ephemeral and "closed" in submitted.content
    assert await answers_of(drillbot) == []


async def test_drill_today_shows_the_prompt_and_its_thread(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/drill today: an error before any prompt; then the prompt, a thread link and whether you answered."""
    world = fake_discord.default
    early = await world.alice.slash("drill today")
    assert early.ephemeral and early.embed is None and "No prompt" in early.content
    post, thread = await post_day(fake_discord, drillbot, clock)
    today = await world.alice.slash("drill today")
    assert today.ephemeral and today.embed is not None
    assert today.embed["description"] == post.embeds[0]["description"]
    assert f"/{world.guild.id}/{thread.id}" in today.text() and "not answered" in today.text()
    await answer(world.alice, None, "Done.")
    assert "answered ✅" in (await world.alice.slash("drill today")).text()


async def test_a_peer_review_is_stored_and_the_author_told(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Bob reviews Alice's answer: one row, a notice pinging only Alice, the average on her answer."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "My answer")
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    done = await review(world.bob, shown, "Clear structure; quantify the impact.", depth="2")
    assert done.ephemeral and "saved" in done.content
    [row] = await reviews_of(drillbot)
    assert (row.reviewer_id, row.structure, row.clarity, row.depth) == (world.bob.id, 4, 5, 2)
    assert row.comment == "Clear structure; quantify the impact."
    await drain(drillbot)
    [notice] = notices(fake_discord, thread)
    assert notice.content.startswith(world.alice.mention) and world.bob.mention not in notice.content
    assert notice.allowed_mentions == {"parse": [], "users": [world.alice.id]}
    assert "quantify the impact" in str(notice.embeds) and row.notice_message_id in (None, notice.id)
    assert "1 review(s) · average 3.7/5" in shown.embeds[0]["footer"]["text"]


async def test_reviewing_your_own_answer_is_refused(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The author pressing Review on their own answer gets an error and no modal."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "Mine")
    await drain(drillbot)
    refused = await world.alice.press(answer_posts(fake_discord, thread)[0], "Review")
    assert refused.kind == "message" and refused.ephemeral and "own answer" in refused.content
    assert await reviews_of(drillbot) == []


async def test_reviewing_again_prefills_and_edits_one_review(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A second review by the same peer shows the first one and updates it: one row, one notice."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "Answer")
    await drain(drillbot)
    shown = answer_posts(fake_discord, thread)[0]
    await review(world.carol, shown, "ok")
    await drain(drillbot)
    modal = await world.carol.press(shown, "Review")
    assert modal_value(modal, "Structure") == ["4"] and modal_value(modal, "Comment") == "ok"
    weak = {"Structure": ["1"], "Clarity": ["1"], "Depth": ["1"], "Comment": "on reflection, weak"}
    again = await world.carol.submit_modal(modal, weak)
    assert "updated" in again.content
    await drain(drillbot)
    [row] = await reviews_of(drillbot)
    assert (row.structure, row.clarity, row.depth, row.comment) == (1, 1, 1, "on reflection, weak")
    [notice] = notices(fake_discord, thread)
    assert row.notice_message_id == notice.id and "on reflection, weak" in str(notice.embeds)
    assert "average 1.0/5" in shown.embeds[0]["footer"]["text"]


async def test_an_admin_removes_an_answer_and_its_reviews(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """ "Remove from drill" on an answer post deletes the message, the answer row and its reviews."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "To be removed")
    await answer(world.bob, post, "Stays")
    await drain(drillbot)
    alice_post, bob_post = answer_posts(fake_discord, thread)
    await review(world.bob, alice_post)
    await review(world.carol, bob_post)
    await drain(drillbot)
    reply = await world.dana.context_menu("Remove from drill", alice_post)
    assert reply.ephemeral and "removed" in reply.followups[-1].content
    assert answer_posts(fake_discord, thread) == [bob_post] and alice_post.deleted
    assert [a.user_id for a in await answers_of(drillbot)] == [world.bob.id]
    assert [r.reviewer_id for r in await reviews_of(drillbot)] == [world.carol.id]
    assert [n.content.split()[0] for n in notices(fake_discord, thread)] == [world.bob.mention]


async def test_an_admin_removes_a_review(fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock) -> None:
    """ "Remove from drill" on a review notice deletes it and the row; the answer no longer counts it."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "Answer")
    await drain(drillbot)
    shown = answer_posts(fake_discord, thread)[0]
    await review(world.bob, shown)
    await review(world.carol, shown, structure="1")
    await drain(drillbot)
    bob_notice = next(n for n in notices(fake_discord, thread) if "from bob" in n.content)
    reply = await world.dana.context_menu("Remove from drill", bob_notice)
    assert "removed" in reply.followups[-1].content and bob_notice.deleted
    assert [r.reviewer_id for r in await reviews_of(drillbot)] == [world.carol.id]
    await drain(drillbot)
    assert "1 review(s)" in shown.embeds[0]["footer"]["text"] and len(await answers_of(drillbot)) == 1


async def test_members_cannot_remove_and_other_messages_are_not_drill_content(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A member forcing the menu is refused; an admin on a non-drill message is told so; nothing changes."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "Answer")
    await drain(drillbot)
    shown = answer_posts(fake_discord, thread)[0]
    refused = await world.bob.context_menu("Remove from drill", shown, bypass_permissions=True)
    assert refused.ephemeral and "admin" in refused.content.lower()
    chatter = await world.carol.say(world.general, "hello")
    other = await world.dana.context_menu("Remove from drill", chatter)
    assert other.ephemeral and "not an answer" in other.content
    assert not shown.deleted and len(await answers_of(drillbot)) == 1


async def test_history_lists_answers_with_averages_in_pages(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/drill history [member]: newest first, review averages, five a page, with working page buttons."""
    world = fake_discord.default
    for day in range(1, 8):
        post, thread = await post_day(fake_discord, drillbot, clock, day=day)
        await answer(world.alice, post, f"Answer of day {day}")
        if day == 7:
            await drain(drillbot)
            await review(world.bob, answer_posts(fake_discord, thread)[0], clarity="2")
    first = await world.bob.slash("drill history", member=world.alice)
    assert first.ephemeral and "Page 1 of 2 · 7 answered" in first.embed["footer"]["text"]
    lines = first.embed["description"].splitlines()
    assert len(lines) == 5 and lines[0].startswith("**07 Jun 2026**") and "3.0/5 from 1 review(s)" in lines[0]
    assert all("no reviews" in line for line in lines[1:])
    second = await world.bob.press(first, "Next ▶")
    assert "Page 2 of 2" in second.embed["footer"]["text"]
    assert second.embed["description"].splitlines()[-1].startswith("**01 Jun 2026**")
    back = await world.bob.press(second, "◀ Previous")
    assert "Page 1 of 2" in back.embed["footer"]["text"]
    mine = await world.bob.slash("drill history")
    assert "No answers yet" in mine.embed["description"] and "Page 1 of 1" in mine.embed["footer"]["text"]


async def test_answers_under_load_share_messages(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve answers queued before the outbox runs take fewer messages, each shown once with its Review button."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    monkeypatch.setattr(drillbot.outbox, "wake", lambda: None)  # the answers all land before the outbox drains
    members = [fake_discord.add_member(world.guild, f"member{n:02d}", roles=[world.member_role]) for n in range(12)]
    for n, member in enumerate(members):
        await answer(member, post, f"Answer {n:02d}: " + "detail " * 40)
    assert len(await answers_of(drillbot)) == 12
    await drain(drillbot)
    messages = answer_posts(fake_discord, thread)
    assert 1 < len(messages) < 12 and all(len(m.embeds) <= 10 for m in messages)
    shown = [e["description"][:9] for m in messages for e in m.embeds]
    assert sorted(shown) == [f"Answer {n:02d}" for n in range(12)]
    rows = {a.id: a for a in await answers_of(drillbot)}
    for message in messages:
        ids = [c["custom_id"] for row in message.components for c in row["components"]]
        on_message = sorted(a for a, row in rows.items() if row.post_message_id == message.id)
        assert sorted(int(i.rsplit(":", 1)[1]) for i in ids) == on_message and len(ids) == len(message.embeds)
    batched = next(m for m in messages if len(m.embeds) > 1)
    reviewed = await review(world.alice, batched, key=f"Review {batched.embeds[1]['author']['name'][:-9]}")
    assert reviewed.ephemeral and "saved" in reviewed.content
    which = await world.dana.context_menu("Remove from drill", batched)  # several answers: the admin picks one
    target, count = next(a for a in rows.values() if a.post_message_id == batched.id), len(batched.embeds)
    removed = await world.dana.choose(which, "Which one?", [f"answer:{target.id}"])
    assert "removed" in removed.followups[-1].content and len(await answers_of(drillbot)) == 11
    assert len(batched.embeds) == count - 1 and target.text not in [e["description"] for e in batched.embeds]


async def test_buttons_and_the_outbox_survive_a_restart(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Buttons posted by one process work in the next; an answer queued but not posted is posted by it."""
    world = fake_discord.default
    first = await start_drillbot()
    post, thread = await post_day(fake_discord, first, clock)
    await answer(world.alice, post, "Before the restart")
    await drain(first)
    monkeypatch.setattr(first.outbox, "wake", lambda: None)
    await answer(world.dana, post, "Queued when the process stopped")
    await first.close()
    second = await start_drillbot()
    shown = answer_posts(fake_discord, thread)[0]
    assert (await review(world.bob, shown, "after restart")).ephemeral
    await answer(world.carol, post, "After the restart")
    await drain(second)
    texts = [m.embeds[0]["description"] for m in answer_posts(fake_discord, thread)]
    assert texts == ["Before the restart", "Queued when the process stopped", "After the restart"]
    assert len(await reviews_of(second)) == 1 and await pending_outbox(second) == []


async def test_a_plain_thread_message_counts_with_the_content_intent(
    fake_discord: FakeDiscord, start_drillbot: BotFactory, clock: ManualClock
) -> None:
    """With message content on, a member's message in the prompt's thread is stored as their answer, not reposted."""
    world = fake_discord.default
    bot = await start_drillbot(message_content_intent=True)
    _post, thread = await post_day(fake_discord, bot, clock)
    said = await world.alice.say(thread, "I would bucket users by signup week and compare retention.")

    async def stored() -> bool:
        return len(await answers_of(bot)) == 1

    await eventually(stored)
    [row] = await answers_of(bot)
    assert (row.user_id, row.source, row.source_message_id) == (world.alice.id, "message", said.id)
    assert row.text.startswith("I would bucket users")
    await world.alice.say(thread, "Also: watch for novelty effects.")
    await world.bob.say(world.general, "unrelated chatter")
    await drain(bot)
    assert answer_posts(fake_discord, thread) == [] and len(await answers_of(bot)) == 1
    await world.alice.edit(said, "Edited: bucket by signup week, compare 4-week retention.")

    async def edited() -> bool:
        return (await answers_of(bot))[0].text.startswith("Edited:")

    await eventually(edited)


async def test_a_long_edit_in_a_shared_message_keeps_every_answer_visible(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit that takes a shared message past 6,000 chars moves the overflow to a new message; none is lost."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    monkeypatch.setattr(drillbot.outbox, "wake", lambda: None)
    members = [fake_discord.add_member(world.guild, f"m{n:02d}", roles=[world.member_role]) for n in range(12)]
    for n, member in enumerate(members):
        await answer(member, post, f"Answer {n:02d}: " + "x" * 480)
    await drain(drillbot)
    full = next(m for m in answer_posts(fake_discord, thread) if len(m.embeds) == 10)
    editor = members[int(full.embeds[3]["description"][7:9])]
    await answer(editor, post, "Edited answer: " + "y" * 2500)
    await review(world.alice, full, key=f"Review {full.embeds[0]['author']['name'][:-9]}")
    await drain(drillbot)
    messages = answer_posts(fake_discord, thread)
    shown = sorted(e["description"][:9] for m in messages for e in m.embeds)
    assert shown == sorted([f"Answer {n:02d}" for n in range(12) if members[n] is not editor] + ["Edited an"])
    assert all(sum(len(e["description"]) for e in m.embeds) <= 6000 for m in messages)
    review_buttons = [c["custom_id"] for m in messages for row in m.components for c in row["components"]]
    assert sorted(review_buttons) == sorted(f"drill:review:{a.id}" for a in await answers_of(drillbot))
    assert await pending_outbox(drillbot) == []
