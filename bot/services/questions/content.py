"""What `drillbot questions check` asks of the shipped bank beyond the schema.

Every shipped question has its `round` written out and a model answer (`solution`, about
600-2,500 characters); an `answer` agrees with the number after `**Answer:**` in the solution;
and every SQL question has a dataset whose reference query runs, returns rows and does not
depend on row order, with 2-4 pitfalls that run and give a different result. Server questions
keep the schema's checks only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from bot.services.questions import datasets
from bot.services.questions.loader import QuestionError, parse_questions
from bot.services.questions.results import compare
from bot.services.questions.schema import CATEGORIES, Question

SOLUTION_LENGTH = (600, 2500)
PITFALLS = (2, 4)
ANSWER_LINE = re.compile(r"\*\*Answer:\*\*\s*([-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


class _Lines:
    """Where each question and each of its fields start in a file, for reports."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.ids: dict[str, int] = {}
        for number, raw in enumerate(self.lines, start=1):
            stripped = raw.strip().removeprefix("- ").strip()
            if stripped.startswith("id:"):
                self.ids.setdefault(stripped[3:].strip().strip("'\""), number)

    def of(self, question_id: str, field: str | None = None) -> int:
        start = self.ids.get(question_id, 1)
        if field is None:
            return start
        for number in range(start, len(self.lines) + 1):
            raw = self.lines[number - 1]
            if number > start and raw.lstrip().startswith("- id:"):
                break
            if raw.strip().removeprefix("- ").startswith(f"{field}:"):
                return number
        return start


def check_file(path: Path) -> list[QuestionError]:
    """Check one shipped category file: the schema, then the content rules above."""
    text = path.read_text(encoding="utf-8")
    category = path.stem if path.stem in CATEGORIES else None
    questions, errors = parse_questions(text, file=path.name, expected_category=category)
    if errors:
        return errors
    raw_items = (yaml.safe_load(text) or {}).get("questions") or []
    lines = _Lines(text)
    for question, raw in zip(questions, raw_items, strict=True):
        for field, reason in question_problems(question, raw):
            errors.append(QuestionError(path.name, lines.of(question.id, field.split("[")[0]), f"{question.id}.{field}",
                                        reason))  # fmt: skip
    return errors


def question_problems(question: Question, raw: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (field, reason) for every content rule ``question`` breaks."""
    problems: list[tuple[str, str]] = []
    if "round" not in raw:
        problems.append(("round", "write the question's round out (screen, culture, technical or product-case)"))
    low, high = SOLUTION_LENGTH
    if question.solution is None:
        problems.append(("solution", "every shipped question needs a model answer"))
    elif not low <= len(question.solution) <= high:
        problems.append(("solution", f"{len(question.solution)} characters; a model answer has {low}-{high}"))
    problems += _answer_problems(question)
    if question.category == "sql":
        problems += sql_problems(question)
    return problems


def _answer_problems(question: Question) -> list[tuple[str, str]]:
    if question.answer is None:
        return []
    found = ANSWER_LINE.findall(question.solution or "")
    if len(found) != 1:
        return [("answer", f"the solution needs exactly one '**Answer:** <number>' line ({len(found)} found)")]
    number = float(found[0].replace(",", ""))
    if not question.answer.accepts(number):
        return [("answer", f"value {question.answer.value:g} disagrees with the solution's **Answer:** {found[0]}")]
    return []


def sql_problems(question: Question) -> list[tuple[str, str]]:
    """Run the reference and pitfalls on the dataset: the reference must be stable, each pitfall different."""
    if question.dataset is None or question.reference is None:
        return [("dataset", "a shipped SQL question needs a dataset and a reference query")]
    problems: list[tuple[str, str]] = []
    low, high = PITFALLS
    if not low <= len(question.pitfalls) <= high:
        problems.append(("pitfalls", f"give {low}-{high} pitfalls ({len(question.pitfalls)} given)"))
    queries = [("reference", question.reference)] + [
        (f"pitfalls[{i}]", p.query) for i, p in enumerate(question.pitfalls)
    ]
    for field, query in queries:
        unstable = datasets.UNSTABLE.search(query)
        if unstable:
            name = unstable[0].rstrip("( ")
            problems.append((field, f"uses {name}, whose result changes from run to run: state a fixed date instead"))
    if problems:
        return problems
    results = {}
    for field, query in queries:
        try:
            first = datasets.run(question.dataset, query)
            second = datasets.run(question.dataset, query, reverse=True)
        except Exception as exc:  # the database's own message is the report
            problems.append((field, f"fails on the dataset: {_first_line(exc)}"))
            continue
        if compare(first.rows, second.rows, ordered=question.ordered) is not None:
            problems.append((field, "gives a different result when the rows are inserted in another order"))
        results[field] = first
    reference = results.get("reference")
    if reference is None:
        return problems
    if not reference.rows:
        problems.append(("reference", "returns no rows on the dataset"))
    for field, result in results.items():
        if field != "reference" and compare(reference.rows, result.rows, ordered=question.ordered) is None:
            problems.append((field, "gives the reference's result: a pitfall must give a different one"))
    return problems


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]


def check_directory(directory: Path) -> list[QuestionError]:
    """Check every category file of a shipped bank, and ids unique across files."""
    from bot.services.questions.loader import QuestionFileError, load_directory

    try:
        load_directory(directory)
    except QuestionFileError as exc:
        return exc.errors
    errors: list[QuestionError] = []
    for path in sorted(directory.glob("*.yaml")):
        errors += check_file(path)
    return errors


def check_path(path: Path) -> list[QuestionError]:
    """Check a shipped bank (a directory), a category file (as shipped), or any other file (as an import)."""
    if path.is_dir():
        return check_directory(path)
    if not path.is_file():
        return [QuestionError(str(path), 0, "(path)", "no such file or directory")]
    if path.stem in CATEGORIES:
        return check_file(path)
    return parse_questions(path.read_text(encoding="utf-8"), file=path.name)[1]
