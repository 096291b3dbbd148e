"""A server's view of the bank: shipped plus its own questions, minus the ones it retired."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.db import insert_ignoring_conflicts, upsert, utcnow
from bot.models import RetiredQuestion, ServerQuestion
from bot.services.errors import Refused
from bot.services.questions.bank import QuestionBank
from bot.services.questions.loader import QuestionError, QuestionFileError, parse_questions
from bot.services.questions.schema import Question
from bot.text import visible

IMPORT_MAX_BYTES = 256 * 1024
IMPORT_MAX_QUESTIONS = 300
SERVER_MAX_QUESTIONS = 1000

Source = Literal["shipped", "server"]


@dataclass(frozen=True, slots=True)
class FoundQuestion:
    """A question as one server sees it."""

    question: Question
    source: Source
    retired: bool


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed."""

    added: int
    updated: int


def to_question(row: ServerQuestion) -> Question:
    """Turn a stored row back into a validated question."""
    return Question.model_validate(row.data)


def prompt_key(prompt: str) -> str:
    """Return a prompt as compared for sameness: visible text, case and spacing ignored."""
    return " ".join(visible(prompt).casefold().split())


def dump_question(question: Question) -> dict[str, object]:
    """Return a question as plain data in the file format (the `schema` key, no empty optionals)."""
    return question.model_dump(by_alias=True, exclude_none=True, mode="json")


async def server_questions(*, session: AsyncSession, guild_id: int) -> list[Question]:
    """Return the server's own questions, ordered by id."""
    rows = await session.scalars(
        select(ServerQuestion).where(col(ServerQuestion.guild_id) == guild_id).order_by(col(ServerQuestion.question_id))
    )
    return [to_question(row) for row in rows]


async def retired_ids(*, session: AsyncSession, guild_id: int) -> set[str]:
    """Return the ids the server has retired."""
    rows = await session.scalars(
        select(col(RetiredQuestion.question_id)).where(col(RetiredQuestion.guild_id) == guild_id)
    )
    return set(rows)


async def find_question(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, question_id: str
) -> FoundQuestion | None:
    """Look a question up by id among the shipped ones and this server's own."""
    retired = await session.get(RetiredQuestion, (guild_id, question_id)) is not None
    shipped = bank.get(question_id)
    if shipped is not None:
        return FoundQuestion(shipped, "shipped", retired)
    row = await session.get(ServerQuestion, (guild_id, question_id))
    return FoundQuestion(to_question(row), "server", retired) if row else None


async def question_of(*, session: AsyncSession, bank: QuestionBank, guild_id: int, question_id: str) -> Question | None:
    """Return a question by id, shipped (no query) or the server's own, whether or not it is retired."""
    shipped = bank.get(question_id)
    if shipped is not None:
        return shipped
    row = await session.get(ServerQuestion, (guild_id, question_id))
    return to_question(row) if row else None


async def active_questions(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, category: str | None = None, track: str | None = None
) -> list[FoundQuestion]:
    """Return the questions in use on the server, optionally by category and track, ordered by id."""
    retired = await retired_ids(session=session, guild_id=guild_id)
    found = [FoundQuestion(q, "shipped", False) for q in bank.all()]
    found += [FoundQuestion(q, "server", False) for q in await server_questions(session=session, guild_id=guild_id)]
    return sorted(
        (
            f
            for f in found
            if f.question.id not in retired
            and (category is None or f.question.category == category)
            and (track is None or track in f.question.tracks)
        ),
        key=lambda f: f.question.id,
    )


async def question_pool(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, category: str, tracks: list[str] | None
) -> list[Question]:
    """Return the active questions of a category for any of ``tracks`` (all tracks when empty)."""
    found = await active_questions(session=session, bank=bank, guild_id=guild_id, category=category)
    return [f.question for f in found if not tracks or set(tracks) & set(f.question.tracks)]


async def next_server_id(*, session: AsyncSession, guild_id: int, category: str) -> str:
    """Return a fresh id for a question added through the modal, e.g. `sql-s3`."""
    existing = set(
        await session.scalars(select(col(ServerQuestion.question_id)).where(col(ServerQuestion.guild_id) == guild_id))
    )
    n = 1
    while f"{category}-s{n}" in existing:
        n += 1
    return f"{category}-s{n}"


