"""Try a query: run SQL on a question's data and see the first rows, only yourself; nothing is submitted."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import discord

from bot.sandbox import SqlFailed, SqlRefused
from bot.services.daily import tries
from bot.services.questions.datasets import DIALECT
from bot.services.questions.schema import QUERY_MAX
from bot.text import clip
from bot.ui import DrillModal, Persistent

if TYPE_CHECKING:
    from bot.client import Interaction

TABLE_MAX = 1900  # the whole reply stays under Discord's 2,000 characters
CELL_MAX = 24
LINE_MAX = 110  # columns past this width are left out (and counted)


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float | Decimal):
        return f"{value:.6g}" if isinstance(value, float) else str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).replace("\n", " ")


def result_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], total: int, *, limit: int = TABLE_MAX) -> str:
    """Render rows as an aligned code-block table within ``limit`` characters, with "+N rows / +N columns"."""
    cells = [[clip(_cell(v), CELL_MAX) for v in row] for row in rows]
    names = [clip(c, CELL_MAX) for c in columns]
    widths = [max([len(names[i])] + [len(r[i]) for r in cells]) for i in range(len(names))]
    shown_columns = 0
    width = 0
    for w in widths:
        if shown_columns and width + w + 3 > LINE_MAX:
            break
        width += w + 3
        shown_columns += 1

    def line(values: Sequence[str]) -> str:
        return " | ".join(v.ljust(widths[i]) for i, v in enumerate(values[:shown_columns])).rstrip()

    lines = [line(names), "-+-".join("-" * w for w in widths[:shown_columns])]
    reserve = 60  # the fence and the footer
    shown_rows = 0
    for row in cells:
        candidate = line(row)
        if sum(len(x) + 1 for x in lines) + len(candidate) + reserve > limit:
            break
        lines.append(candidate)
        shown_rows += 1
    notes = []
    if total > shown_rows:
        notes.append(f"+{total - shown_rows} rows")
    if len(names) > shown_columns:
        notes.append(f"+{len(names) - shown_columns} columns")
    footer = f"\n{' / '.join(notes)}" if notes else ""
    if not rows:
        footer = "\n(no rows)"
    return "```\n" + "\n".join(lines) + "\n```" + footer


async def run_try(interaction: Interaction, *, question_id: str | None, query: str) -> None:
    """Run a query on a question's data and show the caller the first rows (or why it did not run)."""
    assert interaction.guild_id is not None
    bot = interaction.client
    await interaction.response.defer(ephemeral=True, thinking=True)
    async with bot.db.write() as session:
        question = await tries.question_to_try(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                               user_id=interaction.user.id, question_id=question_id)  # fmt: skip
        await tries.remember(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id,
                             question_id=question.id, query=query, now=bot.clock.now())  # fmt: skip
    heading = f"`{question.id}` · {DIALECT} SQL · only you see this; nothing was submitted"
    try:
        result = await bot.sql.run(question, query, member=(interaction.guild_id, interaction.user.id))
    except (SqlRefused, SqlFailed) as exc:
        text = f"{heading}\n❌ {clip(str(exc), 1500)}"
    else:
        text = f"{heading}\n{result_table(result.columns, result.shown, len(result.rows))}"
    await interaction.followup.send(clip(text, 2000), ephemeral=True, allowed_mentions=discord.AllowedMentions.none())


async def open_try_form(interaction: Interaction, *, question_id: str | None) -> None:
    """Open the Try a query modal, prefilled with the caller's last query."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.read() as session:
        question = await tries.question_to_try(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                               user_id=interaction.user.id, question_id=question_id)  # fmt: skip
        last = await tries.last_query(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id)
    await interaction.response.send_modal(TryQueryModal(question_id=question.id, last=last))


class TryQueryModal(DrillModal):
    """One multi-line field: the query to try on the question's data."""

    def __init__(self, *, question_id: str, last: str | None) -> None:
        super().__init__(title=clip(f"Try a query · {question_id}", 45), timeout=900,
                         custom_id=f"drill:try-modal:{secrets.token_hex(8)}")  # fmt: skip
        self.question_id = question_id
        self.query: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=QUERY_MAX, default=last,
            placeholder=f"SELECT … ({DIALECT} SQL; only you see the result)",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Query", component=self.query))

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Run it."""
        await run_try(interaction, question_id=self.question_id, query=self.query.value)


class TryQueryButton(Persistent[discord.ui.Button[Any]], prefix="drill:try"):
    """Try a query, on a SQL question's post: carries the question's id."""

    def __init__(self, question_id: str) -> None:
        self.question_id = question_id
        super().__init__(discord.ui.Button(label="Try a query", style=discord.ButtonStyle.secondary, emoji="🧪",
                                           custom_id=self.id_for(question_id)))  # fmt: skip

    @classmethod
    def decode(cls, question: str) -> TryQueryButton:  # type: ignore[override]
        """Rebuild from the question id."""
        return cls(question)

    async def run(self, interaction: Interaction) -> None:
        """Open the modal."""
        await open_try_form(interaction, question_id=self.question_id)
