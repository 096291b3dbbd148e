"""Build application-command interaction data (typed options + ``resolved``) from stored definitions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .access import P
from .serialize import attachment_payload, member_payload, role_payload, thread_payload, user_payload
from .world import Channel, Guild, Role, User

if TYPE_CHECKING:
    from .actors import Actor
    from .server import FakeDiscord

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11


class CommandNotAvailable(AssertionError):
    """Discord would not let this member run the command (not synced, permissions, context)."""


class Resolver:
    """Collect ``resolved`` data for user/member/role/channel/attachment/message values."""

    def __init__(self, fake: FakeDiscord, guild: Guild | None, channel: Channel, invoker: User) -> None:
        self.fake = fake
        self.guild = guild
        self.channel = channel
        self.invoker = invoker
        self.data: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> None:
        self.data.setdefault(kind, {})[str(key)] = value

    def user(self, value: Any) -> int:
        """Resolve an Actor, User or id as a user (with its member in a guild)."""
        user = _as_user(self.fake, value)
        self._put("users", user.id, user_payload(user))
        if self.guild is not None and user.id in self.guild.members:
            perms = self.fake.access.channel_permissions(self.channel, user.id)
            member = member_payload(self.guild.members[user.id], with_user=False) | {"permissions": str(perms)}
            self._put("members", user.id, member)
        return user.id

    def role(self, value: Any) -> int:
        """Resolve a Role or id."""
        if self.guild is None:
            raise AssertionError("roles only exist in guilds")
        role = value if isinstance(value, Role) else self.fake.world.role(self.guild, int(value))
        self._put("roles", role.id, role_payload(role))
        return role.id

    def mentionable(self, value: Any) -> int:
        """Resolve a role or a user."""
        if isinstance(value, Role) or (self.guild is not None and isinstance(value, int) and value in self.guild.roles):
            return self.role(value)
        return self.user(value)

    def channel_value(self, value: Any, allowed_types: list[int] | None) -> int:
        """Resolve a Channel or id (with the invoker's permissions in it)."""
        channel = value if isinstance(value, Channel) else self.fake.world.channel(int(value))
        if allowed_types and channel.type not in allowed_types:
            raise AssertionError(f"channel #{channel.name} (type {channel.type}) is not one of {allowed_types}")
        perms = str(self.fake.access.channel_permissions(channel, self.invoker.id))
        if channel.is_thread:
            entry = thread_payload(channel) | {"permissions": perms}
        else:
            entry = {
                "id": str(channel.id),
                "name": channel.name,
                "type": channel.type,
                "permissions": perms,
                "parent_id": str(channel.parent_id) if channel.parent_id else None,
            }
        self._put("channels", channel.id, entry)
        return channel.id

    def attachment(self, value: Any) -> int:
        """Host ``(filename, bytes[, content_type])`` on the fake and resolve it."""
        filename, data, *rest = value
        attachment = self.fake.interactions.poster.host_file(
            self.channel.id, filename, bytes(data), content_type=rest[0] if rest else None, ephemeral=True
        )
        self._put("attachments", attachment.id, attachment_payload(attachment))
        return attachment.id


def find_command(fake: FakeDiscord, guild: Guild | None, name: str, kind: int) -> dict[str, Any]:
    """Return the synced command (guild ones first, then global) of that top-level name and type."""
    pools = []
    if guild is not None:
        pools.append(fake.world.application.guild_commands.get(guild.id, []))
    pools.append(fake.world.application.global_commands)
    for pool in pools:
        for command in pool:
            if command["name"] == name and int(command.get("type", 1)) == kind:
                return command
    known = sorted({c["name"] for pool in pools for c in pool})
    raise CommandNotAvailable(f"no synced command {name!r} of type {kind} (synced: {known})")


def check_allowed(fake: FakeDiscord, command: dict[str, Any], who: User, guild: Guild | None, channel: Channel) -> None:
    """Apply Discord's gate: contexts, USE_APPLICATION_COMMANDS and ``default_member_permissions``."""
    label = command["name"]
    context = 0 if guild is not None else 1
    contexts = command.get("contexts")
    if contexts is not None and context not in contexts:
        raise CommandNotAvailable(f"/{label} is not available in context {context} (contexts={contexts})")
    if guild is None:
        if command.get("dm_permission") is False:
            raise CommandNotAvailable(f"/{label} is not available in DMs")
        return
    perms = fake.access.channel_permissions(channel, who.id)
    if not perms & P.USE_APPLICATION_COMMANDS:
        raise CommandNotAvailable(f"{who.username} lacks Use Application Commands in #{channel.name}")
    required = command.get("default_member_permissions")
    if required is None:
        return
    base = fake.access.guild_permissions(guild, who.id)
    if base & P.ADMINISTRATOR or who.id == guild.owner_id:
        return
    needed = int(required)
    if needed == 0 or base & needed != needed:
        raise CommandNotAvailable(f"{who.username} may not use /{label}: default_member_permissions={needed}")


def build_command_data(
    command: dict[str, Any],
    sub_names: list[str],
    values: dict[str, Any],
    resolver: Resolver,
    *,
    focused: str | None = None,
    crafted: bool = False,
) -> dict[str, Any]:
    """Return ``data`` for a chat-input (or autocomplete) interaction.

    ``crafted`` sends values as a modified client could: outside the declared choices, ranges,
    lengths and channel types (Discord's own client keeps members inside them).
    """
    path = " ".join([command["name"], *sub_names])
    data: dict[str, Any] = {"id": command["id"], "name": command["name"], "type": 1, "options": []}
    if command.get("guild_id"):
        data["guild_id"] = command["guild_id"]
    definitions: list[dict[str, Any]] = command.get("options") or []
    container: list[dict[str, Any]] = data["options"]
    for name in sub_names:
        sub = next((o for o in definitions if o["name"] == name and o["type"] in (1, 2)), None)
        if sub is None:
            raise CommandNotAvailable(f"/{path}: no subcommand {name!r}")
        entry: dict[str, Any] = {"name": name, "type": sub["type"], "options": []}
        container.append(entry)
        container = entry["options"]
        definitions = sub.get("options") or []
    if any(o["type"] in (1, 2) for o in definitions):
        names = [o["name"] for o in definitions]
        raise CommandNotAvailable(f"/{path} needs a subcommand: one of {names}")
    for name, value in values.items():
        definition = next((o for o in definitions if o["name"] == name), None)
        if definition is None:
            raise AssertionError(f"/{path} has no option {name!r} (options: {[o['name'] for o in definitions]})")
        container.append(_option(path, definition, value, resolver, focused=name == focused, crafted=crafted))
    if focused is None:
        missing = [o["name"] for o in definitions if o.get("required") and o["name"] not in values]
        if missing:
            raise AssertionError(f"/{path}: missing required option(s) {missing}")
    if resolver.data:
        data["resolved"] = resolver.data
    return data


def _option(
    path: str, definition: dict[str, Any], value: Any, resolver: Resolver, *, focused: bool, crafted: bool = False
) -> dict[str, Any]:
    kind, name = definition["type"], definition["name"]
    out: dict[str, Any] = {"name": name, "type": kind}
    if focused:
        return out | {"value": str(value), "focused": True}
    if crafted:
        if kind == CHANNEL:
            value = str(resolver.channel_value(value, None))
        elif kind in (USER, ROLE, MENTIONABLE, ATTACHMENT):
            value = str({USER: resolver.user, ROLE: resolver.role, MENTIONABLE: resolver.mentionable,
                         ATTACHMENT: resolver.attachment}[kind](value))  # fmt: skip
        return out | {"value": value}
    if kind == STRING:
        value = str(value)
        low, high = definition.get("min_length", 0), definition.get("max_length", 6000)
        if not low <= len(value) <= high:
            raise AssertionError(f"/{path} {name}: length {len(value)} outside {low}..{high}")
    elif kind == INTEGER:
        value = int(value)
    elif kind == NUMBER:
        value = float(value)
    elif kind == BOOLEAN:
        value = bool(value)
    elif kind == USER:
        value = str(resolver.user(value))
    elif kind == ROLE:
        value = str(resolver.role(value))
    elif kind == MENTIONABLE:
        value = str(resolver.mentionable(value))
    elif kind == CHANNEL:
        value = str(resolver.channel_value(value, definition.get("channel_types")))
    elif kind == ATTACHMENT:
        value = str(resolver.attachment(value))
    if kind in (INTEGER, NUMBER):
        low, high = definition.get("min_value"), definition.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise AssertionError(f"/{path} {name}: {value} outside {low}..{high}")
    choices = definition.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise AssertionError(f"/{path} {name}: {value!r} is not one of the choices {[c['value'] for c in choices]}")
    return out | {"value": value}


def _as_user(fake: FakeDiscord, value: Any) -> User:
    if isinstance(value, User):
        return value
    user = getattr(value, "user", None)
    if isinstance(user, User):
        return user
    return fake.world.user(int(value))


def as_user(fake: FakeDiscord, value: Actor | User | int) -> User:
    """Return the world user behind an Actor, User or id."""
    return _as_user(fake, value)
