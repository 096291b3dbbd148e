"""Members' data: where a member id lives in every table, and a member's export (erasing: privacy_erase).

``REGISTRY`` names, for every table, the columns that hold a member id or a member's name, the
JSON columns that may hold member ids (and those declared free of them), and what export and
delete do with the table. ``tests/test_privacy_guard.py`` fails when a table or such a column is
missing here, so a new feature cannot store members' data that export and delete do not reach.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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
    PeriodStat,
    PracticeAttempt,
    RetiredQuestion,
    Review,
    ServerQuestion,
    SqlScratch,
    StreakDay,
)
from bot.services.privacy.erase import (
    REMOVED_MEMBER,
    Erased,
    delete_member,
    mentions,
    pending_deletions,
    prompts_by_id,
    reviews_on,
    rounds_naming,
    scrub,
)

__all__ = [
    "REGISTRY",
    "REMOVED_MEMBER",
    "Coverage",
    "Erased",
    "delete_member",
    "export",
    "is_member_column",
    "mentions",
    "pending_deletions",
    "scrub",
]


@dataclass(frozen=True, slots=True)
class Coverage:
    """How export, delete and the guild purge treat one table."""

    member_columns: tuple[str, ...] = ()  # columns holding a member id or a member's name
    member_json: tuple[str, ...] = ()  # JSON columns that may hold member ids
    plain_json: tuple[str, ...] = ()  # JSON columns declared free of member ids
    not_members: tuple[str, ...] = ()  # columns named like member columns that are not (say why in a comment)
    export: str = ""  # where the member's rows appear in the export
    delete: str = ""  # what /privacy delete does to the table
    purge: str = "guild"  # "guild": every row of a departed server goes; "global": holds no server data


REGISTRY: dict[str, Coverage] = {
    "answer": Coverage(
        ("user_id", "display_name"),
        export="answers",
        delete="deleted with the reviews they received; the bot's posts of them deleted (or redrawn when shared)",
    ),
    "review": Coverage(
        ("reviewer_id", "reviewer_name"),
        export="reviews_given; answers[].reviews_received",
        delete="given: deleted, notices deleted, reviewed answers redrawn; received: deleted with the answer and "
        "uncounted from the reviewers' tallies",
    ),
    "model_answer_view": Coverage(("user_id",), export="model_answers_opened", delete="deleted"),
    "sql_scratch": Coverage(("user_id",), export="last_tried_query", delete="deleted"),
    "practice_attempt": Coverage(("user_id",), export="practice", delete="deleted"),
    "member_streak": Coverage(("user_id",), export="streak", delete="deleted"),
    "streak_day": Coverage(("user_id",), export="streak.days", delete="deleted"),
    "period_stat": Coverage(("user_id",), export="streak.periods", delete="deleted"),
    "mock_profile": Coverage(("user_id",), plain_json=("slots",), export="profile", delete="deleted"),
    "mock_avoid": Coverage(
        ("user_id",),
        export="avoid_list (keyed hashes, as stored)",
        delete="their own list deleted; others' entries naming them are keyed hashes (avoided_key) and stay, "
        "so a returning member is still never paired with someone who avoided them",
    ),
    "mock_round": Coverage(
        member_json=("unpaired", "notes"),
        export="pairing.unpaired_rounds",
        delete="their id taken out of the JSON lists",
    ),
    "mock_group": Coverage(
        ("outcome_by",),
        export="pairing.groups[].outcome",
        delete="outcome_by cleared; a group left with fewer than two members is dissolved",
    ),
    "mock_group_member": Coverage(
        ("user_id",),
        plain_json=("pack",),
        export="pairing.groups",
        delete="their memberships deleted",
    ),
    "mock_feedback": Coverage(
        ("giver_id", "recipient_id"),
        export="feedback_given; feedback_received",
        delete="deleted both ways (what they gave disappears from the recipients' views)",
    ),
    "feedback_draft": Coverage(
        ("giver_id", "recipient_id"),
        plain_json=("scores",),
        export="feedback_drafts (their own)",
        delete="deleted both ways",
    ),
    "outbox": Coverage(
        member_json=("payload",),
        export="(not exported: deliveries still to make, not data about the member)",
        delete="items naming them or about their answers and reviews deleted",
    ),
    "server_question": Coverage(
        ("created_by",),
        plain_json=("data",),
        export="questions_added",
        delete=f"author set to {REMOVED_MEMBER} (the question belongs to the server)",
    ),
    "retired_question": Coverage(
        ("retired_by",),
        export="questions_retired",
        delete=f"retired_by set to {REMOVED_MEMBER}",
    ),
    "daily_prompt": Coverage(),
    "prompt_schedule": Coverage(plain_json=("tracks", "low_pool_warned")),
    "pairing_config": Coverage(),
    "streak_settings": Coverage(plain_json=("milestones", "milestone_roles")),
    "guild_settings": Coverage(),
    "guild_departure": Coverage(),
    "app_secret": Coverage(purge="global"),
}


def is_member_column(name: str) -> bool:
    """Tell whether a column's name says it holds a member id or a member's name (the guard's rule)."""
    return name in {"user_id", "member_id", "author_id", "reviewer_id", "giver_id", "recipient_id"} or name.endswith(
        ("_user_id", "_member_id", "_by", "_name")
    )


# --- export ---------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Return a JSON-able form of a stored value (datetimes and dates in ISO 8601)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _row(obj: Any, *names: str, ids: tuple[str, ...] = ()) -> dict[str, Any]:
    out = {name: _plain(getattr(obj, name)) for name in names}
    for name in ids:  # Discord ids as strings, as Discord itself writes them
        value = getattr(obj, name)
        out[name] = None if value is None else str(value)
    return out


async def export(*, session: AsyncSession, guild_id: int, user_id: int, now: dt.datetime) -> dict[str, Any]:
    """Return everything stored about a member in one server, as a JSON-able dict."""
    answers = list(await session.scalars(
        select(Answer).where(col(Answer.guild_id) == guild_id, col(Answer.user_id) == user_id).order_by(col(Answer.id))
    ))  # fmt: skip
    prompts = await prompts_by_id(session, {a.prompt_id for a in answers})
    received = await reviews_on(session, [a.id or 0 for a in answers])
    given = list(await session.scalars(
        select(Review).where(col(Review.guild_id) == guild_id, col(Review.reviewer_id) == user_id)
        .order_by(col(Review.id))
    ))  # fmt: skip
    reviewed = await _prompts_of_answers(session, [r.answer_id for r in given])
    return {
        "format": "drillbot-export/1",
        "guild_id": str(guild_id),
        "user_id": str(user_id),
        "exported_at": now.isoformat(),
        "profile": await _export_profile(session, guild_id, user_id),
        "practice": [
            _row(
                p,
                "question_id",
                "text",
                "final_answer",
                "query",
                "verdict",
                "after_model_answer",
                "shown_at",
                "attempted_at",
                "model_answer_opened_at",
            )
            for p in await session.scalars(
                select(PracticeAttempt)
                .where(col(PracticeAttempt.guild_id) == guild_id, col(PracticeAttempt.user_id) == user_id)
                .order_by(col(PracticeAttempt.id))
            )
        ],
        "last_tried_query": [
            _row(t, "question_id", "query", "updated_at")
            for t in await session.scalars(
                select(SqlScratch).where(col(SqlScratch.guild_id) == guild_id, col(SqlScratch.user_id) == user_id)
            )
        ],
        "model_answers_opened": [
            _row(v, "question_id", "opened_at")
            for v in await session.scalars(
                select(ModelAnswerView)
                .where(col(ModelAnswerView.guild_id) == guild_id, col(ModelAnswerView.user_id) == user_id)
                .order_by(col(ModelAnswerView.opened_at))
            )
        ],
        "answers": [
            {
                **_row(
                    a,
                    "id",
                    "display_name",
                    "text",
                    "source",
                    "final_answer",
                    "query",
                    "verdict",
                    "after_model_answer",
                    "created_at",
                    "updated_at",
                    ids=("source_message_id", "post_message_id"),
                ),
                "prompt": _prompt_info(prompts.get(a.prompt_id)),
                "reviews_received": [
                    _row(
                        r, "id", "reviewer_name", "structure", "clarity", "depth", "comment", "created_at", "updated_at"
                    )
                    for r in received.get(a.id or 0, [])
                ],
            }
            for a in answers
        ],
        "reviews_given": [
            {
                **_row(
                    r,
                    "id",
                    "answer_id",
                    "reviewer_name",
                    "structure",
                    "clarity",
                    "depth",
                    "comment",
                    "created_at",
                    "updated_at",
                ),
                "prompt": _prompt_info(reviewed.get(r.answer_id)),
            }
            for r in given
        ],
        "feedback_received": await _export_feedback(session, guild_id, user_id, received_side=True),
        "feedback_given": await _export_feedback(session, guild_id, user_id, received_side=False),
        "feedback_drafts": [
            _row(d, "group_id", "scores", "signal", "strengths", "improve", "updated_at", ids=("recipient_id",))
            for d in await session.scalars(
                select(FeedbackDraft).where(
                    col(FeedbackDraft.guild_id) == guild_id, col(FeedbackDraft.giver_id) == user_id
                )
            )
        ],
        "streak": await _export_streak(session, guild_id, user_id),
        "pairing": await _export_pairing(session, guild_id, user_id),
        "avoid_list": {
            "note": "Stored as keyed hashes of the avoided members' ids, so the list does not say who they are; "
            "pairing compares hashes.",
            "entries": [
                _row(a, "avoided_key", "created_at")
                for a in await session.scalars(
                    select(MockAvoid).where(col(MockAvoid.guild_id) == guild_id, col(MockAvoid.user_id) == user_id)
                )
            ],
        },
        "questions_added": [
            _row(q, "question_id", "category", "created_at")
            for q in await session.scalars(
                select(ServerQuestion).where(
                    col(ServerQuestion.guild_id) == guild_id, col(ServerQuestion.created_by) == user_id
                )
            )
        ],
        "questions_retired": [
            _row(q, "question_id", "retired_at")
            for q in await session.scalars(
                select(RetiredQuestion).where(
                    col(RetiredQuestion.guild_id) == guild_id, col(RetiredQuestion.retired_by) == user_id
                )
            )
        ],
    }


async def _prompts_of_answers(session: AsyncSession, answer_ids: list[int]) -> dict[int, DailyPrompt]:
    if not answer_ids:
        return {}
    rows = await session.execute(
        select(col(Answer.id), DailyPrompt).join(DailyPrompt, col(DailyPrompt.id) == col(Answer.prompt_id))
        .where(col(Answer.id).in_(answer_ids))
    )  # fmt: skip
    return {int(a or 0): p for a, p in rows.all()}


def _prompt_info(prompt: DailyPrompt | None) -> dict[str, Any] | None:
    if prompt is None:
        return None
    return _row(prompt, "local_date", "question_id", "category", ids=("thread_id",))


async def _export_profile(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any] | None:
    row = await session.get(MockProfile, (guild_id, user_id))
    if row is None:
        return None
    return _row(row, *_own_columns(MockProfile))


def _own_columns(model: Any) -> list[str]:
    """Return a member's table's columns but the keys (new columns are exported without a change here)."""
    return [c.name for c in model.__table__.c if c.name not in ("guild_id", "user_id")]


_SCORES = ("communication", "structure", "technical_depth", "problem_solving", "culture", "signal", "strengths",
           "improve", "created_at", "updated_at")  # fmt: skip


async def _export_feedback(
    session: AsyncSession, guild_id: int, user_id: int, *, received_side: bool
) -> list[dict[str, Any]]:
    mine = col(MockFeedback.recipient_id) if received_side else col(MockFeedback.giver_id)
    other = "giver_id" if received_side else "recipient_id"
    stmt = select(MockFeedback).where(col(MockFeedback.guild_id) == guild_id, mine == user_id)
    # Received feedback leaves out the report state (reported_at, report_note): moderation's, not the member's.
    return [_row(f, "id", "group_id", *_SCORES, ids=(other,)) for f in await session.scalars(stmt.order_by(
        col(MockFeedback.id)))]  # fmt: skip


async def _export_streak(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any] | None:
    row = await session.get(MemberStreak, (guild_id, user_id))
    days = await session.scalars(select(StreakDay).where(col(StreakDay.guild_id) == guild_id,
                                                         col(StreakDay.user_id) == user_id)
                                 .order_by(col(StreakDay.local_date)))  # fmt: skip
    periods = await session.scalars(select(PeriodStat).where(col(PeriodStat.guild_id) == guild_id,
                                                             col(PeriodStat.user_id) == user_id)
                                    .order_by(col(PeriodStat.start), col(PeriodStat.period)))  # fmt: skip
    summary = None if row is None else _row(row, *_own_columns(MemberStreak))
    reminders = None if row is None else {"remind": row.remind, "dm_closed": row.dm_closed,
                                          "reminded_prompt_id": row.reminded_prompt_id}  # fmt: skip
    day_rows = [_row(d, "local_date", "status", "streak_after") for d in days]
    period_rows = [_row(p, "period", "start", "answers", "reviews", "best") for p in periods]
    if summary is None and not day_rows and not period_rows:
        return None
    return {"summary": summary, "reminders": reminders, "days": day_rows, "periods": period_rows}


async def _export_pairing(session: AsyncSession, guild_id: int, user_id: int) -> dict[str, Any]:
    stmt = (
        select(MockGroupMember, MockGroup, MockRound)
        .join(MockGroup, col(MockGroup.id) == col(MockGroupMember.group_id))
        .join(MockRound, col(MockRound.id) == col(MockGroup.round_id))
        .where(col(MockGroupMember.guild_id) == guild_id, col(MockGroupMember.user_id) == user_id)
        .order_by(col(MockRound.id), col(MockGroup.id))
    )
    groups = []
    for member, group, round_row in (await session.execute(stmt)).all():
        partners = await session.scalars(select(MockGroupMember).where(col(MockGroupMember.group_id) == group.id)
                                         .order_by(col(MockGroupMember.position)))  # fmt: skip
        groups.append({
            "round": round_row.period_key, "round_at": _plain(round_row.created_at), "group_id": group.id,
            "state": group.state, "position": member.position, "pack": list(member.pack),
            "responded": member.responded,
            "members_in_order": [str(p.user_id) for p in partners],
            "outcome": group.outcome, "outcome_by_me": group.outcome_by == user_id,
            "outcome_at": _plain(group.outcome_at),
            "thread_id": None if group.thread_id is None else str(group.thread_id),
        })  # fmt: skip
    unpaired = [r.period_key for r in await rounds_naming(session, guild_id, user_id) if user_id in r.unpaired]
    return {"groups": groups, "unpaired_rounds": unpaired}
