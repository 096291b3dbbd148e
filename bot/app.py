"""Build the bot from settings and run it until a signal, with clear exit codes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import signal
import sys
from typing import Any

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.client import DrillBot
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.migrate import upgrade_head
from bot.services.questions.bank import QuestionBank
from bot.services.questions.loader import QuestionFileError, format_report

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_CONFIG = 2


def create_scheduler() -> AsyncIOScheduler:
    """Return a scheduler whose late jobs still run (APScheduler's 1 s default grace drops them)."""
    return AsyncIOScheduler(
        timezone=dt.UTC,
        job_defaults={"misfire_grace_time": 6 * 3600, "coalesce": True, "max_instances": 1},
    )


def create_bot(
    settings: Settings, *, bank: QuestionBank | None = None, clock: Clock | None = None, **options: Any
) -> DrillBot:
    """Wire the database, scheduler, question bank and clock into a new bot."""
    return DrillBot(
        bank=bank or QuestionBank.load(),
        settings=settings,
        db=Database(settings.database_url),
        scheduler=create_scheduler(),
        clock=clock,
        **options,
    )


def fail(message: str) -> int:
    """Print a one-line error for the operator and return the configuration exit code."""
    print(f"drillbot: error: {message}", file=sys.stderr)
    return EXIT_CONFIG


async def run(settings: Settings) -> int:
    """Migrate, connect and run until SIGTERM/SIGINT; return the process exit code."""
    if not settings.discord_token.strip():
        return fail("DISCORD_TOKEN is not set. Put it in the environment or in .env (see .env.example).")
    try:
        bank = QuestionBank.load()
    except QuestionFileError as exc:
        print(format_report(exc.errors), file=sys.stderr)
        return fail(f"the shipped question bank is invalid ({len(exc.errors)} problem(s) above); not starting.")
    await upgrade_head(settings.database_url)
    bot = create_bot(settings, bank=bank)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def _stop() -> None:
        log.info("shutting down")
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, _stop)
    runner = asyncio.create_task(bot.start(settings.discord_token))
    stopper = asyncio.create_task(stopping.wait())
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if runner.done():
            runner.result()
        return EXIT_OK
    except discord.LoginFailure:
        return fail(
            "Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy the bot token again from the developer portal."
        )
    except discord.PrivilegedIntentsRequired:
        return fail("MESSAGE_CONTENT_INTENT is on but the intent is not enabled for this bot in the developer portal.")
    finally:
        stopper.cancel()
        if not bot.is_closed():
            await bot.close()
        else:
            await bot.db.dispose()
        if not runner.done():
            runner.cancel()
        # A stop during start-up can leave the runner failing on the closed connection: that is expected.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await runner
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
