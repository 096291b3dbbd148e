"""Shared helpers of the daily-loop end-to-end tests: configure, move time, read rows, find posts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import Answer, DailyPrompt, OutboxItem, PromptSchedule, Review
from discord_standin.actors import Actor
from discord_standin.replies import Reply, walk_components
from discord_standin.server import FakeDiscord
from discord_standin.world import Channel, Message

if TYPE_CHECKING:
    from cogs.daily import DrillCog


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, zone: str = "UTC") -> dt.datetime:
    """Return an aware datetime of a wall time in ``zone``."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


def drill(bot: DrillBot) -> DrillCog:
    """Return the bot's daily-loop cog."""
    cog = bot.get_cog("DrillCog")  # load_extension imports a fresh module: no isinstance check
    assert cog is not None
    return cast("DrillCog", cog)


async def configure(actor: Actor, channel: Channel | None = None, **values: Any) -> Reply:
    """Run /config prompts (``channel`` is the option, not where the command is typed)."""
    options = {"channel": channel} if channel is not None else {}
    return await actor.slash("config prompts", options=options, **values)


async def tick_at(bot: DrillBot, clock: ManualClock, when: dt.datetime) -> int:
    """Move the clock to ``when`` and run one scheduler tick; return how many prompts were posted."""
    clock.set(when)
    return await drill(bot).poster.tick()


async def drain(bot: DrillBot) -> None:
    """Let the outbox post everything pending."""
    bot.outbox.wake()
    await bot.outbox.wait_idle()
    await bot.outbox.drain()


async def schedule_row(bot: DrillBot, guild_id: int) -> dict[str, Any] | None:
    """Return the guild's stored schedule as a plain dict (None when there is none)."""
    async with bot.db.read() as session:
        row = await session.get(PromptSchedule, guild_id)
        return None if row is None else row.model_dump()


async def rows(bot: DrillBot, model: Any, *where: Any) -> list[Any]:
    """Return every row of ``model`` matching ``where``, in id order."""
    async with bot.db.read() as session:
        key = model.guild_id if model is PromptSchedule else model.id
        return list(await session.scalars(select(model).where(*where).order_by(col(key))))


async def prompts_of(bot: DrillBot, guild_id: int) -> list[DailyPrompt]:
    """Return a guild's prompt rows, oldest first."""
    return await rows(bot, DailyPrompt, col(DailyPrompt.guild_id) == guild_id)


async def answers_of(bot: DrillBot) -> list[Answer]:
    """Return every answer row."""
    return await rows(bot, Answer)


async def reviews_of(bot: DrillBot) -> list[Review]:
    """Return every review row."""
    return await rows(bot, Review)


async def pending_outbox(bot: DrillBot) -> list[OutboxItem]:
    """Return the outbox items still pending."""
    return await rows(bot, OutboxItem, col(OutboxItem.state) == "pending")


def custom_ids(message: Message) -> list[str]:
    """Return the custom ids of every component of a message."""
    return [c["custom_id"] for c in walk_components(message.components) if c.get("custom_id")]


def daily_posts(fake: FakeDiscord, channel: Channel) -> list[Message]:
    """Return the bot's daily posts (messages with an Answer button) in a channel."""
    return [m for m in fake.messages(channel) if any(i.startswith("drill:answer:") for i in custom_ids(m))]


def thread_of(fake: FakeDiscord, post: Message) -> Channel:
    """Return the answer thread opened under a daily post."""
    assert post.thread_id is not None, "the daily post has no thread"
    return fake.world.channel(post.thread_id)


def answer_posts(fake: FakeDiscord, thread: Channel) -> list[Message]:
    """Return the bot's answer messages (with Review buttons) in a thread."""
    return [m for m in fake.messages(thread) if any(i.startswith("drill:review:") for i in custom_ids(m))]


def notices(fake: FakeDiscord, thread: Channel) -> list[Message]:
    """Return the review notices in a thread."""
    return [m for m in fake.messages(thread) if m.author.bot and m.content and not custom_ids(m)]


def timestamp(when: dt.datetime) -> str:
    """Return the Discord timestamp markup the bot uses for an instant."""
    return f"<t:{int(when.timestamp())}:F>"


def answer_values(modal: Reply, text: str) -> dict[str, str]:
    """Fill an answer form: ``text`` as the answer, or for a SQL question with data a query with ``text`` as notes."""
    assert modal.modal is not None, modal.content
    names = [name for name, _ in modal.modal.inputs()]
    if "Your query" in names:
        return {"Your query": "SELECT 1 AS answer", "Notes (optional)": text}
    return {"Answer": text}
