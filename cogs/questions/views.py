"""The add-question modal and the list paginator (persistent: state lives in the custom id)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.services import questions as svc
from bot.services.questions.schema import TRACKS
from bot.text import is_blank, visible
from bot.ui import DrillModal, Persistent, view_of
from cogs.questions.render import list_embed, page_count, question_embed

if TYPE_CHECKING:
    from bot.client import Interaction

NONE = "-"


def _lines(text: str) -> list[str]:
    return [visible(visible(line).lstrip("-•* ")) for line in text.splitlines() if not is_blank(line.lstrip("-•* "))]


class AddQuestionModal(DrillModal):
    """Five fields: tracks, prompt, rubric, follow-ups, and hints (or the tables, for SQL)."""

    def __init__(self, *, category: str, difficulty: str) -> None:
        super().__init__(title=f"New {category} question", timeout=900)
        self.category = category
        self.difficulty = difficulty
        self.tracks: discord.ui.Select[Any] = discord.ui.Select(
            options=[discord.SelectOption(label=t, value=t) for t in TRACKS], min_values=1, max_values=len(TRACKS)
        )
        self.prompt: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, min_length=20, max_length=1200
        )
        self.rubric: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=2400, placeholder="One point per line (2-8)"
        )
        self.follow_ups: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=1500, placeholder="One per line (up to 5)"
        )
        self.last: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            required=category == "sql",
            max_length=1500,
            placeholder="CREATE TABLE … or table(column TYPE, …)" if category == "sql" else "One per line (up to 5)",
        )
        self.add_item(discord.ui.Label(text="Tracks", component=self.tracks))
        self.add_item(discord.ui.Label(text="Question", component=self.prompt))
        self.add_item(discord.ui.Label(text="Rubric: what a strong answer covers", component=self.rubric))
        self.add_item(discord.ui.Label(text="Follow-up questions", component=self.follow_ups))
        last_label = "Tables the question uses" if category == "sql" else "Hints for the interviewer"
        self.add_item(discord.ui.Label(text=last_label, component=self.last))

    def fields(self) -> dict[str, Any]:
        """Return the submitted question, field by field (validated by the service)."""
        data: dict[str, Any] = {
            "category": self.category,
            "tracks": list(self.tracks.values),
            "difficulty": self.difficulty,
            "prompt": self.prompt.value,
            "rubric": _lines(self.rubric.value),
            "follow_ups": _lines(self.follow_ups.value),
        }
        if self.category == "sql":
            data["schema"] = self.last.value
        else:
            data["hints"] = _lines(self.last.value)
        return data

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Store the question, or explain what is wrong (nothing is stored then)."""
        assert interaction.guild_id is not None
        async with (
            interaction.client.locks.hold(("questions", interaction.guild_id)),
            interaction.client.db.write() as session,
        ):
            question = await svc.add_question(session=session, bank=interaction.client.bank,
                                              guild_id=interaction.guild_id, fields=self.fields(),
                                              author_id=interaction.user.id)  # fmt: skip
        found = svc.FoundQuestion(question, "server", False)
        await interaction.response.send_message(
            f"Added `{question.id}`.", embed=question_embed(found, for_interviewer=True), ephemeral=True
        )


async def show_list_page(
    interaction: Interaction, *, page: int, category: str | None, track: str | None, edit: bool
) -> None:
    """Render a page of /question list, as a new reply or in place."""
    assert interaction.guild_id is not None
    async with interaction.client.db.read() as session:
        found = await svc.active_questions(session=session, bank=interaction.client.bank,
                                           guild_id=interaction.guild_id, category=category, track=track)  # fmt: skip
    pages = page_count(len(found))
    page = min(max(page, 0), pages - 1)
    embed = list_embed(found, page=page, category=category, track=track)
    view = list_view(page, pages, category, track)
    if edit:
        await interaction.response.edit_message(embed=embed, view=view)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


class ListPageButton(Persistent[discord.ui.Button[Any]], prefix="question:list"):
    """A Previous/Next button of /question list that works after a restart."""

    def __init__(
        self, page: int, category: str | None, track: str | None, direction: str, *, disabled: bool = False
    ) -> None:
        self.page, self.category, self.track = page, category, track
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=self.id_for(page, category or NONE, track or NONE, direction),
            )
        )

    @classmethod
    def decode(cls, page: str, category: str, track: str, direction: str) -> ListPageButton:  # type: ignore[override]
        """Rebuild from the page, the filters and the direction."""
        if direction not in ("prev", "next"):
            raise ValueError(direction)
        return cls(int(page), None if category == NONE else category, None if track == NONE else track, direction)

    async def run(self, interaction: Interaction) -> None:
        """Show the target page in place."""
        await show_list_page(interaction, page=self.page, category=self.category, track=self.track, edit=True)


def list_view(page: int, pages: int, category: str | None, track: str | None) -> discord.ui.View:
    """Return the Previous/Next buttons for a list page."""
    return view_of(
        ListPageButton(max(page - 1, 0), category, track, "prev", disabled=page <= 0),
        ListPageButton(min(page + 1, pages - 1), category, track, "next", disabled=page >= pages - 1),
    )
