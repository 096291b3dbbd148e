"""Shared set-up for the benchmarks: a migrated database, the fake Discord, a real DrillBot against it.

The Discord stand-in (``discord_standin``) runs either in the benchmark's own event loop
(``running_fake``) or in a child process of its own (``discord_in_subprocess``), so that the
fake's work -- building payloads, validating every body against the OpenAPI spec, waking its
actors -- is not billed to the bot whose latency is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import math
import multiprocessing
import os
import re
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket
from discord.http import Route
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_scheduler
from bot.client import DrillBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.endpoints import use_api_base, use_gateway
from bot.migrate import upgrade_head
from bot.services.daily import prompts
from bot.services.questions.bank import QuestionBank
from discord_standin.interactions import InteractionSession
from discord_standin.running import assert_no_violations, pointed_at, start_bot, stop_bot
from discord_standin.server import FakeDiscord

# A Monday morning, UTC: every benchmark runs on a manual clock, so nothing waits for real time.
START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
LISTEN_BACKLOG = 2048
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback")


def quiet_logging(level: int = logging.WARNING) -> None:
    """Keep discord.py's INFO chatter (and its voice-support notice) out of the figures."""
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    for name in ("discord", "aiohttp", "apscheduler", "sqlalchemy"):
        logging.getLogger(name).setLevel(level)
    logging.getLogger("discord.client").setLevel(logging.ERROR)


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--postgres URL`` (SQLite in a temporary file otherwise)."""
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="run on PostgreSQL at URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test) in a fresh "
        "schema that is dropped afterwards; SQLite in a temporary file when left out",
    )


def machine_line() -> str:
    """Describe the machine's load: the figures depend on free CPU."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"machine: {os.cpu_count()} CPUs, load average {load} at start"


# --- the database -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchDatabase:
    """Where the benchmark's database lives: the URL and the engine options (PostgreSQL search path)."""

    url: str
    engine_kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = "sqlite"

    def open(self) -> Database:
        """Return a new Database (engines) on this database."""
        return Database(self.url, **self.engine_kwargs)


