"""The command tree: one place where every app-command error becomes a clear reply."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.checks import NotAdmin, NotInGuild
from bot.services.errors import Refused

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction  # noqa: F401 - DrillBot: the tree's client, named in a string below

log = logging.getLogger(__name__)


async def send_ephemeral(interaction: Interaction, content: str) -> None:
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
    """Return the message for an expected error (a refusal, a failed check), or None when it is a bug."""
    if isinstance(error, Refused):
        return str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Slow down: try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I am missing a permission here: {missing}."
    if isinstance(error, app_commands.MissingPermissions):
        return "You do not have permission to use this command."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server only: use it in one of the server's channels."
    if isinstance(error, NotAdmin | NotInGuild):
        return str(error)
    if isinstance(error, app_commands.CheckFailure):
        return "You cannot use this command here."
    if isinstance(error, app_commands.TransformerError):  # an option refused before the command ran
        reason = describe_error(error.__cause__) if error.__cause__ else None
        return f"{reason or 'I could not understand a value you gave.'} Nothing was changed."
    cause = getattr(error, "original", None)
    return describe_error(cause) if isinstance(cause, BaseException) else None


async def report_error(interaction: Interaction, error: BaseException) -> None:
    """Tell the user what went wrong: the message for expected errors, an error id for bugs."""
    message = describe_error(error)
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


COMPARED = ("description", "options", "default_member_permissions", "nsfw", "dm_permission", "contexts",
            "integration_types")  # fmt: skip
LEFT_TO_DISCORD = frozenset({"contexts", "integration_types"})  # Discord fills its defaults in when we send null


def _canonical(node: Any) -> Any:
    """Drop what Discord leaves out or answers with a default (empty, false, null; dm_permission true)."""
    if isinstance(node, dict):
        kept = {name: _canonical(value) for name, value in node.items()}
        return {
            name: value
            for name, value in kept.items()
            if value not in (None, False, [], {}, "") and not (name == "dm_permission" and value is True)
        }
    if isinstance(node, list):
        return [_canonical(item) for item in node]
    return node


def same_commands(local: list[dict[str, Any]], registered: list[Any]) -> bool:
    """Tell whether Discord's registered commands are the tree's (ids, versions and Discord's defaults aside)."""

    def keyed(commands: list[Any]) -> dict[tuple[int, str], dict[str, Any]]:
        return {(int(c.get("type") or 1), str(c["name"])): _canonical(c) for c in commands}

    mine, theirs = keyed(local), keyed(registered)
    if mine.keys() != theirs.keys():
        return False
    for key, command in mine.items():
        for name in COMPARED:
            if name in LEFT_TO_DISCORD and name not in command:
                continue
            if command.get(name) != theirs[key].get(name):
                return False
    return True


class DrillTree(app_commands.CommandTree["DrillBot"]):
    """A command tree whose errors never leave a user with "the application did not respond"."""

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        """Reply with a clear message for expected errors and an error id for bugs."""
        await report_error(interaction, error)


