"""The add-question modal and the list paginator (persistent: state lives in the custom id)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord
from pydantic import ValidationError

from bot.services.questions.schema import TRACKS, Question
from bot.tree import DrillModal, DrillView, reports_errors

if TYPE_CHECKING:
    from cogs.questions import QuestionsCog

NONE = "-"


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip()]


class AddQuestionModal(DrillModal):
    """Five fields: tracks, prompt, rubric, follow-ups, and hints (or the tables, for SQL)."""

    def __init__(self, cog: QuestionsCog, *, category: str, difficulty: str) -> None:
        super().__init__(title=f"New {category} question", timeout=900)
        self.cog = cog
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

    def build(self, question_id: str) -> Question:
        """Build the question from the submitted fields (raises ValidationError)."""
        data: dict[str, Any] = {
            "id": question_id,
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
        return Question.model_validate(data)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Validate and store the question, or explain what is wrong."""
        await self.cog.finish_add(interaction, self)


def describe_validation(exc: ValidationError) -> str:
    """Explain a failed question in plain words, one problem per line."""
    names = {"prompt": "Question", "rubric": "Rubric", "follow_ups": "Follow-ups", "hints": "Hints", "schema": "Tables"}
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        label = names.get(field, field or "Question")
        lines.append(f"• {label}: {err['msg'].removeprefix('Value error, ')}")
    return "\n".join(lines)


class ListPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"question:list:(?P<page>\d+):(?P<category>[a-z-]+):(?P<track>[a-z-]+):(?P<dir>prev|next)",
):
    """A Previous/Next button of /question list that works after a restart."""

    def __init__(
        self, page: int, category: str | None, track: str | None, direction: str, *, disabled: bool = False
    ) -> None:
        self.page = page
        self.category = category
        self.track = track
        label = "◀ Previous" if direction == "prev" else "Next ▶"
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"question:list:{page}:{category or NONE}:{track or NONE}:{direction}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ListPageButton:
        """Rebuild the button from its custom id."""
        category = None if match["category"] == NONE else match["category"]
        track = None if match["track"] == NONE else match["track"]
        return cls(int(match["page"]), category, track, match["dir"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the target page in place."""
        cog: QuestionsCog = interaction.client.get_cog("QuestionsCog")
        await cog.show_list_page(interaction, page=self.page, category=self.category, track=self.track, edit=True)


def list_view(page: int, pages: int, category: str | None, track: str | None) -> discord.ui.View:
    """Return the Previous/Next buttons for a list page."""
    view = DrillView(timeout=None)
    view.add_item(ListPageButton(max(page - 1, 0), category, track, "prev", disabled=page <= 0))
    view.add_item(ListPageButton(min(page + 1, pages - 1), category, track, "next", disabled=page >= pages - 1))
    return view
