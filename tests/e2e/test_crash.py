"""SIGKILL in the middle of posting, then a restart: still exactly one prompt per guild that day.

The bot runs as a real process (`python -m bot run`, real clock) against the fake Discord. Twenty
guilds are due now. Per-channel faults, and a write lock the test takes on the SQLite file at the
right moment (so Discord has done something the database could not record yet), freeze each group
of four guilds at a different point of the claimed -> sent -> threaded state machine when the
process is killed:

- ``done``: posted and threaded before the kill (the restart must leave them alone);
- ``thread_unrecorded``: marked sent; the fake created the thread, but the row could not record it
  (the restart meets 160004 "thread already exists" and takes the message's id as the thread's);
- ``thread_failing``: marked sent; thread creation answers 500 (discord.py is backing off when
  killed), so no thread exists;
- ``send_unrecorded``: claimed; the fake created the post, but the row could not record its id (the
  restart must find its marked post in the channel's history, not send a second one);
- ``send_failing``: claimed; message creation answers 500, so nothing was sent (the restart sends).

It runs with the fake's nonce dedupe on and off: with ``nonce_window = 0`` a second send would show
up as a second post, so only the history check can keep it to one.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.db import Database
from bot.migrate import upgrade_head
from bot.models import DailyPrompt, PromptSchedule
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Guild, Message
from tests.eventually import eventually

ROOT = Path(__file__).resolve().parents[2]
GROUPS = ("done", "thread_unrecorded", "thread_failing", "send_unrecorded", "send_failing")
PER_GROUP = 4
# The unrecorded groups' requests wait this long in the fake before it handles them: time enough for
# every other group to reach its window first, so the test can lock the database before they land.
HELD_SECONDS = 3.0

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


@dataclass
class Target:
    """One guild of the test, its prompts channel and the crash window it is frozen in."""

    group: str
    guild: Guild
    channel: Channel


def zone_near_noon(now: dt.datetime) -> str:
    """Return a fixed-offset zone where it is now between 12:00 and 13:00 (far from local midnight)."""
    offset = 12 - now.hour  # -11..12
    if offset == 0:
        return "Etc/GMT"
    return f"Etc/GMT-{offset}" if offset > 0 else f"Etc/GMT+{-offset}"  # POSIX signs are inverted


def build_world(fake: FakeDiscord) -> list[Target]:
    """Add the guilds, each with a #prompts channel where the bot role may post and open threads."""
    targets = []
    for group in GROUPS:
        for i in range(PER_GROUP):
            guild = fake.add_guild(f"Crash {group} {i}")  # @everyone + the bot's managed role, as by default
            next(r for r in guild.roles.values() if r.managed).position = 3
            targets.append(Target(group, guild, fake.add_text_channel(guild, "prompts")))
    return targets


async def seed_schedules(url: str, targets: list[Target]) -> None:
    """Migrate the database file and make every guild due a moment ago, by the real clock."""
    await upgrade_head(url)
    now = dt.datetime.now(dt.UTC)
    zone = zone_near_noon(now)
    due = (now - dt.timedelta(minutes=1)).astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0)
    db = Database(url)
    try:
        async with db.write() as session:
            for t in targets:
                session.add(
                    PromptSchedule(
                        guild_id=t.guild.id,
                        channel_id=t.channel.id,
                        post_time=due.strftime("%H:%M"),
                        timezone=zone,
                        days="daily",
                        enabled=True,
                        next_post_at=due.astimezone(dt.UTC),
                        tracks=[],
                        low_pool_warned={},
                        updated_at=now,
                    )
                )
    finally:
        await db.dispose()


async def start_process(fake: FakeDiscord, url: str, cwd: Path, log: IO[bytes]) -> asyncio.subprocess.Process:
    """Start `python -m bot run` against the fake, logging to a file (a full pipe would block it)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "DATABASE_", "SHARD_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base,
             "DATABASE_URL": url, "LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=log,
    )  # fmt: skip


@contextlib.asynccontextmanager
async def write_lock(path: Path) -> AsyncIterator[None]:
    """Hold SQLite's write lock (the bot's writes wait, then fail; its reads go on under WAL)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
    try:
        await asyncio.to_thread(conn.execute, "BEGIN IMMEDIATE")
        yield
        conn.execute("ROLLBACK")
    finally:
        conn.close()


