"""Mock packs shaped like an interview loop: screen → culture → technical → product case."""

from __future__ import annotations

import datetime as dt

from bot.db import Database
from bot.models import Answer, DailyPrompt, MockGroup, MockGroupMember, MockProfile, MockRound
from bot.models.mock import GroupState, Level, RoundState
from bot.services.daily.schedule import category_for
from bot.services.mock import groups
from bot.services.questions.bank import QuestionBank
from bot.services.questions.schema import CATEGORIES, Question

GUILD, ME, PEER = 1, 10, 20
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
STAGES = ["screen", "culture", "technical", "product-case"]


def question(qid: str, category: str, round_: str, tracks: list[str]) -> Question:
    """A minimal valid question."""
    return Question.model_validate({
        "id": qid, "category": category, "round": round_, "tracks": tracks, "difficulty": "medium",
        "prompt": f"Question {qid}: tell me how you would approach it.", "rubric": ["Point one", "Point two"],
    })  # fmt: skip


DS, QA = ["data-scientist"], ["quant-analyst"]
BANK = QuestionBank([
    question("pp-1", "past-projects", "screen", DS), question("pp-2", "past-projects", "screen", DS),
    question("beh-1", "behavioral", "culture", DS), question("beh-2", "behavioral", "culture", QA),
    question("ml-1", "machine-learning", "technical", DS), question("ml-2", "machine-learning", "technical", DS),
    question("stat-1", "statistics-probability", "technical", QA),
    question("case-1", "case", "product-case", DS), question("case-2", "case", "product-case", DS),
])  # fmt: skip


async def _group(db: Database, *, seed: int = 1, earlier_pack: list[str] | None = None) -> int:
    """A round with one pair (ME, PEER); ME is a data scientist; an earlier round's pack of ME when given."""
    async with db.write() as session:
        session.add(MockProfile(guild_id=GUILD, user_id=ME, track="data-scientist", level=Level.MID, timezone="UTC",
                                availability_text="evenings", slots=[18], created_at=NOW, updated_at=NOW))  # fmt: skip
        group_ids = []
        for index, pack in enumerate([earlier_pack, None] if earlier_pack else [None]):
            round_row = MockRound(guild_id=GUILD, period_key=f"2026-W{20 + index}", seed=seed + index,
                                  state=RoundState.OPEN, channel_id=1, created_at=NOW)  # fmt: skip
            session.add(round_row)
            await session.flush()
            group = MockGroup(round_id=round_row.id or 0, guild_id=GUILD, state=GroupState.THREADED, created_at=NOW)
            session.add(group)
            await session.flush()
            session.add(MockGroupMember(group_id=group.id or 0, user_id=ME, guild_id=GUILD, position=0, pack=pack))
            session.add(MockGroupMember(group_id=group.id or 0, user_id=PEER, guild_id=GUILD, position=1))
            group_ids.append(group.id or 0)
        return group_ids[-1]


async def _answered(db: Database, question_id: str, day: int) -> None:
    """ME answered a daily prompt that asked ``question_id`` on June ``day``."""
    async with db.write() as session:
        prompt = DailyPrompt(guild_id=GUILD, local_date=dt.date(2026, 5, day), question_id=question_id,
                             category="x", nonce=f"n{question_id}", channel_id=1, due_at=NOW)  # fmt: skip
        session.add(prompt)
        await session.flush()
        when = NOW - dt.timedelta(days=30 - day)
        session.add(Answer(prompt_id=prompt.id or 0, guild_id=GUILD, user_id=ME, text="mine", created_at=when,
                           updated_at=when))  # fmt: skip


async def _pack(db: Database, group_id: int) -> list[Question]:
    async with db.write() as session:
        interviewee, questions = await groups.pack_for(session=session, bank=BANK, group_id=group_id, viewer_id=PEER)
    assert interviewee == ME
    return questions


async def test_a_pack_follows_the_loop_and_skips_met_questions(database: Database) -> None:
    """One question per stage, in the loop's order; answered daily prompts and earlier packs count as met."""
    group = await _group(database, earlier_pack=["pp-1", "ml-1"])
    await _answered(database, "case-1", 3)
    pack = await _pack(database, group)
    assert [q.round.value if q.round else "" for q in pack] == STAGES
    assert [q.id for q in pack] == ["pp-2", "beh-1", "ml-2", "case-2"]


async def test_a_stage_with_nothing_new_for_the_track_falls_back_sensibly(database: Database) -> None:
    """Technical keeps the track (the one met longest ago) over an unmet question of another track;
    culture prefers an unmet question of another track over one already met."""
    await _answered(database, "ml-1", 2)  # met longest ago
    await _answered(database, "ml-2", 9)
    await _answered(database, "beh-1", 5)
    group = await _group(database)
    pack = await _pack(database, group)
    by_stage = {q.round.value if q.round else "": q.id for q in pack}
    assert by_stage["technical"] == "ml-1"  # not stat-1, the quant analysts' unmet question
    assert by_stage["culture"] == "beh-2"  # unmet, though of another track


async def test_a_pack_is_chosen_once_and_kept(database: Database) -> None:
    """Pressing again shows the same pack."""
    group = await _group(database)
    assert [q.id for q in await _pack(database, group)] == [q.id for q in await _pack(database, group)]


def test_coding_joins_the_default_rotation_only() -> None:
    """Round-robin cycles through every category, coding included; an explicit rotation keeps its own."""
    day = dt.date(2026, 6, 1)  # a Monday
    assert {category_for(day, None, i) for i in range(len(CATEGORIES))} == set(CATEGORIES)
    assert "coding" in CATEGORIES
    explicit = {0: "sql", 2: "behavioral"}
    assert {category_for(day + dt.timedelta(days=d), explicit, d) for d in range(14)} <= {"sql", "behavioral"}
