"""Per-server settings held in memory: reused while unchanged, dropped by whatever write changes them."""

from __future__ import annotations

import asyncio

from sqlalchemy import update

from bot.cache import cached
from bot.db import Database, upsert, utcnow
from bot.models import PromptSchedule, StreakSettings
from bot.services import guild_time, streaks
from bot.services.streaks import settings as streak_settings

GUILD = 42


async def _freezes(db: Database) -> bool:
    async with db.read() as session:
        return (await streaks.get_settings(session=session, guild_id=GUILD)).freezes_enabled


async def _counting_load(db: Database, loads: list[int], value: str = "v") -> str:
    async def load() -> str:
        loads.append(1)
        return value

    async with db.read() as session:
        return await cached(session, "streak_settings", GUILD, load)


async def test_a_value_is_read_once_until_a_commit_changes_its_table(database: Database) -> None:
    loads: list[int] = []
    assert [await _counting_load(database, loads) for _ in range(3)] == ["v", "v", "v"]
    assert len(loads) == 1
    async with database.write() as session:  # a write to another table keeps it
        await session.execute(update(PromptSchedule).where(PromptSchedule.guild_id == GUILD).values(enabled=False))
    await _counting_load(database, loads)
    assert len(loads) == 1
    async with database.write() as session:
        await session.execute(update(StreakSettings).where(StreakSettings.guild_id == GUILD).values(milestones=[3]))
    await _counting_load(database, loads)
    assert len(loads) == 2


async def test_settings_changed_through_the_service_are_seen_at_once(database: Database) -> None:
    assert await _freezes(database) is True  # the default, now held
    async with database.write() as session:
        await streak_settings.configure(
            session=session, guild_id=GUILD, changes=streak_settings.StreakChanges(freezes_enabled=False)
        )
    assert await _freezes(database) is False


async def test_an_upsert_drops_the_held_zone(database: Database) -> None:
    async with database.read() as session:
        assert await guild_time.zone_name(session, GUILD) == "UTC"
    now = utcnow()
    async with database.write() as session:
        await session.execute(upsert(session, PromptSchedule, {
            "guild_id": GUILD, "timezone": "Europe/Paris", "tracks": [], "low_pool_warned": {}, "updated_at": now,
        }, conflict=["guild_id"], update={"timezone": "Europe/Paris"}))  # fmt: skip
    async with database.read() as session:
        assert await guild_time.zone_name(session, GUILD) == "Europe/Paris"


async def test_a_session_that_changed_the_table_reads_its_own_change(database: Database) -> None:
    assert await _freezes(database) is True
    async with database.write() as session:
        row = StreakSettings(guild_id=GUILD, freezes_enabled=False)
        session.add(row)  # not flushed yet
        assert (await streaks.get_settings(session=session, guild_id=GUILD)).freezes_enabled is False
    assert await _freezes(database) is False


async def test_a_rolled_back_write_keeps_the_held_value(database: Database) -> None:
    loads: list[int] = []
    await _counting_load(database, loads)
    try:
        async with database.write() as session:
            await session.execute(update(StreakSettings).values(milestones=[3]))
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    await _counting_load(database, loads)
    assert len(loads) == 1


async def test_a_read_that_overlaps_a_commit_does_not_hold_its_older_value(database: Database) -> None:
    started, committed = asyncio.Event(), asyncio.Event()

    async def slow_load() -> str:
        started.set()
        await committed.wait()  # the write commits while this read is in flight
        return "before the write"

    async def reader() -> str:
        async with database.read() as session:
            return await cached(session, "streak_settings", GUILD, slow_load)

    task = asyncio.create_task(reader())
    await started.wait()
    async with database.write() as session:
        await session.execute(update(StreakSettings).values(milestones=[3]))
    committed.set()
    assert await task == "before the write"  # that caller gets what it read
    loads: list[int] = []
    assert await _counting_load(database, loads, "after the write") == "after the write"
    assert loads == [1]


async def test_held_settings_outlive_the_session_that_read_them(database: Database) -> None:
    """A rolled-back session expires what it loaded; the held settings are a copy of their own."""
    async with database.write() as session:
        await streak_settings.configure(
            session=session, guild_id=GUILD, changes=streak_settings.StreakChanges(milestones=[5, 10])
        )
    try:
        async with database.write() as session:
            held = await streaks.get_settings(session=session, guild_id=GUILD)
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    assert held.milestones == [5, 10]
    async with database.read() as session:
        assert (await streaks.get_settings(session=session, guild_id=GUILD)).milestones == [5, 10]
