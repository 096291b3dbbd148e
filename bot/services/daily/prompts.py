"""The daily prompt's state machine: configure, claim exactly once per local day, sent, threaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts
from bot.models import Answer, DailyPrompt, OutboxItem, PromptSchedule
from bot.models.daily import OutboxKind, PromptState
from bot.services import questions as question_svc
from bot.services import streaks
from bot.services.daily.schedule import (
    PostRule,
    category_for,
    local_date,
    parse_days,
    parse_rotation,
    parse_time,
    parse_timezone,
)
from bot.services.errors import Refused
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import CATEGORIES, Question

RECOVERY_HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Claim:
    """A prompt row this process must carry through to posted-with-thread."""

    prompt: DailyPrompt
    question: Question
    fresh: bool
    low_pool: int | None = None
    cycle: int = 0


def rule_of(schedule: PromptSchedule) -> PostRule:
    """Build the post rule of a stored schedule."""
    return PostRule(
        at=parse_time(schedule.post_time),
        zone=parse_timezone(schedule.timezone),
        days=parse_days(schedule.days),
        pause_until=schedule.pause_until,
    )


def prompt_nonce(guild_id: int, day: dt.date) -> str:
    """Return the deterministic nonce of a guild's prompt for a day (Discord allows 25 chars)."""
    digest = hashlib.sha256(f"drillbot:prompt:{guild_id}:{day.isoformat()}".encode()).hexdigest()
    return f"dp{digest[:23]}"


async def get_schedule(*, session: AsyncSession, guild_id: int) -> PromptSchedule | None:
    """Return the server's prompt schedule, if it has one."""
    return await session.get(PromptSchedule, guild_id)


def refresh_next_post(schedule: PromptSchedule, now: dt.datetime, *, include_today_if_missed: bool = False) -> None:
    """Recompute when the schedule next posts (None when disabled)."""
    if not schedule.enabled or schedule.channel_id is None:
        schedule.next_post_at = None
        return
    _day, due = rule_of(schedule).next_due(now, include_today_if_missed=include_today_if_missed)
    schedule.next_post_at = due


async def due_guilds(*, session: AsyncSession, now: dt.datetime, limit: int = 5000) -> list[int]:
    """Return the guilds whose next post is due, earliest first (each process keeps those of its shards)."""
    stmt = (
        select(col(PromptSchedule.guild_id))
        .where(col(PromptSchedule.enabled).is_(True), col(PromptSchedule.next_post_at) <= now)
        .order_by(col(PromptSchedule.next_post_at))
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def _usage(session: AsyncSession, guild_id: int, category: str) -> Counter[str]:
    rows = await session.scalars(
        select(col(DailyPrompt.question_id)).where(
            col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.category) == category
        )
    )
    return Counter(rows)


async def choose_question(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, category: str, tracks: list[str], day: dt.date
) -> tuple[Question, int, int] | None:
    """Pick the day's question: least used in this guild, so none repeats until the pool is spent.

    Returns the question, how many unused ones remain after it and which pass over the pool
    this is, or None if the pool is empty.
    """
    pool = await question_svc.question_pool(
        session=session, bank=bank, guild_id=guild_id, category=category, tracks=tracks
    )
    if not pool and tracks:
        pool = await question_svc.question_pool(
            session=session, bank=bank, guild_id=guild_id, category=category, tracks=None
        )
    if not pool:
        return None
    usage = await _usage(session, guild_id, category)
    fewest = min(usage[q.id] for q in pool)
    candidates = [q for q in pool if usage[q.id] == fewest]
    rng = random.Random(f"{guild_id}:{day.isoformat()}:{category}")  # deterministic per guild and day
    pick = rng.choice(candidates)
    return pick, len(candidates) - 1, fewest


