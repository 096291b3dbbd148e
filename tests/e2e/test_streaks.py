"""/streak, streak counting over prompt days, freezes, and milestone announcements and roles, end to end."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import col

import bot.ui
from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import OutboxItem
from discord_standin.access import P
from discord_standin.actors import Actor
from discord_standin.builder import BOT_PERMISSIONS
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Message
from tests.e2e.daily_support import answer_posts, at, configure, drain, thread_of
from tests.e2e.streak_support import (
    PNG_SIGNATURE,
    answer,
    fields,
    member_row,
    post_june,
    review,
    set_up_prompts,
    settings_row,
    show_streak,
)
from tests.eventually import eventually


def announcements(fake: FakeDiscord, thread: Channel) -> list[Message]:
    """Return the milestone announcements in a prompt thread."""
    return [m for m in fake.messages(thread) if m.author.bot and "streak!" in m.content]


async def three_days(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, *members: Actor) -> Message:
    """Post June 1-3 and have ``members`` answer each; return the third post."""
    post = None
    for day in (1, 2, 3):
        post = await post_june(fake, bot, clock, day)
        for member in members:
            await answer(member, post)
    assert post is not None
    return post


async def test_streak_shows_counts_and_a_png_heat_map(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/streak: ephemeral, a PNG with alt text, and current/best/freezes/answers/reviews from six prompt days."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    for day in range(1, 7):
        post = await post_june(fake_discord, drillbot, clock, day)
        if day in (1, 2, 4, 5):
            await answer(world.alice, post, f"Alice on day {day}")
        if day == 5:
            await drain(drillbot)
            shown = answer_posts(fake_discord, thread_of(fake_discord, post))[0]
            await review(fake_discord, drillbot, world.bob, shown, "Review")
    # Day 3 missed (no freeze yet): the streak restarted on day 4; day 6 is still open.
    reply, message = await show_streak(world.alice)
    assert reply.ephemeral and message.ephemeral
    assert fields(reply) == {
        "Current": "2 prompt day(s)", "Best": "2", "Freezes held": "0 / 2", "Answers": "4", "Reviews given": "0",
    }  # fmt: skip
    [picture] = message.attachments
    assert picture.filename == "streak.png" and picture.data.startswith(PNG_SIGNATURE)
    assert reply.embed is not None and reply.embed["image"]["url"] == "attachment://streak.png"
    assert picture.description is not None and picture.description.startswith("Heat map of the last 12 weeks")
    assert "6 prompt days, 4 answered, 0 kept by a freeze, 1 missed, 1 still open" in picture.description
    # Someone else's streak, shown only to the one who asked.
    other, other_message = await show_streak(world.carol, world.alice)
    assert other.ephemeral and other_message.interaction_metadata["user"]["id"] == str(world.carol.id)
    assert fields(other) == fields(reply) and "alice" in other.embed["title"]
    bob, _ = await show_streak(world.carol, world.bob)
    assert fields(bob)["Reviews given"] == "1" and fields(bob)["Current"] == "0 prompt day(s)"
    assert "6 prompt days, 0 answered" in bob.embed["footer"]["text"]


async def test_a_streak_that_survived_on_a_freeze_says_so(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Seven answered days earn a freeze; a missed day spends it and /streak says the streak was kept alive."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    for day in range(1, 8):
        post = await post_june(fake_discord, drillbot, clock, day)
        await answer(world.alice, post)
        await answer(world.bob, post)
    row = await member_row(drillbot, world.guild.id, world.alice.id)
    assert row is not None and (row.current, row.freezes) == (7, 1)
    await post_june(fake_discord, drillbot, clock, 8)  # nobody answers June 8: each spends the freeze
    for day in (9, 10):
        post = await post_june(fake_discord, drillbot, clock, day)
        await answer(world.alice, post)
        if day == 9:
            await answer(world.bob, post)
    await post_june(fake_discord, drillbot, clock, 11)  # closes June 10, which bob missed with no freeze left
    reply, _ = await show_streak(world.alice)
    current = fields(reply)["Current"]
    assert current.startswith("9 prompt day(s)") and "freeze" in current
    assert (fields(reply)["Best"], fields(reply)["Freezes held"], fields(reply)["Answers"]) == ("9", "0 / 2", "9")
    bob, message = await show_streak(world.alice, world.bob)
    assert fields(bob)["Current"] == "0 prompt day(s)" and fields(bob)["Best"] == "8"
    assert "11 prompt days, 8 answered, 1 kept by a freeze, 1 missed, 1 still open" in (
        message.attachments[0].description or ""
    )


async def test_days_without_a_prompt_never_break_a_streak(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Mon/Wed/Fri prompts and a pause: the streak runs over the gaps; a missed prompt day (no freeze) ends it."""
    world = fake_discord.default
    await set_up_prompts(fake_discord, days="mon,wed,fri")
    for day in (1, 3, 5):  # Mon, Wed, Fri
        post = await post_june(fake_discord, drillbot, clock, day)
        await answer(world.alice, post)
        if day != 3:
            await answer(world.bob, post)
    await configure(world.dana, pause_until="2026-06-12")  # no prompt on Mon 8 and Wed 10
    for day in (8, 10):
        clock.set(at(2026, 6, day, 9, 0))
        assert await drillbot.get_cog("DrillCog").poster.tick() == 0  # type: ignore[union-attr]
    post = await post_june(fake_discord, drillbot, clock, 12)
    await answer(world.alice, post)
    await answer(world.bob, post)
    alice = await member_row(drillbot, world.guild.id, world.alice.id)
    bob = await member_row(drillbot, world.guild.id, world.bob.id)
    assert alice is not None and (alice.current, alice.best, alice.total_answers) == (4, 4, 4)
    assert bob is not None and (bob.current, bob.best, bob.total_answers) == (2, 2, 3)  # Wed 3 broke it
    reply, _ = await show_streak(world.alice)
    assert fields(reply)["Current"] == "4 prompt day(s)"


