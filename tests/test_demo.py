"""`drillbot demo`, played whole through the same code path as the command: its transcript and its page."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import pytest

from demo.program import run_demo

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


async def test_the_demo_plays_the_program_and_writes_the_page(tmp_path: Path) -> None:
    """The prompt, three answers with a ✅ and a ❌, a review, a pair thread, a feedback, two images."""
    lines: list[str] = []
    demo = await run_demo(tmp_path / "out", echo=lines.append)
    transcript = "\n".join(demo.transcript)
    assert lines == demo.transcript and demo.page is not None and demo.page.is_file()
    assert "bot posted in #daily-prompts: Daily prompt · sql" in transcript
    assert len(re.findall(r": Answer \(a SQL query\) → Answer saved", transcript)) >= 3
    assert "✅ Your query's result matches" in transcript and "❌ Your query's result differs" in transcript
    assert "Review saved" in transcript and "your answer got a review" in transcript
    assert "Paired 3 group(s)" in transcript and "interviews" in transcript
    assert "Feedback saved" in transcript and "Give feedback" in transcript
    assert "<@" not in transcript and "<t:" not in transcript  # mentions and times are readable
    page = demo.page.read_text(encoding="utf-8")
    for expected in ("daily-prompts", "Daily prompt · sql", "alex's answer ✅", "bea's answer ❌",
                     "your answer got a review", "Model answer", "mock-interviews", "Only"):  # fmt: skip
        assert html.escape(expected) in page, expected
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    decoded = [base64.b64decode(data) for data in images]
    assert len(decoded) >= 2 and all(data.startswith(PNG) for data in decoded)
    assert "<script" not in page.lower() and not re.search(r"""(src|href)=["']https?://""", page)