async def claim_due_prompt(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, now: dt.datetime
) -> Claim | None:
    """Claim today's prompt for a guild whose post is due, or return the claim already made.

    The unique (guild, local date) row is the idempotency key: a second claim for the same local
    day, from a retry, a restart or a DST fall-back, finds the first one instead of posting again.
    """
    schedule = await session.get(PromptSchedule, guild_id, with_for_update=True)
    if schedule is None or not schedule.enabled or schedule.channel_id is None or schedule.next_post_at is None:
        return None
    if schedule.next_post_at > now:
        return None
    rule = rule_of(schedule)
    day = local_date(schedule.next_post_at, rule.zone)
    if day != local_date(now, rule.zone):
        # Downtime past that local day: its post is skipped, never made on another day; today's
        # post, if today is a prompt day whose time has passed, is still made (late).
        refresh_next_post(schedule, now, include_today_if_missed=True)
        if schedule.next_post_at is None or schedule.next_post_at > now:
            return None
        day = local_date(schedule.next_post_at, rule.zone)
    due = schedule.next_post_at
    existing = await _prompt_for_day(session, guild_id, day)
    refresh_next_post(schedule, max(now, due))
    if existing is not None:
        return Claim(existing, await _question_of(session, bank, existing), fresh=False)
    inserted = await _insert_claim(session, bank, schedule, day, now, due=due)
    if inserted is None:
        schedule.last_error = "No questions are available for the rotation's categories; nothing was posted."
        schedule.last_error_at = now
        return None
    prompt, remaining, cycle = inserted
    return Claim(prompt, await _question_of(session, bank, prompt), fresh=True, low_pool=remaining, cycle=cycle)


async def claim_now(*, session: AsyncSession, bank: QuestionBank, guild_id: int, now: dt.datetime) -> Claim:
    """Claim today's prompt at once (admin post-now), under the same one-per-local-day rule."""
    schedule = await session.get(PromptSchedule, guild_id, with_for_update=True)
    if schedule is None or schedule.channel_id is None:
        raise Refused("Set a prompt channel first with /config prompts channel:")
    day = local_date(now, parse_timezone(schedule.timezone))
    existing = await _prompt_for_day(session, guild_id, day)
    if existing is not None:
        return Claim(existing, await _question_of(session, bank, existing), fresh=False)
    inserted = await _insert_claim(session, bank, schedule, day, now, due=now)
    if inserted is None:
        raise Refused("No questions are available for this server's rotation and tracks.")
    prompt, remaining, cycle = inserted
    zone = parse_timezone(schedule.timezone)
    if schedule.next_post_at is not None and local_date(schedule.next_post_at, zone) == day:
        # Today's scheduled post is done early: the schedule moves on to the next prompt day.
        refresh_next_post(schedule, max(now, schedule.next_post_at))
    return Claim(prompt, await _question_of(session, bank, prompt), fresh=True, low_pool=remaining, cycle=cycle)


async def _prompt_for_day(session: AsyncSession, guild_id: int, day: dt.date) -> DailyPrompt | None:
    stmt = select(DailyPrompt).where(col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.local_date) == day)
    return (await session.scalars(stmt)).one_or_none()


async def _question_of(session: AsyncSession, bank: QuestionBank, prompt: DailyPrompt) -> Question:
    question = await question_svc.question_of(
        session=session, bank=bank, guild_id=prompt.guild_id, question_id=prompt.question_id
    )
    if question is None:
        raise LookupError(f"question {prompt.question_id} of prompt {prompt.id} is gone")
    return question


async def _insert_claim(
    session: AsyncSession,
    bank: QuestionBank,
    schedule: PromptSchedule,
    day: dt.date,
    now: dt.datetime,
    *,
    due: dt.datetime,
) -> tuple[DailyPrompt, int, int] | None:
    """Insert the day's claim (due at ``due``) with a question of the rotation's next category that has one."""
    rotation = parse_rotation(schedule.rotation)
    tried: set[str] = set()
    index = schedule.rotation_index
    for step in range(len(CATEGORIES)):
        category = category_for(day, rotation, index + step)
        if category in tried:
            continue
        tried.add(category)
        chosen = await choose_question(
            session=session, bank=bank, guild_id=schedule.guild_id, category=category, tracks=schedule.tracks, day=day
        )
        if chosen is None:
            continue
        question, remaining, cycle = chosen
        assert schedule.channel_id is not None
        values = {
            "guild_id": schedule.guild_id,
            "local_date": day,
            "question_id": question.id,
            "category": category,
            "state": PromptState.CLAIMED,
            "nonce": prompt_nonce(schedule.guild_id, day),
            "channel_id": schedule.channel_id,
            "due_at": due,
            "claimed_at": now,
        }
        await session.execute(
            insert_ignoring_conflicts(session, DailyPrompt, values, conflict=["guild_id", "local_date"])
        )
        schedule.rotation_index = index + step + 1
        prompt = await _prompt_for_day(session, schedule.guild_id, day)
        return (prompt, remaining, cycle) if prompt is not None else None
    return None