def describe_validation(exc: ValidationError) -> str:
    """Explain a failed question in plain words, one problem per line."""
    names = {"prompt": "Question", "rubric": "Rubric", "follow_ups": "Follow-ups", "hints": "Hints", "schema": "Tables"}
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        label = names.get(field, field or "Question")
        lines.append(f"• {label}: {err['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


async def add_question(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, fields: dict[str, Any], author_id: int
) -> Question:
    """Add a question typed into the modal (everything but its id, which is made here); refused with every problem."""
    question_id = await next_server_id(session=session, guild_id=guild_id, category=str(fields.get("category")))
    try:
        question = Question.model_validate({"id": question_id, **fields})
    except ValidationError as exc:
        raise Refused(f"The question was not saved:\n{describe_validation(exc)}") from None
    key = prompt_key(question.prompt)
    same = next((q for q in [*bank.all(), *await server_questions(session=session, guild_id=guild_id)]
                 if prompt_key(q.prompt) == key), None)  # fmt: skip
    if same is not None:
        raise Refused(f"The bank already asks this as `{same.id}` (see `/question show`). Nothing was added.")
    await save_questions(session=session, bank=bank, guild_id=guild_id, questions=[question], author_id=author_id,
                         file="modal")  # fmt: skip
    return question


async def save_questions(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, questions: list[Question], author_id: int, file: str
) -> ImportResult:
    """Store questions for a server all-or-nothing; raise QuestionFileError listing every problem."""
    errors = [
        QuestionError(file, 0, f"questions[{i}].id", f"{q.id!r} is a shipped question's id; choose another")
        for i, q in enumerate(questions)
        if q.id in bank
    ]
    existing = set(
        await session.scalars(select(col(ServerQuestion.question_id)).where(col(ServerQuestion.guild_id) == guild_id))
    )
    new = [q for q in questions if q.id not in existing]
    if len(existing) + len(new) > SERVER_MAX_QUESTIONS:
        errors.append(QuestionError(file, 0, "questions", f"a server holds at most {SERVER_MAX_QUESTIONS} questions"))
    if errors:
        raise QuestionFileError(errors)
    now = utcnow()
    for question in questions:
        values = {
            "guild_id": guild_id,
            "question_id": question.id,
            "category": question.category,
            "data": dump_question(question),
            "created_by": author_id,
            "created_at": now,
            "updated_at": now,
        }
        await session.execute(
            upsert(
                session,
                ServerQuestion,
                values,
                conflict=["guild_id", "question_id"],
                update={"category": question.category, "data": values["data"], "updated_at": now},
            )
        )
    return ImportResult(added=len(new), updated=len(questions) - len(new))


async def import_questions(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, data: bytes, author_id: int, file: str
) -> ImportResult:
    """Import a YAML file of questions all-or-nothing; raise QuestionFileError with the full report."""
    if len(data) > IMPORT_MAX_BYTES:
        raise QuestionFileError([QuestionError(file, 0, "(file)", f"larger than {IMPORT_MAX_BYTES // 1024} KiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise QuestionFileError([QuestionError(file, 0, "(file)", "not UTF-8 text")]) from None
    questions, errors = parse_questions(text, file=file)
    if errors:
        raise QuestionFileError(errors)
    if len(questions) > IMPORT_MAX_QUESTIONS:
        raise QuestionFileError([QuestionError(file, 1, "questions", f"at most {IMPORT_MAX_QUESTIONS} per import")])
    return await save_questions(
        session=session, bank=bank, guild_id=guild_id, questions=questions, author_id=author_id, file=file
    )


async def export_questions(*, session: AsyncSession, guild_id: int) -> tuple[str, int]:
    """Return the server's own questions as a YAML document that import accepts, and their count."""
    questions = await server_questions(session=session, guild_id=guild_id)
    body = {"questions": [dump_question(q) for q in questions]}
    return yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100), len(questions)


async def set_retired(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, question_id: str, by: int, retired: bool = True
) -> FoundQuestion | None:
    """Retire (or restore) a shipped or server question for this server; None if the id is unknown."""
    found = await find_question(session=session, bank=bank, guild_id=guild_id, question_id=question_id)
    if found is None:
        return None
    if retired:
        await session.execute(
            insert_ignoring_conflicts(
                session,
                RetiredQuestion,
                {"guild_id": guild_id, "question_id": question_id, "retired_by": by, "retired_at": utcnow()},
                conflict=["guild_id", "question_id"],
            )
        )
    else:
        await session.execute(
            delete(RetiredQuestion).where(
                col(RetiredQuestion.guild_id) == guild_id,
                col(RetiredQuestion.question_id) == question_id,
            )
        )
    return FoundQuestion(found.question, found.source, retired)


async def search_ids(
    *, session: AsyncSession, bank: QuestionBank, guild_id: int, text: str, limit: int = 25
) -> list[Question]:
    """Return up to ``limit`` questions whose id starts with, or whose id or prompt contains, ``text``."""
    needle = text.strip().lower()
    found = [f.question for f in await active_questions(session=session, bank=bank, guild_id=guild_id)]
    starts = [q for q in found if q.id.startswith(needle)]
    contains = [q for q in found if q not in starts and (needle in q.id or needle in q.prompt.lower())]
    return (starts + contains)[:limit]
