"""Group commit: items that arrive together share a transaction, and each caller gets only its own outcome."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import Database
from bot.groupcommit import GroupCommit
from bot.models import OutboxItem
from bot.models.daily import OutboxKind
from bot.services.errors import Refused


class Store:
    """Writes one outbox row per item (its ref is the item); "refuse" items are refused, "boom" ones fail the batch."""

    def __init__(self) -> None:
        self.batches: list[list[int | str]] = []

    async def write(self, session: AsyncSession, items: list[int | str]) -> list[int | Refused]:
        self.batches.append(list(items))
        if "boom" in items:
            raise RuntimeError("this item breaks its transaction")
        results: list[int | Refused] = []
        for item in items:
            if item == "refuse":
                results.append(Refused("not this one"))
                continue
            assert isinstance(item, int)
            session.add(OutboxItem(guild_id=1, channel_id=1, kind=OutboxKind.ANSWER, ref_id=item))
            results.append(item * 10)
        return results


async def _stored(db: Database) -> list[int]:
    async with db.read() as session:
        return sorted(r or 0 for r in await session.scalars(select(col(OutboxItem.ref_id))))


async def test_items_submitted_together_share_transactions_and_get_their_own_results(database: Database) -> None:
    store = Store()
    writes = GroupCommit(database, store.write)
    results = await asyncio.gather(*(writes.submit(n) for n in range(1, 51)))
    assert results == [n * 10 for n in range(1, 51)]
    assert await _stored(database) == list(range(1, 51))
    assert len(store.batches) < 5  # the first alone, the rest while it ran: not fifty transactions
    assert sorted(item for batch in store.batches for item in batch) == list(range(1, 51))


async def test_a_refusal_reaches_its_caller_and_the_others_commit(database: Database) -> None:
    writes = GroupCommit(database, Store().write)
    outcomes = await asyncio.gather(writes.submit(1), writes.submit("refuse"), writes.submit(2),
                                    return_exceptions=True)  # fmt: skip
    assert outcomes[0] == 10 and outcomes[2] == 20
    assert isinstance(outcomes[1], Refused)
    assert await _stored(database) == [1, 2]


async def test_an_item_that_breaks_the_transaction_fails_alone(database: Database) -> None:
    """The batch rolls back, then each item is tried on its own: only the bad one's caller sees the error."""
    store = Store()
    writes = GroupCommit(database, store.write)
    first = asyncio.ensure_future(writes.submit(1))
    await asyncio.sleep(0)  # the first batch starts with item 1 alone; the next three wait for it together
    outcomes = await asyncio.gather(writes.submit(2), writes.submit("boom"), writes.submit(3), return_exceptions=True)
    assert await first == 10
    assert outcomes[0] == 20 and outcomes[2] == 30
    assert isinstance(outcomes[1], RuntimeError)
    assert [2, "boom", 3] in store.batches and ["boom"] in store.batches
    assert await _stored(database) == [1, 2, 3]


async def test_a_caller_cancelled_before_its_batch_is_left_out(database: Database) -> None:
    writes = GroupCommit(database, Store().write)
    first = asyncio.ensure_future(writes.submit(1))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(writes.submit(2))
    kept = asyncio.ensure_future(writes.submit(3))
    await asyncio.sleep(0)
    gone.cancel()
    assert (await first, await kept) == (10, 30)
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert await _stored(database) == [1, 3]
    async with database.read() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxItem)) == 2
