"""The shipped question bank as an in-memory index, loaded once at start-up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from bot.services.questions.loader import SHIPPED_DIR, load_directory
from bot.services.questions.schema import Question


class QuestionBank:
    """Shipped questions indexed by id, by category and by (category, track)."""

    def __init__(self, questions: Iterable[Question]) -> None:
        self._by_id: dict[str, Question] = {}
        self._by_category: dict[str, list[Question]] = defaultdict(list)
        self._by_category_track: dict[tuple[str, str], list[Question]] = defaultdict(list)
        for question in sorted(questions, key=lambda q: q.id):
            self._by_id[question.id] = question
            self._by_category[question.category].append(question)
            for track in question.tracks:
                self._by_category_track[(question.category, track)].append(question)

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

    def in_category(self, category: str, tracks: Iterable[str] | None = None) -> list[Question]:
        """Return the questions of a category, limited to any of ``tracks`` when given."""
        if not tracks:
            return list(self._by_category.get(category, []))
        seen: dict[str, Question] = {}
        for track in tracks:
            for question in self._by_category_track.get((category, track), []):
                seen[question.id] = question
        return sorted(seen.values(), key=lambda q: q.id)

    def for_track(self, track: str) -> list[Question]:
        """Return every question tagged with ``track``."""
        return [q for q in self._by_id.values() if track in q.tracks]
