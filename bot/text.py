"""Text for Discord: what counts as visible, shortening to a limit, bullet lists."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern, the grapheme joiner).
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")
# Controls, format characters (zero-width spaces and joiners, direction marks, soft hyphens, tags),
# separators, unassigned code points, and combining marks (nothing to combine with on their own).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def _invisible(character: str) -> bool:
    return (
        character.isspace()
        or character in _BLANK_CHARACTERS
        or unicodedata.category(character) in _INVISIBLE_CATEGORIES
    )


def visible(text: str) -> str:
    """Return ``text`` without invisible characters at its ends: empty when nothing visible is in it.

    The one rule for every text a member gives (answers, reviews, feedback, questions, notes,
    options): zero-width and other format characters and whitespace alone are no text.
    """
    start, end = 0, len(text)
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(text: str | None) -> bool:
    """Tell whether nothing visible is in ``text``."""
    return not text or not visible(text)


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fenced(code: str, limit: int, language: str = "") -> str:
    """Return ``code`` as one code block of at most ``limit`` characters: clipped inside, the fence always closed."""
    head, tail = f"```{language}\n", "\n```"
    return head + clip(code, limit - len(head) - len(tail)) + tail


def fenced_chunks(code: str, limit: int, language: str = "") -> list[str]:
    """Return ``code`` whole, as code blocks of at most ``limit`` characters each, split between lines."""
    room = limit - len(f"```{language}\n\n```")
    chunks: list[str] = []
    current = ""
    for line in code.splitlines() or [""]:
        while len(line) > room:  # a line longer than a block: split it where it must
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:room])
            line = line[room:]
        candidate = f"{current}\n{line}" if current else line
        if current and len(candidate) > room:
            chunks.append(current)
            current = line
        else:
            current = candidate
    chunks.append(current)
    return [f"```{language}\n{chunk}\n```" for chunk in chunks]


def bullet_list(items: Iterable[str], limit: int = 1024) -> str:
    """Render items as bullets within a field's limit (a dash when there are none)."""
    return clip("\n".join(f"• {item}" for item in items), limit) or "—"
