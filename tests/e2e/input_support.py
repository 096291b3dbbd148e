"""What the bad-input end-to-end tests share: the invisible strings, the check of a clear reply, a posted day."""

from __future__ import annotations

from typing import Any

from bot.client import DrillBot
from bot.clock import ManualClock
from discord_standin.replies import Reply
from discord_standin.server import FakeDiscord
from discord_standin.world import Message
from tests.e2e.daily_support import at, configure, daily_posts, thread_of, tick_at

SCORES = {"Structure": ["4"], "Clarity": ["5"], "Depth": ["3"]}
INVISIBLE = [
    "\u200b\u200b\u200b",  # zero-width spaces
    " \u2060\ufeff\u200c ",  # word joiner, BOM, zero-width non-joiner, spaces
    "\u00ad\u200d\u200e\u200f",  # soft hyphen, zero-width joiner, direction marks
    "\u3164\u3164\u3164",  # Hangul fillers
    "\u2800\u2800",  # blank Braille pattern
    "\u3000\u00a0\u2028\n\t",  # ideographic and no-break spaces, a line separator
]


def clear(reply: Reply, *words: str) -> None:
    """Assert an ephemeral, clear reply (no error id) that says each of ``words``."""
    text = reply.text()
    assert reply.ephemeral, text
    assert "error id" not in text and "went wrong" not in text, text
    assert "<User" not in text and "<AppCommand" not in text and "object at 0x" not in text, text
    for word in words:
        assert word.lower() in text.lower(), (word, text)


async def open_day(fake: FakeDiscord, bot: DrillBot, clock: ManualClock) -> tuple[Message, Any]:
    """Configure daily prompts and post June 1st's; return the post and its thread."""
    await configure(fake.default.dana, fake.default.prompts, time="09:00", timezone="UTC", days="daily")
    assert await tick_at(bot, clock, at(2026, 6, 1, 9, 0)) == 1
    post = daily_posts(fake, fake.default.prompts)[-1]
    return post, thread_of(fake, post)
