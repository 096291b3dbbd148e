"""Reads under a burst: the CPU a read costs when 200 arrive at once, by number of SQLite reader connections.

Run: ``.venv/bin/python -m bench.reads [--concurrent 200] [--rounds 5] [--readers 1 2 4 15]``.

Each aiosqlite connection is a thread of the bot's process; a burst spread over many of them spends
its time handing the GIL around. This is what chose ``bot.db.SQLITE_READERS``: for each reader
count, ``--concurrent`` tasks each open ``Database.read()`` and run /drill today's service (three
statements) on a migrated SQLite file holding one posted prompt and the member's pairing and
feedback (as bench.latency seeds them); the process's CPU time per read and the wall time per
burst are printed (the median of the rounds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time

from bench.common import START, bench_database, machine_line, quiet_logging
from bench.latency import seed_members
from bot.db import Database
from bot.models import DailyPrompt
from bot.models.daily import PromptState
from bot.services.daily import today
from bot.services.questions.bank import QuestionBank

GUILD, MEMBER = 1, 2


async def seed(db: Database, bank: QuestionBank) -> None:
    """One posted prompt with its thread, and the member paired with a peer, one feedback received each."""
    question = next(iter(bank.all()))
    async with db.write() as session:
        session.add(DailyPrompt(guild_id=GUILD, local_date=START.date(), question_id=question.id,
                                category=question.category, state=PromptState.THREADED, nonce="n", channel_id=10,
                                message_id=11, thread_id=11, due_at=START, posted_at=START))  # fmt: skip
    await seed_members(db, GUILD, [MEMBER, MEMBER + 1], START)


async def measure(url: str, readers: int, bank: QuestionBank, *, concurrent: int, rounds: int) -> tuple[float, float]:
    """Return the median CPU per read and wall time per burst with ``readers`` connections."""
    db = Database(url, pool_size=readers)
    try:

        async def one() -> None:
            async with db.read() as session:
                await today.today(session=session, bank=bank, guild_id=GUILD, user_id=MEMBER)

        await asyncio.gather(*(one() for _ in range(concurrent)))  # warm: connections open, statements compiled
        cpu, wall = [], []
        for _ in range(rounds):
            started_cpu, started = time.process_time(), time.perf_counter()
            await asyncio.gather(*(one() for _ in range(concurrent)))
            cpu.append((time.process_time() - started_cpu) / concurrent)
            wall.append(time.perf_counter() - started)
        return statistics.median(cpu), statistics.median(wall)
    finally:
        await db.dispose()


async def run(args: argparse.Namespace) -> None:
    bank = QuestionBank.load()
    async with bench_database() as target:
        db = target.open()
        await seed(db, bank)
        await db.dispose()
        print(f"{args.concurrent} concurrent /drill today reads (3 statements each), SQLite file (WAL)")
        for readers in args.readers:
            cpu, wall = await measure(target.url, readers, bank, concurrent=args.concurrent, rounds=args.rounds)
            per_read, burst = f"{cpu * 1000:5.2f} ms per read", f"{wall * 1000:6.0f} ms per burst"
            print(f"  {readers:3} reader connection(s): CPU {per_read}, {burst}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reads", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=200, help="reads started at once")
    parser.add_argument("--rounds", type=int, default=5, help="bursts per reader count (the median is printed)")
    parser.add_argument("--readers", type=int, nargs="+", default=[1, 2, 4, 15], help="reader connection counts")
    args = parser.parse_args(argv)
    quiet_logging()
    print(machine_line())
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
