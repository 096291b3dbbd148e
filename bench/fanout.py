"""Fan-out: 1,000 guilds due in the same minute, posted against a fake Discord enforcing 50 requests/s.

Run: ``.venv/bin/python -m bench.fanout [--guilds 1000] [--postgres URL]``.

The fake enforces Discord's global limit (50 requests/s, interaction callbacks exempt) and the
5-messages-per-5-s channel bucket, and counts every 429 it answers. The bot's poster ticks (as
its scheduler would) until every due guild is posted; each guild needs one message and one thread.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bench.common import (
    START,
    add_backend_arguments,
    bench_database,
    machine_line,
    quiet_logging,
    running_drillbot,
    running_fake,
)
from bot.clock import ManualClock
from bot.models import DailyPrompt
from bot.services.daily import prompts
from discord_standin.records import route_matches
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel

GLOBAL_LIMIT = 50  # requests per second, as Discord
CHANNEL_LIMIT = (5, 5.0)
RATIO_TARGET = 1.2
MAX_TICKS = 20
POST_AT = "09:00"
DUE = START.replace(hour=9, minute=0)  # START is 08:00 UTC: every schedule is due at 09:00 the same day


@dataclass
class Result:
    """What the fan-out did and how long it took."""

    database: str
    guilds: int
    build: float
    ready: float
    guild_creates: int
    guild_create_span: float
    schedules: float
    ticks: int
    posted: int
    elapsed: float
    requests: int
    by_route: Counter[str]
    rate_limited: int
    peak: int
    problems: list[str]

    @property
    def minimum(self) -> float:
        return self.requests / GLOBAL_LIMIT

    @property
    def ratio(self) -> float:
        return self.elapsed / self.minimum if self.minimum else float("inf")


def build_guilds(fake: FakeDiscord, count: int) -> dict[int, Channel]:
    """Create ``count`` guilds, each with a #prompts channel the bot can post and open threads in."""
    channels: dict[int, Channel] = {}
    for index in range(count):
        guild = fake.add_guild(f"fanout-{index:04d}")
        channels[guild.id] = fake.add_text_channel(guild, "prompts")
    return channels


ROUTES = {
    "POST /channels/*/messages": "message",
    "POST /channels/*/messages/*/threads": "thread",
}


def route_name(method: str, path: str) -> str:
    """Name a request for the tally."""
    for glob, name in ROUTES.items():
        if route_matches(glob, method, path):
            return name
    return f"{method} {path}"


def peak_per_second(times: list[float]) -> int:
    """Return the most requests that reached the fake within any 1 s window (what its limiter counts)."""
    times = sorted(times)
    peak = start = 0
    for end, t in enumerate(times):
        while t - times[start] >= 1.0:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def verify(fake: FakeDiscord, channels: dict[int, Channel]) -> list[str]:
    """Check that every guild got exactly one prompt message and one thread started from it."""
    bot_id = fake.world.bot.id
    threads: dict[int, list[Channel]] = {}
    for channel in fake.world.channels.values():
        if channel.is_thread and channel.parent_id is not None:
            threads.setdefault(channel.parent_id, []).append(channel)
    problems: list[str] = []
    for guild_id, channel in channels.items():
        posts = [m for m in fake.messages(channel) if m.author.id == bot_id]
        opened = threads.get(channel.id, [])
        if len(posts) != 1 or len(opened) != 1 or opened[0].id != posts[0].id:
            problems.append(f"guild {guild_id}: {len(posts)} message(s), {len(opened)} thread(s)")
    return problems


