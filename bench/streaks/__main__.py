"""Run the streaks benchmark: ``python -m bench.streaks --help`` (what it measures: ``bench/streaks/__init__.py``)."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable

from bench.common import add_backend_arguments, bench_database, machine_line
from bench.streaks import __doc__ as overview
from bench.streaks.measure import (
    Figure,
    just_before_autovacuum,
    merged,
    open_next_prompt,
    time_boards,
    time_record,
    time_streak,
)
from bench.streaks.seed import check_consistency, load
from bench.streaks.world import build_world


def print_table(label: str, figures: Iterable[Figure]) -> None:
    """Print the figures against their targets."""
    print(f"\nresults on {label} (ms; cpu: this process's CPU time per operation)")
    print(f"  {'operation':<36} {'n':>6} {'p50':>8} {'p99':>8} {'max':>8} {'cpu':>8}   target p99")
    for figure in figures:
        print(figure.line())


async def run(args: argparse.Namespace) -> bool:
    """Build, load and time; return whether every target was met."""
    rng = random.Random(args.seed)
    print(machine_line())
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
    async with bench_database(args.postgres, keep=args.keep) as target:
        db = target.open()
        try:
            print(f"loading into {target.label}:")
            await load(db, world)
            await check_consistency(db, world, random.Random(args.seed + 1))
            world.drop_rows()

            async def reads(today: dt.date) -> tuple[Figure, list[Figure], list[Figure]]:
                streak = await time_streak(db, world, rng, today, args.iterations, args.warmup)
                boards = await time_boards(db, world, rng, today, args.iterations, args.warmup, mode="first")
                deep = await time_boards(db, world, rng, today, args.iterations // 4, args.warmup, mode="deep")
                return streak, boards, deep

            vacuumed = ""
            if args.reads_first:
                streak, boards, deep = await reads(world.days[-1])
            # By default the write path comes first (as on a real day: the next prompt is posted,
            # the day before settles, members answer), so the reads see tables as they stand
            # between two autovacuums on PostgreSQL (just before the next one) rather than freshly vacuumed.
            prompt_id, next_day, settle = await open_next_prompt(db, world)
            record, with_streak = await time_record(db, world, rng, prompt_id, next_day, args.iterations, args.warmup)
            if not args.reads_first:
                vacuumed = await just_before_autovacuum(db, world, rng, prompt_id, next_day)
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
    if vacuumed:
        print(f"  {vacuumed}")
    print(f"machine load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print_table(f"{target.label}, {args.members:,} members, {args.days} days", figures)
    met = all(f.met for f in figures)
    print(f"\n{'PASS' if met else 'MISS'}: p99 targets /streak < 50 ms, /leaderboard < 50 ms, an answer < 25 ms")
    return met


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=(overview or "").strip().splitlines()[0])
    add_backend_arguments(parser)
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
