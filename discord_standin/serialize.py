"""Turn world objects into the JSON payloads Discord sends (REST answers and gateway events)."""

from __future__ import annotations

import re
from typing import Any

from .world import (
    PRIVATE_THREAD,
    Attachment,
    Channel,
    Guild,
    Member,
    Message,
    Role,
    User,
    World,
)

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def user_payload(user: User) -> dict[str, Any]:
    """Return a user object."""
    return {
        "id": str(user.id),
        "username": user.username,
        "discriminator": "0",
        "global_name": user.global_name,
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
        "flags": 0,
    }


def role_payload(role: Role) -> dict[str, Any]:
    """Return a role object."""
    out: dict[str, Any] = {
        "id": str(role.id),
        "name": role.name,
        "color": role.color,
        "colors": {"primary_color": role.color, "secondary_color": None, "tertiary_color": None},
        "hoist": role.hoist,
        "icon": None,
        "unicode_emoji": None,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }
    if role.bot_id is not None:
        out["tags"] = {"bot_id": str(role.bot_id)}
    return out


def member_payload(member: Member, *, with_user: bool = True) -> dict[str, Any]:
    """Return a guild member object (``user`` included unless ``with_user`` is false)."""
    out: dict[str, Any] = {
        "roles": [str(r) for r in member.role_ids],
        "nick": member.nick,
        "avatar": None,
        "banner": None,
        "joined_at": member.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }
    if with_user:
        out["user"] = user_payload(member.user)
    return out


def overwrites_payload(channel: Channel) -> list[dict[str, Any]]:
    """Return a channel's permission overwrites."""
    return [{"id": str(o.id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)} for o in channel.overwrites]


def thread_member_payload(thread: Channel, user_id: int) -> dict[str, Any]:
    """Return a thread member object."""
    return {
        "id": str(thread.id),
        "user_id": str(user_id),
        "join_timestamp": thread.thread_members.get(user_id, thread.create_timestamp),
        "flags": 0,
    }


def channel_payload(channel: Channel, world: World, *, viewer_id: int | None = None) -> dict[str, Any]:
    """Return a channel object (text, category, DM or thread)."""
    if channel.is_thread:
        return thread_payload(channel, viewer_id=viewer_id)
    if channel.guild_id is None:
        recipient = world.users.get(channel.recipient_id or 0)
        return {
            "id": str(channel.id),
            "type": channel.type,
            "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
            "recipients": [user_payload(recipient)] if recipient else [],
            "flags": 0,
        }
    voice = {"bitrate": 64000, "user_limit": 0} if channel.type in (2, 13) else {}
    return voice | {
        "id": str(channel.id),
        "type": channel.type,
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "permission_overwrites": overwrites_payload(channel),
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "topic": channel.topic,
        "nsfw": False,
        "last_message_id": str(channel.last_message_id) if channel.last_message_id else None,
        "rate_limit_per_user": channel.rate_limit_per_user,
        "default_auto_archive_duration": 4320,
        "flags": 0,
    }


def thread_payload(thread: Channel, *, viewer_id: int | None = None) -> dict[str, Any]:
    """Return a thread channel object (with ``member`` when the viewer has joined it)."""
    metadata: dict[str, Any] = {
        "archived": thread.archived,
        "auto_archive_duration": thread.auto_archive_duration,
        "archive_timestamp": thread.archive_timestamp,
        "locked": thread.locked,
        "create_timestamp": thread.create_timestamp,
    }
    if thread.type == PRIVATE_THREAD:
        metadata["invitable"] = thread.invitable
    out: dict[str, Any] = {
        "id": str(thread.id),
        "type": thread.type,
        "guild_id": str(thread.guild_id),
        "parent_id": str(thread.parent_id),
        "owner_id": str(thread.owner_id),
        "name": thread.name,
        "last_message_id": str(thread.last_message_id) if thread.last_message_id else None,
        "message_count": thread.message_count,
        "member_count": min(len(thread.thread_members), 50),
        "total_message_sent": thread.total_message_sent,
        "rate_limit_per_user": thread.rate_limit_per_user,
        "flags": 0,
        "thread_metadata": metadata,
    }
    if viewer_id is not None and viewer_id in thread.thread_members:
        out["member"] = thread_member_payload(thread, viewer_id)
    return out


