"""The schema every interview question must satisfy, shipped or server-made."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from bot.text import visible

CATEGORIES: tuple[str, ...] = (
    "behavioral",
    "culture",
    "sql",
    "statistics-probability",
    "machine-learning",
    "experimentation",
    "product-sense",
    "case",
    "past-projects",
)
TRACKS: tuple[str, ...] = (
    "data-scientist",
    "data-analyst",
    "ml-engineer",
    "data-engineer",
    "analytics-engineer",
    "business-analyst",
    "quant-analyst",
)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")

# Limits chosen so a question pack (3 questions with rubric and hints) fits in one embed set.
PROMPT_MAX = 1200
ITEM_MAX = 300
SCHEMA_MAX = 1500

# Text counts by what is visible: zero-width and other invisible characters at the ends go, like spaces.
Visible = BeforeValidator(lambda value: visible(value) if isinstance(value, str) else value)
Item = Annotated[str, StringConstraints(min_length=3, max_length=ITEM_MAX), Visible]


class Difficulty(StrEnum):
    """How hard a question is."""

    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class Question(BaseModel):
    """One interview question with what the interviewer needs to score it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    category: str
    tracks: list[str] = Field(min_length=1)
    difficulty: Difficulty
    prompt: Annotated[str, StringConstraints(min_length=20, max_length=PROMPT_MAX), Visible]
    follow_ups: list[Item] = Field(default_factory=list, max_length=5)
    rubric: list[Item] = Field(min_length=2, max_length=8)
    hints: list[Item] = Field(default_factory=list, max_length=5)
    schema_sql: Annotated[str, StringConstraints(max_length=SCHEMA_MAX), Visible] | None = Field(
        default=None, alias="schema"
    )

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not ID_PATTERN.match(value):
            raise ValueError("id must be 2-40 characters of a-z, 0-9 and '-', starting with a letter or digit")
        return value

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; expected one of: {', '.join(CATEGORIES)}")
        return value

    @field_validator("tracks")
    @classmethod
    def _known_tracks(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in TRACKS]
        if unknown:
            raise ValueError(f"unknown track(s) {', '.join(unknown)}; expected any of: {', '.join(TRACKS)}")
        if len(set(value)) != len(value):
            raise ValueError("tracks repeat")
        return value

    @model_validator(mode="after")
    def _sql_needs_schema(self) -> Question:
        if self.category == "sql" and not self.schema_sql:
            raise ValueError("sql questions need a 'schema' with the tables they refer to")
        return self
