"""The outbox: messages still to post or edit, kept in the database so a restart loses none."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import Answer, OutboxItem, Review

MAX_ATTEMPTS = 5


async def pending_channels(*, session: AsyncSession, guild_ids: set[int] | None = None) -> list[int]:
    """Return the channels with pending items, oldest work first."""
    stmt = (
        select(col(OutboxItem.channel_id), col(OutboxItem.guild_id), col(OutboxItem.id))
        .where(col(OutboxItem.state) == "pending")
        .order_by(col(OutboxItem.id))
    )
    seen: dict[int, None] = {}
    for channel_id, guild_id, _ in (await session.execute(stmt)).all():
        if guild_ids is None or guild_id in guild_ids:
            seen.setdefault(channel_id, None)
    return list(seen)


async def pending_items(*, session: AsyncSession, channel_id: int, limit: int = 50) -> list[OutboxItem]:
    """Return a channel's pending items in order."""
    stmt = (
        select(OutboxItem)
        .where(col(OutboxItem.channel_id) == channel_id, col(OutboxItem.state) == "pending")
        .order_by(col(OutboxItem.id))
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def mark_done(*, session: AsyncSession, item_ids: list[int], now: dt.datetime) -> None:
    """Mark items as carried out."""
    if item_ids:
        await session.execute(
            update(OutboxItem).where(col(OutboxItem.id).in_(item_ids)).values(state="done", done_at=now)
        )


async def mark_attempt_failed(*, session: AsyncSession, item_ids: list[int], error: str, permanent: bool) -> None:
    """Count a failed attempt; give up after MAX_ATTEMPTS or at once when the failure is permanent."""
    for item in await session.scalars(select(OutboxItem).where(col(OutboxItem.id).in_(item_ids))):
        item.attempts += 1
        item.last_error = error[:1000]
        if permanent or item.attempts >= MAX_ATTEMPTS:
            item.state = "failed"


async def attach_answers(*, session: AsyncSession, answer_ids: list[int], message_id: int) -> None:
    """Record the message that shows these answers."""
    if answer_ids:
        await session.execute(update(Answer).where(col(Answer.id).in_(answer_ids)).values(post_message_id=message_id))


async def attach_review_notice(*, session: AsyncSession, review_id: int, message_id: int) -> None:
    """Record the message that told the author about this review."""
    await session.execute(update(Review).where(col(Review.id) == review_id).values(notice_message_id=message_id))


async def attach_message(*, session: AsyncSession, item_id: int, message_id: int) -> None:
    """Remember the message an item posted (so /privacy delete can find a note that names a member)."""
    item = await session.get(OutboxItem, item_id, with_for_update=True)
    if item is not None:
        item.payload = {**item.payload, "message_id": str(message_id)}  # a new dict, so the JSON column is written


async def answers_by_id(*, session: AsyncSession, answer_ids: list[int]) -> dict[int, Answer]:
    """Return answers by id (removed ones are absent)."""
    if not answer_ids:
        return {}
    return {a.id: a for a in await session.scalars(select(Answer).where(col(Answer.id).in_(answer_ids))) if a.id}


async def answers_on_message(*, session: AsyncSession, message_id: int) -> list[Answer]:
    """Return the answers a message shows, in posting order."""
    stmt = select(Answer).where(col(Answer.post_message_id) == message_id).order_by(col(Answer.id))
    return list(await session.scalars(stmt))


async def review_with_answer(*, session: AsyncSession, review_id: int) -> tuple[Review, Answer] | None:
    """Return a review and the answer it is about (None when either was removed)."""
    review = await session.get(Review, review_id)
    answer = await session.get(Answer, review.answer_id) if review is not None else None
    return (review, answer) if review is not None and answer is not None else None
