"""Shared helpers of the streak and leaderboard end-to-end tests: prompt days, answers, rows, the cog."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from bot.client import DrillBot
from bot.clock import ManualClock
from bot.models import MemberStreak, StreakSettings
from discord_standin.actors import Actor
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.daily_support import answer_values, at, configure, daily_posts, drain, tick_at

if TYPE_CHECKING:
    from cogs.streaks import StreaksCog

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCORES = {"Structure": ["4"], "Clarity": ["4"], "Depth": ["4"], "Comment": ""}


def streaks_cog(bot: DrillBot) -> StreaksCog:
    """Return the bot's streaks cog."""
    cog = bot.get_cog("StreaksCog")
    assert cog is not None
    return cast("StreaksCog", cog)


async def set_up_prompts(fake: FakeDiscord, **values: Any) -> Reply:
    """Configure daily prompts in #prompts (09:00 UTC every day unless told otherwise)."""
    options = {"time": "09:00", "timezone": "UTC", "days": "daily", **values}
    reply = await configure(fake.default.dana, fake.default.prompts, **options)
    assert "Daily prompts are on" in reply.content, reply.content
    return reply


async def post_prompt(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, when: dt.datetime) -> Message:
    """Move the clock to ``when``, let the poster post that day's prompt, and return the post."""
    assert await tick_at(bot, clock, when) == 1, f"no prompt posted at {when}"
    return daily_posts(fake, fake.default.prompts)[-1]


async def post_june(fake: FakeDiscord, bot: DrillBot, clock: ManualClock, day: int) -> Message:
    """Post the prompt of June ``day`` 2026 at 09:00 UTC."""
    return await post_prompt(fake, bot, clock, at(2026, 6, day, 9, 0))


async def answer(actor: Actor, post: Message, text: str = "My answer") -> Reply:
    """Answer a daily post through its Answer button and the modal."""
    modal = await actor.press(post, "Answer")
    assert modal.kind == "modal", modal.content
    done = await actor.submit_modal(modal, answer_values(modal, text))
    assert done.ephemeral and "saved" in done.text(), done.text()
    return done


async def review(fake: FakeDiscord, bot: DrillBot, actor: Actor, answer_message: Message, key: str) -> None:
    """Review the answer behind button ``key`` on an answer message."""
    modal = await actor.press(answer_message, key)
    assert modal.kind == "modal", modal.content
    done = await actor.submit_modal(modal, SCORES)
    assert done.ephemeral and "saved" in done.text(), done.text()
    await drain(bot)


async def member_row(bot: DrillBot, guild_id: int, user_id: int) -> MemberStreak | None:
    """Return a member's stored streak row."""
    async with bot.db.read() as session:
        return await session.get(MemberStreak, (guild_id, user_id))


async def settings_row(bot: DrillBot, guild_id: int) -> dict[str, Any] | None:
    """Return the guild's stored streak settings as a plain dict."""
    async with bot.db.read() as session:
        row = await session.get(StreakSettings, guild_id)
        return None if row is None else row.model_dump(exclude={"updated_at"})


def fields(reply: Reply) -> dict[str, str]:
    """Return the first embed's fields as {name: value}."""
    assert reply.embed is not None, reply.text()
    return {f["name"]: f["value"] for f in reply.embed.get("fields") or []}


async def show_streak(actor: Actor, member: Actor | None = None) -> tuple[Reply, Message]:
    """Run /streak [member]; return the reply and the (followup) message that carries the picture."""
    reply = await (actor.slash("streak", member=member) if member is not None else actor.slash("streak"))
    assert reply.message is not None, reply.kind
    return reply, reply.message
