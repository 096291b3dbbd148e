"""Embeds for questions: a full card, and a page of a list."""

from __future__ import annotations

import discord

from bot.services.questions import FoundQuestion
from bot.services.questions.datasets import DIALECT
from bot.services.questions.schema import Question
from bot.text import bullet_list, clip, fenced, fenced_chunks

PAGE_SIZE = 10
COLOUR = discord.Colour.teal()
FIELD_MAX = 1024
EMBEDS_TOTAL_MAX = 6000
TABLES = f"Tables ({DIALECT} SQL)"


def add_tables(embed: discord.Embed, question: Question, *, limit: int | None = None) -> None:
    """Add a SQL question's tables, named with the dialect: whole over as many fields as it takes, or clipped.

    A code block is never cut mid-fence: with ``limit`` the tables are clipped inside one block.
    """
    if not question.schema_sql:
        return
    blocks = (
        [fenced(question.schema_sql, limit, "sql")] if limit else fenced_chunks(question.schema_sql, FIELD_MAX, "sql")
    )
    for index, block in enumerate(blocks):
        embed.add_field(name=TABLES if index == 0 else f"{TABLES}, continued", value=block, inline=False)


def solution_embed(question: Question) -> discord.Embed | None:
    """Render a question's model answer (None when it has none)."""
    if not question.solution:
        return None
    return discord.Embed(title=clip(f"Model answer · {question.id}", 256), description=clip(question.solution, 4096),
                         colour=COLOUR)  # fmt: skip


def question_embed(found: FoundQuestion, *, for_interviewer: bool) -> discord.Embed:
    """Render one question; the rubric and hints only for those who score answers."""
    q: Question = found.question
    title = f"{q.id} · {q.category} · {q.difficulty.value}"
    embed = discord.Embed(title=clip(title, 256), description=clip(q.prompt, 4096), colour=COLOUR)
    add_tables(embed, q)
    if q.follow_ups:
        embed.add_field(name="Follow-ups", value=bullet_list(q.follow_ups), inline=False)
    if for_interviewer:
        embed.add_field(name="Rubric: a strong answer…", value=bullet_list(q.rubric), inline=False)
        if q.hints:
            embed.add_field(name="Hints", value=bullet_list(q.hints), inline=False)
    source = "this server's question" if found.source == "server" else "shipped question"
    status = " · retired on this server" if found.retired else ""
    embed.set_footer(text=clip(f"Tracks: {', '.join(q.tracks)} · {source}{status}", 2048))
    return embed


def list_embed(found: list[FoundQuestion], *, page: int, category: str | None, track: str | None) -> discord.Embed:
    """Render one page of a question list."""
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    filters = " · ".join(x for x in (category, track) if x) or "all categories and tracks"
    embed = discord.Embed(title=clip(f"Questions — {filters}", 256), colour=COLOUR)
    lines = [
        f"`{f.question.id}` {'🏠 ' if f.source == 'server' else ''}{clip(f.question.prompt.replace(chr(10), ' '), 150)}"
        for f in found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    embed.description = "\n".join(lines) if lines else "No questions match."
    embed.set_footer(text=f"Page {page + 1} of {pages} · {len(found)} questions · 🏠 = this server's own")
    return embed


def page_count(total: int) -> int:
    """Return how many pages ``total`` items take."""
    return max(1, -(-total // PAGE_SIZE))
