"""Threads (public, private, membership, visibility, limits) and role changes with hierarchy checks."""

from __future__ import annotations

import discord
import pytest

from discord_standin.permissions import P
from discord_standin.server import FakeDiscord
from discord_standin.world import MAX_ACTIVE_THREADS

from .fixtures import ClientFactory, FakeTestBot


@pytest.fixture
async def bot(discord_client_factory: ClientFactory) -> FakeTestBot:
    return await discord_client_factory(sync_global=False)


def text_channel(bot: FakeTestBot, channel_id: int) -> discord.TextChannel:
    channel = bot.get_channel(channel_id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_private_thread_visibility(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """Members of a private thread and Manage Threads holders see it; other members do not."""
    d = fake_discord.default
    mock = text_channel(bot, d.mock.id)
    thread = await mock.create_thread(name="pair-1", type=discord.ChannelType.private_thread, invitable=False)
    await thread.add_user(discord.Object(d.alice.id))
    assert fake_discord.thread_members(thread.id) == [fake_discord.world.bot.id, d.alice.id]
    assert fake_discord.can_see(d.alice.id, thread.id)
    assert not fake_discord.can_see(d.bob.id, thread.id)
    assert not fake_discord.can_see(d.dana.id, thread.id)
    moderator = fake_discord.add_role(d.guild, "Moderator", permissions=int(P.MANAGE_THREADS))
    fake_discord.give_role(d.carol, moderator)
    assert fake_discord.can_see(d.carol.id, thread.id)
    with pytest.raises(AssertionError, match="cannot see"):
        await d.bob.say(fake_discord.world.channel(thread.id), "let me in")
    world_thread = fake_discord.world.channel(thread.id)
    assert world_thread.is_private_thread and not world_thread.invitable
    # without the members intent only the bot's own THREAD_MEMBERS_UPDATE is sent
    updates = fake_discord.records.events_named("THREAD_MEMBERS_UPDATE")
    assert [u.data["added_members"][0]["user_id"] for u in updates] == [str(fake_discord.world.bot.id)]


async def test_bot_without_manage_threads_cannot_fetch_foreign_private_thread(
    fake_discord: FakeDiscord, bot: FakeTestBot
) -> None:
    """A private thread the bot is not in is Missing Access unless it holds Manage Threads."""
    d = fake_discord.default
    thread = fake_discord.add_thread(d.mock, "secret", private=True, owner=d.alice)
    fake_discord.edit_role(d.bot_role, permissions=d.bot_role.permissions & ~int(P.MANAGE_THREADS))
    with pytest.raises(discord.Forbidden) as denied:
        await bot.fetch_channel(thread.id)
    assert denied.value.code == 50001
    fake_discord.edit_role(d.bot_role, permissions=d.bot_role.permissions | int(P.MANAGE_THREADS))
    guild = bot.get_guild(d.guild.id)
    assert guild is not None
    await fake_discord.wait_for(lambda: guild.me.guild_permissions.manage_threads, timeout=2, what="role update")
    fetched = await bot.fetch_channel(thread.id)
    assert fetched.id == thread.id


async def test_thread_from_message_and_unknown_member(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A thread started from a message takes its id; adding a non-member answers 404 10007."""
    d = fake_discord.default
    prompt = await text_channel(bot, d.prompts.id).send("Prompt of the day")
    thread = await prompt.create_thread(name="answers", auto_archive_duration=1440)
    assert thread.id == prompt.id
    assert fake_discord.world.messages[prompt.id].thread_id == thread.id
    assert "THREAD_CREATE" in [e.name for e in fake_discord.records.events]
    with pytest.raises(discord.NotFound) as missing:
        await thread.add_user(discord.Object(42))
    assert missing.value.code == 10007
    await d.alice.say(fake_discord.world.channel(thread.id), "my answer")
    assert d.alice.id in fake_discord.thread_members(thread.id)
    with pytest.raises(discord.HTTPException) as again:
        await prompt.create_thread(name="again")
    assert again.value.code == 160004


async def test_archive_and_lock(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """PATCH archives and locks a thread; the bot's cache follows THREAD_UPDATE."""
    d = fake_discord.default
    thread = await text_channel(bot, d.general.id).create_thread(name="t", type=discord.ChannelType.public_thread)
    edited = await thread.edit(archived=True, locked=True)
    world_thread = fake_discord.world.channel(thread.id)
    assert world_thread.archived and world_thread.locked
    assert edited.archived and edited.locked


async def test_active_thread_limit(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """A guild with 1,000 active threads refuses another with 400 160006."""
    d = fake_discord.default
    for i in range(MAX_ACTIVE_THREADS):
        fake_discord.add_thread(d.general, f"t{i}")
    await fake_discord.flush()
    with pytest.raises(discord.HTTPException) as full:
        await text_channel(bot, d.general.id).create_thread(name="one too many", type=discord.ChannelType.public_thread)
    assert (full.value.status, full.value.code) == (400, 160006)


async def test_role_changes_respect_hierarchy(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """The bot adds roles below its own; above it answers 403 50013; unknown roles 404 10011."""
    d = fake_discord.default
    guild = bot.get_guild(d.guild.id)
    assert guild is not None
    milestone = fake_discord.add_role(d.guild, "7-day streak")
    above = fake_discord.add_role(d.guild, "Staff", position=10)
    await fake_discord.flush()
    alice = await guild.fetch_member(d.alice.id)
    await alice.add_roles(discord.Object(milestone.id))
    assert milestone.id in d.guild.members[d.alice.id].role_ids
    with pytest.raises(discord.Forbidden) as denied:
        await alice.add_roles(discord.Object(above.id))
    assert denied.value.code == 50013
    with pytest.raises(discord.NotFound) as unknown:
        await alice.add_roles(discord.Object(42))
    assert unknown.value.code == 10011
    await alice.remove_roles(discord.Object(milestone.id))
    assert milestone.id not in d.guild.members[d.alice.id].role_ids


async def test_dm_to_user_with_closed_dms(fake_discord: FakeDiscord, bot: FakeTestBot) -> None:
    """DMs reach open users; a user with DMs closed answers 403 50007."""
    d = fake_discord.default
    alice = await bot.fetch_user(d.alice.id)
    await alice.send("your streak is 3")
    assert [m.content for m in fake_discord.dms(d.alice)] == ["your streak is 3"]
    d.bob.user.dms_closed = True
    bob = await bot.fetch_user(d.bob.id)
    with pytest.raises(discord.Forbidden) as closed:
        await bob.send("hi")
    assert closed.value.code == 50007
