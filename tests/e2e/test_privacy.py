"""/privacy export and delete, and the purge of a server that removed the bot, through the fake Discord."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import select
from sqlmodel import col

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, GuildDeparture, GuildSettings, MemberStreak, MockAvoid, MockProfile, Review, metadata
from bot.services.privacy import departures
from cogs.privacy import PrivacyCog
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel
from tests.e2e.daily_support import answer_posts, at, drain, notices, rows
from tests.e2e.mock_support import join, latest_groups, setup_pairing
from tests.e2e.mock_support import rows as any_rows
from tests.e2e.test_daily_answers import answer, post_day, review
from tests.eventually import eventually

ERASE, CANCEL = "Erase my data", "Cancel"


def privacy_cog(bot: DrillBot) -> PrivacyCog:
    """Return the bot's privacy cog."""
    cog = bot.get_cog("PrivacyCog")
    assert cog is not None
    return cast("PrivacyCog", cog)


async def answered_and_reviewed(fake: FakeDiscord, bot: DrillBot, clock: ManualClock) -> Channel:
    """Alice and bob answer today's prompt and review each other's answer; carol reviews alice's too."""
    world = fake.default
    post, thread = await post_day(fake, bot, clock)
    await answer(world.alice, post, "Alice: I would compare retention curves of both cohorts.")
    await answer(world.bob, post, "Bob: a two-sample test on watch time, stratified by region.")
    await drain(bot)
    alice_post, bob_post = answer_posts(fake, thread)
    await review(world.bob, alice_post, "Bob says: quantify the lift.")
    await review(world.carol, alice_post, "Carol says: good structure.")
    await review(world.alice, bob_post, "Alice says: mention variance.")
    await drain(bot)
    return thread


async def member_cells(bot: DrillBot, guild_id: int, user_id: int) -> list[str]:
    """Return table.column of every cell of the guild's rows that holds ``user_id`` (JSON text included)."""
    found = []
    async with bot.db.read() as session:
        for table in metadata.sorted_tables:
            if "guild_id" not in table.c:
                continue
            for row in (await session.execute(select(table).where(table.c.guild_id == guild_id))).mappings():
                found += [f"{table.name}.{k}" for k, v in row.items() if str(user_id) in _text(v)]
    return found


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, dict | list) else str(value)


