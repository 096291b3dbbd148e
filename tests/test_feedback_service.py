"""Peer feedback: directions, drafts, finishing and editing, reports, and what it adds up to."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import DailyPrompt, FeedbackDraft, MockFeedback, MockGroup, MockGroupMember, MockRound
from bot.services import feedback
from bot.services.errors import Refused
from bot.services.feedback import stats as feedback_stats

GUILD, ALICE, BOB, CAROL, DAVE = 77, 111111111111111111, 222222222222222222, 333333333333333333, 444444444444444444
NOW = dt.datetime(2026, 6, 3, 19, 0, tzinfo=dt.UTC)
FULL = {"communication": 4, "structure": 3, "technical_depth": 2, "problem_solving": 5, "culture": 4}


async def make_group(db: Database, members: list[int], *, period: str = "2026-06-03", state: str = "threaded") -> int:
    """Store a round with one group of ``members``; return the group id."""
    async with db.write() as session:
        round_row = MockRound(guild_id=GUILD, period_key=period, seed=1, created_at=NOW)
        session.add(round_row)
        await session.flush()
        group = MockGroup(round_id=round_row.id or 0, guild_id=GUILD, state=state, thread_id=900 if state == "threaded"
                          else None)  # fmt: skip
        session.add(group)
        await session.flush()
        for position, user in enumerate(members):
            session.add(MockGroupMember(group_id=group.id or 0, user_id=user, guild_id=GUILD, position=position))
        return group.id or 0


async def give(
    db: Database,
    group: int,
    giver: int,
    recipient: int,
    *,
    now: dt.datetime = NOW,
    scores: dict[str, int] = FULL,
    signal: str = "yes",
    strengths: str = "Clear structure",
    improve: str = "Go deeper on SQL",
) -> feedback.Finished:
    """Pick every score, then finish the form."""
    async with db.write() as session:
        for dimension, score in scores.items():
            await feedback.save_score(session=session, group_id=group, giver_id=giver, recipient_id=recipient,
                                      dimension=dimension, score=score, now=now)  # fmt: skip
        return await feedback.finish(session=session, group_id=group, giver_id=giver, recipient_id=recipient,
                                     signal=signal, strengths=strengths, improve=improve, now=now)  # fmt: skip


async def all_rows(db: Database, model: Any) -> list[Any]:
    async with db.read() as session:
        return list(await session.scalars(select(model)))


async def test_each_member_of_a_pair_gives_feedback_to_the_other(database: Database) -> None:
    """A pair holds two directions; each is stored once with its scores, signal and texts."""
    group = await make_group(database, [ALICE, BOB])
    first = await give(database, group, ALICE, BOB)
    second = await give(database, group, BOB, ALICE, signal="strong-yes")
    assert first.created and second.created and first.thread_id == 900 and not first.by_dm
    rows = sorted(await all_rows(database, MockFeedback), key=lambda r: r.giver_id)
    assert [(r.giver_id, r.recipient_id, r.signal) for r in rows] == [(ALICE, BOB, "yes"), (BOB, ALICE, "strong-yes")]
    assert rows[0].technical_depth == 2 and rows[0].strengths == "Clear structure"
    assert await all_rows(database, FeedbackDraft) == []  # the drafts are done with


async def test_in_a_trio_each_member_gives_to_each_other_member(database: Database) -> None:
    """A trio has six directions; recipients are the two others."""
    group = await make_group(database, [ALICE, BOB, CAROL])
    async with database.read() as session:
        assert await feedback.recipients(session=session, group_id=group, giver_id=BOB) == [ALICE, CAROL]
    for giver in (ALICE, BOB, CAROL):
        for recipient in (ALICE, BOB, CAROL):
            if giver != recipient:
                await give(database, group, giver, recipient)
    assert len(await all_rows(database, MockFeedback)) == 6
    async with database.read() as session:
        counts = await feedback_stats.participation(session=session, guild_id=GUILD)
    assert [(c.groups, c.possible, c.given, c.givers) for c in counts] == [(1, 6, 6, 3)]


async def test_outsiders_self_and_unset_pairings_are_refused(database: Database) -> None:
    """Nobody outside the pairing gives feedback for it, nobody to themselves, and not for a pairing never set up."""
    group = await make_group(database, [ALICE, BOB])
    other = await make_group(database, [CAROL, DAVE], period="2026-06-10", state="failed")
    cases = [(group, CAROL, BOB), (group, ALICE, ALICE), (group, ALICE, CAROL), (other, CAROL, DAVE), (999, ALICE, BOB)]
    for group_id, giver, recipient in cases:
        with pytest.raises(Refused):
            await give(database, group_id, giver, recipient)
    assert await all_rows(database, MockFeedback) == [] and await all_rows(database, FeedbackDraft) == []


@pytest.mark.parametrize(
    ("scores", "signal", "strengths", "improve"),
    [
        ({k: v for k, v in FULL.items() if k != "culture"}, "yes", "ok", "ok"),  # a score missing
        ({**FULL, "structure": 6}, "yes", "ok", "ok"),  # out of range
        ({**FULL, "structure": 0}, "yes", "ok", "ok"),
        (FULL, "maybe", "ok", "ok"),  # not a signal
        (FULL, "yes", "   ", "ok"),  # blank text
        (FULL, "yes", "\u200b\u200b\u200b", "ok"),  # invisible text: zero-width spaces
        (FULL, "yes", "ok", "\u2060\ufeff \u00ad"),  # word joiner, BOM, soft hyphen
        (FULL, "yes", "\u3164\u2800", "ok"),  # a Hangul filler and a blank Braille cell
        (FULL, "yes", "ok", "x" * (feedback.TEXT_MAX + 1)),  # too long
    ],
)
async def test_bad_or_incomplete_feedback_is_refused_and_nothing_is_stored(
    database: Database, scores: dict[str, int], signal: str, strengths: str, improve: str
) -> None:
    """Every score 1-5, a signal and both texts are required; otherwise no feedback row appears."""
    group = await make_group(database, [ALICE, BOB])
    with pytest.raises(Refused) as refused:
        async with database.write() as session:
            await feedback.finish(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB, signal=signal,
                                  strengths=strengths, improve=improve, now=NOW, scores=scores)  # fmt: skip
    assert "not saved" in str(refused.value)
    assert await all_rows(database, MockFeedback) == []


async def test_out_of_range_scores_never_reach_the_draft(database: Database) -> None:
    """A score outside 1-5 or an unknown dimension is refused at the draft step too."""
    group = await make_group(database, [ALICE, BOB])
    for dimension, score in (("structure", 7), ("charisma", 3)):
        with pytest.raises(Refused):
            async with database.write() as session:
                await feedback.save_score(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB,
                                          dimension=dimension, score=score, now=NOW)  # fmt: skip
    assert await all_rows(database, FeedbackDraft) == []


async def test_a_half_finished_form_is_kept_as_a_draft(database: Database) -> None:
    """Scores picked are kept per pairing, giver and recipient; finishing without the rest is refused."""
    group = await make_group(database, [ALICE, BOB])
    async with database.write() as session:
        for dimension in ("communication", "structure"):
            await feedback.save_score(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB,
                                      dimension=dimension, score=4, now=NOW)  # fmt: skip
    async with database.read() as session:
        form = await feedback.form(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB, now=NOW)
    assert form.scores == {"communication": 4, "structure": 4} and form.missing == list(feedback.DIMENSIONS[2:])
    with pytest.raises(Refused, match="Technical depth"):
        async with database.write() as session:
            await feedback.finish(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB, signal="yes",
                                  strengths="a", improve="b", now=NOW)  # fmt: skip
    [draft] = await all_rows(database, FeedbackDraft)
    assert (draft.group_id, draft.giver_id, draft.recipient_id, draft.scores) == (group, ALICE, BOB, form.scores)
    assert await all_rows(database, MockFeedback) == []


async def test_feedback_is_editable_for_seven_days_then_refused(database: Database) -> None:
    """An edit within 7 days updates the one row; after that, edits are refused and it stays."""
    group = await make_group(database, [ALICE, BOB])
    await give(database, group, ALICE, BOB)
    later = NOW + dt.timedelta(days=6)
    async with database.read() as session:
        form = await feedback.form(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB, now=later)
    assert form.scores == FULL and form.signal == "yes" and form.existing is not None
    edited = await give(database, group, ALICE, BOB, now=later, scores={"structure": 5}, signal="strong-yes")
    assert not edited.created
    [row] = await all_rows(database, MockFeedback)
    assert (row.structure, row.communication, row.signal, row.created_at, row.updated_at) == (
        5, 4, "strong-yes", NOW, later)  # fmt: skip
    too_late = NOW + dt.timedelta(days=7, seconds=1)
    with pytest.raises(Refused, match="7 days"):
        await give(database, group, ALICE, BOB, now=too_late, scores={"structure": 1})
    with pytest.raises(Refused, match="7 days"):
        async with database.read() as session:
            await feedback.form(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB, now=too_late)
    [row] = await all_rows(database, MockFeedback)
    assert row.structure == 5 and await all_rows(database, FeedbackDraft) == []


async def test_a_retried_submit_stores_one_feedback(database: Database) -> None:
    """The same submit twice (a Discord retry) leaves one row; only the first counts as created."""
    group = await make_group(database, [ALICE, BOB])
    first = await give(database, group, ALICE, BOB)
    async with database.write() as session:
        again = await feedback.finish(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB,
                                      signal="yes", strengths="Clear structure", improve="Go deeper on SQL",
                                      now=NOW)  # fmt: skip
    assert first.created and not again.created
    assert len(await all_rows(database, MockFeedback)) == 1


async def test_concurrent_score_picks_all_land_in_the_draft(database: Database) -> None:
    """Five selects picked at once by one member: every score is kept (no lost update)."""
    group = await make_group(database, [ALICE, BOB])

    async def pick(dimension: str, score: int) -> None:
        async with database.write() as session:
            await feedback.save_score(session=session, group_id=group, giver_id=ALICE, recipient_id=BOB,
                                      dimension=dimension, score=score, now=NOW)  # fmt: skip

    await asyncio.gather(*(pick(d, s) for d, s in FULL.items()))
    [draft] = await all_rows(database, FeedbackDraft)
    assert draft.scores == FULL


async def test_only_the_recipient_reads_and_reports_then_admins_remove_only_reported(database: Database) -> None:
    """Reading and reporting are the recipient's; removal touches reported feedback only."""
    group = await make_group(database, [ALICE, BOB])
    to_bob = (await give(database, group, ALICE, BOB)).feedback
    to_alice = (await give(database, group, BOB, ALICE)).feedback
    async with database.read() as session:
        assert [r.id for r in await feedback.received(session=session, guild_id=GUILD, recipient_id=BOB)] == [to_bob.id]
        for reader in (ALICE, CAROL):
            with pytest.raises(Refused):
                await feedback.for_recipient(session=session, feedback_id=to_bob.id or 0, user_id=reader)
    with pytest.raises(Refused):
        async with database.write() as session:
            await feedback.report(session=session, feedback_id=to_bob.id or 0, user_id=ALICE, note="", now=NOW)
    async with database.write() as session:
        assert await feedback.report(session=session, feedback_id=to_bob.id or 0, user_id=BOB, note="rude", now=NOW)
        assert not await feedback.report(session=session, feedback_id=to_bob.id or 0, user_id=BOB, note="", now=NOW)
        assert [r.id for r in await feedback.reported(session=session, guild_id=GUILD)] == [to_bob.id]
        assert not await feedback.remove_reported(session=session, guild_id=GUILD, feedback_id=to_alice.id or 0)
        assert not await feedback.remove_reported(session=session, guild_id=GUILD + 1, feedback_id=to_bob.id or 0)
        counts = await feedback_stats.participation(session=session, guild_id=GUILD)
        assert counts[0].reported == 1
        assert await feedback.remove_reported(session=session, guild_id=GUILD, feedback_id=to_bob.id or 0)
    assert [r.id for r in await all_rows(database, MockFeedback)] == [to_alice.id]


