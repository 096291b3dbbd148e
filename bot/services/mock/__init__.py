"""Mock-interview members: opting in and out, pausing, private avoid lists, pairing settings."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.cache import cached
from bot.db import insert_ignoring_conflicts, upsert
from bot.models import MockAvoid, MockProfile, MockRound, PairingConfig
from bot.models.mock import Cadence, GroupState, InactiveReason, Level
from bot.services.daily.schedule import PostRule, parse_time, parse_timezone
from bot.services.errors import Refused
from bot.services.mock.availability import parse_availability
from bot.services.privacy.identity import member_key, secret
from bot.services.questions.schema import TRACKS

LEVELS = tuple(Level)
CADENCES = tuple(Cadence)
MAX_AVOIDS = 50
MAX_PAUSE_WEEKS = 12
BIWEEKLY_ANCHOR = dt.date(2024, 1, 1)  # a Monday (ISO 2024-W01): two-week periods are counted from it
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})(\+2)?$")


async def join(
    *,
    session: AsyncSession,
    guild_id: int,
    user_id: int,
    track: str,
    level: str,
    timezone: str,
    availability: str,
    now: dt.datetime,
) -> tuple[MockProfile, bool]:
    """Opt in (or update the profile, resuming at once); return the profile and whether it is new.

    ``availability`` is what the member typed ("weekday evenings, sat 9-12"), read in ``timezone``.
    """
    if track not in TRACKS or level not in LEVELS:
        raise Refused("Pick a track and a level from the lists.")
    try:
        slots = parse_availability(availability, parse_timezone(timezone))
    except Refused as exc:
        raise Refused(f"{exc} Your profile was not changed.") from None
    existing = await session.get(MockProfile, (guild_id, user_id))
    values = {"track": track, "level": level, "timezone": timezone, "availability_text": availability[:300],
              "slots": slots, "active": True, "paused_until": None, "inactive_reason": None,
              "missed_followups": 0, "updated_at": now}  # fmt: skip
    await session.execute(
        upsert(
            session,
            MockProfile,
            {"guild_id": guild_id, "user_id": user_id, "created_at": now, **values},
            conflict=["guild_id", "user_id"],
            update=values,
        )
    )
    row = await session.get(MockProfile, (guild_id, user_id), populate_existing=True)
    assert row is not None
    return row, existing is None


async def leave(
    *, session: AsyncSession, guild_id: int, user_id: int, reason: InactiveReason = InactiveReason.LEFT
) -> bool:
    """Opt out of future rounds; False if the member had not joined."""
    row = await session.get(MockProfile, (guild_id, user_id))
    if row is None or not row.active:
        return False
    row.active, row.inactive_reason = False, reason
    return True


async def pause(*, session: AsyncSession, guild_id: int, user_id: int, weeks: int, now: dt.datetime) -> dt.datetime:
    """Skip rounds for ``weeks`` weeks (1-12); resumes by itself."""
    if not 1 <= weeks <= MAX_PAUSE_WEEKS:
        raise Refused(f"Pause for 1 to {MAX_PAUSE_WEEKS} weeks.")
    row = await session.get(MockProfile, (guild_id, user_id))
    if row is None or not row.active:
        raise Refused("You have not joined mock interviews here; use /mock join first.")
    row.paused_until = now + dt.timedelta(weeks=weeks)
    return row.paused_until


async def profile(*, session: AsyncSession, guild_id: int, user_id: int) -> MockProfile | None:
    """Return a member's profile."""
    return await session.get(MockProfile, (guild_id, user_id))


