"""Loading the simulated year into a fresh database, and checking it against the service's own rebuild."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, col

from bench.streaks.world import GUILD_ID, World
from bot.db import Database
from bot.models import Answer, DailyPrompt, MemberStreak, PeriodStat, Review, StreakDay, StreakSettings
from bot.services import streaks

CHUNK = 10_000


def table_of(model: type[SQLModel]) -> Table:
    """Return a model's table (Core inserts skip the ORM's per-row work)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """Yield ``rows`` in slices of ``size``."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def bulk_insert(db: Database, table: Table, rows: list[dict[str, Any]]) -> float:
    """Insert ``rows`` with executemany-style inserts in chunks; return the seconds it took."""
    t0 = time.perf_counter()
    for part in chunks(rows):
        async with db.write() as session:
            await session.execute(insert(table), part)
    return time.perf_counter() - t0


async def load(db: Database, world: World) -> None:
    """Bulk-load the world and print row counts and times."""
    plan: list[tuple[Any, list[dict[str, Any]]]] = [
        (StreakSettings, [{"guild_id": GUILD_ID, "freezes_enabled": True, "milestones": [3, 7, 14, 30, 100],
                           "milestone_roles": {}, "heads_up_hours": 3, "updated_at": dt.datetime.now(dt.UTC)}]),
        (DailyPrompt, world.prompts),
        (Answer, world.answers),
        (Review, world.reviews),
        (MemberStreak, world.member_streaks),
        (StreakDay, world.streak_days),
        (PeriodStat, world.period_stats),
    ]  # fmt: skip
    total_rows, total_time = 0, 0.0
    for model, rows in plan:
        seconds = await bulk_insert(db, table_of(model), rows)
        total_rows += len(rows)
        total_time += seconds
        rate = len(rows) / seconds if seconds else 0.0
        print(f"  {model.__tablename__:<16} {len(rows):>10,} rows  {seconds:7.1f} s  ({rate:,.0f} rows/s)")
    t0 = time.perf_counter()
    if not db.sqlite:
        async with db.write_engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("daily_prompt", "answer", "review"):
                await auto.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            # What autovacuum would have done to tables this old: visibility map and statistics.
            for table in ("daily_prompt", "answer", "review", "member_streak", "streak_day", "period_stat"):
                await auto.execute(text(f"VACUUM ANALYZE {table}"))
            # Write out the load's dirty pages now. Left to the checkpointer, which spreads them over
            # minutes, they compete with every commit's WAL flush while the writes are timed: the
            # cost of a year loaded in 90 s, which a server that took a year to get there never pays.
            try:
                await auto.execute(text("CHECKPOINT"))
                after = "VACUUM ANALYZE, CHECKPOINT"
            except DBAPIError as exc:  # neither a superuser nor pg_checkpoint
                after = f"VACUUM ANALYZE (no CHECKPOINT: {exc.orig})"
    else:
        after = "nothing (no ANALYZE on SQLite: the bot never runs it)"
    finishing = time.perf_counter() - t0
    print(f"  {'total':<16} {total_rows:>10,} rows  {total_time:7.1f} s; then {after}: {finishing:.1f} s")


async def check_consistency(db: Database, world: World, rng: random.Random, count: int = 12) -> None:
    """Rebuild a few members with streaks.rebuild_member (rolled back) and compare with the loaded rows."""
    tiers: dict[str, list[int]] = defaultdict(list)
    for member in world.members:
        tiers[member.tier].append(member.user_id)
    sample = [rng.choice(ids) for ids in tiers.values() for _ in range(max(1, count // len(tiers)))]

    async def snapshot(session: Any, uid: int) -> tuple[Any, ...]:
        row = (
            await session.execute(
                select(table_of(MemberStreak)).where(
                    col(MemberStreak.guild_id) == GUILD_ID, col(MemberStreak.user_id) == uid
                )
            )
        ).one()
        fields = ("current", "best", "freezes", "earn_progress", "frozen_in_streak", "total_answers", "reviews_given")
        state = tuple(getattr(row, f) for f in fields) + ((row.last_prompt_date,) if row.current else ())
        days = set((await session.execute(select(table_of(StreakDay)).where(col(StreakDay.user_id) == uid))).all())
        stats = set((await session.execute(select(table_of(PeriodStat)).where(col(PeriodStat.user_id) == uid))).all())
        return state, days, stats

    for uid in sample:
        async with db.write_sessions() as session:
            transaction = await session.begin()
            loaded = await snapshot(session, uid)
            await streaks.rebuild_member(session=session, guild_id=GUILD_ID, user_id=uid)
            rebuilt = await snapshot(session, uid)
            await transaction.rollback()
        if loaded != rebuilt:
            raise AssertionError(f"member {uid}: loaded rows differ from streaks.rebuild_member:\n{loaded}\n{rebuilt}")
    print(f"  consistency: {len(sample)} members (every tier) match streaks.rebuild_member exactly")
