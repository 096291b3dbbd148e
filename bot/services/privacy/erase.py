"""Erasing a member's data in one server (see bot.services.privacy for what each table holds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Text, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.models import (
    Answer,
    DailyPrompt,
    FeedbackDraft,
    MemberStreak,
    MockAvoid,
    MockFeedback,
    MockGroup,
    MockGroupMember,
    MockProfile,
    MockRound,
    ModelAnswerView,
    OutboxItem,
    PeriodStat,
    PracticeAttempt,
    RetiredQuestion,
    Review,
    ServerQuestion,
    SqlScratch,
    StreakDay,
)
from bot.models.daily import AnswerSource, OutboxKind, OutboxState
from bot.models.mock import GroupState, RoundState
from bot.services.daily import removals

REMOVED_MEMBER = 0  # stands in for an erased member where the row itself belongs to the server


async def prompts_by_id(session: AsyncSession, ids: set[int]) -> dict[int, DailyPrompt]:
    """Return prompts by id."""
    if not ids:
        return {}
    return {p.id or 0: p for p in await session.scalars(select(DailyPrompt).where(col(DailyPrompt.id).in_(ids)))}


async def reviews_on(session: AsyncSession, answer_ids: list[int]) -> dict[int, list[Review]]:
    """Return the reviews of answers, keyed by answer id."""
    if not answer_ids:
        return {}
    grouped: dict[int, list[Review]] = {}
    stmt = select(Review).where(col(Review.answer_id).in_(answer_ids)).order_by(col(Review.id))
    for review in await session.scalars(stmt):
        grouped.setdefault(review.answer_id, []).append(review)
    return grouped


@dataclass
class Erased:
    """What erasing a member did: rows per table, Discord messages queued for deletion, redraws."""

    counts: dict[str, int] = field(default_factory=dict)
    deletions: list[int] = field(default_factory=list)  # outbox items (OutboxKind.MESSAGE_DELETE) queued
    queued: list[OutboxItem] = field(default_factory=list, repr=False)
    redraws: int = 0  # other members' posts queued for a redraw without the member's reviews
    own_messages: int = 0  # answers written as plain thread messages: the member's own, left to them

    @property
    def rows(self) -> int:
        """Return how many rows were deleted or changed."""
        return sum(self.counts.values())

    def add(self, table: str, count: int) -> None:
        """Count rows deleted or changed in a table."""
        if count:
            self.counts[table] = self.counts.get(table, 0) + count


def mentions(value: Any, user_id: int) -> bool:
    """Tell whether a JSON value holds ``user_id`` (as a number or a string, key or value, at any depth)."""
    if isinstance(value, dict):
        return any(mentions(k, user_id) or mentions(v, user_id) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(mentions(v, user_id) for v in value)
    return _is_id(value, user_id)


def scrub(value: Any, user_id: int) -> Any:
    """Return a JSON value with ``user_id`` taken out of every list and dict (keys and values, at any depth)."""
    if isinstance(value, dict):
        return {k: scrub(v, user_id) for k, v in value.items() if not _is_id(k, user_id) and not _is_id(v, user_id)}
    if isinstance(value, list):
        return [scrub(v, user_id) for v in value if not _is_id(v, user_id)]
    return value


def _is_id(value: Any, user_id: int) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool) and str(value) == str(user_id)


def _text_has(column: Any, user_id: int) -> Any:
    """Return a cheap SQL pre-filter: the JSON column's text contains the id (checked exactly afterwards)."""
    return cast(column, Text).like(f"%{user_id}%")


async def rounds_naming(session: AsyncSession, guild_id: int, user_id: int) -> list[MockRound]:
    """Return the guild's rounds whose JSON columns hold the member's id."""
    stmt = select(MockRound).where(
        col(MockRound.guild_id) == guild_id,
        or_(_text_has(MockRound.unpaired, user_id), _text_has(MockRound.notes, user_id)),
    )
    return [r for r in await session.scalars(stmt) if mentions(r.unpaired, user_id) or mentions(r.notes, user_id)]