async def set_avoid(*, session: AsyncSession, guild_id: int, user_id: int, other_id: int, avoid: bool) -> bool:
    """Add (or remove) a member to one's private avoid list; return whether anything changed."""
    if other_id == user_id:
        raise Refused("You are never paired with yourself.")
    key = member_key(await secret(session=session), guild_id, other_id)
    if avoid:
        count = len(list(await session.scalars(select(col(MockAvoid.avoided_key)).where(
            col(MockAvoid.guild_id) == guild_id, col(MockAvoid.user_id) == user_id))))  # fmt: skip
        if count >= MAX_AVOIDS:
            raise Refused(f"Your avoid list holds at most {MAX_AVOIDS} members.")
        result = await session.execute(
            insert_ignoring_conflicts(
                session,
                MockAvoid,
                {"guild_id": guild_id, "user_id": user_id, "avoided_key": key},
                conflict=["guild_id", "user_id", "avoided_key"],
            )
        )
    else:
        result = await session.execute(
            delete(MockAvoid).where(
                col(MockAvoid.guild_id) == guild_id,
                col(MockAvoid.user_id) == user_id,
                col(MockAvoid.avoided_key) == key,
            )
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def avoid_pairs(*, session: AsyncSession, guild_id: int, user_ids: list[int]) -> set[frozenset[int]]:
    """Return the avoided pairs among ``user_ids`` (either side's list counts)."""
    key = await secret(session=session)
    by_key = {member_key(key, guild_id, u): u for u in user_ids}
    rows = (await session.execute(select(col(MockAvoid.user_id), col(MockAvoid.avoided_key)).where(
        col(MockAvoid.guild_id) == guild_id))).all()  # fmt: skip
    return {frozenset((u, by_key[k])) for u, k in rows if k in by_key and u in set(user_ids) and by_key[k] != u}


async def candidates(*, session: AsyncSession, guild_id: int, now: dt.datetime) -> list[MockProfile]:
    """Return the members to place this round: opted in and not paused."""
    rows = await session.scalars(select(MockProfile).where(col(MockProfile.guild_id) == guild_id,
                                                            col(MockProfile.active).is_(True)))  # fmt: skip
    return [r for r in rows if r.paused_until is None or r.paused_until <= now]


@dataclass(frozen=True, slots=True)
class PairingChanges:
    """Validated /config pairing changes; None keeps a value."""

    channel_id: int | None = None
    cadence: str | None = None
    weekday: int | None = None
    post_time: str | None = None
    timezone: str | None = None
    heads_up_hours: int | None = None
    enabled: bool | None = None


def round_rule(config: PairingConfig) -> PostRule:
    """Return when rounds happen (the weekday at the local time; biweekly skips every other)."""
    return PostRule(at=parse_time(config.post_time), zone=parse_timezone(config.timezone),
                    days=frozenset({config.weekday}))  # fmt: skip


def next_round(config: PairingConfig, after: dt.datetime) -> dt.datetime | None:
    """Return the next round instant strictly after ``after`` (every other week when biweekly)."""
    if not config.enabled or config.channel_id is None:
        return None
    _day, due = round_rule(config).next_due(after)
    if (
        config.cadence == Cadence.BIWEEKLY
        and config.next_round_at is not None
        and due - config.next_round_at < dt.timedelta(days=8)
    ):
        _day, due = round_rule(config).next_due(due)
    return due


def period_key(at: dt.datetime, zone: ZoneInfo, cadence: str) -> str:
    """Return the key of the cadence period holding ``at`` in ``zone`` (weeks start on the local Monday).

    Weekly: the ISO week ("2026-W23"). Biweekly: the two-week block, counted in pairs of weeks from a
    fixed Monday, named by its first week ("2026-W23+2").
    """
    day = at.astimezone(zone).date()
    monday = day - dt.timedelta(days=day.weekday())
    if cadence == Cadence.BIWEEKLY:
        monday -= dt.timedelta(weeks=(monday - BIWEEKLY_ANCHOR).days // 7 % 2)
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}" + ("+2" if cadence == Cadence.BIWEEKLY else "")


def round_period(config: PairingConfig, at: dt.datetime) -> str:
    """Return the key of the server's pairing period holding ``at`` (its cadence, in its own time zone)."""
    return period_key(at, parse_timezone(config.timezone), config.cadence)


def period_label(key: str) -> str:
    """Render a period key for people: "week of 1 Jun 2026", "2 weeks from 1 Jun 2026"; other keys as they are."""
    found = _WEEK_KEY.match(key)
    if found is None:
        return key  # a day key ("2026-06-03") of a round run before rounds were weekly
    try:
        start = dt.date.fromisocalendar(int(found[1]), int(found[2]), 1)
    except ValueError:
        return key
    span = "2 weeks from" if found[3] else "week of"
    return f"{span} {start.day} {MONTHS[start.month - 1]} {start.year}"


async def skip_ran_periods(*, session: AsyncSession, config: PairingConfig) -> None:
    """Move the next round past periods whose round already ran (early, by /mock pair-now)."""
    for _ in range(4):  # a period can hold one scheduled round only: one step past it is enough
        if config.next_round_at is None:
            return
        key = round_period(config, config.next_round_at)
        stmt = select(col(MockRound.id)).where(col(MockRound.guild_id) == config.guild_id,
                                               col(MockRound.period_key) == key)  # fmt: skip
        if (await session.scalars(stmt.limit(1))).first() is None:
            return
        config.next_round_at = next_round(config, config.next_round_at)


async def configure(
    *, session: AsyncSession, guild_id: int, changes: PairingChanges, now: dt.datetime
) -> PairingConfig:
    """Apply validated pairing settings and recompute the next round; turning it on needs a channel."""
    row = await session.get(PairingConfig, guild_id, with_for_update=True)
    if changes.channel_id is None and (row is None or row.channel_id is None) and changes.enabled:
        raise Refused("Choose a channel first (channel:). Nothing was changed.")
    if row is None:
        row = PairingConfig(guild_id=guild_id)
        session.add(row)
    for name in ("channel_id", "cadence", "weekday", "post_time", "timezone", "heads_up_hours", "enabled"):
        value = getattr(changes, name)
        if value is not None:
            setattr(row, name, value)
    if changes.channel_id is not None and changes.enabled is None:
        row.enabled = True
    if changes.channel_id is not None or changes.enabled:
        row.last_error, row.last_error_at = None, None
    row.next_round_at = None
    row.next_round_at = next_round(row, now)
    await skip_ran_periods(session=session, config=row)
    row.updated_at = now
    await session.flush()
    return row


async def get_config(*, session: AsyncSession, guild_id: int) -> PairingConfig | None:
    """Return a server's pairing settings."""
    return await session.get(PairingConfig, guild_id)


async def next_round_at(*, session: AsyncSession, guild_id: int) -> dt.datetime | None:
    """Return when a server's next round runs (None: no rounds scheduled); held in memory until the config changes."""

    async def load() -> dt.datetime | None:
        config = await get_config(session=session, guild_id=guild_id)
        return config.next_round_at if config else None

    return await cached(session, PairingConfig.__tablename__, guild_id, load)


async def due_configs(*, session: AsyncSession, before: dt.datetime) -> list[PairingConfig]:
    """Return enabled pairing configs whose next round (or its heads-up) may be due before ``before``."""
    stmt = select(PairingConfig).where(col(PairingConfig.enabled).is_(True), col(PairingConfig.next_round_at) <= before)
    return list(await session.scalars(stmt))


async def mark_heads_up(*, session: AsyncSession, guild_id: int, at: dt.datetime) -> None:
    """Remember that the heads-up for the round at ``at`` was posted."""
    row = await session.get(PairingConfig, guild_id)
    if row is not None:
        row.heads_up_for = at


async def previous_threads(*, session: AsyncSession, guild_id: int, before_round: int) -> list[int]:
    """Return the pair threads of the round before ``before_round`` (older ones were archived already)."""
    from bot.models import MockGroup, MockRound

    previous = (
        await session.execute(
            select(func.max(MockRound.id)).where(col(MockRound.guild_id) == guild_id, col(MockRound.id) < before_round)
        )
    ).scalar_one_or_none()
    if previous is None:
        return []
    stmt = select(col(MockGroup.thread_id)).where(
        col(MockGroup.round_id) == previous,
        col(MockGroup.state) == GroupState.THREADED,
        col(MockGroup.thread_id).is_not(None),
    )
    return [t for t in await session.scalars(stmt) if t is not None]
