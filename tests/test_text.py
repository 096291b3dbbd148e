"""What counts as visible text: the one rule for everything a member types."""

from __future__ import annotations

import pytest

from bot.text import is_blank, visible


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\u200b",
        "\u200b\u200c\u200d",
        "\u2060\ufeff",
        "\u00ad",
        "\u200e\u200f",
        "\u3164",
        "\u2800",
        "\u3000\u00a0",
        "\n\t\r",
        "\u034f",
        "\U000e0041\U000e007f",
        "\u0301\u0301",
    ],
)
def test_nothing_visible_is_blank(text: str) -> None:
    """Whitespace, format characters, fillers and lone combining marks are no text."""
    assert is_blank(text) and visible(text) == ""


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (" \u200bHello\u200b ", "Hello"),
        ("a\u200bb", "a\u200bb"),  # inside the text it stays as typed
        ("é", "é"),
        ("👍🏽", "👍🏽"),
        ("👩\u200d💻\u200b", "👩\u200d💻"),
        ("۱۲۳", "۱۲۳"),
        ("\u0915\u094d\u0937", "\u0915\u094d\u0937"),  # a conjunct ending in a combining sign
    ],
)
def test_visible_text_keeps_what_shows(text: str, kept: str) -> None:
    """Only the ends are trimmed; visible text, emoji sequences and scripts stay whole."""
    assert visible(text) == kept and not is_blank(text)
