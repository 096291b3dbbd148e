"""What feedback adds up to: a member's averages, signals and trend, weak areas, and admins' counts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import Answer, DailyPrompt, MockFeedback, MockGroup, MockGroupMember, MockRound
from bot.models.feedback import Signal
from bot.services.errors import Refused
from bot.services.feedback import DIMENSIONS, GIVING_STATES, SIGNALS, WEAK_AREA_CATEGORIES, received

LATEST_COMMENTS = 3


@dataclass(frozen=True, slots=True)
class Summary:
    """A member's received feedback in numbers: what /feedback mine shows."""

    count: int
    averages: dict[str, float]
    signals: dict[Signal, int]
    latest: list[MockFeedback]
    trend: dict[str, list[tuple[dt.date, float]]]


@dataclass(frozen=True, slots=True)
class RoundParticipation:
    """How much feedback one round produced: counts only, never content."""

    period_key: str
    groups: int
    possible: int  # directions: 2 per pair, 6 per trio
    given: int
    givers: int
    reported: int


def averages(rows: Sequence[MockFeedback]) -> dict[str, float]:
    """Return the mean score per dimension (empty when there is no feedback)."""
    if not rows:
        return {}
    return {d: sum(getattr(r, d) for r in rows) / len(rows) for d in DIMENSIONS}


def signal_counts(rows: Sequence[MockFeedback]) -> dict[Signal, int]:
    """Return how often each overall signal was given, in the order strong no → strong yes."""
    return {s: sum(r.signal == s for r in rows) for s in SIGNALS}


def trend(rows: Sequence[MockFeedback]) -> dict[str, list[tuple[dt.date, float]]]:
    """Return, per dimension, the mean score per UTC day that brought feedback, oldest first."""
    by_day: dict[dt.date, list[MockFeedback]] = defaultdict(list)
    for row in rows:
        by_day[row.created_at.astimezone(dt.UTC).date()].append(row)
    days = sorted(by_day)
    return {d: [(day, sum(getattr(r, d) for r in by_day[day]) / len(by_day[day])) for day in days] for d in DIMENSIONS}


def weakest(means: dict[str, float], count: int = 2) -> list[str]:
    """Return the ``count`` lowest-scored dimensions (ties in the order of DIMENSIONS)."""
    return sorted(means, key=lambda d: (means[d], DIMENSIONS.index(d)))[:count]


def weak_categories(dimensions: Sequence[str]) -> list[str]:
    """Return the question categories that practise ``dimensions``, without repeats, in order."""
    return list(dict.fromkeys(c for d in dimensions for c in WEAK_AREA_CATEGORIES.get(d, ())))


async def mine(
    *, session: AsyncSession, guild_id: int, user_id: int, listed: int
) -> tuple[Summary, list[MockFeedback]]:
    """Return what /feedback mine shows: the summary, and the ``listed`` latest feedbacks to open one by one.

    Refused before any feedback arrived.
    """
    rows = await received(session=session, guild_id=guild_id, recipient_id=user_id)
    if not rows:
        raise Refused("You have not received feedback yet. After a mock, your partner can give it.")
    return Summary(len(rows), averages(rows), signal_counts(rows), rows[:LATEST_COMMENTS], trend(rows)), rows[:listed]


async def weakest_dimensions(*, session: AsyncSession, guild_id: int, user_id: int) -> list[str]:
    """Return a member's two weakest dimensions by received feedback ([] without feedback)."""
    means = (
        await session.execute(
            select(func.count(), *(func.avg(getattr(MockFeedback, d)) for d in DIMENSIONS)).where(
                col(MockFeedback.guild_id) == guild_id, col(MockFeedback.recipient_id) == user_id
            )
        )
    ).one()
    if not means[0]:
        return []
    return weakest({d: float(m) for d, m in zip(DIMENSIONS, means[1:], strict=True)})


async def practice_suggestion(
    *, session: AsyncSession, guild_id: int, user_id: int, exclude_prompt_id: int | None = None
) -> DailyPrompt | None:
    """Return a past daily prompt of the server from the member's weak areas, one they did not answer if any."""
    categories = weak_categories(await weakest_dimensions(session=session, guild_id=guild_id, user_id=user_id))
    if not categories:
        return None
    mine = and_(col(Answer.prompt_id) == col(DailyPrompt.id), col(Answer.user_id) == user_id)
    stmt = (
        select(DailyPrompt, col(Answer.id))
        .outerjoin(Answer, mine)
        .where(col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.message_id).is_not(None),
               col(DailyPrompt.category).in_(categories))
        .order_by(col(DailyPrompt.local_date).desc())
        .limit(60)
    )  # fmt: skip
    if exclude_prompt_id is not None:
        stmt = stmt.where(col(DailyPrompt.id) != exclude_prompt_id)
    rows = (await session.execute(stmt)).all()
    if not rows:
        return None
    return next((prompt for prompt, answer_id in rows if answer_id is None), rows[0][0])


async def participation(*, session: AsyncSession, guild_id: int, limit: int = 6) -> list[RoundParticipation]:
    """Return feedback counts for a server's recent rounds, newest first (admins: counts, no content)."""
    stmt = select(MockRound).where(col(MockRound.guild_id) == guild_id).order_by(col(MockRound.id).desc()).limit(limit)
    found = []
    for round_row in await session.scalars(stmt):
        group_ids = list(await session.scalars(select(col(MockGroup.id)).where(
            col(MockGroup.round_id) == round_row.id, col(MockGroup.state).in_(GIVING_STATES))))  # fmt: skip
        sizes = (await session.execute(
            select(func.count()).select_from(MockGroupMember)
            .where(col(MockGroupMember.group_id).in_(group_ids)).group_by(col(MockGroupMember.group_id))
        )).scalars().all() if group_ids else []  # fmt: skip
        rows = (await session.execute(
            select(col(MockFeedback.giver_id), col(MockFeedback.reported_at)).where(
                col(MockFeedback.group_id).in_(group_ids))
        )).all() if group_ids else []  # fmt: skip
        found.append(RoundParticipation(
            round_row.period_key, len(group_ids), sum(n * (n - 1) for n in sizes), len(rows),
            len({giver for giver, _ in rows}), sum(reported is not None for _, reported in rows),
        ))  # fmt: skip
    return found
