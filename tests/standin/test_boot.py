"""The fake boots a bare discord.py AutoShardedBot: READY, GUILD_CREATE, commands synced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import discord

from discord_standin.server import FakeDiscord
from discord_standin.snowflakes import snowflake_time

from .fixtures import ClientFactory, FakeTestBot
from .testbot import configure


async def test_bot_becomes_ready_with_the_default_guild(
    fake_discord: FakeDiscord, discord_client_factory: ClientFactory
) -> None:
    """READY carries the shard; GUILD_CREATE fills the cache with channels, roles and the member count."""
    bot = await discord_client_factory()
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert {c.name for c in guild.text_channels} == {"general", "prompts", "mock"}
    assert {r.name for r in guild.roles} >= {"@everyone", "Member", "Admin"}
    assert guild.member_count == len(fake_discord.guild.members)
    assert guild.me is not None and guild.me.id == fake_discord.world.bot.id
    assert bot.user is not None and bot.user.id == fake_discord.world.bot.id
    assert bot.shard_count == 1
    ready = fake_discord.records.events_named("READY")
    assert ready and ready[0].data["shard"] == [0, 1]
    assert isinstance(guild.me, discord.Member)


async def test_commands_are_synced_and_echoed(fake_discord: FakeDiscord, discord_client_factory: ClientFactory) -> None:
    """Global and guild bulk overwrites are stored with ids and echoed; a re-sync keeps the ids."""
    guild_id = fake_discord.guild.id

    def add_commands(bot: FakeTestBot) -> None:
        configure(bot)
        bot.tree.copy_global_to(guild=discord.Object(guild_id))

    bot = await discord_client_factory(add_commands, sync_guild_ids=[guild_id])
    await fake_discord.wait_for_commands_synced(["echo", "drill"], guild_id=guild_id)
    global_ids = {c["name"]: c["id"] for c in fake_discord.commands()}
    guild_commands = fake_discord.commands(guild_id)
    assert {c["name"] for c in guild_commands} >= {"echo", "drill"}
    assert all(c["guild_id"] == str(guild_id) for c in guild_commands)
    echoed = await bot.tree.sync()
    assert {c.name: str(c.id) for c in echoed} == global_ids
    fetched = await bot.tree.fetch_commands(guild=discord.Object(guild_id))
    assert {c.name for c in fetched} == {c["name"] for c in guild_commands}
    drill = next(c for c in fake_discord.commands() if c["name"] == "drill")
    assert {o["name"] for o in drill["options"]} == {"today", "admin"}


async def test_member_chunks_with_members_intent(
    fake_discord: FakeDiscord, discord_client_factory: ClientFactory
) -> None:
    """With the members intent, discord.py chunks the guild (op 8) and caches every member."""
    fake_discord.members_intent = True
    intents = discord.Intents.default()
    intents.members = True
    bot = await discord_client_factory(intents=intents, sync_global=False)
    guild = bot.get_guild(fake_discord.guild.id)
    assert guild is not None
    assert guild.get_member(fake_discord.default.alice.id) is not None
    assert len(guild.members) == len(fake_discord.guild.members)


async def test_snowflakes_are_realistic(fake_discord: FakeDiscord) -> None:
    """Ids are timestamp snowflakes of now, unique and increasing."""
    ids = [fake_discord.world.new_id() for _ in range(5000)]
    assert ids == sorted(set(ids))
    age = datetime.now(UTC) - snowflake_time(fake_discord.guild.id)
    assert timedelta(0) <= age < timedelta(minutes=1)
