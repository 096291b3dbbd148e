"""Load and validate question files: every error at once, with file, line, field and reason."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.services.errors import Refused
from bot.services.questions.schema import CATEGORIES, Question

SHIPPED_DIR = Path(__file__).resolve().parents[3] / "questions"


@dataclass(frozen=True, slots=True)
class QuestionError:
    """One problem in a question file."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


class QuestionFileError(Refused):
    """One or more question files are invalid; ``errors`` lists every problem (file, line, field, reason)."""

    def __init__(self, errors: Sequence[QuestionError]) -> None:
        self.errors = list(errors)
        super().__init__(format_report(self.errors))


def format_report(errors: Iterable[QuestionError]) -> str:
    """Render errors one per line, sorted by file and line."""
    return "\n".join(str(e) for e in sorted(errors, key=lambda e: (e.file, e.line, e.field)))


def _node_at(node: yaml.Node, loc: Sequence[str | int]) -> tuple[yaml.Node, bool]:
    """Follow a pydantic error location through the YAML node tree; say whether it was found whole."""
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                return node, False
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            return node, False
    return node, True


def _field_name(loc: Sequence[str | int]) -> str:
    return ".".join(str(p) for p in loc) or "(file)"


MAX_DEPTH = 20  # a question file nests 4 levels; the parser's own recursion fails near a thousand


def _too_deep_line(text: str) -> int | None:
    """Return the line where the document nests deeper than MAX_DEPTH (read as a flat event stream), or None."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1 if event.start_mark else 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


NULL_WORDS = frozenset({"null", "Null", "NULL", "~", ""})


def _as_written(node: yaml.Node) -> Any:
    """Return a dataset as plain data whose row cells are the text as written (plain null: None).

    YAML would read `12:30` as 750 and `no` as false; a cell is converted by its column's declared
    type instead, when the dataset is loaded into a database.
    """
    if isinstance(node, yaml.MappingNode):
        return {str(getattr(k, "value", k)): _rows_as_written(v) if getattr(k, "value", None) == "rows"
                else _as_written(v) for k, v in node.value}  # fmt: skip
    if isinstance(node, yaml.SequenceNode):
        return [_as_written(item) for item in node.value]
    return yaml.safe_load(yaml.serialize(node)) if isinstance(node, yaml.ScalarNode) else None


def _rows_as_written(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        return _as_written(node)
    return [
        [_cell(cell) for cell in row.value] if isinstance(row, yaml.SequenceNode) else _as_written(row)
        for row in node.value
    ]


def _cell(node: yaml.Node) -> str | list[Any] | None:
    if isinstance(node, yaml.ScalarNode):
        return None if node.style is None and node.value in NULL_WORDS else str(node.value)
    return [_as_written(node)]  # not a cell: the schema refuses it


def parse_questions(
    text: str, *, file: str, expected_category: str | None = None
) -> tuple[list[Question], list[QuestionError]]:
    """Parse one YAML document of questions; return them all, or none plus every error."""
    errors: list[QuestionError] = []
    try:
        too_deep = _too_deep_line(text)
        if too_deep is not None:
            return [], [QuestionError(file, too_deep, "(yaml)", f"nested more than {MAX_DEPTH} levels deep")]
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return [], [QuestionError(file, line, "(yaml)", f"not valid YAML: {reason}")]
    if root is None or not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return [], [QuestionError(file, 1, "questions", "the file must be a mapping with a 'questions' list")]
    extra = sorted(str(k) for k in data if k != "questions")
    if extra:
        errors.append(QuestionError(file, 1, ", ".join(extra), "unknown top-level key(s)"))
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["questions"]):
        item_node, _ = _node_at(root, ["questions", index])
        item_line = item_node.start_mark.line + 1
        if isinstance(item, dict) and isinstance(item.get("dataset"), list):
            item = {**item, "dataset": _as_written(_node_at(item_node, ["dataset"])[0])}
        try:
            question = Question.model_validate(item)
        except ValidationError as exc:
            for err in exc.errors():
                loc = ["questions", index, *err["loc"]]
                node, whole = _node_at(root, loc)
                field = _field_name(err["loc"]) if err["loc"] else "(question)"
                reason = err["msg"].removeprefix("Value error, ")
                if not whole and err["type"] == "missing":
                    reason = "required field is missing"
                errors.append(QuestionError(file, node.start_mark.line + 1, f"questions[{index}].{field}", reason))
            continue
        if expected_category and question.category != expected_category:
            errors.append(
                QuestionError(
                    file,
                    item_line,
                    f"questions[{index}].category",
                    f"{question.category!r} in the {expected_category!r} file",
                )
            )
        if question.id in seen:
            errors.append(
                QuestionError(
                    file,
                    item_line,
                    f"questions[{index}].id",
                    f"duplicate id {question.id!r} (first at line {seen[question.id]})",
                )
            )
        seen.setdefault(question.id, item_line)
        questions.append(question)
    if errors:
        return [], errors
    return questions, []


def load_directory(directory: Path = SHIPPED_DIR) -> list[Question]:
    """Load every `<category>.yaml` in ``directory``; raise QuestionFileError with all problems."""
    errors: list[QuestionError] = []
    loaded: list[Question] = []
    first_seen: dict[str, tuple[str, int]] = {}
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        raise QuestionFileError([QuestionError(str(directory), 0, "(directory)", "no .yaml question files found")])
    for path in files:
        name = path.name
        category = path.stem
        if category not in CATEGORIES:
            errors.append(
                QuestionError(name, 1, "(file name)", f"unknown category {category!r}; name files after a category")
            )
            continue
        questions, problems = parse_questions(path.read_text(encoding="utf-8"), file=name, expected_category=category)
        errors.extend(problems)
        lines = _id_lines(path)
        for question in questions:
            line = lines.get(question.id, 1)
            if question.id in first_seen:
                other, other_line = first_seen[question.id]
                errors.append(
                    QuestionError(name, line, "id", f"duplicate id {question.id!r} (also in {other}:{other_line})")
                )
            else:
                first_seen[question.id] = (name, line)
        loaded.extend(questions)
    if errors:
        raise QuestionFileError(errors)
    return loaded


def _id_lines(path: Path) -> dict[str, int]:
    """Map each question id in a file to the line it is declared on."""
    lines: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = raw.strip().removeprefix("- ").strip()
        if stripped.startswith("id:"):
            lines.setdefault(stripped[3:].strip().strip("'\""), number)
    return lines
