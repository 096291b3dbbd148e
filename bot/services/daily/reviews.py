"""Peer reviews of answers: one review per reviewer per answer, scored 1-5, with the author's notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts
from bot.models import Answer, DailyPrompt, OutboxItem, Review
from bot.models.daily import OutboxKind
from bot.services import guild_time, streaks
from bot.services.errors import Refused
from bot.text import visible

COMMENT_MAX = 1000
SCORE_RANGE = range(1, 6)


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """The stored review, whether it is new, and the answer it is about."""

    review: Review
    answer: Answer
    created: bool


def check_scores(structure: int, clarity: int, depth: int) -> None:
    """Refuse scores outside 1-5."""
    if any(score not in SCORE_RANGE for score in (structure, clarity, depth)):
        raise Refused("Pick a score from 1 to 5 for structure, clarity and depth. Nothing was stored.")


async def submit_review(
    *,
    session: AsyncSession,
    answer_id: int,
    reviewer_id: int,
    structure: int,
    reviewer_name: str = "",
    clarity: int,
    depth: int,
    comment: str,
    now: dt.datetime,
) -> ReviewResult:
    """Store a review (or update the reviewer's earlier one) and queue the author's notice."""
    check_scores(structure, clarity, depth)
    comment = visible(comment)
    if len(comment) > COMMENT_MAX:
        raise Refused(f"Comments are limited to {COMMENT_MAX} characters.")
    answer = await session.get(Answer, answer_id)
    if answer is None:
        raise Refused("That answer was removed.")
    if answer.user_id == reviewer_id:
        raise Refused("You cannot review your own answer; ask a peer to review it.")
    values = {
        "structure": structure,
        "clarity": clarity,
        "depth": depth,
        "comment": comment,
        "reviewer_name": reviewer_name[:100],
    }
    inserted = await session.execute(
        insert_ignoring_conflicts(
            session,
            Review,
            {
                "answer_id": answer_id,
                "guild_id": answer.guild_id,
                "reviewer_id": reviewer_id,
                "created_at": now,
                "updated_at": now,
                **values,
            },
            conflict=["answer_id", "reviewer_id"],
        )
    )
    created = bool(inserted.rowcount)  # type: ignore[attr-defined]
    review = (
        await session.scalars(
            select(Review)
            .where(col(Review.answer_id) == answer_id, col(Review.reviewer_id) == reviewer_id)
            .execution_options(populate_existing=True)
        )
    ).one()
    if not created:
        for key, value in values.items():
            setattr(review, key, value)
        review.updated_at = now
    else:
        await streaks.record_review(
            session=session, guild_id=answer.guild_id, reviewer_id=reviewer_id,
            local_day=await guild_time.local_day(session, answer.guild_id, now),
        )  # fmt: skip
    prompt = await session.get(DailyPrompt, answer.prompt_id)
    if prompt is not None and prompt.thread_id is not None:
        # One notice per review, ever: an edit only updates it (quietly; a notice still waiting shows the edit).
        kind = OutboxKind.REVIEW_NOTICE if created else OutboxKind.REVIEW_NOTICE_EDIT
        session.add(OutboxItem(guild_id=answer.guild_id, channel_id=prompt.thread_id, kind=kind, ref_id=review.id))
        if answer.post_message_id is not None:
            session.add(
                OutboxItem(
                    guild_id=answer.guild_id, channel_id=prompt.thread_id, kind=OutboxKind.ANSWER_EDIT, ref_id=answer.id
                )
            )
    await session.flush()
    return ReviewResult(review, answer, created)


async def my_review(*, session: AsyncSession, answer_id: int, reviewer_id: int) -> Review | None:
    """Return a reviewer's review of an answer, if any."""
    stmt = select(Review).where(col(Review.answer_id) == answer_id, col(Review.reviewer_id) == reviewer_id)
    return (await session.scalars(stmt)).first()


async def review_form(*, session: AsyncSession, answer_id: int, reviewer_id: int) -> tuple[int, int, int, str] | None:
    """Return a reviewer's earlier scores and comment for an answer (None: a first review); the author is refused."""
    answer = await session.get(Answer, answer_id)
    if answer is None:
        raise Refused("That answer was removed.")
    if answer.user_id == reviewer_id:
        raise Refused("You cannot review your own answer; ask a peer to review it.")
    mine = await my_review(session=session, answer_id=answer_id, reviewer_id=reviewer_id)
    return (mine.structure, mine.clarity, mine.depth, mine.comment) if mine else None
