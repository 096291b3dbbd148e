"""The command tree: one place where every app-command error becomes a clear reply."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.checks import NotAdmin, NotInGuild
from bot.services.errors import Refused
from bot.text import clip, is_blank

if TYPE_CHECKING:
    from bot.client import DrillBot, Interaction  # noqa: F401 - DrillBot: the tree's client, named in a string below

log = logging.getLogger(__name__)


async def reply(
    interaction: Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    file: discord.File | None = None,
    view: discord.ui.View | None = None,
) -> None:
    """Reply ephemerally, with no mentions: the response itself, or the follow-up when already acknowledged."""
    given = {"content": content, "embed": embed, "file": file, "view": view}
    extra: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    none = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(ephemeral=True, allowed_mentions=none, **extra)
    else:
        await interaction.response.send_message(ephemeral=True, allowed_mentions=none, **extra)


async def send_ephemeral(interaction: Interaction, content: str) -> None:
    """Answer ephemerally, whether or not the interaction was already acknowledged; a failure is only logged."""
    try:
        await reply(interaction, content)
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
    if isinstance(error, OptionRefused):
        return f"{error} Nothing was changed."
    if isinstance(error, app_commands.TransformerError):  # an option refused before the command ran
        reason = describe_error(error.__cause__) if error.__cause__ else None
        return f"{reason or _not_usable(error.value, error.type)} Nothing was changed."
    if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
        return "This command has changed since your Discord app loaded it: reload Discord (Ctrl+R) and try again."
    cause = getattr(error, "original", None)
    return describe_error(cause) if isinstance(cause, BaseException) else None


def shown(value: object) -> str:
    """Name a value the way Discord shows it: a mention for users, roles and channels, else quoted text."""
    mention = getattr(value, "mention", None)
    if isinstance(mention, str):
        return mention
    return f"`{clip(str(value), 60)}`" if str(value).strip() else "an empty value"


def _not_usable(value: object, kind: discord.AppCommandOptionType) -> str:
    if kind is discord.AppCommandOptionType.user:
        return f"{shown(value)} is not a member of this server."
    if kind is discord.AppCommandOptionType.channel:
        return f"I cannot use {shown(value)} for this option: pick another channel."
    return f"I could not understand {shown(value)}."


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


class OptionRefused(app_commands.AppCommandError):
    """An option value the command did not declare (a crafted or stale client): its text is for the user."""


OptionType = discord.AppCommandOptionType
CHANNEL_KINDS = {
    discord.ChannelType.text: "a text channel", discord.ChannelType.news: "an announcement channel",
    discord.ChannelType.voice: "a voice channel", discord.ChannelType.stage_voice: "a stage channel",
    discord.ChannelType.category: "a category", discord.ChannelType.forum: "a forum",
    discord.ChannelType.media: "a media channel", discord.ChannelType.public_thread: "a thread",
    discord.ChannelType.private_thread: "a thread", discord.ChannelType.news_thread: "a thread",
}  # fmt: skip
_PYTHON_TYPES: dict[OptionType, tuple[type, ...]] = {
    OptionType.string: (str,), OptionType.integer: (int,), OptionType.number: (int, float),
    OptionType.boolean: (bool,),
}  # fmt: skip


def check_options(
    parameters: list[app_commands.Parameter], options: list[dict[str, Any]], resolved: dict[str, Any]
) -> None:
    """Refuse any option value outside what the command declared: name, type, choices, range, length, channel type.

    Discord's client keeps members inside these bounds; a crafted or out-of-date client does not,
    and what the bot stores must hold whatever arrives. A blank text is refused too: leaving an
    option out keeps its value, and a word such as ``none`` resets it.
    """
    declared = {p.display_name: p for p in parameters}
    given = set()
    for option in options:
        name = str(option.get("name"))
        parameter = declared.get(name)
        if parameter is None or option.get("type") != parameter.type.value:
            raise OptionRefused(f"This command has no option `{clip(name, 40)}` of that kind.")
        given.add(name)
        _check_value(parameter, option.get("value"), resolved)
    missing = [p.display_name for p in parameters if p.required and p.display_name not in given]
    if missing:
        raise OptionRefused(f"Fill in {', '.join(f'`{m}`' for m in missing)}.")


def _check_value(parameter: app_commands.Parameter, value: Any, resolved: dict[str, Any]) -> None:
    name, kind = parameter.display_name, parameter.type
    python_types = _PYTHON_TYPES.get(kind)
    if python_types is not None:
        if not isinstance(value, python_types) or (kind is not OptionType.boolean and isinstance(value, bool)):
            raise OptionRefused(f"`{name}` takes {kind.name.replace('_', ' ')} values.")
    elif not isinstance(value, str) or not value.isdigit():
        raise OptionRefused(f"`{name}` takes a {kind.name} picked from the list.")
    if parameter.choices and value not in [choice.value for choice in parameter.choices]:
        listed = ", ".join(f"`{choice.name}`" for choice in parameter.choices[:10])
        raise OptionRefused(f"`{name}` is one of {listed}; {shown(value)} is not.")
    low, high = parameter.min_value, parameter.max_value
    if kind is OptionType.string:
        if is_blank(value):
            raise OptionRefused(f"`{name}` was blank: give a value, or leave the option out to keep the current one.")
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            raise OptionRefused(f"`{name}` takes {_bounds(low, high)} characters; you gave {len(value)}.")
    elif kind in (OptionType.integer, OptionType.number):
        if (low is not None and value < low) or (high is not None and value > high):
            raise OptionRefused(f"`{name}` takes {_bounds(low, high)}; {shown(value)} is outside that.")
    elif kind is OptionType.channel and parameter.channel_types:
        channel = resolved.get("channels", {}).get(value)
        allowed = {t.value for t in parameter.channel_types}
        if channel is None or channel.get("type") not in allowed:
            wanted = " or ".join(sorted({CHANNEL_KINDS.get(t, t.name) for t in parameter.channel_types}))
            got = CHANNEL_KINDS.get(discord.ChannelType(channel["type"]), "another kind") if channel else "unknown"
            raise OptionRefused(f"`{name}` takes {wanted}; <#{value}> is {got}.")


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _is_guild_only(command: app_commands.Command[Any, ..., Any] | app_commands.ContextMenu) -> bool:
    """Tell whether a command (through its top-level group) is declared for servers only."""
    root = command.root_parent or command if isinstance(command, app_commands.Command) else command
    return bool(root.guild_only)


class DrillTree(app_commands.CommandTree["DrillBot"]):
    """A command tree whose errors never leave a user with "the application did not respond"."""

    async def interaction_check(self, interaction: Interaction) -> bool:
        """Refuse, with a clear reply, a server command used in a DM and any option the command did not declare."""
        if interaction.type is not discord.InteractionType.application_command:
            return True  # autocomplete answers partial text; components and modals check their own values
        command = interaction.command
        if command is None:
            return True  # discord.py raises CommandNotFound, which the error handler explains
        if interaction.guild_id is None and _is_guild_only(command):
            raise app_commands.NoPrivateMessage()
        if isinstance(command, app_commands.Command):
            data: dict[str, Any] = dict(interaction.data or {})
            _, options = self._get_app_command_options(data)  # type: ignore[arg-type]
            check_options(command.parameters, list(options), dict(data.get("resolved") or {}))  # type: ignore[arg-type]
        return True

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        """Reply with a clear message for expected errors and an error id for bugs."""
        await report_error(interaction, error)
