"""/feedback: peer feedback after a mock (two steps), what a member received, reports for admins."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.models import MockFeedback
from bot.render import drawn
from bot.render.feedback_chart import render_trend, trend_alt_text
from bot.services import feedback as svc
from bot.services.errors import Refused
from bot.services.feedback import stats as feedback_stats
from bot.services.mock import period_label
from bot.tree import reply
from bot.ui import in_time, view_of
from cogs.feedback.render import (
    CHART_NAME,
    feedback_embed,
    fit_embeds,
    option_label,
    participation_embed,
    summary_embed,
)
from cogs.feedback.views import DYNAMIC_ITEMS, OpenSelect, PairingSelect, RemoveButton

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

NONE = discord.AllowedMentions.none()
LISTED = 25  # a select holds at most 25 options


@app_commands.guild_only()
class FeedbackCog(commands.GroupCog, group_name="feedback", group_description="Peer feedback after mock interviews"):
    """Giving feedback, reading what one received, and reports for admins."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        super().__init__()

    async def cog_load(self) -> None:
        """Route the feedback buttons and selects here (their ids carry what they need)."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        """Stop routing them."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    # --- commands ------------------------------------------------------------------------------

    @app_commands.command(name="give", description="Give feedback for one of your recent mock pairings")
    async def give(self, interaction: Interaction) -> None:
        """List the caller's recent pairings and partners to pick from."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            found = await svc.pairings(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id)
        if not found:
            raise Refused("You have no recent mock pairing to give feedback for.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        options = []
        for d in found[:25]:
            name = await self.bot.member_name(interaction.guild_id, d.recipient_id)
            state = "given: pick to edit" if d.given else "not given yet"
            options.append(discord.SelectOption(label=f"{period_label(d.period_key)} · {name}"[:100],
                                                value=f"{d.group_id}:{d.recipient_id}", description=state))  # fmt: skip
        await interaction.followup.send("Whom is your feedback for?", view=view_of(PairingSelect(options)),
                                        ephemeral=True)  # fmt: skip

    @app_commands.command(name="mine", description="Feedback you received: averages, trend, latest comments")
    async def mine(self, interaction: Interaction) -> None:
        """Show the caller's received feedback, with a trend chart (only to them)."""
        assert interaction.guild_id is not None
        guild_id, user = interaction.guild_id, interaction.user
        labels = svc.DIMENSION_LABELS

        async def chart() -> tuple[feedback_stats.Summary, list[MockFeedback], bytes]:
            async with self.bot.db.read() as session:
                summary, rows = await feedback_stats.mine(session=session, guild_id=guild_id, user_id=user.id,
                                                          listed=LISTED)  # fmt: skip
            image = await drawn(render_trend, summary.trend, labels, title=f"{user.display_name} · feedback trend")
            return summary, rows, image

        summary, rows, image = await in_time(interaction, chart())  # the chart may take a while under load
        file = discord.File(io.BytesIO(image), filename=CHART_NAME,
                            description=trend_alt_text(summary.trend, labels))  # fmt: skip
        options = [discord.SelectOption(label=option_label(r), value=str(r.id)) for r in rows]
        await reply(interaction, embed=summary_embed(summary, user.display_name), file=file,
                    view=view_of(OpenSelect(options)))  # fmt: skip

    @app_commands.command(name="reported", description="Read and remove feedback members reported (admins)")
    @admin_only()
    async def reported(self, interaction: Interaction) -> None:
        """Show the server's reported feedback (the only feedback admins may read), with Remove buttons."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            rows = await svc.reported(session=session, guild_id=interaction.guild_id)
        if not rows:
            await interaction.response.send_message("No reported feedback.", ephemeral=True)
            return
        embeds = fit_embeds([feedback_embed(r, for_admins=True) for r in rows])
        shown = rows[: len(embeds)]
        view = view_of(*(RemoveButton(r.id or 0, f"Remove #{r.id}") for r in shown))
        more = "" if len(shown) == len(rows) else " More are waiting: run the command again after handling these."
        await interaction.response.send_message(f"Reported feedback, oldest report first.{more}", embeds=embeds,
                                                view=view, ephemeral=True, allowed_mentions=NONE)  # fmt: skip

    @app_commands.command(name="stats", description="How many members give feedback, per round (admins)")
    @admin_only()
    async def stats(self, interaction: Interaction) -> None:
        """Show participation counts (never content)."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            rows = await feedback_stats.participation(session=session, guild_id=interaction.guild_id)
        await interaction.response.send_message(embed=participation_embed(rows), ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(FeedbackCog(bot))


__all__ = ["FeedbackCog"]
