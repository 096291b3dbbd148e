"""A pair thread's life: created (or introduced by DM), members who left, packs, follow-ups."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import MockGroup, MockGroupMember, MockProfile, MockRound
from bot.models.mock import GroupState, InactiveReason, RoundState
from bot.services import mock
from bot.services import questions as question_svc
from bot.services.daily import practice
from bot.services.errors import Refused
from bot.services.feedback import stats as feedback_stats
from bot.services.mock.pairing import Candidate, match
from bot.services.mock.rounds import group_members, interviewee_of, recent_pairs
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import Question, Round

LOOP = (Round.SCREEN, Round.CULTURE, Round.TECHNICAL, Round.PRODUCT_CASE)  # a pack follows an interview loop
LOOP_NAMES = {Round.SCREEN: "screen", Round.CULTURE: "culture", Round.TECHNICAL: "technical",
              Round.PRODUCT_CASE: "product case"}  # fmt: skip
MAX_ATTEMPTS = 5
LIVE_STATES = (GroupState.PENDING, GroupState.CREATING, GroupState.THREADED, GroupState.DM, GroupState.FAILED)
SETUP_STATES = (GroupState.PENDING, GroupState.CREATING, GroupState.FAILED)  # CREATING may have a thread not recorded


async def mark_group(
    *, session: AsyncSession, group_id: int, state: str, thread_id: int | None = None, error: str | None = None
) -> None:
    """Record where a group meets (threaded / dm) or why it could not be set up (failed)."""
    values: dict[str, object] = {"state": state}
    if thread_id is not None:
        values["thread_id"] = thread_id
    if error is not None:
        values["last_error"] = error[:500]
        values["attempts"] = MockGroup.attempts + 1
    await session.execute(update(MockGroup).where(col(MockGroup.id) == group_id).values(**values))


async def record_thread(*, session: AsyncSession, group_id: int, thread_id: int | None) -> None:
    """Remember a group's thread as soon as it exists (a retry then reuses it instead of opening another)."""
    await session.execute(update(MockGroup).where(col(MockGroup.id) == group_id).values(thread_id=thread_id))


async def remove_departed(*, session: AsyncSession, group_id: int, user_id: int) -> list[int]:
    """Take a member who left the server out of their group and deactivate their profile.

    Returns the members left without a partner (the group is dissolved when fewer than two remain).
    """
    group = await session.get(MockGroup, group_id)
    if group is None:
        return []
    await session.execute(
        delete(MockGroupMember).where(
            col(MockGroupMember.group_id) == group_id, col(MockGroupMember.user_id) == user_id
        )
    )
    profile = await session.get(MockProfile, (group.guild_id, user_id))
    if profile is not None:
        profile.active, profile.inactive_reason = False, InactiveReason.LEFT_SERVER
    rest = await group_members(session=session, group_id=group_id)
    if len(rest) >= 2:
        return []
    group.state = GroupState.DISSOLVED
    await session.execute(delete(MockGroupMember).where(col(MockGroupMember.group_id) == group_id))
    return [m.user_id for m in rest]


@dataclass(frozen=True, slots=True)
class Regrouped:
    """Where members whose partner left went: new or enlarged groups (with who joined them), and who is left."""

    joined: dict[int, list[int]]
    unpaired: list[int]


async def regroup(*, session: AsyncSession, round_id: int, guild_id: int, orphans: list[int]) -> Regrouped:
    """Re-pair members whose partner left the server, never with someone on an avoid list.

    Orphans are matched among themselves first (the pure matcher: avoids, recent pairs, fit); one
    left over joins a pair of the round as its third member (a pair not set up yet first, then the
    one adding the fewest repeats). Anyone who cannot be placed is added to the round's unpaired.
    """
    stmt = select(MockGroup).where(col(MockGroup.round_id) == round_id, col(MockGroup.state).in_(LIVE_STATES))
    groups = list(await session.scalars(stmt.order_by(col(MockGroup.id))))
    members = {g.id or 0: [m.user_id for m in await group_members(session=session, group_id=g.id or 0)] for g in groups}
    everyone = sorted({*orphans, *(u for ids in members.values() for u in ids)})
    avoid = await mock.avoid_pairs(session=session, guild_id=guild_id, user_ids=everyone)
    recent = await recent_pairs(session=session, guild_id=guild_id, before_round=round_id)
    profiles = {u: p for u in orphans if (p := await session.get(MockProfile, (guild_id, u))) is not None}
    matching = match(
        [Candidate(u, p.track, p.level, frozenset(str(s) for s in p.slots)) for u, p in profiles.items()],
        avoid=avoid, recent=recent, seed=round_id,
    )  # fmt: skip
    joined: dict[int, list[int]] = {}
    for found in matching.groups:
        group = MockGroup(round_id=round_id, guild_id=guild_id)
        session.add(group)
        await session.flush()
        for position, user_id in enumerate(found.members):
            session.add(MockGroupMember(group_id=group.id or 0, user_id=user_id, guild_id=guild_id, position=position))
        joined[group.id or 0] = list(found.members)
    unpaired: list[int] = []
    state = {g.id or 0: g.state for g in groups}
    for user_id in [*matching.unpaired, *(u for u in orphans if u not in profiles)]:
        hosts = [g for g, ids in members.items() if len(ids) == 2 and g not in joined
                 and not any(frozenset((user_id, other)) in avoid for other in ids)]  # fmt: skip
        if not hosts:
            unpaired.append(user_id)
            continue
        host = min(hosts, key=lambda g: (state[g] not in SETUP_STATES,
                                         sum(frozenset((user_id, o)) in recent for o in members[g]), g))  # fmt: skip
        session.add(MockGroupMember(group_id=host, user_id=user_id, guild_id=guild_id, position=2))
        members[host].append(user_id)
        joined[host] = [user_id]
    if unpaired:
        round_row = await session.get(MockRound, round_id)
        if round_row is not None:
            round_row.unpaired = [*round_row.unpaired, *unpaired]
    await session.flush()
    return Regrouped(joined, unpaired)