async def delete_member(*, session: AsyncSession, guild_id: int, user_id: int) -> Erased:
    """Erase a member's data in one server, in the caller's transaction; safe to run again.

    Kept: other members' avoid entries naming them (keyed hashes). The bot's posts of their answers
    and review notices are queued for deletion in the outbox (OutboxKind.MESSAGE_DELETE items, which name no
    member); posts shared with other members' answers are queued for a redraw instead.
    """
    erased = Erased()
    await _erase_answers(session, guild_id, user_id, erased)
    await _erase_reviews_given(session, guild_id, user_id, erased)
    await _erase_outbox_payloads(session, guild_id, user_id, erased)
    tables: list[tuple[Any, tuple[str, ...]]] = [
        (MemberStreak, ("user_id",)), (StreakDay, ("user_id",)), (PeriodStat, ("user_id",)),
        (MockProfile, ("user_id",)), (MockAvoid, ("user_id",)), (ModelAnswerView, ("user_id",)),
        (SqlScratch, ("user_id",)), (PracticeAttempt, ("user_id",)),
        (MockFeedback, ("giver_id", "recipient_id")), (FeedbackDraft, ("giver_id", "recipient_id")),
    ]  # fmt: skip
    for model, columns in tables:
        result = await session.execute(
            delete(model).where(
                col(model.guild_id) == guild_id,
                or_(*(col(getattr(model, c)) == user_id for c in columns)),
            )
        )
        erased.add(model.__tablename__, int(result.rowcount or 0))  # type: ignore[attr-defined]
    await _erase_pairing(session, guild_id, user_id, erased)
    authored: list[tuple[Any, str]] = [(ServerQuestion, "created_by"), (RetiredQuestion, "retired_by")]
    for model, column in authored:
        result = await session.execute(
            update(model).where(col(model.guild_id) == guild_id, col(getattr(model, column)) == user_id)
            .values({column: REMOVED_MEMBER})
        )  # fmt: skip
        erased.add(model.__tablename__, int(result.rowcount or 0))  # type: ignore[attr-defined]
    await session.flush()
    erased.deletions = [item.id or 0 for item in erased.queued]
    return erased


def _queue_delete(session: AsyncSession, erased: Erased, guild_id: int, channel_id: int, message_id: int) -> None:
    item = OutboxItem(guild_id=guild_id, channel_id=channel_id, kind=OutboxKind.MESSAGE_DELETE, message_id=message_id)
    session.add(item)
    erased.queued.append(item)


async def _erase_answers(session: AsyncSession, guild_id: int, user_id: int, erased: Erased) -> None:
    """Delete the member's answers with the reviews they received; queue their posts' deletion."""
    answers = list(await session.scalars(
        select(Answer).where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id)
    ))  # fmt: skip
    if not answers:
        return
    ids = [a.id or 0 for a in answers]
    prompts = await prompts_by_id(session, {a.prompt_id for a in answers})
    thread = {a.id: prompts[a.prompt_id].thread_id for a in answers if a.prompt_id in prompts}
    received = [r for group in (await reviews_on(session, ids)).values() for r in group]
    for review in received:  # reviewers' tallies stay what their remaining reviews say
        await removals.uncount_review(session, review)
        channel = thread.get(review.answer_id)
        if review.notice_message_id is not None and channel:
            _queue_delete(session, erased, guild_id, channel, review.notice_message_id)
    handled: set[int] = set()
    for answer in answers:
        erased.own_messages += answer.source == AnswerSource.MESSAGE
        channel, message = thread.get(answer.id), answer.post_message_id
        if message is None or not channel or message in handled:
            continue
        handled.add(message)
        others = (
            await session.scalars(
                select(col(Answer.id))
                .where(col(Answer.post_message_id) == message, col(Answer.user_id) != user_id)
                .order_by(col(Answer.id))
            )
        ).first()
        if others is None:
            _queue_delete(session, erased, guild_id, channel, message)
        else:  # the post also shows other members' answers: redraw it without this one
            session.add(OutboxItem(guild_id=guild_id, channel_id=channel, kind=OutboxKind.ANSWER_EDIT, ref_id=others))
            erased.redraws += 1
    await _drop_outbox_refs(session, guild_id, (OutboxKind.ANSWER, OutboxKind.ANSWER_EDIT), ids)
    notices = (OutboxKind.REVIEW_NOTICE, OutboxKind.REVIEW_NOTICE_EDIT)
    await _drop_outbox_refs(session, guild_id, notices, [r.id or 0 for r in received])
    result = await session.execute(delete(Review).where(col(Review.answer_id).in_(ids)))
    erased.add("review", int(result.rowcount or 0))  # type: ignore[attr-defined]
    result = await session.execute(delete(Answer).where(col(Answer.id).in_(ids)))
    erased.add("answer", int(result.rowcount or 0))  # type: ignore[attr-defined]


