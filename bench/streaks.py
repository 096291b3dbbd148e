"""Streaks at scale: /streak data, /leaderboard pages and recording an answer over a year of 50,000 members.

Run: ``.venv/bin/python -m bench.streaks [--postgres URL] [--members 50000] [--days 365]``.

A fresh database (a SQLite file in a temporary directory, or a new PostgreSQL schema used through
the connection's ``search_path`` and dropped at the end) is migrated with ``upgrade_head`` and
bulk-loaded with one guild's year: one posted prompt a day, members whose answering follows a
heavy-tailed activity distribution (a small core answers nearly every day, regulars most weeks,
casual members now and then, half the members only a handful of times; members join through the
year and some stop), peer reviews, and the streak tables exactly as the bot would have left them:
each member's state from ``streak_rules.recompute`` over their answered/missed prompt days, a
``StreakDay`` per answered or frozen day with its ``streak_after``, and the week/month tallies
``streaks._bump_period`` accumulates. A few members are rebuilt with ``streaks.rebuild_member``
(rolled back) to check the load against the service's own from-scratch computation.

On PostgreSQL the load ends with VACUUM ANALYZE (what autovacuum would have done to a year-old
table); SQLite gets no ANALYZE, as the bot never runs it. Then, each after a warm-up, it times
(p50/p99/max in ms, and this process's CPU time per operation):

- once: ``streaks.settle_closed_prompt`` for the whole guild, when a new (the 366th) prompt is
  posted and closes the day before;
- recording an answer to that prompt: in one ``db.write()`` transaction, the ``Answer`` insert
  (``insert_ignoring_conflicts`` on (prompt_id, user_id), as ``submit_answer`` does) and
  ``streaks.record_answer``, for distinct members drawn as a real day's answerers come (weighted
  by their last four weeks, so most have a running streak);
- ``/streak`` data for a random member: ``streaks.get_member`` + ``streak_views.heatmap_days``
  (12 weeks up to today) in one read session;
- a ``/leaderboard`` view: ``leaderboard.page`` + ``leaderboard.rank_of`` in one read session, per
  board and period, for a random caller (any member, mostly far down the board or off it) and a
  random page among the first five (what paging with the buttons reaches), then, as a second
  figure, any page of the board (deep offsets).

The reads run after the day's writes, so PostgreSQL sees what it sees between two autovacuums (a
visibility map partly cleared by the updates, statistics from before them); ``--reads-first``
times them right after the load instead.

Exits 0 when every target is met (20 ms / 20 ms / 5 ms at p99), 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import gc
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel, col

from bot.db import Database, insert_ignoring_conflicts
from bot.migrate import upgrade_head
from bot.models import Answer, DailyPrompt, MemberStreak, PeriodStat, Review, StreakDay, StreakSettings
from bot.services import leaderboard, streak_views, streaks
from bot.services.streak_rules import recompute

GUILD_ID = 810_000_000_000_000_001
CHANNEL_ID = 810_000_000_000_000_002
FIRST_USER_ID = 820_000_000_000_000_000
FIRST_MESSAGE_ID = 830_000_000_000_000_000
# A Thursday late in May: the current week and month already hold a few prompt days.
LAST_DAY = dt.date(2026, 5, 21)
POST_AT = dt.time(9, 0)

STREAK_TARGET_MS = 20.0
BOARD_TARGET_MS = 20.0
RECORD_TARGET_MS = 5.0

CHUNK = 10_000
# (board, period) pairs timed: ``streak`` is always the current streak, whatever the period.
BOARD_PERIODS: list[tuple[leaderboard.Board, leaderboard.Period]] = [
    ("streak", "all-time"),
    *((board, period) for board in ("answers", "best", "reviews") for period in leaderboard.PERIODS),
]
FILLER = (
    "I would start by clarifying the requirements, then sketch the data model, walk through the "
    "trade-offs and finish with how I would test it."
)


# --- the database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where the benchmark's database lives."""

    url: str
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = "SQLite"
    postgres: bool = False


