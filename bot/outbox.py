"""The Bot's outbox: messages still to post, edit or delete, sent channel by channel at Discord's pace.

Features queue ``OutboxItem`` rows in the same transaction as the change they announce (so a
restart loses none) and register a handler for their kinds; the outbox drains each channel in
order, about 5 messages per 5 s, and marks items done or failed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.models import OutboxItem
from bot.models.daily import OutboxKind
from bot.pacing import SlidingWindow
from bot.services import outbox as store

if TYPE_CHECKING:
    from bot.client import DrillBot

log = logging.getLogger(__name__)

WAKE_DELAY = 0.05  # coalesce a burst of wakes into one drain
SHUTDOWN_GRACE = 2.0
KEEP_DONE = dt.timedelta(days=14)

# A handler carries out a batch of items of its kind in one channel; it returns the id of the
# message it posted (kept on the items) or None.
Handler = Callable[[discord.PartialMessageable, list[OutboxItem]], Awaitable[int | None]]
# A batcher picks the items (of the first item's kind) to carry out together, given how many
# messages the channel's window still allows now.
Batcher = Callable[[list[OutboxItem], int], Awaitable[list[OutboxItem]]]


@dataclass(frozen=True, slots=True)
class Registration:
    """How a kind is carried out."""

    handler: Handler
    paced: bool  # a new message or a deletion: counts against the channel's 5 per 5 s
    batch: Batcher | None  # None: one item at a time


async def _together_with_same_ref(items: list[OutboxItem], _capacity: int) -> list[OutboxItem]:
    """Carry out every queued repeat of the first item (the same kind and ref) at once: one edit for many."""
    first = items[0]
    return [i for i in items if i.kind == first.kind and i.ref_id == first.ref_id]


SAME_REF: Batcher = _together_with_same_ref


class Outbox:
    """Drains the outbox channel by channel; each feature registers the handlers of its kinds."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self._kinds: dict[OutboxKind, Registration] = {}
        self._windows: dict[int, SlidingWindow] = {}
        self._busy: set[int] = set()
        self._wake_pending = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def register(self, kind: OutboxKind, handler: Handler, *, paced: bool = True, batch: Batcher | None = None) -> None:
        """Carry out items of ``kind`` with ``handler``."""
        self._kinds[kind] = Registration(handler, paced, batch)

    def wake(self) -> None:
        """Start draining soon (called after new work is queued); a burst of wakes makes one drain."""
        if self._closed or self._wake_pending:
            return
        self._wake_pending = True
        task = asyncio.get_running_loop().create_task(self._woken())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _woken(self) -> None:
        await asyncio.sleep(WAKE_DELAY)
        self._wake_pending = False
        await self.drain()

    async def drain(self) -> None:
        """Work through every channel with pending items."""
        async with self.bot.db.read() as session:
            channels = await store.pending_channels(session=session)
        await asyncio.gather(*(self._drain_channel(c) for c in channels if c not in self._busy))

    async def prune(self) -> int:
        """Delete items carried out or given up more than 14 days ago (milestone notes stay: /privacy delete)."""
        async with self.bot.db.write() as session:
            return await store.prune(session=session, before=self.bot.clock.now() - KEEP_DONE)

    async def wait_idle(self) -> None:
        """Wait until no drain is running (for tests and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Stop taking work; let running drains finish briefly, then cancel them (what is left stays queued)."""
        self._closed = True
        if not self._tasks:
            return
        _done, pending = await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_GRACE)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def window(self, channel_id: int) -> SlidingWindow:
        """Return the channel's pace (about 5 messages per 5 s)."""
        return self._windows.setdefault(channel_id, SlidingWindow())

    async def _drain_channel(self, channel_id: int) -> None:
        self._busy.add(channel_id)
        try:
            while True:
                async with self.bot.db.read() as session:
                    items = await store.pending_items(session=session, channel_id=channel_id)
                items = [i for i in items if self.bot.owns_guild(i.guild_id)]
                if not items or not await self._carry_out(channel_id, items):
                    return
        finally:
            self._busy.discard(channel_id)

    async def _carry_out(self, channel_id: int, items: list[OutboxItem]) -> bool:
        """Carry out the next batch; return whether to go on with the channel (False: wait for the next tick)."""
        first = items[0]
        registration = self._kinds.get(first.kind)
        if registration is None:  # a kind no feature handles (a newer version queued it): set it aside
            async with self.bot.db.write() as session:
                await store.mark_attempt_failed(session=session, item_ids=[first.id or 0], error="no handler",
                                                permanent=True)  # fmt: skip
            return True
        window = self.window(channel_id)
        capacity = max(1, window.limit - window.used())
        same_kind = [i for i in items if i.kind == first.kind]
        batch = await registration.batch(same_kind, capacity) if registration.batch else [first]
        ids = [i.id or 0 for i in batch]
        channel = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.public_thread)
        try:
            if registration.paced:
                delay = window.wait_time()
                if delay > 0:
                    await asyncio.sleep(delay)
                window.record()
            message_id = await registration.handler(channel, batch)
        except discord.HTTPException as exc:
            permanent = isinstance(exc, discord.Forbidden | discord.NotFound)
            log.warning("outbox %s in channel %s failed: %s", first.kind, channel_id, exc)
            async with self.bot.db.write() as session:
                await store.mark_attempt_failed(session=session, item_ids=ids, error=str(exc), permanent=permanent)
            return permanent  # a transient failure waits for the next tick
        async with self.bot.db.write() as session:
            await store.mark_done(session=session, item_ids=ids, now=self.bot.clock.now(), message_id=message_id)
        return True
