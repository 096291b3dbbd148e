"""Pytest fixtures: a running fake Discord with the default world, and discord.py clients against it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import discord
import pytest
from discord.ext import commands

from discord_standin.running import assert_no_violations, pointed_at, start_bot, stop_bot
from discord_standin.server import FakeDiscord

__all__ = ["assert_no_violations", "pointed_at", "start_bot", "stop_bot"]


class FakeTestBot(commands.AutoShardedBot):
    """A bare AutoShardedBot that syncs its tree (globally and to given guilds) in ``setup_hook``."""

    def __init__(self, *, sync_global: bool = True, sync_guild_ids: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sync_global = sync_global
        self.sync_guild_ids = list(sync_guild_ids)

    async def setup_hook(self) -> None:
        """Sync the command tree."""
        if self.sync_global:
            await self.tree.sync()
        for guild_id in self.sync_guild_ids:
            await self.tree.sync(guild=discord.Object(guild_id))


ClientFactory = Callable[..., Awaitable[FakeTestBot]]


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """Run a fake Discord on 127.0.0.1 (free port) with the default world; fail on body violations."""
    fake = FakeDiscord()
    fake.build_default_world()
    await fake.start()
    with pointed_at(fake):
        yield fake
        await fake.close()
    assert_no_violations(fake)


@pytest.fixture
async def discord_client_factory(fake_discord: FakeDiscord) -> AsyncIterator[ClientFactory]:
    """Start bare ``FakeTestBot`` clients against the fake; ``configure(bot)`` adds commands before start."""
    started: list[tuple[FakeTestBot, asyncio.Task[None]]] = []

    async def factory(
        configure: Callable[[FakeTestBot], Any] | None = None,
        *,
        intents: discord.Intents | None = None,
        shard_count: int | None = None,
        sync_global: bool = True,
        sync_guild_ids: Iterable[int] = (),
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> FakeTestBot:
        bot = FakeTestBot(
            command_prefix="fake-test!",
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.1,
            shard_count=shard_count,
            sync_global=sync_global,
            sync_guild_ids=sync_guild_ids,
            **kwargs,
        )
        if configure is not None:
            result = configure(bot)
            if asyncio.iscoroutine(result):
                await result
        task = await start_bot(fake_discord, bot, timeout=timeout)
        started.append((bot, task))
        return bot

    yield factory
    for bot, task in reversed(started):
        await stop_bot(bot, task)
