"""Peer feedback after a mock: who may give it to whom, drafts, finishing and editing, reports.

Only the members of a pairing give feedback for it, one per direction (each member of a trio to
each other member), editable for 7 days. Only the recipient reads what they received; admins see
counts, and the content of feedback only once its recipient reported it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts
from bot.models import FeedbackDraft, MockFeedback, MockGroup, MockGroupMember, MockRound
from bot.models.feedback import Signal
from bot.models.mock import GroupState
from bot.services.errors import Refused
from bot.text import is_blank, visible

DIMENSIONS: tuple[str, ...] = ("communication", "structure", "technical_depth", "problem_solving", "culture")
DIMENSION_LABELS: dict[str, str] = {
    "communication": "Communication",
    "structure": "Structure",
    "technical_depth": "Technical depth",
    "problem_solving": "Problem solving",
    "culture": "Culture/values",
}
SIGNALS: tuple[Signal, ...] = tuple(Signal)
SIGNAL_LABELS: dict[Signal, str] = {
    Signal.STRONG_NO: "Strong no", Signal.NO: "No", Signal.YES: "Yes", Signal.STRONG_YES: "Strong yes",
}  # fmt: skip
WEAK_AREA_CATEGORIES: dict[str, tuple[str, ...]] = {
    "communication": ("behavioral", "culture"),
    "structure": ("behavioral", "case"),
    "technical_depth": ("sql", "statistics-probability", "machine-learning"),
    "problem_solving": ("case", "product-sense", "experimentation"),
    "culture": ("culture", "past-projects"),
}
TEXT_MAX = 1000  # strengths and to-improve each: fits one embed field when shown
REPORT_NOTE_MAX = 500
EDIT_WINDOW = dt.timedelta(days=7)
GIVING_STATES = (GroupState.THREADED, GroupState.DM)  # the pairing was set up: its members could meet
RECENT_GROUPS = 5


@dataclass(frozen=True, slots=True)
class Form:
    """What the feedback form shows for one direction: the draft (or the stored feedback) so far."""

    group_id: int
    giver_id: int
    recipient_id: int
    scores: dict[str, int]
    signal: str | None = None
    strengths: str = ""
    improve: str = ""
    existing: MockFeedback | None = None

    @property
    def missing(self) -> list[str]:
        """Return the dimensions without a score yet."""
        return [d for d in DIMENSIONS if d not in self.scores]


@dataclass(frozen=True, slots=True)
class Direction:
    """One feedback a member can give: to whom, for which pairing, and whether it was given."""

    group_id: int
    period_key: str
    recipient_id: int
    given: bool


@dataclass(frozen=True, slots=True)
class Finished:
    """A stored feedback and whether this call created it (an edit or a retried submit did not)."""

    feedback: MockFeedback
    created: bool
    guild_id: int
    thread_id: int | None = None
    by_dm: bool = False


def edit_deadline(feedback: MockFeedback) -> dt.datetime:
    """Return when a feedback stops being editable."""
    return feedback.created_at + EDIT_WINDOW


async def recipients(*, session: AsyncSession, group_id: int, giver_id: int) -> list[int]:
    """Return whom ``giver_id`` may give feedback to in a pairing (its other members)."""
    group = await session.get(MockGroup, group_id)
    members = await _member_ids(session, group_id)
    if group is None or giver_id not in members:
        raise Refused("Only the members of this pairing can give feedback for it.")
    if group.state not in GIVING_STATES:
        raise Refused("This pairing was never set up, so there is no mock to give feedback on.")
    return [m for m in members if m != giver_id]


async def start(*, session: AsyncSession, group_id: int, giver_id: int) -> tuple[int, list[int]]:
    """Return the server of a pairing and whom ``giver_id`` may give feedback to there (refused for outsiders)."""
    others = await recipients(session=session, group_id=group_id, giver_id=giver_id)
    group = await session.get(MockGroup, group_id)
    return (group.guild_id if group else 0), others


async def pairings(
    *, session: AsyncSession, guild_id: int, user_id: int, limit: int = RECENT_GROUPS
) -> list[Direction]:
    """Return the feedback a member can give for their recent pairings, newest first."""
    stmt = (
        select(MockGroup, col(MockRound.period_key))
        .join(MockRound, col(MockRound.id) == col(MockGroup.round_id))
        .join(MockGroupMember, col(MockGroupMember.group_id) == col(MockGroup.id))
        .where(col(MockGroupMember.guild_id) == guild_id, col(MockGroupMember.user_id) == user_id,
               col(MockGroup.state).in_(GIVING_STATES))
        .order_by(col(MockRound.id).desc(), col(MockGroup.id).desc())
        .limit(limit)
    )  # fmt: skip
    found = []
    for group, period_key in (await session.execute(stmt)).all():
        given = set(await session.scalars(select(col(MockFeedback.recipient_id)).where(
            col(MockFeedback.group_id) == group.id, col(MockFeedback.giver_id) == user_id)))  # fmt: skip
        for other in await _member_ids(session, group.id or 0):
            if other != user_id:
                found.append(Direction(group.id or 0, period_key, other, other in given))
    return found


async def form(*, session: AsyncSession, group_id: int, giver_id: int, recipient_id: int, now: dt.datetime) -> Form:
    """Return the form for one direction: the draft if any, else the stored feedback, else blank."""
    existing = await _check_direction(session, group_id, giver_id, recipient_id, now)
    draft = await session.get(FeedbackDraft, (group_id, giver_id, recipient_id))
    return _form(group_id, giver_id, recipient_id, draft, existing)


async def save_score(
    *,
    session: AsyncSession,
    group_id: int,
    giver_id: int,
    recipient_id: int,
    dimension: str,
    score: int,
    now: dt.datetime,
) -> Form:
    """Store one score (1-5) in the direction's draft; an edit starts from the stored feedback."""
    if dimension not in DIMENSIONS:
        raise Refused(f"Unknown dimension {dimension!r}. Nothing was stored.")
    if not 1 <= score <= 5:
        raise Refused("Scores go from 1 to 5. Nothing was stored.")
    existing = await _check_direction(session, group_id, giver_id, recipient_id, now)
    group = await session.get(MockGroup, group_id)
    assert group is not None
    seed = _scores_of(existing) if existing else {}
    await session.execute(insert_ignoring_conflicts(
        session, FeedbackDraft,
        {"group_id": group_id, "giver_id": giver_id, "recipient_id": recipient_id, "guild_id": group.guild_id,
         "scores": seed, "signal": existing.signal if existing else None,
         "strengths": existing.strengths if existing else "", "improve": existing.improve if existing else "",
         "updated_at": now},
        conflict=["group_id", "giver_id", "recipient_id"],
    ))  # fmt: skip
    draft = await session.get(FeedbackDraft, (group_id, giver_id, recipient_id), with_for_update=True,
                              populate_existing=True)  # fmt: skip
    assert draft is not None
    draft.scores = {**draft.scores, dimension: score}  # a new dict, so the JSON column is written
    draft.updated_at = now
    await session.flush()
    return _form(group_id, giver_id, recipient_id, draft, existing)


