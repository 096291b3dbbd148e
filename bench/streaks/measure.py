"""Timing the real service calls: /streak data, /leaderboard views, recording an answer, settling a day."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text
from sqlmodel import col

from bench.common import percentile
from bench.streaks.seed import table_of
from bench.streaks.world import CHANNEL_ID, FILLER, FIRST_MESSAGE_ID, GUILD_ID, POST_AT, World
from bot.db import Database
from bot.models import DailyPrompt, MemberStreak
from bot.services import streaks
from bot.services.daily import answers
from bot.services.errors import Refused
from bot.services.streaks import leaderboard
from bot.services.streaks import views as streak_views

STREAK_TARGET_MS = 50.0
BOARD_TARGET_MS = 50.0
RECORD_TARGET_MS = 25.0
# (board, period) pairs timed: ``streak`` is always the current streak, whatever the period.
BOARD_PERIODS: list[tuple[leaderboard.Board, leaderboard.Period]] = [
    ("streak", "all-time"),
    *((board, period) for board in ("answers", "best", "reviews") for period in leaderboard.PERIODS),
]


@dataclass
class Figure:
    """Timings of one operation, in ms, and the mean CPU time this process spent per operation."""

    name: str
    samples: list[float]
    target: float | None = None
    cpu_ms: float | None = None

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def max(self) -> float:
        return max(self.samples)

    @property
    def met(self) -> bool:
        return self.target is None or self.p99 < self.target

    def line(self) -> str:
        cpu = f"{self.cpu_ms:8.2f}" if self.cpu_ms is not None else " " * 8
        target = f"< {self.target:3.0f}  {'PASS' if self.met else 'MISS'}" if self.target is not None else ""
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


async def board_orders(db: Database, today: dt.date) -> dict[tuple[str, str], list[leaderboard.Entry]]:
    """Return every timed board in rank order (untimed: where the page buttons' places come from)."""
    orders: dict[tuple[str, str], list[leaderboard.Entry]] = {}
    async with db.read() as session:
        for board, period in BOARD_PERIODS:
            value, user, filters = leaderboard._source(GUILD_ID, board, period, today)
            stmt = select(user, value).where(*filters).order_by(value.desc(), user.asc())
            rows = (await session.execute(stmt)).all()
            orders[board, period] = [leaderboard.Entry(i + 1, int(u), int(v)) for i, (u, v) in enumerate(rows)]
    return orders


def board_request(order: list[leaderboard.Entry], rng: random.Random, mode: str) -> dict[str, object]:
    """Return what one /leaderboard view asks for, as a member reaches it.

    ``first``: the command's first page or Next from it, up to page 5; ``deep``: Next or Previous
    at any depth (the seek from the neighbouring page's member, what the buttons carry).
    """
    pages = max(1, -(-len(order) // leaderboard.PAGE_SIZE))
    size = leaderboard.PAGE_SIZE
    number = rng.randrange(min(pages, 5)) if mode == "first" else rng.randrange(pages)
    if number == 0 and (mode == "first" or pages == 1):
        return {}
    if mode == "deep" and number < pages - 1 and (number == 0 or rng.random() < 0.5):
        mark = order[(number + 1) * size]
        return {"before": leaderboard.Boundary(mark.value, mark.user_id)}
    mark = order[number * size - 1]
    return {"after": leaderboard.Boundary(mark.value, mark.user_id)}


async def time_boards(
    db: Database, world: World, rng: random.Random, today: dt.date, iterations: int, warmup: int, *, mode: str
) -> list[Figure]:
    """Time a /leaderboard view (a page, the board's size and the caller's rank) per board and period.

    The caller is a random member (often far down the board, or not on it); the page is reached as
    ``board_request`` says for ``mode``.
    """
    users = world.user_ids
    orders = await board_orders(db, today)
    figures = []
    for board, period in BOARD_PERIODS:
        order = orders[board, period]

        async def one(_: int, board: leaderboard.Board = board, period: leaderboard.Period = period,
                      order: list[leaderboard.Entry] = order) -> None:  # fmt: skip
            asked = board_request(order, rng, mode)
            uid = rng.choice(users)
            # A first page is held in memory until the board changes; timed here as read after an answer.
            db.settings.drop({"member_streak", "period_stat"})
            async with db.read() as session:  # what /leaderboard and its buttons do
                shown = await leaderboard.view(
                    session=session, guild_id=GUILD_ID, board=board, period=period, today=today, user_id=uid,
                    **asked,  # type: ignore[arg-type]
                )  # fmt: skip
            if shown.entries and shown.entries[0] != order[shown.entries[0].rank - 1]:
                raise AssertionError(f"{board}/{period}: {asked} showed {shown.entries[0]}")

        label = f"  {board}/{period} ({len(order):,} ranked)"
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

    Mostly the active members (who hold streaks, so record_answers takes its usual path), with a
    few returning and first-time answerers (a small floor weight). Efraimidis-Spirakis sampling.
    """
    recent = len(world.days) - 28
    keyed = []
    for member in world.members:
        weight = sum(member.flags[recent:]) + 0.25
        keyed.append((rng.random() ** (1 / weight), member.user_id))
    keyed.sort(reverse=True)
    return [user_id for _, user_id in keyed[:count]]


async def answer(db: Database, prompt_id: int, day: dt.date, uid: int) -> answers.AnswerResult | None:
    """Store a member's answer as the Answer modal does (counted, its post queued); None if they had answered."""
    at = dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    submission = answers.Submission(guild_id=GUILD_ID, user_id=uid, display_name=f"member{uid}", text=FILLER, now=at,
                                    prompt_id=prompt_id)  # fmt: skip
    async with db.write() as session:  # what bot.answer_writes runs, with one answer
        (result,) = await answers.submit_answers(session=session, submissions=[submission])
    if isinstance(result, Refused):
        raise result
    return result if result.created else None


async def just_before_autovacuum(db: Database, world: World, rng: random.Random, prompt_id: int, day: dt.date) -> str:
    """PostgreSQL: leave the board tables as they stand just before autovacuum's next pass, their worst state.

    The day's writes so far changed member_streak past its autovacuum threshold (migration 0008)
    several times over, so autovacuum has been through it: VACUUM it as that pass did, then count
    more answers, untimed, until one more would cross the threshold again (every answer changes
    its member's row twice: the lock's no-op update, then the new state). Returns what was done.
    """
    if db.sqlite:
        return ""
    tables = ("member_streak", "period_stat")
    async with db.write_engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            await auto.execute(text(f"VACUUM {table}"))
        options, rows = (
            await auto.execute(
                text("SELECT reloptions, reltuples FROM pg_class WHERE oid = to_regclass('member_streak')")
            )
        ).one()
    settings = dict(option.split("=", 1) for option in options or [])
    threshold = int(settings.get("autovacuum_vacuum_threshold", 50)) + float(
        settings.get("autovacuum_vacuum_scale_factor", 0.2)
    ) * float(rows)
    wanted = int(threshold - 1) // 2
    done = 0
    for uid in likely_answerers(world, rng, len(world.members)):
        if done == wanted:
            break
        done += await answer(db, prompt_id, day, uid) is not None
    return (
        f"then VACUUM {', '.join(tables)} (autovacuum's pass) and {done:,} more answers, untimed: "
        f"{2 * done:,} changes to member_streak, short of its next autovacuum at {threshold:,.0f}"
    )


async def time_record(
    db: Database, world: World, rng: random.Random, prompt_id: int, day: dt.date, iterations: int, warmup: int
) -> tuple[Figure, int]:
    """Time recording a first answer to the new prompt: the Answer insert and record_answers, one transaction each.

    Returns the figure and how many of the timed members had a running streak.
    """
    users = likely_answerers(world, rng, min(len(world.members), warmup + iterations))

    async def one(i: int) -> None:
        if await answer(db, prompt_id, day, users[i]) is None:
            raise AssertionError(f"member {users[i]} had already answered the new prompt")

    figure = await timed(
        "record an answer (new prompt day)", one, iterations=len(users) - warmup, warmup=warmup,
        target=RECORD_TARGET_MS,
    )  # fmt: skip
    async with db.read() as session:  # untimed: how many of them extended a running streak
        extended = await session.scalar(
            select(func.count()).where(col(MemberStreak.guild_id) == GUILD_ID, col(MemberStreak.current) > 1,
                                       col(MemberStreak.user_id).in_(users[warmup:]))
        )  # fmt: skip
    return figure, int(extended or 0)
