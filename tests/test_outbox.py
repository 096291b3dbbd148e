"""The outbox's rows: pruning what is done, and the message id moved out of payloads by migration 0009."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlmodel import col

from bot.db import Database
from bot.migrate import run_alembic, upgrade_head
from bot.models import OutboxItem
from bot.models.daily import OutboxKind, OutboxState
from bot.services import outbox

NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
OLD = NOW - dt.timedelta(days=20)
RECENT = NOW - dt.timedelta(days=2)


async def test_prune_deletes_old_finished_items_but_keeps_what_privacy_needs(database: Database) -> None:
    """Done and failed items older than the cut-off go; pending ones, recent ones and posted milestone notes stay."""
    rows = {
        "old done": OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.ANSWER, state=OutboxState.DONE, done_at=OLD),
        "old failed": OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.REVIEW_NOTICE, state=OutboxState.FAILED,
                                 created_at=OLD),
        "old note": OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.MILESTONE, state=OutboxState.DONE,
                               done_at=OLD, message_id=555, payload={"user_id": "7", "milestone": 3}),
        "recent done": OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.ANSWER, state=OutboxState.DONE,
                                  done_at=RECENT),
        "old pending": OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.ANSWER, created_at=OLD),
    }  # fmt: skip
    async with database.write() as session:
        session.add_all(rows.values())
    async with database.write() as session:
        removed = await outbox.prune(session=session, before=NOW - dt.timedelta(days=14))
    async with database.read() as session:
        left = {i.id for i in await session.scalars(select(OutboxItem))}
    assert removed == 2
    assert left == {rows[k].id for k in ("old note", "recent done", "old pending")}


async def test_unknown_kinds_come_back_as_plain_text(database: Database) -> None:
    """A kind this version does not know (queued by a newer one) is read as its text, not an error."""
    async with database.write() as session:
        session.add(OutboxItem(guild_id=1, channel_id=9, kind=OutboxKind.ANSWER))
        await session.flush()
        await session.execute(text("UPDATE outbox SET kind = 'from_the_future'"))
    async with database.read() as session:
        [item] = await outbox.pending_items(session=session, channel_id=9)
    assert item.kind == "from_the_future" and not isinstance(item.kind, OutboxKind)


async def test_migration_0009_moves_message_ids_out_of_payloads(empty_database: Database) -> None:
    """Rows queued before the upgrade keep their message id (now a column); other payloads are untouched."""
    db = empty_database
    await run_alembic(db.url, "upgrade", "0008", engine=db.write_engine)
    async with db.write() as session:
        for kind, state, payload in (
            ("milestone", "done", '{"user_id": "7", "milestone": 3, "message_id": "9900"}'),
            ("message_delete", "pending", '{"message_id": "4242"}'),
            ("answer", "pending", "{}"),
        ):
            await session.execute(
                text("INSERT INTO outbox (guild_id, channel_id, kind, payload, state, attempts, created_at) "
                     "VALUES (1, 9, :kind, :payload, :state, 0, :at)"),
                {"kind": kind, "payload": payload, "state": state, "at": NOW.replace(tzinfo=None)},
            )  # fmt: skip
    await upgrade_head(db.url, engine=db.write_engine)
    async with db.read() as session:
        items = {i.kind: i for i in await session.scalars(select(OutboxItem).order_by(col(OutboxItem.id)))}
    assert items[OutboxKind.MILESTONE].message_id == 9900
    assert items[OutboxKind.MILESTONE].payload == {"user_id": "7", "milestone": 3}
    assert items[OutboxKind.MESSAGE_DELETE].message_id == 4242
    assert items[OutboxKind.MESSAGE_DELETE].state == OutboxState.PENDING
    assert items[OutboxKind.ANSWER].message_id is None
