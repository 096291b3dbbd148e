"""Discord's permission arithmetic over plain values (ids, bit sets, overwrite dicts).

Follows https://discord.com/developers/docs/topics/permissions: base permissions from the
@everyone role (whose id is the guild id) and the member's roles; then the channel's overwrites in
Discord's order (@everyone, all role denies then all role allows, the member's own overwrite).
The guild owner and ADMINISTRATOR get everything. Threads have no overwrites of their own: they
use the parent channel's permissions, and sending in one needs SEND_MESSAGES_IN_THREADS.
"""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Collection, Iterable, Mapping
from typing import Any

ROLE_OVERWRITE = 0
MEMBER_OVERWRITE = 1


class P(enum.IntFlag):
    """Discord permission bits."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_AUDIT_LOG = 1 << 7
    PRIORITY_SPEAKER = 1 << 8
    STREAM = 1 << 9
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    SEND_TTS_MESSAGES = 1 << 12
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    VIEW_GUILD_INSIGHTS = 1 << 19
    CONNECT = 1 << 20
    SPEAK = 1 << 21
    MUTE_MEMBERS = 1 << 22
    DEAFEN_MEMBERS = 1 << 23
    MOVE_MEMBERS = 1 << 24
    USE_VAD = 1 << 25
    CHANGE_NICKNAME = 1 << 26
    MANAGE_NICKNAMES = 1 << 27
    MANAGE_ROLES = 1 << 28
    MANAGE_WEBHOOKS = 1 << 29
    MANAGE_GUILD_EXPRESSIONS = 1 << 30
    USE_APPLICATION_COMMANDS = 1 << 31
    REQUEST_TO_SPEAK = 1 << 32
    MANAGE_EVENTS = 1 << 33
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    CREATE_PRIVATE_THREADS = 1 << 36
    USE_EXTERNAL_STICKERS = 1 << 37
    SEND_MESSAGES_IN_THREADS = 1 << 38
    USE_EMBEDDED_ACTIVITIES = 1 << 39
    MODERATE_MEMBERS = 1 << 40
    VIEW_CREATOR_MONETIZATION_ANALYTICS = 1 << 41
    USE_SOUNDBOARD = 1 << 42
    CREATE_GUILD_EXPRESSIONS = 1 << 43
    CREATE_EVENTS = 1 << 44
    USE_EXTERNAL_SOUNDS = 1 << 45
    SEND_VOICE_MESSAGES = 1 << 46
    SET_VOICE_CHANNEL_STATUS = 1 << 48
    SEND_POLLS = 1 << 49
    USE_EXTERNAL_APPS = 1 << 50
    PIN_MESSAGES = 1 << 51
    BYPASS_SLOWMODE = 1 << 52


ALL_PERMISSIONS = int(functools.reduce(operator.or_, P))

# Denied implicitly when the sending permission is missing (SEND_MESSAGES in a channel,
# SEND_MESSAGES_IN_THREADS in a thread), as Discord and discord.py's permissions_for() do.
SEND_DEPENDENT = int(P.SEND_TTS_MESSAGES | P.MENTION_EVERYONE | P.EMBED_LINKS | P.ATTACH_FILES)

# Permissions that stay when a member cannot see a channel: the guild-wide ones, plus the three
# discord.py also leaves out of Permissions.all_channel() (events, voice status). The rest is
# CHANNEL_SCOPED, equal to Permissions.all_channel().
GUILD_ONLY = int(
    P.KICK_MEMBERS
    | P.BAN_MEMBERS
    | P.ADMINISTRATOR
    | P.MANAGE_GUILD
    | P.VIEW_AUDIT_LOG
    | P.VIEW_GUILD_INSIGHTS
    | P.CHANGE_NICKNAME
    | P.MANAGE_NICKNAMES
    | P.MANAGE_GUILD_EXPRESSIONS
    | P.MODERATE_MEMBERS
    | P.VIEW_CREATOR_MONETIZATION_ANALYTICS
    | P.CREATE_GUILD_EXPRESSIONS
    | P.MANAGE_EVENTS
    | P.CREATE_EVENTS
    | P.SET_VOICE_CHANNEL_STATUS
)
CHANNEL_SCOPED = ALL_PERMISSIONS & ~GUILD_ONLY


def base_permissions(
    *,
    guild_id: int,
    owner_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    role_permissions: Mapping[int, int],
) -> int:
    """Return a member's guild-wide permissions: @everyone's plus each of its roles'."""
    if member_id == owner_id:
        return ALL_PERMISSIONS
    perms = int(role_permissions.get(guild_id, 0))
    for role_id in member_role_ids:
        perms |= int(role_permissions.get(role_id, 0))
    return ALL_PERMISSIONS if perms & P.ADMINISTRATOR else perms


