"""/drill practice: a question drawn for the caller alone, with Answer, Try a query and Model answer."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import discord

from bot.services.daily import practice
from bot.services.questions.schema import Question
from bot.text import bullet_list, clip
from bot.ui import DrillModal, Persistent, view_of
from cogs.daily.tries import TryQueryButton
from cogs.daily.views import AnswerFields, check_submission
from cogs.questions.render import COLOUR, add_tables, solution_embed

if TYPE_CHECKING:
    from bot.client import Interaction


def practice_embed(question: Question, *, met_before: bool) -> discord.Embed:
    """Render a practice question for its member: the prompt, its tables and follow-ups."""
    title = f"Practice · {question.category} · {question.difficulty.value} · {question.id}"
    embed = discord.Embed(title=clip(title, 256), description=clip(question.prompt, 4096), colour=COLOUR)
    add_tables(embed, question)
    if question.follow_ups:
        embed.add_field(name="Go further", value=bullet_list(question.follow_ups), inline=False)
    note = "you have met every question here: this is the one you met longest ago" if met_before else "new to you"
    embed.set_footer(text=f"Only you see this · {note} · no effect on streaks or boards")
    return embed


def practice_view(question: Question) -> discord.ui.View:
    """Answer, Try a query (SQL with data) and Model answer for a practice question."""
    items: list[Persistent[Any]] = [PracticeAnswerButton(question.id)]
    if question.dataset is not None:
        items.append(TryQueryButton(question.id))
    if question.solution:
        items.append(PracticeModelButton(question.id, confirmed=False))
    return view_of(*items)


async def draw(interaction: Interaction, *, category: str | None, difficulty: str | None) -> None:
    """Draw a question for the caller and show it with its buttons, only to them."""
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.write() as session:
        drawn = await practice.draw(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                    user_id=interaction.user.id, category=category, difficulty=difficulty,
                                    now=bot.clock.now())  # fmt: skip
    await interaction.response.send_message(embed=practice_embed(drawn.question, met_before=drawn.met_before),
                                            view=practice_view(drawn.question), ephemeral=True)  # fmt: skip


async def _question(interaction: Interaction, question_id: str) -> Question:
    assert interaction.guild_id is not None
    bot = interaction.client
    async with bot.db.read() as session:
        return await practice.practice_question(session=session, bank=bot.bank, guild_id=interaction.guild_id,
                                                question_id=question_id)  # fmt: skip


class PracticeModal(DrillModal):
    """The answer form of a practice question."""

    def __init__(self, question: Question) -> None:
        super().__init__(title=clip(f"Practice · {question.id}", 45), timeout=900,
                         custom_id=f"drill:practice-modal:{secrets.token_hex(8)}")  # fmt: skip
        self.question = question
        self.fields = AnswerFields(self, question, text=None, final=None, query=None)

    async def on_submit(self, interaction: Interaction) -> None:  # type: ignore[override]
        """Check and store the attempt; offer the model answer."""
        assert interaction.guild_id is not None
        bot = interaction.client
        text, final, query = self.fields.values()
        await interaction.response.defer(ephemeral=True, thinking=True)
        check, parts = await check_submission(interaction, self.question, final_answer=final, query=query)
        async with bot.db.write() as session:
            await practice.attempt(
                session=session, guild_id=interaction.guild_id, user_id=interaction.user.id,
                question_id=self.question.id, text=text, checked=parts, now=bot.clock.now(),
            )  # fmt: skip
        note = "Practice attempt saved (only you see it; /drill history lists it)."
        if check is not None:
            note += "\n" + check.message
        view = view_of(PracticeModelButton(self.question.id, confirmed=True)) if self.question.solution else None
        await interaction.followup.send(note, ephemeral=True, view=view or discord.utils.MISSING,
                                        allowed_mentions=discord.AllowedMentions.none())  # fmt: skip


class PracticeAnswerButton(Persistent[discord.ui.Button[Any]], prefix="drill:practice"):
    """Answer, on a practice question: opens its answer form."""

    def __init__(self, question_id: str) -> None:
        self.question_id = question_id
        super().__init__(discord.ui.Button(label="Answer", style=discord.ButtonStyle.primary, emoji="✍️",
                                           custom_id=self.id_for(question_id)))  # fmt: skip

    @classmethod
    def decode(cls, question: str) -> PracticeAnswerButton:  # type: ignore[override]
        """Rebuild from the question id."""
        return cls(question)

    async def run(self, interaction: Interaction) -> None:
        """Open the practice answer form."""
        await interaction.response.send_modal(PracticeModal(await _question(interaction, self.question_id)))


class PracticeModelButton(Persistent[discord.ui.Button[Any]], prefix="drill:practice-model"):
    """Model answer, on a practice question: after an attempt at once, before one after a confirm."""

    def __init__(self, question_id: str, *, confirmed: bool) -> None:
        self.question_id, self.confirmed = question_id, confirmed
        super().__init__(discord.ui.Button(
            label="Model answer" if not confirmed else "Show the model answer", style=discord.ButtonStyle.secondary,
            emoji="📘", custom_id=self.id_for(question_id, int(confirmed)),
        ))  # fmt: skip

    @classmethod
    def decode(cls, question: str, confirmed: str) -> PracticeModelButton:  # type: ignore[override]
        """Rebuild from the question id and whether the member confirmed."""
        if confirmed not in ("0", "1"):
            raise ValueError(confirmed)
        return cls(question, confirmed=confirmed == "1")

    async def run(self, interaction: Interaction) -> None:
        """Show the model answer, or ask to confirm first when the member has not tried the question."""
        assert interaction.guild_id is not None
        bot = interaction.client
        question = await _question(interaction, self.question_id)
        try:
            async with bot.db.write() as session:
                await practice.open_model_answer(session=session, guild_id=interaction.guild_id,
                                                 user_id=interaction.user.id, question_id=question.id,
                                                 confirmed=self.confirmed, now=bot.clock.now())  # fmt: skip
        except practice.ConfirmFirst as exc:
            confirm = view_of(PracticeModelButton(question.id, confirmed=True))
            await interaction.response.send_message(str(exc), view=confirm, ephemeral=True)
            return
        embed = solution_embed(question)
        if embed is None:
            await interaction.response.send_message("This question has no model answer yet.", ephemeral=True)
            return
        await interaction.response.send_message(embed=embed, ephemeral=True)


DYNAMIC_ITEMS = (PracticeAnswerButton, PracticeModelButton)
