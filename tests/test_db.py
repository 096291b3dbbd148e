"""The database layer: concurrency on SQLite, aware UTC datetimes on both back-ends."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.db import CHECKPOINT_EVERY_COMMITS, SQLITE_WAL_BACKSTOP_PAGES, Database, UTCDateTime
from bot.models import GuildSettings
from bot.services import guild_settings


async def _increment_read_modify_write(db: Database, key: int) -> None:
    """Read a counter into Python and write it back: loses updates unless writes serialise."""
    async with db.write() as session:
        value = (await session.execute(text("SELECT n FROM counter WHERE id = :id"), {"id": key})).scalar_one()
        await asyncio.sleep(0)  # let other writers run between the read and the write
        await session.execute(text("UPDATE counter SET n = :n WHERE id = :id"), {"n": value + 1, "id": key})


async def test_fifty_concurrent_writers_lose_nothing_on_sqlite(tmp_path: Path) -> None:
    """50 concurrent read-modify-write transactions on SQLite: no 'database is locked', no lost update."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"
    first, second = Database(url), Database(url)  # two engines, as two processes would have
    try:
        async with first.write() as session:
            await session.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)"))
            await session.execute(text("INSERT INTO counter VALUES (1, 0)"))
        writers = [_increment_read_modify_write(first if i % 2 else second, 1) for i in range(50)]
        results = await asyncio.gather(*writers, return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        async with first.read() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar_one() == 50
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert 0 < (await session.execute(text("PRAGMA busy_timeout"))).scalar_one() < 3000
    finally:
        await first.dispose()
        await second.dispose()


async def test_sqlite_writes_leave_checkpoints_to_the_background(tmp_path: Path) -> None:
    """The writer's commits do not checkpoint a short WAL; Database runs a PASSIVE checkpoint every 100 writes."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    wal = tmp_path / "w.db-wal"
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
            assert (await session.execute(text("PRAGMA wal_autocheckpoint"))).scalar_one() == SQLITE_WAL_BACKSTOP_PAGES
        for _ in range(CHECKPOINT_EVERY_COMMITS - 2):
            async with db.write() as session:
                await session.execute(text("INSERT INTO t (body) VALUES (:b)"), {"b": "x" * 5000})
        busy, pages, copied = await db.checkpoint() or (1, 0, 0)
        assert busy == 0 and pages > 0 and copied == pages  # nothing was checkpointed before
        async with db.write() as session:  # the 100th write starts a checkpoint of its own
            await session.execute(text("INSERT INTO t (body) VALUES ('y')"))
        assert db._checkpoint is not None
        assert (await db._checkpoint or (1, 0, 0))[0] == 0
        assert wal.exists()
    finally:
        await db.dispose()


async def test_a_task_cancelled_inside_a_write_leaves_the_writer_free(database: Database) -> None:
    """Shutdown cancels jobs mid-transaction: the pool rolls the connection back and the next write succeeds."""
    inside = asyncio.Event()

    async def stuck_writer() -> None:
        async with database.write() as session:
            session.add(GuildSettings(guild_id=41))
            await session.flush()
            inside.set()
            await asyncio.Event().wait()  # never finishes on its own

    task = asyncio.create_task(stuck_writer())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def next_write() -> None:
        async with database.write() as session:
            session.add(GuildSettings(guild_id=42))

    await asyncio.wait_for(next_write(), timeout=10)  # the single SQLite writer is not left checked out
    async with database.read() as session:
        assert await session.get(GuildSettings, 41) is None
        assert await session.get(GuildSettings, 42) is not None


async def test_checkpoint_is_a_no_op_on_postgresql(database: Database) -> None:
    """Only SQLite has a WAL for the bot to checkpoint."""
    result = await database.checkpoint()
    assert (result is None) == (not database.sqlite)


async def test_datetimes_come_back_aware_utc(database: Database) -> None:
    """A datetime written in any zone is read back as the same instant, aware, in UTC."""
    helsinki = dt.timezone(dt.timedelta(hours=2))
    written = dt.datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=helsinki)
    async with database.write() as session:
        row = GuildSettings(guild_id=1, created_at=written, updated_at=written)
        session.add(row)
    async with database.read() as session:
        stored = (await session.execute(select(GuildSettings.created_at))).scalar_one()  # type: ignore[call-overload]
    assert stored.tzinfo is not None and stored.utcoffset() == dt.timedelta(0)
    assert stored == written


def test_naive_datetimes_are_refused() -> None:
    """Storing a naive datetime is a bug, so the column type refuses it."""
    from sqlalchemy.dialects import sqlite

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001


async def test_admin_role_is_upserted_atomically(database: Database) -> None:
    """Setting the admin role twice concurrently leaves one row with one of the values."""

    async def set_role(role: int) -> None:
        async with database.write() as session:
            await guild_settings.set_admin_role(session=session, guild_id=7, role_id=role)

    await asyncio.gather(set_role(10), set_role(20))
    async with database.read() as session:
        rows = (await session.execute(select(GuildSettings))).scalars().all()
    assert len(rows) == 1 and rows[0].admin_role_id in {10, 20}


async def test_a_failed_write_rolls_back(database: Database) -> None:
    """An exception inside a write session leaves nothing behind."""
    with pytest.raises(RuntimeError):
        async with database.write() as session:
            session.add(GuildSettings(guild_id=99))
            await session.flush()
            raise RuntimeError("boom")
    async with database.read() as session:
        assert await session.get(GuildSettings, 99) is None


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
async def test_a_postgresql_connection_dropped_by_the_server_is_replaced(database: Database) -> None:
    """The server ending a pooled connection costs nothing: pool_pre_ping finds it dead and replaces it."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from tests.conftest import POSTGRES_URL

    async with database.read() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    admin = create_async_engine(POSTGRES_URL)
    async with admin.connect() as conn:
        assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
    await admin.dispose()
    async with database.read() as session:
        assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one() != pid
