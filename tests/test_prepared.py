"""Prepared statements: stored and read back exactly as through SQLAlchemy, in the session's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database, insert_ignoring_conflicts
from bot.models import MemberStreak, StreakSettings
from bot.prepared import Prepared

MEMBER = MemberStreak.metadata.tables["member_streak"]
SETTINGS = StreakSettings.metadata.tables["streak_settings"]
WHEN = dt.datetime(2026, 3, 29, 1, 30, 0, 250, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def _member_insert(session: AsyncSession) -> object:
    values = {name: bindparam(name) for name in ("guild_id", "user_id", "last_prompt_date", "updated_at")}
    return insert_ignoring_conflicts(session, MEMBER, values, conflict=["guild_id", "user_id"])


def _settings_of(session: AsyncSession) -> object:
    return select(SETTINGS.c.freezes_enabled, SETTINGS.c.milestones, SETTINGS.c.updated_at).where(
        SETTINGS.c.guild_id == bindparam("guild_id")
    )


MEMBER_INSERT = Prepared(_member_insert)
SETTINGS_OF = Prepared(_settings_of)


async def _begun(session: AsyncSession) -> AsyncSession:
    """Start the transaction, so the statements after go to the driver on PostgreSQL too (not only SQLite)."""
    await session.execute(text("SELECT 1"))
    return session


async def test_values_are_stored_as_sqlalchemy_stores_them(database: Database) -> None:
    """Dates, aware datetimes and the columns' defaults read back through the ORM unchanged."""
    async with database.write() as session:
        await _begun(session)
        params = {"guild_id": 1, "user_id": 2, "last_prompt_date": dt.date(2026, 3, 28), "updated_at": WHEN}
        assert await MEMBER_INSERT.execute(session, params) == 1
        assert await MEMBER_INSERT.execute(session, params) == 0  # the conflict skips it: no row changed
    async with database.read() as session:
        row = await session.get(MemberStreak, (1, 2))
    assert row is not None
    assert row.last_prompt_date == dt.date(2026, 3, 28) and row.updated_at == WHEN
    assert (row.current, row.best, row.freezes, row.remind, row.dm_closed, row.milestone_announced) == (
        0, 0, 0, False, False, 0,
    )  # fmt: skip
    async with database.read() as session:  # and compares with values SQLAlchemy binds itself
        later = MEMBER.c.last_prompt_date > dt.date(2026, 3, 27)
        found = await session.scalar(select(MEMBER.c.user_id).where(MEMBER.c.updated_at == WHEN, later))
    assert found == 2


async def test_rows_come_back_converted(database: Database) -> None:
    """A JSON list, a boolean and a UTC datetime come back as Python values, not driver text or integers."""
    async with database.write() as session:
        session.add(StreakSettings(guild_id=7, freezes_enabled=False, milestones=[5, 50], updated_at=WHEN))
    async with database.read() as session:
        first_through_sqlalchemy = await SETTINGS_OF.fetch(session, {"guild_id": 7})
        rows = await SETTINGS_OF.fetch(session, {"guild_id": 7})
        none = await SETTINGS_OF.fetch(session, {"guild_id": 8})
    assert rows == first_through_sqlalchemy == [(False, [5, 50], WHEN)] and none == []
    assert rows[0][2].tzinfo is not None


async def test_it_runs_inside_the_session_transaction(database: Database) -> None:
    """A rolled-back transaction takes the prepared statement's write with it."""
    with pytest.raises(RuntimeError):
        async with database.write() as session:
            await MEMBER_INSERT.execute(session, {"guild_id": 1, "user_id": 3, "last_prompt_date": None,
                                                  "updated_at": WHEN})  # fmt: skip
            raise RuntimeError("abort")
    async with database.read() as session:
        assert await session.get(MemberStreak, (1, 3)) is None


async def test_one_session_through_several_transactions(database: Database) -> None:
    """Each statement runs in the session's current transaction, begun by the statement if need be."""
    member = {"last_prompt_date": None, "updated_at": WHEN}
    async with database.write_sessions() as session:
        for user_id in (10, 11):
            await _begun(session)
            await MEMBER_INSERT.execute(session, {"guild_id": 9, "user_id": user_id, **member})
        await session.commit()
        await _begun(session)
        await MEMBER_INSERT.execute(session, {"guild_id": 9, "user_id": 12, **member})
        await MEMBER_INSERT.execute(session, {"guild_id": 9, "user_id": 13, **member})
        await session.rollback()
        await MEMBER_INSERT.execute(session, {"guild_id": 9, "user_id": 14, **member})  # begins a new one
        await session.rollback()
        await MEMBER_INSERT.execute(session, {"guild_id": 9, "user_id": 15, **member})
        await session.commit()
    async with database.read() as session:
        users = list(await session.scalars(select(MEMBER.c.user_id).where(MEMBER.c.guild_id == 9)))
    assert sorted(users) == [10, 11, 15]


async def test_a_later_transaction_on_another_connection_is_followed(database: Database) -> None:
    """After a commit the session's next transaction may get another pooled connection: statements go there."""
    member = {"last_prompt_date": None, "updated_at": WHEN}
    async with database.read_sessions() as session, database.read_sessions() as other:
        await _begun(session)
        await MEMBER_INSERT.execute(session, {"guild_id": 8, "user_id": 1, **member})
        await session.commit()  # its connection goes back to the pool...
        await _begun(other)  # ...and another session takes it
        await _begun(session)  # so this transaction runs on a second connection
        await MEMBER_INSERT.execute(session, {"guild_id": 8, "user_id": 2, **member})
        await other.rollback()
        await session.commit()
    async with database.read() as session:
        users = list(await session.scalars(select(MEMBER.c.user_id).where(MEMBER.c.guild_id == 8)))
    assert sorted(users) == [1, 2]


async def test_execute_many_and_driver_errors(database: Database) -> None:
    """Several parameter sets go in one call; a constraint violation raises SQLAlchemy's IntegrityError."""
    plain = Prepared(lambda session: insert(MEMBER).values({n: bindparam(n) for n in ("guild_id", "user_id",
                                                                                         "updated_at")}))  # fmt: skip
    async with database.write() as session:
        await _begun(session)
        await plain.execute_many(session, [{"guild_id": 4, "user_id": u, "updated_at": WHEN} for u in (1, 2, 3)])
    async with database.read() as session:
        users = list(await session.scalars(select(MEMBER.c.user_id).where(MEMBER.c.guild_id == 4)))
    assert sorted(users) == [1, 2, 3]
    with pytest.raises(IntegrityError):
        async with database.write() as session:
            await _begun(session)
            await plain.execute(session, {"guild_id": 4, "user_id": 1, "updated_at": WHEN})


def test_statements_that_cannot_be_prepared_are_refused() -> None:
    """A column default computed per row, or an IN list, is refused when the statement is compiled."""
    from sqlalchemy import Column, Integer, MetaData, Table
    from sqlalchemy.dialects import sqlite

    from bot.prepared import _compile_for

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("n", Integer, default=lambda: 1))
    with pytest.raises(ValueError, match="constant column defaults"):
        _compile_for(insert(table).values(id=bindparam("id")), sqlite.dialect())
    with pytest.raises(ValueError, match="IN list"):
        _compile_for(select(MEMBER.c.user_id).where(MEMBER.c.user_id.in_(bindparam("ids", expanding=True))),
                     sqlite.dialect())  # fmt: skip