async def finish(
    *,
    session: AsyncSession,
    group_id: int,
    giver_id: int,
    recipient_id: int,
    signal: str,
    strengths: str,
    improve: str,
    now: dt.datetime,
    scores: dict[str, Any] | None = None,
) -> Finished:
    """Store the feedback (or its edit) from the draft's scores and the second step's answers.

    Every score 1-5, a signal and both texts within limits are required; otherwise the feedback
    is refused and nothing at all is stored. Submitting the same form twice stores it once.
    """
    existing = await _check_direction(session, group_id, giver_id, recipient_id, now)
    draft = await session.get(FeedbackDraft, (group_id, giver_id, recipient_id))
    if scores is None:
        scores = dict(draft.scores) if draft else (_scores_of(existing) if existing else {})
    values = _validated(scores, signal, strengths, improve)
    group = await session.get(MockGroup, group_id)
    assert group is not None
    key = {"group_id": group_id, "giver_id": giver_id, "recipient_id": recipient_id}
    inserted = await session.execute(insert_ignoring_conflicts(
        session, MockFeedback, {**key, "guild_id": group.guild_id, **values, "created_at": now, "updated_at": now},
        conflict=list(key),
    ))  # fmt: skip
    created = bool(inserted.rowcount)  # type: ignore[attr-defined]
    row = await _feedback(session, group_id, giver_id, recipient_id, lock=True)
    assert row is not None
    if not created:
        if now > edit_deadline(row):
            raise Refused(_too_late(row))
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = now
    await session.execute(delete(FeedbackDraft).where(*(getattr(FeedbackDraft, k) == v for k, v in key.items())))
    await session.flush()
    return Finished(row, created, group.guild_id, group.thread_id if group.state == GroupState.THREADED else None,
                    by_dm=group.state != GroupState.THREADED)  # fmt: skip


