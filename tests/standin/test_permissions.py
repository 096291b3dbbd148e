"""Discord's permission arithmetic, checked by hand and against discord.py's own resolver."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
from discord.abc import GuildChannel, _Overwrites
from discord.threads import Thread
from discord.utils import SnowflakeList
from hypothesis import given, settings
from hypothesis import strategies as st

from discord_standin.permissions import (
    ALL_PERMISSIONS,
    CHANNEL_SCOPED,
    P,
    base_permissions,
    can_see_thread,
    can_send,
    channel_permissions,
    implicit_permissions,
    role_position_allows,
)

ROLE, MEMBER_KIND = 0, 1
GUILD = 100
OWNER = 1
MEMBER = 2
MOD_ROLE = 201
HELPER_ROLE = 202
OTHER_ROLE = 203

EVERYONE_PERMS = int(P.VIEW_CHANNEL | P.SEND_MESSAGES | P.READ_MESSAGE_HISTORY | P.SEND_MESSAGES_IN_THREADS)
ROLE_PERMS = {
    GUILD: EVERYONE_PERMS,
    MOD_ROLE: int(P.MANAGE_MESSAGES | P.MANAGE_THREADS),
    HELPER_ROLE: int(P.EMBED_LINKS),
    OTHER_ROLE: int(P.ADMINISTRATOR),
}


def ow(target: int, kind: int, allow: int | str = 0, deny: int | str = 0) -> dict[str, Any]:
    return {"id": target, "type": kind, "allow": allow, "deny": deny}


def base(role_ids: list[int], member_id: int = MEMBER) -> int:
    return base_permissions(
        guild_id=GUILD, owner_id=OWNER, member_id=member_id, member_role_ids=role_ids, role_permissions=ROLE_PERMS
    )


def in_channel(role_ids: list[int], overwrites: list[dict[str, Any]], member_id: int = MEMBER) -> int:
    return channel_permissions(
        base(role_ids, member_id),
        guild_id=GUILD,
        member_id=member_id,
        member_role_ids=role_ids,
        overwrites=overwrites,
    )


# --- flags ---------------------------------------------------------------------------------------


def test_flags_match_discord_py() -> None:
    assert discord.Permissions(view_channel=True).value == P.VIEW_CHANNEL
    assert P.SEND_MESSAGES_IN_THREADS == 1 << 38
    assert P.USE_APPLICATION_COMMANDS == 1 << 31
    assert discord.Permissions.all().value == ALL_PERMISSIONS
    assert discord.Permissions.all_channel().value == CHANNEL_SCOPED


# --- base permissions ----------------------------------------------------------------------------


def test_everyone_role_applies_to_every_member() -> None:
    assert base([]) == EVERYONE_PERMS


def test_member_roles_are_ored_onto_everyone() -> None:
    assert base([MOD_ROLE, HELPER_ROLE]) == EVERYONE_PERMS | P.MANAGE_MESSAGES | P.MANAGE_THREADS | P.EMBED_LINKS


def test_owner_gets_everything_without_roles() -> None:
    assert base([], member_id=OWNER) == ALL_PERMISSIONS


def test_administrator_role_gets_everything() -> None:
    assert base([OTHER_ROLE]) == ALL_PERMISSIONS


def test_unknown_role_ids_add_nothing() -> None:
    assert base([999]) == EVERYONE_PERMS


def test_string_role_permissions_are_accepted() -> None:
    perms = base_permissions(
        guild_id=GUILD,
        owner_id=OWNER,
        member_id=MEMBER,
        member_role_ids=[MOD_ROLE],
        role_permissions={GUILD: "1024", MOD_ROLE: "2048"},  # type: ignore[dict-item]
    )
    assert perms == P.VIEW_CHANNEL | P.SEND_MESSAGES


# --- channel overwrites --------------------------------------------------------------------------


def test_no_overwrites_keeps_base() -> None:
    assert in_channel([HELPER_ROLE], []) == base([HELPER_ROLE])


def test_everyone_overwrite_denies_view() -> None:
    perms = in_channel([], [ow(GUILD, 0, deny=P.VIEW_CHANNEL)])
    assert not perms & P.VIEW_CHANNEL


def test_role_allow_beats_everyone_deny() -> None:
    overwrites = [ow(GUILD, 0, deny=P.VIEW_CHANNEL), ow(MOD_ROLE, 0, allow=P.VIEW_CHANNEL)]
    assert in_channel([MOD_ROLE], overwrites) & P.VIEW_CHANNEL
    assert not in_channel([HELPER_ROLE], overwrites) & P.VIEW_CHANNEL


def test_role_allows_win_over_role_denies_regardless_of_order() -> None:
    deny = ow(MOD_ROLE, 0, deny=P.SEND_MESSAGES)
    allow = ow(HELPER_ROLE, 0, allow=P.SEND_MESSAGES)
    assert in_channel([MOD_ROLE, HELPER_ROLE], [deny, allow]) & P.SEND_MESSAGES
    assert in_channel([MOD_ROLE, HELPER_ROLE], [allow, deny]) & P.SEND_MESSAGES
    assert not in_channel([MOD_ROLE], [allow, deny]) & P.SEND_MESSAGES


def test_member_overwrite_beats_roles() -> None:
    overwrites = [ow(MOD_ROLE, 0, allow=P.SEND_MESSAGES), ow(MEMBER, 1, deny=P.SEND_MESSAGES)]
    assert not in_channel([MOD_ROLE], overwrites) & P.SEND_MESSAGES
    overwrites = [ow(GUILD, 0, deny=P.VIEW_CHANNEL), ow(MEMBER, 1, allow=P.VIEW_CHANNEL)]
    assert in_channel([], overwrites) & P.VIEW_CHANNEL


def test_other_members_overwrite_is_ignored() -> None:
    assert in_channel([], [ow(3, 1, deny=P.VIEW_CHANNEL)]) & P.VIEW_CHANNEL


def test_member_overwrite_is_not_applied_as_a_role_with_the_same_id() -> None:
    assert in_channel([MOD_ROLE], [ow(MOD_ROLE, 1, deny=P.VIEW_CHANNEL)]) & P.VIEW_CHANNEL


def test_overwrites_for_roles_the_member_lacks_are_ignored() -> None:
    assert in_channel([HELPER_ROLE], [ow(MOD_ROLE, 0, deny=P.VIEW_CHANNEL)]) & P.VIEW_CHANNEL


def test_string_ids_and_bits_are_accepted() -> None:
    overwrites = [{"id": str(GUILD), "type": 0, "allow": "0", "deny": str(int(P.VIEW_CHANNEL))}]
    assert not in_channel([], overwrites) & P.VIEW_CHANNEL


def test_administrator_bypasses_overwrites() -> None:
    overwrites = [ow(GUILD, 0, deny=ALL_PERMISSIONS), ow(MEMBER, 1, deny=ALL_PERMISSIONS)]
    assert in_channel([OTHER_ROLE], overwrites) == ALL_PERMISSIONS
    assert in_channel([], overwrites, member_id=OWNER) == ALL_PERMISSIONS


# --- implicit permissions, sending, threads ------------------------------------------------------


def test_no_view_channel_strips_channel_permissions_but_not_guild_ones() -> None:
    perms = implicit_permissions(int(P.SEND_MESSAGES | P.KICK_MEMBERS | P.EMBED_LINKS))
    assert perms == P.KICK_MEMBERS


def test_no_send_strips_embeds_and_attachments() -> None:
    perms = int(P.VIEW_CHANNEL | P.EMBED_LINKS | P.ATTACH_FILES | P.MENTION_EVERYONE | P.SEND_MESSAGES_IN_THREADS)
    assert implicit_permissions(perms) == P.VIEW_CHANNEL | P.SEND_MESSAGES_IN_THREADS
    assert implicit_permissions(perms, thread=True) == perms


def test_sending_in_a_thread_needs_send_messages_in_threads() -> None:
    channel_only = int(P.VIEW_CHANNEL | P.SEND_MESSAGES)
    threads_only = int(P.VIEW_CHANNEL | P.SEND_MESSAGES_IN_THREADS)
    assert can_send(channel_only) and not can_send(channel_only, thread=True)
    assert can_send(threads_only, thread=True) and not can_send(threads_only)
    assert not can_send(int(P.SEND_MESSAGES))  # cannot see the channel
    assert can_send(int(P.ADMINISTRATOR), thread=True)


def test_public_thread_visible_with_parent_view() -> None:
    parent = int(P.VIEW_CHANNEL)
    assert can_see_thread(private=False, member_id=MEMBER, thread_member_ids=(), parent_permissions=parent)
    assert not can_see_thread(private=False, member_id=MEMBER, thread_member_ids=(MEMBER,), parent_permissions=0)


def test_private_thread_needs_membership_or_manage_threads() -> None:
    view = int(P.VIEW_CHANNEL)
    assert not can_see_thread(private=True, member_id=MEMBER, thread_member_ids={3}, parent_permissions=view)
    assert can_see_thread(private=True, member_id=MEMBER, thread_member_ids={MEMBER}, parent_permissions=view)
    mod = int(P.VIEW_CHANNEL | P.MANAGE_THREADS)
    assert can_see_thread(private=True, member_id=MEMBER, thread_member_ids=set(), parent_permissions=mod)
    hidden = int(P.MANAGE_THREADS)
    assert not can_see_thread(private=True, member_id=MEMBER, thread_member_ids={MEMBER}, parent_permissions=hidden)
    admin = ALL_PERMISSIONS
    assert can_see_thread(private=True, member_id=MEMBER, thread_member_ids=(), parent_permissions=admin)


def test_role_position_must_be_strictly_below() -> None:
    assert role_position_allows(actor_top_position=5, role_position=4)
    assert not role_position_allows(actor_top_position=5, role_position=5)
    assert not role_position_allows(actor_top_position=5, role_position=6)


# --- against discord.py's resolver ---------------------------------------------------------------

ROLE_IDS = [GUILD, 201, 202, 203, 204]
MEMBER_IDS = [MEMBER, 3]
TARGETS = [(r, ROLE) for r in ROLE_IDS] + [(m, MEMBER_KIND) for m in MEMBER_IDS]
BITS = st.integers(min_value=0, max_value=ALL_PERMISSIONS)
CHANNEL_BITS = st.integers(min_value=0, max_value=CHANNEL_SCOPED).map(lambda v: v & CHANNEL_SCOPED)


def _discordpy_channel(role_perms: dict[int, int], overwrites: list[dict[str, Any]]) -> SimpleNamespace:
    """Duck-type just enough of a guild channel for discord.py's GuildChannel.permissions_for."""
    roles = {rid: SimpleNamespace(_permissions=p) for rid, p in role_perms.items()}
    guild = SimpleNamespace(
        id=GUILD,
        owner_id=OWNER,
        default_role=SimpleNamespace(permissions=discord.Permissions(role_perms[GUILD])),
        get_role=roles.get,
    )
    ordered = sorted(overwrites, key=lambda o: o["id"] != GUILD)  # discord.py keeps @everyone first
    return SimpleNamespace(guild=guild, _overwrites=[_Overwrites(o) for o in ordered])  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    role_perms=st.fixed_dictionaries({rid: BITS.map(lambda v: v & ~P.ADMINISTRATOR) for rid in ROLE_IDS}),
    member_roles=st.lists(st.sampled_from(ROLE_IDS[1:]), unique=True),
    raw_overwrites=st.lists(
        st.tuples(st.sampled_from(TARGETS), CHANNEL_BITS, CHANNEL_BITS),
        unique_by=lambda t: t[0],
    ),
    thread=st.booleans(),
)
def test_matches_discord_py_permissions_for(
    role_perms: dict[int, int],
    member_roles: list[int],
    raw_overwrites: list[tuple[tuple[int, int], int, int]],
    thread: bool,
) -> None:
    overwrites = [ow(target, kind, str(allow), str(deny)) for (target, kind), allow, deny in raw_overwrites]
    channel = _discordpy_channel(role_perms, overwrites)
    member = SimpleNamespace(id=MEMBER, _roles=SnowflakeList(member_roles), is_timed_out=lambda: False)
    if thread:
        expected = Thread.permissions_for(SimpleNamespace(parent=channel), member).value  # type: ignore[arg-type]
    else:
        expected = GuildChannel.permissions_for(channel, member).value  # type: ignore[arg-type]

    ours = base_permissions(
        guild_id=GUILD, owner_id=OWNER, member_id=MEMBER, member_role_ids=member_roles, role_permissions=role_perms
    )
    ours = channel_permissions(
        ours, guild_id=GUILD, member_id=MEMBER, member_role_ids=member_roles, overwrites=overwrites
    )
    if thread:
        assert implicit_permissions(ours, thread=True) == expected
    else:
        assert ours == expected
        implicit = discord.Permissions(expected)
        GuildChannel._apply_implicit_permissions(channel, implicit)  # type: ignore[arg-type]
        assert implicit_permissions(ours) == implicit.value