async def rows_by_guild(db: Database) -> dict[int, DailyPrompt]:
    """Read every prompt row, keyed by guild."""
    async with db.read() as session:
        return {p.guild_id: p for p in await session.scalars(select(DailyPrompt))}


def messages_path(channel: Channel) -> str:
    """Return the path of a channel's messages."""
    return f"/channels/{channel.id}/messages"


def send_glob(channel: Channel) -> str:
    """Route glob of message creation in a channel."""
    return f"POST {messages_path(channel)}"


def thread_glob(channel: Channel) -> str:
    """Route glob of starting a thread from a message of a channel."""
    return f"POST {messages_path(channel)}/*/threads"


def answer_ids(message: Message) -> list[str]:
    """Return the custom ids of a message's Answer buttons."""
    return [
        str(button["custom_id"])
        for row in message.components
        for button in row.get("components", [])
        if str(button.get("custom_id", "")).startswith("drill:answer:")
    ]


def prompt_posts(fake: FakeDiscord, channel: Channel) -> list[Message]:
    """Return the bot's posts in a channel that carry an Answer button (the daily prompts)."""
    return [m for m in fake.messages(channel) if m.author.id == fake.world.bot.id and answer_ids(m)]


def threads_of(fake: FakeDiscord, channel: Channel) -> list[Channel]:
    """Return the threads under a channel."""
    return [c for c in fake.world.channels.values() if c.is_thread and c.parent_id == channel.id]


def log_text(path: Path) -> str:
    """Return a process log for a failure message."""
    return path.read_text(errors="replace")[-6000:] if path.exists() else ""


