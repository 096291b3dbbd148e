"""Text for Discord: shortening to a limit, bullet lists."""

from __future__ import annotations

from collections.abc import Iterable


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bullet_list(items: Iterable[str], limit: int = 1024) -> str:
    """Render items as bullets within a field's limit (a dash when there are none)."""
    return clip("\n".join(f"• {item}" for item in items), limit) or "—"
