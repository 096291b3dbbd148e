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
    "coding",
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


class Round(StrEnum):
    """The stage of an interview loop a question belongs to."""

    SCREEN = "screen"  # recruiter or phone screen: past projects, motivation
    CULTURE = "culture"
    TECHNICAL = "technical"
    PRODUCT_CASE = "product-case"


DEFAULT_ROUND: dict[str, Round] = {
    "behavioral": Round.CULTURE, "culture": Round.CULTURE, "past-projects": Round.SCREEN,
    "sql": Round.TECHNICAL, "statistics-probability": Round.TECHNICAL, "machine-learning": Round.TECHNICAL,
    "experimentation": Round.TECHNICAL, "coding": Round.TECHNICAL,
    "product-sense": Round.PRODUCT_CASE, "case": Round.PRODUCT_CASE,
}  # fmt: skip
SOLUTION_MIN, SOLUTION_MAX = 300, 3000  # shipped solutions are held to about 600-2,500 by `questions check`
QUERY_MAX = 4000
TABLE_ROWS_MAX = 80
COLUMN_TYPES = re.compile(
    r"^(BIGINT|INTEGER|SMALLINT|DOUBLE|DECIMAL\(\d{1,2},\s*\d{1,2}\)|BOOLEAN|DATE|TIME|TIMESTAMP|TIMESTAMPTZ"
    r"|VARCHAR|TEXT|INTERVAL)$"
)
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,39}$")


class NumericAnswer(BaseModel):
    """The one number a question asks for, with how far an answer may be from it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    abs_tol: float | None = Field(default=None, gt=0)
    rel_tol: float | None = Field(default=None, gt=0)
    part: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None = None

    @model_validator(mode="after")
    def _one_tolerance(self) -> NumericAnswer:
        if (self.abs_tol is None) == (self.rel_tol is None):
            raise ValueError("give exactly one of abs_tol and rel_tol")
        return self

    def accepts(self, number: float) -> bool:
        """Tell whether ``number`` is this answer within its tolerance."""
        allowed = self.abs_tol if self.abs_tol is not None else abs(self.value) * (self.rel_tol or 0)
        return abs(number - self.value) <= allowed + 1e-12


class Table(BaseModel):
    """One table of a SQL question's dataset; cells are the text as written, converted by the column type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    columns: list[str] = Field(min_length=1, max_length=20)
    rows: list[list[str | None]] = Field(default_factory=list, max_length=TABLE_ROWS_MAX)

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError("a table name is a lower-case identifier")
        return value

    @field_validator("columns")
    @classmethod
    def _typed_columns(cls, value: list[str]) -> list[str]:
        for column in value:
            name, _, kind = column.strip().partition(" ")
            if not IDENTIFIER.match(name) or not COLUMN_TYPES.match(kind.strip().upper()):
                raise ValueError(f"{column!r}: write columns as 'name TYPE' with a type such as BIGINT, "
                                 "DOUBLE, DECIMAL(10,2), BOOLEAN, DATE, TIMESTAMP, TIMESTAMPTZ or VARCHAR")  # fmt: skip
        names = [c.split()[0] for c in value]
        if len(set(names)) != len(names):
            raise ValueError("column names repeat")
        return value

    @model_validator(mode="after")
    def _rows_fit(self) -> Table:
        for index, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"row {index + 1} has {len(row)} cells for {len(self.columns)} columns")
        return self

    def column_names(self) -> list[str]:
        """Return the column names in order."""
        return [c.split()[0] for c in self.columns]

    def column_types(self) -> list[str]:
        """Return the declared types in order (upper case)."""
        return [c.strip().partition(" ")[2].strip().upper() for c in self.columns]


class Pitfall(BaseModel):
    """A plausible wrong query: the mistake a candidate makes, and the query that makes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    why: Annotated[str, StringConstraints(min_length=10, max_length=300), Visible]
    query: Annotated[str, StringConstraints(min_length=10, max_length=QUERY_MAX), Visible]


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
    round: Round | None = None  # filled from the category when left out
    solution: Annotated[str, StringConstraints(min_length=SOLUTION_MIN, max_length=SOLUTION_MAX), Visible] | None = None
    answer: NumericAnswer | None = None
    dataset: list[Table] | None = Field(default=None, min_length=1, max_length=6)
    reference: Annotated[str, StringConstraints(min_length=10, max_length=QUERY_MAX), Visible] | None = None
    ordered: bool = False
    pitfalls: list[Pitfall] = Field(default_factory=list, max_length=4)

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
        if self.category != "sql" and (self.dataset or self.reference or self.pitfalls or self.ordered):
            raise ValueError("dataset, reference, ordered and pitfalls belong to sql questions only")
        if (self.dataset is None) != (self.reference is None):
            raise ValueError("a dataset and its reference query come together")
        if self.pitfalls and self.reference is None:
            raise ValueError("pitfalls need a dataset and a reference query")
        if self.round is None:
            object.__setattr__(self, "round", DEFAULT_ROUND.get(self.category, Round.TECHNICAL))
        return self