@pytest.mark.parametrize("nonce_window", [300.0, 0.0], ids=["nonce-dedupe-on", "nonce-dedupe-off"])
async def test_sigkill_mid_posting_then_restart_posts_once_per_guild(
    fake_discord: FakeDiscord, tmp_path: Path, nonce_window: float
) -> None:
    """Killed with SIGKILL mid-fan-out and restarted: one prompt, one thread, a 'threaded' row per guild."""
    fake = fake_discord
    targets = build_world(fake)
    db_path = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    await seed_schedules(url, targets)
    group = {g: [t for t in targets if t.group == g] for g in GROUPS}
    for t in group["thread_unrecorded"]:
        fake.faults.slow(thread_glob(t.channel), HELD_SECONDS)
    for t in group["thread_failing"]:
        fake.faults.fail(thread_glob(t.channel), status=500, times=None)
    for t in group["send_unrecorded"]:
        fake.faults.slow(send_glob(t.channel), HELD_SECONDS)
    for t in group["send_failing"]:
        fake.faults.fail(send_glob(t.channel), status=500, times=None)

    def answered(glob: str, *statuses: int) -> bool:
        return any(r.status in statuses for r in fake.records.requests_to(glob))

    db = Database(url)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    procs: list[asyncio.subprocess.Process] = []
    try:
        # --- first run: SIGKILL once every group sits in its window ------------------------------
        with first_log.open("wb") as log:
            proc = await start_process(fake, url, tmp_path, log)
        procs.append(proc)

        async def ready_to_lock() -> bool:
            if proc.returncode is not None:
                raise AssertionError(f"the bot exited early ({proc.returncode}):\n{log_text(first_log)}")
            if not (
                all(answered(thread_glob(t.channel), 0) for t in group["thread_unrecorded"])
                and all(answered(thread_glob(t.channel), 500) for t in group["thread_failing"])
                and all(answered(send_glob(t.channel), 0) for t in group["send_unrecorded"])
                and all(answered(send_glob(t.channel), 500) for t in group["send_failing"])
            ):
                return False
            rows = await rows_by_guild(db)
            state = {t.guild.id: rows[t.guild.id].state if t.guild.id in rows else None for t in targets}
            return all(state[t.guild.id] == "threaded" for t in group["done"]) and all(
                state[t.guild.id] == "sent" for t in group["thread_unrecorded"] + group["thread_failing"]
            )

        await eventually(ready_to_lock, timeout=20, what="every group to reach its window")
        async with write_lock(db_path):
            # Discord now does what the bot cannot record: the held requests land.
            await fake.changed.wait_for(
                lambda: (
                    all(answered(thread_glob(t.channel), 201) for t in group["thread_unrecorded"])
                    and all(answered(send_glob(t.channel), 200) for t in group["send_unrecorded"])
                ),
                timeout=HELD_SECONDS + 5,
                what="the held requests to land",
            )
            # The bot takes the responses and blocks on the locked database: inside the bot, so nothing
            # the fake could signal; a short wait lets it get there.
            await asyncio.sleep(0.2)
            proc.kill()  # SIGKILL: no clean-up, mid-transaction
            assert await asyncio.wait_for(proc.wait(), timeout=10) == -signal.SIGKILL

        rows = await rows_by_guild(db)
        assert len(rows) == len(targets), "every guild was claimed before the kill"
        for t in targets:
            row, posts = rows[t.guild.id], prompt_posts(fake, t.channel)
            where = f"{t.group} guild {t.guild.id}: row {row.state}/{row.message_id}, {len(posts)} post(s)"
            if t.group == "done":
                assert row.state == "threaded" and len(posts) == 1 and threads_of(fake, t.channel), where
            elif t.group == "thread_unrecorded":
                assert row.state == "sent" and [row.message_id] == [m.id for m in posts], where
                assert posts[0].thread_id == posts[0].id, f"{where}: the thread exists"
            elif t.group == "thread_failing":
                assert row.state == "sent" and [row.message_id] == [m.id for m in posts], where
                assert not threads_of(fake, t.channel), where
            elif t.group == "send_unrecorded":
                assert row.state == "claimed" and row.message_id is None and len(posts) == 1, where
            else:
                assert row.state == "claimed" and row.message_id is None and not posts, where

        # --- second run: same database, no faults ------------------------------------------------
        fake.faults.clear()
        # setup_hook starts the scheduler, then syncs commands, then the gateway connects: a slow
        # sync makes the start-up tick resume the posts before any GUILD_CREATE has arrived.
        fake.faults.slow("PUT /applications/*/commands", 1.0)
        fake.nonce_window = nonce_window
        mark, guild_creates = len(fake.records.requests), len(fake.records.events_named("GUILD_CREATE"))
        with second_log.open("wb") as log:
            proc = await start_process(fake, url, tmp_path, log)
        procs.append(proc)

        async def all_threaded() -> bool:
            if proc.returncode is not None:
                raise AssertionError(f"the restarted bot exited ({proc.returncode}):\n{log_text(second_log)}")
            rows = await rows_by_guild(db)
            return len(rows) == len(targets) and all(r.state == "threaded" for r in rows.values())

        await eventually(all_threaded, timeout=20, what="every guild's prompt to be threaded", interval=0.05)
        await eventually(
            lambda: len(fake.records.events_named("GUILD_CREATE")) - guild_creates >= len(fake.world.guilds),
            timeout=20,
            what="the restarted bot's gateway session to receive its guilds",
        )
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
        rows = await rows_by_guild(db)
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()
        await db.dispose()

    second = log_text(second_log)
    assert code == 0, second
    assert "Traceback" not in second, second

    # --- exactly one prompt per guild, with its thread, recorded in the database ------------------
    after = fake.records.requests[mark:]
    for t in targets:
        row, posts = rows[t.guild.id], prompt_posts(fake, t.channel)
        where = f"{t.group} guild {t.guild.id}"
        assert len(posts) == 1, f"{where}: {len(posts)} prompt posts"
        post = posts[0]
        assert answer_ids(post) == [f"drill:answer:{row.id}"], where
        assert row.state == "threaded" and row.message_id == post.id, where
        assert row.thread_id == post.id and post.thread_id == post.id, where
        assert [th.id for th in threads_of(fake, t.channel)] == [post.id], where

        sends = [r for r in after if r.method == "POST" and r.path == messages_path(t.channel)]
        opens = [r for r in after if r.method == "POST" and r.path == f"{messages_path(t.channel)}/{post.id}/threads"]
        if t.group == "send_failing":
            assert [r.status for r in sends] == [200], f"{where}: the restart sends the unsent prompt once"
        else:
            assert sends == [], f"{where}: the restart sent again ({[r.status for r in sends]})"
        if t.group == "done":
            assert opens == [], where
        elif t.group == "thread_unrecorded":
            assert [(r.status, r.error_code) for r in opens] == [(400, 160004)], where
        else:
            assert [r.status for r in opens] == [201], where
        if t.group == "send_unrecorded":
            history = [r for r in after if r.method == "GET" and r.path == messages_path(t.channel)]
            assert history, f"{where}: the restart looks for its marked post in the channel's history"
