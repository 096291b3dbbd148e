"""Pair-thread buttons (the interviewer's pack, the follow-up) and what pressing them does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.models.mock import Outcome
from bot.services.errors import Refused
from bot.services.mock import groups as mock_groups
from bot.services.mock import rounds
from bot.services.questions.schema import Question
from bot.ui import Persistent, view_of
from cogs.feedback.views import GiveButton
from cogs.mock.render import pack_embeds
from cogs.questions.render import solution_embed

if TYPE_CHECKING:
    from bot.client import Interaction

OUTCOME_LABELS = {Outcome.MET: "We met", Outcome.NOT_MET: "Didn't happen", Outcome.RESCHEDULE: "Reschedule"}


class PackButton(Persistent[discord.ui.Button[Any]], prefix="mock:pack"):
    """Show my question pack: each member sees the pack for the person they interview."""

    def __init__(self, group_id: int) -> None:
        self.group_id = group_id
        super().__init__(discord.ui.Button(label="Show my question pack", style=discord.ButtonStyle.primary,
                                           emoji="📋", custom_id=self.id_for(group_id)))  # fmt: skip

    @classmethod
    def decode(cls, group: str) -> PackButton:  # type: ignore[override]
        """Rebuild from the group id."""
        return cls(int(group))

    async def run(self, interaction: Interaction) -> None:
        """Show the pack for the person the presser interviews; outsiders are refused."""
        async with interaction.client.db.write() as session:  # the pack is chosen on the first press, then kept
            interviewee, questions = await mock_groups.pack_for(
                session=session, bank=interaction.client.bank, group_id=self.group_id, viewer_id=interaction.user.id
            )
        await interaction.response.send_message(
            f"Your questions for interviewing <@{interviewee}>. Only you can see this.",
            embeds=pack_embeds(questions), view=pack_view(self.group_id, questions), ephemeral=True,
        )  # fmt: skip


class PackAnswerButton(Persistent[discord.ui.Button[Any]], prefix="mock:pack-answer"):
    """The model answer of one question of the viewer's pack, for the interviewer only."""

    def __init__(self, group_id: int, index: int) -> None:
        self.group_id, self.index = group_id, index
        super().__init__(discord.ui.Button(label=f"Model answer Q{index + 1}", style=discord.ButtonStyle.secondary,
                                           emoji="📘", custom_id=self.id_for(group_id, index)))  # fmt: skip

    @classmethod
    def decode(cls, group: str, index: str) -> PackAnswerButton:  # type: ignore[override]
        """Rebuild from the group id and the question's place in the pack."""
        return cls(int(group), int(index))

    async def run(self, interaction: Interaction) -> None:
        """Show the model answer of the presser's own pack question (outsiders are refused)."""
        async with interaction.client.db.write() as session:
            _, questions = await mock_groups.pack_for(
                session=session, bank=interaction.client.bank, group_id=self.group_id, viewer_id=interaction.user.id
            )
        embed = solution_embed(questions[self.index]) if self.index < len(questions) else None
        if embed is None:
            raise Refused("This question has no model answer.")
        await interaction.response.send_message(embed=embed, ephemeral=True)


def pack_view(group_id: int, questions: list[Question]) -> discord.ui.View:
    """One Model answer button per pack question that has one."""
    return view_of(*(PackAnswerButton(group_id, i) for i, q in enumerate(questions) if q.solution))


class OutcomeButton(Persistent[discord.ui.Button[Any]], prefix="mock:outcome"):
    """A follow-up answer: we met, didn't happen, reschedule."""

    def __init__(self, group_id: int, outcome: Outcome) -> None:
        self.group_id, self.outcome = group_id, outcome
        style = discord.ButtonStyle.success if outcome == Outcome.MET else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=OUTCOME_LABELS[outcome], style=style,
                                           custom_id=self.id_for(group_id, outcome.value)))  # fmt: skip

    @classmethod
    def decode(cls, group: str, outcome: str) -> OutcomeButton:  # type: ignore[override]
        """Rebuild from the group id and the outcome."""
        return cls(int(group), Outcome(outcome))

    async def run(self, interaction: Interaction) -> None:
        """Store the outcome (members of the group only)."""
        bot = interaction.client
        async with bot.db.write() as session:
            await rounds.record_outcome(session=session, group_id=self.group_id, user_id=interaction.user.id,
                                        outcome=self.outcome, now=bot.clock.now())  # fmt: skip
        await interaction.response.send_message(f"Noted: {OUTCOME_LABELS[self.outcome]}. Thanks!", ephemeral=True)


DYNAMIC_ITEMS = (PackButton, PackAnswerButton, OutcomeButton)


def intro_view(group_id: int) -> discord.ui.View:
    """The buttons under a pair's intro."""
    return view_of(PackButton(group_id), GiveButton(group_id))


def followup_view(group_id: int) -> discord.ui.View:
    """The follow-up buttons."""
    return view_of(*(OutcomeButton(group_id, outcome) for outcome in OUTCOME_LABELS), GiveButton(group_id))
