"""The outbox sender: posts answers and review notices into prompt threads at a channel's pace."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import discord

from bot.models import OutboxItem
from bot.pacing import SlidingWindow
from bot.services import outbox
from bot.services.daily import answers as answer_svc
from bot.services.privacy import MESSAGE_DELETE
from cogs.daily.render import EMBED_TOTAL, MAX_EMBEDS, answer_embed, milestone_note, review_notice
from cogs.daily.views import review_view

if TYPE_CHECKING:
    from bot.client import DrillBot

log = logging.getLogger(__name__)

WAKE_DELAY = 0.05  # coalesce a burst of answers into one drain

SHUTDOWN_GRACE = 2.0
THREAD_ARCHIVED = 50083  # Discord's error code for a change in an archived thread
REVIEW_FOOTER_RESERVE = 40  # a review summary makes an answer's footer this much longer at most


def fitting(embeds: list[discord.Embed]) -> int:
    """Return how many leading embeds one message can carry (10 at most, 6,000 chars in all; at least one)."""
    total = 0
    for count, embed in enumerate(embeds[:MAX_EMBEDS]):
        total += len(embed)
        if count and total > EMBED_TOTAL:
            return count
    return min(len(embeds), MAX_EMBEDS)


class OutboxSender:
    """Drains the outbox channel by channel: about 5 messages per 5 s each, grouping answers under load."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self._windows: dict[int, SlidingWindow] = {}
        self._busy: set[int] = set()
        self._wake_pending = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

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
            channels = await outbox.pending_channels(session=session)
        await asyncio.gather(*(self._drain_channel(c) for c in channels if c not in self._busy))

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

    async def _drain_channel(self, channel_id: int) -> None:
        self._busy.add(channel_id)
        try:
            window = self._windows.setdefault(channel_id, SlidingWindow())
            while True:
                async with self.bot.db.read() as session:
                    items = await outbox.pending_items(session=session, channel_id=channel_id)
                items = [i for i in items if self.bot.owns_guild(i.guild_id)]
                if not items:
                    return
                batch = await self._next_batch(items, window)
                if not await self._process(channel_id, batch, window):
                    return
        finally:
            self._busy.discard(channel_id)

    async def _next_batch(self, items: list[OutboxItem], window: SlidingWindow) -> list[OutboxItem]:
        first = items[0]
        if first.kind != "answer":
            if first.kind in ("answer_edit", "review_notice_edit"):
                return [i for i in items if i.kind == first.kind and i.ref_id == first.ref_id]
            return [first]
        answers = [i for i in items if i.kind == "answer"]
        capacity = max(1, window.limit - window.used())
        if len(answers) <= capacity:
            return [first]  # no backlog: each answer gets its own message
        async with self.bot.db.read() as session:
            rows = await outbox.answers_by_id(session=session, answer_ids=[i.ref_id or 0 for i in answers])
        batch: list[OutboxItem] = []
        total = 0
        for item in answers[:MAX_EMBEDS]:
            row = rows.get(item.ref_id or 0)
            size = len(answer_embed(row, [])) + REVIEW_FOOTER_RESERVE if row else 0
            if batch and total + size > EMBED_TOTAL:
                break
            batch.append(item)
            total += size
        return batch

    async def _process(self, channel_id: int, batch: list[OutboxItem], window: SlidingWindow) -> bool:
        channel = self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.public_thread)
        kind = batch[0].kind
        ids = [i.id or 0 for i in batch]
        try:
            if kind in ("answer", "review_notice", answer_svc.MILESTONE, MESSAGE_DELETE):
                delay = window.wait_time()
                if delay > 0:
                    await asyncio.sleep(delay)
                window.record()
            if kind == "answer":
                await self._post_answers(channel, batch)
            elif kind == MESSAGE_DELETE:  # a post of a member who erased their data (/privacy delete)
                await self._delete_post(channel_id, int(batch[0].payload.get("message_id", 0)))
            elif kind == "answer_edit":
                await self._edit_answer_message(channel, batch[0].ref_id or 0)
            elif kind in ("review_notice", "review_notice_edit"):
                await self._post_review_notice(channel, batch[0], edit=kind == "review_notice_edit")
            elif kind == answer_svc.MILESTONE:
                await self._post_milestone(channel, batch[0])
        except discord.HTTPException as exc:
            permanent = isinstance(exc, discord.Forbidden | discord.NotFound)
            log.warning("outbox %s in channel %s failed: %s", kind, channel_id, exc)
            async with self.bot.db.write() as session:
                await outbox.mark_attempt_failed(session=session, item_ids=ids, error=str(exc), permanent=permanent)
            return permanent  # a transient failure waits for the next tick
        async with self.bot.db.write() as session:
            await outbox.mark_done(session=session, item_ids=ids, now=self.bot.clock.now())
        return True

    async def _render_answers(self, answer_ids: list[int]) -> tuple[list[discord.Embed], discord.ui.View, list[int]]:
        async with self.bot.db.read() as session:
            rows = await outbox.answers_by_id(session=session, answer_ids=answer_ids)
            reviews = await answer_svc.reviews_of(session=session, answer_ids=list(rows))
        ordered = [rows[a] for a in answer_ids if a in rows]
        embeds = [answer_embed(a, reviews.get(a.id or 0, [])) for a in ordered]
        view = review_view([(a.id or 0, a.display_name or "answer") for a in ordered])
        return embeds, view, [a.id or 0 for a in ordered]

    async def _post_answers(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> None:
        await self._send_answers(channel, [i.ref_id or 0 for i in batch], nonce=f"ob{batch[0].id}")

    async def _send_answers(self, channel: discord.PartialMessageable, answer_ids: list[int], *, nonce: str) -> None:
        """Post answers in as few messages as fit Discord's limits, recording where each one went."""
        part = 0
        while answer_ids:
            embeds, view, present = await self._render_answers(answer_ids)
            if not present:
                return  # removed before it was posted
            fits = fitting(embeds)
            if fits < len(present):
                embeds, view, present = await self._render_answers(present[:fits])
            message = await channel.send(
                embeds=embeds, view=view, nonce=f"{nonce}-{part}" if part else nonce,
                allowed_mentions=discord.AllowedMentions.none(),
            )  # fmt: skip
            async with self.bot.db.write() as session:
                await outbox.attach_answers(session=session, answer_ids=present, message_id=message.id)
            answer_ids = [a for a in answer_ids if a not in present]
            part += 1

    async def _edit_answer_message(self, channel: discord.PartialMessageable, answer_id: int) -> None:
        async with self.bot.db.read() as session:
            rows = await outbox.answers_by_id(session=session, answer_ids=[answer_id])
        answer = rows.get(answer_id)
        if answer is None or answer.post_message_id is None:
            return
        await self.rerender(channel, answer.post_message_id)

    async def rerender(self, channel: discord.PartialMessageable, message_id: int) -> None:
        """Redraw a posted answers message from the database (deleting it when no answer is left)."""
        async with self.bot.db.read() as session:
            on_message = await outbox.answers_on_message(session=session, message_id=message_id)
        message = channel.get_partial_message(message_id)
        if not on_message:
            await message.delete()
            return
        ids = [a.id or 0 for a in on_message]
        embeds, view, _ = await self._render_answers(ids)
        fits = fitting(embeds)
        if fits < len(ids):  # an edit or new reviews outgrew the shared message: move the rest out
            embeds, view, _ = await self._render_answers(ids[:fits])
        await message.edit(embeds=embeds, view=view, allowed_mentions=discord.AllowedMentions.none())
        if fits < len(ids):
            await self._send_answers(channel, ids[fits:], nonce=f"mv{message_id}"[:25])

    async def _post_review_notice(self, channel: discord.PartialMessageable, item: OutboxItem, *, edit: bool) -> None:
        async with self.bot.db.read() as session:
            found = await outbox.review_with_answer(session=session, review_id=item.ref_id or 0)
        if found is None:
            return  # removed before its notice went out
        review, answer = found
        content, embed = review_notice(review, answer, review.reviewer_name or "a peer")
        mentions = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(answer.user_id)])
        if edit and review.notice_message_id:
            await channel.get_partial_message(review.notice_message_id).edit(
                content=content, embed=embed, allowed_mentions=discord.AllowedMentions.none()
            )
            return
        message = await channel.send(content=content, embed=embed, nonce=f"ob{item.id}", allowed_mentions=mentions)
        async with self.bot.db.write() as session:
            await outbox.attach_review_notice(session=session, review_id=review.id or 0, message_id=message.id)

    async def _post_milestone(self, channel: discord.PartialMessageable, item: OutboxItem) -> None:
        user_id, milestone = int(item.payload["user_id"]), int(item.payload["milestone"])
        mentions = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(user_id)])
        note = milestone_note(user_id, milestone)
        message = await channel.send(note, nonce=f"ob{item.id}", allowed_mentions=mentions)
        async with self.bot.db.write() as session:
            await outbox.attach_message(session=session, item_id=item.id or 0, message_id=message.id)

    async def _delete_post(self, channel_id: int, message_id: int) -> None:
        """Delete a bot post (one already gone is fine); in an archived thread (50083) reopen it, delete, close it."""
        message = self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)
        try:
            await message.delete()
            return
        except discord.NotFound:
            return
        except discord.HTTPException as exc:
            if exc.code != THREAD_ARCHIVED:
                raise
        await self.bot.http.edit_channel(channel_id, archived=False)
        try:
            with contextlib.suppress(discord.NotFound):
                await message.delete()
        finally:
            await self.bot.http.edit_channel(channel_id, archived=True)
