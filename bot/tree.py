"""The command tree: one place where every app-command error becomes a clear reply."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable, Coroutine
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


def describe_error(error: BaseException) -> str | None:
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


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Tell the user what went wrong: the message for expected errors, an error id for bugs."""
    message = describe_error(error) if isinstance(error, app_commands.AppCommandError) else None
    if message is None and isinstance(error, UserFacingError | NotAdmin | NotInGuild):
        message = str(error)
    if message is None:
        error_id = secrets.token_hex(4)
        command = (
            interaction.command.qualified_name
            if interaction.command
            else interaction.data and interaction.data.get("custom_id")
        )
        log.error(
            "error %s in %s (guild=%s channel=%s user=%s)",
            error_id,
            command,
            interaction.guild_id,
            interaction.channel_id,
            interaction.user.id,
            exc_info=getattr(error, "original", error),
        )
        message = (
            f"Sorry, something went wrong on my side. If it keeps happening, tell an admin the error id `{error_id}`."
        )
    await send_ephemeral(interaction, message)


class DrillTree(app_commands.CommandTree[Any]):
    """A command tree whose errors never leave a user with "the application did not respond"."""

    async def on_error(self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError) -> None:
        """Reply with a clear message for expected errors and an error id for bugs."""
        await report_error(interaction, error)


class DrillModal(discord.ui.Modal):
    """A modal whose errors reach the user like command errors do."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, /) -> None:  # type: ignore[override]
        """Report the error to the user."""
        await report_error(interaction, error)


class DrillView(discord.ui.View):
    """A view whose errors reach the user like command errors do."""

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, item: Any, /) -> None:
        """Report the error to the user."""
        await report_error(interaction, error)


def reports_errors(
    callback: Callable[[Any, discord.Interaction[Any]], Coroutine[Any, Any, None]],
) -> Callable[[Any, discord.Interaction[Any]], Coroutine[Any, Any, None]]:
    """Wrap a component callback (e.g. a DynamicItem's) so its errors reach the user."""

    @functools.wraps(callback)
    async def wrapper(self: Any, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Exception as exc:
            await report_error(interaction, exc)

    return wrapper
