"""Persistent buttons (ids carry what they need) and the answer and review modals."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.services.daily.answers import ANSWER_MAX, COMMENT_MAX
from bot.tree import DrillModal, DrillView, reports_errors

if TYPE_CHECKING:
    from cogs.daily import DrillCog

SCORES = [discord.SelectOption(label=str(n), value=str(n)) for n in range(1, 6)]


def _cog(interaction: discord.Interaction[Any]) -> DrillCog:
    cog: DrillCog = interaction.client.get_cog("DrillCog")
    return cog


class AnswerButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"drill:answer:(?P<prompt>\d+)"):
    """The Answer button on a daily post: opens the answer modal for that prompt."""

    def __init__(self, prompt_id: int) -> None:
        self.prompt_id = prompt_id
        super().__init__(
            discord.ui.Button(label="Answer", style=discord.ButtonStyle.primary, emoji="✍️",
                              custom_id=f"drill:answer:{prompt_id}")
        )  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> AnswerButton:
        """Rebuild from the custom id."""
        return cls(int(match["prompt"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the answer modal."""
        await _cog(interaction).open_answer_modal(interaction, prompt_id=self.prompt_id)


class ReviewButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"drill:review:(?P<answer>\d+)"):
    """A Review button under a posted answer."""

    def __init__(self, answer_id: int, label: str = "Review") -> None:
        self.answer_id = answer_id
        super().__init__(
            discord.ui.Button(label=label[:80], style=discord.ButtonStyle.secondary,
                              custom_id=f"drill:review:{answer_id}")
        )  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        """Rebuild from the custom id."""
        return cls(int(match["answer"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Open the review modal (the author is refused)."""
        await _cog(interaction).open_review_modal(interaction, answer_id=self.answer_id)


class HistoryButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"drill:history:(?P<member>\d+):(?P<page>\d+):(?P<dir>prev|next)",
):
    """A page button of /drill history."""

    def __init__(self, member_id: int, page: int, direction: str, *, disabled: bool = False) -> None:
        self.member_id = member_id
        self.page = page
        super().__init__(
            discord.ui.Button(
                label="◀ Previous" if direction == "prev" else "Next ▶",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
                custom_id=f"drill:history:{member_id}:{page}:{direction}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HistoryButton:
        """Rebuild from the custom id."""
        return cls(int(match["member"]), int(match["page"]), match["dir"])

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the target page in place."""
        await _cog(interaction).show_history(interaction, member_id=self.member_id, page=self.page, edit=True)


def answer_view(prompt_id: int) -> discord.ui.View:
    """Return the view of a daily post."""
    view = DrillView(timeout=None)
    view.add_item(AnswerButton(prompt_id))
    return view


def review_view(answers: list[tuple[int, str]]) -> discord.ui.View:
    """Return Review buttons for the answers of one message (one per answer, 5 per row)."""
    view = DrillView(timeout=None)
    single = len(answers) == 1
    for answer_id, name in answers:
        view.add_item(ReviewButton(answer_id, "Review" if single else f"Review {name}"))
    return view


def history_view(member_id: int, page: int, pages: int) -> discord.ui.View:
    """Return the page buttons of /drill history."""
    view = DrillView(timeout=None)
    view.add_item(HistoryButton(member_id, max(page - 1, 0), "prev", disabled=page <= 0))
    view.add_item(HistoryButton(member_id, min(page + 1, pages - 1), "next", disabled=page >= pages - 1))
    return view


class AnswerModal(DrillModal):
    """The answer form: one long text field, pre-filled when editing."""

    def __init__(self, cog: DrillCog, *, prompt_id: int, existing: str | None) -> None:
        # discord.py keys open modals by custom_id alone: a suffix per opening keeps members' modals apart.
        super().__init__(
            title="Your answer", timeout=900, custom_id=f"drill:answer-modal:{prompt_id}:{secrets.token_hex(8)}"
        )
        self.cog = cog
        self.prompt_id = prompt_id
        self.text: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, max_length=ANSWER_MAX, default=existing,
            placeholder="Answer as you would in the interview: structure, specifics, result.",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Answer", component=self.text))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the answer."""
        await self.cog.finish_answer(interaction, prompt_id=self.prompt_id, text=self.text.value)


class ReviewModal(DrillModal):
    """The review form: structure, clarity and depth 1-5, and a comment."""

    def __init__(self, cog: DrillCog, *, answer_id: int, current: tuple[int, int, int, str] | None) -> None:
        super().__init__(
            title="Review this answer", timeout=900, custom_id=f"drill:review-modal:{answer_id}:{secrets.token_hex(8)}"
        )
        self.cog = cog
        self.answer_id = answer_id
        names = ("Structure", "Clarity", "Depth")
        self.scores: list[discord.ui.Select[Any]] = []
        for index, name in enumerate(names):
            chosen = str(current[index]) if current else None
            options = [discord.SelectOption(label=o.label, value=o.value, default=o.value == chosen) for o in SCORES]
            select: discord.ui.Select[Any] = discord.ui.Select(options=options, placeholder="1 (weak) to 5 (excellent)")
            self.scores.append(select)
            self.add_item(discord.ui.Label(text=name, component=select))
        self.comment: discord.ui.TextInput[Any] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph, required=False, max_length=COMMENT_MAX,
            default=current[3] if current else None, placeholder="What was strong, and one thing to improve",
        )  # fmt: skip
        self.add_item(discord.ui.Label(text="Comment", component=self.comment))

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Store the review."""
        values = [select.values[0] if select.values else "" for select in self.scores]
        await self.cog.finish_review(interaction, answer_id=self.answer_id, scores=values, comment=self.comment.value)
