"""Fixtures that run the real drillbot (discord.py, unmodified) against the fake Discord."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.app import create_scheduler
from bot.client import DrillBot
from bot.clock import ManualClock
from bot.config import Settings
from bot.db import Database
from bot.services.questions.bank import QuestionBank
from discord_standin.running import start_bot, stop_bot
from discord_standin.server import FakeDiscord

START = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)  # a Monday

BotFactory = Callable[..., Awaitable[DrillBot]]


@pytest.fixture(scope="session")
def shipped() -> QuestionBank:
    """Load the shipped bank once per run."""
    return QuestionBank.load()


@pytest.fixture(scope="session")
def bank(shipped: QuestionBank) -> QuestionBank:
    """The bank the bot runs with: the shipped one (a test module may narrow it, drawing on ``shipped``)."""
    return shipped


@pytest.fixture
def clock() -> ManualClock:
    """A clock the test moves by hand."""
    return ManualClock(START)


def bot_settings(fake: FakeDiscord, database: Database, **overrides: Any) -> Settings:
    """Settings for a bot that talks to ``fake`` and stores in ``database``."""
    values: dict[str, Any] = {
        "discord_token": fake.token,
        "database_url": database.url,
        "discord_api_base": fake.api_base,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def start_drillbot(
    fake_discord: FakeDiscord, database: Database, bank: QuestionBank, clock: ManualClock
) -> AsyncIterator[BotFactory]:
    """Start drillbot processes in-process (several, for restarts); all are stopped at the end."""
    started: list[tuple[DrillBot, Any]] = []

    async def factory(*, background_jobs: bool = False, **overrides: Any) -> DrillBot:
        settings = bot_settings(fake_discord, database, **overrides)
        bot = DrillBot(
            settings=settings,
            db=Database(database.url, **_engine_kwargs(database)),
            scheduler=create_scheduler(),
            bank=bank,
            clock=clock,
            background_jobs=background_jobs,
            guild_ready_timeout=0.1,
        )
        task = await start_bot(fake_discord, bot)
        await fake_discord.wait_for_commands_synced()
        started.append((bot, task))
        return bot

    yield factory
    for bot, task in reversed(started):
        await stop_bot(bot, task)


def _engine_kwargs(database: Database) -> dict[str, Any]:
    """Reuse the test database's engine options (PostgreSQL's per-test search path)."""
    return dict(database.engine_kwargs)


@pytest.fixture
async def drillbot(start_drillbot: BotFactory) -> DrillBot:
    """A running drillbot, ready, with its commands synced."""
    return await start_drillbot()
