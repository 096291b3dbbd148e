"""Pairing rounds: match once per period, store the groups, follow up, and keep the statistics."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from bot.db import insert_ignoring_conflicts
from bot.models import MockGroup, MockGroupMember, MockProfile, MockRound
from bot.models.mock import GroupState, InactiveReason, Outcome, RoundState
from bot.services import mock
from bot.services.errors import Refused
from bot.services.mock.pairing import Candidate, match

RECENT_ROUNDS = 8
PAUSE_AFTER_MISSED = 3
NOT_ASKED = -1  # followup_message_id of a group whose follow-up could not be delivered


@dataclass(frozen=True, slots=True)
class RoundResult:
    """A stored round, whether this call created it, and members paused for not responding."""

    round: MockRound
    created: bool
    paused: list[int]


def round_seed(guild_id: int, period_key: str) -> int:
    """Return the deterministic seed of a guild's round for a period."""
    return int.from_bytes(hashlib.sha256(f"{guild_id}:{period_key}".encode()).digest()[:6], "big")


async def recent_pairs(*, session: AsyncSession, guild_id: int, before_round: int | None = None) -> set[frozenset[int]]:
    """Return every pair that met in the guild's last 8 rounds (the 3 pairs of a trio included)."""
    stmt = select(col(MockRound.id)).where(col(MockRound.guild_id) == guild_id)
    if before_round is not None:
        stmt = stmt.where(col(MockRound.id) < before_round)
    round_ids = list(await session.scalars(stmt.order_by(col(MockRound.id).desc()).limit(RECENT_ROUNDS)))
    if not round_ids:
        return set()
    rows = (
        await session.execute(
            select(col(MockGroupMember.group_id), col(MockGroupMember.user_id))
            .join(MockGroup, col(MockGroup.id) == col(MockGroupMember.group_id))
            .where(col(MockGroup.round_id).in_(round_ids), col(MockGroup.state) != GroupState.DISSOLVED)
        )
    ).all()
    groups: dict[int, list[int]] = {}
    for group_id, user_id in rows:
        groups.setdefault(group_id, []).append(user_id)
    return {frozenset((a, b)) for members in groups.values() for a in members for b in members if a < b}


async def _settle_previous(session: AsyncSession, guild_id: int, round_id: int) -> list[int]:
    """Count follow-ups left unanswered in the previous round; pause members who missed 3 in a row.

    Only groups that were actually asked count (a follow-up message went out). The count is per
    member: pressing any answer counts, and so does a partner's "We met" (the mock evidently took
    place with the silent member). A partner's "Didn't happen" or "Reschedule" does not count for a
    member who stayed silent: they may be the one who did not show up. A member the follow-up could
    not reach (DMs closed) is not counted either way.
    """
    previous = (
        await session.scalars(
            select(MockRound).where(col(MockRound.guild_id) == guild_id, col(MockRound.id) < round_id)
            .order_by(col(MockRound.id).desc()).limit(1)
        )
    ).first()  # fmt: skip
    if previous is None or previous.state == RoundState.DONE:
        return []
    previous.state = RoundState.DONE
    asked = (
        await session.execute(
            select(MockGroupMember, col(MockGroup.outcome))
            .join(MockGroup, col(MockGroup.id) == col(MockGroupMember.group_id))
            .where(col(MockGroup.round_id) == previous.id, col(MockGroup.state) != GroupState.DISSOLVED,
                   col(MockGroup.followup_message_id).is_not(None), col(MockGroup.followup_message_id) != NOT_ASKED)
        )
    ).all()  # fmt: skip
    paused: list[int] = []
    unasked = set(previous.notes.get("unasked", []))
    for member, outcome in asked:
        profile = await session.get(MockProfile, (guild_id, member.user_id))
        if profile is None or not profile.active or member.user_id in unasked:
            continue
        answered = member.responded or outcome == Outcome.MET
        profile.missed_followups = 0 if answered else profile.missed_followups + 1
        if profile.missed_followups >= PAUSE_AFTER_MISSED:
            profile.active, profile.inactive_reason = False, InactiveReason.NO_RESPONSE
            paused.append(member.user_id)
    return paused


