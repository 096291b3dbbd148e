"""The Bot: dependencies come in through the constructor; set-up happens once in setup_hook."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db import Database
from bot.endpoints import use_api_base, use_gateway
from bot.groupcommit import GroupCommit
from bot.locks import KeyedLocks
from bot.outbox import Outbox
from bot.pacing import GLOBAL_BURST, GLOBAL_RATE, TokenBucket, install_global_pacer
from bot.sandbox import SandboxSettings
from bot.services.daily import answers
from bot.services.errors import Refused
from bot.services.questions.bank import QuestionBank
from bot.sqlcheck import SqlChecker
from bot.tree import DrillTree, same_commands

log = logging.getLogger(__name__)

JOB_STOP_GRACE_SECONDS = 5.0  # a stop waits this long for running jobs (ticks are short) before cancelling them
NAMES_KEPT = 5000
OUTBOX_TICK_SECONDS = 5
OUTBOX_PRUNE_SECONDS = 6 * 3600

EXTENSIONS: tuple[str, ...] = (
    "cogs.help",
    "cogs.config",
    "cogs.questions",
    "cogs.daily",
    "cogs.streaks",
    "cogs.mock",
    "cogs.feedback",
    "cogs.privacy",
)


async def _store_answers(
    session: AsyncSession, submissions: list[answers.Submission]
) -> list[answers.AnswerResult | Refused]:
    return await answers.submit_answers(session=session, submissions=submissions)


def build_intents(settings: Settings) -> discord.Intents:
    """Return the intents the bot asks for: no privileged ones unless message content is opted in."""
    intents = discord.Intents.default()
    intents.members = False
    intents.presences = False
    intents.message_content = settings.message_content_intent
    return intents


class DrillBot(commands.AutoShardedBot):
    """drillbot's client: an auto-sharded bot holding the database, scheduler and clock."""

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        scheduler: AsyncIOScheduler,
        bank: QuestionBank,
        clock: Clock | None = None,
        extensions: Sequence[str] = EXTENSIONS,
        background_jobs: bool = True,
        **options: Any,
    ) -> None:
        options.setdefault("shard_count", settings.shard_count)
        options.setdefault("shard_ids", settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=build_intents(settings),
            tree_cls=DrillTree,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            allowed_mentions=discord.AllowedMentions.none(),
            **options,
        )
        self.settings = settings
        self.db = db
        self.scheduler = scheduler
        self.bank = bank
        self.clock: Clock = clock or SystemClock()
        self.extension_names = tuple(extensions)
        self.background_jobs = background_jobs
        self._job_tasks: set[asyncio.Task[Any]] = set()
        self._event_tasks: set[asyncio.Task[Any]] = set()
        self._jobs_start: asyncio.Task[None] | None = None
        self.outbox = Outbox(self)
        # Answers submitted together (a burst after the prompt goes out) are stored in one transaction.
        self.answer_writes: GroupCommit[answers.Submission, answers.AnswerResult] = GroupCommit(db, _store_answers)
        self.sql = SqlChecker(SandboxSettings(workers=settings.sandbox_workers))  # workers start at first use
        self.locks = KeyedLocks()
        self._names: dict[tuple[int, int], str] = {}
        self.rest_pacer = TokenBucket(GLOBAL_RATE, GLOBAL_BURST)
        install_global_pacer(self.http, self.rest_pacer)
        if settings.discord_api_base:
            use_api_base(settings.discord_api_base)
        if settings.discord_gateway_url:
            use_gateway(settings.discord_gateway_url)

    async def setup_hook(self) -> None:
        """Load cogs and sync commands; the jobs start once the gateway is ready. Once per process, not per READY."""
        if self.settings.discord_api_base and not self.settings.discord_gateway_url:
            # Reconnects after an invalid session go to DEFAULT_GATEWAY: keep it on the same API.
            _shards, url, _limits = await self.http.get_bot_gateway()
            use_gateway(url)
        for name in self.extension_names:
            await self.load_extension(name)
        if self.background_jobs:
            self.add_job("outbox", self.outbox.drain, seconds=OUTBOX_TICK_SECONDS)
            self.add_job("outbox-prune", self.outbox.prune, seconds=OUTBOX_PRUNE_SECONDS)
        # Jobs use the guild cache (channels, threads), so they start after READY, and only once:
        # on_ready fires again after every reconnect.
        self._jobs_start = asyncio.create_task(self._start_jobs_when_ready(), name="drillbot-start-jobs")
        await self.sync_commands()

    async def _start_jobs_when_ready(self) -> None:
        await self.wait_until_ready()
        if not self.scheduler.running and not self.is_closed():
            self.scheduler.start()

    def owns_command_sync(self) -> bool:
        """Tell whether this process syncs commands (the one that runs shard 0, or the only one)."""
        return self.shard_ids is None or 0 in self.shard_ids

    async def sync_commands(self) -> bool:
        """Publish the command tree (globally, or to DEV_GUILD_ID while developing) if Discord's differs.

        A restart with an unchanged tree sends nothing; commands changed elsewhere are put back.
        Returns whether the commands were published.
        """
        if not self.owns_command_sync():
            return False
        guild = discord.Object(id=self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        local = [command.to_dict(self.tree) for command in self.tree.get_commands(guild=guild)]
        # The raw list: discord.py's AppCommand leaves out default_member_permissions and nsfw, which count.
        assert self.application_id is not None
        registered = await (
            self.http.get_guild_commands(self.application_id, guild.id)
            if guild is not None
            else self.http.get_global_commands(self.application_id)
        )
        if same_commands(local, list(registered)):
            log.info("commands unchanged (%d): nothing to sync", len(local))
            return False
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d commands", len(synced))
        return True

    def owns_guild(self, guild_id: int) -> bool:
        """Tell whether this process's shards include ``guild_id`` (it schedules only those)."""
        if self.shard_ids is None or self.shard_count is None:
            return True
        return (guild_id >> 22) % self.shard_count in self.shard_ids

    async def member_name(self, guild_id: int, user_id: int) -> str:
        """Return a member's name in a server (asked once, then remembered), or a neutral stand-in.

        Without the members intent nothing is cached: one fetch per member, then the name is kept.
        """
        key = (guild_id, user_id)
        if key not in self._names:
            guild = self.get_guild(guild_id)  # None: a guild of another process, or one the bot left
            member = guild.get_member(user_id) if guild else None
            if guild is not None and member is None:
                with contextlib.suppress(discord.HTTPException):
                    member = await guild.fetch_member(user_id)
            if member is None:
                return f"member …{str(user_id)[-4:]}"
            if len(self._names) >= NAMES_KEPT:
                self._names.clear()
            self._names[key] = member.display_name
        return self._names[key][:60]

    def add_job(self, job_id: str, func: Callable[[], Awaitable[Any]], *, seconds: float) -> None:
        """Run ``func`` every ``seconds`` (first at once), tracked so shutdown can wait for it."""

        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._job_tasks.add(task)
            try:
                await func()
            except asyncio.CancelledError:
                log.info("job %s stopped by shutdown", job_id)
            except Exception:
                log.exception("job %s failed; it runs again in %s s", job_id, seconds)
            finally:
                self._job_tasks.discard(task)

        self.scheduler.add_job(
            run, "interval", seconds=seconds, id=job_id, replace_existing=True, next_run_time=dt.datetime.now(dt.UTC)
        )

    def _schedule_event(
        self, coro: Callable[..., Coroutine[Any, Any, Any]], event_name: str, *args: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        """Track event handlers (they may be mid-transaction) so a stop can let them finish."""
        task = super()._schedule_event(coro, event_name, *args, **kwargs)
        self._event_tasks.add(task)
        task.add_done_callback(self._event_tasks.discard)
        return task

    async def close(self) -> None:
        """Stop the scheduler and its running jobs, close the gateway and HTTP session, release the database."""
        if self._jobs_start is not None and not self._jobs_start.done():
            self._jobs_start.cancel()
        if self.scheduler.running:
            # Paused, not shut down yet: APScheduler's shutdown cancels running jobs at once, mid-transaction.
            self.scheduler.pause()
        await self.outbox.close()
        await self._let_finish(self._job_tasks | self._event_tasks)
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        try:
            await super().close()
            await self._let_finish(self._event_tasks)  # handlers of events that arrived while closing
        finally:
            await self.sql.close()
            await self.db.dispose()

    @staticmethod
    async def _let_finish(tasks: set[asyncio.Task[Any]]) -> None:
        """Let tasks finish their transaction; cancel those still busy after a grace period."""
        running = tasks - {asyncio.current_task()}
        if running:
            _done, busy = await asyncio.wait(running, timeout=JOB_STOP_GRACE_SECONDS)
            for task in busy:
                task.cancel()
            await asyncio.gather(*busy, return_exceptions=True)


Interaction = discord.Interaction[DrillBot]  # every cog's interactions: the bot's attributes are typed
