"""The command tree: one place where every app-command error becomes a clear reply."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from bot.checks import NotAdmin, NotInGuild

log = logging.getLogger(__name__)


class UserFacingError(app_commands.AppCommandError):
    """An error whose message is meant for the user, shown ephemerally as is."""


async def send_ephemeral(interaction: discord.Interaction[Any], content: str) -> None:
    """Answer ephemerally, whether or not the interaction was already acknowledged."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(content, ephemeral=True, allowed_mentions=discord.AllowedMentions.none())
        else:
            await interaction.response.send_message(
                content, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
    except discord.HTTPException:
        log.warning("could not tell the user about an error", exc_info=True)


def describe_error(error: app_commands.AppCommandError) -> str | None:
    """Return the message for an expected error, or None when it is a bug."""
    if isinstance(error, NotAdmin | NotInGuild | UserFacingError):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I am missing a permission here: {missing}."
    if isinstance(error, app_commands.MissingPermissions):
        return "You do not have permission to use this command."
    if isinstance(error, app_commands.TransformerError):
        return f"I could not understand {error.value!r} for that option."
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    cause = getattr(error, "original", None)
    if isinstance(cause, UserFacingError):
        return str(cause)
    return None


class DrillTree(app_commands.CommandTree[Any]):
    """A command tree whose errors never leave a user with "the application did not respond"."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Reply with a clear message for expected errors and an error id for bugs."""
        message = describe_error(error)
        if message is None:
            error_id = secrets.token_hex(4)
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error(
                "error %s in /%s (guild=%s channel=%s user=%s)",
                error_id,
                command,
                interaction.guild_id,
                interaction.channel_id,
                interaction.user.id,
                exc_info=getattr(error, "original", error),
            )
            message = (
                "Sorry, something went wrong on my side. "
                f"If it keeps happening, tell an admin the error id `{error_id}`."
            )
        await send_ephemeral(interaction, message)