@contextlib.asynccontextmanager
async def fresh_database(postgres_url: str | None, *, keep: bool) -> AsyncIterator[Target]:
    """Yield a migrated, empty database: a temporary SQLite file or a new PostgreSQL schema."""
    if not postgres_url:
        tmp = tempfile.mkdtemp(prefix="drillbot-streaks-")
        path = Path(tmp) / "bench.db"
        target = Target(f"sqlite+aiosqlite:///{path}", label="SQLite (file, WAL)")
        try:
            await _migrate(target)
            yield target
        finally:
            if keep:
                print(f"kept: {path}")
            else:
                shutil.rmtree(tmp)
        return
    schema = f"bench_streaks_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(postgres_url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        target = Target(
            postgres_url,
            {"connect_args": {"server_settings": {"search_path": schema}}},
            label=f"PostgreSQL (schema {schema})",
            postgres=True,
        )
        await _migrate(target)
        yield target
    finally:
        if keep:
            print(f"kept: schema {schema}")
        else:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


async def _migrate(target: Target) -> None:
    db = Database(target.url, **target.engine_kwargs)
    try:
        await upgrade_head(db.url, engine=db.write_engine)
    finally:
        await db.dispose()


# --- a year of a community ----------------------------------------------------------------------


@dataclass
class Member:
    """One member's simulated year."""

    user_id: int
    tier: str
    flags: bytearray  # per prompt day (index into World.days): 1 when answered


@dataclass
class World:
    """The generated year, as rows ready for bulk inserts."""

    days: list[dt.date]
    members: list[Member]
    prompts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    member_streaks: list[dict[str, Any]] = field(default_factory=list)
    streak_days: list[dict[str, Any]] = field(default_factory=list)
    period_stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def user_ids(self) -> list[int]:
        return [m.user_id for m in self.members]

    def drop_rows(self) -> None:
        """Free the loaded rows: millions of dicts would make every full garbage collection a long pause."""
        self.prompts, self.answers, self.reviews = [], [], []
        self.member_streaks, self.streak_days, self.period_stats = [], [], []
        gc.collect()
        gc.freeze()


TIERS = (  # name, share of members, answer rate range, day-to-day persistence range, chance to stop
    ("core", 0.04, (0.85, 0.98), (0.5, 0.9), 0.0),
    ("regular", 0.12, (0.35, 0.75), (0.3, 0.7), 0.4),
    ("casual", 0.34, (0.05, 0.30), (0.1, 0.5), 0.5),
    ("rare", 0.50, (0.0, 0.0), (0.0, 0.0), 0.0),
)
REVIEW_RATE = {"core": 0.4, "regular": 0.15, "casual": 0.05, "rare": 0.02}


def simulate_member(rng: random.Random, user_id: int, n_days: int) -> Member:
    """Draw a member's answered days: a two-state Markov chain at their tier's rate, inside their active span."""
    pick = rng.random()
    for name, share, rate_range, persistence_range, stop_chance in TIERS:  # noqa: B007
        if pick < share:
            break
        pick -= share
    flags = bytearray(n_days)
    join = 0 if rng.random() < 0.25 else rng.randrange(n_days)
    stop = rng.randrange(join + 1, n_days + 1) if rng.random() < stop_chance else n_days
    if name == "rare":
        count = min(stop - join, 1 + int(rng.paretovariate(1.6)))
        for day in rng.sample(range(join, stop), count):
            flags[day] = 1
        return Member(user_id, name, flags)
    rate = rng.uniform(*rate_range)
    persistence = rng.uniform(*persistence_range)
    after_answer = rate + (1 - rate) * persistence  # P(answer | answered the day before)
    after_miss = rate * (1 - persistence)  # P(answer | missed the day before): the stationary rate is `rate`
    on = rng.random() < rate
    for day in range(join, stop):
        on = rng.random() < (after_answer if on else after_miss)
        flags[day] = on
    if not any(flags):
        flags[rng.randrange(join, stop)] = 1
    return Member(user_id, name, flags)


