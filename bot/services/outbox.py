"""The outbox's rows: messages still to post, edit or delete, kept in the database so a restart loses none."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import OutboxItem
from bot.models.daily import OutboxKind, OutboxState

MAX_ATTEMPTS = 5


async def pending_channels(*, session: AsyncSession) -> list[int]:
    """Return the channels with pending items, oldest work first."""
    stmt = (
        select(col(OutboxItem.channel_id), col(OutboxItem.id))
        .where(col(OutboxItem.state) == OutboxState.PENDING)
        .order_by(col(OutboxItem.id))
    )
    return list(dict.fromkeys(channel_id for channel_id, _ in (await session.execute(stmt)).all()))


async def pending_items(*, session: AsyncSession, channel_id: int, limit: int = 50) -> list[OutboxItem]:
    """Return a channel's pending items in order."""
    stmt = (
        select(OutboxItem)
        .where(col(OutboxItem.channel_id) == channel_id, col(OutboxItem.state) == OutboxState.PENDING)
        .order_by(col(OutboxItem.id))
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def mark_done(*, session: AsyncSession, item_ids: list[int], now: dt.datetime, message_id: int | None) -> None:
    """Mark items as carried out, with the message they posted (if any)."""
    if item_ids:
        values: dict[str, object] = {"state": OutboxState.DONE, "done_at": now}
        if message_id is not None:
            values["message_id"] = message_id
        await session.execute(update(OutboxItem).where(col(OutboxItem.id).in_(item_ids)).values(**values))


async def mark_attempt_failed(*, session: AsyncSession, item_ids: list[int], error: str, permanent: bool) -> None:
    """Count a failed attempt; give up after MAX_ATTEMPTS or at once when the failure is permanent."""
    for item in await session.scalars(select(OutboxItem).where(col(OutboxItem.id).in_(item_ids))):
        item.attempts += 1
        item.last_error = error[:1000]
        if permanent or item.attempts >= MAX_ATTEMPTS:
            item.state = OutboxState.FAILED


async def prune(*, session: AsyncSession, before: dt.datetime) -> int:
    """Delete items done or given up before ``before``, except posted milestone notes (/privacy delete finds them)."""
    kept = and_(col(OutboxItem.kind) == OutboxKind.MILESTONE, col(OutboxItem.message_id).is_not(None))
    finished = or_(
        col(OutboxItem.done_at) < before, and_(col(OutboxItem.done_at).is_(None), col(OutboxItem.created_at) < before)
    )
    stmt = delete(OutboxItem).where(col(OutboxItem.state) != OutboxState.PENDING, finished, ~kept)
    return int((await session.execute(stmt)).rowcount or 0)  # type: ignore[attr-defined]