async def mark_sent(*, session: AsyncSession, prompt_id: int, message_id: int, now: dt.datetime) -> None:
    """Record the posted message of a claimed prompt; the previous prompt closes for streaks.

    The closed prompt's model answer is queued for its thread, once (only the claim's first marking does it).
    """
    marked = await session.execute(
        update(DailyPrompt)
        .where(col(DailyPrompt.id) == prompt_id, col(DailyPrompt.state) == PromptState.CLAIMED)
        .values(message_id=message_id, state=PromptState.SENT, posted_at=now)
    )
    prompt = await session.get(DailyPrompt, prompt_id)
    if prompt is None or not marked.rowcount:  # type: ignore[attr-defined]
        return
    closed = await streaks.posted_dates(session=session, guild_id=prompt.guild_id, before=prompt.local_date)
    if closed:
        await streaks.settle_closed_prompt(session=session, guild_id=prompt.guild_id, closed_date=closed[-1])
    previous = (
        await session.scalars(
            select(DailyPrompt)
            .where(col(DailyPrompt.guild_id) == prompt.guild_id, col(DailyPrompt.local_date) < prompt.local_date,
                   col(DailyPrompt.thread_id).is_not(None))
            .order_by(col(DailyPrompt.local_date).desc())
            .limit(1)
        )
    ).first()  # fmt: skip
    if previous is not None and previous.thread_id is not None:
        session.add(OutboxItem(guild_id=prompt.guild_id, channel_id=previous.thread_id, kind=OutboxKind.MODEL_ANSWER,
                               ref_id=previous.id))  # fmt: skip


async def mark_threaded(*, session: AsyncSession, prompt_id: int, thread_id: int) -> None:
    """Record the answer thread of a posted prompt."""
    await session.execute(
        update(DailyPrompt)
        .where(col(DailyPrompt.id) == prompt_id)
        .values(thread_id=thread_id, state=PromptState.THREADED)
    )


async def drop_unposted_claim(*, session: AsyncSession, prompt_id: int) -> None:
    """Delete a claim that never reached Discord, so a fixed schedule can post that day after all."""
    await session.execute(
        delete(DailyPrompt).where(col(DailyPrompt.id) == prompt_id, col(DailyPrompt.message_id).is_(None))
    )


async def record_post_failure(
    *, session: AsyncSession, guild_id: int, reason: str, now: dt.datetime, disable: bool
) -> None:
    """Record why a post failed; a permanent failure (403/404) disables the schedule."""
    values: dict[str, object] = {"last_error": reason[:1000], "last_error_at": now}
    if disable:
        values.update(enabled=False, next_post_at=None)
    await session.execute(update(PromptSchedule).where(col(PromptSchedule.guild_id) == guild_id).values(**values))


async def unfinished_prompts(*, session: AsyncSession, since: dt.date) -> list[DailyPrompt]:
    """Return prompts claimed or sent but not yet carried through, from ``since`` on."""
    stmt = select(DailyPrompt).where(
        col(DailyPrompt.state) != PromptState.THREADED, col(DailyPrompt.local_date) >= since
    )
    return list(await session.scalars(stmt))


def _latest_posted(guild_id: int) -> Any:
    return (
        select(DailyPrompt)
        .where(col(DailyPrompt.guild_id) == guild_id, col(DailyPrompt.message_id).is_not(None))
        .order_by(col(DailyPrompt.local_date).desc())
        .limit(1)
    )