def build_world(rng: random.Random, n_members: int, n_days: int) -> World:
    """Simulate the year and derive every row the bot would hold at the end of it (the last prompt still open)."""
    days = [LAST_DAY - dt.timedelta(days=n_days - 1 - i) for i in range(n_days)]
    members = [simulate_member(rng, FIRST_USER_ID + i, n_days) for i in range(n_members)]
    world = World(days, members)
    for i, day in enumerate(days):
        due = dt.datetime.combine(day, POST_AT, tzinfo=dt.UTC)
        world.prompts.append({
            "id": i + 1, "guild_id": GUILD_ID, "local_date": day, "question_id": f"q-{i % 200:03d}",
            "category": ("behavioral", "system-design", "coding")[i % 3], "state": "threaded",
            "nonce": f"{i:025d}", "channel_id": CHANNEL_ID, "message_id": FIRST_MESSAGE_ID + 2 * i,
            "thread_id": FIRST_MESSAGE_ID + 2 * i, "due_at": due, "claimed_at": due, "posted_at": due,
        })  # fmt: skip

    # Answers, in (day, member) order; remember each day's answers for the reviews.
    by_day: list[list[tuple[int, int, dt.datetime]]] = [[] for _ in days]
    answer_id = 0
    for i, day in enumerate(days):
        base = dt.datetime.combine(day, POST_AT, tzinfo=dt.UTC)
        for member in members:
            if member.flags[i]:
                answer_id += 1
                at = base + dt.timedelta(seconds=rng.randrange(14 * 3600))
                by_day[i].append((answer_id, member.user_id, at))
                world.answers.append({
                    "id": answer_id, "prompt_id": i + 1, "guild_id": GUILD_ID, "user_id": member.user_id,
                    "display_name": f"member{member.user_id - FIRST_USER_ID}", "text": f"{FILLER} ({answer_id})",
                    "source": "modal", "post_message_id": FIRST_MESSAGE_ID + 10_000_000 + answer_id,
                    "created_at": at, "updated_at": at,
                })  # fmt: skip

    # Reviews: some answerers review another answer of the same day, later that day (guild time is UTC).
    tier_of = {m.user_id: m.tier for m in members}
    reviews_given: dict[int, int] = defaultdict(int)
    periods: dict[tuple[int, str, dt.date], list[int]] = defaultdict(lambda: [0, 0, 0])  # answers, reviews, best
    review_id = 0
    for i, day in enumerate(days):
        todays = by_day[i]
        if len(todays) < 2:
            continue
        seen: set[tuple[int, int]] = set()
        for _, reviewer, at in todays:
            if rng.random() >= REVIEW_RATE[tier_of[reviewer]]:
                continue
            target_id, author, target_at = todays[rng.randrange(len(todays))]
            if author == reviewer or (target_id, reviewer) in seen:
                continue
            seen.add((target_id, reviewer))
            review_id += 1
            when = min(max(at, target_at) + dt.timedelta(minutes=rng.randrange(1, 40)),
                       dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC))  # fmt: skip
            world.reviews.append({
                "id": review_id, "answer_id": target_id, "guild_id": GUILD_ID, "reviewer_id": reviewer,
                "reviewer_name": f"member{reviewer - FIRST_USER_ID}", "structure": rng.randint(2, 5),
                "clarity": rng.randint(2, 5), "depth": rng.randint(1, 5), "comment": "Clear structure.",
                "created_at": when, "updated_at": when,
            })  # fmt: skip
            reviews_given[reviewer] += 1
            local_day = when.date()  # record_review counts it on the guild-local day it was given
            for key in ((reviewer, "week", streaks.week_start(local_day)),
                        (reviewer, "month", streaks.month_start(local_day))):  # fmt: skip
                periods[key][1] += 1

    # Streak state: recompute over the closed prompt days, plus the open (last) one when answered,
    # exactly as streaks.rebuild_member does; the incremental path would have left the same rows.
    now = dt.datetime.combine(days[-1], dt.time(23, 0), tzinfo=dt.UTC)
    closed = len(days) - 1
    for member in members:
        uid = member.user_id
        flags = [bool(f) for f in member.flags[:closed]]
        accounted = days[:closed]
        if member.flags[closed]:
            flags.append(True)
            accounted = days
        state, statuses = recompute(flags, freezes_enabled=True)
        current = 0
        last_accounted: dt.date | None = None  # what record_answer / settle_closed_prompt leave in last_prompt_date
        for day, status in zip(accounted, statuses, strict=True):
            if status == "answered":
                current += 1
            elif status == "missed":
                if current:
                    last_accounted = day  # the close that broke the streak
                current = 0
                continue
            last_accounted = day
            world.streak_days.append(
                {"guild_id": GUILD_ID, "user_id": uid, "local_date": day, "status": status, "streak_after": current}
            )
            if status == "answered":
                for key in ((uid, "week", streaks.week_start(day)), (uid, "month", streaks.month_start(day))):
                    tally = periods[key]
                    tally[0] += 1
                    tally[2] = max(tally[2], current)
        if current != state.current:
            raise AssertionError(f"member {uid}: per-day walk ends at {current}, recompute says {state.current}")
        world.member_streaks.append({
            "guild_id": GUILD_ID, "user_id": uid, "current": state.current, "best": state.best,
            "freezes": state.freezes, "earn_progress": state.earn_progress,
            "frozen_in_streak": state.frozen_in_streak, "total_answers": state.total_answers,
            "reviews_given": reviews_given.get(uid, 0), "last_prompt_date": last_accounted,
            "remind": uid % 10 == 0, "reminded_prompt_id": None, "dm_closed": False, "updated_at": now,
        })  # fmt: skip
    world.period_stats = [
        {"guild_id": GUILD_ID, "user_id": uid, "period": period, "start": start,
         "answers": tally[0], "reviews": tally[1], "best": tally[2]}
        for (uid, period, start), tally in periods.items()
    ]  # fmt: skip
    return world


