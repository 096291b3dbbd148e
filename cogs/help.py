"""/help: an overview generated from the command tree, so it never drifts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import command_is_admin

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction

OVERVIEW = (
    "drillbot runs this server's interview-prep program: a daily interview prompt with a thread "
    "for answers and peer review, mock interviews with a peer in private threads, structured "
    "feedback afterwards, and streaks and leaderboards to keep you coming back. Replies that "
    "concern only you are visible to you only."
)
FIELD_LIMIT = 1024
MAX_FIELDS = 25


def iter_command_lines(tree: app_commands.CommandTree[Any]) -> Iterator[tuple[str, str]]:
    """Yield (top-level name, line) for every runnable command in the tree, sorted."""
    for top in sorted(tree.get_commands(type=discord.AppCommandType.chat_input), key=lambda c: c.name):
        leaves = (
            [top]
            if isinstance(top, app_commands.Command)
            else sorted(top.walk_commands(), key=lambda c: c.qualified_name)
        )
        group_admin = command_is_admin(top)
        for cmd in leaves:
            if not isinstance(cmd, app_commands.Command):
                continue
            params = " ".join(f"[{p.display_name}]" if not p.required else p.display_name for p in cmd.parameters)
            admin = " *(admin)*" if group_admin or command_is_admin(cmd) else ""
            signature = f"/{cmd.qualified_name}" + (f" {params}" if params else "")
            yield top.name, f"`{signature}` — {cmd.description}{admin}"


def build_help_embed(tree: app_commands.CommandTree[Any]) -> discord.Embed:
    """Build the /help embed: the overview, then one field per top-level command."""
    embed = discord.Embed(title="drillbot — help", description=OVERVIEW, colour=discord.Colour.blurple())
    fields: dict[str, list[str]] = {}
    for name, line in iter_command_lines(tree):
        fields.setdefault(name, []).append(line)
    for name, lines in fields.items():
        chunk: list[str] = []
        for line in lines:
            if sum(len(x) + 1 for x in chunk) + len(line) > FIELD_LIMIT:
                embed.add_field(name=f"/{name}", value="\n".join(chunk), inline=False)
                chunk = []
            chunk.append(line[:FIELD_LIMIT])
        if chunk and len(embed.fields) < MAX_FIELDS:
            embed.add_field(name=f"/{name}", value="\n".join(chunk), inline=False)
    embed.set_footer(text="Admin commands need Manage Server or the admin role set with /config admin-role.")
    return embed


class HelpCog(commands.Cog):
    """The /help command."""

    def __init__(self, bot: DrillBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What drillbot does and every command it has")
    async def help(self, interaction: Interaction) -> None:
        """Show the program overview and the command list, ephemerally."""
        await interaction.response.send_message(embed=build_help_embed(self.bot.tree), ephemeral=True)


async def setup(bot: DrillBot) -> None:
    """Load the cog."""
    await bot.add_cog(HelpCog(bot))
