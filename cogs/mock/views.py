"""Pair-thread buttons: the interviewer's pack and the follow-up; state lives in the custom ids."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.models.mock import Outcome
from bot.tree import DrillView, reports_errors
from cogs.feedback.views import GiveButton

if TYPE_CHECKING:
    from cogs.mock import MockCog

OUTCOME_LABELS = {Outcome.MET: "We met", Outcome.NOT_MET: "Didn't happen", Outcome.RESCHEDULE: "Reschedule"}


def _cog(interaction: discord.Interaction[Any]) -> MockCog:
    return cast("MockCog", interaction.client.get_cog("MockCog"))


class PackButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mock:pack:(?P<group>\d+)"):
    """Show my question pack: each member sees the pack for the person they interview."""

    def __init__(self, group_id: int) -> None:
        self.group_id = group_id
        super().__init__(discord.ui.Button(label="Show my question pack", style=discord.ButtonStyle.primary,
                                           emoji="📋", custom_id=f"mock:pack:{group_id}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PackButton:
        """Rebuild from the custom id."""
        return cls(int(match["group"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Answer with the viewer's pack, ephemerally."""
        await _cog(interaction).show_pack(interaction, self.group_id)


class OutcomeButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"mock:outcome:(?P<group>\d+):(?P<outcome>[a-z-]+)"
):
    """A follow-up answer: we met, didn't happen, reschedule."""

    def __init__(self, group_id: int, outcome: Outcome) -> None:
        self.group_id, self.outcome = group_id, outcome
        style = discord.ButtonStyle.success if outcome == Outcome.MET else discord.ButtonStyle.secondary
        super().__init__(discord.ui.Button(label=OUTCOME_LABELS[outcome], style=style,
                                           custom_id=f"mock:outcome:{group_id}:{outcome}"))  # fmt: skip

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> OutcomeButton:
        """Rebuild from the custom id."""
        return cls(int(match["group"]), Outcome(match["outcome"]))

    @reports_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Store the outcome (members of the group only)."""
        await _cog(interaction).record_outcome(interaction, self.group_id, self.outcome)


def intro_view(group_id: int) -> discord.ui.View:
    """The buttons under a pair's intro."""
    view = DrillView(timeout=None)
    view.add_item(PackButton(group_id))
    view.add_item(GiveButton(group_id))
    return view


def followup_view(group_id: int) -> discord.ui.View:
    """The follow-up buttons."""
    view = DrillView(timeout=None)
    for outcome in OUTCOME_LABELS:
        view.add_item(OutcomeButton(group_id, outcome))
    view.add_item(GiveButton(group_id))
    return view
