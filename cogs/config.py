"""/config: server settings for admins. Each feature's settings have a subcommand here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import admin_only
from bot.services import guild_settings

if TYPE_CHECKING:
    from bot.client import DrillBot


class ConfigCog(commands.GroupCog, group_name="config", group_description="Server settings (admins)"):
    """Admin settings: who counts as admin, and what each feature does."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="admin-role", description="Set the role whose holders may run admin commands")
    @app_commands.describe(role="The admin role; leave out to clear it (Manage Server always counts)")
    @admin_only()
    async def admin_role(self, interaction: discord.Interaction[Any], role: discord.Role | None = None) -> None:
        """Set or clear the server's admin role."""
        assert interaction.guild_id is not None
        async with self.bot.db.write() as session:
            await guild_settings.set_admin_role(
                session=session, guild_id=interaction.guild_id, role_id=role.id if role else None
            )
        text = (
            f"Members with {role.mention} can now run admin commands."
            if role
            else "Admin role cleared: only members with Manage Server can run admin commands."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="show", description="Show every setting of this server")
    @admin_only()
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        """Show the server's settings."""
        assert interaction.guild_id is not None
        async with self.bot.db.read() as session:
            settings = await guild_settings.get_settings(session=session, guild_id=interaction.guild_id)
        embed = discord.Embed(title="drillbot settings", colour=discord.Colour.blurple())
        embed.add_field(
            name="Admin role",
            value=f"<@&{settings.admin_role_id}>" if settings.admin_role_id else "not set (Manage Server only)",
            inline=False,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(ConfigCog(bot))
