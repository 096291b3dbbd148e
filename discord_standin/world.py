"""The fake's state: application, users, guilds, roles, members, channels, threads and messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import not_found
from .snowflakes import SnowflakeGenerator, now_iso

TEXT, DM, CATEGORY, PUBLIC_THREAD, PRIVATE_THREAD = 0, 1, 4, 11, 12
VOICE, ANNOUNCEMENT = 2, 5
THREAD_TYPES = (PUBLIC_THREAD, PRIVATE_THREAD)
EPHEMERAL = 1 << 6
LOADING = 1 << 7
MAX_ACTIVE_THREADS = 1000


@dataclass
class User:
    """A Discord user (a person or the bot)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False
    locale: str = "en-US"


@dataclass
class Role:
    """A guild role."""

    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    managed: bool = False
    bot_id: int | None = None
    color: int = 0
    hoist: bool = False
    mentionable: bool = False


@dataclass
class Member:
    """A user's membership of a guild."""

    user: User
    guild_id: int
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=now_iso)


@dataclass
class Overwrite:
    """A channel permission overwrite (type 0 role, 1 member)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


@dataclass
class Channel:
    """A text channel, category, DM channel or thread."""

    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    overwrites: list[Overwrite] = field(default_factory=list)
    last_message_id: int | None = None
    rate_limit_per_user: int = 0
    recipient_id: int | None = None
    owner_id: int | None = None
    thread_members: dict[int, str] = field(default_factory=dict)
    archived: bool = False
    locked: bool = False
    invitable: bool = True
    auto_archive_duration: int = 4320
    archive_timestamp: str = field(default_factory=now_iso)
    create_timestamp: str = field(default_factory=now_iso)
    message_count: int = 0
    total_message_sent: int = 0
    starter_message_id: int | None = None
    deleted: bool = False

    @property
    def is_thread(self) -> bool:
        """Say whether this channel is a public or private thread."""
        return self.type in THREAD_TYPES

    @property
    def is_private_thread(self) -> bool:
        """Say whether this channel is a private thread."""
        return self.type == PRIVATE_THREAD


@dataclass
class Attachment:
    """A file attached to a message, with its bytes (served by the fake's CDN route)."""

    id: int
    filename: str
    data: bytes
    content_type: str | None = None
    description: str | None = None
    ephemeral: bool = False
    url: str = ""

    @property
    def size(self) -> int:
        """Return the file size in bytes."""
        return len(self.data)


@dataclass
class Message:
    """A message in a channel, thread or DM."""

    id: int
    channel_id: int
    author: User
    guild_id: int | None = None
    content: str = ""
    embeds: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    flags: int = 0
    type: int = 0
    nonce: str | int | None = None
    message_reference: dict[str, Any] | None = None
    tts: bool = False
    pinned: bool = False
    timestamp: str = field(default_factory=now_iso)
    edited_timestamp: str | None = None
    webhook_id: int | None = None
    application_id: int | None = None
    interaction_metadata: dict[str, Any] | None = None
    thread_id: int | None = None
    deleted: bool = False
    mention_everyone: bool = False
    allowed_mentions: dict[str, Any] | None = None
    version: int = 0

    @property
    def ephemeral(self) -> bool:
        """Say whether only the invoking user sees this message."""
        return bool(self.flags & EPHEMERAL)


@dataclass
class Guild:
    """A guild with its roles and members (channels live in ``World.channels``)."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    preferred_locale: str = "en-US"
    features: list[str] = field(default_factory=list)

    @property
    def everyone(self) -> Role:
        """Return the @everyone role (its id is the guild id)."""
        return self.roles[self.id]


@dataclass
class Application:
    """The bot's application and its registered commands."""

    id: int
    name: str
    bot: User
    owner: User
    flags: int = 0
    global_commands: list[dict[str, Any]] = field(default_factory=list)
    guild_commands: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


class World:
    """Hold every object of the fake, with lookups that raise Discord's 404 errors."""

    def __init__(self) -> None:
        self.snowflakes = SnowflakeGenerator()
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.channel_messages: dict[int, list[Message]] = {}
        self.attachments: dict[int, Attachment] = {}
        self.dm_channels: dict[int, int] = {}
        bot = self.add_user("drillbot", bot=True)
        owner = self.add_user("app-owner")
        self.application = Application(id=self.snowflakes.next(), name="drillbot", bot=bot, owner=owner)

    @property
    def bot(self) -> User:
        """Return the bot user."""
        return self.application.bot

    def new_id(self) -> int:
        """Return a fresh snowflake."""
        return self.snowflakes.next()

    def add_user(self, username: str, *, bot: bool = False, global_name: str | None = None) -> User:
        """Create a user."""
        user = User(id=self.new_id(), username=username, bot=bot, global_name=global_name)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str, *, owner: User, guild_id: int | None = None) -> Guild:
        """Create a guild with its @everyone role and the owner as member."""
        gid = guild_id if guild_id is not None else self.new_id()
        guild = Guild(id=gid, name=name, owner_id=owner.id)
        guild.roles[gid] = Role(id=gid, guild_id=gid, name="@everyone", permissions=0, position=0)
        guild.members[owner.id] = Member(user=owner, guild_id=gid)
        self.guilds[gid] = guild
        return guild

    def add_role(self, guild: Guild, name: str, *, permissions: int = 0, position: int | None = None) -> Role:
        """Create a role (by default just above the highest existing role)."""
        pos = position if position is not None else max(r.position for r in guild.roles.values()) + 1
        role = Role(id=self.new_id(), guild_id=guild.id, name=name, permissions=int(permissions), position=pos)
        guild.roles[role.id] = role
        return role

    def add_member(self, guild: Guild, user: User, *, roles: list[Role] | None = None) -> Member:
        """Add ``user`` to ``guild`` with the given roles."""
        member = Member(user=user, guild_id=guild.id, role_ids=[r.id for r in roles or []])
        guild.members[user.id] = member
        return member

    def add_channel(self, channel: Channel) -> Channel:
        """Register a channel (or thread)."""
        self.channels[channel.id] = channel
        self.channel_messages.setdefault(channel.id, [])
        return channel

    def add_message(self, message: Message) -> Message:
        """Register a message and bump its channel's counters."""
        self.messages[message.id] = message
        self.channel_messages.setdefault(message.channel_id, []).append(message)
        channel = self.channels.get(message.channel_id)
        if channel is not None:
            channel.last_message_id = message.id
            channel.message_count += 1
            channel.total_message_sent += 1
        return message

    def guild(self, guild_id: int) -> Guild:
        """Return a guild or raise 404 10004."""
        guild = self.guilds.get(guild_id)
        if guild is None:
            raise not_found("guild")
        return guild

    def channel(self, channel_id: int) -> Channel:
        """Return a live channel or raise 404 10003."""
        channel = self.channels.get(channel_id)
        if channel is None or channel.deleted:
            raise not_found("channel")
        return channel

    def message(self, channel_id: int, message_id: int) -> Message:
        """Return a live message of that channel or raise 404 10008."""
        message = self.messages.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id:
            raise not_found("message")
        return message

    def user(self, user_id: int) -> User:
        """Return a user or raise 404 10013."""
        user = self.users.get(user_id)
        if user is None:
            raise not_found("user")
        return user

    def member(self, guild: Guild, user_id: int) -> Member:
        """Return a member or raise 404 10007."""
        member = guild.members.get(user_id)
        if member is None:
            raise not_found("member")
        return member

    def role(self, guild: Guild, role_id: int) -> Role:
        """Return a role or raise 404 10011."""
        role = guild.roles.get(role_id)
        if role is None:
            raise not_found("role")
        return role

    def guild_channels(self, guild_id: int) -> list[Channel]:
        """Return a guild's live non-thread channels."""
        return [c for c in self.channels.values() if c.guild_id == guild_id and not c.deleted and not c.is_thread]

    def active_threads(self, guild_id: int) -> list[Channel]:
        """Return a guild's live, unarchived threads."""
        return [
            c
            for c in self.channels.values()
            if c.guild_id == guild_id and c.is_thread and not c.archived and not c.deleted
        ]

    def find_channel(self, name: str, guild_id: int | None = None) -> Channel:
        """Return the first live channel or thread named ``name``."""
        for channel in self.channels.values():
            if channel.name == name and not channel.deleted and guild_id in (None, channel.guild_id):
                return channel
        raise KeyError(f"no channel named {name!r}")

    def find_role(self, guild: Guild, name: str) -> Role:
        """Return the role named ``name``."""
        for role in guild.roles.values():
            if role.name == name:
                return role
        raise KeyError(f"no role named {name!r}")

    def dm_channel_for(self, user: User) -> Channel:
        """Return (creating it if needed) the bot's DM channel with ``user``."""
        existing = self.dm_channels.get(user.id)
        if existing is not None:
            return self.channels[existing]
        channel = self.add_channel(Channel(id=self.new_id(), type=DM, recipient_id=user.id))
        self.dm_channels[user.id] = channel.id
        return channel

    def top_role_position(self, guild: Guild, user_id: int) -> int:
        """Return the position of a member's highest role (0 for @everyone only)."""
        member = guild.members.get(user_id)
        if member is None:
            return 0
        positions = [guild.roles[r].position for r in member.role_ids if r in guild.roles]
        return max(positions, default=0)