# --- loading ------------------------------------------------------------------------------------


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


async def load(db: Database, target: Target, world: World) -> None:
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
    if target.postgres:
        async with db.write_engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("daily_prompt", "answer", "review"):
                await auto.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
            # What autovacuum would have done to tables this old: visibility map and statistics.
            for table in ("daily_prompt", "answer", "review", "member_streak", "streak_day", "period_stat"):
                await auto.execute(text(f"VACUUM ANALYZE {table}"))
        after = "VACUUM ANALYZE"
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


# --- timing -------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Return the nearest-rank percentile of already sorted values."""
    return sorted_values[min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))]


@dataclass
class Figure:
    """Timings of one operation, in ms, and the mean CPU time this process spent per operation."""

    name: str
    samples: list[float]
    target: float | None = None
    cpu_ms: float | None = None

    @property
    def p50(self) -> float:
        return percentile(sorted(self.samples), 50)

    @property
    def p99(self) -> float:
        return percentile(sorted(self.samples), 99)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def met(self) -> bool:
        return self.target is None or self.p99 < self.target

    def line(self) -> str:
        cpu = f"{self.cpu_ms:8.2f}" if self.cpu_ms is not None else " " * 8
        target = f"< {self.target:3.0f}  {'met' if self.met else 'MISSED'}" if self.target is not None else ""
        return (
            f"  {self.name:<36} {len(self.samples):>6} {self.p50:8.2f} {self.p99:8.2f} {self.max:8.2f} {cpu}   {target}"
        )


async def timed(
    name: str, operation: Callable[[int], Awaitable[None]], *, iterations: int, warmup: int, target: float | None
) -> Figure:
    """Run ``operation(i)`` warmup + iterations times; keep the last ``iterations`` timings."""
    samples: list[float] = []
    cpu = 0.0
    for i in range(warmup + iterations):
        c0, t0 = time.process_time(), time.perf_counter()
        await operation(i)
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= warmup:
            samples.append(elapsed)
            cpu += time.process_time() - c0
    return Figure(name, samples, target, cpu * 1000 / max(1, iterations))


def merged(name: str, figures: list[Figure]) -> Figure:
    """Pool the samples of several figures under one name."""
    samples = [x for f in figures for x in f.samples]
    cpu = sum((f.cpu_ms or 0.0) * len(f.samples) for f in figures) / max(1, len(samples))
    return Figure(name, samples, figures[0].target, cpu)


async def time_streak(
    db: Database, world: World, rng: random.Random, today: dt.date, iterations: int, warmup: int
) -> Figure:
    """Time /streak's data for a random member: their row and the heat-map days, in one read session."""
    end = today
    users = world.user_ids

    async def one(_: int) -> None:
        uid = rng.choice(users)
        async with db.read() as session:
            await streaks.get_member(session=session, guild_id=GUILD_ID, user_id=uid)
            await streak_views.heatmap_days(session=session, guild_id=GUILD_ID, user_id=uid, end=end)

    return await timed("/streak data", one, iterations=iterations, warmup=warmup, target=STREAK_TARGET_MS)


async def board_sizes(db: Database, today: dt.date) -> dict[tuple[str, str], int]:
    """Return how many members each timed board ranks."""
    sizes: dict[tuple[str, str], int] = {}
    async with db.read() as session:
        for board, period in BOARD_PERIODS:
            _, total = await leaderboard.page(
                session=session, guild_id=GUILD_ID, board=board, period=period, today=today, number=0
            )
            sizes[board, period] = total
    return sizes