def attachment_payload(attachment: Attachment) -> dict[str, Any]:
    """Return an attachment object whose URL the fake serves."""
    out: dict[str, Any] = {
        "id": str(attachment.id),
        "filename": attachment.filename,
        "size": attachment.size,
        "url": attachment.url,
        "proxy_url": attachment.url,
        "content_type": attachment.content_type,
    }
    if attachment.description is not None:
        out["description"] = attachment.description
    if attachment.ephemeral:
        out["ephemeral"] = True
    return out


def mentioned_user_ids(content: str) -> list[int]:
    """Return the user ids mentioned in ``content``, in order, without repeats."""
    return list(dict.fromkeys(int(m) for m in _USER_MENTION.findall(content or "")))


def mentioned_role_ids(content: str) -> list[int]:
    """Return the role ids mentioned in ``content``."""
    return list(dict.fromkeys(int(m) for m in _ROLE_MENTION.findall(content or "")))


def message_payload(
    message: Message, world: World, *, gateway: bool = False, blank_content: bool = False, nested: bool = False
) -> dict[str, Any]:
    """Return a message object; ``gateway`` adds guild_id and the author's member."""
    guild = world.guilds.get(message.guild_id or 0)
    mentions = []
    for uid in mentioned_user_ids(message.content):
        user = world.users.get(uid)
        if user is None:
            continue
        entry = user_payload(user)
        if gateway and guild is not None and uid in guild.members:
            entry["member"] = member_payload(guild.members[uid], with_user=False)
        mentions.append(entry)
    out: dict[str, Any] = {
        "id": str(message.id),
        "type": message.type,
        "channel_id": str(message.channel_id),
        "author": user_payload(message.author),
        "content": "" if blank_content else message.content,
        "timestamp": message.timestamp,
        "edited_timestamp": message.edited_timestamp,
        "tts": message.tts,
        "mention_everyone": message.mention_everyone,
        "mentions": mentions,
        "mention_roles": [str(r) for r in mentioned_role_ids(message.content)],
        "attachments": [] if blank_content else [attachment_payload(a) for a in message.attachments],
        "embeds": [] if blank_content else [_embed(e) for e in message.embeds],
        "components": [] if blank_content else message.components,
        "pinned": message.pinned,
        "flags": message.flags,
        "reactions": [],
    }
    if message.nonce is not None:
        out["nonce"] = message.nonce
    if message.webhook_id is not None:
        out["webhook_id"] = str(message.webhook_id)
    if message.application_id is not None:
        out["application_id"] = str(message.application_id)
    if message.interaction_metadata is not None:
        out["interaction_metadata"] = message.interaction_metadata
    if message.message_reference is not None:
        out["message_reference"] = message.message_reference
        ref = world.messages.get(int(message.message_reference.get("message_id") or 0))
        if not nested:
            alive = ref is not None and not ref.deleted
            out["referenced_message"] = message_payload(ref, world, nested=True) if alive and ref else None
    if message.thread_id is not None and not nested:
        thread = world.channels.get(message.thread_id)
        if thread is not None and not thread.deleted:
            out["thread"] = thread_payload(thread)
    if gateway and guild is not None:
        out["guild_id"] = str(guild.id)
        member = guild.members.get(message.author.id)
        if member is not None and message.webhook_id is None:
            out["member"] = member_payload(member, with_user=False)
    return out


def _embed(embed: dict[str, Any]) -> dict[str, Any]:
    out = dict(embed)
    out.setdefault("type", "rich")
    return out


def guild_create_payload(guild: Guild, world: World, *, viewer_id: int) -> dict[str, Any]:
    """Return the GUILD_CREATE payload: roles, channels, visible active threads and every member."""
    from .access import Access  # local import: access imports world only

    access = Access(world)
    threads = [
        thread_payload(t, viewer_id=viewer_id) for t in world.active_threads(guild.id) if access.can_see(t, viewer_id)
    ]
    bot_member = guild.members.get(viewer_id)
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(guild.owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "preferred_locale": guild.preferred_locale,
        "features": list(guild.features),
        "roles": [role_payload(r) for r in guild.roles.values()],
        "emojis": [],
        "stickers": [],
        "channels": [channel_payload(c, world) for c in world.guild_channels(guild.id)],
        "threads": threads,
        "members": [member_payload(m) for m in guild.members.values()],
        "member_count": len(guild.members),
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "large": False,
        "unavailable": False,
        "lazy": True,
        "joined_at": bot_member.joined_at if bot_member else None,
        "application_id": None,
        "max_members": 500000,
        "max_video_channel_users": 25,
        "nsfw": False,
    }