async def _erase_reviews_given(session: AsyncSession, guild_id: int, user_id: int, erased: Erased) -> None:
    """Delete the member's reviews of others' answers, their notices, and redraw the answers' posts."""
    given = list(await session.scalars(
        select(Review).where(col(Review.guild_id) == guild_id, col(Review.reviewer_id) == user_id)
    ))  # fmt: skip
    if not given:
        return
    answers = {a.id: a for a in await session.scalars(
        select(Answer).where(col(Answer.id).in_({r.answer_id for r in given})))}  # fmt: skip
    prompts = await prompts_by_id(session, {a.prompt_id for a in answers.values()})
    for review in given:
        answer = answers.get(review.answer_id)
        prompt = prompts.get(answer.prompt_id) if answer else None
        if answer is None or prompt is None or not prompt.thread_id:
            continue
        if review.notice_message_id is not None:
            _queue_delete(session, erased, guild_id, prompt.thread_id, review.notice_message_id)
        if answer.post_message_id is not None:  # its footer counts the review
            session.add(OutboxItem(guild_id=guild_id, channel_id=prompt.thread_id, kind=OutboxKind.ANSWER_EDIT,
                                   ref_id=answer.id))  # fmt: skip
            erased.redraws += 1
    notices = (OutboxKind.REVIEW_NOTICE, OutboxKind.REVIEW_NOTICE_EDIT)
    await _drop_outbox_refs(session, guild_id, notices, [r.id or 0 for r in given])
    result = await session.execute(delete(Review).where(col(Review.id).in_([r.id for r in given])))
    erased.add("review", int(result.rowcount or 0))  # type: ignore[attr-defined]


async def _drop_outbox_refs(session: AsyncSession, guild_id: int, kinds: tuple[str, ...], ref_ids: list[int]) -> None:
    if ref_ids:
        await session.execute(
            delete(OutboxItem).where(
                col(OutboxItem.guild_id) == guild_id,
                col(OutboxItem.kind).in_(kinds),
                col(OutboxItem.ref_id).in_(ref_ids),
            )
        )


async def _erase_outbox_payloads(session: AsyncSession, guild_id: int, user_id: int, erased: Erased) -> None:
    """Delete outbox items whose payload names the member (e.g. a notice still to send to them).

    A sent item with the message it posted (``message_id``) has that post queued for deletion too: it
    named the member in Discord.
    """
    stmt = select(OutboxItem).where(col(OutboxItem.guild_id) == guild_id, _text_has(OutboxItem.payload, user_id))
    for item in list(await session.scalars(stmt)):
        if item.kind == OutboxKind.MESSAGE_DELETE or not mentions(item.payload, user_id):
            continue
        if item.state == OutboxState.DONE and item.message_id is not None:
            _queue_delete(session, erased, guild_id, item.channel_id, item.message_id)
        await session.delete(item)
        erased.add("outbox", 1)


async def _erase_pairing(session: AsyncSession, guild_id: int, user_id: int, erased: Erased) -> None:
    """Take the member out of their groups, outcomes and rounds' lists; dissolve groups left alone."""
    memberships = list(await session.scalars(select(MockGroupMember).where(
        col(MockGroupMember.guild_id) == guild_id, col(MockGroupMember.user_id) == user_id)))  # fmt: skip
    for membership in memberships:
        await session.delete(membership)
    await session.flush()
    erased.add("mock_group_member", len(memberships))
    for membership in memberships:
        group = await session.get(MockGroup, membership.group_id)
        if group is None or group.state == GroupState.DISSOLVED:
            continue
        rest = list(await session.scalars(select(col(MockGroupMember.user_id)).where(
            col(MockGroupMember.group_id) == group.id)))  # fmt: skip
        if len(rest) >= 2:
            continue
        group.state = GroupState.DISSOLVED  # a pair without its second member: no follow-up, not a recent pair
        erased.add("mock_group", 1)
        round_row = await session.get(MockRound, group.round_id)
        if round_row is not None and round_row.state != RoundState.DONE:
            round_row.unpaired = [*round_row.unpaired, *(u for u in rest if u not in round_row.unpaired)]
    result = await session.execute(
        update(MockGroup).where(col(MockGroup.guild_id) == guild_id, col(MockGroup.outcome_by) == user_id)
        .values(outcome_by=None)
    )  # fmt: skip
    erased.add("mock_group", int(result.rowcount or 0))  # type: ignore[attr-defined]
    for round_row in await rounds_naming(session, guild_id, user_id):
        round_row.unpaired = scrub(list(round_row.unpaired), user_id)
        round_row.notes = scrub(dict(round_row.notes), user_id)
        erased.add("mock_round", 1)


async def pending_deletions(*, session: AsyncSession, item_ids: list[int]) -> dict[int, OutboxItem]:
    """Return the queued message deletions by id (to see which are done, failed or still pending)."""
    if not item_ids:
        return {}
    stmt = select(OutboxItem).where(col(OutboxItem.id).in_(item_ids), col(OutboxItem.kind) == OutboxKind.MESSAGE_DELETE)
    return {i.id or 0: i for i in await session.scalars(stmt)}