@contextlib.asynccontextmanager
async def bench_database(postgres_url: str | None = None, *, keep: bool = False) -> AsyncIterator[BenchDatabase]:
    """Yield a freshly migrated database: a temporary SQLite file, or a new schema on PostgreSQL.

    It is removed afterwards unless ``keep`` (then where it is gets printed, for inspection).
    """
    if not postgres_url:
        tmp = tempfile.mkdtemp(prefix="drillbot-bench-")
        path = Path(tmp) / "bench.db"
        try:
            target = BenchDatabase(f"sqlite+aiosqlite:///{path}", label="SQLite (file, WAL)")
            await _migrate(target)
            yield target
        finally:
            if keep:
                print(f"kept: {path}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(postgres_url)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        target = BenchDatabase(
            postgres_url,
            {"connect_args": {"server_settings": {"search_path": schema}}},
            label=f"PostgreSQL (fresh schema {schema})",
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


async def _migrate(target: BenchDatabase) -> None:
    db = target.open()
    try:
        await upgrade_head(db.url, engine=db.write_engine)
    finally:
        await db.dispose()


# --- the fake Discord, in this event loop --------------------------------------------------------


async def start_fake(fake: FakeDiscord, *, backlog: int = LISTEN_BACKLOG) -> None:
    """Serve ``fake`` on 127.0.0.1 like ``FakeDiscord.start``, with a listen backlog for bursts.

    ``FakeDiscord.start`` keeps aiohttp's default backlog of 128: when 200 callbacks open new
    connections at once, the kernel drops the SYNs beyond it and the client resends them after
    its 1 s initial retransmission timeout -- a 1 s tail that has nothing to do with the bot.
    """
    runner = web.AppRunner(fake.app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0, backlog=backlog).start()
    fake._runner = runner  # FakeDiscord.close() cleans it up
    fake.host, fake.port = "127.0.0.1", int(runner.addresses[0][1])


@contextlib.asynccontextmanager
async def running_fake(**options: Any) -> AsyncIterator[FakeDiscord]:
    """Run a fake Discord (``options`` go to FakeDiscord) in this loop, with discord.py pointed at it.

    Build the world before starting the bot, so the bot learns it from READY and GUILD_CREATE.
    """
    fake = FakeDiscord(**options)
    await start_fake(fake)
    try:
        with pointed_at(fake):
            yield fake
    finally:
        await fake.close()
    assert_no_violations(fake)


# --- the fake Discord, in a child process ---------------------------------------------------------

# setup(fake, state, **kwargs) builds the world before the fake serves and returns facts for the
# parent (ids); each op(fake, state, **kwargs) runs one step on the Discord side. Both must be
# module-level functions (they are pickled by name into the child).
Setup = Callable[..., Awaitable[dict[str, Any]]]
Op = Callable[..., Awaitable[Any]]


@dataclass
class DiscordSide:
    """The fake Discord running in a child process, driven by named ops."""

    info: dict[str, Any]
    _conn: Connection
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def token(self) -> str:
        return str(self.info["token"])

    @property
    def api_base(self) -> str:
        return str(self.info["api_base"])

    async def call(self, op: str, **kwargs: Any) -> Any:
        """Run ``op`` in the child and return its (picklable) result."""
        async with self._lock:
            self._conn.send((op, kwargs))
            status, value = await asyncio.to_thread(self._conn.recv)
        if status != "ok":
            raise RuntimeError(f"the Discord side failed in {op!r}:\n{value}")
        return value


@contextlib.asynccontextmanager
async def discord_in_subprocess(
    setup: Setup, ops: dict[str, Op], *, setup_kwargs: dict[str, Any] | None = None, **fake_options: Any
) -> AsyncIterator[DiscordSide]:
    """Run a fake Discord in a child process (its own interpreter and event loop); point discord.py at it."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(
        target=_discord_side_main,
        args=(child, setup, ops, setup_kwargs or {}, fake_options),
        name="fake-discord",
        daemon=True,
    )
    process.start()
    child.close()
    status, info = await asyncio.to_thread(parent.recv)
    if status != "ok":
        process.join(5)
        raise RuntimeError(f"the fake Discord did not start:\n{info}")
    side = DiscordSide(info, parent)
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    use_api_base(side.api_base)
    use_gateway(str(info["gateway_url"]))
    try:
        yield side
        problems = await side.call("_violations")
        if problems:
            raise AssertionError("fake Discord rejected request bodies:\n  " + "\n  ".join(problems))
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, yarl.URL(str(old_gateway))
        with contextlib.suppress(Exception):
            parent.send(("_close", {}))
        await asyncio.to_thread(process.join, 10)
        if process.is_alive():
            process.terminate()
        parent.close()


def _discord_side_main(
    conn: Connection, setup: Setup, ops: dict[str, Op], setup_kwargs: dict[str, Any], options: dict[str, Any]
) -> None:
    quiet_logging()
    asyncio.run(_discord_side(conn, setup, ops, setup_kwargs, options))


async def _discord_side(
    conn: Connection, setup: Setup, ops: dict[str, Op], setup_kwargs: dict[str, Any], options: dict[str, Any]
) -> None:
    fake = FakeDiscord(**options)
    state: dict[str, Any] = {}
    try:
        info = await setup(fake, state, **setup_kwargs)
        await start_fake(fake)
    except BaseException:
        conn.send(("error", traceback.format_exc()))
        raise
    conn.send(("ok", {**info, "token": fake.token, "api_base": fake.api_base, "gateway_url": fake.gateway_url}))
    try:
        while True:
            op, kwargs = await asyncio.to_thread(conn.recv)
            if op == "_close":
                return
            try:
                if op == "_violations":
                    result: Any = [f"{v.method} {v.path}: {'; '.join(v.messages)}" for v in fake.violations]
                else:
                    result = await ops[op](fake, state, **kwargs)
            except Exception:
                conn.send(("error", traceback.format_exc()))
            else:
                conn.send(("ok", result))
    finally:
        await fake.close()


def callback_latencies(fake: FakeDiscord, sessions: Sequence[InteractionSession]) -> list[float]:
    """Return, per interaction, the time from its INTERACTION_CREATE frame to the bot's first callback.

    The end is when the callback POST entered the fake (its request record), before the fake reads
    and validates the body; the start is ``session.created_at``, stamped as the frame is sent.
    """
    arrived: dict[int, float] = {}
    for record in fake.records.requests:
        match = _CALLBACK.fullmatch(record.path) if record.method == "POST" else None
        if match is not None:
            arrived.setdefault(int(match.group(1)), record.time)
    return [arrived[s.id] - s.created_at for s in sessions]


# --- the bot --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """What a bot needs to reach a fake Discord (``start_bot`` reads ``token``)."""

    token: str
    api_base: str


@contextlib.asynccontextmanager
async def running_drillbot(
    endpoint: Endpoint | FakeDiscord,
    target: BenchDatabase,
    clock: ManualClock,
    *,
    configure: Callable[[DrillBot], None] | None = None,
    ready_timeout: float = 60.0,
) -> AsyncIterator[DrillBot]:
    """Start a real DrillBot in-process against a fake (no background jobs) and wait until it is ready.

    The bot syncs its commands in ``setup_hook``, before it connects, so they are registered once
    this yields. ``configure(bot)`` runs before start, e.g. to add a benchmark-only command.
    """
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        discord_token=endpoint.token,
        database_url=target.url,
        discord_api_base=endpoint.api_base,
    )
    bot = DrillBot(
        settings=settings,
        db=target.open(),
        scheduler=create_scheduler(),
        bank=QuestionBank.load(),
        clock=clock,
        background_jobs=False,
        guild_ready_timeout=0.1,
    )
    if configure is not None:
        configure(bot)
    task = await start_bot(endpoint, bot, timeout=ready_timeout)  # type: ignore[arg-type]
    try:
        yield bot
    finally:
        await stop_bot(bot, task)


async def configure_schedule(
    bot: DrillBot, *, guild_id: int, channel_id: int, now: dt.datetime, post_time: str = "09:00"
) -> None:
    """Give a guild a daily schedule in ``channel_id`` (UTC), the way /config prompts does."""
    async with bot.db.write() as session:
        await prompts.configure(
            session=session,
            guild_id=guild_id,
            changes=prompts.PromptSettings(channel_id=channel_id, post_time=post_time, timezone="UTC", days="daily"),
            now=now,
        )


# --- figures --------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Return the nearest-rank ``q``-th percentile (0-100) of ``values``."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:7.1f} ms"


class CpuMeter:
    """CPU seconds this process used over a stretch of wall time (to spot a starved run)."""

    def __enter__(self) -> CpuMeter:
        self.cpu0, self.wall0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self.cpu0
        self.wall = time.perf_counter() - self.wall0
