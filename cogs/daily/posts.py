"""The daily loop's posts in prompt threads: answers (grouped under load), their redraws, review notices.

These are the outbox's handlers for the answer and review kinds (see bot/outbox.py), and the redraw
moderators' removals use.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import discord

from bot.models import DailyPrompt, OutboxItem
from bot.models.daily import OutboxKind
from bot.outbox import SAME_REF
from bot.services.daily import posts
from bot.services.questions import question_of
from cogs.daily.render import EMBED_TOTAL, MAX_EMBEDS, answer_embed, review_notice
from cogs.daily.views import review_view
from cogs.questions.render import solution_embed

if TYPE_CHECKING:
    from bot.client import DrillBot

REVIEW_FOOTER_RESERVE = 40  # a review summary makes an answer's footer this much longer at most


def fitting(embeds: list[discord.Embed]) -> int:
    """Return how many leading embeds one message can carry (10 at most, 6,000 chars in all; at least one)."""
    total = 0
    for count, embed in enumerate(embeds[:MAX_EMBEDS]):
        total += len(embed)
        if count and total > EMBED_TOTAL:
            return count
    return min(len(embeds), MAX_EMBEDS)


class AnswerPosts:
    """Posts answers and review notices into prompt threads, through the Bot's outbox."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot

    def register(self) -> None:
        """Carry out the daily loop's outbox kinds here."""
        outbox = self.bot.outbox
        outbox.register(OutboxKind.ANSWER, self._post_answers, batch=self._answers_batch)
        outbox.register(OutboxKind.ANSWER_EDIT, self._edit_answer, paced=False, batch=SAME_REF)
        outbox.register(OutboxKind.REVIEW_NOTICE, self._post_review_notice)
        outbox.register(OutboxKind.REVIEW_NOTICE_EDIT, self._edit_review_notice, paced=False, batch=SAME_REF)
        outbox.register(OutboxKind.MODEL_ANSWER, self._post_model_answer)

    async def _post_model_answer(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> int | None:
        """Post a closed prompt's model answer in its thread (nothing when its question has none)."""
        item = batch[0]
        question = None
        async with self.bot.db.read() as session:
            prompt = await session.get(DailyPrompt, item.ref_id or 0)
            if prompt is not None:
                question = await question_of(session=session, bank=self.bot.bank, guild_id=prompt.guild_id,
                                             question_id=prompt.question_id)  # fmt: skip
        embed = solution_embed(question) if question else None
        if embed is None:
            return None
        message = await channel.send(
            content="This prompt is closed: here is a model answer to compare yours with.", embed=embed,
            nonce=f"ob{item.id}", allowed_mentions=discord.AllowedMentions.none(),
        )  # fmt: skip
        return message.id

    async def _answers_batch(self, answers: list[OutboxItem], capacity: int) -> list[OutboxItem]:
        """Post each answer alone, unless more wait than the channel's pace allows now: then several a message."""
        if len(answers) <= capacity:
            return answers[:1]  # no backlog: each answer gets its own message
        async with self.bot.db.read() as session:
            rows = await posts.answers_by_id(session=session, answer_ids=[i.ref_id or 0 for i in answers])
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

    async def _render_answers(
        self, answer_ids: list[int]
    ) -> tuple[list[discord.Embed], discord.ui.View, dict[int, dt.datetime]]:
        """Draw answers as they are now; also return, per answer drawn, the version (updated_at) drawn."""
        async with self.bot.db.read() as session:
            rows = await posts.answers_by_id(session=session, answer_ids=answer_ids)
            reviews = await posts.reviews_of(session=session, answer_ids=list(rows))
        ordered = [rows[a] for a in answer_ids if a in rows]
        embeds = [answer_embed(a, reviews.get(a.id or 0, [])) for a in ordered]
        view = review_view(ordered)
        return embeds, view, {a.id or 0: a.updated_at for a in ordered}

    async def _post_answers(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> None:
        await self._send_answers(channel, [i.ref_id or 0 for i in batch], nonce=f"ob{batch[0].id}")

    async def _send_answers(self, channel: discord.PartialMessageable, answer_ids: list[int], *, nonce: str) -> None:
        """Post answers in as few messages as fit Discord's limits, recording where each one went."""
        part = 0
        while answer_ids:
            embeds, view, drawn = await self._render_answers(answer_ids)
            if not drawn:
                return  # removed before it was posted
            fits = fitting(embeds)
            if fits < len(drawn):
                embeds, view, drawn = await self._render_answers(list(drawn)[:fits])
            message = await channel.send(
                embeds=embeds, view=view, nonce=f"{nonce}-{part}" if part else nonce,
                allowed_mentions=discord.AllowedMentions.none(),
            )  # fmt: skip
            async with self.bot.db.write() as session:
                now = await posts.attach_answers(session=session, answer_ids=list(drawn), message_id=message.id)
            if now != drawn:  # edited while it was being posted (no edit was queued then): draw it again
                await self.rerender(channel, message.id)
            answer_ids = [a for a in answer_ids if a not in drawn]
            part += 1

    async def _edit_answer(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> None:
        answer_id = batch[0].ref_id or 0
        async with self.bot.db.read() as session:
            rows = await posts.answers_by_id(session=session, answer_ids=[answer_id])
        answer = rows.get(answer_id)
        if answer is None or answer.post_message_id is None:
            return
        await self.rerender(channel, answer.post_message_id)

    async def rerender(self, channel: discord.PartialMessageable, message_id: int) -> None:
        """Redraw a posted answers message from the database (deleting it when no answer is left)."""
        async with self.bot.db.read() as session:
            on_message = await posts.answers_on_message(session=session, message_id=message_id)
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

    async def _post_review_notice(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> int | None:
        return await self._review_notice(channel, batch[0], edit=False)

    async def _edit_review_notice(self, channel: discord.PartialMessageable, batch: list[OutboxItem]) -> int | None:
        return await self._review_notice(channel, batch[0], edit=True)

    async def _review_notice(self, channel: discord.PartialMessageable, item: OutboxItem, *, edit: bool) -> int | None:
        async with self.bot.db.read() as session:
            found = await posts.review_with_answer(session=session, review_id=item.ref_id or 0)
        if found is None:
            return None  # removed before its notice went out
        review, answer = found
        content, embed = review_notice(review, answer, review.reviewer_name or "a peer")
        mentions = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(answer.user_id)])
        if edit:  # a notice not sent yet is sent from its own item, with the review as it is then
            if review.notice_message_id:
                await channel.get_partial_message(review.notice_message_id).edit(
                    content=content, embed=embed, allowed_mentions=discord.AllowedMentions.none()
                )
            return None
        message = await channel.send(content=content, embed=embed, nonce=f"ob{item.id}", allowed_mentions=mentions)
        async with self.bot.db.write() as session:
            await posts.attach_review_notice(session=session, review_id=review.id or 0, message_id=message.id)
        return message.id