async def rounds_to_set_up(*, session: AsyncSession) -> list[tuple[int, int]]:
    """Return (round id, guild id) of open rounds with groups still waiting for a thread (or a retry)."""
    stmt = (
        select(col(MockRound.id), col(MockRound.guild_id))
        .join(MockGroup, col(MockGroup.round_id) == col(MockRound.id))
        .where(col(MockRound.state) == RoundState.OPEN, col(MockGroup.state).in_(SETUP_STATES),
               col(MockGroup.attempts) < MAX_ATTEMPTS)
        .distinct()
    )  # fmt: skip
    return [(int(r or 0), int(g)) for r, g in (await session.execute(stmt)).all()]


async def pack_for(
    *, session: AsyncSession, bank: QuestionBank, group_id: int, viewer_id: int
) -> tuple[int, list[Question]]:
    """Return whom ``viewer_id`` interviews and that member's question pack (chosen once, then kept).

    The pack holds questions of the interviewee's track, from different categories, that the
    interviewee has not met in a mock before, preferring the categories that practise the two
    weakest dimensions of the feedback they received. Refused when the viewer is not in the group.
    """
    members = await group_members(session=session, group_id=group_id)
    interviewee = interviewee_of(members, viewer_id)
    group = await session.get(MockGroup, group_id)
    round_row = await session.get(MockRound, group.round_id) if group else None
    if interviewee is None or round_row is None:
        raise Refused("This pack is only for the members of this pair.")
    target = next(m for m in members if m.user_id == interviewee)
    if not target.pack:
        target.pack = await _choose_pack(session, bank, target, round_row.seed)
    found = [await question_svc.question_of(session=session, bank=bank, guild_id=target.guild_id, question_id=q)
             for q in target.pack]  # fmt: skip
    return interviewee, [q for q in found if q is not None]


def loop_order() -> str:
    """Say the order of a pack's questions, as the members read it."""
    return " → ".join(LOOP_NAMES[r] for r in LOOP)


async def _choose_pack(session: AsyncSession, bank: QuestionBank, member: MockGroupMember, seed: int) -> list[str]:
    """Pick one question per stage of an interview loop, in the loop's order, none the interviewee has met.

    The technical question is from the interviewee's track; the others prefer it. Where a stage has
    no unmet question, the pack falls back (see ``_pick``); weak areas of the interviewee's feedback
    come first among equals.
    """
    profile = await session.get(MockProfile, (member.guild_id, member.user_id))
    track = profile.track if profile else None
    seen_rows = await session.scalars(select(col(MockGroupMember.pack)).where(
        col(MockGroupMember.guild_id) == member.guild_id, col(MockGroupMember.user_id) == member.user_id))  # fmt: skip
    met = await practice.met_questions(session=session, guild_id=member.guild_id, user_id=member.user_id)
    for pack in seen_rows:
        for question_id in pack or []:
            met.setdefault(question_id, dt.datetime.min.replace(tzinfo=dt.UTC))
    active = [f.question for f in await question_svc.active_questions(session=session, bank=bank,
                                                                       guild_id=member.guild_id)]  # fmt: skip
    rng = random.Random(f"{seed}:{member.group_id}:{member.user_id}")
    rng.shuffle(active)
    weak = set(feedback_stats.weak_categories(await feedback_stats.weakest_dimensions(
        session=session, guild_id=member.guild_id, user_id=member.user_id)))  # fmt: skip
    active.sort(key=lambda q: q.category not in weak)  # the interviewee's weak areas first (stable: still shuffled)
    picked = [_pick([q for q in active if q.round == stage], stage, track, met) for stage in LOOP]
    return [q.id for q in picked if q is not None]


def _pick(candidates: list[Question], stage: Round, track: str | None, met: dict[str, dt.datetime]) -> Question | None:
    """Choose a stage's question: unmet and of the track first.

    Then, for the technical stage, the track matters more than novelty (the track's question met
    longest ago); for the other stages novelty does (an unmet question of another track). Last, the
    question met longest ago.
    """
    mine = [q for q in candidates if track is None or track in q.tracks]
    unmet = [q for q in candidates if q.id not in met]
    tiers = [[q for q in mine if q.id not in met]]
    if stage is Round.TECHNICAL:
        tiers += [sorted((q for q in mine if q.id in met), key=lambda q: met[q.id]), unmet]
    else:
        tiers += [unmet, sorted((q for q in mine if q.id in met), key=lambda q: met[q.id])]
    tiers.append(sorted(candidates, key=lambda q: met.get(q.id, dt.datetime.min.replace(tzinfo=dt.UTC))))
    return next((tier[0] for tier in tiers if tier), None)


async def due_followups(*, session: AsyncSession, now: dt.datetime) -> list[MockGroup]:
    """Return groups whose round's follow-up time has come and who were not asked yet."""
    stmt = (
        select(MockGroup)
        .join(MockRound, col(MockRound.id) == col(MockGroup.round_id))
        .where(
            col(MockRound.followup_at) <= now,
            col(MockGroup.followup_message_id).is_(None),
            col(MockGroup.state).in_([GroupState.THREADED, GroupState.DM]),
            col(MockRound.state) != RoundState.DONE,
        )
    )
    return list(await session.scalars(stmt))


async def mark_followup(*, session: AsyncSession, group_id: int, message_id: int) -> None:
    """Record the follow-up message of a group."""
    await session.execute(update(MockGroup).where(col(MockGroup.id) == group_id).values(followup_message_id=message_id))
