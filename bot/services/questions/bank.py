"""The shipped question bank as an in-memory index, loaded once at start-up."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from bot.services.questions.loader import SHIPPED_DIR, load_directory
from bot.services.questions.schema import Question


class QuestionBank:
    """Shipped questions indexed by id."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self._by_id: dict[str, Question] = {q.id: q for q in sorted(questions, key=lambda q: q.id)}

    @classmethod
    def load(cls, directory: Path = SHIPPED_DIR) -> QuestionBank:
        """Load and validate every shipped file; raise QuestionFileError with the full report."""
        return cls(load_directory(directory))

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._by_id

    def get(self, question_id: str) -> Question | None:
        """Return a shipped question by id."""
        return self._by_id.get(question_id)

    def all(self) -> list[Question]:
        """Return every shipped question, ordered by id."""
        return list(self._by_id.values())

    def ids(self) -> list[str]:
        """Return every shipped id, sorted."""
        return list(self._by_id)