async def test_reaching_a_milestone_is_announced_and_grants_its_role(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The third prompt day in a row: a thread post pinging only that member, and the configured role."""
    world = fake_discord.default
    regular = fake_discord.add_role(world.guild, "Regular")
    done = await world.dana.slash("config streaks", milestone_roles=f"3=<@&{regular.id}>")
    assert done.ephemeral and f"3=<@&{regular.id}>" in done.content
    await set_up_prompts(fake_discord)
    post = await three_days(fake_discord, drillbot, clock, world.alice)
    await answer(world.bob, post)  # bob is at 1: nothing to announce
    thread = thread_of(fake_discord, post)

    def alice_has_role() -> bool:
        return regular.id in world.guild.members[world.alice.id].role_ids

    async def granted() -> bool:
        return alice_has_role() and len(announcements(fake_discord, thread)) == 1

    await eventually(granted)
    [note] = announcements(fake_discord, thread)
    assert note.content == f"🎉 {world.alice.mention} reached a 3-prompt-day streak!"
    assert note.allowed_mentions == {"parse": [], "users": [world.alice.id]}
    [sent] = [r for r in fake_discord.records.requests_to(f"POST /channels/{thread.id}/messages")
              if "streak!" in ((r.json or {}).get("content") or "")]  # fmt: skip  # answer posts: content null
    assert sent.json["allowed_mentions"]["parse"] == [] and sent.json["allowed_mentions"]["users"] == [world.alice.id]
    assert str(sent.json.get("nonce", "")).startswith("ob")  # sent by the outbox, at the thread's pace
    assert note.id > answer_posts(fake_discord, thread)[0].id  # after alice's answer (the first) is shown

    async def remembered() -> bool:  # /privacy delete finds the note by the message id its outbox item kept
        async with drillbot.db.read() as session:
            items = (await session.scalars(select(OutboxItem).where(col(OutboxItem.kind) == "milestone"))).all()
        return [i.message_id for i in items] == [note.id]

    await eventually(remembered)
    [grant] = fake_discord.records.requests_to("PUT /guilds/*/members/*/roles/*")
    assert grant.path.endswith(f"/members/{world.alice.id}/roles/{regular.id}") and grant.status == 204
    assert regular.id not in world.guild.members[world.bob.id].role_ids
    assert (await settings_row(drillbot, world.guild.id) or {})["role_error"] is None
    shown = await world.dana.slash("config show")
    assert "⚠️ Milestone roles" not in shown.text()


async def milestone_without_grant(
    fake: FakeDiscord, bot: DrillBot, clock: ManualClock, expected: str
) -> tuple[Message, str]:
    """Reach the 3 milestone when the role cannot be granted; return the announcement and /config show's text."""
    world = fake.default
    post = await three_days(fake, bot, clock, world.alice)
    thread = thread_of(fake, post)

    async def recorded() -> bool:
        row = await settings_row(bot, world.guild.id)
        return bool(row and row["role_error"]) and len(announcements(fake, thread)) == 1

    await eventually(recorded)
    shown = await world.dana.slash("config show")
    assert shown.ephemeral and expected in shown.text(), shown.text()
    assert fake.records.requests_to("PUT /guilds/*/members/*/roles/*") == []
    return announcements(fake, thread)[0], shown.text()


async def test_without_manage_roles_the_milestone_is_announced_and_the_problem_shown(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The bot lacks Manage Roles: no crash, no role, the announcement still goes out, /config show says why."""
    world = fake_discord.default
    regular = fake_discord.add_role(world.guild, "Regular")
    await world.dana.slash("config streaks", milestone_roles="3=Regular")
    fake_discord.edit_role(world.bot_role, permissions=BOT_PERMISSIONS & ~int(P.MANAGE_ROLES))
    await set_up_prompts(fake_discord)
    note, _text = await milestone_without_grant(fake_discord, drillbot, clock, "Manage Roles")
    assert world.alice.mention in note.content
    assert regular.id not in world.guild.members[world.alice.id].role_ids
    assert (await world.alice.slash("streak")).message is not None  # the bot carries on


async def test_a_role_above_the_bots_is_not_granted_and_the_problem_shown(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The milestone role sits above the bot's highest role: no role given, /config show names the role."""
    world = fake_discord.default
    veteran = fake_discord.add_role(world.guild, "Veteran")
    await world.dana.slash("config streaks", milestone_roles=f"3=<@&{veteran.id}>")
    fake_discord.edit_role(veteran, position=world.bot_role.position + 1)
    await set_up_prompts(fake_discord)
    _note, text = await milestone_without_grant(fake_discord, drillbot, clock, f"<@&{veteran.id}> (3) sits above")
    assert "move my role above it" in text
    assert veteran.id not in world.guild.members[world.alice.id].role_ids


async def test_config_show_reports_role_problems_before_and_after_a_milestone(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Role problems show at once in /config streaks and /config show; once fixed, the next milestone grants."""
    world = fake_discord.default
    regular = fake_discord.add_role(world.guild, "Regular")
    fake_discord.edit_role(world.bot_role, permissions=BOT_PERMISSIONS & ~int(P.MANAGE_ROLES))
    done = await world.dana.slash("config streaks", milestone_roles="3=@Regular")
    assert done.ephemeral and "⚠️ I need the Manage Roles permission" in done.content
    shown = await world.dana.slash("config show")
    assert "⚠️ Milestone roles" in shown.text() and "Manage Roles" in shown.text()
    await set_up_prompts(fake_discord)
    await milestone_without_grant(fake_discord, drillbot, clock, "Manage Roles")
    fake_discord.edit_role(world.bot_role, permissions=BOT_PERMISSIONS)  # an admin fixes it
    fixed = (await world.dana.slash("config show")).text()
    assert "last attempt failed" in fixed and "look grantable now" in fixed
    for day in (4, 5, 6):  # bob reaches 3 on June 6
        await answer(world.bob, await post_june(fake_discord, drillbot, clock, day))

    async def granted() -> bool:
        row = await settings_row(drillbot, world.guild.id)
        return regular.id in world.guild.members[world.bob.id].role_ids and row is not None and not row["role_error"]

    await eventually(granted)
    assert "⚠️ Milestone roles" not in (await world.dana.slash("config show")).text()
    fake_discord.edit_role(regular, position=world.bot_role.position + 1)
    assert f"<@&{regular.id}> (3) sits above" in (await world.dana.slash("config show")).text()


async def test_removing_an_answer_or_review_recounts_streaks_and_boards(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """An admin removes a middle answer and a review: /streak and the leaderboards count them no more."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    posts = []
    for day in (1, 2, 3):
        posts.append(await post_june(fake_discord, drillbot, clock, day))
        await answer(world.alice, posts[-1])
        await drain(drillbot)
        [shown] = answer_posts(fake_discord, thread_of(fake_discord, posts[-1]))
        await review(fake_discord, drillbot, world.bob, shown, "Review")
    before, _ = await show_streak(world.alice)
    assert (fields(before)["Current"], fields(before)["Answers"]) == ("3 prompt day(s)", "3")
    [middle] = answer_posts(fake_discord, thread_of(fake_discord, posts[1]))
    removed = await world.dana.context_menu("Remove from drill", middle)
    assert "removed" in removed.followups[-1].content
    after, message = await show_streak(world.alice)
    assert fields(after) | {"Freezes held": ""} == {
        "Current": "1 prompt day(s)", "Best": "1", "Freezes held": "", "Answers": "2", "Reviews given": "0",
    }  # fmt: skip
    assert "3 prompt days, 2 answered, 0 kept by a freeze, 1 missed" in (message.attachments[0].description or "")
    board = await world.bob.slash("leaderboard", board="reviews", period="week")
    assert board.embed is not None and board.embed["footer"]["text"].startswith("You: #1 — 2")
    notice = next(m for m in fake_discord.messages(thread_of(fake_discord, posts[2])) if "got a review" in m.content)
    await world.dana.context_menu("Remove from drill", notice)
    board = await world.bob.slash("leaderboard", board="reviews", period="all-time")
    assert board.embed is not None and board.embed["footer"]["text"].startswith("You: #1 — 1")
    answers = await world.bob.slash("leaderboard", board="answers", period="month")
    assert answers.embed is not None and answers.embed["description"] == f"**1.** {world.alice.mention} — 2"


async def test_a_quick_reply_comes_at_once_and_a_slow_one_is_acknowledged_first(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/streak and the answer's confirmation reply in one request when quick; when slow, "thinking" comes first."""
    world = fake_discord.default
    await set_up_prompts(fake_discord)
    post = await post_june(fake_discord, drillbot, clock, 1)
    quick = await answer(world.alice, post)
    shown, _message = await show_streak(world.alice)
    assert (quick.callback_type, shown.callback_type) == (4, 4)  # the reply itself
    monkeypatch.setattr(bot.ui, "ACKNOWLEDGE_AFTER", 0.0)  # every piece of work now counts as slow
    slow = await answer(world.bob, post)
    shown, message = await show_streak(world.bob)
    assert (slow.callback_type, shown.callback_type) == (5, 5)  # deferred: "thinking", then the content
    assert "saved" in slow.text() and fields(shown)["Answers"] == "1" and message.attachments
