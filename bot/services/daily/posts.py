"""Where the daily loop's posts are: which message shows which answers, which one told an author of a review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import Answer, Review


@dataclass(frozen=True, slots=True)
class PostedContent:
    """What the bot posted in a message: answers and/or review notices."""

    answers: list[Answer]
    reviews: list[Review]


async def content_of_message(*, session: AsyncSession, guild_id: int, message_id: int) -> PostedContent:
    """Return the answers and reviews a bot message shows."""
    answers = list(
        await session.scalars(
            select(Answer).where(col(Answer.guild_id) == guild_id, col(Answer.post_message_id) == message_id)
        )
    )
    reviews = list(
        await session.scalars(
            select(Review).where(col(Review.guild_id) == guild_id, col(Review.notice_message_id) == message_id)
        )
    )
    return PostedContent(answers, reviews)


async def reviews_of(*, session: AsyncSession, answer_ids: list[int]) -> dict[int, list[Review]]:
    """Return the reviews of several answers, keyed by answer id."""
    if not answer_ids:
        return {}
    rows = await session.scalars(select(Review).where(col(Review.answer_id).in_(answer_ids)))
    grouped: dict[int, list[Review]] = {a: [] for a in answer_ids}
    for review in rows:
        grouped[review.answer_id].append(review)
    return grouped


async def review_notices_of(*, session: AsyncSession, answer_id: int) -> list[int]:
    """Return the ids of the messages that told an answer's author about its reviews."""
    stmt = select(col(Review.notice_message_id)).where(
        col(Review.answer_id) == answer_id, col(Review.notice_message_id).is_not(None)
    )
    return [m for m in await session.scalars(stmt) if m is not None]


async def attach_answers(*, session: AsyncSession, answer_ids: list[int], message_id: int) -> dict[int, dt.datetime]:
    """Record the message that shows these answers; return each one's version (updated_at) as it is now."""
    if not answer_ids:
        return {}
    stmt = (
        update(Answer).where(col(Answer.id).in_(answer_ids)).values(post_message_id=message_id)
        .returning(col(Answer.id), col(Answer.updated_at))
    )  # fmt: skip
    current = {int(i or 0): when for i, when in (await session.execute(stmt)).all()}
    return {a: current[a] for a in answer_ids if a in current}


async def attach_review_notice(*, session: AsyncSession, review_id: int, message_id: int) -> None:
    """Record the message that told the author about this review."""
    await session.execute(update(Review).where(col(Review.id) == review_id).values(notice_message_id=message_id))


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