def _bits(overwrite: Mapping[str, Any]) -> tuple[int, int]:
    """Return an overwrite's (allow, deny); Discord sends them as decimal strings."""
    return int(overwrite.get("allow") or 0), int(overwrite.get("deny") or 0)


def channel_permissions(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    member_role_ids: Iterable[int],
    overwrites: Iterable[Mapping[str, Any]],
) -> int:
    """Apply a channel's overwrites to ``base`` (from base_permissions) in Discord's order."""
    if base & P.ADMINISTRATOR:
        return ALL_PERMISSIONS
    roles: dict[int, Mapping[str, Any]] = {}
    members: dict[int, Mapping[str, Any]] = {}
    for overwrite in overwrites:
        kind = int(overwrite.get("type", ROLE_OVERWRITE))
        (members if kind == MEMBER_OVERWRITE else roles)[int(overwrite["id"])] = overwrite
    perms = int(base)
    if guild_id in roles:  # the @everyone overwrite
        allow, deny = _bits(roles[guild_id])
        perms = (perms & ~deny) | allow
    role_allow = role_deny = 0
    for role_id in {int(r) for r in member_role_ids} - {guild_id}:
        if role_id in roles:
            allow, deny = _bits(roles[role_id])
            role_allow |= allow
            role_deny |= deny
    perms = (perms & ~role_deny) | role_allow
    if member_id in members:
        allow, deny = _bits(members[member_id])
        perms = (perms & ~deny) | allow
    return perms


def implicit_permissions(perms: int, *, thread: bool = False) -> int:
    """Drop what Discord denies implicitly: channel rights without VIEW_CHANNEL, extras without send."""
    if perms & P.ADMINISTRATOR:
        return perms
    if not perms & (P.SEND_MESSAGES_IN_THREADS if thread else P.SEND_MESSAGES):
        perms &= ~SEND_DEPENDENT
    if not perms & P.VIEW_CHANNEL:
        perms &= ~CHANNEL_SCOPED
    return perms


def can_send(perms: int, *, thread: bool = False) -> bool:
    """Say whether channel ``perms`` allow posting (in a thread: SEND_MESSAGES_IN_THREADS)."""
    needed = P.VIEW_CHANNEL | (P.SEND_MESSAGES_IN_THREADS if thread else P.SEND_MESSAGES)
    return bool(perms & P.ADMINISTRATOR) or perms & needed == needed


def can_see_thread(
    *, private: bool, member_id: int, thread_member_ids: Collection[int], parent_permissions: int
) -> bool:
    """Say whether a member sees a thread (private ones: members and MANAGE_THREADS holders only)."""
    if parent_permissions & P.ADMINISTRATOR:
        return True
    if not parent_permissions & P.VIEW_CHANNEL:
        return False
    return not private or member_id in thread_member_ids or bool(parent_permissions & P.MANAGE_THREADS)


def role_position_allows(*, actor_top_position: int, role_position: int) -> bool:
    """Say whether a member whose top role is at ``actor_top_position`` may manage a role (strictly below)."""
    return actor_top_position > role_position
