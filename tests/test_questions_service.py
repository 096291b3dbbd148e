"""A server's questions: import all-or-nothing, export round-trip, retirement, isolation."""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.services import questions as svc
from bot.services.questions.bank import QuestionBank
from bot.services.questions.loader import QuestionFileError

GUILD, OTHER = 1001, 2002

FILE = b"""\
questions:
  - id: team-001
    category: case
    tracks: [business-analyst, data-scientist]
    difficulty: medium
    prompt: Estimate how many households in a mid-sized country would pay for a sports add-on.
    follow_ups: ["Which number in your estimate are you least sure of?"]
    rubric: [Segments households before multiplying, States assumptions with numbers, Sanity-checks the result]
    hints: [Start from households, not people.]
  - id: team-002
    category: sql
    tracks: [data-analyst]
    difficulty: easy
    prompt: Return each user's first play date and the title they played first.
    rubric: [Uses ROW_NUMBER or MIN with a join back, Breaks ties deterministically]
    schema: plays(user_id BIGINT, title_id BIGINT, played_at TIMESTAMP)
"""


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load()


async def _import(db: Database, bank: QuestionBank, data: bytes, guild: int = GUILD) -> svc.ImportResult:
    async with db.write() as session:
        return await svc.import_questions(
            session=session, bank=bank, guild_id=guild, data=data, author_id=5, file="f.yaml"
        )


async def test_import_adds_questions_visible_to_that_server_only(database: Database, bank: QuestionBank) -> None:
    """Imported questions join the server's pool and nobody else's."""
    result = await _import(database, bank, FILE)
    assert (result.added, result.updated) == (2, 0)
    async with database.read() as session:
        mine = await svc.question_pool(session=session, bank=bank, guild_id=GUILD, category="case", tracks=None)
        theirs = await svc.question_pool(session=session, bank=bank, guild_id=OTHER, category="case", tracks=None)
        assert await svc.find_question(session=session, bank=bank, guild_id=OTHER, question_id="team-001") is None
    assert "team-001" in {q.id for q in mine} and "team-001" not in {q.id for q in theirs}
    assert len(mine) == len(theirs) + 1


async def test_a_bad_import_stores_nothing(database: Database, bank: QuestionBank) -> None:
    """One invalid question rejects the whole file, with every problem reported."""
    bad = FILE.replace(b"difficulty: easy", b"difficulty: brutal").replace(b"category: case", b"category: cooking")
    with pytest.raises(QuestionFileError) as info:
        await _import(database, bank, bad)
    assert {e.field for e in info.value.errors} == {"questions[0].category", "questions[1].difficulty"}
    assert all(e.line > 0 for e in info.value.errors)
    async with database.read() as session:
        assert await svc.server_questions(session=session, guild_id=GUILD) == []


async def test_import_refuses_shipped_ids_and_oversized_files(database: Database, bank: QuestionBank) -> None:
    """A server cannot overwrite a shipped question, nor send an oversized file."""
    shipped_id = bank.ids()[0].encode()
    with pytest.raises(QuestionFileError, match="shipped"):
        await _import(database, bank, FILE.replace(b"team-001", shipped_id))
    with pytest.raises(QuestionFileError, match="KiB"):
        await _import(database, bank, FILE + b"#" * svc.IMPORT_MAX_BYTES)
    async with database.read() as session:
        assert await svc.server_questions(session=session, guild_id=GUILD) == []


async def test_export_then_import_round_trips(database: Database, bank: QuestionBank) -> None:
    """What export writes, import accepts back unchanged, on this server or another."""
    await _import(database, bank, FILE)
    async with database.read() as session:
        text, count = await svc.export_questions(session=session, guild_id=GUILD)
    assert count == 2
    again = await _import(database, bank, text.encode())
    assert (again.added, again.updated) == (0, 2)
    elsewhere = await _import(database, bank, text.encode(), guild=OTHER)
    assert elsewhere.added == 2
    async with database.read() as session:
        assert await svc.server_questions(session=session, guild_id=OTHER) == await svc.server_questions(
            session=session, guild_id=GUILD
        )


async def test_retire_and_restore_a_shipped_question(database: Database, bank: QuestionBank) -> None:
    """A retired shipped question leaves this server's pool only, and can be restored."""
    target = next(q for q in bank.all() if q.category == "sql")
    async with database.write() as session:
        found = await svc.set_retired(session=session, bank=bank, guild_id=GUILD, question_id=target.id, by=5)
        assert found is not None and found.retired
        again = await svc.set_retired(session=session, bank=bank, guild_id=GUILD, question_id=target.id, by=5)
        assert again is not None
        assert await svc.set_retired(session=session, bank=bank, guild_id=GUILD, question_id="nope-404", by=5) is None
    async with database.read() as session:
        pool = await svc.question_pool(session=session, bank=bank, guild_id=GUILD, category="sql", tracks=None)
        other = await svc.question_pool(session=session, bank=bank, guild_id=OTHER, category="sql", tracks=None)
    assert target.id not in {q.id for q in pool} and target.id in {q.id for q in other}
    async with database.write() as session:
        await svc.set_retired(session=session, bank=bank, guild_id=GUILD, question_id=target.id, by=5, retired=False)
    async with database.read() as session:
        pool = await svc.question_pool(session=session, bank=bank, guild_id=GUILD, category="sql", tracks=None)
    assert target.id in {q.id for q in pool}


async def test_server_ids_are_generated_without_clashes(database: Database, bank: QuestionBank) -> None:
    """Ids for modal-added questions count up per category."""
    await _import(database, bank, FILE.replace(b"team-002", b"sql-s1"))
    async with database.read() as session:
        assert await svc.next_server_id(session=session, guild_id=GUILD, category="sql") == "sql-s2"
        assert await svc.next_server_id(session=session, guild_id=OTHER, category="sql") == "sql-s1"