async def test_summary_averages_signals_trend_and_weakest(database: Database) -> None:
    """Averages per dimension, the signal distribution, a per-day trend, and the two weakest dimensions."""
    first = await make_group(database, [ALICE, BOB])
    second = await make_group(database, [ALICE, CAROL, BOB], period="2026-06-10")
    week = dt.timedelta(days=7)
    await give(database, first, ALICE, BOB, scores={**FULL, "communication": 2, "culture": 3})
    await give(database, second, CAROL, BOB, now=NOW + week, scores={**FULL, "communication": 4}, signal="no")
    await give(database, second, ALICE, BOB, now=NOW + week, scores={**FULL, "communication": 3}, signal="yes")
    async with database.read() as session:
        summary, _listed = await feedback_stats.mine(session=session, guild_id=GUILD, user_id=BOB, listed=25)
        weakest = await feedback_stats.weakest_dimensions(session=session, guild_id=GUILD, user_id=BOB)
        none = await feedback_stats.weakest_dimensions(session=session, guild_id=GUILD, user_id=DAVE)
    assert summary.count == 3 and summary.averages["communication"] == pytest.approx(3.0)
    assert summary.signals == {"strong-no": 0, "no": 1, "yes": 2, "strong-yes": 0}
    assert summary.trend["communication"] == [(NOW.date(), 2.0), ((NOW + week).date(), 3.5)]
    assert [r.giver_id for r in summary.latest][-1] == ALICE and len(summary.latest) == 3
    assert weakest == ["technical_depth", "communication"] and none == []
    assert feedback_stats.weak_categories(weakest) == ["sql", "statistics-probability", "machine-learning",
                                                       "behavioral", "culture"]  # fmt: skip


async def test_practice_suggestion_is_a_past_prompt_from_a_weak_area(database: Database) -> None:
    """The suggestion is a prompt the server posted, in a weak area's category, not the open one."""
    group = await make_group(database, [ALICE, BOB])
    await give(database, group, ALICE, BOB, scores={**FULL, "culture": 1, "structure": 1})
    async with database.write() as session:
        for day, category, question in ((1, "sql", "q-sql"), (2, "case", "q-case"), (3, "past-projects", "q-pp")):
            session.add(DailyPrompt(guild_id=GUILD, local_date=dt.date(2026, 6, day), question_id=question,
                                    category=category, nonce=f"n{day}", channel_id=1, message_id=day,
                                    due_at=NOW, state="threaded"))  # fmt: skip
    async with database.read() as session:
        latest = (await session.scalars(select(DailyPrompt).where(DailyPrompt.question_id == "q-pp"))).one()
        found = await feedback_stats.practice_suggestion(session=session, guild_id=GUILD, user_id=BOB,
                                                         exclude_prompt_id=latest.id)  # fmt: skip
        nothing = await feedback_stats.practice_suggestion(session=session, guild_id=GUILD, user_id=CAROL)
    assert found is not None and found.question_id == "q-case" and nothing is None
