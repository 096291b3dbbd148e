"""The bank's counts per category, round, track and difficulty, as the Markdown kept in questions/FORMAT.md."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from bot.services.questions.schema import CATEGORIES, TRACKS, Difficulty, Question, Round

BEGIN = "<!-- counts: written by `drillbot questions counts --write`; do not edit by hand -->"
END = "<!-- /counts -->"


def counts_markdown(questions: Iterable[Question]) -> str:
    """Return the counts as Markdown tables: per category (by difficulty), per round, per track."""
    questions = list(questions)
    levels = list(Difficulty)
    lines = [f"{len(questions)} questions, {sum(q.solution is not None for q in questions)} with a model answer, "
             f"{sum(q.answer is not None for q in questions)} with a checked number, "
             f"{sum(q.dataset is not None for q in questions)} with a dataset.", ""]  # fmt: skip
    lines += ["| category | " + " | ".join(d.value for d in levels) + " | total |",
              "|---|" + "---:|" * (len(levels) + 1)]  # fmt: skip
    for category in CATEGORIES:
        by_level = Counter(q.difficulty for q in questions if q.category == category)
        cells = [str(by_level[d]) for d in levels] + [str(sum(by_level.values()))]
        lines.append(f"| {category} | " + " | ".join(cells) + " |")
    by_round = Counter(q.round for q in questions)
    lines += ["", "| round | questions |", "|---|---:|"]
    lines += [f"| {r.value} | {by_round[r]} |" for r in Round]
    lines += ["", "| track | questions | categories |", "|---|---:|---:|"]
    for track in TRACKS:
        mine = [q for q in questions if track in q.tracks]
        lines.append(f"| {track} | {len(mine)} | {len({q.category for q in mine})} |")
    return "\n".join(lines)


def with_counts(document: str, questions: Iterable[Question]) -> str:
    """Return ``document`` with its counts section replaced by the current counts."""
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{counts_markdown(questions)}\n{END}{tail}"


def format_file(directory: Path) -> Path:
    """Return the bank's FORMAT.md."""
    return directory / "FORMAT.md"
