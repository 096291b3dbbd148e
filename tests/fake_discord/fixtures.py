"""Pytest fixtures: a running fake Discord with the default world, and discord.py clients against it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import discord
import pytest
import yarl
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from tests.eventually import eventually

from .server import FakeDiscord


def fast_identify(client: discord.Client) -> None:
    """Skip discord.py's 5 s pause before each non-initial IDENTIFY (re-identify, later shards)."""

    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        return None

    setattr(client, "before_identify_hook", no_wait)  # noqa: B010 - instance override of a hook method


async def start_bot(fake: FakeDiscord, bot: discord.Client, *, timeout: float = 10.0) -> asyncio.Task[None]:
    """Start ``bot`` against ``fake`` (fast re-identify) and return its task once the client is ready."""
    fast_identify(bot)
    loop = asyncio.get_running_loop()
    task = loop.create_task(bot.start(fake.token))

    def ready() -> bool:
        if task.done():
            task.result()
            raise AssertionError("the bot stopped before it was ready")
        return bot.is_ready()

    try:
        await eventually(ready, timeout=timeout, what="the bot to be ready", interval=0.01)
    except BaseException:
        await stop_bot(bot, task)
        raise
    return task


async def stop_bot(bot: discord.Client, task: asyncio.Task[None] | None = None) -> None:
    """Close ``bot`` and wait for its task to end."""
    with contextlib.suppress(Exception):
        await bot.close()
    if task is not None:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(task, timeout=5)


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


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Any:
    """Point discord.py at ``fake`` for the duration of the block, then restore the real endpoints."""
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    fake.point_discord_py()
    try:
        yield fake
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, yarl.URL(str(old_gateway))


def assert_no_violations(fake: FakeDiscord) -> None:
    """Fail if the fake rejected a request body outside ``expect_violations()``."""
    if fake.violations:
        lines = [f"{v.method} {v.path}: {'; '.join(v.messages)}" for v in fake.violations]
        raise AssertionError("fake Discord rejected request bodies:\n  " + "\n  ".join(lines))


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
