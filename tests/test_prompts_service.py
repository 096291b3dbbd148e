"""The daily prompt's claim: once per guild per local day, rotation, no repeats, catch-up."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.db import Database
from bot.models import DailyPrompt, PromptSchedule
from bot.services.daily import prompts
from bot.services.questions.bank import QuestionBank

GUILD = 4242


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load()


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


async def _configure(db: Database, now: dt.datetime, **values: object) -> None:
    async with db.write() as session:
        schedule = PromptSchedule(guild_id=GUILD, channel_id=77, enabled=True, **values)  # type: ignore[arg-type]
        prompts.refresh_next_post(schedule, now)
        session.add(schedule)


async def _claim(db: Database, bank: QuestionBank, now: dt.datetime) -> prompts.Claim | None:
    async with db.write() as session:
        return await prompts.claim_due_prompt(session=session, bank=bank, guild_id=GUILD, now=now)


async def _rows(db: Database) -> list[DailyPrompt]:
    async with db.read() as session:
        from sqlalchemy import select

        return list(await session.scalars(select(DailyPrompt).order_by(DailyPrompt.local_date)))  # type: ignore[arg-type]


async def test_concurrent_claims_make_one_prompt(database: Database, bank: QuestionBank) -> None:
    """Ten concurrent claims for a due guild produce one row; the rest see it as not fresh."""
    start = utc(2026, 6, 1, 5, 0)
    await _configure(database, start, post_time="09:00", timezone="Europe/Helsinki", days="daily")
    due = utc(2026, 6, 1, 6, 0, 5)
    claims = await asyncio.gather(*(_claim(database, bank, due) for _ in range(10)))
    rows = await _rows(database)
    assert len(rows) == 1 and rows[0].local_date == dt.date(2026, 6, 1)
    assert sum(1 for c in claims if c is not None and c.fresh) == 1
    assert rows[0].nonce == prompts.prompt_nonce(GUILD, dt.date(2026, 6, 1)) and len(rows[0].nonce) <= 25


async def test_not_due_yet_claims_nothing(database: Database, bank: QuestionBank) -> None:
    start = utc(2026, 6, 1, 5, 0)
    await _configure(database, start, post_time="09:00", timezone="Europe/Helsinki", days="daily")
    assert await _claim(database, bank, utc(2026, 6, 1, 5, 59)) is None
    assert await _rows(database) == []


async def test_round_robin_walks_categories_without_repeats(database: Database, bank: QuestionBank) -> None:
    """Each day takes the next category, and no question repeats within its category's pool."""
    now = utc(2026, 6, 1, 0, 0)
    await _configure(database, now, post_time="09:00", timezone="UTC", days="daily")
    seen: list[tuple[str, str]] = []
    for day in range(30):
        claim = await _claim(database, bank, utc(2026, 6, 1, 9, 0) + dt.timedelta(days=day))
        assert claim is not None and claim.fresh
        seen.append((claim.prompt.category, claim.question.id))
    categories = [c for c, _ in seen]
    assert categories[:9] == [
        "behavioral",
        "culture",
        "sql",
        "statistics-probability",
        "machine-learning",
        "experimentation",
        "product-sense",
        "case",
        "past-projects",
    ]
    assert len({q for _, q in seen}) == 30


async def test_a_missed_day_is_never_posted_later(database: Database, bank: QuestionBank) -> None:
    """After downtime past the local day, that day's prompt is skipped; today's is posted late."""
    await _configure(database, utc(2026, 6, 1, 0, 0), post_time="09:00", timezone="America/New_York", days="daily")
    # The bot comes back on 3 June at 15:00 New York time: 1 and 2 June are gone, 3 June is late.
    back = utc(2026, 6, 3, 19, 0)
    claim = await _claim(database, bank, back)
    assert claim is not None and claim.prompt.local_date == dt.date(2026, 6, 3)
    assert [r.local_date for r in await _rows(database)] == [dt.date(2026, 6, 3)]


async def test_fall_back_day_posts_once(database: Database, bank: QuestionBank) -> None:
    """On the DST fall-back day the ambiguous wall time posts once, at its first occurrence."""
    await _configure(database, utc(2026, 10, 31, 12, 0), post_time="01:30", timezone="America/New_York", days="daily")
    first = await _claim(database, bank, utc(2026, 11, 1, 5, 30))
    second = await _claim(database, bank, utc(2026, 11, 1, 6, 30))  # 01:30 EST, the second occurrence
    assert first is not None and first.fresh and second is None
    assert len(await _rows(database)) == 1


async def test_post_failure_disables_only_that_guild(database: Database, bank: QuestionBank) -> None:
    await _configure(database, utc(2026, 6, 1, 0, 0), post_time="09:00", timezone="UTC", days="daily")
    async with database.write() as session:
        session.add(PromptSchedule(guild_id=GUILD + 1, channel_id=78, enabled=True, next_post_at=utc(2026, 6, 1, 9)))
    async with database.write() as session:
        await prompts.record_post_failure(
            session=session, guild_id=GUILD, reason="Missing Permissions", now=utc(2026, 6, 1, 9), disable=True
        )
    async with database.read() as session:
        due = await prompts.due_guilds(session=session, now=utc(2026, 6, 1, 9, 1))
        mine = await session.get(PromptSchedule, GUILD)
    assert due == [GUILD + 1]
    assert mine is not None and not mine.enabled and mine.last_error == "Missing Permissions"
