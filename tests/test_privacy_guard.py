"""Privacy guards: every table is covered by export, delete and the guild purge; delete leaves no trace."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import JSON, select
from sqlmodel import col

from bot.db import Database
from bot.models import (
    Answer,
    DailyPrompt,
    FeedbackDraft,
    GuildDeparture,
    GuildSettings,
    MemberStreak,
    MockAvoid,
    MockFeedback,
    MockGroup,
    MockGroupMember,
    MockRound,
    OutboxItem,
    PeriodStat,
    PromptSchedule,
    RetiredQuestion,
    Review,
    ServerQuestion,
    metadata,
)
from bot.models.daily import OutboxKind
from bot.services import mock, privacy
from bot.services.daily import answers, reviews
from bot.services.mock import rounds
from bot.services.privacy import departures

GUILD, OTHER_GUILD = 4242, 9898
X, Y, Z = 314159265358979323, 271828182845904523, 161803398874989484
NOW = dt.datetime(2026, 6, 3, 12, 0, tzinfo=dt.UTC)
FIX = (
    "Add the table to bot.services.privacy.REGISTRY: list its member columns (member_columns), its JSON "
    "columns (member_json or plain_json), and make privacy.export and privacy_erase.delete_member handle them."
)


def test_every_table_and_member_column_is_covered() -> None:
    """Each table is in the registry; each column the naming rule calls a member id, and each JSON column, is listed."""
    problems = []
    for table in metadata.sorted_tables:
        coverage = privacy.REGISTRY.get(table.name)
        if coverage is None:
            problems.append(f"table {table.name} is not covered. {FIX}")
            continue
        declared = {*coverage.member_columns, *coverage.member_json, *coverage.plain_json, *coverage.not_members}
        for column in table.c:
            named = privacy.is_member_column(column.name)
            if named and column.name not in coverage.member_columns and column.name not in coverage.not_members:
                problems.append(f"{table.name}.{column.name} looks like a member id or name but is not in "
                                f"member_columns. {FIX}")  # fmt: skip
            if isinstance(column.type, JSON) and column.name not in declared:
                problems.append(f"JSON column {table.name}.{column.name} is neither member_json nor plain_json. {FIX}")
        for name in declared:
            if name not in table.c:
                problems.append(f"registry names {table.name}.{name}, which does not exist")
        if (coverage.member_columns or coverage.member_json) and not (coverage.export and coverage.delete):
            problems.append(f"{table.name} holds member ids: say how export and delete treat it")
    for name in privacy.REGISTRY:
        if name not in metadata.tables:
            problems.append(f"registry entry {name} names no table")
    assert not problems, "\n".join(problems)


def test_every_table_is_covered_by_the_guild_purge() -> None:
    """Tables with a guild_id are purged with their server; the only others are declared global."""
    purged = {t.name for t in departures.guild_tables()}
    for table in metadata.sorted_tables:
        coverage = privacy.REGISTRY.get(table.name, privacy.Coverage())
        if "guild_id" in table.c:
            assert table.name in purged and coverage.purge == "guild", table.name
        else:
            assert coverage.purge == "global", (
                f"table {table.name} has no guild_id: the guild purge cannot reach it. Give it a guild_id, or "
                "declare it purge='global' in bot.services.privacy.REGISTRY if it holds no server data."
            )


def test_naming_rule() -> None:
    """The rule catches ids and names of members, not channels or messages."""
    for name in ("user_id", "reviewer_id", "giver_id", "recipient_id", "outcome_by", "created_by", "target_user_id",
                 "display_name", "reviewer_name", "author_id"):  # fmt: skip
        assert privacy.is_member_column(name), name
    for name in ("channel_id", "message_id", "thread_id", "guild_id", "ping_role_id", "name"):
        assert not privacy.is_member_column(name), name


def test_scrub_and_mentions() -> None:
    """JSON scrubbing takes the id out as a number or a string, at any depth."""
    value = {"unpaired": [X, Y], str(X): 1, "note": {"by": str(X), "keep": Y}}
    assert privacy.mentions(value, X)
    cleaned = privacy.scrub(value, X)
    assert cleaned == {"unpaired": [Y], "note": {"keep": Y}}
    assert not privacy.mentions(cleaned, X)


# --- a realistic member X, planted everywhere -----------------------------------------------------


async def _plant(db: Database, guild_id: int = GUILD) -> dict[str, Any]:
    """Give X answers, reviews both ways, a streak, a mock profile, avoids both ways, rounds, feedback, drafts."""
    async with db.write() as session:
        session.add(PromptSchedule(guild_id=guild_id, channel_id=500, timezone="UTC", enabled=True))
        session.add(GuildSettings(guild_id=guild_id, admin_role_id=600))
    ids: dict[str, Any] = {"answers": {}, "reviews": {}}
    for day, thread in ((1, 701), (2, 702)):
        async with db.write() as session:  # each prompt is the open one while it is answered
            prompt = DailyPrompt(guild_id=guild_id, local_date=dt.date(2026, 6, day), question_id=f"sql-00{day}",
                                 category="sql", state="threaded", nonce=f"n{day}", channel_id=500,
                                 message_id=800 + day, thread_id=thread, due_at=NOW)  # fmt: skip
            session.add(prompt)
            await session.flush()
            for user in (X, Y):
                (found,) = await answers.submit_answers(session=session, submissions=[answers.Submission(
                    guild_id=guild_id, user_id=user, display_name=f"m{user % 100}",
                    text=f"answer by {user} on {prompt.local_date}", now=NOW,
                )])  # fmt: skip
                assert isinstance(found, answers.AnswerResult), found
                ids["answers"][(user, day)] = found.answer.id
    async with db.write() as session:
        a = ids["answers"]
        for reviewer, author_day in ((Y, (X, 1)), (Z, (X, 1)), (X, (Y, 1)), (X, (Y, 2)), (Z, (Y, 2))):
            result = await reviews.submit_review(session=session, answer_id=a[author_day], reviewer_id=reviewer,
                                                 reviewer_name=f"r{reviewer % 100}", structure=4, clarity=3, depth=5,
                                                 comment=f"comment by {reviewer}", now=NOW)  # fmt: skip
            ids["reviews"][(reviewer, author_day)] = result.review.id
        # What the outbox sender would have recorded: X's day-2 answer shares a post with Y's.
        for (user, day), answer_id in a.items():
            row = await session.get(Answer, answer_id)
            assert row is not None
            row.post_message_id = 9002 if day == 2 else 9101 if user == X else 9102
        for n, review_id in enumerate(ids["reviews"].values()):
            review = await session.get(Review, review_id)
            assert review is not None
            review.notice_message_id = 9500 + n
        session.add(OutboxItem(guild_id=guild_id, channel_id=701, kind="notice", payload={"recipient_id": str(X)}))
        session.add(OutboxItem(guild_id=guild_id, channel_id=702, kind="milestone", state="done",
                               payload={"user_id": str(X), "milestone": 3}, message_id=9900))  # fmt: skip
        session.add(ServerQuestion(guild_id=guild_id, question_id="srv-1", category="sql", data={"id": "srv-1"},
                                   created_by=X))  # fmt: skip
        session.add(RetiredQuestion(guild_id=guild_id, question_id="sql-001", retired_by=X))
    for user in (X, Y, Z):
        async with db.write() as session:
            await mock.join(session=session, guild_id=guild_id, user_id=user, track="data-scientist", level="mid",
                            timezone="UTC", availability="weekday evenings", now=NOW)  # fmt: skip
    async with db.write() as session:
        await mock.set_avoid(session=session, guild_id=guild_id, user_id=X, other_id=Z, avoid=True)
        await mock.set_avoid(session=session, guild_id=guild_id, user_id=Y, other_id=X, avoid=True)
        old = MockRound(guild_id=guild_id, period_key="2026-W20", seed=1, state="done", unpaired=[X],
                        notes={"told": [X, Y]})  # fmt: skip
        live = MockRound(guild_id=guild_id, period_key="2026-W23", seed=2, state="open", unpaired=[])
        session.add_all([old, live])
        await session.flush()
        pair = MockGroup(round_id=live.id or 0, guild_id=guild_id, state="threaded", thread_id=1200, outcome="met",
                         outcome_by=X, outcome_at=NOW)  # fmt: skip
        trio = MockGroup(round_id=old.id or 0, guild_id=guild_id, state="threaded", thread_id=1100)
        session.add_all([pair, trio])
        await session.flush()
        session.add_all([
            MockGroupMember(group_id=pair.id or 0, user_id=X, guild_id=guild_id, position=0, pack=["sql-002"]),
            MockGroupMember(group_id=pair.id or 0, user_id=Z, guild_id=guild_id, position=1),
            MockGroupMember(group_id=trio.id or 0, user_id=X, guild_id=guild_id, position=0),
            MockGroupMember(group_id=trio.id or 0, user_id=Y, guild_id=guild_id, position=1),
            MockGroupMember(group_id=trio.id or 0, user_id=Z, guild_id=guild_id, position=2),
        ])  # fmt: skip
        scores = {"communication": 4, "structure": 3, "technical_depth": 5, "problem_solving": 4, "culture": 5}
        for giver, recipient in ((X, Z), (Z, X), (Y, Z)):
            session.add(MockFeedback(group_id=pair.id or 0, guild_id=guild_id, giver_id=giver, recipient_id=recipient,
                                     signal="yes", strengths=f"from {giver}", improve="pace", **scores))  # fmt: skip
        session.add(FeedbackDraft(group_id=trio.id or 0, giver_id=X, recipient_id=Y, guild_id=guild_id,
                                  scores={"communication": 3}))  # fmt: skip
        session.add(FeedbackDraft(group_id=trio.id or 0, giver_id=Y, recipient_id=X, guild_id=guild_id,
                                  scores={"communication": 2}))  # fmt: skip
        ids["pair"], ids["trio"], ids["live"] = pair.id, trio.id, live.id
    return ids


def _names(value: Any, user_id: int) -> bool:
    if isinstance(value, dict | list):
        return str(user_id) in json.dumps(value)
    return str(user_id) in str(value)


async def test_export_holds_everything_about_the_member(database: Database) -> None:
    """The export has the profile, answers with reviews received, reviews given, feedback, streak, pairing, avoids."""
    await _plant(database)
    async with database.read() as session:
        data = await privacy.export(session=session, guild_id=GUILD, user_id=X, now=NOW)
    json.dumps(data)  # JSON-able as it is
    assert data["user_id"] == str(X) and data["profile"]["track"] == "data-scientist"
    assert [a["text"] for a in data["answers"]] == [f"answer by {X} on 2026-06-01", f"answer by {X} on 2026-06-02"]
    received = data["answers"][0]["reviews_received"]
    assert {r["comment"] for r in received} == {f"comment by {Y}", f"comment by {Z}"}
    assert len(data["reviews_given"]) == 2 and {r["comment"] for r in data["reviews_given"]} == {f"comment by {X}"}
    assert [f["strengths"] for f in data["feedback_received"]] == [f"from {Z}"]
    assert "reported_at" not in data["feedback_received"][0] and "report_note" not in data["feedback_received"][0]
    assert [f["recipient_id"] for f in data["feedback_given"]] == [str(Z)]
    assert [d["recipient_id"] for d in data["feedback_drafts"]] == [str(Y)]
    assert data["streak"]["summary"]["total_answers"] == 2 and data["streak"]["summary"]["reviews_given"] == 2
    assert len(data["streak"]["days"]) == 2 and data["streak"]["periods"]
    assert data["streak"]["reminders"]["remind"] is False
    groups = data["pairing"]["groups"]
    assert len(groups) == 2 and groups[1]["outcome_by_me"] and groups[1]["pack"] == ["sql-002"]
    assert data["pairing"]["unpaired_rounds"] == ["2026-W20"]
    assert len(data["avoid_list"]["entries"]) == 1 and "hash" in data["avoid_list"]["note"]
    assert str(Z) not in json.dumps(data["avoid_list"])
    assert [q["question_id"] for q in data["questions_added"]] == ["srv-1"]
    assert all("reviewer_id" not in r for r in received)  # reviewers appear as the bot showed them: by name


async def test_delete_leaves_no_row_naming_the_member(database: Database) -> None:
    """After delete, no cell of any table holds X's id, except other members' avoid entries (keyed hashes)."""
    ids = await _plant(database)
    await _plant(database, OTHER_GUILD)  # X's data on another server is not touched
    async with database.write() as session:
        erased = await privacy.delete_member(session=session, guild_id=GUILD, user_id=X)
    assert erased.counts["answer"] == 2 and erased.counts["review"] == 4 and erased.own_messages == 0
    async with database.read() as session:
        named = []
        for table in metadata.sorted_tables:
            where = [table.c.guild_id == GUILD] if "guild_id" in table.c else []
            for row in (await session.execute(select(table).where(*where))).mappings():
                named.extend(f"{table.name}.{k}" for k, v in row.items() if _names(v, X))
        assert named == [], named
        elsewhere = (await session.scalars(select(Answer).where(col(Answer.guild_id) == OTHER_GUILD,
                                                                col(Answer.user_id) == X))).all()  # fmt: skip
        assert len(elsewhere) == 2
        avoided = (await session.scalars(select(MockAvoid).where(col(MockAvoid.guild_id) == GUILD))).all()
        assert [a.user_id for a in avoided] == [Y]  # Y's entry naming X stays, as a hash; X's own list is gone
        pair = await session.get(MockGroup, ids["pair"])
        trio = await session.get(MockGroup, ids["trio"])
        live = await session.get(MockRound, ids["live"])
        assert pair is not None and pair.state == "dissolved" and pair.outcome_by is None
        assert trio is not None and trio.state == "threaded"  # two members remain
        assert live is not None and live.unpaired == [Z]  # Z lost their partner in the open round
        queued = select(OutboxItem).where(col(OutboxItem.guild_id) == GUILD, col(OutboxItem.state) == "pending")
        pending = (await session.scalars(queued)).all()
    deletes = sorted(i.message_id for i in pending if i.kind == OutboxKind.MESSAGE_DELETE)
    # X's own post (day 1), the notices of the 2 reviews X received and the 2 X gave; the day-2 post is shared;
    # And a sent post whose outbox item recorded its message and named X (a milestone note).
    assert 9101 in deletes and 9900 in deletes and 9002 not in deletes and len(deletes) == 6
    redraw = {i.ref_id for i in pending if i.kind == "answer_edit"}
    assert ids["answers"][(Y, 2)] in redraw and ids["answers"][(Y, 1)] in redraw
    assert sorted(erased.deletions) == sorted(i.id for i in pending if i.kind == OutboxKind.MESSAGE_DELETE)


async def test_delete_keeps_others_tallies_consistent(database: Database) -> None:
    """Reviews X received are uncounted from their reviewers; X's reviews of others leave the others' tallies alone."""
    await _plant(database)
    async with database.write() as session:
        await privacy.delete_member(session=session, guild_id=GUILD, user_id=X)
    async with database.read() as session:
        for user in (Y, Z):
            streak = await session.get(MemberStreak, (GUILD, user))
            reviews = (await session.scalars(select(Review).where(col(Review.reviewer_id) == user,
                                                                  col(Review.guild_id) == GUILD))).all()  # fmt: skip
            periods = (await session.scalars(select(PeriodStat).where(
                col(PeriodStat.guild_id) == GUILD, col(PeriodStat.user_id) == user,
                col(PeriodStat.period) == "week"))).all()  # fmt: skip
            assert streak is not None and streak.reviews_given == len(reviews)
            assert sum(p.reviews for p in periods) == len(reviews)
        y_streak = await session.get(MemberStreak, (GUILD, Y))
        assert y_streak is not None and y_streak.total_answers == 2  # Y's own answers are untouched


async def test_delete_twice_is_harmless(database: Database) -> None:
    """A second delete finds nothing and changes nothing."""
    await _plant(database)
    async with database.write() as session:
        first = await privacy.delete_member(session=session, guild_id=GUILD, user_id=X)
    async with database.write() as session:
        second = await privacy.delete_member(session=session, guild_id=GUILD, user_id=X)
    assert first.rows > 0 and second.rows == 0 and second.deletions == []


async def test_a_returning_member_is_still_avoided(database: Database) -> None:
    """Y avoided X; X erases their data and joins again: the pair is still never made."""
    await _plant(database)
    async with database.write() as session:
        await privacy.delete_member(session=session, guild_id=GUILD, user_id=X)
    async with database.write() as session:
        await mock.join(session=session, guild_id=GUILD, user_id=X, track="data-scientist", level="mid",
                        timezone="UTC", availability="weekday evenings", now=NOW)  # fmt: skip
        pairs = await mock.avoid_pairs(session=session, guild_id=GUILD, user_ids=[X, Y, Z])
        assert frozenset((X, Y)) in pairs and frozenset((X, Z)) not in pairs  # X's own list went with X
        result = await rounds.create_round(session=session, guild_id=GUILD, period_key="2026-W30", now=NOW,
                                           channel_id=None, followup_at=None)  # fmt: skip
        groups = await rounds.round_groups(session=session, round_id=result.round.id or 0)
    for _group, members in groups:
        assert {X, Y} - {m.user_id for m in members}, "X was paired with Y, who avoided them"


async def test_guild_purge_after_grace_and_not_before(database: Database) -> None:
    """A departed server's rows go from every table once due; another server's stay; a return cancels it."""
    await _plant(database)
    await _plant(database, OTHER_GUILD)
    async with database.write() as session:
        await departures.record_departure(session=session, guild_id=GUILD, now=NOW, grace_days=30)
        await departures.record_departure(session=session, guild_id=OTHER_GUILD, now=NOW, grace_days=30)
    async with database.write() as session:
        assert await departures.purge_guild(session=session, guild_id=GUILD, now=NOW + dt.timedelta(days=29)) is None
        assert await departures.cancel_departure(session=session, guild_id=OTHER_GUILD)
    later = NOW + dt.timedelta(days=30)
    async with database.read() as session:
        assert await departures.due_departures(session=session, now=later) == [GUILD]
    async with database.write() as session:
        counts = await departures.purge_guild(session=session, guild_id=GUILD, now=later)
        assert counts is not None and counts["answer"] == 4
        assert await departures.purge_guild(session=session, guild_id=OTHER_GUILD, now=later) is None
    async with database.read() as session:
        for table in departures.guild_tables():
            left = (await session.execute(select(table).where(table.c.guild_id == GUILD))).all()
            assert left == [], table.name
        kept = (await session.scalars(select(Answer).where(col(Answer.guild_id) == OTHER_GUILD))).all()
        assert len(kept) == 4 and await session.get(GuildDeparture, GUILD) is None