async def received(
    *, session: AsyncSession, guild_id: int, recipient_id: int, limit: int | None = None
) -> list[MockFeedback]:
    """Return the feedback a member received on a server, newest first (only ever shown to them)."""
    stmt = (
        select(MockFeedback)
        .where(col(MockFeedback.guild_id) == guild_id, col(MockFeedback.recipient_id) == recipient_id)
        .order_by(col(MockFeedback.created_at).desc(), col(MockFeedback.id).desc())
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(await session.scalars(stmt))


async def for_recipient(*, session: AsyncSession, feedback_id: int, user_id: int) -> MockFeedback:
    """Return one feedback for its recipient; anyone else is refused, the same way as for a missing one."""
    row = await session.get(MockFeedback, feedback_id)
    if row is None or row.recipient_id != user_id:
        raise Refused("Only the member it was given to can read this feedback.")
    return row


async def report(*, session: AsyncSession, feedback_id: int, user_id: int, note: str, now: dt.datetime) -> bool:
    """Report a received feedback as abusive (recipient only); admins can then read and remove it.

    Returns False when it was reported already (the first report's time is kept).
    """
    if len(note) > REPORT_NOTE_MAX:
        raise Refused(f"Keep the note under {REPORT_NOTE_MAX} characters. Nothing was reported.")
    row = await for_recipient(session=session, feedback_id=feedback_id, user_id=user_id)
    first = row.reported_at is None
    if first:
        row.reported_at = now
    if not is_blank(note):
        row.report_note = visible(note)
    await session.flush()
    return first


async def reported(*, session: AsyncSession, guild_id: int, limit: int = 5) -> list[MockFeedback]:
    """Return a server's reported feedback, oldest report first (what admins may read)."""
    stmt = (
        select(MockFeedback)
        .where(col(MockFeedback.guild_id) == guild_id, col(MockFeedback.reported_at).is_not(None))
        .order_by(col(MockFeedback.reported_at), col(MockFeedback.id))
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def remove_reported(*, session: AsyncSession, guild_id: int, feedback_id: int) -> bool:
    """Delete a reported feedback of the server; one that was not reported is never touched."""
    result = await session.execute(
        delete(MockFeedback).where(
            col(MockFeedback.id) == feedback_id,
            col(MockFeedback.guild_id) == guild_id,
            col(MockFeedback.reported_at).is_not(None),
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- helpers -----------------------------------------------------------------------------------


async def _member_ids(session: AsyncSession, group_id: int) -> list[int]:
    stmt = select(col(MockGroupMember.user_id)).where(col(MockGroupMember.group_id) == group_id)
    return list(await session.scalars(stmt.order_by(col(MockGroupMember.position))))


async def _feedback(
    session: AsyncSession, group_id: int, giver_id: int, recipient_id: int, *, lock: bool = False
) -> MockFeedback | None:
    stmt = select(MockFeedback).where(
        col(MockFeedback.group_id) == group_id,
        col(MockFeedback.giver_id) == giver_id,
        col(MockFeedback.recipient_id) == recipient_id,
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return (await session.scalars(stmt)).first()


async def _check_direction(
    session: AsyncSession, group_id: int, giver_id: int, recipient_id: int, now: dt.datetime
) -> MockFeedback | None:
    """Refuse outsiders, self-feedback and edits after the window; return the stored feedback if any."""
    others = await recipients(session=session, group_id=group_id, giver_id=giver_id)
    if recipient_id not in others:
        raise Refused("You can give feedback only to the other members of your pairing.")
    existing = await _feedback(session, group_id, giver_id, recipient_id)
    if existing is not None and now > edit_deadline(existing):
        raise Refused(_too_late(existing))
    return existing


def _too_late(row: MockFeedback) -> str:
    return (f"Feedback can be changed for 7 days after it is given; this one was given "
            f"<t:{int(row.created_at.timestamp())}:D>, so it stays as it is.")  # fmt: skip


def _scores_of(row: MockFeedback) -> dict[str, int]:
    return {d: int(getattr(row, d)) for d in DIMENSIONS}


def _form(
    group_id: int, giver_id: int, recipient_id: int, draft: FeedbackDraft | None, existing: MockFeedback | None
) -> Form:
    if draft is not None:
        scores = {d: int(v) for d, v in draft.scores.items() if d in DIMENSIONS and isinstance(v, int)}
        return Form(group_id, giver_id, recipient_id, scores, draft.signal, draft.strengths, draft.improve, existing)
    if existing is not None:
        return Form(group_id, giver_id, recipient_id, _scores_of(existing), existing.signal, existing.strengths,
                    existing.improve, existing)  # fmt: skip
    return Form(group_id, giver_id, recipient_id, {})


def _validated(scores: dict[str, Any], signal: str, strengths: str, improve: str) -> dict[str, Any]:
    """Return the columns of a complete, in-range feedback, or refuse with what is wrong."""
    problems = []
    missing = [DIMENSION_LABELS[d] for d in DIMENSIONS if d not in scores]
    if missing:
        problems.append(f"pick a score for {', '.join(missing)}")
    bad = [DIMENSION_LABELS[d] for d in DIMENSIONS if d in scores
           and (not isinstance(scores[d], int) or isinstance(scores[d], bool) or not 1 <= scores[d] <= 5)]  # fmt: skip
    if bad:
        problems.append(f"scores go from 1 to 5 ({', '.join(bad)})")
    if signal not in SIGNALS:
        problems.append("pick an overall signal: strong no, no, yes or strong yes")
    strengths, improve = visible(strengths), visible(improve)
    for name, text in (("strengths", strengths), ("to improve", improve)):
        if not text:
            problems.append(f"write something (visible) under {name}")
        elif len(text) > TEXT_MAX:
            problems.append(f"keep {name} under {TEXT_MAX} characters ({len(text)} given)")
    if problems:
        raise Refused("Your feedback was not saved: " + "; ".join(problems) + ".")
    return {**{d: int(scores[d]) for d in DIMENSIONS}, "signal": signal,
            "strengths": strengths, "improve": improve}  # fmt: skip