async def create_round(
    *,
    session: AsyncSession,
    guild_id: int,
    period_key: str,
    now: dt.datetime,
    channel_id: int | None,
    followup_at: dt.datetime | None,
) -> RoundResult:
    """Match the guild's members for a period, once: a second call for the same period returns the first."""
    seed = round_seed(guild_id, period_key)
    inserted = await session.execute(
        insert_ignoring_conflicts(
            session, MockRound,
            {"guild_id": guild_id, "period_key": period_key, "seed": seed, "state": RoundState.MATCHED,
             "channel_id": channel_id, "followup_at": followup_at, "unpaired": [], "notes": {}, "created_at": now},
            conflict=["guild_id", "period_key"],
        )
    )  # fmt: skip
    row = (
        await session.scalars(
            select(MockRound).where(col(MockRound.guild_id) == guild_id, col(MockRound.period_key) == period_key)
            .execution_options(populate_existing=True)
        )
    ).one()  # fmt: skip
    if not inserted.rowcount:  # type: ignore[attr-defined]
        return RoundResult(row, created=False, paused=[])
    assert row.id is not None
    paused = await _settle_previous(session, guild_id, row.id)
    profiles = await mock.candidates(session=session, guild_id=guild_id, now=now)
    ids = [p.user_id for p in profiles]
    matching = match(
        [Candidate(p.user_id, p.track, p.level, frozenset(str(s) for s in p.slots)) for p in profiles],
        avoid=await mock.avoid_pairs(session=session, guild_id=guild_id, user_ids=ids),
        recent=await recent_pairs(session=session, guild_id=guild_id, before_round=row.id),
        seed=seed,
    )
    for group in matching.groups:
        stored = MockGroup(round_id=row.id, guild_id=guild_id)
        session.add(stored)
        await session.flush()
        for position, user_id in enumerate(group.members):
            session.add(MockGroupMember(group_id=stored.id or 0, user_id=user_id, guild_id=guild_id, position=position))
    row.repeats = matching.repeats
    row.unpaired = list(matching.unpaired)
    row.notes = {"paused": paused, "unmatched": list(matching.unpaired)}  # told once the round is open
    await session.flush()
    return RoundResult(row, created=True, paused=paused)


async def unfinished_rounds(*, session: AsyncSession) -> list[tuple[int, int]]:
    """Return (round id, guild id) of rounds matched but not opened yet (a crash or restart came between)."""
    stmt = select(col(MockRound.id), col(MockRound.guild_id)).where(col(MockRound.state) == RoundState.MATCHED)
    return [(int(r or 0), int(g)) for r, g in (await session.execute(stmt.order_by(col(MockRound.id)))).all()]


async def open_round(*, session: AsyncSession, round_id: int) -> MockRound | None:
    """Mark a matched round open (its previous threads archived, its groups set up); None if it already was."""
    moved = await session.execute(
        update(MockRound)
        .where(col(MockRound.id) == round_id, col(MockRound.state) == RoundState.MATCHED)
        .values(state=RoundState.OPEN)
    )
    if not moved.rowcount:  # type: ignore[attr-defined]
        return None
    return await session.get(MockRound, round_id, populate_existing=True)


async def note_unasked(*, session: AsyncSession, group_id: int, user_ids: list[int]) -> None:
    """Remember members a group's follow-up could not reach: their silence is not counted against them."""
    group = await session.get(MockGroup, group_id)
    round_row = await session.get(MockRound, group.round_id) if group is not None else None
    if round_row is None or not user_ids:
        return
    notes = dict(round_row.notes)
    notes["unasked"] = sorted({*notes.get("unasked", []), *user_ids})
    round_row.notes = notes


async def round_groups(*, session: AsyncSession, round_id: int) -> list[tuple[MockGroup, list[MockGroupMember]]]:
    """Return a round's groups with their members in interview order."""
    groups = list(await session.scalars(select(MockGroup).where(col(MockGroup.round_id) == round_id)
                                        .order_by(col(MockGroup.id))))  # fmt: skip
    return [(g, await group_members(session=session, group_id=g.id or 0)) for g in groups]


async def group_members(*, session: AsyncSession, group_id: int) -> list[MockGroupMember]:
    """Return a group's members in interview order."""
    stmt = (
        select(MockGroupMember).where(col(MockGroupMember.group_id) == group_id).order_by(col(MockGroupMember.position))
    )
    return list(await session.scalars(stmt))


async def get_group(*, session: AsyncSession, group_id: int) -> tuple[MockGroup | None, list[MockGroupMember]]:
    """Return a group and its members in interview order."""
    return await session.get(MockGroup, group_id), await group_members(session=session, group_id=group_id)


