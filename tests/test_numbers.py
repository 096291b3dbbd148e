"""Reading a final answer as a number: what is understood, and what is not a number."""

from __future__ import annotations

import pytest

from bot.services.questions.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.19", 0.19),
        (" 0.19 ", 0.19),
        ("19%", 0.19),
        ("19 %", 0.19),
        ("1/6", 1 / 6),
        ("1 / 6", 1 / 6),
        ("1 in 6", 1 / 6),
        ("1 IN 6", 1 / 6),
        ("1.2e-3", 0.0012),
        ("1.2E-3", 0.0012),
        ("≈ 0.19", 0.19),
        ("~0.19", 0.19),
        ("1,000", 1000.0),
        ("12,345.5", 12345.5),
        ("0,19", 0.19),
        ("3,5", 3.5),
        ("0,190", 0.19),  # a thousands group never starts with 0
        ("19", 19.0),  # read as written: for 0.19 it is simply wrong
        ("-0.5", -0.5),
        ("−0.5", -0.5),
        (".5", 0.5),
        ("12.5%", 0.125),
        ("1,00", 1.0),  # two digits after the comma: a decimal comma
    ],
)
def test_understood(text: str, value: float) -> None:
    """Decimals, percentages, fractions, 'one in n', scientific notation, separators."""
    parsed = parse_number(text)
    assert parsed is not None and parsed == pytest.approx(value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "about 0.19",
        "0.19 users",
        "0.1-0.2",
        "0.1 to 0.2",
        "19 percent",
        "one in six",
        "1/0",
        "1,000,00",
        "0.19.2",
        "nan",
        "inf",
        "1e999",
        "$5",
        "5 USD",
        "half",
        "1/2/3",
        "%",
    ],
)
def test_not_a_number(text: str) -> None:
    """Words, units, ranges and malformed numbers are not read: no verdict rather than a wrong one."""
    assert parse_number(text) is None
