"""/mock: opting in to mock interviews, avoid lists, status and history, rounds for admins."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.models.mock import Outcome
from bot.services import mock
from bot.services.mock import groups as mock_groups
from bot.services.mock import rounds
from bot.services.questions.schema import TRACKS
from cogs.mock.render import already_ran_text, place_text, roles_text, stats_embed
from cogs.mock.runner import RoundRunner
from cogs.mock.views import DYNAMIC_ITEMS, OUTCOME_LABELS
from cogs.options import TimeZone

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

ROUND_TICK_SECONDS = 60
TRACK_CHOICES = [app_commands.Choice(name=t, value=t) for t in TRACKS]
LEVEL_CHOICES = [app_commands.Choice(name=level, value=level) for level in mock.LEVELS]


@app_commands.guild_only()
class MockCog(commands.GroupCog, group_name="mock", group_description="Mock interviews with a peer"):
    """Mock-interview pairing."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        self.runner = RoundRunner(bot)
        super().__init__()

    async def cog_load(self) -> None:
        """Register the pair-thread buttons and the round job."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        if self.bot.background_jobs:
            self.bot.add_job("mock-rounds", self.runner.tick, seconds=ROUND_TICK_SECONDS)

    async def cog_unload(self) -> None:
        """Stop routing buttons here."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)

    @app_commands.command(name="join", description="Opt in to mock interviews (again to update or resume)")
    @app_commands.describe(
        track="The role you are preparing for",
        level="Your level",
        timezone="Your IANA time zone, e.g. Europe/Helsinki",
        availability="When you can meet, e.g. 'weekday evenings, weekend mornings' or 'mon-fri 18-21, sat 9-12'",
    )
    @app_commands.choices(track=TRACK_CHOICES, level=LEVEL_CHOICES)
    async def join(
        self,
        interaction: Interaction,
        track: str,
        level: str,
        timezone: app_commands.Transform[str, TimeZone],
        availability: str,
    ) -> None:
        """Store the profile; the member is in the next round."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            _row, new = await mock.join(
                session=session, guild_id=interaction.guild_id, user_id=interaction.user.id, track=track,
                level=level, timezone=timezone, availability=availability, now=self.bot.clock.now(),
            )  # fmt: skip
        verb = "You are in" if new else "Profile updated; you are in"
        await interaction.response.send_message(f"{verb} the next pairing round ({track}, {level}, {timezone}).",
                                                ephemeral=True)  # fmt: skip

    @app_commands.command(name="leave", description="Stop taking part in mock interviews")
    async def leave(self, interaction: Interaction) -> None:
        """Opt out."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            changed = await mock.leave(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id)
        text = "You left mock interviews; `/mock join` brings you back." if changed else "You were not taking part."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="pause", description="Skip rounds for a few weeks (resumes by itself)")
    @app_commands.describe(weeks="How many weeks, 1-12")
    async def pause(self, interaction: Interaction, weeks: app_commands.Range[int, 1, 12]) -> None:
        """Pause pairing."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            until = await mock.pause(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id,
                                     weeks=weeks, now=self.bot.clock.now())  # fmt: skip
        await interaction.response.send_message(
            f"Paused until <t:{int(until.timestamp())}:D>. `/mock join` resumes at once.", ephemeral=True
        )

    @app_commands.command(name="avoid", description="Never be paired with this member (private)")
    @app_commands.describe(member="Who you do not want to be paired with")
    async def avoid(self, interaction: Interaction, member: discord.Member) -> None:
        """Add to the private avoid list."""
        await self._set_avoid(interaction, member, True)

    @app_commands.command(name="unavoid", description="Allow pairing with this member again")
    @app_commands.describe(member="The member to take off your avoid list")
    async def unavoid(self, interaction: Interaction, member: discord.Member) -> None:
        """Remove from the private avoid list."""
        await self._set_avoid(interaction, member, False)

    async def _set_avoid(self, interaction: Interaction, member: discord.Member, avoid: bool) -> None:
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            changed = await mock.set_avoid(
                session=session, guild_id=interaction.guild_id, user_id=interaction.user.id, other_id=member.id,
                avoid=avoid,
            )  # fmt: skip
        if avoid:
            text = (
                "Done: you will never be paired with them. Nobody else is told." if changed else "Already on your list."
            )
        else:
            text = "Removed from your avoid list." if changed else "They were not on your list."
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="status", description="Your current pairing: partner, roles, thread, next round")
    async def status(self, interaction: Interaction) -> None:
        """Show the caller's pairing."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            shown = await rounds.status(session=session, guild_id=interaction.guild_id, user_id=interaction.user.id)
        profile = shown.profile
        lines = []
        if profile is None or not profile.active:
            lines.append("You are not taking part: `/mock join` to opt in.")
        elif profile.paused_until and profile.paused_until > self.bot.clock.now():
            lines.append(f"Paused until <t:{int(profile.paused_until.timestamp())}:D>.")
        else:
            lines.append(f"Taking part as {profile.track}, {profile.level} ({profile.timezone}).")
        if shown.latest:
            round_row, group, members = shown.latest
            roles = roles_text([m.user_id for m in members], interaction.user.id)
            lines.append(f"Round, {mock.period_label(round_row.period_key)}: {roles}; where: {place_text(group)}.")
            lines.append(f"Each question pack follows an interview loop: {mock_groups.loop_order()}.")
        if shown.next_round_at:
            lines.append(f"Next round <t:{int(shown.next_round_at.timestamp())}:F>.")
        await interaction.response.send_message("\n".join(lines), ephemeral=True)

    @app_commands.command(name="history", description="Your past mock rounds")
    async def history(self, interaction: Interaction) -> None:
        """List the caller's recent rounds."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            recent = await rounds.member_groups(session=session, guild_id=interaction.guild_id,
                                                user_id=interaction.user.id, limit=10)  # fmt: skip
        me = interaction.user.id
        lines = []
        for r, g, members in recent:
            others = ", ".join(f"<@{m.user_id}>" for m in members if m.user_id != me)
            outcome = OUTCOME_LABELS[g.outcome] if isinstance(g.outcome, Outcome) else "no answer"
            lines.append(f"**{mock.period_label(r.period_key)}** · with {others} · {place_text(g)} · {outcome}")
        await interaction.response.send_message("\n".join(lines) or "No rounds yet.", ephemeral=True)

    @app_commands.command(name="pair-now", description="Run a pairing round now (admins)")
    @admin_only()
    async def pair_now(self, interaction: Interaction) -> None:
        """Run this period's round at once; when it already ran, say so and when the next one is."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.runner.run_round(interaction.guild_id)
        async with self.bot.db.read() as session:
            standing, next_round_at = await rounds.summary(session=session, round_id=result.round.id or 0)
        if not result.created:
            await interaction.followup.send(already_ran_text(result.round.period_key, standing, next_round_at),
                                            ephemeral=True)  # fmt: skip
            return
        await interaction.followup.send(
            f"Paired {standing} group(s), {result.round.repeats} repeat pair(s), "
            f"{len(result.round.unpaired)} unpaired.", ephemeral=True,
        )  # fmt: skip

    @app_commands.command(name="stats", description="Pairing round statistics (admins)")
    @admin_only()
    async def stats(self, interaction: Interaction) -> None:
        """Show recent rounds' statistics."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            rows = await rounds.stats(session=session, guild_id=interaction.guild_id)
        await interaction.response.send_message(embed=stats_embed(rows), ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(MockCog(bot))


__all__ = ["MockCog"]
