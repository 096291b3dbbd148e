"""The one admin check every admin command uses at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot.services import guild_settings

if TYPE_CHECKING:
    from bot.client import Interaction


class NotAdmin(app_commands.CheckFailure):
    """The caller may not run an admin command."""


class NotInGuild(app_commands.CheckFailure):
    """The command was used outside a server."""


async def is_admin(interaction: Interaction) -> bool:
    """Tell whether the caller has Manage Server or the server's configured admin role."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.permissions.administrator:
        return True
    async with interaction.client.db.read() as session:
        role_id = await guild_settings.admin_role_id(session=session, guild_id=interaction.guild_id)
    return role_id is not None and any(role.id == role_id for role in interaction.user.roles)


async def require_admin(interaction: Interaction) -> bool:
    """Pass for admins; raise NotAdmin (or NotInGuild) otherwise."""
    if interaction.guild_id is None:
        raise NotInGuild("This command works in a server only.")
    if not await is_admin(interaction):
        raise NotAdmin(
            "This command is for server admins (Manage Server, or the admin role set with /config admin-role)."
        )
    return True


def admin_only() -> Any:
    """Mark a command as admin-only: checked at run time, whatever Discord's gate let through."""
    return app_commands.check(require_admin)


def command_is_admin(command: app_commands.Command[Any, ..., Any] | app_commands.Group) -> bool:
    """Tell whether a command (or a group's default permission) is for admins only."""
    if isinstance(command, app_commands.Command) and require_admin in command.checks:
        return True
    perms = command.default_permissions
    return perms is not None and perms.manage_guild