async def test_export_is_an_ephemeral_json_file_of_the_callers_data(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """/privacy export attaches a JSON file, only for the caller, with their answers, reviews, streak and profile."""
    world = fake_discord.default
    await answered_and_reviewed(fake_discord, drillbot, clock)
    await setup_pairing(fake_discord)
    await join(world.alice, track="ml-engineer")
    reply = await world.alice.slash("privacy export")
    assert reply.ephemeral and len(reply.files) == 1
    name, body = reply.files[0]
    assert name.endswith(".json")
    data = json.loads(body)
    assert data["user_id"] == str(world.alice.id) and data["guild_id"] == str(world.guild.id)
    [mine] = data["answers"]
    assert mine["text"].startswith("Alice: I would compare")
    assert {r["comment"] for r in mine["reviews_received"]} == {"Bob says: quantify the lift.",
                                                                "Carol says: good structure."}  # fmt: skip
    assert [r["comment"] for r in data["reviews_given"]] == ["Alice says: mention variance."]
    assert data["streak"]["summary"]["total_answers"] == 1 and data["streak"]["summary"]["reviews_given"] == 1
    assert data["profile"]["track"] == "ml-engineer"
    assert "Bob: a two-sample test" not in body.decode()  # nobody else's writing
    assert fake_discord.messages(world.general) == []  # nothing public


async def test_delete_after_confirm_erases_rows_and_the_bots_posts(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Confirm → alice's rows are gone, her answer post and review notices are deleted, bob's post is redrawn."""
    world = fake_discord.default
    thread = await answered_and_reviewed(fake_discord, drillbot, clock)
    alice_post, bob_post = answer_posts(fake_discord, thread)
    assert len(notices(fake_discord, thread)) == 3
    await setup_pairing(fake_discord)
    await join(world.alice)
    prompt = await world.alice.slash("privacy delete")
    assert prompt.ephemeral and prompt.labels() == [ERASE, CANCEL]
    done = await world.alice.press(prompt, ERASE, timeout=20)
    assert done.ephemeral and "Erased" in done.content and "4 of 4 deleted" in done.content, done.content
    assert await member_cells(drillbot, world.guild.id, world.alice.id) == []
    assert await rows(drillbot, Answer, col(Answer.user_id) == world.alice.id) == []
    assert await rows(drillbot, Review, col(Review.reviewer_id) == world.alice.id) == []
    assert await any_rows(drillbot, MockProfile, col(MockProfile.user_id) == world.alice.id) == []
    left = fake_discord.messages(thread)
    assert alice_post.deleted and alice_post not in left and bob_post in left
    assert notices(fake_discord, thread) == []  # the two about alice's answer and the one alice wrote
    await drain(drillbot)
    assert "No reviews yet" in bob_post.embeds[0]["footer"]["text"]
    [bob] = await rows(drillbot, Answer)
    assert bob.user_id == world.bob.id
    async with drillbot.db.read() as session:  # bob's and carol's review tallies lost the erased answer's reviews
        for actor in (world.bob, world.carol):
            streak = await session.get(MemberStreak, (world.guild.id, actor.id))
            assert streak is not None and streak.reviews_given == 0
    again = await world.alice.press(prompt, ERASE, timeout=20)  # pressed twice: nothing left, no error
    assert again.ephemeral and "Nothing about you" in again.content


async def test_delete_tolerates_posts_already_gone(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """A post someone already deleted (404 10008) counts as deleted, not as a failure."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "An answer to erase.")
    await drain(drillbot)
    [shown] = answer_posts(fake_discord, thread)
    shown.deleted = True  # a moderator removed it by hand
    prompt = await world.alice.slash("privacy delete")
    done = await world.alice.press(prompt, ERASE, timeout=20)
    assert "1 of 1 deleted" in done.content and "could not" not in done.content, done.content


async def test_cancel_changes_nothing(fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock) -> None:
    """Cancel leaves every row and post in place."""
    world = fake_discord.default
    thread = await answered_and_reviewed(fake_discord, drillbot, clock)
    before = await member_cells(drillbot, world.guild.id, world.alice.id)
    prompt = await world.alice.slash("privacy delete")
    cancelled = await world.alice.press(prompt, CANCEL)
    assert "nothing was erased" in cancelled.content and cancelled.components == []
    assert await member_cells(drillbot, world.guild.id, world.alice.id) == before != []
    assert len(answer_posts(fake_discord, thread)) == 2 and len(notices(fake_discord, thread)) == 3


async def test_someone_else_cannot_press_the_confirm(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """The confirm's id names whose data it erases; another member pressing it is refused."""
    world = fake_discord.default
    await answered_and_reviewed(fake_discord, drillbot, clock)
    prompt = await world.alice.slash("privacy delete")
    # A forged press (the fake's actors cannot press another's ephemeral button, like Discord's client).
    refused = await world.bob.interact_component(f"privacy:delete:{world.alice.id}:confirm", message=prompt.message)
    assert refused.ephemeral and "for the member who asked" in refused.content
    assert len(await rows(drillbot, Answer)) == 2


async def test_a_returning_member_is_still_never_paired_with_who_avoided_them(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Bob avoids alice; alice erases her data and joins again: they are still not paired."""
    world = fake_discord.default
    await setup_pairing(fake_discord)
    alice, bob = world.alice, world.bob
    await join(alice)
    await join(bob)
    await bob.slash("mock avoid", member=alice)
    await alice.slash("mock avoid", member=bob)
    prompt = await alice.slash("privacy delete")
    await alice.press(prompt, ERASE, timeout=20)
    [kept] = await any_rows(drillbot, MockAvoid)
    assert kept.user_id == bob.id and str(alice.id) not in repr(kept.model_dump())
    await join(alice)
    clock.set(at(2026, 6, 2, 9))
    ran = await world.dana.slash("mock pair-now")
    assert "0 group(s)" in ran.followups[-1].content and "2 unpaired" in ran.followups[-1].content
    assert await latest_groups(drillbot) == []


async def departure(bot: DrillBot, guild_id: int) -> GuildDeparture | None:
    """Return the guild's departure row."""
    async with bot.db.read() as session:
        return await session.get(GuildDeparture, guild_id)


async def guild_rows(bot: DrillBot, guild_id: int) -> int:
    """Count the guild's rows in every table."""
    total = 0
    async with bot.db.read() as session:
        for table in departures.guild_tables():
            total += len((await session.execute(select(table).where(table.c.guild_id == guild_id))).all())
    return total


async def test_removing_the_bot_purges_the_server_after_the_grace_period(
    fake_discord: FakeDiscord, start_drillbot: Any, clock: ManualClock
) -> None:
    """GUILD_DELETE starts the grace period; the purge job deletes every row of that server once it is over."""
    bot = await start_drillbot(guild_data_grace_days=10)
    world = fake_discord.default
    await answered_and_reviewed(fake_discord, bot, clock)
    await setup_pairing(fake_discord)
    await join(world.alice)
    fake_discord.remove_bot(world.guild)

    async def recorded() -> bool:
        return await departure(bot, world.guild.id) is not None

    await eventually(recorded)
    row = await departure(bot, world.guild.id)
    assert row is not None and row.purge_after - row.left_at == dt.timedelta(days=10)
    clock.set(row.left_at + dt.timedelta(days=9, hours=23))
    assert await privacy_cog(bot).purge_due() == 0 and await guild_rows(bot, world.guild.id) > 10
    clock.set(row.left_at + dt.timedelta(days=10))
    assert await privacy_cog(bot).purge_due() == 1
    assert await guild_rows(bot, world.guild.id) == 0


async def test_no_purge_when_the_bot_comes_back(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """GUILD_CREATE for the server again cancels the purge; its data stays past the grace period."""
    world = fake_discord.default
    await answered_and_reviewed(fake_discord, drillbot, clock)
    before = await guild_rows(drillbot, world.guild.id)
    fake_discord.remove_bot(world.guild)

    async def recorded() -> bool:
        return await departure(drillbot, world.guild.id) is not None

    await eventually(recorded)
    fake_discord.readd_bot(world.guild)

    async def cancelled() -> bool:
        return await departure(drillbot, world.guild.id) is None

    await eventually(cancelled)
    clock.advance(dt.timedelta(days=365))
    assert await privacy_cog(drillbot).purge_due() == 0
    assert await guild_rows(drillbot, world.guild.id) == before
    assert drillbot.get_guild(world.guild.id) is not None


async def test_a_post_that_cannot_be_deleted_is_reported_not_fatal(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Discord refusing a deletion (403) is logged and told in the reply; the data is erased all the same."""
    world = fake_discord.default
    post, thread = await post_day(fake_discord, drillbot, clock)
    await answer(world.alice, post, "An answer whose post stays.")
    await drain(drillbot)
    fake_discord.faults.fail("DELETE /channels/*/messages/*", status=403, code=50013, times=None)
    prompt = await world.alice.slash("privacy delete")
    done = await world.alice.press(prompt, ERASE, timeout=20)
    assert "0 of 1 deleted" in done.content and "could not be deleted" in done.content, done.content
    assert await member_cells(drillbot, world.guild.id, world.alice.id) == []
    assert len(answer_posts(fake_discord, thread)) == 1


async def test_posts_in_an_archived_thread_are_deleted_and_the_thread_archived_again(
    fake_discord: FakeDiscord, drillbot: DrillBot, clock: ManualClock
) -> None:
    """Discord refuses deletions in an archived thread (400 50083): the bot reopens it, deletes, and closes it."""
    world = fake_discord.default
    thread = await answered_and_reviewed(fake_discord, drillbot, clock)
    alice_post, _bob_post = answer_posts(fake_discord, thread)
    thread.archived = True  # the thread went idle
    prompt = await world.alice.slash("privacy delete")
    done = await world.alice.press(prompt, ERASE, timeout=20)
    assert "4 of 4 deleted" in done.content, done.content
    assert alice_post.deleted and thread.archived
    assert len(notices(fake_discord, thread)) == 0


async def test_only_the_process_owning_the_shard_purges(drillbot: DrillBot, clock: ManualClock) -> None:
    """A due departure of a server on another process's shard is left to that process."""
    theirs, mine = 0 << 22, 1 << 22  # shard 0 and shard 1 of 2
    async with drillbot.db.write() as session:
        for guild_id in (theirs, mine):
            await departures.record_departure(session=session, guild_id=guild_id, now=clock.now(), grace_days=1)
    clock.advance(dt.timedelta(days=2))
    shard_ids, shard_count = drillbot.shard_ids, drillbot.shard_count
    drillbot.shard_ids, drillbot.shard_count = [1], 2  # as if this process ran shard 1 of 2
    try:
        assert await privacy_cog(drillbot).purge_due() == 1
    finally:
        drillbot.shard_ids, drillbot.shard_count = shard_ids, shard_count
    assert await departure(drillbot, theirs) is not None and await departure(drillbot, mine) is None


async def test_a_server_that_removed_the_bot_while_it_was_offline_gets_its_grace_period_at_start_up(
    fake_discord: FakeDiscord, start_drillbot: Any, database: Any, clock: ManualClock
) -> None:
    """No GUILD_DELETE reaches an offline bot: at start-up, a server with data but without the bot is noted."""
    gone = 987654321 << 22
    world = fake_discord.default
    async with database.write() as session:
        session.add(GuildSettings(guild_id=gone))
        session.add(GuildSettings(guild_id=world.guild.id))
    bot = await start_drillbot(guild_data_grace_days=5)

    async def noted() -> bool:
        return await departure(bot, gone) is not None

    await eventually(noted)
    row = await departure(bot, gone)
    assert row is not None and row.purge_after == clock.now() + dt.timedelta(days=5)
    assert await departure(bot, world.guild.id) is None  # the bot is still there

    clock.advance(dt.timedelta(days=1))
    await privacy_cog(bot).on_ready()  # a later start-up keeps the first date, it does not extend the grace
    again = await departure(bot, gone)
    assert again is not None and again.purge_after == row.purge_after
    clock.advance(dt.timedelta(days=4))
    assert await privacy_cog(bot).purge_due() == 1
    async with bot.db.read() as session:
        assert await session.get(GuildSettings, gone) is None
        assert await session.get(GuildSettings, world.guild.id) is not None
