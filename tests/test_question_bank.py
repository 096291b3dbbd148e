"""The shipped bank and the question file validator."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bot.services.questions.bank import QuestionBank
from bot.services.questions.content import check_path
from bot.services.questions.counts import format_file, with_counts
from bot.services.questions.loader import SHIPPED_DIR, QuestionFileError, load_directory, parse_questions
from bot.services.questions.schema import CATEGORIES, TRACKS

GOOD = """\
questions:
  - id: t-001
    category: sql
    tracks: [data-analyst]
    difficulty: easy
    prompt: Count the distinct users who played a title yesterday.
    rubric: [Uses COUNT DISTINCT, Filters on the date]
    schema: plays(user_id BIGINT, played_at TIMESTAMP)
"""


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return QuestionBank.load()


def test_every_shipped_file_loads(bank: QuestionBank) -> None:
    """Every shipped file validates, and the bank holds at least 240 questions."""
    assert len(bank) >= 240
    files = {p.stem for p in SHIPPED_DIR.glob("*.yaml")}
    assert files == set(CATEGORIES)


def test_each_category_has_at_least_twenty(bank: QuestionBank) -> None:
    """No category runs dry: at least 20 questions each."""
    counts = Counter(q.category for q in bank.all())
    assert {c: counts[c] for c in CATEGORIES if counts[c] < 20} == {}


def test_each_track_has_thirty_across_five_categories(bank: QuestionBank) -> None:
    """Every track has 30+ questions spread over 5+ categories, so pair packs never run dry."""
    for track in TRACKS:
        questions = [q for q in bank.all() if track in q.tracks]
        assert len(questions) >= 30, track
        assert len({q.category for q in questions}) >= 5, track


def test_sql_questions_carry_their_schema(bank: QuestionBank) -> None:
    """Every SQL question names the tables it refers to."""
    assert all(q.schema_sql for q in bank.all() if q.category == "sql")


def test_a_good_file_parses() -> None:
    questions, errors = parse_questions(GOOD, file="x.yaml")
    assert errors == [] and [q.id for q in questions] == ["t-001"]


def _plant(tmp_path: Path, name: str, text: str) -> Path:
    (tmp_path / name).write_text(text)
    return tmp_path


def test_planted_errors_are_all_reported_with_file_line_and_field(tmp_path: Path) -> None:
    """Unknown category, missing rubric, duplicate id and bad YAML are all reported at once."""
    _plant(tmp_path, "sql.yaml", GOOD)
    _plant(
        tmp_path, "case.yaml", GOOD.replace("category: sql", "category: case").replace("  - id: t-001", "  - id: t-001")
    )
    bad_category = GOOD.replace("t-001", "t-002").replace("category: sql", "category: astrology")
    _plant(tmp_path, "behavioral.yaml", bad_category)
    missing_rubric = GOOD.replace("t-001", "t-003").replace("category: sql", "category: culture")
    missing_rubric = missing_rubric.replace("    rubric: [Uses COUNT DISTINCT, Filters on the date]\n", "")
    _plant(tmp_path, "culture.yaml", missing_rubric)
    _plant(tmp_path, "experimentation.yaml", "questions:\n  - id: [broken\n")
    with pytest.raises(QuestionFileError) as info:
        load_directory(tmp_path)
    report = {(e.file, e.field.split(".")[-1]): e for e in info.value.errors}
    duplicate = report[("sql.yaml", "id")]
    assert "duplicate id 't-001'" in duplicate.reason and "case.yaml:2" in duplicate.reason
    assert report[("behavioral.yaml", "category")].line == 3
    assert "astrology" in report[("behavioral.yaml", "category")].reason
    assert report[("culture.yaml", "rubric")].reason == "required field is missing"
    assert report[("culture.yaml", "rubric")].line == 2
    yaml_error = next(e for e in info.value.errors if e.file == "experimentation.yaml")
    assert yaml_error.line >= 2 and "YAML" in yaml_error.reason


def test_a_file_with_one_error_loads_nothing() -> None:
    """One bad question means nothing from that file is loaded."""
    text = (
        GOOD
        + GOOD.replace("t-001", "t-002").replace("difficulty: easy", "difficulty: impossible")[len("questions:\n") :]
    )
    questions, errors = parse_questions(text, file="x.yaml")
    assert questions == [] and len(errors) == 1 and errors[0].line == 12


def test_check_command_passes_on_the_shipped_bank() -> None:
    """`drillbot questions check` exits 0 on the shipped bank."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "questions", "check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_command_fails_with_the_report(tmp_path: Path) -> None:
    """`drillbot questions check FILE` exits 1 and prints file, line, field and reason."""
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD.replace("category: sql", "category: nope"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "questions", "check", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "mine.yaml:3: questions[0].category: unknown category 'nope'" in result.stdout
    assert check_path(tmp_path / "missing.yaml")


def test_the_counts_in_format_md_are_current(bank: QuestionBank) -> None:
    """questions/FORMAT.md carries the counts `drillbot questions counts --write` gives today."""
    document = format_file(SHIPPED_DIR).read_text(encoding="utf-8")
    assert with_counts(document, bank.all()) == document, "run: drillbot questions counts --write"


def test_every_shipped_question_has_a_round_and_a_model_answer(bank: QuestionBank) -> None:
    """The loop stage and the model answer are on every shipped question; SQL ones carry data."""
    assert all(q.round is not None and q.solution for q in bank.all())
    sql = [q for q in bank.all() if q.category == "sql"]
    assert all(q.dataset and q.reference and 2 <= len(q.pitfalls) <= 4 for q in sql)
