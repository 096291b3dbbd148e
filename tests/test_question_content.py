"""`drillbot questions check` on shipped content: model answers, numeric answers, SQL datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.questions.content import check_path
from bot.services.questions.loader import QuestionError, parse_questions

SOLUTION = "Group the plays by user and count them. " * 20  # 800 characters
SQL = f"""questions:
  - id: sql-901
    category: sql
    round: technical
    tracks: [data-analyst]
    difficulty: easy
    prompt: >-
      Count each user's plays. Return user_id and plays, one row per user who played.
    rubric:
      - Groups by user
      - Counts rows, not distinct days
    schema: plays(user_id BIGINT, played_at TIMESTAMP, at TIME, skipped BOOLEAN)
    solution: |
      {SOLUTION}
    dataset:
      - table: plays
        columns: [user_id BIGINT, played_at TIMESTAMP, at TIME, skipped BOOLEAN]
        rows:
          - [1, 2024-03-01 10:00:00, 12:30, no]
          - [1, 2024-03-01 11:00:00, 13:30, yes]
          - [2, 2024-03-02 09:00:00, null, no]
    reference: SELECT user_id, count(*) AS plays FROM plays GROUP BY user_id
    pitfalls:
      - why: Counts distinct days instead of plays
        query: SELECT user_id, count(DISTINCT played_at::DATE) FROM plays GROUP BY user_id
      - why: Drops skipped plays although the question counts every play
        query: SELECT user_id, count(*) FROM plays WHERE NOT skipped GROUP BY user_id
"""
STAT = f"""questions:
  - id: stat-901
    category: statistics-probability
    round: technical
    tracks: [data-scientist]
    difficulty: easy
    prompt: >-
      A fair die is rolled once. What is the probability it shows a six?
    rubric:
      - Counts one favourable outcome of six
      - Gives 1/6
    solution: |
      {SOLUTION}

      **Answer:** 0.1667 (1/6)
    answer: {{value: 0.1667, abs_tol: 0.0005}}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a category file into a fresh directory and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reported(errors: list[QuestionError], field: str) -> QuestionError:
    """Return the one error about ``field`` (failing with the whole report otherwise)."""
    found = [e for e in errors if e.field == field]
    assert len(found) == 1, [str(e) for e in errors]
    return found[0]


def line_of(text: str, start: str) -> int:
    """Return the 1-based line that starts (after indentation) with ``start``."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith(start))


def test_good_files_pass(tmp_path: Path) -> None:
    """A SQL question with a stable reference and differing pitfalls, and a numeric answer, pass."""
    assert check_path(write(tmp_path, "sql.yaml", SQL)) == []
    assert check_path(write(tmp_path, "statistics-probability.yaml", STAT)) == []


def test_cells_are_read_as_written_then_typed() -> None:
    """`12:30` stays a time and `no` a boolean's text; plain null is NULL."""
    [question], errors = parse_questions(SQL, file="sql.yaml")
    assert errors == [] and question.dataset is not None
    assert question.dataset[0].rows[0] == ["1", "2024-03-01 10:00:00", "12:30", "no"]
    assert question.dataset[0].rows[2][2] is None


def test_a_pitfall_that_matches_its_reference(tmp_path: Path) -> None:
    """A pitfall giving the reference's result is reported at its line."""
    text = SQL.replace("count(DISTINCT played_at::DATE)", "count(played_at)")
    error = reported(check_path(write(tmp_path, "sql.yaml", text)), "sql-901.pitfalls[0]")
    assert error.file == "sql.yaml" and "reference's result" in error.reason
    assert error.line == line_of(text, "pitfalls:")


def test_a_reference_that_fails(tmp_path: Path) -> None:
    """A reference that does not run reports the database's message."""
    text = SQL.replace("GROUP BY user_id\n    pitfalls", "GROUP BY no_such_column\n    pitfalls")
    error = reported(check_path(write(tmp_path, "sql.yaml", text)), "sql-901.reference")
    assert "fails on the dataset" in error.reason and "no_such_column" in error.reason
    assert error.line == line_of(text, "reference:")


def test_a_result_that_depends_on_row_order(tmp_path: Path) -> None:
    """LIMIT without ORDER BY: the result changes when the rows go in reversed."""
    text = SQL.replace(
        "reference: SELECT user_id, count(*) AS plays FROM plays GROUP BY user_id",
        "reference: SELECT user_id FROM plays LIMIT 1",
    )
    error = reported(check_path(write(tmp_path, "sql.yaml", text)), "sql-901.reference")
    assert "another order" in error.reason


def test_a_call_whose_result_changes_is_refused(tmp_path: Path) -> None:
    """now(), current_date and random() are refused before anything runs."""
    for call in ("now()", "current_date", "random()"):
        text = SQL.replace("count(*) AS plays", f"count(*) AS plays, {call} AS x")
        error = reported(check_path(write(tmp_path, "sql.yaml", text)), "sql-901.reference")
        assert "changes from run to run" in error.reason


def test_a_missing_solution(tmp_path: Path) -> None:
    """A shipped question without a model answer is reported at its id."""
    text = STAT.split("    solution: |")[0]
    error = reported(check_path(write(tmp_path, "statistics-probability.yaml", text)), "stat-901.solution")
    assert error.line == line_of(text, "- id: stat-901") and "model answer" in error.reason


def test_an_answer_that_disagrees_with_its_solution(tmp_path: Path) -> None:
    """The answer's value must be the solution's **Answer:** number, within the tolerance."""
    text = STAT.replace("value: 0.1667", "value: 0.19")
    error = reported(check_path(write(tmp_path, "statistics-probability.yaml", text)), "stat-901.answer")
    assert "0.19" in error.reason and error.line == line_of(text, "answer:")


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        (("    round: technical\n", ""), "stat-901.round", "round"),
        (("**Answer:** 0.1667 (1/6)", "About one in six."), "stat-901.answer", "0 found"),
        ((SOLUTION, SOLUTION[:400]), "stat-901.solution", "a model answer has 600-2500"),
    ],
)
def test_other_content_rules(tmp_path: Path, change: tuple[str, str], field: str, said: str) -> None:
    """The round is written out, an answer needs its line, a solution has 600-2,500 characters."""
    text = STAT.replace(*change)
    error = reported(check_path(write(tmp_path, "statistics-probability.yaml", text)), field)
    assert said in error.reason