async def member_groups(
    *, session: AsyncSession, guild_id: int, user_id: int, limit: int = 10
) -> list[tuple[MockRound, MockGroup, list[MockGroupMember]]]:
    """Return a member's recent groups, newest first, each with its members in interview order (one query)."""
    mine = aliased(MockGroupMember)
    recent = (
        select(col(mine.group_id))
        .join(MockGroup, col(MockGroup.id) == col(mine.group_id))
        .where(col(mine.guild_id) == guild_id, col(mine.user_id) == user_id)
        .order_by(col(MockGroup.round_id).desc(), col(MockGroup.id).desc())
        .limit(limit)
    )
    stmt = (
        select(MockRound, MockGroup, MockGroupMember)
        .join(MockGroup, col(MockGroup.round_id) == col(MockRound.id))
        .join(MockGroupMember, col(MockGroupMember.group_id) == col(MockGroup.id))
        .where(col(MockGroup.id).in_(recent))
        .order_by(col(MockRound.id).desc(), col(MockGroup.id).desc(), col(MockGroupMember.position))
    )
    groups: dict[int, tuple[MockRound, MockGroup, list[MockGroupMember]]] = {}
    for round_row, group, member in (await session.execute(stmt)).all():
        groups.setdefault(group.id or 0, (round_row, group, []))[2].append(member)
    return list(groups.values())


def interviewee_of(members: list[MockGroupMember], user_id: int) -> int | None:
    """Return whom ``user_id`` interviews: the next member in order (A→B→A; a trio A→B→C→A)."""
    ids = [m.user_id for m in members]
    if user_id not in ids or len(ids) < 2:
        return None
    return ids[(ids.index(user_id) + 1) % len(ids)]


async def record_outcome(
    *, session: AsyncSession, group_id: int, user_id: int, outcome: Outcome, now: dt.datetime
) -> MockGroup:
    """Store a group member's follow-up answer (the latest press sets the group's outcome); outsiders are refused."""
    member = await session.get(MockGroupMember, (group_id, user_id))
    group = await session.get(MockGroup, group_id)
    if member is None or group is None:
        raise Refused("Only the members of this pair can answer.")
    member.responded = True
    group.outcome, group.outcome_by, group.outcome_at = outcome, user_id, now
    return group


@dataclass(frozen=True, slots=True)
class RoundStats:
    """What admins see of one round (participation only, never content)."""

    round: MockRound
    groups: int
    members: int
    met: int
    not_met: int
    reschedule: int
    by_dm: int
    failed: int
    failure: str | None = None  # the latest error of a group that could not be set up
    dm_after_failure: int = 0  # of by_dm: groups whose thread failed on every attempt
    dm_failure: str | None = None  # the error that made one of them meet by DM


async def stats(*, session: AsyncSession, guild_id: int, limit: int = 6) -> list[RoundStats]:
    """Return the statistics of a guild's recent rounds, newest first."""
    rounds = list(await session.scalars(select(MockRound).where(col(MockRound.guild_id) == guild_id)
                                        .order_by(col(MockRound.id).desc()).limit(limit)))  # fmt: skip
    result = []
    for r in rounds:
        standing = (col(MockGroup.round_id) == r.id, col(MockGroup.state) != GroupState.DISSOLVED)
        groups = list(await session.scalars(select(MockGroup).where(*standing)))
        members = (await session.execute(select(func.count()).select_from(MockGroupMember).where(
            col(MockGroupMember.group_id).in_([g.id for g in groups])))).scalar_one() if groups else 0  # fmt: skip
        result.append(RoundStats(
            r, len(groups), int(members), sum(g.outcome == Outcome.MET for g in groups),
            sum(g.outcome == Outcome.NOT_MET for g in groups), sum(g.outcome == Outcome.RESCHEDULE for g in groups),
            sum(g.state == GroupState.DM for g in groups), sum(g.state == GroupState.FAILED for g in groups),
            next((g.last_error for g in groups if g.state == GroupState.FAILED and g.last_error), None),
            sum(g.state == GroupState.DM and g.last_error is not None for g in groups),
            next((g.last_error for g in groups if g.state == GroupState.DM and g.last_error), None),
        ))  # fmt: skip
    return result


@dataclass(frozen=True, slots=True)
class Status:
    """What /mock status shows: the member's profile, their latest group (round, group, members), the next round."""

    profile: MockProfile | None
    latest: tuple[MockRound, MockGroup, list[MockGroupMember]] | None
    next_round_at: dt.datetime | None


async def status(*, session: AsyncSession, guild_id: int, user_id: int) -> Status:
    """Return a member's pairing status."""
    recent = await member_groups(session=session, guild_id=guild_id, user_id=user_id, limit=1)
    profile = await mock.profile(session=session, guild_id=guild_id, user_id=user_id)
    return Status(profile, recent[0] if recent else None, await mock.next_round_at(session=session, guild_id=guild_id))


async def summary(*, session: AsyncSession, round_id: int) -> tuple[int, dt.datetime | None]:
    """Return how many groups of a round still stand, and when the server's next round is."""
    groups = await round_groups(session=session, round_id=round_id)
    round_row = await session.get(MockRound, round_id)
    config = await mock.get_config(session=session, guild_id=round_row.guild_id) if round_row else None
    return sum(g.state != GroupState.DISSOLVED for g, _ in groups), config.next_round_at if config else None
