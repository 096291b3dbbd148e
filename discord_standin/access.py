"""Apply permissions.py to the world: who may see and do what, in which channel."""

from __future__ import annotations

from .errors import missing_access, missing_permissions
from .permissions import (
    P,
    base_permissions,
    can_see_thread,
    channel_permissions,
    implicit_permissions,
    role_position_allows,
)
from .world import Channel, Guild, Role, World

__all__ = ["Access", "P"]

DM_PERMISSIONS = int(
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.READ_MESSAGE_HISTORY
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.MENTION_EVERYONE
)


class Access:
    """Compute permissions and visibility over a ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world

    def guild_permissions(self, guild: Guild, user_id: int) -> int:
        """Return a member's guild-wide permissions (0 for non-members)."""
        member = guild.members.get(user_id)
        if member is None:
            return 0
        return int(
            base_permissions(
                guild_id=guild.id,
                owner_id=guild.owner_id,
                member_id=user_id,
                member_role_ids=list(member.role_ids),
                role_permissions={r.id: r.permissions for r in guild.roles.values()},
            )
        )

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """Return a member's permissions in a channel (a thread uses its parent's)."""
        if channel.guild_id is None:
            return DM_PERMISSIONS if user_id in (channel.recipient_id, self.world.bot.id) else 0
        source = self.world.channels.get(channel.parent_id or 0) if channel.is_thread else channel
        if source is None:
            return 0
        guild = self.world.guilds[channel.guild_id]
        member = guild.members.get(user_id)
        if member is None:
            return 0
        base = self.guild_permissions(guild, user_id)
        overwrites = [{"id": o.id, "type": o.type, "allow": o.allow, "deny": o.deny} for o in source.overwrites]
        perms = channel_permissions(
            base, guild_id=guild.id, member_id=user_id, member_role_ids=list(member.role_ids), overwrites=overwrites
        )
        return int(implicit_permissions(perms, thread=channel.is_thread))

    def can_see(self, channel: Channel, user_id: int) -> bool:
        """Say whether ``user_id`` can see ``channel`` (private threads need membership or Manage Threads)."""
        perms = self.channel_permissions(channel, user_id)
        if not channel.is_thread:
            return bool(perms & P.VIEW_CHANNEL)
        return bool(
            can_see_thread(
                private=channel.is_private_thread,
                member_id=user_id,
                thread_member_ids=list(channel.thread_members),
                parent_permissions=perms,
            )
        )

    def require(self, channel: Channel, user_id: int, *needed: int) -> int:
        """Raise 403 50001 if the channel is invisible, 403 50013 if a permission is missing."""
        if not self.can_see(channel, user_id):
            raise missing_access()
        perms = self.channel_permissions(channel, user_id)
        for bit in needed:
            if not perms & bit:
                raise missing_permissions()
        return perms

    def has(self, channel: Channel, user_id: int, bit: int) -> bool:
        """Say whether ``user_id`` holds ``bit`` in ``channel``."""
        return bool(self.channel_permissions(channel, user_id) & bit)

    def can_manage_role(self, guild: Guild, actor_id: int, role: Role) -> bool:
        """Say whether an actor with Manage Roles sits above ``role`` in the hierarchy."""
        if actor_id == guild.owner_id:
            return True
        if not self.guild_permissions(guild, actor_id) & P.MANAGE_ROLES:
            return False
        return bool(
            role_position_allows(
                actor_top_position=self.world.top_role_position(guild, actor_id),
                role_position=role.position,
            )
        )