async def time_boards(
    db: Database, world: World, rng: random.Random, today: dt.date, iterations: int, warmup: int, *, deep: bool
) -> list[Figure]:
    """Time a /leaderboard page (page + the caller's rank) per board and period.

    The caller is a random member (often far down the board, or not on it); the page is page 1-5
    (what paging by buttons reaches) or, with ``deep``, any page of the board.
    """
    users = world.user_ids
    sizes = await board_sizes(db, today)
    figures = []
    for board, period in BOARD_PERIODS:
        pages = max(1, -(-sizes[board, period] // leaderboard.PAGE_SIZE))

        async def one(_: int, board: leaderboard.Board = board, period: leaderboard.Period = period,
                      pages: int = pages) -> None:  # fmt: skip
            number = rng.randrange(pages) if deep else rng.randrange(min(pages, 5))
            uid = rng.choice(users)
            async with db.read() as session:
                await leaderboard.page(
                    session=session, guild_id=GUILD_ID, board=board, period=period, today=today, number=number
                )
                await leaderboard.rank_of(
                    session=session, guild_id=GUILD_ID, board=board, period=period, today=today, user_id=uid
                )

        label = f"  {board}/{period} ({sizes[board, period]:,} ranked)"
        figures.append(await timed(label, one, iterations=iterations, warmup=warmup, target=BOARD_TARGET_MS))
    return figures


async def open_next_prompt(db: Database, world: World) -> tuple[int, dt.date, Figure]:
    """Post the next day's prompt, then settle the day it closes (as prompts.mark_sent does); time the settle."""
    day = world.days[-1] + dt.timedelta(days=1)
    number = len(world.days)
    due = dt.datetime.combine(day, POST_AT, tzinfo=dt.UTC)
    async with db.write() as session:
        result = await session.execute(
            insert(table_of(DailyPrompt)).returning(table_of(DailyPrompt).c.id),
            {"guild_id": GUILD_ID, "local_date": day, "question_id": "q-next", "category": "coding",
             "state": "threaded", "nonce": uuid.uuid4().hex[:25], "channel_id": CHANNEL_ID,
             "message_id": FIRST_MESSAGE_ID + 2 * number, "thread_id": FIRST_MESSAGE_ID + 2 * number,
             "due_at": due, "claimed_at": due, "posted_at": due},
        )  # fmt: skip
        prompt_id = int(result.scalar_one())
    t0 = time.perf_counter()
    async with db.write() as session:
        touched = await streaks.settle_closed_prompt(session=session, guild_id=GUILD_ID, closed_date=world.days[-1])
    elapsed = (time.perf_counter() - t0) * 1000
    return prompt_id, day, Figure(f"settle_closed_prompt ({touched:,} members)", [elapsed])


def likely_answerers(world: World, rng: random.Random, count: int) -> list[int]:
    """Draw ``count`` distinct members as a real prompt day's answerers come: weighted by their last 4 weeks.

    Mostly the active members (who hold streaks, so record_answer takes its usual path), with a
    few returning and first-time answerers (a small floor weight). Efraimidis-Spirakis sampling.
    """
    recent = len(world.days) - 28
    keyed = []
    for member in world.members:
        weight = sum(member.flags[recent:]) + 0.25
        keyed.append((rng.random() ** (1 / weight), member.user_id))
    keyed.sort(reverse=True)
    return [user_id for _, user_id in keyed[:count]]


async def time_record(
    db: Database, world: World, rng: random.Random, prompt_id: int, day: dt.date, iterations: int, warmup: int
) -> tuple[Figure, int]:
    """Time recording a first answer to the new prompt: the Answer insert and record_answer, one transaction each.

    Returns the figure and how many of the timed members had a running streak.
    """
    users = likely_answerers(world, rng, min(len(world.members), warmup + iterations))
    at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    with_streak = 0

    async def one(i: int) -> None:
        nonlocal with_streak
        uid = users[i]
        async with db.write() as session:
            inserted = await session.execute(
                insert_ignoring_conflicts(
                    session, Answer,
                    {"prompt_id": prompt_id, "guild_id": GUILD_ID, "user_id": uid, "display_name": f"member{uid}",
                     "text": FILLER, "source": "modal", "created_at": at, "updated_at": at},
                    conflict=["prompt_id", "user_id"],
                )
            )  # fmt: skip
            if not inserted.rowcount:  # type: ignore[attr-defined]
                raise AssertionError(f"member {uid} had already answered the new prompt")
            counted = await streaks.record_answer(session=session, guild_id=GUILD_ID, user_id=uid, prompt_date=day)
            with_streak += i >= warmup and counted.state.current > 1

    figure = await timed(
        "record an answer (new prompt day)", one, iterations=len(users) - warmup, warmup=warmup,
        target=RECORD_TARGET_MS,
    )  # fmt: skip
    return figure, with_streak


# --- main ---------------------------------------------------------------------------------------


def print_table(label: str, figures: Iterable[Figure]) -> None:
    """Print the figures against their targets."""
    print(f"\nresults on {label} (ms; cpu: this process's CPU time per operation)")
    print(f"  {'operation':<36} {'n':>6} {'p50':>8} {'p99':>8} {'max':>8} {'cpu':>8}   target p99")
    for figure in figures:
        print(figure.line())


async def run(args: argparse.Namespace) -> bool:
    """Build, load and time; return whether every target was met."""
    rng = random.Random(args.seed)
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load_avg} at start")
    t0 = time.perf_counter()
    world = build_world(rng, args.members, args.days)
    tiers: dict[str, int] = defaultdict(int)
    for member in world.members:
        tiers[member.tier] += 1
    last = len(world.days) - 1
    print(
        f"simulated {args.members:,} members over {args.days} prompt days ({world.days[0]} to {world.days[-1]}) in "
        f"{time.perf_counter() - t0:.1f} s: tiers {dict(tiers)}; answers per day: "
        f"mean {len(world.answers) / len(world.days):,.0f}, last day "
        f"{sum(m.flags[last] for m in world.members):,}; members with a streak: "
        f"{sum(1 for r in world.member_streaks if r['current']):,}, longest current "
        f"{max(r['current'] for r in world.member_streaks)}, "
        f"longest best {max(r['best'] for r in world.member_streaks)}"
    )
    async with fresh_database(args.postgres, keep=args.keep) as target:
        db = Database(target.url, **target.engine_kwargs)
        try:
            print(f"loading into {target.label}:")
            await load(db, target, world)
            await check_consistency(db, world, random.Random(args.seed + 1))
            world.drop_rows()

            async def reads(today: dt.date) -> tuple[Figure, list[Figure], list[Figure]]:
                streak = await time_streak(db, world, rng, today, args.iterations, args.warmup)
                boards = await time_boards(db, world, rng, today, args.iterations, args.warmup, deep=False)
                deep = await time_boards(db, world, rng, today, args.iterations // 4, args.warmup, deep=True)
                return streak, boards, deep

            if args.reads_first:
                streak, boards, deep = await reads(world.days[-1])
            # By default the write path comes first (as on a real day: the next prompt is posted,
            # the day before settles, members answer), so the reads see tables as they stand
            # between two autovacuums on PostgreSQL rather than freshly vacuumed.
            prompt_id, next_day, settle = await open_next_prompt(db, world)
            record, with_streak = await time_record(db, world, rng, prompt_id, next_day, args.iterations, args.warmup)
            if not args.reads_first:
                streak, boards, deep = await reads(next_day)
        finally:
            await db.dispose()
    figures = [
        streak,
        merged("/leaderboard page, pages 1-5", boards), *boards,
        merged("/leaderboard page, any page", deep), *deep,
        record, settle,
    ]  # fmt: skip
    when = "before the new day's writes" if args.reads_first else "after the new day's writes"
    print(
        f"\nrecorded answers: {len(record.samples)} distinct members (by recent activity; {with_streak} of them "
        f"extended a running streak); reads {when}"
    )
    load_avg = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine load average at the end: {load_avg}")
    print_table(f"{target.label}, {args.members:,} members, {args.days} days", figures)
    return all(f.met for f in figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="run on PostgreSQL at URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) in a fresh "
        "schema dropped afterwards; SQLite in a temporary file when left out",
    )
    parser.add_argument("--members", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--iterations", type=int, default=1000, help="timed runs per figure (per board and period)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reads-first",
        action="store_true",
        help="time the reads right after loading (tables freshly vacuumed on PostgreSQL), before the writes",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (file or schema) for inspection")
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(run(args)) else 1)


if __name__ == "__main__":
    main()
