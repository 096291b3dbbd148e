"""Build and query the world: guilds, roles, channels, members (as Actors), threads, messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .access import P
from .serialize import channel_payload, member_payload, role_payload, thread_payload
from .snowflakes import now_iso
from .world import PRIVATE_THREAD, PUBLIC_THREAD, TEXT, Channel, Guild, Message, Overwrite, Role, User, World

if TYPE_CHECKING:
    from .actors import Actor
    from .gateway import EventData

EVERYONE_PERMISSIONS = int(
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.SEND_MESSAGES_IN_THREADS
    | P.CREATE_PUBLIC_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.MENTION_EVERYONE
    | P.READ_MESSAGE_HISTORY
    | P.USE_APPLICATION_COMMANDS
)
BOT_PERMISSIONS = int(
    P.VIEW_CHANNEL
    | P.SEND_MESSAGES
    | P.SEND_MESSAGES_IN_THREADS
    | P.CREATE_PUBLIC_THREADS
    | P.CREATE_PRIVATE_THREADS
    | P.MANAGE_THREADS
    | P.EMBED_LINKS
    | P.ATTACH_FILES
    | P.READ_MESSAGE_HISTORY
    | P.ADD_REACTIONS
    | P.USE_EXTERNAL_EMOJIS
    | P.MANAGE_ROLES
    | P.USE_APPLICATION_COMMANDS
)


@dataclass
class DefaultWorld:
    """The objects of the default test world."""

    guild: Guild
    everyone: Role
    member_role: Role
    admin_role: Role
    bot_role: Role
    general: Channel
    prompts: Channel
    mock: Channel
    owner: Actor
    alice: Actor
    bob: Actor
    carol: Actor
    dana: Actor


class WorldBuilder:
    """Mixin for FakeDiscord: create objects (announcing them on the gateway once the bot is live)."""

    world: World
    default: DefaultWorld
    _actors: dict[tuple[int, str], Actor]

    if TYPE_CHECKING:

        def announce(self, guild_id: int | None, name: str, data: EventData) -> None:
            """Queue a gateway dispatch."""

    # --- creation ------------------------------------------------------------------------------

    def add_guild(
        self,
        name: str,
        *,
        owner: str = "owner",
        guild_id: int | None = None,
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        bot_permissions: int | None = BOT_PERMISSIONS,
    ) -> Guild:
        """Create a guild (owner user, @everyone, and unless ``bot_permissions`` is None the bot + its role)."""
        owner_user = self.world.add_user(owner)
        guild = self.world.add_guild(name, owner=owner_user, guild_id=guild_id)
        guild.everyone.permissions = int(everyone_permissions)
        if bot_permissions is not None:
            bot_role = self.world.add_role(guild, self.world.bot.username, permissions=bot_permissions)
            bot_role.managed, bot_role.bot_id = True, self.world.bot.id
            self.world.add_member(guild, self.world.bot, roles=[bot_role])
        return guild

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0, position: int | None = None) -> Role:
        """Create a role; like Discord, a new role goes to the bottom (position 1) unless told."""
        if position is None:
            for role in guild.roles.values():
                if role.position >= 1:
                    role.position += 1
            position = 1
        role = self.world.add_role(guild, name, permissions=permissions, position=position)
        self.announce(guild.id, "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role_payload(role)})
        return role

    def edit_role(
        self, role: Role, *, permissions: int | None = None, position: int | None = None, name: str | None = None
    ) -> Role:
        """Change a role and announce GUILD_ROLE_UPDATE."""
        if permissions is not None:
            role.permissions = int(permissions)
        if position is not None:
            role.position = position
        if name is not None:
            role.name = name
        self.announce(role.guild_id, "GUILD_ROLE_UPDATE", {"guild_id": str(role.guild_id), "role": role_payload(role)})
        return role

    def give_role(self, who: Actor | User, role: Role) -> None:
        """Add a role to a member (as an admin would) and announce GUILD_MEMBER_UPDATE."""
        self._set_role(_user(who), role, add=True)

    def take_role(self, who: Actor | User, role: Role) -> None:
        """Remove a role from a member and announce GUILD_MEMBER_UPDATE."""
        self._set_role(_user(who), role, add=False)

    def _set_role(self, user: User, role: Role, *, add: bool) -> None:
        guild = self.world.guilds[role.guild_id]
        member = self.world.member(guild, user.id)
        if add and role.id not in member.role_ids:
            member.role_ids.append(role.id)
        elif not add and role.id in member.role_ids:
            member.role_ids.remove(role.id)
        self.announce(guild.id, "GUILD_MEMBER_UPDATE", member_payload(member) | {"guild_id": str(guild.id)})

    def add_text_channel(
        self,
        guild: Guild,
        name: str,
        *,
        overwrites: Iterable[Overwrite] = (),
        topic: str | None = None,
        parent: Channel | None = None,
        kind: int = TEXT,
    ) -> Channel:
        """Create a text channel (or another ``kind``: an announcement or voice channel) with optional overwrites."""
        position = len(self.world.guild_channels(guild.id))
        channel = Channel(
            id=self.world.new_id(),
            type=kind,
            name=name,
            guild_id=guild.id,
            parent_id=parent.id if parent else None,
            position=position,
            topic=topic,
            overwrites=list(overwrites),
        )
        self.world.add_channel(channel)
        self.announce(guild.id, "CHANNEL_CREATE", channel_payload(channel, self.world))
        return channel

    def add_member(
        self,
        guild: Guild,
        name: str,
        *,
        roles: Iterable[Role] = (),
        dms_closed: bool = False,
        global_name: str | None = None,
        bot: bool = False,
    ) -> Actor:
        """Create a user, add them to the guild, and return their Actor."""
        from .actors import Actor

        user = self.world.add_user(name, global_name=global_name, bot=bot)
        user.dms_closed = dms_closed
        member = self.world.add_member(guild, user, roles=list(roles))
        self.announce(guild.id, "GUILD_MEMBER_ADD", member_payload(member) | {"guild_id": str(guild.id)})
        actor = Actor(self, guild, user)  # type: ignore[arg-type]
        self._actors[(guild.id, name)] = actor
        return actor

    def member(self, guild: Guild, name: str, *, roles: Iterable[Role] | None = None) -> Actor:
        """Return the Actor for ``name`` in ``guild``, creating the member if needed."""
        existing = self._actors.get((guild.id, name))
        if existing is not None:
            return existing
        for member in guild.members.values():
            if member.user.username == name:
                from .actors import Actor

                actor = self._actors[(guild.id, name)] = Actor(self, guild, member.user)  # type: ignore[arg-type]
                return actor
        return self.add_member(guild, name, roles=roles or ())

    def add_thread(
        self,
        parent: Channel,
        name: str,
        *,
        private: bool = False,
        owner: User | Actor | None = None,
        members: Iterable[User | Actor] = (),
        invitable: bool = True,
        archived: bool = False,
        locked: bool = False,
    ) -> Channel:
        """Create a thread directly in the world (as if someone else had made it)."""
        owner_user = _user(owner) if owner is not None else self.world.bot
        thread = Channel(
            id=self.world.new_id(),
            type=PRIVATE_THREAD if private else PUBLIC_THREAD,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner_user.id,
            invitable=invitable,
            archived=archived,
            locked=locked,
        )
        for user in [owner_user, *(_user(m) for m in members)]:
            thread.thread_members[user.id] = now_iso()
        self.world.add_channel(thread)
        if self.access_can_see(thread, self.world.bot.id):
            self.announce(parent.guild_id, "THREAD_CREATE", thread_payload(thread, viewer_id=self.world.bot.id))
        return thread

    def remove_bot(self, guild: Guild) -> None:
        """Remove the bot from a guild (kicked, or the server left) and announce GUILD_DELETE (no ``unavailable``)."""
        guild.members.pop(self.world.bot.id, None)
        self.announce(guild.id, "GUILD_DELETE", {"id": str(guild.id)})

    def readd_bot(self, guild: Guild) -> None:
        """Invite the bot back into a guild it left (its managed role again) and announce GUILD_CREATE."""
        from .serialize import guild_create_payload

        bot_role = next((r for r in guild.roles.values() if r.managed and r.bot_id == self.world.bot.id), None)
        self.world.add_member(guild, self.world.bot, roles=[bot_role] if bot_role else [])
        self.announce(guild.id, "GUILD_CREATE", guild_create_payload(guild, self.world, viewer_id=self.world.bot.id))

    def access_can_see(self, channel: Channel, user_id: int) -> bool:
        """Say whether ``user_id`` can see ``channel``."""
        from .access import Access

        return Access(self.world).can_see(channel, user_id)

    def seed_message(self, channel: Channel, author: User | Actor, content: str, **fields: Any) -> Message:
        """Put a message in the world without telling the bot (history that existed before)."""
        message = Message(
            id=self.world.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author=_user(author),
            content=content,
            **fields,
        )
        return self.world.add_message(message)

    def build_default_world(self) -> DefaultWorld:
        """Create "Test Guild" with roles, #general/#prompts/#mock, alice, bob, carol and admin dana."""
        guild = self.add_guild("Test Guild")
        bot_role = next(r for r in guild.roles.values() if r.managed)
        bot_role.position = 3
        member_role = self.world.add_role(guild, "Member", permissions=0, position=1)
        admin_role = self.world.add_role(guild, "Admin", permissions=int(P.MANAGE_GUILD), position=2)
        general = self.add_text_channel(guild, "general")
        prompts = self.add_text_channel(guild, "prompts")
        mock = self.add_text_channel(guild, "mock")
        owner = self.member(guild, "owner")
        alice, bob, carol = (self.add_member(guild, n, roles=[member_role]) for n in ("alice", "bob", "carol"))
        dana = self.add_member(guild, "dana", roles=[member_role, admin_role])
        self.default = DefaultWorld(
            guild,
            guild.everyone,
            member_role,
            admin_role,
            bot_role,
            general,
            prompts,
            mock,
            owner,
            alice,
            bob,
            carol,
            dana,
        )
        return self.default

    # --- lookups -------------------------------------------------------------------------------

    @property
    def guild(self) -> Guild:
        """Return the first guild (the default world's "Test Guild")."""
        return next(iter(self.world.guilds.values()))

    def channel(self, name: str) -> Channel:
        """Return the channel or thread named ``name``."""
        return self.world.find_channel(name)

    def role(self, name: str, guild: Guild | None = None) -> Role:
        """Return the role named ``name`` (in the first guild unless told)."""
        return self.world.find_role(guild or self.guild, name)

    def actor(self, name: str, guild: Guild | None = None) -> Actor:
        """Return the Actor of an existing member by username."""
        target = guild or self.guild
        if (target.id, name) not in self._actors and not any(m.user.username == name for m in target.members.values()):
            raise KeyError(f"no member named {name!r}")
        return self.member(target, name)

    def messages(self, channel: Channel | int) -> list[Message]:
        """Return the messages everyone sees in a channel, oldest first (no deleted or ephemeral ones)."""
        return [m for m in self.all_messages(channel) if not m.deleted and not m.ephemeral]

    def all_messages(self, channel: Channel | int) -> list[Message]:
        """Return every message ever posted in a channel, deleted and ephemeral ones included."""
        cid = channel if isinstance(channel, int) else channel.id
        return list(self.world.channel_messages.get(cid, []))

    def thread_members(self, thread: Channel | int) -> list[int]:
        """Return the user ids of a thread's members, in join order."""
        tid = thread if isinstance(thread, int) else thread.id
        return list(self.world.channel(tid).thread_members)

    def dms(self, user: User | Actor | int) -> list[Message]:
        """Return the live messages in the bot's DM channel with a user."""
        uid = user if isinstance(user, int) else _user(user).id
        cid = self.world.dm_channels.get(uid)
        return [] if cid is None else self.messages(cid)

    def can_see(self, user_id: int, channel_id: int) -> bool:
        """Say whether a user can see a channel or thread (private threads: members or Manage Threads)."""
        return self.access_can_see(self.world.channel(channel_id), user_id)

    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """Return the registered commands (global, or of one guild) as Discord stores them."""
        app = self.world.application
        if guild is None:
            return list(app.global_commands)
        gid = guild if isinstance(guild, int) else guild.id
        return list(app.guild_commands.get(gid, []))


def _user(who: User | Actor) -> User:
    return who if isinstance(who, User) else who.user
