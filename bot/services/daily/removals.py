"""Moderators' removals: an answer or a review taken out of the drill, and out of every count."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import Answer, DailyPrompt, OutboxItem, Review
from bot.models.daily import OutboxKind, OutboxState
from bot.services import streaks
from bot.services.guild_time import local_day, zone_name


async def remove_answer(*, session: AsyncSession, guild_id: int, answer_id: int) -> Answer | None:
    """Delete an answer and its reviews; it no longer counts anywhere."""
    answer = await session.get(Answer, answer_id)
    if answer is None or answer.guild_id != guild_id:
        return None
    review_ids = list(await session.scalars(select(col(Review.id)).where(col(Review.answer_id) == answer_id)))
    if review_ids:
        await session.execute(
            delete(OutboxItem).where(
                col(OutboxItem.kind).in_([OutboxKind.REVIEW_NOTICE, OutboxKind.REVIEW_NOTICE_EDIT]),
                col(OutboxItem.ref_id).in_(review_ids),
                col(OutboxItem.state) == OutboxState.PENDING,
            )
        )
    for review in await session.scalars(select(Review).where(col(Review.answer_id) == answer_id)):
        await uncount_review(session, review)
    await session.execute(delete(Review).where(col(Review.answer_id) == answer_id))
    unannounced = list(
        await session.scalars(
            delete(OutboxItem)
            .where(col(OutboxItem.kind) == OutboxKind.MILESTONE, col(OutboxItem.ref_id) == answer_id,
                   col(OutboxItem.state) == OutboxState.PENDING)
            .returning(col(OutboxItem.payload))
        )
    )  # fmt: skip
    await session.execute(
        delete(OutboxItem).where(
            col(OutboxItem.kind).in_([OutboxKind.ANSWER, OutboxKind.ANSWER_EDIT]),
            col(OutboxItem.ref_id) == answer_id,
            col(OutboxItem.state) == OutboxState.PENDING,
        )
    )
    await session.delete(answer)
    await session.flush()
    await streaks.rebuild_member(
        session=session, guild_id=guild_id, user_id=answer.user_id, zone_name=await zone_name(session, guild_id)
    )
    for payload in unannounced:  # removed before its milestone went out: that milestone was never announced
        await streaks.unannounce_milestone(
            session=session, guild_id=guild_id, user_id=answer.user_id, milestone=int(payload["milestone"])
        )
    return answer


async def uncount_review(session: AsyncSession, review: Review) -> None:
    """Take a review out of its reviewer's tallies (counted on the guild-time day it was given)."""
    await streaks.record_review(
        session=session, guild_id=review.guild_id, reviewer_id=review.reviewer_id,
        local_day=await local_day(session, review.guild_id, review.created_at), delta=-1,
    )  # fmt: skip


async def remove_review(*, session: AsyncSession, guild_id: int, review_id: int) -> Review | None:
    """Delete a review; it no longer counts anywhere (its answer's post is queued for a redraw)."""
    review = await session.get(Review, review_id)
    if review is None or review.guild_id != guild_id:
        return None
    await session.execute(
        delete(OutboxItem).where(
            col(OutboxItem.kind).in_([OutboxKind.REVIEW_NOTICE, OutboxKind.REVIEW_NOTICE_EDIT]),
            col(OutboxItem.ref_id) == review_id,
            col(OutboxItem.state) == OutboxState.PENDING,
        )
    )
    await uncount_review(session, review)
    await session.delete(review)
    answer = await session.get(Answer, review.answer_id)
    prompt = await session.get(DailyPrompt, answer.prompt_id) if answer is not None else None
    if answer is not None and answer.post_message_id is not None and prompt is not None and prompt.thread_id:
        session.add(
            OutboxItem(guild_id=guild_id, channel_id=prompt.thread_id, kind=OutboxKind.ANSWER_EDIT, ref_id=answer.id)
        )
    await session.flush()
    return review