async def measure(guilds: int, postgres: str | None) -> Result:
    """Build the guilds, start the bot, write the schedules, then tick the poster until all are posted."""
    async with (
        bench_database(postgres) as target,
        running_fake(global_rate_limit=GLOBAL_LIMIT, channel_message_limit=CHANNEL_LIMIT) as fake,
    ):
        started = time.perf_counter()
        channels = build_guilds(fake, guilds)
        build = time.perf_counter() - started

        clock = ManualClock(START)
        started = time.perf_counter()
        async with running_drillbot(fake, target, clock) as bot:
            ready = time.perf_counter() - started
            if len(bot.guilds) != guilds:
                raise SystemExit(f"the bot sees {len(bot.guilds)} guilds, expected {guilds}")
            creates = fake.records.events_named("GUILD_CREATE")
            create_span = creates[-1].time - creates[0].time if creates else 0.0

            started = time.perf_counter()
            async with bot.db.write() as session:
                for guild_id, channel in channels.items():
                    await prompts.configure(
                        session=session,
                        guild_id=guild_id,
                        changes=prompts.PromptSettings(
                            channel_id=channel.id, post_time=POST_AT, timezone="UTC", days="daily"
                        ),
                        now=clock.now(),
                    )
            async with bot.db.read() as session:
                due = await prompts.due_guilds(session=session, now=DUE)
            if len(due) != guilds:
                raise SystemExit(f"{len(due)} schedules are due at {DUE:%H:%M}, expected {guilds}")
            schedules = time.perf_counter() - started

            clock.set(DUE + dt.timedelta(seconds=5))
            cog: Any = bot.get_cog("DrillCog")
            first_request = len(fake.records.requests)
            limited_before = fake.records.rate_limited
            posted = ticks = 0
            started = time.perf_counter()
            while posted < guilds and ticks < MAX_TICKS:
                posted += await cog.poster.tick()
                ticks += 1
            elapsed = time.perf_counter() - started
            made = fake.records.requests[first_request:]
            problems = verify(fake, channels)
            async with bot.db.read() as session:
                threaded = await session.scalar(
                    select(func.count()).select_from(DailyPrompt).where(DailyPrompt.state == "threaded")  # type: ignore[arg-type]
                )
            if threaded != guilds:
                problems.append(f"{threaded} prompts reached state 'threaded' in the database, expected {guilds}")
            return Result(
                database=target.label,
                guilds=guilds,
                build=build,
                ready=ready,
                guild_creates=len(creates),
                guild_create_span=create_span,
                schedules=schedules,
                ticks=ticks,
                posted=posted,
                elapsed=elapsed,
                requests=len(made),
                by_route=Counter(route_name(r.method, r.path) for r in made),
                rate_limited=fake.records.rate_limited - limited_before,
                peak=peak_per_second([r.time for r in made]),
                problems=problems,
            )


def report(result: Result) -> bool:
    """Print the figures and say whether the targets are met."""
    r = result
    routes = ", ".join(f"{n} {name}" for name, n in r.by_route.most_common())
    print(f"fan-out: {r.guilds} guilds due at {DUE:%H:%M} UTC; fake Discord at {GLOBAL_LIMIT} requests/s global")
    print(f"  database {r.database}")
    print(
        f"  set-up: world built in {r.build:.2f} s; bot ready in {r.ready:.2f} s "
        f"({r.guild_creates} GUILD_CREATE sent over {r.guild_create_span:.2f} s); "
        f"{r.guilds} schedules written in {r.schedules:.2f} s"
    )
    print(f"  posted: {r.posted} guilds in {r.ticks} poster tick(s)")
    print(f"  requests: {r.requests} ({routes})")
    print(f"  429s: {r.rate_limited} (peak {r.peak} requests in any 1 s window; the limit is {GLOBAL_LIMIT})")
    print(f"  elapsed: {r.elapsed:.2f} s")
    print(f"  minimum the rate limit allows: {r.minimum:.2f} s ({r.requests} requests / {GLOBAL_LIMIT} per s)")
    print(f"  ratio: {r.ratio:.3f}x (achieved {r.requests / r.elapsed:.1f} requests/s)")
    once = not r.problems and r.posted == r.guilds
    print(f"  every guild posted exactly once (one message + one thread): {'yes' if once else 'NO'}")
    for problem in r.problems[:10]:
        print(f"    {problem}")
    if len(r.problems) > 10:
        print(f"    ... and {len(r.problems) - 10} more")
    verdict = {True: "met", False: "MISSED"}
    print(f"  target zero 429s: {verdict[r.rate_limited == 0]}")
    print(f"  target within {RATIO_TARGET}x of the minimum: {verdict[r.ratio <= RATIO_TARGET]} ({r.ratio:.3f}x)")
    return once and r.rate_limited == 0 and r.ratio <= RATIO_TARGET


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=1000, help="guilds due at once (default 1000)")
    add_backend_arguments(parser)
    args = parser.parse_args(argv)
    quiet_logging()
    print(machine_line())
    return 0 if report(asyncio.run(measure(args.guilds, args.postgres))) else 1


if __name__ == "__main__":
    sys.exit(main())
