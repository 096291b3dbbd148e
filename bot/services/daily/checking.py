"""Checking an answer: its final number against the question's answer, its SQL's result against the reference's.

A check tells the member privately what it found; the answer keeps a public badge (✅ or ❌)
only when there was something to check. A number that cannot be read leaves no badge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.models.daily import Verdict
from bot.services.questions.numbers import parse_number
from bot.services.questions.results import compare
from bot.services.questions.schema import Question
from bot.text import clip, is_blank, visible

FINAL_ANSWER_MAX = 100


@dataclass(frozen=True, slots=True)
class Check:
    """What a check found: the verdict (None: nothing could be checked) and what to tell the member."""

    verdict: Verdict | None
    message: str


def check_number(question: Question, typed: str | None) -> Check | None:
    """Check a typed final answer against the question's number; None when there is nothing to check."""
    if question.answer is None or typed is None or is_blank(typed):
        return None
    shown = clip(visible(typed), 40)
    value = parse_number(typed)
    if value is None:
        return Check(None, f"I could not read a number in `{shown}` (write it as 0.19, 19%, 1/6 or 1.2e-3): "
                           "your answer is saved without a check.")  # fmt: skip
    part = f" for part ({question.answer.part})" if question.answer.part else ""
    if question.answer.accepts(value):
        return Check(Verdict.RIGHT, f"✅ `{shown}` is right{part}.")
    return Check(Verdict.WRONG, f"❌ `{shown}` is not the expected number{part}: the model answer shows the working.")


def check_rows(reference: Sequence[Sequence[Any]], rows: Sequence[Sequence[Any]], *, ordered: bool) -> Check:
    """Compare a query's rows with the reference's: ✅, or ❌ with what differs."""
    difference = compare(reference, rows, ordered=ordered)
    if difference is None:
        return Check(Verdict.RIGHT, "✅ Your query's result matches the expected result.")
    return Check(Verdict.WRONG, "❌ Your query's result differs:\n```\n" + clip(difference.describe(), 1500) + "\n```")


def query_failed(message: str) -> Check:
    """A query that did not run: ❌ with the database's (or the sandbox's) message."""
    return Check(Verdict.WRONG, "❌ Your query did not run:\n```\n" + clip(message, 1500) + "\n```")


def badge(verdict: Verdict | None, *, after_model_answer: bool) -> str:
    """Return an answer's public badge: ✅ or ❌, marked when checked after its author saw the model answer."""
    if verdict is None:
        return ""
    mark = "✅" if verdict is Verdict.RIGHT else "❌"
    return f"{mark} after model answer" if after_model_answer else mark