async def current_prompt(*, session: AsyncSession, guild_id: int) -> DailyPrompt | None:
    """Return the guild's open prompt: the latest one posted (it stays open until the next is posted)."""
    return (await session.scalars(_latest_posted(guild_id))).first()


async def current_prompt_and_answer(
    *, session: AsyncSession, guild_id: int, user_id: int
) -> tuple[DailyPrompt | None, Answer | None]:
    """Return the guild's open prompt and a member's answer to it (each None when missing), in one query."""
    mine = and_(col(Answer.prompt_id) == col(DailyPrompt.id), col(Answer.user_id) == user_id)
    row = (await session.execute(_latest_posted(guild_id).add_columns(Answer).outerjoin(Answer, mine))).first()
    return (row[0], row[1]) if row else (None, None)


async def prompt_by_id(*, session: AsyncSession, prompt_id: int) -> DailyPrompt | None:
    """Return a prompt by id."""
    return await session.get(DailyPrompt, prompt_id)


@dataclass(frozen=True, slots=True)
class PromptSettings:
    """Validated changes to a schedule; a field left as None keeps its value."""

    channel_id: int | None = None
    post_time: str | None = None
    timezone: str | None = None
    days: str | None = None
    rotation: str | None = None
    tracks: list[str] | None = None
    ping_role_id: int | None = None
    clear_ping_role: bool = False
    archive_minutes: int | None = None
    pause_until: dt.date | None = None
    clear_pause: bool = False
    enabled: bool | None = None


async def configure(
    *, session: AsyncSession, guild_id: int, changes: PromptSettings, now: dt.datetime
) -> PromptSchedule:
    """Apply validated changes to a schedule and recompute its next post time; turning it on needs a channel."""
    schedule = await session.get(PromptSchedule, guild_id, with_for_update=True)
    if changes.channel_id is None and (schedule is None or schedule.channel_id is None) and changes.enabled:
        raise Refused("Choose a channel first (channel:). Nothing was changed.")
    if schedule is None:
        schedule = PromptSchedule(guild_id=guild_id, tracks=[], low_pool_warned={})
        session.add(schedule)
    for name in ("channel_id", "post_time", "timezone", "days", "rotation", "tracks", "archive_minutes"):
        value = getattr(changes, name)
        if value is not None:
            setattr(schedule, name, value)
    if changes.ping_role_id is not None:
        schedule.ping_role_id = changes.ping_role_id
    if changes.clear_ping_role:
        schedule.ping_role_id = None
    if changes.pause_until is not None:
        schedule.pause_until = changes.pause_until
    if changes.clear_pause:
        schedule.pause_until = None
    if changes.enabled is not None:
        schedule.enabled = changes.enabled
    elif changes.channel_id is not None:
        schedule.enabled = True  # choosing a channel (again) turns posting on and clears a past failure
    if changes.channel_id is not None or changes.enabled:
        schedule.last_error = None
        schedule.last_error_at = None
    schedule.updated_at = now
    refresh_next_post(schedule, now)
    await session.flush()
    return schedule


async def pool_status(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, tracks: list[str]
) -> dict[str, tuple[int, int]]:
    """Return, per category, (unused questions left in the current cycle, pool size)."""
    status: dict[str, tuple[int, int]] = {}
    for category in CATEGORIES:
        pool = await question_svc.question_pool(
            session=session, bank=bank, guild_id=guild_id, category=category, tracks=tracks
        )
        if not pool:
            status[category] = (0, 0)
            continue
        usage = await _usage(session, guild_id, category)
        fewest = min(usage[q.id] for q in pool)
        status[category] = (sum(1 for q in pool if usage[q.id] == fewest), len(pool))
    return status


async def note_low_pool_warning(*, session: AsyncSession, guild_id: int, category: str, cycle: int) -> bool:
    """Remember that admins were warned about a category in this cycle; False if they already were."""
    schedule = await session.get(PromptSchedule, guild_id)
    if schedule is None:
        return False
    warned = dict(schedule.low_pool_warned or {})
    if warned.get(category) == cycle:
        return False
    warned[category] = cycle
    schedule.low_pool_warned = warned
    return True
