"""Running a discord.py client against the stand-in: start, stop, and pointing discord.py at it."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from .server import FakeDiscord


async def _until(predicate: Any, *, timeout: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        await asyncio.sleep(0.01)


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
        await _until(ready, timeout=timeout, what="the bot to be ready")
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
